/**
 * Damaged files derived from real-server fixtures: every defect gives the typed error with
 * the right code and byte offset, hostile sizes are refused before anything is allocated, and
 * random byte flips only ever produce RdbtoolErrors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode, eventLog, records } from '../helpers/collect.js';
import { FIXTURES, fixtureRdbs } from '../helpers/files.js';
import { RdbtoolError } from '../../src/errors.js';
import type { KeyInfo } from '../../src/model/events.js';

const fixture = (name: string) => readFileSync(path.join(FIXTURES, 'rdb', name));

/** Keys of a file with where their records start, as the decoder reports them. */
function keyOffsets(bytes: Uint8Array): { key: string; rdbType: number; offset: number; hasPrefix: boolean }[] {
  const out: { key: string; rdbType: number; offset: number; hasPrefix: boolean }[] = [];
  decode(bytes, {
    keyStart: (k: KeyInfo) => {
      out.push({ key: Buffer.from(k.key).toString('latin1'), rdbType: k.rdbType, offset: k.offset, hasPrefix: k.expireAtMs !== null || k.lfuFreq !== undefined || k.lruIdleSec !== undefined });
      return false;
    },
  });
  return out;
}

function errorOf(bytes: Uint8Array): RdbtoolError {
  try {
    decode(bytes, eventLog().handler);
  } catch (e) {
    expect(e).toBeInstanceOf(RdbtoolError);
    return e as RdbtoolError;
  }
  throw new Error('expected the decoder to fail');
}

const splice = (b: Uint8Array, at: number, remove: number, insert: number[]) => Uint8Array.from([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]);

describe('damaged fixtures', () => {
  const bytes = fixture('all-types.rdb');
  const keys = keyOffsets(bytes);
  const plain = keys.find((k) => !k.hasPrefix && k.rdbType === 0)!;

  it('a flipped checksum byte is a CHECKSUM_MISMATCH after the EOF opcode', () => {
    const bad = Uint8Array.from(bytes);
    bad[bad.length - 3] ^= 0x40;
    const e = errorOf(bad);
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.offset).toBe(bytes.length - 8);
    expect(e.message).toMatch(/expected 0x[0-9a-f]{16} .*found 0x[0-9a-f]{16}/);
  });

  it('an unknown type byte is reported at its offset with the byte found', () => {
    const bad = Uint8Array.from(bytes);
    bad[plain.offset] = 100;
    const e = errorOf(bad);
    expect(e).toMatchObject({ code: 'UNKNOWN_TYPE', offset: plain.offset, found: '0x64' });
  });

  it('a bad length encoding is reported at the length byte', () => {
    const bad = Uint8Array.from(bytes);
    bad[plain.offset + 1] = 0x82;
    expect(errorOf(bad)).toMatchObject({ code: 'BAD_LENGTH', offset: plain.offset + 1, found: '0x82' });
  });

  it('a bad string encoding id is reported at the string', () => {
    const bad = Uint8Array.from(bytes);
    bad[plain.offset + 1] = 0xc7;
    expect(errorOf(bad)).toMatchObject({ code: 'BAD_STRING_ENCODING', offset: plain.offset + 1 });
  });

  it('a 2^64 string length is refused by the limit before any allocation', () => {
    const bad = splice(bytes, plain.offset + 1, 1, [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const e = errorOf(bad);
    expect(e).toMatchObject({ code: 'LIMIT_EXCEEDED', offset: plain.offset + 1 });
    expect(e.message).toContain('--max-string-bytes');
  });

  it('a hostile collection count is refused by the limit', () => {
    const big = fixture('big-collections.rdb');
    const hash = keyOffsets(big).find((k) => k.rdbType === 4 && !k.hasPrefix)!;
    // type byte, key (1-byte length + bytes), then the field count
    const countAt = hash.offset + 2 + hash.key.length;
    const bad = splice(big, countAt, 2, [0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const e = errorOf(bad);
    expect(e).toMatchObject({ code: 'LIMIT_EXCEEDED', offset: countAt });
    expect(e.message).toContain('--max-collection-length');
  });

  it('a broken listpack inside a value is BLOB_CORRUPT with the key in the message', () => {
    const lp = keys.find((k) => k.rdbType === 16 && !k.hasPrefix)!; // hash listpack
    const bad = Uint8Array.from(bytes);
    // The listpack's total-bytes header follows type, key and the string length byte.
    const blobAt = lp.offset + 2 + lp.key.length + 1;
    bad[blobAt] ^= 0x01;
    const e = errorOf(bad);
    expect(e.code).toBe('BLOB_CORRUPT');
    expect(e.offset).toBeGreaterThanOrEqual(blobAt);
    expect(e.message).toContain(lp.key);
  });

  it('the file name, offset and context are in every message', () => {
    const bad = Uint8Array.from(bytes);
    bad[plain.offset + 1] = 0x82;
    const e = errorOf(bad);
    expect(e.message.startsWith('test.rdb: ')).toBe(true);
    expect(e.toJSON()).toMatchObject({ code: 'BAD_LENGTH', file: 'test.rdb', offset: plain.offset + 1 });
  });
});

describe('random byte flips (seeded fuzz)', () => {
  for (const file of fixtureRdbs()) {
    it(path.basename(file), () => {
      const clean = readFileSync(file);
      let s = clean.length >>> 0 || 1;
      const rand = () => {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        return (s >>>= 0);
      };
      let failures = 0;
      for (let i = 0; i < 150; i++) {
        const bad = Uint8Array.from(clean);
        const flips = 1 + (rand() % 3);
        for (let f = 0; f < flips; f++) bad[rand() % bad.length] ^= 1 << (rand() % 8);
        try {
          decode(bad, eventLog(i % 2 === 0).handler, undefined, { verify: i % 3 === 0 ? 'shallow' : 'deep' });
        } catch (e) {
          if (!(e instanceof RdbtoolError)) throw e;
          expect(typeof e.code).toBe('string');
          failures++;
        }
      }
      // Most flips are caught (by structure or by the checksum, when the file has one).
      if (!file.includes('nochecksum')) expect(failures).toBeGreaterThan(100);
      // A fresh decoder still reads the clean file.
      expect(records(clean).summary.end).not.toBeNull();
    });
  }
});
