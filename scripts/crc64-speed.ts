/**
 * Times CRC-64 (src/binary/crc64.ts) against the same algorithm in WebAssembly
 * (src/binary/wasm/crc64.wat, assembled here with wabt), for the figures; the checksum worker
 * uses the WebAssembly version. The WebAssembly times include copying each buffer into its
 * memory, as a caller with its own buffers would have to.
 *
 * Usage: `tsx scripts/crc64-speed.ts [--rounds N]`
 */
import { readFileSync } from 'node:fs';
import { Crc64 } from '../src/binary/crc64.js';
import { assembleWat } from './lib/build-wasm.js';

const DATA_AT = 16400;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Fastest ms of `fn` over at least `rounds` runs and 200 ms, after one warm-up run. */
function time(fn: () => void, rounds: number): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  const started = performance.now();
  for (let r = 0; r < rounds || performance.now() - started < 200; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function main(): Promise<void> {
  const rounds = Number(option(process.argv.slice(2), '--rounds') ?? 15);
  const wat = readFileSync(new URL('../src/binary/wasm/crc64.wat', import.meta.url), 'utf8');
  // The project compiles without the DOM types, which declare the WebAssembly API.
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new api.Instance(new api.Module(await assembleWat('crc64.wat', wat)), {});
  const memory = instance.exports.memory as { buffer: ArrayBuffer; grow(pages: number): number };
  const update = instance.exports.update as (p: number, end: number, lo: number, hi: number) => void;
  memory.grow(Math.ceil((DATA_AT + 16 * 1024 * 1024) / 65536));
  const heap = new Uint8Array(memory.buffer);
  const result = new DataView(memory.buffer, 16384, 8);

  const wasmCrc = (bytes: Uint8Array): bigint => {
    heap.set(bytes, DATA_AT);
    update(DATA_AT, DATA_AT + bytes.length, 0, 0);
    return result.getBigUint64(0, true);
  };
  const jsCrc = (bytes: Uint8Array): bigint => {
    const c = new Crc64();
    c.update(bytes);
    return c.value();
  };

  // Known answer (FORMATS.md §1.11): CRC-64 of "123456789" is 0xe9c6d914c4b8d9ca.
  const check = new TextEncoder().encode('123456789');
  if (wasmCrc(check) !== 0xe9c6d914c4b8d9can || jsCrc(check) !== 0xe9c6d914c4b8d9can) throw new Error('CRC-64 check value differs');

  process.stdout.write(`node ${process.version}; CRC-64 of random data, JS (slicing by 8 on int32 halves) vs WASM (slicing by 8 on i64, copy in included)\n`);
  for (const size of [64, 1024, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024]) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
    if (wasmCrc(data) !== jsCrc(data)) throw new Error(`CRC-64 of ${size} bytes differs between JS and WASM`);
    const reps = Math.max(1, Math.floor((4 * 1024 * 1024) / size));
    const js = time(() => { for (let r = 0; r < reps; r++) jsCrc(data); }, rounds) / reps;
    const wasm = time(() => { for (let r = 0; r < reps; r++) wasmCrc(data); }, rounds) / reps;
    // The data already in WebAssembly memory (the last wasmCrc put it there): the loop alone.
    const loop = time(() => { for (let r = 0; r < reps; r++) update(DATA_AT, DATA_AT + size, 0, 0); }, rounds) / reps;
    const mbs = (ms: number): string => (size / 1e6 / (ms / 1000)).toFixed(0).padStart(6);
    process.stdout.write(`  ${String(size).padStart(9)} bytes: JS ${(ms2(js))} (${mbs(js)} MB/s), WASM ${ms2(wasm)} (${mbs(wasm)} MB/s), ${(js / wasm).toFixed(2)}×; WASM loop alone ${ms2(loop)} (${mbs(loop)} MB/s)\n`);
  }
}

function ms2(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2).padStart(8)} ms` : `${(ms * 1000).toFixed(2).padStart(8)} µs`;
}

main().catch((e: unknown) => {
  process.stderr.write(`crc64-speed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
