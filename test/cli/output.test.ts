/** Where command output goes: the buffered, drain-aware, EPIPE-safe byte sink. */
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySink, openFileSink, OutputClosedError, streamSink } from '../../src/io/byte-sink.js';
import { InputError } from '../../src/errors.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-sink-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function recorder(opts: { highWaterMark?: number; delayMs?: number; fail?: string } = {}) {
  const writes: Uint8Array[] = [];
  const w = new Writable({
    highWaterMark: opts.highWaterMark ?? 16 * 1024,
    write(chunk: Uint8Array, _enc, cb) {
      writes.push(chunk);
      if (opts.fail) cb(Object.assign(new Error(opts.fail), { code: opts.fail }));
      else if (opts.delayMs) setTimeout(cb, opts.delayMs);
      else cb();
    },
  });
  return { w, writes };
}

describe('streamSink', () => {
  it('buffers small writes into few large ones, in order', async () => {
    const { w, writes } = recorder();
    const sink = streamSink(w, { bufferBytes: 1024 });
    for (let i = 0; i < 1000; i++) sink.write(`line ${i}\n`);
    sink.write(Uint8Array.of(0xff, 0x00));
    await sink.close();
    const all = Buffer.concat(writes);
    expect(writes.length).toBeLessThan(20);
    expect(all.subarray(0, 14).toString()).toBe('line 0\nline 1\n');
    expect(all.subarray(-2)).toEqual(Buffer.from([0xff, 0x00]));
    expect(sink.bytesWritten).toBe(all.length);
  });

  it('hands large byte arrays over without copying them', async () => {
    const { w, writes } = recorder();
    const sink = streamSink(w, { bufferBytes: 1024 });
    const big = new Uint8Array(100_000).fill(7);
    sink.write('head');
    sink.write(big);
    await sink.close();
    expect(writes.some((x) => x === big || (x.buffer === big.buffer && x.byteOffset === big.byteOffset))).toBe(true);
    expect(Buffer.concat(writes).subarray(0, 4).toString()).toBe('head');
  });

  it('encodes text as UTF-8, also strings larger than the buffer', async () => {
    const { w, writes } = recorder();
    const sink = streamSink(w, { bufferBytes: 64 });
    const s = 'é'.repeat(100) + '😀';
    sink.write(s);
    sink.write('x');
    await sink.close();
    expect(Buffer.concat(writes).toString('utf8')).toBe(s + 'x');
  });

  it('waits in drain() while the destination is saturated', async () => {
    const { w } = recorder({ highWaterMark: 16, delayMs: 5 });
    const sink = streamSink(w, { bufferBytes: 32 });
    sink.write('x'.repeat(100)); // larger than the buffer: straight to the stream
    expect(w.writableNeedDrain).toBe(true);
    await sink.drain();
    expect(w.writableNeedDrain).toBe(false);
    await sink.close();
  });

  it('turns EPIPE into OutputClosedError and drops later writes', async () => {
    const { w, writes } = recorder({ fail: 'EPIPE' });
    const sink = streamSink(w, { bufferBytes: 8 });
    sink.write('0123456789');
    await new Promise((r) => setImmediate(r));
    expect(sink.closedByReader).toBe(true);
    await expect(sink.drain()).rejects.toBeInstanceOf(OutputClosedError);
    sink.write('more');
    await sink.close();
    expect(writes).toHaveLength(1);
  });

  it('reports other write errors as InputError', async () => {
    const { w } = recorder({ fail: 'ENOSPC' });
    const sink = streamSink(w, { name: 'out.ndjson', bufferBytes: 8 });
    sink.write('0123456789');
    await new Promise((r) => setImmediate(r));
    await expect(sink.drain()).rejects.toThrow(/cannot write out\.ndjson: ENOSPC/);
  });
});

describe('openFileSink / memorySink', () => {
  it('writes a file', async () => {
    const file = path.join(TMP, 'a.txt');
    const sink = await openFileSink(file);
    sink.write('hello ');
    sink.write(Buffer.from('world'));
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('hello world');
  });

  it('fails with InputError when the file cannot be created', async () => {
    await expect(openFileSink(path.join(TMP, 'missing', 'a.txt'))).rejects.toBeInstanceOf(InputError);
  });

  it('keeps everything in memory', () => {
    const m = memorySink();
    m.write('a');
    m.write(Uint8Array.of(0x62));
    expect(m.text()).toBe('ab');
    expect(m.bytesWritten).toBe(2);
  });
});
