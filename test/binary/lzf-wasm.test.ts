/**
 * The WebAssembly LZF decompressor (`lzfDecompressRange`) against the JavaScript one
 * (`lzfDecompressInto`): the same output for every stream the project's compressor makes, and
 * the same error (class, code, message, expected, found, file, offset) for every damaged one,
 * on the WebAssembly path and on the JavaScript fallback path alike.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { generateWasmModules } from '../../scripts/lib/build-wasm.js';
import { lzfCompress, lzfDecompressInto } from '../../src/binary/lzf.js';
import { RING_SLOT_BYTES, lzfCheckRange, lzfDecompressLatin1, lzfDecompressRange, lzfDecompressView, lzfWasmAvailable, lzfWasmTuning } from '../../src/binary/lzf-wasm.js';
import { RdbtoolError, UsageError } from '../../src/errors.js';
import { randomBytes, rng, toHex } from '../helpers/bytes.js';
import { PROJECT_ROOT } from '../helpers/files.js';

const DEFAULTS = { ...lzfWasmTuning };
afterEach(() => {
  Object.assign(lzfWasmTuning, DEFAULTS);
});

/** Tunings that force one path of lzfDecompressRange. */
const PATHS = {
  wasm: { minInputBytes: 0, maxMemoryBytes: 1 << 30 },
  js: { minInputBytes: Number.POSITIVE_INFINITY },
} as const;
type PathName = keyof typeof PATHS;

function usePath(p: PathName): void {
  Object.assign(lzfWasmTuning, DEFAULTS, PATHS[p]);
}

/** Where errors say the string is; {@link NOWHERE} for no location. */
interface Loc {
  file?: string;
  offset?: number;
}
const AT: Loc = { file: 'dump.rdb', offset: 4321 };
const NOWHERE: Loc = {};

/** Everything about an error that a caller can see, or the output. */
type Outcome = { ok: string } | { error: Record<string, unknown> };

function errorOutcome(e: unknown): Outcome {
  if (!(e instanceof RdbtoolError)) throw e;
  return {
    error: {
      class: e.constructor.name,
      name: e.name,
      code: e.code,
      message: e.message,
      reason: e.reason,
      expected: e.expected,
      found: e.found,
      file: e.file,
      offset: e.offset,
      context: e.context,
    },
  };
}

/** What lzfDecompressInto makes of `src` with a declared length of `ulen`. */
function jsOutcome(src: Uint8Array, ulen: number, at: Loc = AT): Outcome {
  const dst = new Uint8Array(ulen);
  try {
    lzfDecompressInto(src, dst, at);
    return { ok: toHex(dst) };
  } catch (e) {
    return errorOutcome(e);
  }
}

const SRC_LEAD = 5;
const DST_LEAD = 7;
const TAIL = 9;

/**
 * What lzfDecompressRange makes of `src` with a declared length of `ulen`, with the input in
 * the middle of a larger buffer and the output going to a non-zero index of a larger one;
 * also checks that nothing outside the output range was written.
 */
function rangeOutcome(src: Uint8Array, ulen: number, at: Loc = AT): Outcome {
  const srcBuf = new Uint8Array(SRC_LEAD + src.length + TAIL).fill(0x3c);
  srcBuf.set(src, SRC_LEAD);
  const dstBuf = new Uint8Array(DST_LEAD + ulen + TAIL).fill(0xa5);
  let outcome: Outcome;
  try {
    lzfDecompressRange(srcBuf, SRC_LEAD, SRC_LEAD + src.length, dstBuf, DST_LEAD, ulen, at.file, at.offset);
    outcome = { ok: toHex(dstBuf.subarray(DST_LEAD, DST_LEAD + ulen)) };
  } catch (e) {
    outcome = errorOutcome(e);
  }
  const outside = [...dstBuf.subarray(0, DST_LEAD), ...dstBuf.subarray(DST_LEAD + ulen)];
  expect(outside.every((b) => b === 0xa5), 'bytes outside the target range were written').toBe(true);
  return outcome;
}

/** `bytes` as an LZF stream of literal runs only (what incompressible data would need). */
function literalStream(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 32) {
    const run = bytes.subarray(i, i + 32);
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from(out);
}

/** An LZF stream of `bytes`: lzfCompress's when it compresses, else literal runs. */
function stream(bytes: Uint8Array): Uint8Array {
  return lzfCompress(bytes) ?? literalStream(bytes);
}

/** Data of `n` bytes in one of several shapes, from barely to highly compressible. */
function sample(n: number, shape: number, rand: () => number): Uint8Array {
  switch (shape % 5) {
    case 0:
      return randomBytes(n, rand);
    case 1:
      return randomBytes(n, rand, 4);
    case 2:
      return new Uint8Array(n).fill(0x61);
    case 3: {
      // A short pattern repeated: back-references at a distance of 2 to 19.
      const period = 2 + (n % 18);
      const pattern = randomBytes(period, rand);
      return Uint8Array.from({ length: n }, (_, i) => pattern[i % period]);
    }
    default: {
      // Words from a small vocabulary, like text.
      const words = ['user', 'name', 'value', 'session', ' ', ':', '"id":', '12', 'payment'];
      const out = new Uint8Array(n);
      for (let o = 0; o < n; ) {
        const w = words[Math.floor(rand() * words.length)];
        for (let k = 0; k < w.length && o < n; k++) out[o++] = w.charCodeAt(k);
      }
      return out;
    }
  }
}

/** The shape of a failure's reason, numbers left out: which check failed. */
function checkOf(o: Outcome): string | null {
  return 'error' in o ? String(o.error.reason).replace(/\d+/g, 'N') : null;
}

/** The seven checks lzfDecompressInto makes (FORMATS.md §4.1). */
const ALL_CHECKS = [
  'invalid LZF compressed string: literal run at input byte N runs past the end of the input',
  'invalid LZF compressed string: literal run at input byte N overflows the output',
  'invalid LZF compressed string: back-reference at input byte N is cut off', // length byte
  'invalid LZF compressed string: back-reference at input byte N points before the start of the output',
  'invalid LZF compressed string: back-reference at input byte N overflows the output',
  'invalid LZF compressed string: decompressed length differs from the declared length',
];

describe('lzfDecompressRange', () => {
  it('has WebAssembly to run on here (else every other test would only test the fallback)', () => {
    expect(lzfWasmAvailable()).toBe(true);
  });

  for (const p of ['wasm', 'js'] as const) {
    describe(`on the ${p} path`, () => {
      it('decompresses every size 0..300 of every data shape as lzfDecompressInto does', () => {
        usePath(p);
        const rand = rng(11);
        for (let n = 0; n <= 300; n++) {
          for (let shape = 0; shape < 5; shape++) {
            const data = sample(n, shape, rand);
            const c = stream(data);
            const got = rangeOutcome(c, n);
            expect(got, `n=${n} shape=${shape}`).toEqual({ ok: toHex(data) });
            expect(got).toEqual(jsOutcome(c, n));
          }
        }
      });

      it('decompresses large strings (1 MiB and more): incompressible, text-like, runs, short periods', () => {
        usePath(p);
        const rand = rng(12);
        const inputs = [
          randomBytes(1 << 20, rand),
          sample((1 << 20) + 7, 4, rand),
          sample(3 << 20, 2, rand),
          randomBytes(1 << 20, rand, 3),
          ...[2, 5, 9, 15, 16, 17, 100].map((period) => {
            const pattern = randomBytes(period, rand);
            return Uint8Array.from({ length: 1 << 20 }, (_, i) => pattern[i % period]);
          }),
        ];
        for (const data of inputs) {
          const c = stream(data);
          const dst = new Uint8Array(data.length + 3);
          lzfDecompressRange(c, 0, c.length, dst, 3, data.length);
          expect(Buffer.compare(dst.subarray(3), data)).toBe(0);
          expect(dst.subarray(0, 3)).toEqual(new Uint8Array(3));
        }
      });

      it('gives the same error or the same output for every single-byte change of small streams', () => {
        usePath(p);
        const rand = rng(13);
        const checks = new Set<string | null>();
        const streams = [sample(40, 4, rand), sample(60, 1, rand), sample(50, 3, rand), sample(70, 2, rand), sample(33, 0, rand)]
          .map((d) => ({ c: stream(d), n: d.length }));
        for (const { c, n } of streams) {
          for (let i = 0; i < c.length; i++) {
            const bad = c.slice();
            for (let v = 0; v < 256; v++) {
              bad[i] = v;
              const want = jsOutcome(bad, n);
              const got = rangeOutcome(bad, n);
              if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `stream ${toHex(c)}, byte ${i} = ${v}`).toEqual(want);
              checks.add(checkOf(want));
            }
          }
        }
        // The mutations reach every check (so the comparison above covered each of them).
        for (const check of ALL_CHECKS) expect(checks).toContain(check);
        expect(checks).toContain(null);
      });

      it('gives the same error for every truncation and for wrong declared lengths', () => {
        usePath(p);
        const rand = rng(14);
        const expectedTexts = new Set<unknown>();
        for (const n of [25, 100, 300, 5000]) {
          for (let shape = 0; shape < 5; shape++) {
            const c = stream(sample(n, shape, rand));
            for (let cut = 0; cut <= c.length; cut++) {
              const part = c.subarray(0, cut);
              const want = jsOutcome(part, n);
              const got = rangeOutcome(part, n);
              if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `n=${n} shape=${shape} cut=${cut}`).toEqual(want);
              if ('error' in want) expectedTexts.add(want.error.expected);
            }
            for (const ulen of [0, 1, n - 1, n + 1, n + 40, 2 * n]) {
              expect(rangeOutcome(c, ulen), `n=${n} shape=${shape} ulen=${ulen}`).toEqual(jsOutcome(c, ulen));
            }
          }
        }
        // Both kinds of cut-off back-reference were among them.
        expect(expectedTexts).toContain('a length byte');
        expect(expectedTexts).toContain('an offset byte');
      });

      it('gives the same outcome on random garbage, with and without a location', () => {
        usePath(p);
        const rand = rng(15);
        let failures = 0;
        for (let t = 0; t < 3000; t++) {
          const garbage = randomBytes(Math.floor(rand() * 64), rand, t % 2 ? 256 : 40);
          const ulen = Math.floor(rand() * 200);
          const at = t % 3 !== 0 ? AT : NOWHERE;
          const want = jsOutcome(garbage, ulen, at);
          expect(rangeOutcome(garbage, ulen, at), toHex(garbage)).toEqual(want);
          if ('error' in want) failures++;
        }
        expect(failures).toBeGreaterThan(2000);
      });
    });
  }

  it('errors carry no location when none is given', () => {
    usePath('wasm');
    const got = rangeOutcome(Uint8Array.of(0x20, 0x00), 3, NOWHERE);
    expect(got).toMatchObject({ error: { code: 'LZF_CORRUPT', file: undefined, offset: undefined } });
    expect(got).toEqual(jsOutcome(Uint8Array.of(0x20, 0x00), 3, NOWHERE));
  });

  it('falls back to JavaScript above the memory cap, with the same results and errors', () => {
    const rand = rng(16);
    const data = sample(200_000, 4, rand);
    const c = stream(data);
    Object.assign(lzfWasmTuning, { maxMemoryBytes: 64 * 1024 });
    expect(rangeOutcome(c, data.length)).toEqual({ ok: toHex(data) });
    expect(rangeOutcome(c, data.length + 1)).toEqual(jsOutcome(c, data.length + 1));
  });

  it('grows its memory from call to call and stays correct, after errors too', () => {
    const rand = rng(17);
    const small = sample(300, 1, rand);
    const big = sample(1 << 20, 4, rand);
    const bigger = sample(3 << 20, 0, rand);
    for (const data of [small, big, small, bigger, small, big]) {
      expect(rangeOutcome(stream(data), data.length)).toEqual({ ok: toHex(data) });
    }
    const bad = stream(bigger).slice(0, -1);
    expect(rangeOutcome(bad, bigger.length)).toEqual(jsOutcome(bad, bigger.length));
    expect(rangeOutcome(stream(small), small.length)).toEqual({ ok: toHex(small) });
  });

  it('decompresses in JavaScript where WebAssembly is missing (node --jitless)', () => {
    const moduleUrl = pathToFileURL(path.join(PROJECT_ROOT, 'src', 'binary', 'lzf-wasm.ts')).href;
    const script = [
      `const { lzfDecompressRange, lzfWasmAvailable } = await import(${JSON.stringify(moduleUrl)});`,
      'const out = new Uint8Array(30);',
      'lzfDecompressRange(Uint8Array.of(2, 0x61, 0x62, 0x63, 0xe0, 0x12, 0x02), 0, 7, out, 0, 30);',
      'let error = null;',
      'try { lzfDecompressRange(Uint8Array.of(2, 0x61, 0x62), 0, 3, out, 0, 30, "x.rdb", 9); } catch (e) { error = e.message; }',
      'process.stdout.write(JSON.stringify([typeof WebAssembly, lzfWasmAvailable(), Buffer.from(out).toString(), error]));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const want = jsOutcome(Uint8Array.of(2, 0x61, 0x62), 30, { file: 'x.rdb', offset: 9 });
    expect(JSON.parse(run.stdout)).toEqual(['undefined', false, 'abc'.repeat(10), 'error' in want ? want.error.message : null]);
  });

  it('rejects ranges outside their arrays as misuse', () => {
    const src = new Uint8Array(10);
    const dst = new Uint8Array(10);
    const calls: Array<() => void> = [
      () => lzfDecompressRange(src, 0, 11, dst, 0, 1),
      () => lzfDecompressRange(src, 5, 4, dst, 0, 1),
      () => lzfDecompressRange(src, -1, 2, dst, 0, 1),
      () => lzfDecompressRange(src, 0, 2, dst, 5, 6),
      () => lzfDecompressRange(src, 0, 2, dst, 0, -1),
      () => lzfDecompressRange(src, 0, 1.5, dst, 0, 1),
      () => lzfDecompressRange(src, 0, 2, dst, Number.NaN, 1),
    ];
    for (const call of calls) expect(call).toThrow(UsageError);
  });
});

describe('lzfDecompressLatin1 and lzfCheckRange', () => {
  /** What lzfDecompressLatin1 makes of `src` (inside a larger buffer), as hex of its chars. */
  function latin1Outcome(src: Uint8Array, ulen: number, at: Loc = AT): Outcome {
    const srcBuf = new Uint8Array(SRC_LEAD + src.length + TAIL).fill(0x3c);
    srcBuf.set(src, SRC_LEAD);
    try {
      return { ok: Buffer.from(lzfDecompressLatin1(srcBuf, SRC_LEAD, SRC_LEAD + src.length, ulen, at.file, at.offset), 'latin1').toString('hex') };
    } catch (e) {
      return errorOutcome(e);
    }
  }

  /** What lzfCheckRange makes of `src`: 'ok' or the error. */
  function checkOutcome(src: Uint8Array, ulen: number, at: Loc = AT): Outcome {
    const srcBuf = new Uint8Array(SRC_LEAD + src.length + TAIL).fill(0x3c);
    srcBuf.set(src, SRC_LEAD);
    try {
      lzfCheckRange(srcBuf, SRC_LEAD, SRC_LEAD + src.length, ulen, at.file, at.offset);
      return { ok: 'ok' };
    } catch (e) {
      return errorOutcome(e);
    }
  }
  const okOrError = (o: Outcome): Outcome => ('ok' in o ? { ok: 'ok' } : o);

  it('gives the bytes lzfDecompressInto gives, as Latin-1 text, and the same errors, on both paths (lzfCheckRange: the same verdict)', () => {
    const rand = rng(99);
    let cases = 0;
    for (const path of ['wasm', 'js'] as PathName[]) {
      usePath(path);
      for (let n = 0; n <= 300; n += 7) {
        for (let shape = 0; shape < 5; shape++) {
          const data = sample(n, shape, rand);
          const src = stream(data);
          expect(latin1Outcome(src, n), `${path} n=${n} shape=${shape}`).toEqual(jsOutcome(src, n));
          expect(checkOutcome(src, n)).toEqual(okOrError(jsOutcome(src, n)));
          // Declared one byte longer or shorter: the length checks.
          expect(latin1Outcome(src, n + 1)).toEqual(jsOutcome(src, n + 1));
          if (n > 0) expect(latin1Outcome(src, n - 1, NOWHERE)).toEqual(jsOutcome(src, n - 1, NOWHERE));
          if (n > 0) expect(checkOutcome(src, n - 1, NOWHERE)).toEqual(okOrError(jsOutcome(src, n - 1, NOWHERE)));
          // A byte changed.
          if (src.length > 0) {
            const bad = src.slice();
            bad[Math.floor(rand() * bad.length)] ^= 0xe0;
            expect(latin1Outcome(bad, n)).toEqual(jsOutcome(bad, n));
            expect(checkOutcome(bad, n)).toEqual(okOrError(jsOutcome(bad, n)));
          }
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(400);
  });
});

describe('lzfDecompressView (the output read where it was decompressed)', () => {
  /** What lzfDecompressView makes of `src` (inside a larger buffer): the bytes, the error, or null. */
  function viewOutcome(src: Uint8Array, ulen: number, at: Loc = AT): Outcome | null {
    const srcBuf = new Uint8Array(SRC_LEAD + src.length + TAIL).fill(0x3c);
    srcBuf.set(src, SRC_LEAD);
    try {
      const v = lzfDecompressView(srcBuf, SRC_LEAD, SRC_LEAD + src.length, ulen, at.file, at.offset);
      return v === null ? null : { ok: toHex(v) };
    } catch (e) {
      return errorOutcome(e);
    }
  }

  it('gives the bytes and the errors lzfDecompressInto gives, up to its size limit', () => {
    const rand = rng(5);
    for (let n = 0; n <= 600; n += 11) {
      for (let shape = 0; shape < 5; shape++) {
        const src = stream(sample(n, shape, rand));
        expect(viewOutcome(src, n), `n=${n} shape=${shape}`).toEqual(jsOutcome(src, n));
        expect(viewOutcome(src, n + 1)).toEqual(jsOutcome(src, n + 1));
        if (n > 0) expect(viewOutcome(src, n - 1, NOWHERE)).toEqual(jsOutcome(src, n - 1, NOWHERE));
        if (src.length > 1) {
          const bad = src.slice();
          bad[Math.floor(rand() * bad.length)] ^= 0xe0;
          expect(viewOutcome(bad, n)).toEqual(jsOutcome(bad, n));
          expect(viewOutcome(src.subarray(0, src.length - 1), n)).toEqual(jsOutcome(src.subarray(0, src.length - 1), n));
        }
      }
    }
    const big = stream(sample(RING_SLOT_BYTES, 4, rand));
    expect(viewOutcome(big, RING_SLOT_BYTES)).toEqual(jsOutcome(big, RING_SLOT_BYTES));
  });

  it('a view stays as it was while the next seven strings are decompressed, and leaves its source alone', () => {
    const rand = rng(6);
    const datas = Array.from({ length: 12 }, (_, i) => sample(50 + i * 30, i, rand));
    const views: Uint8Array[] = [];
    for (let i = 0; i < datas.length; i++) {
      const src = stream(datas[i]);
      const copy = src.slice();
      views.push(lzfDecompressView(src, 0, src.length, datas[i].length)!);
      expect(Buffer.compare(src, copy)).toBe(0);
      // The last eight views all hold their strings.
      for (let k = Math.max(0, i - 7); k <= i; k++) expect(Buffer.compare(views[k], datas[k]), `view ${k} after string ${i}`).toBe(0);
    }
  });

  it('declines (null, nothing done) past its size limit, and where JavaScript is to decompress', () => {
    const data = sample(RING_SLOT_BYTES + 1, 2, rng(7));
    const src = stream(data);
    expect(lzfDecompressView(src, 0, src.length, data.length)).toBeNull();
    usePath('js');
    const small = stream(sample(100, 4, rng(8)));
    expect(lzfDecompressView(small, 0, small.length, 100)).toBeNull();
  });
});

describe('the generated WebAssembly modules', () => {
  it('are what their .wat sources assemble to (run npm run build:wasm after editing a .wat)', async () => {
    const modules = await generateWasmModules(PROJECT_ROOT);
    expect(modules.map((m) => m.target)).toContain('src/binary/wasm/lzf-module.ts');
    for (const m of modules) {
      expect(readFileSync(path.join(PROJECT_ROOT, m.target), 'utf8'), `${m.target} is stale`).toBe(m.text);
    }
  });
});
