/**
 * Times LZF decompression in JavaScript (`lzfDecompressInto`) against WebAssembly
 * (`lzfDecompressRange`), to choose where `lzfDecompressRange` hands work to which. Prints
 * figures only; nothing here is a test.
 *
 * Usage: `<RESP commands> | tsx scripts/lzf-speed.ts [--rounds N] [--big-mib a,b,…] [--rdb FILE]`
 *
 * The RESP input is what the bench data generator writes (for example its `mixed` dataset
 * at scale 0.01). Every command argument after the command name of 21 bytes or more is one
 * string, as Redis would try to compress it; those `lzfCompress` compresses (what Redis
 * stores as LZF) make the realistic set, all packed into one buffer as an RDB file holds
 * them. Then:
 *
 * 1. the realistic set, decompressed whole, round after round: JavaScript (with the two
 *    `subarray` views a caller makes), WebAssembly for every string, the same through the JS
 *    fallback of `lzfDecompressRange`, and `lzfDecompressRange` with its default thresholds;
 * 2. the same strings by compressed length, JavaScript against WebAssembly (where the lower
 *    threshold comes from);
 * 3. single big strings (default 1 MiB; `--big-mib` adds sizes): text glued from the dataset
 *    (barely compressible) and a highly repetitive one (long back-references);
 * 4. with `--rdb FILE`: the LZF strings of a real RDB file (plain strings and the listpacks
 *    and other blobs Redis compresses alike), found by looking for every 0xC3 string header
 *    whose two lengths are followed by a stream that decompresses to exactly the declared
 *    length (a stray 0xC3 inside other data practically never does), then timed as in 1.
 *
 * Figures are the fastest of the rounds: ns per token, MB/s of output, total ms per round.
 * WebAssembly times include the copies into and out of its memory.
 */
import { createRng } from './lib/random-text.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lzfCompress, lzfDecompressInto } from '../src/binary/lzf.js';
import { lzfDecompressRange, lzfWasmAvailable, lzfWasmTuning } from '../src/binary/lzf-wasm.js';

/** One set of compressed strings packed back to back, and where each goes in the output. */
interface Packed {
  src: Uint8Array;
  /** src range of string i: [starts[i], starts[i+1]). */
  starts: Uint32Array;
  /** Output range of string i: [outStarts[i], outStarts[i+1]). */
  outStarts: Uint32Array;
  out: Uint8Array;
  tokens: number;
  count: number;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Every argument (after the command name) of at least `minBytes` bytes in RESP arrays. */
function respArguments(resp: Buffer, minBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  const line = (): number => {
    const eol = resp.indexOf('\r\n', p);
    if (eol < 0) throw new Error(`RESP input: no line end after byte ${p}`);
    const n = Number(resp.toString('latin1', p + 1, eol));
    p = eol + 2;
    return n;
  };
  while (p < resp.length) {
    if (resp[p] !== 0x2a) throw new Error(`RESP input: expected '*' at byte ${p}`);
    const argc = line();
    for (let i = 0; i < argc; i++) {
      if (resp[p] !== 0x24) throw new Error(`RESP input: expected '$' at byte ${p}`);
      const len = line();
      if (i > 0 && len >= minBytes) out.push(resp.subarray(p, p + len));
      p += len + 2;
    }
  }
  return out;
}

/** Tokens in a well-formed LZF stream. */
function countTokens(c: Uint8Array): number {
  let ip = 0;
  let n = 0;
  while (ip < c.length) {
    const ctrl = c[ip];
    n++;
    if (ctrl < 32) ip += ctrl + 2;
    else ip += ctrl >>> 5 === 7 ? 3 : 2;
  }
  return n;
}

function pack(strings: Uint8Array[]): Packed {
  const compressed: Uint8Array[] = [];
  const lengths: number[] = [];
  for (const s of strings) {
    const c = lzfCompress(s);
    if (c === null) continue;
    compressed.push(c);
    lengths.push(s.length);
  }
  const count = compressed.length;
  const starts = new Uint32Array(count + 1);
  const outStarts = new Uint32Array(count + 1);
  let tokens = 0;
  for (let i = 0; i < count; i++) {
    starts[i + 1] = starts[i] + compressed[i].length;
    outStarts[i + 1] = outStarts[i] + lengths[i];
    tokens += countTokens(compressed[i]);
  }
  const src = new Uint8Array(starts[count]);
  for (let i = 0; i < count; i++) src.set(compressed[i], starts[i]);
  return { src, starts, outStarts, out: new Uint8Array(outStarts[count]), tokens, count };
}

type Runner = (p: Packed) => void;

const runJs: Runner = (p) => {
  const { src, starts, outStarts, out, count } = p;
  for (let i = 0; i < count; i++) {
    lzfDecompressInto(src.subarray(starts[i], starts[i + 1]), out.subarray(outStarts[i], outStarts[i + 1]));
  }
};

const runRange: Runner = (p) => {
  const { src, starts, outStarts, out, count } = p;
  for (let i = 0; i < count; i++) {
    lzfDecompressRange(src, starts[i], starts[i + 1], out, outStarts[i], outStarts[i + 1] - outStarts[i]);
  }
};

/** Runs `fn` with the thresholds set to `tuning`, restoring the defaults after. */
function withTuning<T>(tuning: Partial<typeof lzfWasmTuning>, fn: () => T): T {
  const saved = { ...lzfWasmTuning };
  Object.assign(lzfWasmTuning, tuning);
  try {
    return fn();
  } finally {
    Object.assign(lzfWasmTuning, saved);
  }
}
const ALL_WASM = { minInputBytes: 0, maxMemoryBytes: 1024 * 1024 * 1024 };
const ALL_JS = { minInputBytes: Number.POSITIVE_INFINITY };

/**
 * Fastest ms of one pass over `p` with `run`, after one warm-up pass; at least `rounds`
 * passes and 200 ms. The fastest rather than the median: on a shared machine the other
 * passes measure the neighbours.
 */
function time(p: Packed, run: Runner, rounds: number): number {
  run(p);
  const ms: number[] = [];
  const started = performance.now();
  while (ms.length < rounds || performance.now() - started < 200) {
    const t0 = performance.now();
    run(p);
    ms.push(performance.now() - t0);
  }
  return Math.min(...ms);
}

function row(label: string, p: Packed, ms: number): string {
  const ns = (ms * 1e6) / p.tokens;
  const mbs = p.out.length / 1e6 / (ms / 1000);
  return `  ${label.padEnd(34)} ${ms.toFixed(2).padStart(9)} ms ${ns.toFixed(1).padStart(7)} ns/token ${mbs.toFixed(0).padStart(6)} MB/s`;
}

/** The output of every runner must be the same bytes (a wrong result would make fast figures meaningless). */
function checkSame(p: Packed): void {
  runJs(p);
  const want = p.out.slice();
  p.out.fill(0);
  withTuning(ALL_WASM, () => runRange(p));
  if (Buffer.compare(want, p.out) !== 0) throw new Error('WebAssembly output differs from JavaScript output');
}

function bench(title: string, p: Packed, rounds: number, withDefault: boolean): void {
  checkSame(p);
  process.stdout.write(`${title}: ${p.count} strings, ${p.src.length} compressed → ${p.out.length} bytes, ${p.tokens} tokens\n`);
  process.stdout.write(row('JS lzfDecompressInto (+subarrays)', p, time(p, runJs, rounds)) + '\n');
  process.stdout.write(row('JS via lzfDecompressRange', p, withTuning(ALL_JS, () => time(p, runRange, rounds))) + '\n');
  process.stdout.write(row('WASM via lzfDecompressRange', p, withTuning(ALL_WASM, () => time(p, runRange, rounds))) + '\n');
  if (withDefault) process.stdout.write(row('lzfDecompressRange (defaults)', p, time(p, runRange, rounds)) + '\n');
}

/** Deterministic PRNG (mulberry32) yielding floats in [0, 1). */
function seeded(seed: number): () => number {
  const next = createRng(seed);
  return () => next() / 4294967296;
}

/** Repeats `strings` (cycling) until `bytes` bytes are packed as one string. */
function glue(strings: Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let o = 0, i = 0; o < bytes; i++) {
    const s = strings[i % strings.length];
    out.set(s.subarray(0, Math.min(s.length, bytes - o)), o);
    o += s.length;
  }
  return out;
}

/** An RDB length (FORMATS.md §1.5) at `p`: [value, bytes used], or null for a special or a cut one. */
function rdbLength(b: Uint8Array, p: number): [number, number] | null {
  if (p >= b.length) return null;
  const first = b[p];
  switch (first >> 6) {
    case 0:
      return [first & 0x3f, 1];
    case 1:
      return p + 1 < b.length ? [((first & 0x3f) << 8) | b[p + 1], 2] : null;
    case 2:
      if (first === 0x80 && p + 4 < b.length) return [((b[p + 1] << 24) >>> 0) + (b[p + 2] << 16) + (b[p + 3] << 8) + b[p + 4], 5];
      return null;
    default:
      return null;
  }
}

/** The LZF strings of an RDB file, as {@link pack}'s input (their uncompressed bytes). */
function rdbLzfStrings(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = file.indexOf(0xc3); p >= 0; p = file.indexOf(0xc3, p + 1)) {
    const c = rdbLength(file, p + 1);
    if (c === null || c[0] === 0) continue;
    const u = rdbLength(file, p + 1 + c[1]);
    if (u === null || u[0] < c[0] || u[0] > 64 * c[0] + 64) continue;
    const start = p + 1 + c[1] + u[1];
    if (start + c[0] > file.length) continue;
    const dst = new Uint8Array(u[0]);
    try {
      lzfDecompressInto(file.subarray(start, start + c[0]), dst);
    } catch {
      continue;
    }
    out.push(dst);
    p = start + c[0] - 1;
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Number(option(args, '--rounds') ?? 15);
  const bigMib = (option(args, '--big-mib') ?? '1').split(',').map(Number);
  if (process.stdin.isTTY) throw new Error('pipe RESP commands in (the bench data generator\'s output)');
  if (!lzfWasmAvailable()) throw new Error('WebAssembly is not available in this process');
  const strings = respArguments(await readStdin(), 21);
  process.stdout.write(`node ${process.version}; defaults: minInputBytes ${lzfWasmTuning.minInputBytes}, maxMemoryBytes ${lzfWasmTuning.maxMemoryBytes}\n\n`);

  const realistic = pack(strings);
  bench('realistic strings', realistic, rounds, true);

  process.stdout.write('\nby compressed length (JS with subarrays / WASM, ns per string):\n');
  // The dataset compresses nothing below about 40 bytes; short repetitive strings fill the
  // small lengths: 21 to 120 bytes drawn from 1 to 6 letters.
  const rand = seeded(7);
  const synthetic = Array.from({ length: 40000 }, (_, i) => {
    const s = new Uint8Array(21 + (i % 100));
    const letters = 1 + (i % 6);
    for (let k = 0; k < s.length; k++) s[k] = 97 + Math.floor(rand() * letters);
    return s;
  });
  const pool = strings.concat(synthetic);
  const edges = [0, 8, 12, 16, 20, 24, 28, 32, 40, 48, 64, 96, 128, 192, 256, 1 << 30];
  const compressedOf = pool.map((s) => lzfCompress(s));
  for (let b = 0; b + 1 < edges.length; b++) {
    const inBucket = pool.filter((_, i) => {
      const c = compressedOf[i];
      return c !== null && c.length >= edges[b] && c.length < edges[b + 1];
    });
    if (inBucket.length < 50) continue;
    // Enough copies that one pass takes a few ms.
    const p = pack(Array.from({ length: Math.max(1, Math.ceil(20000 / inBucket.length)) }, () => inBucket).flat());
    const js = time(p, runJs, rounds);
    const wasm = withTuning(ALL_WASM, () => time(p, runRange, rounds));
    const perString = (ms: number): string => ((ms * 1e6) / p.count).toFixed(0).padStart(6);
    process.stdout.write(`  clen ${String(edges[b]).padStart(3)}…${edges[b + 1] > 1e6 ? '   ' : String(edges[b + 1] - 1).padStart(3)}: ${String(inBucket.length).padStart(6)} strings, ` +
      `${(p.tokens / p.count).toFixed(1).padStart(5)} tokens each: JS ${perString(js)} ns, WASM ${perString(wasm)} ns (${(js / wasm).toFixed(2)}×)\n`);
  }

  const rdbFile = option(args, '--rdb');
  if (rdbFile !== undefined) {
    const found = rdbLzfStrings(readFileSync(rdbFile));
    process.stdout.write('\n');
    // Re-compressed with lzfCompress, which makes what Redis made (byte for byte).
    bench(`LZF strings of ${path.basename(rdbFile)}`, pack(found), rounds, true);
  }

  for (const mib of bigMib) {
    const bytes = mib * 1024 * 1024;
    process.stdout.write('\n');
    bench(`${mib} MiB of dataset text`, pack([glue(strings, bytes)]), rounds, true);
    const json = new TextEncoder().encode('{"id":12345,"name":"user name","tags":["a","b","c"],"active":true}');
    process.stdout.write('\n');
    bench(`${mib} MiB of one repeated JSON record`, pack([glue([json], bytes)]), rounds, true);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`lzf-speed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
