/**
 * CRC-64 (FORMATS.md §1.11) in WebAssembly, for checksumming a whole file: the module
 * (src/binary/wasm/crc64.wat) folds eight bytes a step on an i64 register, about 1.7 times
 * the speed of {@link Crc64}'s int32 halves. The bytes must be in the module's memory, so a
 * caller reads its input straight into {@link Crc64Buffer.input} instead of copying it there.
 *
 * {@link createWasmCrc64} returns null where WebAssembly is unavailable (`node --jitless`);
 * {@link createCrc64Buffer} then falls back to {@link Crc64}, which gives the same checksums.
 */
import { Crc64 } from './crc64.js';
import { CRC64_WASM_BASE64 } from './wasm/crc64-module.js';
import { wasmApi, WASM_PAGE_BYTES, type WasmMemory } from './wasm-api.js';

/** Where the module keeps its result, and where input bytes start (crc64.wat's layout). */
const RESULT_AT = 16384;
const INPUT_AT = 16400;

/** A CRC-64 register with an input area of a fixed size, where the bytes to fold are put. */
export interface Crc64Buffer {
  /** Where bytes to fold are put: `input[0, n)` is folded by {@link update}(n). */
  readonly input: Uint8Array;
  /** Folds `input[0, n)` into the register. */
  update(n: number): void;
  /** The register's low and high 32 bits, unsigned. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * A register starting at 0 with an input area of `inputBytes` bytes; null without WebAssembly.
 * @throws RangeError when the memory cannot be made that large
 */
export function createWasmCrc64(inputBytes: number): Crc64Buffer | null {
  const api = wasmApi();
  if (api === undefined) return null;
  let instance;
  try {
    instance = new api.Instance(new api.Module(Buffer.from(CRC64_WASM_BASE64, 'base64')), {});
  } catch {
    return null;
  }
  const memory = instance.exports.memory as WasmMemory;
  const fold = instance.exports.update as (p: number, end: number, lo: number, hi: number) => void;
  const need = INPUT_AT + inputBytes;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / WASM_PAGE_BYTES));
  // The memory is not grown again, so these views stay valid.
  const input = new Uint8Array(memory.buffer, INPUT_AT, inputBytes);
  const result = new DataView(memory.buffer, RESULT_AT, 8);
  let lo = 0;
  let hi = 0;
  return {
    input,
    update(n: number): void {
      if (!(Number.isInteger(n) && n >= 0 && n <= inputBytes)) throw new RangeError(`crc64: ${n} bytes is outside the ${inputBytes}-byte input area`);
      fold(INPUT_AT, INPUT_AT + n, lo, hi);
      lo = result.getUint32(0, true);
      hi = result.getUint32(4, true);
    },
    get lo() {
      return lo;
    },
    get hi() {
      return hi;
    },
  };
}

/** A register with an input area of `inputBytes` bytes: in WebAssembly, or else in JavaScript. */
export function createCrc64Buffer(inputBytes: number): Crc64Buffer {
  const wasm = createWasmCrc64(inputBytes);
  if (wasm !== null) return wasm;
  const crc = new Crc64();
  const input = new Uint8Array(inputBytes);
  return {
    input,
    update: (n) => crc.update(input, 0, n),
    get lo() {
      return crc.lo;
    },
    get hi() {
      return crc.hi;
    },
  };
}
