/**
 * A file source opened with `reuseBuffers`: its chunks are the file's bytes in order, whatever
 * is given back; it reads one chunk ahead, never into the chunk its consumer holds; a chunk
 * given back stays intact while its consumer works on the next one (a decoder folds the
 * checksum of the bytes it consumed when it takes the next chunk); a view that is not a whole
 * chunk, or a chunk given back after two more were read, is ignored. And an RDB read through the scan driver with such
 * a source decodes to exactly what a plain source gives, at every chunk size.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/io/source.js';
import { driveScan } from '../../src/pipeline/scan-driver.js';
import { rng } from '../helpers/bytes.js';
import { eventLog } from '../helpers/collect.js';
import { fixtureRdbs } from '../helpers/files.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-pool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomFile(name: string, size: number, seed: number): { file: string; bytes: Buffer } {
  const rand = rng(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(rand() * 256);
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes };
}

/**
 * The event log, with the key read again at keyEnd: the decoder keeps a short key as a range of
 * the chunk it came in, made into bytes when asked, so that chunk must not be read into again
 * before the key's record ends (a value may span many chunks).
 */
function withKeyAtEnd(l: ReturnType<typeof eventLog>): ReturnType<typeof eventLog> {
  const end = l.handler.keyEnd!;
  return {
    log: l.log,
    handler: {
      ...l.handler,
      keyEnd: (k) => {
        l.log.push(`key at end ${Buffer.from(k.key).toString('hex')}`);
        end(k);
      },
    },
  };
}

describe('a source reading into reused buffers', () => {
  it('gives the file in order; the chunk a consumer holds stays intact while the next is read, and a chunk given back is read into again only once the chunk after it was taken', async () => {
    const { file, bytes } = randomFile('a.bin', 10 * 4096 + 123, 1);
    const source = await openSource(file, 4096, undefined, { reuseBuffers: true });
    expect(source.release).toBeTypeOf('function');
    const seen: Buffer[] = [];
    const buffers: ArrayBufferLike[] = [];
    for await (const chunk of source.chunks()) {
      const copy = Buffer.from(chunk);
      const i = buffers.length;
      buffers.push(chunk.buffer);
      // Never the buffer of the chunk before (its consumer may read it until now).
      if (i >= 1) expect(chunk.buffer).not.toBe(buffers[i - 1]);
      // The next chunk is being read meanwhile (give it time to land): never into this one.
      for (let t = 0; t < 20; t++) await new Promise((r) => setImmediate(r));
      expect(Buffer.from(chunk).equals(copy)).toBe(true);
      seen.push(copy);
      source.release!(chunk);
    }
    expect(Buffer.concat(seen).equals(bytes)).toBe(true);
    // Buffers were reused: far fewer than chunks.
    expect(new Set(buffers).size).toBeLessThanOrEqual(4);
    expect(buffers.length).toBe(11);
  });

  it('a chunk given back stays intact while the consumer works on the next one, with the chunk after it being read meanwhile', async () => {
    const { file, bytes } = randomFile('c.bin', 12 * 4096 + 5, 3);
    const source = await openSource(file, 4096, undefined, { reuseBuffers: true });
    const seen: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let before: { chunk: Uint8Array; copy: Buffer } | null = null;
    for await (const chunk of source.chunks()) {
      buffers.add(chunk.buffer);
      // The next chunk is being read meanwhile (give it time to land).
      for (let t = 0; t < 20; t++) await new Promise((r) => setImmediate(r));
      // The chunk given back last time, looked at again as a decoder does when it takes the next one.
      if (before !== null) expect(Buffer.from(before.chunk).equals(before.copy)).toBe(true);
      seen.push(Buffer.from(chunk));
      before = { chunk, copy: Buffer.from(chunk) };
      source.release!(chunk);
    }
    expect(Buffer.concat(seen).equals(bytes)).toBe(true);
    expect(buffers.size).toBeLessThanOrEqual(4);
  });

  it('ignores a part of a chunk and a chunk given back too late, takes back the one before the current, and a source never given anything back reads into new buffers', async () => {
    const { file, bytes } = randomFile('b.bin', 8 * 1000, 2);
    for (const give of ['nothing', 'part', 'previous', 'late'] as const) {
      const source = await openSource(file, 1000, undefined, { reuseBuffers: true });
      const buffers: ArrayBufferLike[] = [];
      const seen: Buffer[] = [];
      const taken: Uint8Array[] = [];
      for await (const chunk of source.chunks()) {
        buffers.push(chunk.buffer);
        seen.push(Buffer.from(chunk));
        taken.push(chunk);
        const n = taken.length;
        if (give === 'part') source.release!(chunk.subarray(0, 10));
        // The chunk before the current one: the source holds it as read (it reads one ahead).
        if (give === 'previous' && n >= 2) source.release!(taken[n - 2]);
        // Two chunks back: by then two more were read; its memory is left alone.
        if (give === 'late' && n >= 3) source.release!(taken[n - 3]);
      }
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      if (give === 'previous') expect(new Set(buffers).size, give).toBeLessThanOrEqual(4);
      else expect(new Set(buffers).size, give).toBe(8);
    }
  });

  it('an RDB scanned with it decodes as with a plain source, at every chunk size', async () => {
    for (const rdb of fixtureRdbs().slice(0, 6)) {
      const bytes = readFileSync(rdb);
      for (const chunk of [64, 1000, 4096, 1 << 20]) {
        const plain = withKeyAtEnd(eventLog());
        await driveScan(await openSource(rdb, chunk), { rdb: plain.handler }, { onDamage: 'throw' });
        const pooled = withKeyAtEnd(eventLog());
        const source = await openSource(rdb, chunk, undefined, { reuseBuffers: true });
        await driveScan(source, { rdb: pooled.handler }, { onDamage: 'throw' });
        expect(pooled.log, `${path.basename(rdb)} in chunks of ${chunk}`).toEqual(plain.log);
        expect(bytes.length).toBeGreaterThan(0);
      }
    }
  });
});
