import { describe, expect, it } from 'vitest';
import {
  bytesToJson,
  jsonBytesText,
  JsonByteWriter,
  jsonFragment,
  jsonScore,
  jsonScoreText,
  jsonToBytes,
  PartedBase64,
  PartedBytesJson,
  PartedTextCheck,
  stringifyJson,
  textEscapes,
  toJsonValue,
} from '../../src/format/json.js';
import { rng } from '../helpers/bytes.js';

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

// ------------------------------------------------------------------ byte-level writer

/** A writer whose output is collected as text; chunks are released at once unless `keep`. */
function collector(size = 1 << 20, keep = false): { w: JsonByteWriter; text: () => string; chunks: Uint8Array[]; releases: (() => void)[] } {
  const chunks: Uint8Array[] = [];
  const releases: (() => void)[] = [];
  const w = new JsonByteWriter((c, release) => {
    chunks.push(keep ? c : Uint8Array.from(c));
    if (keep) releases.push(release);
    else release();
  }, size);
  return {
    w,
    chunks,
    releases,
    text: () => {
      w.flush();
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Bytes that exercise every branch of the byte-string rule, with `"` and `\\` in good supply. */
const POOL = [0x00, 0x0a, 0x1f, 0x20, 0x22, 0x41, 0x5c, 0x7e, 0x7f, 0x80, 0xc2, 0x85, 0xa0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0x9f, 0xbf, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x8f, 0xff, 0xef, 0xbb];

/** Random values: mostly printable ASCII (long runs, for the 4-bytes-at-a-time scan) with some pool bytes. */
function randomValue(rnd: () => number, maxLen: number, poolRate: number): Uint8Array {
  const n = Math.floor(rnd() * maxLen);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd() < poolRate ? POOL[Math.floor(rnd() * POOL.length)] : 0x20 + Math.floor(rnd() * 95);
  return out;
}

/** `b` copied into a larger buffer at `shift`, with junk around it. */
function at(b: Uint8Array, shift: number, fill = 0x41): Uint8Array {
  const backing = new Uint8Array(b.length + shift + 7).fill(fill);
  backing.set(b, shift);
  return backing.subarray(shift, shift + b.length);
}

describe('JsonByteWriter.bytes', () => {
  it('writes what jsonBytesText writes, for short and long values at any alignment', () => {
    const rnd = rng(11);
    for (let i = 0; i < 4000; i++) {
      const v = randomValue(rnd, i % 2 ? 40 : 300, [0, 0.002, 0.02, 0.3][i % 4]);
      const view = at(v, i % 8, i % 3 ? 0x41 : 0x00);
      const c = collector(i % 5 === 0 ? 64 : 1 << 20);
      c.w.bytes(view);
      expect(c.text()).toBe(jsonBytesText(v));
      expect(textEscapes(view) < 0).toBe(typeof bytesToJson(v) !== 'string');
    }
  });

  it('bytesRange writes what bytes writes for the same bytes inside a larger buffer', () => {
    const rnd = rng(13);
    for (let i = 0; i < 4000; i++) {
      const v = randomValue(rnd, i % 2 ? 40 : 300, [0, 0.002, 0.02, 0.3][i % 4]);
      const before = Math.floor(rnd() * 9);
      const around = new Uint8Array(before + v.length + 5).fill(0x22);
      around.set(v, before);
      const a = collector(i % 5 === 0 ? 64 : 1 << 20);
      a.w.bytesRange(around, before, before + v.length);
      expect(a.text()).toBe(jsonBytesText(v));
    }
  });

  it('escapes only " and \\ and keeps everything else of valid text as it is', () => {
    const c = collector();
    const v = new TextEncoder().encode('a"b\\c ' + 'x'.repeat(60) + '"é€😀\u2028\ufeff');
    c.w.bytes(v);
    expect(c.text()).toBe(JSON.stringify(new TextDecoder().decode(v)));
  });

  it('rejects a control byte found by the 4-bytes-at-a-time scan anywhere in a long value', () => {
    for (const bad of [0x00, 0x09, 0x1f, 0x7f, 0x80, 0xff]) {
      for (let pos = 0; pos < 70; pos++) {
        const v = new Uint8Array(70).fill(0x61);
        v[pos] = bad;
        expect(textEscapes(at(v, pos % 4))).toBe(-1);
      }
    }
    const quotes = new Uint8Array(70).fill(0x61);
    quotes[50] = 0x22;
    quotes[66] = 0x5c;
    expect(textEscapes(at(quotes, 1))).toBe(2);
  });

  it('a byte that is not printable ASCII anywhere in a quoted value leaves nothing of the one-pass copy behind', () => {
    // Printable ASCII with quotes and backslashes, then one byte that sends the value to the
    // general rule (text with a multi-byte character, or base64), at every position and alignment.
    for (const bad of [[0x00], [0x7f], [0xc3, 0xa9], [0xff]]) {
      for (let pos = 0; pos < 90; pos++) {
        const v = new Uint8Array(90 + bad.length - 1);
        for (let i = 0; i < v.length; i++) v[i] = i % 5 === 0 ? 0x22 : i % 7 === 0 ? 0x5c : 0x61 + (i % 26);
        v.set(bad, pos);
        const c = collector();
        c.w.bytes(at(v, pos % 4));
        c.w.bytesRange(v, 0, v.length);
        expect(c.text(), `${bad} at ${pos}`).toBe(jsonBytesText(v) + jsonBytesText(v));
      }
    }
  });

  it('writes values larger than its buffer in pieces', () => {
    const rnd = rng(5);
    for (const v of [randomValue(rnd, 1, 0).fill(0x62), new Uint8Array(5000).fill(0x61), randomValue(rnd, 5000, 0.01), randomValue(rnd, 5000, 0.5)]) {
      const c = collector(64);
      c.w.bytes(v);
      expect(c.text()).toBe(jsonBytesText(v));
      expect(Math.max(...c.chunks.map((x) => x.length))).toBeLessThanOrEqual(64);
    }
  });

  it('base64-encodes like Buffer for every length and buffer size', () => {
    const rnd = rng(9);
    for (let n = 0; n < 200; n++) {
      const v = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      for (const size of [64, 1 << 20]) {
        const c = collector(size);
        c.w.base64Json(at(v, n % 4));
        expect(c.text()).toBe(JSON.stringify({ b64: Buffer.from(v).toString('base64') }));
      }
    }
  });
});

describe('JsonByteWriter numbers', () => {
  it('writes numbers as String does', () => {
    const c = collector(64);
    const xs = [0, 1, 9, 10, 99, 100, 12345678901234, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, 1e21, -1, -0, 0.5, -2.25, 1e-7];
    for (const x of xs) {
      c.w.number(x);
      c.w.byte(0x20);
    }
    expect(c.text()).toBe(xs.map((x) => String(x) + ' ').join(''));
  });

  it('writes scores as jsonScoreText does', () => {
    const rnd = rng(3);
    const xs = [0, -0, 1, -1, 0.1, 0.2, 0.1 + 0.2, 1.005, 2.675, 997363.2458, -4.329000123123131e28, 1e-6, 9.5e-7, 1e-7, 99999999999999.9, 99999999999999.98, 1e14, 1e21, Math.PI, -Math.E, 1 / 3, 5e-324, Infinity, -Infinity, NaN];
    for (let i = 0; i < 20000; i++) {
      const k = Math.floor(rnd() * 9);
      const x = Math.round(rnd() * 10 ** Math.floor(rnd() * 16)) / 10 ** k;
      xs.push(x, -x, rnd() * 10 ** (rnd() * 30 - 10));
      // The neighbouring doubles of a short decimal have long shortest forms.
      const f = new Float64Array([x]);
      const u = new BigUint64Array(f.buffer);
      u[0] += 1n;
      xs.push(f[0]);
    }
    const c = collector(256);
    for (const x of xs) {
      c.w.score(x);
      c.w.byte(0x2c);
    }
    expect(c.text()).toBe(xs.map((x) => jsonScoreText(x) + ',').join(''));
  });

  it('copies fragments, ascii and any text', () => {
    const c = collector(64);
    c.w.fragment(jsonFragment('{"db":12,"key":'));
    c.w.fragment(jsonFragment(''));
    c.w.fragment(jsonFragment('abc'));
    c.w.ascii('xyz');
    c.w.text('"é€😀"');
    c.w.raw(new Uint8Array(200).fill(0x2e));
    expect(c.text()).toBe('{"db":12,"key":abcxyz"é€😀"' + '.'.repeat(200));
  });
});

describe('JsonByteWriter buffers', () => {
  it('never writes into a chunk before it is released, and reuses released buffers', () => {
    const c = collector(1024, true);
    const v = new Uint8Array(100).fill(0x61);
    for (let i = 0; i < 100; i++) c.w.bytes(v);
    c.w.flush();
    const copies = c.chunks.map((x) => Buffer.from(x));
    expect(c.chunks.length).toBeGreaterThan(5);
    for (let i = 0; i < 100; i++) c.w.bytes(v.fill(0x62));
    c.w.flush();
    // The first chunks are untouched: they were not released.
    copies.forEach((x, i) => expect(Buffer.from(c.chunks[i]).equals(x)).toBe(true));
    expect(c.w.freeBuffers).toBe(0);
    for (const r of c.releases) r();
    expect(c.w.freeBuffers).toBeGreaterThan(0);
    // A release called twice counts once.
    c.releases[0]();
    expect(c.w.freeBuffers).toBeLessThanOrEqual(4);
  });

  it('hands over what it built on flush, in order', () => {
    const c = collector();
    c.w.ascii('ab');
    expect(c.w.pending).toBe(2);
    c.w.flush();
    c.w.flush();
    expect(c.chunks.length).toBe(1);
    c.w.passThrough(Uint8Array.of(0x63));
    c.w.ascii('d');
    expect(c.text()).toBe('abcd');
  });
});

// ------------------------------------------------------------------ values in parts

/** Splits `v` at random points (empty parts included) and feeds the parts to `push`. */
function inParts(v: Uint8Array, rnd: () => number, push: (part: Uint8Array, last: boolean) => void): void {
  let at = 0;
  do {
    const n = Math.min(v.length - at, Math.floor(rnd() * 20));
    // Parts are views, overwritten after the call (as the decoder's are).
    const scratch = new Uint8Array(n + 3);
    scratch.set(v.subarray(at, at + n), 1);
    const part = scratch.subarray(1, 1 + n);
    at += n;
    push(part, at === v.length);
    scratch.fill(0xff);
  } while (at < v.length);
}

describe('PartedBytesJson', () => {
  it('writes what jsonBytesText writes of the whole value, however it is split', () => {
    const rnd = rng(21);
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(rnd, 120, [0, 0.01, 0.1, 0.5][i % 4]);
      const c = collector(i % 3 ? 1 << 20 : 64);
      const parted = new PartedBytesJson(c.w);
      inParts(v, rnd, (part, last) => parted.push(part, last));
      expect(c.text()).toBe(jsonBytesText(v));
      expect(parted.heldBytes).toBe(0);
    }
  });

  it('holds text parts until the end, and drops them as soon as a byte rules text out', () => {
    const c = collector();
    const parted = new PartedBytesJson(c.w);
    parted.push(new Uint8Array(1000).fill(0x61), false);
    parted.push(new Uint8Array(1000).fill(0x62), false);
    expect(parted.heldBytes).toBe(2000);
    expect(c.w.pending).toBe(0); // nothing written while it may still be text
    parted.push(Uint8Array.of(0x63, 0x00), false);
    expect(parted.heldBytes).toBe(0);
    parted.push(new Uint8Array(1000).fill(0x64), false);
    expect(parted.heldBytes).toBe(0);
    parted.push(Uint8Array.of(0x65), true);
    const whole = Buffer.concat([Buffer.alloc(1000, 0x61), Buffer.alloc(1000, 0x62), Buffer.from([0x63, 0]), Buffer.alloc(1000, 0x64), Buffer.from([0x65])]);
    expect(c.text()).toBe(JSON.stringify({ b64: whole.toString('base64') }));
  });

  it('base64-encodes a value whose last part leaves a UTF-8 sequence open', () => {
    const c = collector();
    const parted = new PartedBytesJson(c.w);
    parted.push(Uint8Array.of(0x61, 0xe2), false);
    parted.push(Uint8Array.of(0x82), true);
    expect(c.text()).toBe('{"b64":"YeKC"}');
  });

  it('checks UTF-8 sequences split across parts (C1 controls, surrogates, overlongs)', () => {
    const cases: [number[], boolean][] = [
      [[0xc2, 0xa0], true],
      [[0xc2, 0x85], false],
      [[0xed, 0x9f, 0xbf], true],
      [[0xed, 0xa0, 0x80], false],
      [[0xe0, 0x9f, 0x80], false],
      [[0xf0, 0x90, 0x80, 0x80], true],
      [[0xf0, 0x8f, 0xbf, 0xbf], false],
      [[0xf4, 0x8f, 0xbf, 0xbf], true],
      [[0xf4, 0x90, 0x80, 0x80], false],
    ];
    for (const [bytes, text] of cases) {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const check = new PartedTextCheck();
        check.push(Uint8Array.from(bytes.slice(0, cut)));
        check.push(Uint8Array.from(bytes.slice(cut)));
        expect(check.end(), `${bytes} cut at ${cut}`).toBe(text);
      }
    }
  });
});

describe('PartedBase64', () => {
  it('encodes like Buffer however the bytes are split', () => {
    const rnd = rng(8);
    for (let i = 0; i < 500; i++) {
      const v = Uint8Array.from({ length: Math.floor(rnd() * 50) }, () => Math.floor(rnd() * 256));
      const c = collector(64);
      const b64 = new PartedBase64(c.w);
      inParts(v, rnd, (part) => b64.push(part));
      b64.end();
      expect(c.text()).toBe(Buffer.from(v).toString('base64'));
    }
  });
});
