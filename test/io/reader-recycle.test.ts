/**
 * Reader.recycle: a decoder that keeps no views across appends lets the window alternate
 * between two buffers instead of allocating one per chunk. The bytes it exposes must be the
 * same as without recycling, and caller chunks must never be written into.
 */
import { describe, expect, it } from 'vitest';
import { Reader } from '../../src/io/reader.js';

/** Feeds `data` in chunks of `size`, consuming all but `keep` bytes after each append. */
function drive(recycle: boolean, data: Uint8Array, size: number, keep: number) {
  const r = new Reader();
  r.recycle = recycle;
  const seen: number[] = [];
  const buffers = new Set<ArrayBufferLike>();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(Uint8Array.from(data.subarray(i, i + size)));
  const copies = chunks.map((c) => Uint8Array.from(c));
  for (const c of chunks) {
    r.append(c);
    buffers.add(r.buf.buffer);
    while (r.available() > keep) seen.push(r.buf[r.pos++]);
    r.wanted = keep + 1;
  }
  while (r.available() > 0) seen.push(r.buf[r.pos++]);
  return { seen: Uint8Array.from(seen), buffers, chunksUntouched: chunks.every((c, i) => Buffer.compare(c, copies[i]) === 0) };
}

describe('Reader.recycle', () => {
  const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);

  it('exposes the same bytes as a fresh buffer per append, and never writes into a chunk', () => {
    for (const [size, keep] of [
      [1000, 10],
      [4096, 3000],
      [7, 5],
    ]) {
      const plain = drive(false, data, size, keep);
      const reused = drive(true, data, size, keep);
      expect(Buffer.compare(plain.seen, data)).toBe(0);
      expect(Buffer.compare(reused.seen, data)).toBe(0);
      expect(reused.chunksUntouched).toBe(true);
    }
  });

  it('uses a handful of buffers where the plain reader allocates one per chunk', () => {
    const plain = drive(false, data, 1000, 10);
    const reused = drive(true, data, 1000, 10);
    // Chunks adopted as they are count too; what matters is the allocated windows.
    expect(plain.buffers.size).toBeGreaterThan(150);
    expect(reused.buffers.size).toBeLessThan(plain.buffers.size / 50);
  });
});
