import { describe, expect, it } from 'vitest';
import { printable, printableText, quoted } from '../../src/format/printable.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('printable', () => {
  it('passes printable ASCII and UTF-8 text', () => {
    expect(printable(utf8('user:1'))).toBe('user:1');
    expect(printable(utf8('naïve ✓ 😀'))).toBe('naïve ✓ 😀');
  });

  it('escapes terminal control sequences and backslashes', () => {
    expect(printable(utf8('\x1b[31mred'))).toBe('\\x1b[31mred');
    expect(printable(b(0x0d, 0x0a, 0x00, 0x7f))).toBe('\\x0d\\x0a\\x00\\x7f');
    expect(printable(utf8('a\\b'))).toBe('a\\\\b');
  });

  it('escapes C1 controls, bidi overrides and invalid UTF-8 byte by byte', () => {
    expect(printable(utf8('\u0085'))).toBe('\\xc2\\x85');
    expect(printable(utf8('\u202e'))).toBe('\\xe2\\x80\\xae');
    expect(printable(b(0xff, 0x61))).toBe('\\xffa');
    expect(printable(b(0xc0, 0xaf))).toBe('\\xc0\\xaf');
    expect(printable(b(0xe2, 0x82))).toBe('\\xe2\\x82');
  });

  it('never lets a byte below 0x20 through, whatever the input', () => {
    for (let c = 0; c < 256; c++) {
      const s = printable(b(c, 0x80, c));
      expect(/[\x00-\x1f\x7f-\x9f]/.test(s)).toBe(false);
    }
  });

  it('cuts long keys and says how long they were', () => {
    expect(printable(utf8('abcdef'), { maxBytes: 3 })).toBe('abc…(6 bytes)');
    // A multi-byte character cut by the limit is escaped rather than broken.
    expect(printable(utf8('aé'), { maxBytes: 2 })).toBe('a\\xc3…(3 bytes)');
  });

  it('quotes with escaped double quotes', () => {
    expect(quoted(utf8('say "hi"'))).toBe('"say \\"hi\\""');
    expect(printableText('tab\there')).toBe('tab\\x09here');
  });
});
