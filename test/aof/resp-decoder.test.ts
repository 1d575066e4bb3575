/**
 * The RESP decoder on well-formed input: commands, offsets, lines, SELECT, MULTI/EXEC,
 * annotations, binary arguments, large arguments in parts, start offsets and limits.
 */
import { describe, expect, it } from 'vitest';
import { RespDecoder, decodeResp } from '../../src/aof/resp-decoder.js';
import { RespWriter, encodeCommand, encodeArrayHeader, encodeBulkHeader, CRLF } from '../../src/aof/resp-encoder.js';
import type { AofAnnotation, AofCommand } from '../../src/model/aof-events.js';
import { Reader } from '../../src/io/reader.js';
import { LimitError, UsageError } from '../../src/errors.js';
import { bytes, hex, lineAt, run, text, verdictOf } from './helpers.js';

/** Decodes and keeps copies of what the handler saw. */
function collect(input: Uint8Array, opts: ConstructorParameters<typeof RespDecoder>[1] = {}) {
  const cmds: (Omit<AofCommand, 'argv'> & { args: string[] })[] = [];
  const anns: Omit<AofAnnotation, 'raw'>[] = [];
  const verdict = decodeResp(
    input,
    {
      command: (c) => cmds.push({ ...c, args: c.argv.map(text) }),
      annotation: (a) => anns.push({ text: a.text, offset: a.offset, line: a.line, byteLength: a.byteLength, timestampSec: a.timestampSec, terminated: a.terminated }),
    },
    opts,
  );
  return { cmds, anns, verdict };
}

/** The incr-file excerpt of FORMATS.md §6.2 (Redis 7.0.15), `⏎` = CRLF. */
const EXCERPT_7015 = [
  '#TS:1795541720⏎*2⏎$6⏎SELECT⏎$1⏎0⏎',
  '*14⏎$6⏎XCLAIM⏎$1⏎s⏎$1⏎g⏎$2⏎c2⏎$1⏎0⏎$3⏎2-1⏎$4⏎TIME⏎$13⏎1795541720638⏎$10⏎RETRYCOUNT⏎$1⏎1⏎$5⏎FORCE⏎$6⏎JUSTID⏎$6⏎LASTID⏎$3⏎2-1⏎',
  '*1⏎$5⏎MULTI⏎*3⏎$3⏎set⏎$2⏎e1⏎$1⏎x⏎*2⏎$4⏎incr⏎$3⏎cnt⏎*1⏎$4⏎EXEC⏎',
  '*3⏎$9⏎PEXPIREAT⏎$1⏎a⏎$13⏎1795541820682⏎',
  '*2⏎$3⏎DEL⏎$1⏎a⏎',
  '*2⏎$4⏎LPOP⏎$2⏎bl⏎',
  '*5⏎$3⏎SET⏎$1⏎k⏎$1⏎v⏎$4⏎PXAT⏎$13⏎1795541730730⏎',
  '*4⏎$4⏎HSET⏎$1⏎h⏎$2⏎fl⏎$3⏎2.5⏎',
  '*3⏎$4⏎LPOP⏎$1⏎l⏎$1⏎3⏎',
]
  .join('')
  .replaceAll('⏎', '\r\n');

describe('RESP decoder: commands', () => {
  it('reads the Redis 7.0.15 incr excerpt of FORMATS.md §6.2', () => {
    const { cmds, anns, verdict } = collect(bytes(EXCERPT_7015));
    expect(cmds.map((c) => c.args[0])).toEqual(['SELECT', 'XCLAIM', 'MULTI', 'set', 'incr', 'EXEC', 'PEXPIREAT', 'DEL', 'LPOP', 'SET', 'HSET', 'LPOP']);
    expect(cmds[1].args).toEqual(['XCLAIM', 's', 'g', 'c2', '0', '2-1', 'TIME', '1795541720638', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '2-1']);
    expect(cmds.map((c) => c.inMulti)).toEqual([false, false, true, true, true, true, false, false, false, false, false, false]);
    expect(cmds.map((c) => c.control)).toEqual(['select', null, 'multi', null, null, 'exec', null, null, null, null, null, null]);
    expect(anns).toEqual([{ text: '#TS:1795541720', offset: 0, line: 1, byteLength: 16, timestampSec: 1795541720, terminated: true }]);
    // Offsets and sizes tile the file exactly; lines are physical lines.
    const b = bytes(EXCERPT_7015);
    let at = 16;
    for (const c of cmds) {
      expect(c.offset).toBe(at);
      expect(b[c.offset]).toBe(0x2a);
      expect(c.line).toBe(lineAt(b, c.offset));
      at += c.byteLength;
    }
    expect(at).toBe(b.length);
    expect(verdict).toMatchObject({ status: 'ok', okUpTo: b.length, okUpToLine: lineAt(b, b.length), commands: 12, okCommands: 12, annotations: 1, pendingMulti: false, bytes: b.length });
    expect(verdict.problem).toBeUndefined();
  });

  it('reports multi/exec boundaries with the number of commands inside', () => {
    const events: string[] = [];
    decodeResp(new RespWriter().command('SET', 'x', '1').multi().command('SET', 'y', '1').command('SET', 'z', '2').exec().toBytes(), {
      command: (c) => events.push(`${text(c.argv[0])}${c.inMulti ? '*' : ''}`),
      multi: (o, l) => events.push(`multi@${o}:${l}`),
      exec: (o, l, n) => events.push(`exec@${o}:${l}:${n}`),
    });
    expect(events).toEqual(['SET', 'MULTI*', 'multi@27:8', 'SET*', 'SET*', 'EXEC*', 'exec@96:25:2']);
  });

  it('tracks SELECT (any case), starting in db 0; SELECT carries the db before it', () => {
    const input = new RespWriter().command('SET', 'a', '1').select(3).command('SET', 'b', '2').command('select', '12').multi().command('SeLeCt', '5').command('SET', 'c', '3').exec().command('SET', 'd', '4').toBytes();
    const { cmds, verdict } = collect(input);
    expect(cmds.map((c) => `${c.args[0]}:${c.db}`)).toEqual(['SET:0', 'SELECT:0', 'SET:3', 'select:3', 'MULTI:12', 'SeLeCt:12', 'SET:5', 'EXEC:5', 'SET:5']);
    expect(verdict.db).toBe(5);
  });

  it('ignores a SELECT whose argument is not a database index (not damage: the server would reject the command)', () => {
    const { cmds, verdict } = collect(new RespWriter().select(2).command('SELECT', 'x').command('SELECT', '1', '2').command('GET', 'k').toBytes());
    expect(cmds.map((c) => c.db)).toEqual([0, 2, 2, 2]);
    expect(verdict.status).toBe('ok');
  });

  it('classifies MULTI/EXEC only by the whole argument 0, in any case', () => {
    const { cmds, verdict } = collect(new RespWriter().command('multi').command('MULTIX', 'a').command('exe').command('eXeC').toBytes());
    expect(cmds.map((c) => c.control)).toEqual(['multi', null, null, 'exec']);
    expect(verdict.status).toBe('ok');
  });

  it('keeps binary arguments exact (CR, LF, NUL, 0xFF) and counts their LFs as lines', () => {
    const bin = Uint8Array.of(0x61, 0x0d, 0x0a, 0x00, 0x0a, 0xff, 0x0d);
    const w = new RespWriter().command('SET', bin, '').command('GET', bin).command('SET', '$3\r\n*1', 'x');
    const input = w.toBytes();
    const seen: { argv: string[]; line: number }[] = [];
    const v = decodeResp(input, { command: (c) => seen.push({ argv: c.argv.map(hex), line: c.line }) });
    expect(seen[0].argv).toEqual([hex(bytes('SET')), hex(bin), '']);
    expect(seen[2].argv).toEqual([hex(bytes('SET')), hex(bytes('$3\r\n*1')), hex(bytes('x'))]);
    // First command: 7 protocol lines plus 2 LFs inside `bin`.
    expect(seen.map((s) => s.line)).toEqual([1, 10, 17]);
    expect(seen.map((s) => s.line)).toEqual(w.units.map((u) => lineAt(input, u.offset)));
    expect(v.okUpToLine).toBe(lineAt(input, input.length));
    // redis-check-aof counts protocol CRLFs only: 7 + 5 + 7 of them.
    expect(v.redisCheckAofLine).toBe(1 + 7 + 5 + 7);
  });

  it('accepts leading zeros in lengths (digits only)', () => {
    const { cmds } = collect(bytes('*03\r\n$003\r\nSET\r\n$1\r\nk\r\n$01\r\nv\r\n'));
    expect(cmds[0].args).toEqual(['SET', 'k', 'v']);
    expect(cmds[0].byteLength).toBe(31);
  });

  it('argv views are valid during the call and point into the input when it came whole', () => {
    const input = encodeCommand(['SET', 'key', 'value']);
    decodeResp(input, {
      command: (c) => {
        expect(c.argv[2].buffer).toBe(input.buffer);
        expect(c.argv[2].byteOffset).toBe(input.byteOffset + input.length - 7);
      },
    });
  });
});

describe('RESP decoder: annotations (§5.4)', () => {
  it('parses #TS annotations of the FORMATS.md §5.8 sample and counts them in okUpTo', () => {
    const w = new RespWriter().timestamp(100).command('SET', 'a', 'b').timestamp(200).command('SET', 'c', 'd');
    const input = w.toBytes();
    const { anns, cmds, verdict } = collect(input);
    expect(anns.map((a) => [a.text, a.timestampSec, a.offset, a.line])).toEqual([
      ['#TS:100', 100, 0, 1],
      ['#TS:200', 200, w.units[2].offset, 9],
    ]);
    expect(cmds.map((c) => c.line)).toEqual([2, 10]);
    expect(verdict).toMatchObject({ status: 'ok', okUpTo: input.length, annotations: 2, commands: 2, okUpToLine: 17 });
    // redis-check-aof does not count annotation lines.
    expect(verdict.redisCheckAofLine).toBe(15);
  });

  it('gives timestampSec only for #TS:<digits> ended by CRLF', () => {
    const input = bytes('#TS:12x\r\n#ts:5\r\n#TS:\r\n#TS:77\n#TS:1700000000\r\n#hello world\r\n#\r\n');
    const { anns, verdict } = collect(input);
    expect(anns.map((a) => [a.text, a.timestampSec, a.terminated])).toEqual([
      ['#TS:12x', undefined, true],
      ['#ts:5', undefined, true],
      ['#TS:', undefined, true],
      ['#TS:77', undefined, true],
      ['#TS:1700000000', 1700000000, true],
      ['#hello world', undefined, true],
      ['#', undefined, true],
    ]);
    expect(anns.map((a) => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(verdict).toMatchObject({ status: 'ok', commands: 0, annotations: 7, okUpTo: input.length });
  });

  it('accepts a last annotation without a line end (Redis reads it with fgets)', () => {
    const input = bytes('*1\r\n$4\r\nPING\r\n#TS:17');
    const { anns, verdict } = collect(input);
    expect(anns).toEqual([{ text: '#TS:17', offset: 14, line: 4, byteLength: 6, timestampSec: undefined, terminated: false }]);
    expect(verdict).toMatchObject({ status: 'ok', okUpTo: input.length, okUpToLine: 4 });
  });

  it('cuts a line longer than 1023 bytes there and parses the rest as the next unit, like Redis', () => {
    const long = '#' + 'a'.repeat(1100) + '\r\n';
    const r = verdictOf(bytes(long));
    expect(r.log[0]).toMatch(/^ann @0 \+1023 L1 .* U raw=/);
    expect(r.verdict).toMatchObject({ status: 'corrupt', okUpTo: 1023, firstBadOffset: 1023, annotations: 1 });
    expect(r.verdict.problem).toMatchObject({ code: 'RESP_SYNTAX', expected: "'*' or '#'", found: "'a'" });
    // Cut exactly before a '#': the rest is another annotation, and the file is fine.
    const split = bytes('#' + 'b'.repeat(1022) + '#rest\r\n*1\r\n$4\r\nPING\r\n');
    const ok = collect(split);
    expect(ok.anns.map((a) => [a.offset, a.byteLength, a.terminated])).toEqual([
      [0, 1023, false],
      [1023, 7, true],
    ]);
    expect(ok.cmds[0].line).toBe(2);
    // A line of exactly 1023 bytes with its LF is one annotation.
    const exact = collect(bytes('#' + 'c'.repeat(1020) + '\r\n*1\r\n$4\r\nPING\r\n'));
    expect(exact.anns.map((a) => [a.byteLength, a.terminated])).toEqual([[1023, true]]);
    expect(exact.verdict.status).toBe('ok');
  });

  it('allows annotations inside MULTI and keeps okUpTo at the MULTI', () => {
    const w = new RespWriter().command('SET', 'a', '1').multi().timestamp(5).command('SET', 'b', '2');
    const v = verdictOf(w.toBytes()).verdict;
    expect(v).toMatchObject({ status: 'truncated', okUpTo: w.units[1].offset, pendingMulti: true, multiOffset: w.units[1].offset, annotations: 1 });
  });
});

describe('RESP decoder: large arguments in parts', () => {
  it('delivers arguments above maxInlineValueBytes through argPart, leaving an empty argv slot', () => {
    const big = bytes('0123456789\r\nABCDEFGHIJ\nxyz');
    const input = new RespWriter().command('SET', 'k', big, 'PXAT', '1').command('GET', 'k').toBytes();
    const parts: string[] = [];
    const cmds: AofCommand[] = [];
    const v = decodeResp(
      input,
      {
        argPart: (p, w) => parts.push(`${w.argIndex}:${w.offset}:${text(p)}:${w.last}:${w.argBytes}:${w.commandOffset}`),
        command: (c) => cmds.push({ ...c, argv: c.argv.map((a) => a.slice()) }),
      },
      { limits: { maxInlineValueBytes: 8 } },
    );
    expect(parts).toEqual([`2:25:${text(big)}:true:${big.length}:0`]);
    expect(cmds[0].argv.map(text)).toEqual(['SET', 'k', '', 'PXAT', '1']);
    expect(cmds[0].partedArgs).toEqual([2]);
    expect(cmds[1].partedArgs).toBeNull();
    // The LFs inside the big argument still count as lines.
    expect(cmds[1].line).toBe(lineAt(input, cmds[1].offset));
    expect(v).toMatchObject({ status: 'ok', okUpTo: input.length });
  });

  it('passes a 512 MiB argument through with flat memory (one 1 MiB chunk in the window)', () => {
    const MiB = 1 << 20;
    const size = 512 * MiB;
    const reader = new Reader();
    let seen = 0;
    let parts = 0;
    let lastFlag = false;
    let maxWindow = 0;
    let command: AofCommand | null = null;
    const d = new RespDecoder(
      {
        argPart: (p, w) => {
          seen += p.length;
          parts++;
          lastFlag = w.last;
        },
        command: (c) => (command = c),
      },
      { reader },
    );
    d.push(new Uint8Array([...encodeArrayHeader(3), ...encodeCommand(['SET']).subarray(4), ...bytes('$1\r\nk\r\n'), ...encodeBulkHeader(size)]));
    const chunk = new Uint8Array(MiB).fill(0x0a); // every byte a line end
    for (let i = 0; i < 512; i++) {
      d.push(chunk);
      maxWindow = Math.max(maxWindow, reader.buf.length);
    }
    d.push(CRLF);
    const v = d.end();
    expect(seen).toBe(size);
    expect(parts).toBe(512);
    expect(lastFlag).toBe(true);
    expect(maxWindow).toBeLessThanOrEqual(MiB);
    expect(command!.partedArgs).toEqual([2]);
    expect(command!.byteLength).toBe(v.endOffset);
    expect(v).toMatchObject({ status: 'ok', commands: 1 });
    // 7 protocol line ends (4 headers, 3 argument ends) plus one per byte of the value.
    expect(v.okUpToLine).toBe(1 + 7 + size);
    expect(v.redisCheckAofLine).toBe(1 + 7);
  });
});

describe('RESP decoder: start offset, shared reader, limits, API misuse', () => {
  it('reports absolute offsets from startOffset; lines still start at 1', () => {
    const input = new RespWriter().select(1).multi().command('SET', 'a', 'b').exec().toBytes();
    const base = run(input).log;
    const shifted = run(input, undefined, { startOffset: 1000 });
    expect(shifted.log).toEqual(base.map((l) => l.replace(/@(\d+)/g, (_m, n: string) => `@${Number(n) + 1000}`)));
    expect(shifted.verdict).toMatchObject({ startOffset: 1000, endOffset: 1000 + input.length, okUpTo: 1000 + input.length, bytes: input.length, status: 'ok' });
  });

  it('a decoder started at a non-zero offset with nothing to read is ok, not empty', () => {
    expect(decodeResp(new Uint8Array(0), {}, { startOffset: 117 })).toMatchObject({ status: 'ok', okUpTo: 117, bytes: 0 });
    expect(decodeResp(new Uint8Array(0), {})).toMatchObject({ status: 'empty', okUpTo: 0, bytes: 0, commands: 0 });
  });

  it('continues on a shared reader that already holds bytes, honouring startLine', () => {
    const reader = new Reader();
    const prefix = bytes('RDB-ish junk\n\n');
    const tail = new RespWriter(prefix.length).command('SET', 'a', 'b').toBytes();
    reader.append(new Uint8Array([...prefix, ...tail]));
    reader.pos = prefix.length; // another decoder consumed the prefix
    reader.wanted = 99; // and left a stale request behind
    const log: number[] = [];
    const d = new RespDecoder({ command: (c) => log.push(c.offset, c.line) }, { reader, startLine: 3 });
    expect(d.startOffset).toBe(prefix.length);
    d.push(new Uint8Array(0));
    expect(log).toEqual([prefix.length, 3]);
    expect(d.end()).toMatchObject({ status: 'ok', okUpTo: prefix.length + tail.length, okUpToLine: 10, commands: 1 });
    expect(() => new RespDecoder({}, { reader, startOffset: 3 })).toThrow(UsageError);
  });

  it('refuses a huge declared argument before waiting for its bytes', () => {
    const d = new RespDecoder({}, { limits: { maxStringBytes: 1000 } });
    d.push(bytes('*2\r\n$3\r\nGET\r\n$100'));
    let err: unknown = null;
    try {
      d.push(bytes('0')); // 1000: still allowed
      d.push(bytes('0')); // 10000: refused, no CRLF seen yet
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', offset: 13 });
    expect((err as Error).message).toContain('--max-string-bytes');
    expect(d.result()).toMatchObject({ status: 'corrupt', okUpTo: 0, firstBadOffset: 13, problem: { code: 'LIMIT_EXCEEDED', unitOffset: 0 } });
    // The same error again on any later call.
    expect(() => d.push(bytes('\r\n'))).toThrow(LimitError);
    expect(() => d.end()).toThrow(LimitError);
  });

  it('refuses a 2^40-byte argument with the default limits, and too many arguments', () => {
    const r1 = run(bytes('*1\r\n$1099511627776\r\n'));
    expect(r1.error).toBe('LIMIT_EXCEEDED@4 |');
    const r2 = run(bytes('*1\r\n$1\r\nx\r\n*5\r\n$1\r\n'), undefined, { limits: { maxArgs: 4 } });
    expect(r2.error).toBe('LIMIT_EXCEEDED@11 |');
    expect(r2.verdict).toMatchObject({ status: 'corrupt', okUpTo: 11, okCommands: 1 });
  });

  it('refuses push after end', () => {
    const d = new RespDecoder({});
    d.end();
    expect(() => d.push(bytes('*'))).toThrow(UsageError);
  });
});
