/**
 * Damage as redis-check-aof judges it (FORMATS.md §5.7–§5.8): truncation at every offset
 * against an independent reference, a bad byte at every protocol position, appended garbage,
 * CRLF damage, bad lengths, unbalanced MULTI/EXEC, and `throw` versus `report` mode.
 */
import { describe, expect, it } from 'vitest';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { RespWriter, type RespArg, argBytes } from '../../src/aof/resp-encoder.js';
import { CorruptDataError, RdbtoolError, TruncatedError } from '../../src/errors.js';
import { bytes, lineAt, run, verdictOf, randomSplits, byteByByte, whole } from './helpers.js';

/** A unit of a test file, described independently of the decoder. */
type Spec = { kind: 'cmd'; args: RespArg[] } | { kind: 'ann'; text: string };

const cmd = (...args: RespArg[]): Spec => ({ kind: 'cmd', args });
const ann = (text: string): Spec => ({ kind: 'ann', text });

function build(specs: Spec[]): { input: Uint8Array; units: { spec: Spec; start: number; end: number }[] } {
  const w = new RespWriter();
  for (const s of specs) {
    if (s.kind === 'cmd') w.command(...s.args);
    else w.annotation(s.text);
  }
  return { input: w.toBytes(), units: w.units.map((u, i) => ({ spec: specs[i], start: u.offset, end: u.offset + u.byteLength })) };
}

const nameOf = (s: Spec) => (s.kind === 'cmd' ? Buffer.from(argBytes(s.args[0])).toString('latin1').toLowerCase() : '#');

/**
 * What redis-check-aof concludes for the first `t` bytes of a file made of `units`, computed
 * from the unit map alone: `ok_up_to` moves to the end of each complete unit while outside
 * MULTI; a cut inside a command is truncation; a cut inside an annotation line is accepted
 * (Redis reads the partial line); an open MULTI at the end is truncation.
 */
function reference(input: Uint8Array, units: { spec: Spec; start: number; end: number }[], t: number) {
  let depth = 0;
  let okUpTo = 0;
  let commands = 0;
  let okCommands = 0;
  let annotations = 0;
  let midCommand = -1;
  let multiAt = -1;
  for (const u of units) {
    if (t >= u.end) {
      if (u.spec.kind === 'cmd') {
        commands++;
        const n = nameOf(u.spec);
        if (n === 'multi') {
          depth = 1;
          multiAt = u.start;
        } else if (n === 'exec') depth = 0;
      } else annotations++;
      if (depth === 0) {
        okUpTo = u.end;
        okCommands = commands;
      }
      continue;
    }
    if (t > u.start) {
      if (u.spec.kind === 'ann') {
        annotations++;
        if (depth === 0) okUpTo = t;
      } else midCommand = u.start;
    }
    break;
  }
  const status = t === 0 ? 'empty' : midCommand >= 0 || depth > 0 ? 'truncated' : 'ok';
  const errorOffset = midCommand >= 0 ? midCommand : depth > 0 ? multiAt : null;
  return { status, okUpTo, okUpToLine: lineAt(input, okUpTo), commands, okCommands, annotations, pendingMulti: depth > 0, errorOffset };
}

const BIN = Uint8Array.of(0x0d, 0x0a, 0x00, 0x2a, 0x31, 0x0d, 0x0a, 0x0a);

const FILE_A: Spec[] = [
  ann('#TS:1700000000'),
  cmd('SELECT', 0),
  cmd('SET', 'a', BIN),
  cmd('MULTI'),
  cmd('SET', 'b', '1'),
  ann('#TS:1700000001'),
  cmd('INCR', 'b'),
  cmd('EXEC'),
  cmd('SELECT', 12),
  cmd('HSET', 'h', 'f', ''),
  cmd('multi'),
  cmd('del', 'a'),
  cmd('exec'),
  cmd('PEXPIREAT', 'h', 1795541820682),
];

describe('truncation', () => {
  const { input, units } = build(FILE_A);

  it('the file itself is ok and the reference agrees', () => {
    const v = verdictOf(input).verdict;
    const ref = reference(input, units, input.length);
    expect(ref.status).toBe('ok');
    expect(v).toMatchObject({ status: 'ok', okUpTo: input.length, commands: 12, annotations: 2, okUpToLine: ref.okUpToLine });
  });

  it('at every offset gives the reference okUpTo, status and counts (report mode, whole and split)', () => {
    for (let t = 0; t <= input.length; t++) {
      const cut = input.subarray(0, t);
      const ref = reference(input, units, t);
      for (const split of [undefined, randomSplits(t + 1, 5)]) {
        const v = verdictOf(cut, split).verdict;
        const got = { status: v.status, okUpTo: v.okUpTo, okUpToLine: v.okUpToLine, commands: v.commands, okCommands: v.okCommands, annotations: v.annotations, pendingMulti: v.pendingMulti };
        const { errorOffset: _e, ...want } = ref;
        expect(got, `cut at ${t}`).toEqual(want);
        if (v.status === 'truncated') {
          expect(v.firstBadOffset).toBe(t);
          expect(v.firstBadLine).toBe(lineAt(input, t));
          expect(v.problem?.code).toBe('TRUNCATED');
        } else expect(v.problem).toBeUndefined();
      }
    }
  });

  it('at every offset throws TruncatedError at the incomplete command or open MULTI (throw mode)', () => {
    for (let t = 0; t <= input.length; t++) {
      const ref = reference(input, units, t);
      const r = run(input.subarray(0, t));
      if (ref.errorOffset === null) {
        expect(r.error, `cut at ${t}`).toBeNull();
      } else {
        expect(r.errorObject, `cut at ${t}`).toBeInstanceOf(TruncatedError);
        expect(r.error?.split(' ')[0]).toBe(`TRUNCATED@${ref.errorOffset}`);
      }
    }
  });

  it('the 92-byte sample of FORMATS.md §5.8 gives ok_up_to 50 and a pending MULTI', () => {
    const b = new RespWriter().select(0).command('SET', 'a', 'b').multi().command('SET', 'c', 'd').toBytes();
    expect(b.length).toBe(92);
    const v = verdictOf(b).verdict;
    expect(v).toMatchObject({
      status: 'truncated',
      okUpTo: 50,
      okUpToLine: 13,
      okCommands: 2,
      commands: 4,
      pendingMulti: true,
      multiOffset: 50,
      firstBadOffset: 92,
      redisCheckAofLine: 23,
      problem: { code: 'TRUNCATED', unitOffset: 50, expected: 'EXEC', found: 'end of input' },
    });
    const r = run(b);
    expect(r.errorObject).toBeInstanceOf(TruncatedError);
    expect(r.error).toBe('TRUNCATED@50 EXEC|end of input');
    expect((r.errorObject as Error).message).toContain('test.aof: the input ends inside a MULTI block at byte 50');
  });

  it('inside a large streamed argument says how many bytes are missing', () => {
    const b = new RespWriter().command('SET', 'k', 'x'.repeat(100)).toBytes();
    const v = verdictOf(b.subarray(0, 40), undefined, { limits: { maxInlineValueBytes: 10 } }).verdict;
    expect(v).toMatchObject({ status: 'truncated', okUpTo: 0, problem: { unitOffset: 0, expected: `at least ${100 - (40 - 26) + 2} more byte(s)` } });
  });
});

/** The role of every byte of a command, derived from its arguments alone. */
function roles(args: RespArg[]): string[] {
  const out: string[] = [];
  const push = (s: string, role: (i: number) => string) => {
    for (let i = 0; i < s.length; i++) out.push(role(i));
  };
  const header = (prefix: string, n: number) => {
    const digits = String(n);
    out.push(prefix);
    for (let i = 0; i < digits.length; i++) out.push(i === 0 ? 'first-digit' : 'digit');
    out.push('hcr', 'hlf');
  };
  header('*', args.length);
  for (const a of args) {
    const b = argBytes(a);
    header('$', b.length);
    push('x'.repeat(b.length), () => 'data');
    out.push('tcr', 'tlf');
  }
  return out;
}

describe('a bad byte at every protocol position', () => {
  const specs: Spec[] = [cmd('SELECT', 3), cmd('SET', 'key', 'a\r\nb'), cmd('MULTI'), cmd('RPUSH', 'l', '1', '22', '333'), cmd('EXEC'), cmd('DEL', 'key')];
  const { input, units } = build(specs);
  const roleOf: string[] = units.flatMap((u) => roles((u.spec as { args: RespArg[] }).args));

  const EXPECTED: Record<string, string> = {
    '*': "'*' or '#'",
    $: "'$'",
    'first-digit': 'a decimal digit',
    digit: "a decimal digit or '\\r'",
    hcr: "a decimal digit or '\\r'",
    hlf: "'\\n'",
  };

  it('is reported at exactly that byte, with what was expected, and okUpTo before the unit (or its MULTI)', () => {
    expect(roleOf.length).toBe(input.length);
    let checked = 0;
    for (let i = 0; i < input.length; i++) {
      const damaged = input.slice();
      damaged[i] = 0x78; // 'x'
      const v = verdictOf(damaged).verdict;
      const unit = units.find((u) => i >= u.start && i < u.end)!;
      const ref = reference(input, units, unit.start);
      const role = roleOf[i];
      if (role === 'data') {
        // Any byte is valid inside an argument; only a renamed MULTI/EXEC can unbalance
        // (an EXEC that is no longer one leaves the MULTI open at the end).
        if (v.status !== 'ok') {
          expect(['multi', 'exec'], `byte ${i}`).toContain(nameOf(unit.spec));
          if (v.status === 'truncated') expect(v.pendingMulti).toBe(true);
          else expect(v.problem?.code, `byte ${i}`).toBe('UNBALANCED_MULTI');
        }
        continue;
      }
      checked++;
      expect(v.status, `byte ${i} (${role})`).toBe('corrupt');
      expect(v.firstBadOffset, `byte ${i} (${role})`).toBe(i);
      expect(v.firstBadLine).toBe(lineAt(input, i));
      expect(v.problem?.code).toBe('RESP_SYNTAX');
      expect(v.problem?.found).toBe("'x'");
      if (role === 'tcr' || role === 'tlf') expect(v.problem?.expected).toMatch(/^'\\r\\n' after the \d+-byte argument$/);
      else expect(v.problem?.expected, `byte ${i} (${role})`).toBe(EXPECTED[role]);
      expect(v.okUpTo, `byte ${i}`).toBe(ref.okUpTo);
      expect(v.pendingMulti).toBe(ref.pendingMulti);
      expect(v.problem?.unitOffset).toBe(unit.start);
      // The same in throw mode, and the same when the bytes arrive one by one.
      const r = run(damaged);
      expect(r.errorObject).toBeInstanceOf(CorruptDataError);
      expect(r.error).toBe(`RESP_SYNTAX@${i} ${v.problem?.expected}|'x'`);
      expect(verdictOf(damaged, byteByByte).verdict).toEqual(v);
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('a wrong CR is corruption even when the input ends right after it', () => {
    const b = bytes('*1\r\n$4\r\nPINGx');
    expect(run(b).error).toBe("RESP_SYNTAX@12 '\\r\\n' after the 4-byte argument|'x'");
    expect(verdictOf(b, byteByByte).verdict.status).toBe('corrupt');
    expect(verdictOf(bytes('*1\r\n$4\r\nPING\r')).verdict.status).toBe('truncated');
    expect(verdictOf(bytes('*1x')).verdict.firstBadOffset).toBe(2);
  });
});

describe('corruption', () => {
  const good = new RespWriter().select(0).command('SET', 'a', 'b').toBytes();

  it('garbage appended after the last command', () => {
    const b = new Uint8Array([...good, ...bytes('garbage\r\n')]);
    const r = run(b);
    expect(r.error).toBe(`RESP_SYNTAX@${good.length} '*' or '#'|'g'`);
    expect((r.errorObject as Error).message).toBe(
      `test.aof: format error: a unit must be a command or an annotation at byte ${good.length} (0x${good.length.toString(16)}): expected '*' or '#', found 'g' (while doing read-command in db 0)`,
    );
    const v = verdictOf(b).verdict;
    expect(v).toMatchObject({ status: 'corrupt', okUpTo: good.length, okUpToLine: 13, firstBadOffset: good.length, firstBadLine: 13, endOffset: b.length, commands: 2 });
  });

  it('a blank line or a NUL between commands is a format error', () => {
    expect(run(new Uint8Array([...good, 0x0d, 0x0a, ...good])).error).toBe(`RESP_SYNTAX@${good.length} '*' or '#'|'\\r'`);
    expect(run(new Uint8Array([0, ...good])).error).toBe(`RESP_SYNTAX@0 '*' or '#'|'\\0'`);
  });

  it("reports expected '$', found 'x' for a bad argument prefix", () => {
    const r = run(bytes('*2\r\n$3\r\nGET\r\nx1\r\nk\r\n'));
    expect(r.error).toBe("RESP_SYNTAX@13 '$'|'x'");
    expect((r.errorObject as Error).message).toContain("expected '$', found 'x'");
  });

  it('refuses non-numeric, signed, blank and zero counts and lengths', () => {
    expect(run(bytes('*a\r\n')).error).toBe("RESP_SYNTAX@1 a decimal digit|'a'");
    expect(run(bytes('*-1\r\n')).error).toBe("RESP_SYNTAX@1 a decimal digit|'-'");
    expect(run(bytes('*+1\r\n$1\r\nx\r\n')).error).toBe("RESP_SYNTAX@1 a decimal digit|'+'");
    expect(run(bytes('* 1\r\n$1\r\nx\r\n')).error).toBe("RESP_SYNTAX@1 a decimal digit|' '");
    expect(run(bytes('*\r\n')).error).toBe("RESP_SYNTAX@1 a decimal digit|'\\r'");
    expect(run(bytes('*0\r\n')).error).toBe('RESP_SYNTAX@1 an argument count of at least 1|0');
    expect(run(bytes('*00\r\n')).error).toBe('RESP_SYNTAX@1 an argument count of at least 1|0');
    expect(run(bytes('*1\r\n$-1\r\n')).error).toBe("RESP_SYNTAX@5 a decimal digit|'-'");
    expect(run(bytes('*1\r\n$3x\r\n')).error).toBe("RESP_SYNTAX@6 a decimal digit or '\\r'|'x'");
    expect(run(bytes('*1\r\n$3\rx')).error).toBe("RESP_SYNTAX@7 '\\n'|'x'");
    expect(run(bytes('*1\n')).error).toBe("RESP_SYNTAX@2 a decimal digit or '\\r'|'\\n'");
  });

  it('MULTI inside MULTI: UNBALANCED_MULTI at the second MULTI, okUpTo at the first', () => {
    const w = new RespWriter().command('SET', 'a', '1').multi().command('SET', 'b', '2').multi().command('SET', 'c', '3').exec();
    const b = w.toBytes();
    const second = w.units[3].offset;
    const r = run(b);
    expect(r.errorObject).toBeInstanceOf(CorruptDataError);
    expect(r.error).toBe(`UNBALANCED_MULTI@${second} EXEC before another MULTI|MULTI`);
    expect(verdictOf(b).verdict).toMatchObject({
      status: 'corrupt',
      okUpTo: w.units[1].offset,
      okCommands: 1,
      commands: 3,
      pendingMulti: true,
      firstBadOffset: second,
      firstBadLine: lineAt(b, second),
      problem: { code: 'UNBALANCED_MULTI', reason: 'MULTI inside MULTI', unitOffset: second },
    });
  });

  it('EXEC without MULTI: UNBALANCED_MULTI at the EXEC, found as soon as its name is read', () => {
    const w = new RespWriter().command('SET', 'a', '1').command('exec');
    const b = w.toBytes();
    expect(run(b).error).toBe(`UNBALANCED_MULTI@${w.units[1].offset} MULTI before EXEC|EXEC`);
    expect(verdictOf(b).verdict).toMatchObject({ status: 'corrupt', okUpTo: w.units[1].offset, pendingMulti: false });
    // The rest of that EXEC is missing: still corruption, not truncation (as redis-check-aof).
    const partial = new Uint8Array([...w.toBytes().subarray(0, w.units[1].offset), ...bytes('*3\r\n$4\r\nEXEC\r\n$1\r\n')]);
    expect(verdictOf(partial).verdict).toMatchObject({ status: 'corrupt', problem: { code: 'UNBALANCED_MULTI' } });
  });

  it("transactions 'pass': both are delivered as commands, a cut inside the block keeps what was before its first MULTI", () => {
    const w = new RespWriter().command('SET', 'a', '1').exec().multi().command('SET', 'b', '2').multi().command('SET', 'c', '3').exec().command('SET', 'd', '4');
    const b = w.toBytes();
    for (const split of [whole, byteByByte, randomSplits(5, 7)]) {
      const { verdict, log } = verdictOf(b, split, { transactions: 'pass' });
      expect(verdict).toMatchObject({ status: 'ok', commands: 8, pendingMulti: false });
      expect(log.filter((l) => l.startsWith('cmd ')).map((l) => l.split(' ')[6])).toEqual(['-', 'exec', 'multi', '-', 'multi', '-', 'exec', '-']);
      expect(run(b, split, { transactions: 'pass' }).error).toBeNull();
    }
    // Cut after the nested MULTI: the whole open block is lost (its commands were only queued).
    const cut = b.subarray(0, w.units[5].offset + 3);
    expect(verdictOf(cut, whole, { transactions: 'pass' }).verdict).toMatchObject({ status: 'truncated', okUpTo: w.units[2].offset, pendingMulti: true });
    // The default still calls them damage.
    expect(verdictOf(b).verdict).toMatchObject({ status: 'corrupt', problem: { code: 'UNBALANCED_MULTI' } });
  });

  it('report mode keeps counting the bytes after the damage and never throws', () => {
    const d = new RespDecoder({}, { onDamage: 'report' });
    d.push(bytes('*1\r\n$4\r\nPING\r\nxx'));
    d.push(bytes('more bytes'));
    d.push(bytes('*1\r\n$4\r\nPING\r\n'));
    const v = d.end();
    expect(v).toMatchObject({ status: 'corrupt', okUpTo: 14, endOffset: 14 + 2 + 10 + 14, commands: 1, firstBadOffset: 14 });
    expect(d.end()).toEqual(v);
  });

  it('an error thrown by the handler is not mistaken for damage, even in report mode', () => {
    const boom = new CorruptDataError('BAD_VALUE', 'handler failure');
    const d = new RespDecoder(
      {
        command: () => {
          throw boom;
        },
      },
      { onDamage: 'report' },
    );
    expect(() => d.push(bytes('*1\r\n$4\r\nPING\r\n'))).toThrow(boom);
    expect(() => d.end()).toThrow(boom);
  });
});

describe('fuzz (fixed seed): mutated files', () => {
  it('only typed errors escape, report and throw modes agree, and chunking does not change the verdict', () => {
    const { input } = build(FILE_A);
    let s = 12345;
    const rnd = (n: number) => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s % n;
    };
    const statuses = new Set<string>();
    for (let iter = 0; iter < 400; iter++) {
      const b = Array.from(input);
      const edits = 1 + rnd(3);
      for (let e = 0; e < edits; e++) {
        const op = rnd(3);
        const at = rnd(b.length);
        const byte = [0x0d, 0x0a, 0x2a, 0x24, 0x23, 0x30 + rnd(10), rnd(256)][rnd(7)];
        if (op === 0) b[at] = byte;
        else if (op === 1) b.splice(at, 0, byte);
        else b.splice(at, 1);
      }
      const m = new Uint8Array(b);
      const v = verdictOf(m).verdict;
      statuses.add(v.status);
      expect(verdictOf(m, randomSplits(iter + 7, 9)).verdict).toEqual(v);
      const r = run(m);
      if (v.status === 'ok') expect(r.error).toBeNull();
      else {
        expect(r.errorObject).toBeInstanceOf(RdbtoolError);
        const offset = v.status === 'truncated' ? v.problem!.unitOffset : v.problem!.offset;
        expect(r.error?.split(' ')[0]).toBe(`${v.problem!.code}@${offset}`);
      }
      expect(v.okUpTo).toBeLessThanOrEqual(v.endOffset);
      if (v.status === 'ok') expect(v.okUpTo).toBe(m.length);
    }
    expect([...statuses].sort()).toEqual(['corrupt', 'ok', 'truncated']);
  });
});
