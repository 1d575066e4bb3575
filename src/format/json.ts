/**
 * JSON helpers shared by every JSON output: the export schema's byte-string rule, zset
 * scores, report values (bigint → string, bytes → byte string) and a line builder that
 * hands text to a sink in large pieces.
 *
 * The byte-string rule (a public interface, see the README's export schema): bytes that are
 * valid UTF-8 and contain no control character (U+0000–U+001F, U+007F, U+0080–U+009F) become
 * a JSON string; anything else becomes `{"b64": "<base64 of the raw bytes>"}`.
 */
import { putWordText, wordText, type WordText } from '../io/bytes.js';

/** A byte string as the export schema writes it. */
export type JsonBytes = string | { b64: string };

/** A zset score as the export schema writes it. */
export type JsonScore = number | 'inf' | '-inf' | 'nan';

// fatal: invalid UTF-8 throws instead of becoming U+FFFD.
// ignoreBOM: a leading U+FEFF is kept, so the string encodes back to the same bytes.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// C0 controls, DEL and C1 controls. C0 and DEL are caught on the bytes already; only C1
// (encoded as 0xC2 0x80–0x9F) needs the decoded text.
const C1_CONTROL = /[\u0080-\u009f]/;

/** Base64 of raw bytes (no copy of the bytes). */
export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/**
 * Scans `b`: 0 = printable ASCII only (0x20–0x7E), 1 = has bytes ≥ 0x80 but no C0 control
 * or DEL, 2 = has a C0 control or DEL (always base64).
 */
function classify(b: Uint8Array): 0 | 1 | 2 {
  let high = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 || c === 0x7f) return 2;
    high |= c & 0x80;
  }
  return high === 0 ? 0 : 1;
}

/** Printable ASCII bytes as a string (the common case, without TextDecoder). */
function asciiString(b: Uint8Array): string {
  if (b.length <= 32) {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/**
 * Converts raw bytes to the export schema's byte-string form: a string when the bytes are
 * valid UTF-8 without control characters, otherwise `{ b64 }` of the raw bytes.
 */
export function bytesToJson(b: Uint8Array): JsonBytes {
  const kind = classify(b);
  if (kind === 0) return asciiString(b);
  if (kind === 2) return { b64: toBase64(b) };
  let text: string;
  try {
    text = strictUtf8.decode(b);
  } catch {
    return { b64: toBase64(b) };
  }
  return C1_CONTROL.test(text) ? { b64: toBase64(b) } : text;
}

/** Inverse of {@link bytesToJson}. */
export function jsonToBytes(v: JsonBytes): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.b64, 'base64');
}

/**
 * The JSON text of {@link bytesToJson}`(b)`, ready to splice into a line. Printable ASCII
 * without `"` or `\` needs no escaping and skips `JSON.stringify`.
 */
export function jsonBytesText(b: Uint8Array): string {
  const kind = classify(b);
  if (kind === 0) {
    const s = asciiString(b);
    return s.indexOf('"') < 0 && s.indexOf('\\') < 0 ? '"' + s + '"' : JSON.stringify(s);
  }
  if (kind === 2) return '{"b64":"' + toBase64(b) + '"}';
  const v = bytesToJson(b);
  return typeof v === 'string' ? JSON.stringify(v) : '{"b64":"' + v.b64 + '"}';
}

/** A zset score: a JSON number, or `"inf"` / `"-inf"` (`"nan"` never comes from a valid file). */
export function jsonScore(n: number): JsonScore {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) return 'nan';
  return n;
}

/**
 * The JSON text of {@link jsonScore}`(n)`. Negative zero is written `-0` (valid JSON, and
 * what Redis prints for it), where `JSON.stringify` would write `0`.
 */
export function jsonScoreText(n: number): string {
  if (Number.isFinite(n)) return n === 0 && 1 / n < 0 ? '-0' : String(n);
  return '"' + jsonScore(n) + '"';
}

/**
 * Turns report data into JSON-able data: `Uint8Array` → {@link bytesToJson}, `bigint` →
 * decimal string, `Date` → ISO string, `undefined` properties dropped. Other values pass.
 */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return bytesToJson(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}

/** `JSON.stringify` of {@link toJsonValue}`(v)`. */
export function stringifyJson(v: unknown, indent?: number): string {
  return JSON.stringify(toJsonValue(v), null, indent);
}

// ------------------------------------------------------------------ byte-level JSON output

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The two base64 digits of every 12-bit value, packed as a little-endian 16-bit unit (first
 * digit in the low byte), so one 3-byte group becomes one 32-bit store.
 */
const B64_PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) B64_PAIRS[i] = B64_ALPHABET.charCodeAt(i >> 6) | (B64_ALPHABET.charCodeAt(i & 63) << 8);

/** Smallest buffer a {@link JsonByteWriter} works with. */
const MIN_WRITER_BYTES = 64;

/**
 * State of the UTF-8 check across calls of {@link scanTextTail}: continuation bytes still
 * expected, and the range allowed for the next one. Module-level so that the per-value check
 * allocates nothing; {@link PartedBytesJson} saves and restores it around its calls.
 */
let utf8Need = 0;
let utf8Lo = 0x80;
let utf8Hi = 0xbf;

/**
 * 32-bit views of the (at most two) buffers scanned last, for {@link plainRun}: byte views
 * come from a few big buffers (an input chunk, a decompression buffer), so a view is made
 * once per buffer, not once per value.
 */
let wordsBuffer0: ArrayBufferLike | null = null;
let words0: Int32Array<ArrayBufferLike> = new Int32Array(0);
let wordsBuffer1: ArrayBufferLike | null = null;
let words1: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** True when the host stores integers little-endian (an Int32Array then reads bytes in order). */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes the printable ASCII byte `c` at `buf[p]` as it goes in a JSON string (`"` and `\`
 * escaped); returns where the next byte goes, or -1 for a byte that is not printable ASCII.
 */
function asciiByte(buf: Uint8Array, p: number, c: number): number {
  const cls = BYTE_CLASS[c];
  if (cls !== 0) {
    if (cls !== 1) return -1;
    buf[p++] = 0x5c;
  }
  buf[p] = c;
  return p + 1;
}

/** Values up to this long are tried as printable ASCII in one pass (twice their size is made room for). */
const ASCII_PASS_MAX = 16 * 1024;

/** Values at least this long are scanned 4 bytes at a time past their first bytes. */
const WORD_SCAN_BYTES = 48;

/**
 * Forgets the buffers {@link plainRun} has views of. Call between input chunks: a chunk kept
 * alive past its use would be promoted to the old generation and cost a full collection.
 */
export function releaseScanBuffers(): void {
  wordsBuffer0 = wordsBuffer1 = null;
  words0 = words1 = new Int32Array(0);
}

function wordsOf(ab: ArrayBufferLike): Int32Array<ArrayBufferLike> {
  if (ab === wordsBuffer0) return words0;
  if (ab === wordsBuffer1) return words1;
  wordsBuffer1 = wordsBuffer0;
  words1 = words0;
  wordsBuffer0 = ab;
  words0 = new Int32Array(ab, 0, ab.byteLength >> 2);
  return words0;
}

/**
 * Whether none of the 4 bytes of `w` needs a look: no byte with the high bit, below 0x20, or
 * equal to 0x7F, `"` or `\` (the "has a zero byte" and "has a byte below k" bit tricks; exact
 * as a yes/no; byte order does not matter).
 */
function plainWord(w: number): boolean {
  const x = w ^ 0x7f7f7f7f;
  const y = w ^ 0x22222222;
  const z = w ^ 0x5c5c5c5c;
  return ((w | ((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | ((z - 0x01010101) & ~z)) & 0x80808080) === 0;
}

/**
 * The index of the first byte of `b[i, n)` that is not printable ASCII other than `"` and `\`
 * (`n` when there is none), testing 4 aligned bytes per step ({@link plainWord}; a failing word
 * is looked at byte by byte).
 */
function plainRun(b: Uint8Array, i: number, n: number): number {
  const o = b.byteOffset;
  // Bytes up to the first 4-byte boundary.
  for (; i < n && ((o + i) & 3) !== 0; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return i;
  }
  const words = wordsOf(b.buffer);
  let wi = (o + i) >> 2;
  const we = (o + n) >> 2;
  for (; wi < we; wi++) if (!plainWord(words[wi])) break;
  i = (wi << 2) - o;
  for (; i < n; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return i;
  }
  return n;
}

/**
 * Checks `b[i, n)` against the byte-string rule's text condition, continuing the UTF-8 state
 * above: strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF) without C0
 * controls, DEL or C1 controls. Returns the number of `"` and `\` bytes (which need an
 * escape), or -1 when the bytes cannot be text. A sequence may be left open at `n` (the
 * caller checks `utf8Need === 0` at the end of the value).
 *
 * C1 controls (U+0080–U+009F) are exactly the sequences C2 80–C2 9F, so they are rejected by
 * narrowing what may follow a C2 lead byte to A0–BF.
 */
function scanTextTail(b: Uint8Array, i: number, n: number): number {
  let need = utf8Need;
  let lo = utf8Lo;
  let hi = utf8Hi;
  let esc = 0;
  for (; i < n; i++) {
    const c = b[i];
    if (need > 0) {
      if (c < lo || c > hi) return -1;
      lo = 0x80;
      hi = 0xbf;
      need--;
    } else if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) return -1;
      if (c === 0x22 || c === 0x5c) esc++;
      // A long stretch of plain ASCII goes 4 bytes at a time (the loop's i++ lands on the
      // byte that stopped it).
      else if (n - i > WORD_SCAN_BYTES && b[i + 1] < 0x80) i = plainRun(b, i + 1, n) - 1;
    } else if (c < 0xc2) {
      return -1; // a continuation byte without a lead, or an overlong 2-byte lead
    } else if (c < 0xe0) {
      need = 1;
      lo = c === 0xc2 ? 0xa0 : 0x80;
    } else if (c < 0xf0) {
      need = 2;
      lo = c === 0xe0 ? 0xa0 : 0x80;
      hi = c === 0xed ? 0x9f : 0xbf;
    } else if (c < 0xf5) {
      need = 3;
      lo = c === 0xf0 ? 0x90 : 0x80;
      hi = c === 0xf4 ? 0x8f : 0xbf;
    } else {
      return -1;
    }
  }
  utf8Need = need;
  utf8Lo = lo;
  utf8Hi = hi;
  return esc;
}

/**
 * The byte-string rule decided on the bytes: -1 when `b` is written as base64, otherwise the
 * number of bytes (`"` and `\`) that need an escape in the JSON string. Valid UTF-8 without
 * control characters needs no other escape: `JSON.stringify` escapes only `"`, `\`, C0
 * controls and lone surrogates, and the last two never reach a JSON string here.
 */
export function textEscapes(b: Uint8Array): number {
  const n = b.length;
  let esc = 0;
  let i = 0;
  // Printable ASCII: the common case. The first bytes one by one (binary values usually
  // show themselves there), the rest of a long value 4 bytes at a time.
  for (; i < n; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) break;
    if (c === 0x22 || c === 0x5c) esc++;
    else if (i === 15 && n > WORD_SCAN_BYTES) {
      i = plainRun(b, 16, n);
      if (i === n) return esc;
      i--; // the loop's i++ lands on the byte that stopped plainRun
    }
  }
  if (i === n) return esc;
  if (b[i] < 0x80) return -1;
  utf8Need = 0;
  utf8Lo = 0x80;
  utf8Hi = 0xbf;
  const rest = scanTextTail(b, i, n);
  return rest < 0 || utf8Need !== 0 ? -1 : esc + rest;
}

/**
 * Byte classes for the printable-ASCII fast paths: 0 printable ASCII other than `"` and `\`,
 * 1 `"` or `\` (escaped), 2 anything else (a control, DEL, or a byte of a multi-byte
 * sequence: the general check decides).
 */
const BYTE_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) BYTE_CLASS[c] = c < 0x20 || c > 0x7e ? 2 : c === 0x22 || c === 0x5c ? 1 : 0;

/** Fixed JSON text, ready to copy 4 bytes at a time ({@link JsonByteWriter.fragment}). */
export type JsonFragment = WordText;

/** Encodes fixed ASCII JSON text as a {@link JsonFragment}. */
export const jsonFragment: (text: string) => JsonFragment = wordText;

/** Powers of ten for the short-decimal path of {@link JsonByteWriter.score}. */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7];

/**
 * Scaled values below this are exact enough for the short-decimal path: `|n| × 10^k` is off
 * by far less than 0.5 from the integer of the shortest decimal, and decimals of at most 14
 * digits are more than 4 ulps apart, so one at most lies within half an ulp of `n`.
 */
const SHORT_DECIMAL_LIMIT = 1e14;

/**
 * Where a {@link JsonByteWriter} hands its chunks. `release`, when the receiver calls it (once),
 * says the receiver no longer needs the chunk, so its buffer can be reused; a receiver that
 * never calls it just leaves the buffer to the garbage collector.
 */
export type ChunkOutput = (chunk: Uint8Array, release: () => void) => void;

/** One output buffer and how many of its chunks are still out. */
interface Slab {
  buf: Buffer;
  view: DataView;
  /** Chunks handed out and not released yet. */
  out: number;
  /** No longer written to: reusable once `out` is 0. */
  retired: boolean;
}

/** Released buffers kept for reuse. */
const MAX_FREE_SLABS = 4;

/**
 * Writes JSON as UTF-8 bytes straight into a buffer and hands the buffer to `out` in large
 * chunks (the buffer size, 1 MiB by default, or whatever was built when {@link flush} is
 * called). A chunk handed to `out` is never written to again until `out` releases it, so
 * `out` may keep it; released buffers are reused, which keeps a long export from leaving a
 * trail of 1 MiB buffers for the garbage collector. Byte strings are checked and copied (or
 * base64-encoded) byte to byte, without making JS strings.
 *
 * Methods with bounded output make room for it in one step; the ones whose output can be
 * large ({@link bytes}, {@link base64}, {@link escaped}) write in pieces, so no single
 * allocation grows with the value.
 */
export class JsonByteWriter {
  private slab: Slab;
  private buf: Buffer;
  private view: DataView;
  /** Start of what has not been handed to `out` yet. */
  private start = 0;
  private pos = 0;
  private readonly size: number;
  /** The longest value {@link asciiText} takes: twice its size must fit a buffer. */
  private readonly asciiMax: number;
  private readonly free: Slab[] = [];

  constructor(
    private readonly out: ChunkOutput,
    size = 1 << 20,
  ) {
    this.size = Math.max(MIN_WRITER_BYTES, size);
    this.asciiMax = Math.min(ASCII_PASS_MAX, (this.size - 2) >> 1);
    this.slab = this.newSlab(this.size);
    this.buf = this.slab.buf;
    this.view = this.slab.view;
  }

  private newSlab(n: number): Slab {
    const buf = Buffer.allocUnsafe(n);
    return { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), out: 0, retired: false };
  }

  /** Bytes built and not handed to `out` yet. */
  get pending(): number {
    return this.pos - this.start;
  }

  /** Buffers waiting for reuse (for tests). */
  get freeBuffers(): number {
    return this.free.length;
  }

  /** Hands what has been built so far to `out`. */
  flush(): void {
    if (this.pos > this.start) {
      const chunk = this.buf.subarray(this.start, this.pos);
      this.start = this.pos;
      const slab = this.slab;
      slab.out++;
      let released = false;
      this.out(chunk, () => {
        if (released) return;
        released = true;
        slab.out--;
        this.recycle(slab);
      });
    }
  }

  private recycle(slab: Slab): void {
    if (slab.retired && slab.out === 0 && slab.buf.length === this.size && this.free.length < MAX_FREE_SLABS) {
      slab.retired = false;
      this.free.push(slab);
    }
  }

  /** Makes sure `n` bytes fit after `pos`: flushes and starts a new buffer when they don't. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    const old = this.slab;
    old.retired = true;
    this.recycle(old);
    const slab = (n <= this.size ? this.free.pop() : undefined) ?? this.newSlab(Math.max(this.size, n));
    this.slab = slab;
    this.buf = slab.buf;
    this.view = slab.view;
    this.start = 0;
    this.pos = 0;
  }

  /** Room left in the buffer, at least `min` (a new buffer is started when less is left). */
  private spare(min: number): number {
    if (this.buf.length - this.pos < min) this.room(this.size);
    return this.buf.length - this.pos;
  }

  /** One byte (an ASCII character). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Bytes as they are (ready-made JSON text). */
  raw(f: Uint8Array): void {
    const n = f.length;
    if (this.pos + n > this.buf.length) {
      if (n > this.size) {
        this.escaped(f, 0, n, false);
        return;
      }
      this.room(n);
    }
    const buf = this.buf;
    let p = this.pos;
    if (n < 16) for (let i = 0; i < n; i++) buf[p++] = f[i];
    else {
      buf.set(f, p);
      p += n;
    }
    this.pos = p;
  }

  /**
   * Hands `chunk` to `out` as it is, after what was built before it: no copy. `chunk` must
   * not change afterwards (it is not a decoder view).
   */
  passThrough(chunk: Uint8Array): void {
    this.flush();
    if (chunk.length > 0) this.out(chunk, noop);
  }

  /** Fixed JSON text (see {@link jsonFragment}). */
  fragment(f: JsonFragment): void {
    const n = f.bytes.length;
    if (this.pos + n > this.buf.length) this.room(n);
    this.pos = putWordText(this.view, this.buf, this.pos, f);
  }


  /** A string of ASCII characters (numbers, property names, fixed text). */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any string, as UTF-8 (it must already be JSON text). */
  text(s: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A number as `String(n)` writes it; non-negative safe integers without making a string. */
  number(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) {
      this.ascii(String(n));
      return;
    }
    let len = 1;
    for (let t = 10; t <= n; t *= 10) len++;
    if (this.pos + len > this.buf.length) this.room(len);
    const buf = this.buf;
    let p = this.pos + len;
    this.pos = p;
    // Digits above 2^31 in floating point (at most six below 2^53), the rest in int32
    // arithmetic, which divides by 10 with a multiplication.
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 10);
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
    let v = n | 0;
    do {
      const q = (v / 10) | 0;
      buf[--p] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /**
   * A zset score, as {@link jsonScoreText} writes it. Integers, and numbers whose shortest
   * decimal has at most 7 fraction digits and 14 digits in all (such as 997363.2458), are
   * written without `String(n)`: for those, the digits of `round(|n| × 10^k)` at the first `k`
   * where dividing back gives `n` exactly are the shortest decimal that reads back as `n`,
   * which is what `String(n)` writes (tested against it on random and edge-case values).
   */
  score(n: number): void {
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n && !(n === 0 && 1 / n < 0)) {
      this.number(n);
      return;
    }
    const a = n < 0 ? -n : n;
    if (a >= 1e-6 && a < SHORT_DECIMAL_LIMIT) {
      for (let k = 1; k < POW10.length; k++) {
        const m = a * POW10[k];
        if (m >= SHORT_DECIMAL_LIMIT) break;
        const r = Math.round(m);
        if (r / POW10[k] === a) {
          this.decimal(n < 0, r, k);
          return;
        }
      }
    }
    this.ascii(jsonScoreText(n));
  }

  /** `r × 10^-k` in plain decimal notation, without trailing zeros (r < 2^53). */
  private decimal(negative: boolean, r: number, k: number): void {
    const whole = Math.floor(r / POW10[k]);
    let frac = r - whole * POW10[k];
    while (k > 0 && frac % 10 === 0) {
      frac /= 10;
      k--;
    }
    if (negative) this.byte(0x2d);
    if (k === 0) {
      this.number(whole + frac);
      return;
    }
    this.number(whole);
    if (this.pos + k + 1 > this.buf.length) this.room(k + 1);
    const buf = this.buf;
    buf[this.pos] = 0x2e;
    let p = this.pos + 1 + k;
    this.pos = p;
    for (let i = 0; i < k; i++) {
      const q = Math.floor(frac / 10);
      buf[--p] = 48 + (frac - q * 10);
      frac = q;
    }
  }

  /**
   * {@link bytes} of `src[start, end)`: a short printable one straight from there, anything
   * else through a view.
   */
  bytesRange(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n < 32 ? this.shortText(src, start, end) : n <= this.asciiMax && this.asciiText(src, start, end)) return;
    this.anyBytes(src.subarray(start, end));
  }

  /** A byte string in the export schema's form: the same text as {@link jsonBytesText}. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n < 32 ? this.shortText(b, 0, n) : n <= this.asciiMax && this.asciiText(b, 0, n)) return;
    this.anyBytes(b);
  }

  /**
   * Printable ASCII `src[start, end)` (most values: JSON documents, tokens, text) checked and
   * written as a JSON string in one pass, four bytes at a time where none of them needs a look;
   * false, with nothing kept, at the first byte that is not printable ASCII (the general rule
   * then decides). Checking first and copying after read every byte twice, and a JSON document,
   * with a quote every few bytes, one at a time both times.
   */
  private asciiText(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.pos + 2 * n + 2 > this.buf.length) this.room(2 * n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    let i = start;
    if (HOST_IS_LITTLE_ENDIAN) {
      const view = this.view;
      const o = src.byteOffset;
      // Bytes up to the first 4-byte boundary of the buffer.
      const aligned = Math.min(end, start + ((4 - ((o + start) & 3)) & 3));
      for (; i < aligned; i++) if ((p = asciiByte(buf, p, src[i])) < 0) return false;
      const words = wordsOf(src.buffer);
      let wi = (o + i) >> 2;
      const we = (o + end) >> 2;
      for (; wi < we; wi++) {
        const w = words[wi];
        if (plainWord(w)) {
          view.setInt32(p, w, true);
          p += 4;
          continue;
        }
        for (let k = 0; k < 32; k += 8) if ((p = asciiByte(buf, p, (w >>> k) & 255)) < 0) return false;
      }
      i = (wi << 2) - o;
    }
    for (; i < end; i++) if ((p = asciiByte(buf, p, src[i])) < 0) return false;
    buf[p++] = 0x22;
    this.pos = p;
    return true;
  }


  /**
   * Short printable ASCII (most keys and elements), `src[start, end)` checked and copied as a
   * JSON string in one pass; false, with nothing kept, on anything else.
   */
  private shortText(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.pos + 2 * n + 2 > this.buf.length) this.room(2 * n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = src[i];
      const cls = BYTE_CLASS[c];
      if (cls !== 0) {
        if (cls !== 1) return false;
        buf[p++] = 0x5c;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
    return true;
  }

  /** {@link bytes} of any byte string: text (escaped) when it is valid UTF-8 without controls, else base64. */
  private anyBytes(b: Uint8Array): void {
    const n = b.length;
    const esc = textEscapes(b);
    if (esc < 0) {
      this.base64Json(b);
      return;
    }
    const len = n + esc + 2;
    if (len > this.size) {
      this.byte(0x22);
      this.escaped(b, 0, n, esc > 0);
      this.byte(0x22);
      return;
    }
    if (this.pos + len > this.buf.length) this.room(len);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    if (esc === 0) {
      if (n < 16) for (let i = 0; i < n; i++) buf[p++] = b[i];
      else {
        buf.set(b, p);
        p += n;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const c = b[i];
        if (c === 0x22 || c === 0x5c) buf[p++] = 0x5c;
        buf[p++] = c;
      }
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** `{"b64":"…"}` of `b`. */
  base64Json(b: Uint8Array): void {
    const n = b.length;
    const len = 10 + Math.ceil(n / 3) * 4;
    if (len > this.size) {
      this.raw(B64_OPEN);
      this.base64(b, 0, n);
      this.raw(B64_CLOSE);
      return;
    }
    // All in one step: it fits.
    if (this.pos + len > this.buf.length) this.room(len);
    const view = this.view;
    let p = this.pos;
    view.setUint32(p, B64_OPEN_LO, true);
    view.setUint32(p + 4, B64_OPEN_HI, true);
    p += 8;
    const full = n - (n % 3);
    for (let s = 0; s < full; s += 3) {
      const x = (b[s] << 16) | (b[s + 1] << 8) | b[s + 2];
      view.setUint32(p, B64_PAIRS[x >>> 12] | (B64_PAIRS[x & 4095] << 16), true);
      p += 4;
    }
    this.pos = p;
    if (full < n) this.base64Tail(b, full, n - full);
    p = this.pos;
    view.setUint16(p, 0x7d22, true); // "}
    this.pos = p + 2;
  }

  /**
   * `n` bytes produced straight into the buffer, in pieces: `read(buf, offset, length)` must
   * fill `buf[offset, offset + length)` whole. For bytes already known to need no escape.
   */
  fill(n: number, read: (buf: Uint8Array, offset: number, length: number) => void): void {
    while (n > 0) {
      const take = Math.min(n, this.spare(16));
      read(this.buf, this.pos, take);
      this.pos += take;
      n -= take;
    }
  }

  /**
   * `b[s, e)` copied, with `"` and `\` escaped when `escape` is set (the caller has checked
   * the bytes: this writes no other escape), in pieces that fit the buffer.
   */
  escaped(b: Uint8Array, s: number, e: number, escape: boolean): void {
    while (s < e) {
      const avail = this.spare(16);
      const buf = this.buf;
      let p = this.pos;
      if (!escape) {
        const take = Math.min(e - s, avail);
        buf.set(b.subarray(s, s + take), p);
        p += take;
        s += take;
      } else {
        const stop = s + Math.min(e - s, avail >> 1);
        for (; s < stop; s++) {
          const c = b[s];
          if (c === 0x22 || c === 0x5c) buf[p++] = 0x5c;
          buf[p++] = c;
        }
      }
      this.pos = p;
    }
  }

  /**
   * Base64 digits of `b[s, e)`, in pieces that fit the buffer, with `=` padding for a final
   * group of 1 or 2 bytes (so a value split into pieces of multiples of 3 bytes encodes the
   * same as whole).
   */
  base64(b: Uint8Array, s: number, e: number): void {
    while (e - s >= 3) {
      const avail = this.spare(16);
      const stop = s + Math.min(Math.floor((e - s) / 3), avail >> 2) * 3;
      const view = this.view;
      let p = this.pos;
      for (; s < stop; s += 3) {
        const x = (b[s] << 16) | (b[s + 1] << 8) | b[s + 2];
        view.setUint32(p, B64_PAIRS[x >>> 12] | (B64_PAIRS[x & 4095] << 16), true);
        p += 4;
      }
      this.pos = p;
    }
    if (e > s) this.base64Tail(b, s, e - s);
  }

  /** The last group of a base64 text: `r` (1 or 2) bytes at `b[s]`, padded with `=`. */
  private base64Tail(b: Uint8Array, s: number, r: number): void {
    if (this.pos + 4 > this.buf.length) this.room(4);
    const x = (b[s] << 16) | (r === 2 ? b[s + 1] << 8 : 0);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = B64_ALPHABET.charCodeAt(x >>> 18);
    buf[p + 1] = B64_ALPHABET.charCodeAt((x >>> 12) & 63);
    buf[p + 2] = r === 2 ? B64_ALPHABET.charCodeAt((x >>> 6) & 63) : 0x3d;
    buf[p + 3] = 0x3d;
    this.pos = p + 4;
  }
}

const noop = (): void => {};

const B64_OPEN = Buffer.from('{"b64":"', 'latin1');
const B64_CLOSE = Buffer.from('"}', 'latin1');
/** `{"b6` and `4":"` as little-endian 32-bit units. */
const B64_OPEN_LO = B64_OPEN.readUInt32LE(0);
const B64_OPEN_HI = B64_OPEN.readUInt32LE(4);

/**
 * The byte-string rule checked over a value that arrives in parts, keeping nothing: the
 * UTF-8 state carries over from one part to the next.
 */
export class PartedTextCheck {
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  /** False once a byte has ruled text out. */
  text = true;
  /** `"` and `\` bytes seen (they need an escape when the value is text). */
  escapes = 0;

  /** Starts a new value. */
  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
    this.text = true;
    this.escapes = 0;
  }

  /**
   * Checks the next part: the number of `"` and `\` bytes in it, or -1 when the value cannot
   * be text (then, and for every later part, nothing is checked any more).
   */
  push(part: Uint8Array): number {
    if (!this.text) return -1;
    utf8Need = this.need;
    utf8Lo = this.lo;
    utf8Hi = this.hi;
    const esc = scanTextTail(part, 0, part.length);
    this.need = utf8Need;
    this.lo = utf8Lo;
    this.hi = utf8Hi;
    if (esc < 0) {
      this.text = false;
      return -1;
    }
    this.escapes += esc;
    return esc;
  }

  /** After the last part: true when the whole value is text (no UTF-8 sequence left open). */
  end(): boolean {
    if (this.need !== 0) this.text = false;
    return this.text;
  }
}

/**
 * The byte-string rule for a value that arrives in parts, written to a {@link JsonByteWriter}
 * without ever holding the value as a JS string.
 *
 * Memory: while every byte so far can still be text (valid UTF-8, no control character), the
 * parts are kept as copies, because one bad byte in the last part turns the whole value into
 * base64. So a text value is held once, as its raw bytes; at the end the copies are handed to
 * the writer's output as they are (escaped copies only for parts holding `"` or `\`). As soon
 * as a byte rules text out, `{"b64":"` and the base64 of the copies are written, the copies are
 * dropped, and the rest is encoded part by part as it arrives (carrying 0–2 bytes to keep
 * whole 3-byte groups), so a binary value is never held.
 */
export class PartedBytesJson {
  private held: Uint8Array[] = [];
  private heldEscapes: boolean[] = [];
  private readonly check = new PartedTextCheck();
  private readonly b64: PartedBase64;

  constructor(private readonly w: JsonByteWriter) {
    this.b64 = new PartedBase64(w);
  }

  /** Bytes held as copies right now. */
  get heldBytes(): number {
    let n = 0;
    for (const h of this.held) n += h.length;
    return n;
  }

  /** Forgets a value left unfinished (a new key starts). */
  reset(): void {
    if (this.held.length > 0) {
      this.held = [];
      this.heldEscapes = [];
    }
    this.check.reset();
    this.b64.reset();
  }

  /** The next part (a view, read during the call only); the value is written after `last`. */
  push(part: Uint8Array, last: boolean): void {
    if (this.check.text) {
      const esc = this.check.push(part);
      if (esc >= 0 && !(last && !this.check.end())) {
        if (part.length > 0) {
          const copy = new Uint8Array(part.length);
          copy.set(part);
          this.held.push(copy);
          this.heldEscapes.push(esc > 0);
        }
        if (last) this.writeText();
        return;
      }
      // Not text: what was held goes out as base64 now, the rest as it arrives.
      this.w.raw(B64_OPEN);
      const held = this.held;
      this.held = [];
      this.heldEscapes = [];
      for (const h of held) this.b64.push(h);
    }
    this.b64.push(part);
    if (last) {
      this.b64.end();
      this.w.raw(B64_CLOSE);
      this.reset();
    }
  }

  private writeText(): void {
    const w = this.w;
    w.byte(0x22);
    for (let i = 0; i < this.held.length; i++) {
      const h = this.held[i];
      if (this.heldEscapes[i]) w.escaped(h, 0, h.length, true);
      else w.passThrough(h);
    }
    w.byte(0x22);
    this.reset();
  }
}

/**
 * Base64 digits of bytes that come in pieces of any length: whole 3-byte groups are encoded
 * as they come, 0–2 bytes are carried to the next piece, and {@link end} pads the last group.
 * Writes the digits only (no `{"b64":"`).
 */
export class PartedBase64 {
  private readonly carry = new Uint8Array(3);
  private carried = 0;

  constructor(private readonly w: JsonByteWriter) {}

  reset(): void {
    this.carried = 0;
  }

  push(p: Uint8Array): void {
    let s = 0;
    if (this.carried > 0) {
      while (this.carried < 3 && s < p.length) this.carry[this.carried++] = p[s++];
      if (this.carried < 3) return;
      this.w.base64(this.carry, 0, 3);
      this.carried = 0;
    }
    const full = s + Math.floor((p.length - s) / 3) * 3;
    this.w.base64(p, s, full);
    for (let i = full; i < p.length; i++) this.carry[this.carried++] = p[i];
  }

  /** Writes the last, padded group. */
  end(): void {
    this.w.base64(this.carry, 0, this.carried);
    this.carried = 0;
  }
}

/** `{"b64":"` and `"}`, for writers of a byte string in pieces. */
export const B64_JSON_OPEN: Uint8Array = B64_OPEN;
export const B64_JSON_CLOSE: Uint8Array = B64_CLOSE;
