/**
 * LZF decompression (FORMATS.md §4.1) in WebAssembly, for the many short compressed strings
 * of an RDB file: the JavaScript loop of {@link lzfDecompressInto} spends some 20 to 40 ns on
 * each token, the WebAssembly one (src/binary/wasm/lzf.wat) a few, and even with the copies
 * of the input into its memory and of the output back out it is the faster of the two at
 * every length (scripts/lzf-speed.ts measures both).
 *
 * {@link lzfDecompressRange} is the one entry point. It decompresses in JavaScript only when
 * WebAssembly is not available (`node --jitless`, an engine without WebAssembly SIMD), when
 * the string needs more WebAssembly memory than {@link lzfWasmTuning}.maxMemoryBytes, or when
 * that memory cannot grow; both paths check every token the same way and throw the same
 * errors.
 *
 * The module is compiled and instantiated synchronously on the first call. Its memory grows
 * as strings need it, up to the cap, and never shrinks. Nothing hands out views of the
 * memory: growing it detaches them.
 */

import { corrupt, RdbtoolError, UsageError } from '../errors.js';
import { lzfDecompressInto, lzfDecompressRangeInto, lzfValid } from './lzf.js';
import { latin1Text } from '../io/bytes.js';
import { LZF_WASM_BASE64 } from './wasm/lzf-module.js';
import { wasmApi, WASM_PAGE_BYTES, type WasmApi, type WasmMemory } from './wasm-api.js';

const MIB = 1024 * 1024;

/**
 * Where {@link lzfDecompressRange} draws the line between WebAssembly and JavaScript. Tests
 * and measurements change these to force one path; callers need not.
 */
export const lzfWasmTuning = {
  /**
   * Inputs shorter than this many compressed bytes are decompressed in JavaScript. 0: the
   * WebAssembly call with its byte-loop copies costs less than the two views the JavaScript
   * function needs, so it wins even on a 2-token string.
   */
  minInputBytes: 0,
  /**
   * Largest WebAssembly memory to grow to (input, output and 64 bytes together: 32 MiB holds
   * a string of 16 MiB or more with its input); longer strings are decompressed in
   * JavaScript. The memory never shrinks, so this is also what the process may keep for good.
   * Above it WebAssembly would have to hold a huge string twice over, or, if it gave its
   * memory back after each one, pay for fresh memory on every call: measured on 64 MiB
   * strings, that costs more than JavaScript's whole decompression of a repetitive one.
   */
  maxMemoryBytes: 32 * MIB, // at most 1 GiB
};

/** An instance of the decompressor. */
interface Engine {
  memory: WasmMemory;
  /** Returns 0, or the number of the check that failed (src/binary/wasm/lzf.wat). */
  decompress: (inStart: number, inEnd: number, outStart: number, outEnd: number) => number;
}

/** Where the input goes: after the 12 bytes of failure details at address 0. */
const IN_START = 16;
/** Bytes after the input and after the output that the wasm copies may touch. */
const SLACK_BYTES = 32;
/**
 * Copies of up to this many bytes into and out of the wasm memory go byte by byte: making
 * the `subarray` view that `set` needs costs some 45 ns, a plain loop about 1 ns a byte.
 */
const LOOP_COPY_MAX_BYTES = 40;

const EMPTY = new Uint8Array(0);

/** The compiled module; `undefined` until first needed, `null` if WebAssembly refused it. */
let compiled: object | null | undefined;
/** The instance, once made. */
let engine: Engine | undefined;
/** A view of the whole memory of {@link engine}, renewed whenever the memory grows. */
let heap = EMPTY;

/** The current instance, made (and the module compiled) if needed; undefined without WebAssembly. */
function getEngine(): Engine | undefined {
  if (engine !== undefined) return engine;
  const api = wasmApi();
  if (compiled === undefined) {
    try {
      compiled = api === undefined ? null : new api.Module(Buffer.from(LZF_WASM_BASE64, 'base64'));
    } catch {
      // An engine without the features the module uses (SIMD): JavaScript does the work.
      compiled = null;
    }
  }
  if (compiled === null || api === undefined) return undefined;
  engine = instantiate(api, compiled);
  heap = new Uint8Array(engine.memory.buffer);
  return engine;
}

/** A new instance of the compiled module, with a memory of its own. */
function instantiate(api: WasmApi, module: object): Engine {
  const { exports } = new api.Instance(module, {});
  return { memory: exports.memory as WasmMemory, decompress: exports.decompress as Engine['decompress'] };
}

/**
 * Copies `src[srcStart, srcEnd)` to IN_START of memory `h` (of engine `e`) and decompresses it
 * into `h[out, out + ulen)`: true when done, false for a code the module does not define (a
 * bug of it: JavaScript decides then).
 * @throws CorruptDataError (LZF_CORRUPT) as lzfDecompressInto throws it
 */
function runEngine(e: Engine, h: Uint8Array, src: Uint8Array, srcStart: number, srcEnd: number, out: number, ulen: number, file: string | undefined, offset: number | undefined): boolean {
  const clen = srcEnd - srcStart;
  if (clen <= LOOP_COPY_MAX_BYTES) {
    for (let k = 0; k < clen; k++) h[IN_START + k] = src[srcStart + k];
  } else {
    h.set(src.subarray(srcStart, srcEnd), IN_START);
  }
  const code = e.decompress(IN_START, IN_START + clen, out, out + ulen);
  if (code === 0) return true;
  const err = wasmError(code, file, offset, h);
  if (err !== undefined) throw err;
  return false;
}

/**
 * Whether the WebAssembly decompressor is available (it is loaded by this call if it was not
 * yet): false under `node --jitless` or on an engine without WebAssembly SIMD, where
 * {@link lzfDecompressRange} always decompresses in JavaScript.
 */
export function lzfWasmAvailable(): boolean {
  return getEngine() !== undefined;
}

/** Makes the wasm memory at least `bytes` long; false if that passes the cap (however large the memory already is) or fails. */
function ensureMemory(e: Engine, bytes: number): boolean {
  if (bytes > lzfWasmTuning.maxMemoryBytes) return false;
  if (bytes <= heap.length) return true;
  try {
    e.memory.grow(Math.ceil((bytes - heap.length) / WASM_PAGE_BYTES));
  } catch {
    // The engine could not reserve the memory (a RangeError): JavaScript needs none.
    return false;
  }
  heap = new Uint8Array(e.memory.buffer);
  return true;
}

function checkRange(what: string, start: number, end: number, length: number): void {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end <= length)) {
    throw new UsageError(`lzfDecompressRange: ${what} range [${start}, ${end}) is not inside its array of ${length} bytes`);
  }
}

/**
 * Decompresses the LZF stream `src[srcStart, srcEnd)` into `dst[dstStart, dstStart + ulen)`,
 * checking every token as {@link lzfDecompressInto} does. The rest of `dst` is untouched;
 * after a failure, the content of the target range is unspecified.
 *
 * @param src holds the compressed bytes (all of the range is consumed)
 * @param srcStart index of the first compressed byte in `src`
 * @param srcEnd index after the last compressed byte
 * @param dst receives the output
 * @param dstStart index in `dst` of the first output byte
 * @param ulen the declared uncompressed length, in bytes
 * @param file file name for error reports
 * @param offset absolute file offset (of the LZF string) for error reports
 * @throws CorruptDataError (code `LZF_CORRUPT`) on malformed input or a length mismatch,
 *   identical (code, message, expected, found, file, offset) to what lzfDecompressInto throws
 * @throws UsageError if a range is not inside its array
 */
export function lzfDecompressRange(
  src: Uint8Array, srcStart: number, srcEnd: number,
  dst: Uint8Array, dstStart: number, ulen: number,
  file?: string, offset?: number,
): void {
  checkRange('target', dstStart, dstStart + ulen, dst.length);
  const out = decompressInWasm(src, srcStart, srcEnd, ulen, file, offset);
  if (out < 0) {
    decompressInJs(src, srcStart, srcEnd, dst, dstStart, ulen, file, offset);
    return;
  }
  const h = heap;
  if (ulen <= LOOP_COPY_MAX_BYTES) {
    for (let k = 0; k < ulen; k++) dst[dstStart + k] = h[out + k];
  } else {
    dst.set(h.subarray(out, out + ulen), dstStart);
  }
}

/**
 * What `src[srcStart, srcEnd)` decompresses to, `ulen` bytes, as a Latin-1 JavaScript string
 * (one char per byte), made straight from the WebAssembly memory (no copy into an array of
 * its own). Checks and errors as {@link lzfDecompressRange}.
 */
export function lzfDecompressLatin1(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number, file?: string, offset?: number): string {
  if (!(Number.isSafeInteger(ulen) && ulen >= 0)) throw new UsageError(`lzfDecompressLatin1: ulen must be a non-negative integer, got ${ulen}`);
  const out = decompressInWasm(src, srcStart, srcEnd, ulen, file, offset);
  if (out >= 0) return latin1Text(heap, out, out + ulen);
  const dst = new Uint8Array(ulen);
  decompressInJs(src, srcStart, srcEnd, dst, 0, ulen, file, offset);
  return latin1Text(dst, 0, ulen);
}

// ---------------------------------------------------------------- output read in place

/**
 * Strings up to this long (compressed and decompressed) are decompressed by
 * {@link lzfDecompressView} into a slot of a ring in a memory of their own, and read there.
 */
export const RING_SLOT_BYTES = 64 * 1024;
/** Slots of the ring: a view stays valid until this many more strings have been decompressed. */
const RING_SLOTS = 8;
/** The ring's first slot, after the input (at IN_START); each slot is followed by the module's slack. */
const RING_STRIDE = (RING_SLOT_BYTES + SLACK_BYTES + 15) & ~15;
const RING_OUT = (IN_START + RING_STRIDE + 15) & ~15;
const RING_BYTES = RING_OUT + RING_SLOTS * RING_STRIDE;

/** The ring's instance and a view of its memory (which never grows, so views of it stay valid); undefined until made, null without WebAssembly. */
let ring: { engine: Engine; heap: Uint8Array } | null | undefined;
let ringNext = 0;

function getRing(): { engine: Engine; heap: Uint8Array } | null {
  if (ring !== undefined) return ring;
  ring = null;
  const api = wasmApi();
  if (getEngine() === undefined || api === undefined || compiled === null || compiled === undefined) return ring;
  const e = instantiate(api, compiled);
  try {
    e.memory.grow(Math.ceil(RING_BYTES / WASM_PAGE_BYTES));
  } catch {
    return ring;
  }
  ring = { engine: e, heap: new Uint8Array(e.memory.buffer) };
  return ring;
}

/**
 * What `src[srcStart, srcEnd)` decompresses to, `ulen` bytes, as a view of WebAssembly memory
 * where they were decompressed — no copy and no buffer of the caller's — valid until
 * RING_SLOTS (8) more strings have been decompressed this way; null, having done nothing, when
 * the string is longer than RING_SLOT_BYTES either way or WebAssembly is not there (the caller
 * then uses {@link lzfDecompressRange}). Checks and errors as {@link lzfDecompressRange}.
 */
export function lzfDecompressView(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number, file?: string, offset?: number): Uint8Array | null {
  const at = lzfDecompressAt(src, srcStart, srcEnd, ulen, file, offset);
  return at < 0 ? null : ring!.heap.subarray(at, at + ulen);
}

/**
 * {@link lzfDecompressView} without the view: where in {@link lzfRingMemory} the `ulen` bytes
 * start, or −1 (having done nothing) where that returns null. For a caller that copies the
 * bytes out at once and would only throw the view away.
 */
export function lzfDecompressAt(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number, file?: string, offset?: number): number {
  const clen = srcEnd - srcStart;
  if (!(ulen <= RING_SLOT_BYTES && clen <= RING_SLOT_BYTES && ulen >= 0) || clen < lzfWasmTuning.minInputBytes) return -1;
  const rg = ring === undefined ? getRing() : ring;
  if (rg === null) return -1;
  checkRange('source', srcStart, srcEnd, src.length);
  const out = RING_OUT + ringNext * RING_STRIDE;
  if (!runEngine(rg.engine, rg.heap, src, srcStart, srcEnd, out, ulen, file, offset)) return -1;
  ringNext = (ringNext + 1) & (RING_SLOTS - 1);
  return out;
}

/** The memory {@link lzfDecompressAt}'s offsets point into (it never grows); empty before the first string or without WebAssembly. */
export function lzfRingMemory(): Uint8Array {
  return ring ? ring.heap : EMPTY;
}

/**
 * Checks that `src[srcStart, srcEnd)` decompresses to exactly `ulen` bytes, for a checker that
 * needs no bytes: a dry run that only counts them ({@link lzfValid}: some 2–3 times faster than
 * copying the input into WebAssembly memory and decompressing it there); a stream it refuses
 * is decompressed for the precise error. Errors as {@link lzfDecompressRange}.
 */
export function lzfCheckRange(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number, file?: string, offset?: number): void {
  if (!(Number.isSafeInteger(ulen) && ulen >= 0)) throw new UsageError(`lzfCheckRange: ulen must be a non-negative integer, got ${ulen}`);
  checkRange('source', srcStart, srcEnd, src.length);
  if (lzfValid(src, srcStart, srcEnd, ulen)) return;
  decompressInJs(src, srcStart, srcEnd, new Uint8Array(ulen), 0, ulen, file, offset);
}

/**
 * Decompresses `src[srcStart, srcEnd)` into the WebAssembly memory: where its `ulen` bytes
 * start there, or −1 when JavaScript must do it (no WebAssembly, a string past the memory cap,
 * a code the module does not define).
 */
function decompressInWasm(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number, file: string | undefined, offset: number | undefined): number {
  checkRange('source', srcStart, srcEnd, src.length);
  const clen = srcEnd - srcStart;
  // (The length test first also keeps the sums below far from 2^31, where `&` would wrap.)
  const e = clen < lzfWasmTuning.minInputBytes || clen > lzfWasmTuning.maxMemoryBytes ? undefined : getEngine();
  // The output starts on a 16-byte boundary after the input and its slack.
  const outStart = (IN_START + clen + SLACK_BYTES + 15) & ~15;
  if (e === undefined || !ensureMemory(e, outStart + ulen + SLACK_BYTES)) return -1;
  return runEngine(e, heap, src, srcStart, srcEnd, outStart, ulen, file, offset) ? outStart : -1;
}

/** The JavaScript path; the location object is made only when there is an error to place. */
function decompressInJs(
  src: Uint8Array, srcStart: number, srcEnd: number,
  dst: Uint8Array, dstStart: number, ulen: number,
  file: string | undefined, offset: number | undefined,
): void {
  try {
    lzfDecompressRangeInto(src, srcStart, srcEnd, dst, dstStart, ulen);
  } catch (err) {
    if (err instanceof RdbtoolError) err.locate({ file, offset });
    throw err;
  }
}

/**
 * The error lzfDecompressInto throws for the failure the wasm module reported: check number
 * `code`, with the token position and the two numbers it left at the start of its memory;
 * undefined for a code the module does not define.
 * The texts are lzf.ts's, word for word (the differential tests compare them).
 */
function wasmError(code: number, file: string | undefined, offset: number | undefined, memory: Uint8Array): Error | undefined {
  // WebAssembly memory is little-endian whatever the host is.
  const details = new DataView(memory.buffer, 0, 12);
  const pos = details.getInt32(0, true);
  const a = details.getInt32(4, true);
  const b = details.getInt32(8, true);
  let reason: string;
  let expected: string;
  let found: string;
  switch (code) {
    case 1:
      reason = `literal run at input byte ${pos} runs past the end of the input`;
      expected = `${a} literal bytes`;
      found = `${b} bytes left`;
      break;
    case 2:
      reason = `literal run at input byte ${pos} overflows the output`;
      expected = `at most ${a} more bytes`;
      found = `${b} bytes`;
      break;
    case 3:
      reason = `back-reference at input byte ${pos} is cut off`;
      expected = 'a length byte';
      found = 'end of input';
      break;
    case 4:
      reason = `back-reference at input byte ${pos} is cut off`;
      expected = 'an offset byte';
      found = 'end of input';
      break;
    case 5:
      reason = `back-reference at input byte ${pos} points before the start of the output`;
      expected = `a distance of at most ${a}`;
      found = `${b}`;
      break;
    case 6:
      reason = `back-reference at input byte ${pos} overflows the output`;
      expected = `at most ${a} more bytes`;
      found = `${b} bytes`;
      break;
    case 7:
      reason = 'decompressed length differs from the declared length';
      expected = `${a} bytes`;
      found = `${b} bytes`;
      break;
    default:
      return undefined;
  }
  return corrupt('LZF_CORRUPT', `invalid LZF compressed string: ${reason}`, { file, offset, expected, found });
}
