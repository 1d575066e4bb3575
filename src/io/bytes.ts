/**
 * Byte helpers shared by every layer.
 */

/**
 * Copies bytes into a fresh, unshared Uint8Array. Use this — not `.slice()` — to keep bytes
 * beyond a callback: input chunks are often Node Buffers, whose `slice()` returns a view that
 * shares (and pins) the whole chunk.
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

/** `a` then `b` in one new array (`b` itself when `a` is empty). */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * Longest Latin-1 string {@link latin1Text} makes: V8's largest string on 64-bit builds
 * (`v8::String::kMaxLength`, 2^29 − 24 units).
 */
export const MAX_LATIN1_TEXT = 2 ** 29 - 24;

/**
 * The bytes `b[start, end)` as a Latin-1 JavaScript string, one char per byte (a copy; no view
 * is made). The caller keeps `end - start` within {@link MAX_LATIN1_TEXT}.
 */
export function latin1Text(b: Uint8Array, start: number, end: number): string {
  return end === start ? '' : latin1Slice.call(b, start, end);
}
