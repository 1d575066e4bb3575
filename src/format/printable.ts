/**
 * Terminal-safe rendering of binary keys and values. A key in a file can hold any bytes,
 * including escape sequences that would reprogram a terminal; nothing from a file reaches a
 * terminal without going through here.
 */

/** Options of {@link printable}. */
export interface PrintableOptions {
  /** Maximum number of bytes shown before the rest is summarised. Default 120. */
  maxBytes?: number;
  /** Also escape `"` (for text that is shown between double quotes). Default false. */
  escapeQuote?: boolean;
}

/**
 * Escapes bytes for display: printable ASCII and printable UTF-8 characters pass, `\` becomes
 * `\\`, anything else (control bytes, invalid UTF-8, C1 controls, bidirectional overrides)
 * becomes `\xNN`. Text longer than `maxBytes` is cut and ends with `…(N bytes)`.
 */
export function printable(b: Uint8Array, opts: PrintableOptions = {}): string {
  const max = opts.maxBytes ?? 120;
  const quote = opts.escapeQuote ?? false;
  const n = Math.min(b.length, max);
  let s = '';
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c >= 0x20 && c < 0x7f) {
      if (c === 0x5c) s += '\\\\';
      else if (c === 0x22 && quote) s += '\\"';
      else s += String.fromCharCode(c);
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    const cp = len > 0 && i + len <= n ? decodeSequence(b, i, len) : -1;
    if (cp >= 0 && isPrintableCodePoint(cp)) {
      s += String.fromCodePoint(cp);
      i += len;
    } else {
      s += '\\x' + hex2(c);
      i++;
    }
  }
  if (b.length > max) s += `…(${b.length} bytes)`;
  return s;
}

/** {@link printable} between double quotes (with `"` escaped). */
export function quoted(b: Uint8Array, maxBytes?: number): string {
  return '"' + printable(b, { maxBytes, escapeQuote: true }) + '"';
}

/** Escapes a JS string for a terminal the same way (its UTF-8 bytes through {@link printable}). */
export function printableText(s: string, maxBytes?: number): string {
  return printable(Buffer.from(s, 'utf8'), { maxBytes });
}

function hex2(c: number): string {
  return (c < 16 ? '0' : '') + c.toString(16);
}

/** Decodes one well-formed UTF-8 sequence of `len` bytes at `i`, or -1. */
function decodeSequence(b: Uint8Array, i: number, len: number): number {
  let cp = b[i] & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
  for (let k = 1; k < len; k++) {
    const x = b[i + k];
    if ((x & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (x & 0x3f);
  }
  // Reject overlong forms, surrogates and code points above U+10FFFF.
  if (len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return -1;
  if (len === 4 && (cp < 0x10000 || cp > 0x10ffff)) return -1;
  return cp;
}

function isPrintableCodePoint(cp: number): boolean {
  if (cp < 0xa0) return false; // C1 controls (and C0, handled before)
  if (cp === 0x200e || cp === 0x200f) return false; // LRM, RLM
  if (cp >= 0x202a && cp <= 0x202e) return false; // bidi embeddings and overrides
  if (cp >= 0x2066 && cp <= 0x2069) return false; // bidi isolates
  if (cp === 0x2028 || cp === 0x2029) return false; // line and paragraph separators
  if (cp === 0xfeff) return false; // BOM / zero-width no-break space
  return true;
}
