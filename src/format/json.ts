/**
 * JSON helpers shared by every JSON output: the export schema's byte-string rule, zset
 * scores, report values (bigint → string, bytes → byte string) and a line builder that
 * hands text to a sink in large pieces.
 *
 * The byte-string rule (a public interface, see the README's export schema): bytes that are
 * valid UTF-8 and contain no control character (U+0000–U+001F, U+007F, U+0080–U+009F) become
 * a JSON string; anything else becomes `{"b64": "<base64 of the raw bytes>"}`.
 */

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

/**
 * Builds output text from many small pieces and hands it to `write` in pieces of about
 * `flushChars` characters, so a huge record never exists as one string and a small one costs
 * one `write` call per flush instead of one per piece.
 */
export class LineBuilder {
  private text = '';

  constructor(
    private readonly write: (s: string) => void,
    private readonly flushChars = 64 * 1024,
  ) {}

  /** Appends a piece of JSON text. */
  push(s: string): void {
    this.text += s;
    if (this.text.length >= this.flushChars) this.flush();
  }

  /** Hands what has been built so far to the writer. */
  flush(): void {
    if (this.text.length > 0) {
      const t = this.text;
      this.text = '';
      this.write(t);
    }
  }
}
