/**
 * A chunk read after free bytes of its own buffer (markHeadroom, as a file source reads them):
 * the reader copies the unread end of its window in front of the chunk and reads the chunk in
 * place, instead of copying the chunk. The bytes it exposes, their offsets, views handed out
 * earlier and the bytes reported to the checksum must be exactly what they are without.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Reader, markHeadroom } from '../../src/io/reader.js';
import { CHUNK_HEADROOM, openSource } from '../../src/io/source.js';

/** `data` cut into chunks of `size`, each in a buffer of its own after `room` free bytes (marked when `mark`). */
function chunksOf(data: Uint8Array, size: number, room: number, mark: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) {
    const part = data.subarray(i, i + size);
    const buf = new Uint8Array(room + part.length).fill(0xee);
    buf.set(part, room);
    if (mark) markHeadroom(buf.buffer, room);
    out.push(buf.subarray(room));
  }
  return out;
}

/**
 * Feeds the chunks, reading units of `unit` bytes (a unit waits, as a decoder's read does,
 * until it is whole); returns the bytes read, their offsets, whether early views still hold
 * what they held, the consumed bytes reported, and how many appends read the chunk in place.
 */
function drive(chunks: Uint8Array[], unit: number) {
  const r = new Reader();
  const reported: number[] = [];
  r.onConsumed = (b, s, e) => {
    for (let i = s; i < e; i++) reported.push(b[i]);
  };
  const seen: number[] = [];
  const offsets: number[] = [];
  const views: { view: Uint8Array; copy: Uint8Array }[] = [];
  let inPlace = 0;
  for (const c of chunks) {
    r.append(c);
    if (r.buf.buffer === c.buffer) inPlace++;
    while (r.available() >= unit) {
      offsets.push(r.offset);
      const view = r.buf.subarray(r.pos, r.pos + unit);
      views.push({ view, copy: Uint8Array.from(view) });
      for (let i = 0; i < unit; i++) seen.push(r.buf[r.pos++]);
    }
    r.wanted = unit;
  }
  while (r.available() > 0) seen.push(r.buf[r.pos++]);
  r.flushConsumed();
  return { seen: Uint8Array.from(seen), offsets, viewsIntact: views.every((v) => Buffer.compare(v.view, v.copy) === 0), reported: Uint8Array.from(reported), inPlace };
}

describe('Reader and chunks with headroom', () => {
  const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 37 + (i >> 9)) & 0xff);

  it('exposes the same bytes at the same offsets as copying, keeps earlier views intact, reports every byte once', () => {
    for (const [size, unit, room] of [
      [1000, 7, 64],
      [4096, 300, 512],
      [777, 700, 1024],
      [50, 3, 8],
    ]) {
      const copied = drive(chunksOf(data, size, room, false), unit);
      const inPlace = drive(chunksOf(data, size, room, true), unit);
      for (const run of [copied, inPlace]) {
        expect(Buffer.compare(run.seen, data)).toBe(0);
        expect(Buffer.compare(run.reported, data)).toBe(0);
        expect(run.viewsIntact).toBe(true);
      }
      expect(inPlace.offsets).toEqual(copied.offsets);
      // Every chunk is read in place (each unit fits the headroom and the chunk), but maybe the
      // last, short one, when a unit still waits for bytes past the end.
      expect(inPlace.inPlace).toBeGreaterThanOrEqual(Math.ceil(data.length / size) - 1);
      expect(copied.inPlace).toBeLessThan(inPlace.inPlace);
    }
  });

  it('copies as before when the leftover does not fit the headroom, or a unit needs more than the chunk brings', () => {
    // Units of 3000 bytes over chunks of 1000: a unit waits over several chunks.
    const big = drive(chunksOf(data, 1000, 64, true), 3000);
    expect(Buffer.compare(big.seen, data)).toBe(0);
    expect(big.viewsIntact).toBe(true);
    // A headroom of 4 bytes, leftovers of up to 99.
    const small = drive(chunksOf(data, 1000, 4, true), 100);
    expect(Buffer.compare(small.seen, data)).toBe(0);
    expect(small.viewsIntact).toBe(true);
  });

  it('a file source reads its chunks after CHUNK_HEADROOM free bytes, marked for the reader, the next one while the current one is read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-headroom-'));
    try {
      const file = path.join(dir, 'data.bin');
      writeFileSync(file, data);
      const source = await openSource(file, 10_000);
      const chunks: Uint8Array[] = [];
      for await (const c of source.chunks()) chunks.push(c);
      expect(chunks.every((c) => c.byteOffset === CHUNK_HEADROOM)).toBe(true);
      expect(chunks.map((c) => c.length)).toEqual([...Array(10).fill(10_000)]);
      const run = drive(chunks, 333);
      expect(Buffer.compare(run.seen, data)).toBe(0);
      expect(run.inPlace).toBe(chunks.length);
      // A consumer that stops early leaves no read behind (the file is closed; no error surfaces).
      for await (const c of (await openSource(file, 10_000)).chunks()) {
        expect(c.length).toBe(10_000);
        break;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
