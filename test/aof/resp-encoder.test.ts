/** The RESP writer produces exactly the bytes of FORMATS.md §5.1–§5.4 and refuses what Redis would not write. */
import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeAnnotation, encodeTimestamp, encodeArrayHeader, encodeBulkHeader, argBytes, RespWriter, CRLF } from '../../src/aof/resp-encoder.js';
import { UsageError } from '../../src/errors.js';
import { text } from './helpers.js';

describe('RESP encoder', () => {
  it('writes a command as a multi-bulk array (§5.1)', () => {
    expect(text(encodeCommand(['SET', 'k', 'v']))).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
  });

  it('writes integers as decimal text and bytes unchanged, lengths in bytes (UTF-8)', () => {
    const bin = Uint8Array.of(0x00, 0x0d, 0x0a, 0xff);
    const out = encodeCommand(['PEXPIREAT', 'é', 1795541820682, -5n, bin]);
    expect(text(out)).toBe('*5\r\n$9\r\nPEXPIREAT\r\n$2\r\n\xc3\xa9\r\n$13\r\n1795541820682\r\n$2\r\n-5\r\n$4\r\n\x00\r\n\xff\r\n');
  });

  it('writes an empty argument as $0', () => {
    expect(text(encodeCommand(['SET', 'k', '']))).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n');
  });

  it('refuses an empty command, doubles, bad headers', () => {
    expect(() => encodeCommand([])).toThrow(UsageError);
    expect(() => argBytes(2.5)).toThrow(UsageError);
    expect(() => argBytes(Number.NaN)).toThrow(UsageError);
    expect(() => encodeArrayHeader(0)).toThrow(UsageError);
    expect(() => encodeBulkHeader(-1)).toThrow(UsageError);
    expect(text(encodeArrayHeader(14))).toBe('*14\r\n');
    expect(text(encodeBulkHeader(536870912))).toBe('$536870912\r\n');
    expect(text(CRLF)).toBe('\r\n');
  });

  it('writes annotations and timestamps (§5.4) and refuses lines Redis would split', () => {
    expect(text(encodeTimestamp(1795541720))).toBe('#TS:1795541720\r\n');
    expect(text(encodeAnnotation('#hello'))).toBe('#hello\r\n');
    expect(() => encodeAnnotation('TS:1')).toThrow(UsageError);
    expect(() => encodeAnnotation('#a\nb')).toThrow(UsageError);
    expect(() => encodeTimestamp(-1)).toThrow(UsageError);
    expect(encodeAnnotation('#' + 'x'.repeat(1020)).length).toBe(1023);
    expect(() => encodeAnnotation('#' + 'x'.repeat(1021))).toThrow(UsageError);
  });

  it('RespWriter builds the 92-byte sample of FORMATS.md §5.8 and maps its units', () => {
    const w = new RespWriter().select(0).command('SET', 'a', 'b').multi().command('SET', 'c', 'd');
    const b = w.toBytes();
    expect(b.length).toBe(92);
    expect(w.byteLength).toBe(92);
    expect(text(b)).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\nd\r\n');
    expect(w.units.map((u) => [u.kind, u.offset, u.byteLength])).toEqual([
      ['command', 0, 23],
      ['command', 23, 27],
      ['command', 50, 15],
      ['command', 65, 27],
    ]);
  });

  it('RespWriter offsets start at startOffset and include raw and annotation units', () => {
    const w = new RespWriter(100).timestamp(5).raw('xy').exec();
    expect(w.units).toEqual([
      { kind: 'annotation', offset: 100, byteLength: 7 },
      { kind: 'raw', offset: 107, byteLength: 2 },
      { kind: 'command', offset: 109, byteLength: 14 },
    ]);
    expect(text(w.toBytes())).toBe('#TS:5\r\nxy*1\r\n$4\r\nEXEC\r\n');
  });
});
