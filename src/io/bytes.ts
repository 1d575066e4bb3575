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
