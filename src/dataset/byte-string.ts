/**
 * The dataset's form of a byte string: a JavaScript string whose code units are the bytes
 * (0–255, Latin-1), one unit per byte. It is binary-safe, compares in byte order with `<`
 * (as Redis's `memcmp` then length does), and is the cheapest key a `Map` can hold: a
 * million small string keys cost about 94 bytes each as `Map<ByteString, ByteString>`
 * against about 278 with `Uint8Array` values (measured on Node 20, x64, without pointer
 * compression), because every small `Uint8Array` carries an object and a buffer header.
 *
 * Bytes cross into and out of the dataset only through {@link toByteString} (a copy: the
 * decoder's views die after each callback) and {@link fromByteString}.
 */
import { LimitError } from '../errors.js';
import { latin1Text, MAX_LATIN1_TEXT } from '../io/bytes.js';

/** A byte string held as a Latin-1 JavaScript string (one code unit per byte). */
export type ByteString = string;

/**
 * Longest byte string the dataset can hold: V8's largest string on 64-bit builds
 * (`v8::String::kMaxLength`, 2^29 − 24 units).
 */
export const MAX_BYTE_STRING = MAX_LATIN1_TEXT;

/**
 * Copies bytes into a {@link ByteString}.
 * @throws LimitError when the bytes are longer than {@link MAX_BYTE_STRING}.
 */
export function toByteString(bytes: Uint8Array): ByteString {
  const n = bytes.length;
  if (n === 0) return '';
  if (n > MAX_BYTE_STRING) throw tooLong(n);
  return latin1Text(bytes, 0, n);
}

/** The bytes of a {@link ByteString}, in a Uint8Array of their own (not a view of a shared pool). */
export function fromByteString(s: ByteString): Uint8Array {
  const b = Buffer.allocUnsafeSlow(s.length);
  b.write(s, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, s.length);
}

function tooLong(n: number): LimitError {
  return new LimitError(`a byte string of ${n} bytes is longer than the in-memory dataset can hold`, {
    expected: `at most ${MAX_BYTE_STRING} bytes`,
    found: `${n} bytes`,
  });
}
