/**
 * The arguments of one variadic command (RPUSH, SADD, ZADD, HMSET …) gathered while a value's
 * elements arrive, framed as RESP arguments (`$<n>\r\n<bytes>\r\n`, FORMATS.md §5.1) into one
 * reused buffer: once the batch is full or the value ends, the writer writes the command's
 * `*<argc>`, its name and key, then the framed arguments in one copy. The elements are copied
 * as they come (the decoder's views are valid only during its callback), and no string or
 * array is made per element.
 */
import type { ByteString } from '../dataset/byte-string.js';
import { exactFractionDigits, exactPow10 } from '../binary/double-text.js';
import { digitCount, writeLowDigits } from '../binary/int-text.js';

/** The buffer's starting size, and the largest one kept between batches. */
const START_BYTES = 1 << 14;
const KEEP_BYTES = 1 << 20;

/** Arguments up to this size are copied byte by byte (cheaper than a native copy). */
const SHORT_COPY = 32;

/** One command's arguments, framed (see the file comment). */
export class CommandBatch {
  private buf = new Uint8Array(START_BYTES);
  private pos = 0;
  /** Arguments gathered since the last {@link reset}. */
  args = 0;

  /** Empties the batch (a buffer grown past 1 MiB by a large element is let go). */
  reset(): void {
    this.pos = 0;
    this.args = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(START_BYTES);
  }

  /** The framed arguments so far (a view, valid until the next change). */
  framed(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** One argument given as bytes. */
  bytes(b: Uint8Array): void {
    this.range(b, 0, b.length);
  }

  /** One argument given as `src[start, end)`. */
  range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    let p = this.head(n);
    const buf = this.buf;
    if (n <= SHORT_COPY) for (let i = start; i < end; i++) buf[p++] = src[i];
    else {
      buf.set(src.subarray(start, end), p);
      p += n;
    }
    buf[p] = 0x0d;
    buf[p + 1] = 0x0a;
    this.pos = p + 2;
  }

  /** One argument given as a byte string (one char per byte). */
  text(s: ByteString): void {
    const n = s.length;
    let p = this.head(n);
    const buf = this.buf;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    buf[p] = 0x0d;
    buf[p + 1] = 0x0a;
    this.pos = p + 2;
  }

  /**
   * A sorted-set score as text that reads back as the same double: the shortest decimal
   * without an exponent when one with at most 22 fraction digits and 15–16 significant ones
   * exists ({@link exactFractionDigits}: most scores, written without a string), else
   * JavaScript's shortest text; `-0`, `inf`, `-inf` as themselves.
   */
  score(x: number): void {
    const k = x === 0 ? -1 : exactFractionDigits(x);
    if (k < 0) {
      this.text(x === 0 ? (Object.is(x, -0) ? '-0' : '0') : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : String(x));
      return;
    }
    const m = Math.abs(Math.round(x * exactPow10(k)));
    // Digits before the point: at least one (a leading 0 when all of them are fraction).
    const whole = Math.max(digitCount(m) - k, 1);
    const n = (x < 0 ? 1 : 0) + whole + (k > 0 ? 1 + k : 0);
    let p = this.head(n);
    const buf = this.buf;
    if (x < 0) buf[p++] = 0x2d;
    const end = p + n - (x < 0 ? 1 : 0);
    // The fraction's k digits, the point, then the whole part.
    const rest = writeLowDigits(m, buf, end, k);
    if (k > 0) buf[end - k - 1] = 0x2e;
    writeLowDigits(rest, buf, p + whole, whole);
    buf[end] = 0x0d;
    buf[end + 1] = 0x0a;
    this.pos = end + 2;
  }

  /** Writes `$<n>\r\n` with room for `n` bytes and the closing CRLF behind it; returns where the bytes go. */
  private head(n: number): number {
    this.args++;
    let p = this.pos;
    // `$`, up to 16 digits, CRLF, the bytes, CRLF.
    if (p + n + 20 > this.buf.length) this.grow(p + n + 20);
    const buf = this.buf;
    buf[p++] = 0x24;
    if (n < 10) buf[p++] = 0x30 + n;
    else if (n < 100) {
      buf[p] = 0x30 + ((n / 10) | 0);
      buf[p + 1] = 0x30 + (n % 10);
      p += 2;
    } else {
      const digits = digitCount(n);
      writeLowDigits(n, buf, p + digits, digits);
      p += digits;
    }
    buf[p] = 0x0d;
    buf[p + 1] = 0x0a;
    return p + 2;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}
