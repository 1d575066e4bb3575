/**
 * CRC-64 (FORMATS.md §1.11) in WebAssembly, for checksumming a whole file: the module
 * (src/binary/wasm/crc64.wat) folds eight bytes a step on an i64 register, about 1.7 times
 * the speed of {@link Crc64}'s int32 halves. The bytes must be in the module's memory, so a
 * caller reads its input straight into {@link WasmCrc64.input} instead of copying it there.
 *
 * {@link createWasmCrc64} returns null where WebAssembly is unavailable (`node --jitless`);
 * the caller then uses {@link Crc64}, which gives the same checksums.
 */
import { CRC64_WASM_BASE64 } from './wasm/crc64-module.js';
import { wasmApi, WASM_PAGE_BYTES, type WasmMemory } from './wasm-api.js';


/** Where the module keeps its result, and where input bytes start (crc64.wat's layout). */
const RESULT_AT = 16384;
const INPUT_AT = 16400;

/** A CRC-64 register folded in WebAssembly, with an input area of a fixed size. */
export interface WasmCrc64 {
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
export function createWasmCrc64(inputBytes: number): WasmCrc64 | null {
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
