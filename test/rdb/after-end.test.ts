/**
 * Bytes pushed after the RDB trailer (a hybrid AOF's tail read by an RDB-only consumer, or
 * junk) are counted, not kept: the window must not grow with them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { FIXTURES } from '../helpers/files.js';

describe('RDB decoder after the trailer', () => {
  it('counts a 64 MiB tail as trailing bytes without holding it', () => {
    const rdb = new Uint8Array(readFileSync(path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')));
    const d = new RdbDecoder({});
    const chunk = new Uint8Array(1 << 20).fill(0x2a);
    // The RDB, then 3 bytes of tail in the same push, then 64 chunks of tail.
    const first = new Uint8Array(rdb.length + 3);
    first.set(rdb);
    d.push(first);
    expect(d.done).toBe(true);
    let biggest = 0;
    for (let i = 0; i < 64; i++) {
      d.push(chunk);
      biggest = Math.max(biggest, d.r.buf.length);
    }
    const s = d.end();
    expect(s.trailingBytes).toBe(3 + 64 * (1 << 20));
    expect(biggest).toBeLessThan(rdb.length + 1024);
    // The bytes of the first push after the trailer are still in the window for a RESP decoder.
    expect(d.r.available()).toBe(3);
  });
});
