/**
 * A deep pass checks every LZF string by decompressing it, also the ones nobody asked for (a
 * string value, an element of a plain collection), without keeping their bytes: a damaged one
 * is LZF_CORRUPT at the string's offset, exactly as when the values are delivered; a shallow
 * pass does not decompress them and finds nothing. The files are written by the RDB writer
 * (Redis's own LZF choices) and damaged in one byte of one compressed string.
 */
import { describe, expect, it } from 'vitest';
import { RdbWriter } from '../../src/rdb/encoder.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { CorruptDataError } from '../../src/errors.js';
import type { RdbHandler } from '../../src/model/events.js';
import { decode, randomSplits, whole } from '../helpers/collect.js';
import { withChecksum } from '../helpers/rdb-edit.js';

const LONG = 'compressible '.repeat(12);

/** An RDB 10 file: a string key `s` and a plain set `big` (hashtable-encoded, members stored one by one). */
function file(): Uint8Array {
  const sink = memorySink('x.rdb');
  const w = new RdbWriter(sink, { rdbVersion: 10 });
  w.header();
  w.selectDb(0);
  w.key('s', { type: 'string', value: LONG });
  const members = Array.from({ length: 600 }, (_, i) => `member-${String(i).padStart(4, '0')}-${'x'.repeat(30)}`);
  w.key('big', { type: 'set', members, size: members.length });
  w.end();
  return sink.bytes();
}

/** Where the LZF string (its 0xC3 byte) that follows `after` (a byte sequence) starts. */
function lzfAfter(bytes: Uint8Array, after: string): number {
  const at = Buffer.from(bytes).indexOf(Buffer.from(after, 'latin1'));
  expect(at).toBeGreaterThan(0);
  const p = at + after.length;
  expect(bytes[p]).toBe(0xc3);
  return p;
}

/** `bytes` with the first token of the LZF string at `p` made a back-reference before the start, checksum fixed. */
function damaged(bytes: Uint8Array, p: number): Uint8Array {
  const body = new Uint8Array(bytes.subarray(0, bytes.length - 8)); // a copy (a Buffer's slice is a view)
  // 0xC3, then the compressed and the original length (RDB lengths: 1, 2, 5 or 9 bytes), then the data.
  const lenBytes = (at: number) => (body[at] >> 6 === 0 ? 1 : body[at] >> 6 === 1 ? 2 : body[at] === 0x80 ? 5 : 9);
  const ulenAt = p + 1 + lenBytes(p + 1);
  const data = ulenAt + lenBytes(ulenAt);
  expect(body[data]).toBeLessThan(32); // a literal run opens every LZF string
  body[data] = 0x20; // a back-reference of 3 bytes at distance 1, before any output
  return withChecksum(body);
}

function errorOf(bytes: Uint8Array, handler: RdbHandler, verify: 'deep' | 'shallow', split = whole): CorruptDataError | null {
  try {
    decode(bytes, handler, split, { verify });
    return null;
  } catch (e) {
    if (!(e instanceof CorruptDataError)) throw e;
    return e;
  }
}

const nothingWanted: RdbHandler = { keyStart: () => false };
const everythingWanted: RdbHandler = { keyStart: () => true, stringValue: () => {}, item: () => {} };

describe('LZF strings nobody asked for, in a deep pass', () => {
  const good = file();

  it('the undamaged file decodes in both modes', () => {
    expect(errorOf(good, nothingWanted, 'deep')).toBeNull();
    expect(errorOf(good, everythingWanted, 'deep')).toBeNull();
  });

  /** The string value of `s` (type 0, key length 1), or the first member of `big` (type 2, key length 3, then its count). */
  const where: Record<string, () => number> = {
    'a string value': () => lzfAfter(good, '\u0000\u0001s'),
    'a member of a plain set': () => {
      const key = Buffer.from(good).indexOf(Buffer.from('\u0002\u0003big', 'latin1'));
      expect(key).toBeGreaterThan(0);
      return Buffer.from(good).indexOf(0xc3, key + 5);
    },
  };

  for (const [what, find] of Object.entries(where)) {
    it(`a damaged ${what}: LZF_CORRUPT where the string starts, as when it is delivered, whatever the chunking`, () => {
      const p = find();
      const bad = damaged(good, p);
      const delivered = errorOf(bad, everythingWanted, 'deep');
      expect(delivered?.code).toBe('LZF_CORRUPT');
      expect(delivered?.offset, delivered?.message).toBe(p);
      for (const split of [whole, randomSplits(3, 17)]) {
        const checked = errorOf(bad, nothingWanted, 'deep', split);
        expect(checked?.code).toBe('LZF_CORRUPT');
        expect(checked?.offset).toBe(p);
        expect(checked?.message).toBe(delivered?.message);
      }
      // A shallow pass does not decompress what nobody asked for.
      expect(errorOf(bad, nothingWanted, 'shallow')).toBeNull();
    });
  }
});
