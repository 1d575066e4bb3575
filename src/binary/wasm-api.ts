/**
 * The part of the WebAssembly JavaScript API the library's modules use (the project compiles
 * without the DOM types, which declare it), and the engine's, when it has one.
 */

/** `WebAssembly.Module` and `WebAssembly.Instance`. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A module's exported memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Bytes in a WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65536;

/** The engine's WebAssembly API; undefined without one (`node --jitless`). */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
