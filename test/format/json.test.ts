import { describe, expect, it } from 'vitest';
import { bytesToJson, jsonBytesText, jsonScore, jsonScoreText, jsonToBytes, LineBuilder, stringifyJson, toJsonValue } from '../../src/format/json.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// The rule as the fixture truth files implement it (scripts/lib/export-json.ts), written
// independently here: strict UTF-8 (BOM kept), then no C0/DEL/C1 control characters.
function reference(bytes: Uint8Array): string | { b64: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { b64: Buffer.from(bytes).toString('base64') };
  }
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? { b64: Buffer.from(bytes).toString('base64') } : text;
}

describe('bytesToJson', () => {
  it('keeps printable ASCII and valid UTF-8 as strings', () => {
    expect(bytesToJson(utf8('user:1042'))).toBe('user:1042');
    expect(bytesToJson(utf8(''))).toBe('');
    expect(bytesToJson(utf8('בדיקה𐀏123עברית'))).toBe('בדיקה𐀏123עברית');
    expect(bytesToJson(utf8('a "quoted" \\ back'))).toBe('a "quoted" \\ back');
  });

  it('keeps a leading BOM so the text encodes back to the same bytes', () => {
    const bom = b(0xef, 0xbb, 0xbf, 0x61);
    expect(bytesToJson(bom)).toBe('\ufeffa');
    expect(Buffer.from(jsonToBytes(bytesToJson(bom))).equals(Buffer.from(bom))).toBe(true);
  });

  it('base64-encodes C0 controls, DEL and C1 controls', () => {
    expect(bytesToJson(b(0x61, 0x00))).toEqual({ b64: 'YQA=' });
    expect(bytesToJson(b(0x0a))).toEqual({ b64: 'Cg==' });
    expect(bytesToJson(b(0x7f))).toEqual({ b64: 'fw==' });
    expect(bytesToJson(utf8('x\u0085y'))).toEqual({ b64: Buffer.from(utf8('x\u0085y')).toString('base64') });
    expect(bytesToJson(utf8('\u00a0'))).toBe('\u00a0'); // first code point after C1 is fine
  });

  it('base64-encodes invalid and overlong UTF-8', () => {
    expect(bytesToJson(b(0xff))).toEqual({ b64: '/w==' });
    expect(bytesToJson(b(0xc0, 0xaf))).toEqual({ b64: 'wK8=' }); // overlong "/"
    expect(bytesToJson(b(0xed, 0xa0, 0x80))).toEqual({ b64: '7aCA' }); // surrogate
    expect(bytesToJson(b(0xe2, 0x82))).toEqual({ b64: '4oI=' }); // truncated sequence
  });

  it('matches the corpus observation of non-ASCII values', () => {
    // redis-rdb-tools/non_ascii_values.rdb, key "ascii", as Redis 7.4.1 returned it.
    expect(bytesToJson(Buffer.from('ACEgfjAKCQ1BYg==', 'base64'))).toEqual({ b64: 'ACEgfjAKCQ1BYg==' });
  });

  it('agrees with the reference rule and round-trips on random bytes', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const pool = [0x00, 0x0a, 0x20, 0x22, 0x41, 0x5c, 0x7e, 0x7f, 0x80, 0xc2, 0x85, 0xa0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0xef, 0xbb, 0xbf];
    for (let i = 0; i < 1500; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rnd() * 12) }, () => pool[Math.floor(rnd() * pool.length)]);
      const v = bytesToJson(bytes);
      expect(v).toEqual(reference(bytes));
      expect(Buffer.from(jsonToBytes(v)).equals(Buffer.from(bytes))).toBe(true);
      expect(jsonBytesText(bytes)).toBe(JSON.stringify(v));
    }
  });

  it('handles long ASCII and views with an offset', () => {
    const big = new Uint8Array(10_000).fill(0x61);
    expect(bytesToJson(big)).toBe('a'.repeat(10_000));
    const backing = utf8('__hello__');
    expect(bytesToJson(backing.subarray(2, 7))).toBe('hello');
    expect(jsonBytesText(backing.subarray(2, 7))).toBe('"hello"');
  });
});

describe('jsonScore', () => {
  it('maps infinities to strings and keeps finite numbers', () => {
    expect(jsonScore(Infinity)).toBe('inf');
    expect(jsonScore(-Infinity)).toBe('-inf');
    expect(jsonScore(2.37)).toBe(2.37);
    expect(jsonScore(5e-324)).toBe(5e-324);
    expect(jsonScoreText(-Infinity)).toBe('"-inf"');
    expect(jsonScoreText(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(JSON.parse(jsonScoreText(1e-300))).toBe(1e-300);
    expect(jsonScoreText(-0)).toBe('-0');
    expect(Object.is(JSON.parse(jsonScoreText(-0)), -0)).toBe(true);
    expect(jsonScoreText(0)).toBe('0');
  });
});

describe('toJsonValue / stringifyJson', () => {
  it('converts bytes, bigints and dates, and drops undefined properties', () => {
    const v = toJsonValue({ key: b(0x61), bin: b(0xff), n: 2n ** 64n, when: new Date(0), gone: undefined, list: [b(0x62)] });
    expect(v).toEqual({ key: 'a', bin: { b64: '/w==' }, n: '18446744073709551616', when: '1970-01-01T00:00:00.000Z', list: ['b'] });
    expect(stringifyJson({ a: 1n })).toBe('{"a":"1"}');
  });
});

describe('LineBuilder', () => {
  it('hands text over in large pieces, in order', () => {
    const pieces: string[] = [];
    const lb = new LineBuilder((s) => pieces.push(s), 10);
    for (let i = 0; i < 25; i++) lb.push(String(i % 10));
    expect(pieces.length).toBe(2);
    lb.flush();
    lb.flush();
    expect(pieces.join('')).toBe('0123456789'.repeat(2) + '01234');
    expect(pieces.length).toBe(3);
  });
});
