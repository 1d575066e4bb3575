/**
 * The stream family against a real Redis 7.0: each workload runs on a server with appendonly,
 * and the replay of its AOF directory (and, for commands that do not depend on the clock,
 * the client's commands applied directly) must hold exactly what the server's SAVE holds.
 */
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey, streamIdText } from '../../src/dataset/stream-id.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { arityError, CommandError, ReplayError } from '../../src/replay/errors.js';
import { COMMANDS } from '../../src/replay/commands/index.js';
import { arityOk } from '../../src/replay/command.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import { datasetDiff, runOracle, type Cmd, type OracleRun } from '../helpers/replay-oracle.js';
import { RespError } from '../helpers/redis.js';

/** All AOF files of a run as one latin1 text. */
function aofText(run: OracleRun): string {
  return Object.values(run.aofFiles)
    .map((b) => b.toString('latin1'))
    .join('');
}

/** A command as RESP, to look for in an AOF. */
function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

/** Sets every pending entry's delivery time to 0 (for comparing runs whose clocks differ). */
function zeroDeliveryTimes(ds: Dataset): void {
  for (const e of ds.entries()) {
    if (!(e.value instanceof StreamValue)) continue;
    for (const g of e.value.groups.values()) for (const p of g.pending.values()) p.deliveryTimeMs = 0;
  }
}

function expectSame(run: OracleRun, direct: boolean): void {
  expect(run.replayed.replay.skippedSamples).toEqual([]);
  expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  if (direct) expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
}

function stream(ds: Dataset, key: string): StreamValue {
  const v = ds.db(0).get(key);
  expect(v).toBeInstanceOf(StreamValue);
  return v as StreamValue;
}

/** XADD, exact trimming, XDEL of first / middle / last entries, XSETID, refusals the server gives. */
const ENTRIES: Cmd[] = [
  ['XADD', 's', '1-1', 'a', '1'],
  ['XADD', 's', '1-2', 'a', '2', 'b', '3'],
  ['XADD', 's', '1-*', 'a', '3'],
  ['XADD', 's', '2-*', 'a', '4'],
  ['XADD', 's', '5', 'a', '5'],
  ['XADD', 's', 'MAXLEN', '=', '4', '6-0', 'a', '6'],
  ['XADD', 's', 'maxlen', '4', '6-1', 'a', '6'],
  ['XADD', 's', 'MINID', '2-0', '7-0', 'a', '7'],
  ['XADD', 's', 'NOMKSTREAM', '8-0', 'a', '8', 'b', ''],
  ['XADD', 's', '9-0', 'a', 'x'.repeat(300)],
  ['XADD', 'nos', 'NOMKSTREAM', '1-0', 'a', '1'],
  ['XADD', 's', '3-0', 'a', 'x'],
  ['XADD', 'z', '0-0', 'a', 'x'],
  ['XADD', 's', 'MAXLEN', '-1', '10-0', 'a', 'x'],
  ['XADD', 's', 'MAXLEN', '1', 'MINID', '1', '10-0', 'a', 'x'],
  ['XADD', 's', 'LIMIT', '5', '10-0', 'a', 'x'],
  ['XADD', 's', '10-0', 'a'],
  ['XDEL', 's', '6-1'],
  ['XDEL', 's', '9-0'],
  ['XDEL', 's', '5-0', '99-0', '5-0'],
  ['XDEL', 'missing', '1-0'],
  ['XDEL', 's', 'bad'],
  ['XADD', 's', '11-0', 'a', '11'],
  ['XADD', 's', '12-0', 'a', '12'],
  ['XADD', 's', '13-0', 'a', '13'],
  ['XDEL', 's', '7-0'],
  ['XTRIM', 's', 'MAXLEN', '3'],
  ['XTRIM', 's', 'MINID', '=', '12-0'],
  ['XTRIM', 's', 'MAXLEN', '10'],
  ['XTRIM', 's', 'LIMIT', '10'],
  ['XTRIM', 'missing', 'MAXLEN', '0'],
  ['XADD', 't', '1-0', 'a', '1'],
  ['XADD', 't', '2-0', 'a', '2'],
  ['XTRIM', 't', 'MINID', '100-0'],
  ['XADD', 't', '200-0', 'a', '1'],
  ['XADD', 'u', '5-0', 'a', '1'],
  ['XADD', 'u', '6-0', 'a', '1'],
  ['XDEL', 'u', '5-0', '6-0'],
  ['XSETID', 's', '300-0'],
  ['XSETID', 's', '300-5', 'ENTRIESADDED', '50', 'MAXDELETEDID', '250-0'],
  ['XSETID', 's', '1-0'],
  ['XSETID', 's', '400-0', 'ENTRIESADDED', '0'],
  ['XSETID', 's', '500-0', 'MAXDELETEDID', '600-0'],
  ['XSETID', 's', '500-0', 'ENTRIESADDED', '-3'],
  ['XSETID', 'missing', '1-0'],
  ['XSETID', 'u', '7-0', 'MAXDELETEDID', '6-5'],
  ['XADD', 'e', 'MAXLEN', '0', '1-1', 'x', 'y'],
  ['XADD', 'big', '18446744073709551615-18446744073709551614', 'a', '1'],
  ['XADD', 'big', '18446744073709551615-*', 'a', '2'],
  ['XADD', 'big', '18446744073709551615-*', 'a', '3'],
  ['XADD', 'last', '7-7', 'k', 'v'],
];

/** Consumer groups: every XGROUP subcommand, reads by several consumers, claims, acks, deletions under a PEL. */
function groupWorkload(timeMs: number): Cmd[] {
  const cmds: Cmd[] = [];
  for (let i = 1; i <= 12; i++) cmds.push(['XADD', 'g', `${i}-0`, 'f', String(i)]);
  cmds.push(
    ['XGROUP', 'CREATE', 'g', 'grp', '0'],
    ['XGROUP', 'CREATE', 'g', 'grp2', '$'],
    ['XGROUP', 'CREATE', 'g', 'grp3', '5-0', 'ENTRIESREAD', '5'],
    ['XGROUP', 'CREATE', 'g', 'grp4', '0', 'MKSTREAM', 'ENTRIESREAD', '-1'],
    ['XGROUP', 'CREATE', 'g', 'grp', '0'],
    ['XGROUP', 'CREATE', 'nokey', 'x', '0'],
    ['XGROUP', 'CREATE', 'mk', 'grp', '$', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 'g', 'bad', '0', 'ENTRIESREAD', '-2'],
    ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '3', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp', 'bob', 'COUNT', '2', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp', 'carol', 'NOACK', 'COUNT', '2', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp3', 'alice', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp4', 'zed', 'COUNT', '1', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'nogrp', 'alice', 'STREAMS', 'g', '>'],
    ['XACK', 'g', 'grp', '1-0', '2-0', '99-0'],
    ['XACK', 'g', 'nogrp', '3-0'],
    ['XCLAIM', 'g', 'grp', 'bob', '0', '3-0', 'TIME', String(timeMs), 'RETRYCOUNT', '5'],
    ['XCLAIM', 'g', 'grp', 'dave', '0', '4-0', 'JUSTID'],
    ['XCLAIM', 'g', 'grp', 'erin', '0', '9-0', 'FORCE', 'IDLE', '1000'],
    ['XCLAIM', 'g', 'grp', 'frank', '0', '100-0', 'FORCE'],
    ['XCLAIM', 'g', 'grp', 'frank', '3600000', '3-0'],
    ['XCLAIM', 'g', 'grp', 'bob', '0', '3-0', 'BOGUS'],
    ['XCLAIM', 'g', 'nogrp', 'bob', '0', '3-0'],
    ['XGROUP', 'CREATECONSUMER', 'g', 'grp', 'gina'],
    ['XGROUP', 'CREATECONSUMER', 'g', 'grp', 'gina'],
    ['XGROUP', 'CREATECONSUMER', 'g', 'grp', 'alice2'],
    ['XGROUP', 'DELCONSUMER', 'g', 'grp', 'alice2'],
    ['XGROUP', 'DELCONSUMER', 'g', 'grp', 'nobody'],
    ['XGROUP', 'SETID', 'g', 'grp2', '3-0', 'ENTRIESREAD', '3'],
    ['XGROUP', 'SETID', 'g', 'grp4', '$'],
    ['XGROUP', 'SETID', 'g', 'nogrp', '$'],
    ['XGROUP', 'DESTROY', 'g', 'grp3'],
    ['XGROUP', 'DESTROY', 'g', 'grp3'],
    ['XREADGROUP', 'GROUP', 'grp2', 'x', 'COUNT', '2', 'STREAMS', 'g', '>'],
    ['XDEL', 'g', '5-0', '8-0'],
    ['XREADGROUP', 'GROUP', 'grp2', 'y', 'COUNT', '2', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp', 'bob', 'STREAMS', 'g', '>'],
    ['XAUTOCLAIM', 'g', 'grp', 'erin', '0', '0', 'COUNT', '3'],
    ['XAUTOCLAIM', 'g', 'grp', 'erin', '0', '(4-0', 'JUSTID'],
    ['XAUTOCLAIM', 'g', 'grp', 'erin', '3600000', '0'],
    ['XCLAIM', 'g', 'grp', 'hank', '0', '5-0', '6-0'],
    ['XGROUP', 'DELCONSUMER', 'g', 'grp', 'alice'],
    ['XADD', 'g', '13-0', 'f', '13'],
    ['XREADGROUP', 'GROUP', 'grp4', 'zed', 'STREAMS', 'g', '>'],
    ['XGROUP', 'CREATE', 'g', 'late', '0'],
    ['XREADGROUP', 'GROUP', 'late', 'ivy', 'COUNT', '20', 'STREAMS', 'g', '>'],
    ['XGROUP', 'SETID', 'g', 'late', '-'],
    ['XREADGROUP', 'GROUP', 'late', 'jay', 'COUNT', '1', 'STREAMS', 'g', '>'],
    // A rewrite keeps no pending entry whose stream entry is gone: claim those away first.
    ['XAUTOCLAIM', 'g', 'grp2', 'x', '0', '0'],
    ['XADD', 'last', '7-7', 'k', 'v'],
  );
  return cmds;
}

describe('stream commands against a real server', () => {
  it('XADD, XDEL, XTRIM and XSETID replay to what the server saved (AOF, hybrid, rewritten)', async () => {
    for (const opts of [{ preamble: false }, { preamble: true, rewriteAfter: 30 }, { preamble: false, rewriteAfter: ENTRIES.length - 1 }]) {
      const run = await runOracle(ENTRIES, { ...opts, direct: true });
      expectSame(run, true);
      const s = stream(run.saved, 's');
      expect(streamIdText(s.maxDeletedId)).toBe('250-0');
      expect(s.entriesAdded).toBe(50);
      expect(stream(run.saved, 'u').length).toBe(0);
      expect(run.replies.filter((r) => r instanceof RespError).length).toBeGreaterThan(12);
    }
  });

  it('approximate trimming is logged as = with the result and the LIMIT kept, and replays exactly', async () => {
    const cmds: Cmd[] = [];
    for (let i = 1; i <= 450; i++) cmds.push(['XADD', 'a', `${i}-0`, 'f', String(i), 'v', 'x'.repeat(i % 7)]);
    cmds.push(['XADD', 'a', 'MAXLEN', '~', '320', '451-0', 'f', 'x']);
    cmds.push(['XTRIM', 'a', 'MAXLEN', '~', '20', 'LIMIT', '150']);
    cmds.push(['XDEL', 'a', '400-0', '401-0', '451-0']);
    cmds.push(['XTRIM', 'a', 'MINID', '~', '360-0']);
    cmds.push(['XADD', 'a', 'MINID', '~', '430', 'LIMIT', '100', '452-0', 'f', 'y']);
    cmds.push(['XTRIM', 'a', 'MAXLEN', '~', '1000']);
    cmds.push(['XADD', 'a', 'MAXLEN', '~', '0', '453-0', 'f', 'z']);
    for (const opts of [{ preamble: false }, { preamble: true, rewriteAfter: 454 }]) {
      const run = await runOracle(cmds, { ...opts, direct: true });
      expectSame(run, true);
      if (opts.rewriteAfter !== undefined) continue;
      const text = aofText(run);
      // Nodes end at 100 entries or 4 KiB: these lengths follow from the layout.
      expect(text).toContain(resp('XADD', 'a', 'MAXLEN', '=', '351', '451-0', 'f', 'x'));
      expect(text).toContain(resp('XTRIM', 'a', 'MAXLEN', '=', '251', 'LIMIT', '150'));
      expect(text).toMatch(/\$5\r\nMINID\r\n\$1\r\n=\r\n\$5\r\n4\d\d-0\r\n\$5\r\nLIMIT\r\n\$3\r\n100\r\n\$5\r\n452-0/);
    }
  });

  it('consumer groups replay to what the server saved, read counters included', async () => {
    const cmds = groupWorkload(Date.now() - 60_000);
    for (const opts of [{ preamble: false }, { preamble: true }, { preamble: false, rewriteAfter: cmds.length - 1 }, { preamble: true, rewriteAfter: 20 }]) {
      const run = await runOracle(cmds, { ...opts, direct: true });
      expectSame(run, false);
      const text = aofText(run);
      if (opts.rewriteAfter === undefined) {
        expect(text).toMatch(/\$6\r\nXCLAIM\r\n\$1\r\ng\r\n\$3\r\ngrp\r\n\$5\r\nalice\r\n\$1\r\n0\r\n\$3\r\n1-0\r\n\$4\r\nTIME\r\n\$13\r\n\d{13}\r\n\$10\r\nRETRYCOUNT\r\n\$1\r\n1\r\n\$5\r\nFORCE\r\n\$6\r\nJUSTID\r\n\$6\r\nLASTID\r\n\$3\r\n1-0\r\n/);
        expect(text).toContain(resp('XGROUP', 'SETID', 'g', 'grp', '7-0', 'ENTRIESREAD', '7'));
        expect(text).not.toContain('XREADGROUP');
        expect(text).not.toContain('XAUTOCLAIM');
        // XAUTOCLAIM dropping a pending entry whose stream entry is gone logs an XCLAIM naming
        // the old owner; replayed, that XCLAIM finds the entry gone and drops it too.
        expect(text).toMatch(/\$6\r\nXCLAIM\r\n\$1\r\ng\r\n\$3\r\ngrp\r\n\$3\r\nbob\r\n\$1\r\n0\r\n\$3\r\n5-0\r\n\$4\r\nTIME\r\n\$13\r\n\d{13}\r\n\$10\r\nRETRYCOUNT\r\n\$1\r\n1\r\n\$5\r\nFORCE\r\n\$6\r\nJUSTID\r\n\$6\r\nLASTID\r\n\$4\r\n12-0\r\n/);
      }
      const autoclaim = run.replies[cmds.findIndex((c) => c[0] === 'XAUTOCLAIM')] as unknown[];
      expect(autoclaim[0]).toEqual(Buffer.from('9-0'));
      expect(autoclaim[2]).toEqual([Buffer.from('5-0')]);
      const g = stream(run.saved, 'g');
      // Read counters as 7.0's XREADGROUP kept them (its AOF does not carry them: see XCLAIM … LASTID).
      expect([...g.groups.values()].map((x) => [x.name, streamIdText(x.lastDeliveredId), x.entriesRead])).toEqual([
        ['grp', '12-0', 11],
        ['grp2', '7-0', -1],
        ['grp4', '13-0', 13],
        ['late', '1-0', -1],
      ]);
      expect(g.groups.get('grp')!.pending.has(streamIdKey('5-0'))).toBe(false);
      // The direct run differs only in the clock.
      zeroDeliveryTimes(run.saved);
      zeroDeliveryTimes(run.direct!);
      expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    }
  });


  it('XREADGROUP history reads count deliveries the AOF does not carry; the engine applies them as the server did', async () => {
    const cmds: Cmd[] = [
      ['XADD', 'h', '1-0', 'f', '1'],
      ['XADD', 'h', '2-0', 'f', '2'],
      ['XADD', 'h', '3-0', 'f', '3'],
      ['XGROUP', 'CREATE', 'h', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'h', '>'],
      ['XDEL', 'h', '2-0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 'h', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 'h', '0'],
    ];
    const run = await runOracle(cmds, { direct: true });
    expect(run.replies[6]).toEqual([[Buffer.from('h'), [[Buffer.from('1-0'), [Buffer.from('f'), Buffer.from('1')]], [Buffer.from('2-0'), null]]]]);
    const count = (ds: Dataset, id: string) => stream(ds, 'h').groups.get('g')!.pending.get(streamIdKey(id))!.deliveryCount;
    expect(count(run.saved, '1-0')).toBe(2);
    expect(count(run.replayed.dataset, '1-0')).toBe(1);
    expect(stream(run.saved, 'h').groups.get('g')!.consumers.has('d')).toBe(true);
    zeroDeliveryTimes(run.saved);
    zeroDeliveryTimes(run.direct!);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
  });
});

/** The replies (or error texts) the engine gives to `cmds`, in the server's reply forms. */
function engineReplies(cmds: Cmd[]): unknown[] {
  const e = new ReplayEngine(new Dataset());
  e.startFile('client');
  const conv = (r: Reply): unknown => (r === null || typeof r === 'number' ? r : typeof r === 'string' ? Buffer.from(r, 'latin1') : r instanceof StatusReply ? r.status : r.map(conv));
  return cmds.map((cmd) => {
    const argv = cmd.map((a) => (typeof a === 'string' ? a : a.toString('latin1')));
    const name = argv[0].toLowerCase();
    const spec = COMMANDS[name];
    try {
      if (!arityOk(spec.arity, argv.length)) throw arityError(name);
      return conv(spec.run(e.context, argv));
    } catch (x) {
      if (x instanceof CommandError) return `error: ${x.reply}`;
      throw x;
    }
  });
}

/** The server's replies in comparable form. */
function serverReplies(run: OracleRun): unknown[] {
  return run.replies.map((r) => (r instanceof RespError ? `error: ${r.message}` : r));
}

/** Reads after the group workload; XPENDING's idle times are the clock's. */
const READS: Cmd[] = [
  ['XLEN', 'g'],
  ['XLEN', 'missing'],
  ['XRANGE', 'g', '-', '+'],
  ['XRANGE', 'g', '(3-0', '(9', 'COUNT', '3'],
  ['XRANGE', 'g', '4', '4'],
  ['XRANGE', 'g', '-', '+', 'COUNT', '0'],
  ['XRANGE', 'missing', '-', '+'],
  ['XRANGE', 'g', '(18446744073709551615-18446744073709551615', '+'],
  ['XREVRANGE', 'g', '+', '-', 'COUNT', '4'],
  ['XREVRANGE', 'g', '(11-0', '6'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 'g', 'missing', '6-0', '0'],
  ['XREAD', 'STREAMS', 'g', '$'],
  ['XPENDING', 'g', 'grp'],
  ['XPENDING', 'g', 'grp2'],
  ['XPENDING', 'g', 'nogrp'],
  ['XPENDING', 'g', 'grp', '-', '+', '10'],
  ['XPENDING', 'g', 'grp', 'IDLE', '0', '(3-0', '+', '2', 'erin'],
  ['XPENDING', 'g', 'grp', '-', '(12-0', '10', 'nobody'],
];

describe('stream replies', () => {
  it('the engine replies as the server does, refusals included', async () => {
    const cmds = [...ENTRIES, ...groupWorkload(Date.now() - 60_000), ...READS];
    const run = await runOracle(cmds);
    const idleMasked = (r: unknown, c: Cmd) => (c[0] === 'XPENDING' && c.length > 3 && Array.isArray(r) ? r.map((row: unknown[]) => [row[0], row[1], 'idle', row[3]]) : r);
    const mine = engineReplies(cmds).map((r, i) => idleMasked(r, cmds[i]));
    const theirs = serverReplies(run).map((r, i) => idleMasked(r, cmds[i]));
    for (let i = 0; i < cmds.length; i++) expect(mine[i], cmds[i].join(' ')).toEqual(theirs[i]);
    expect(theirs.filter((x) => typeof x === 'string' && x.startsWith('error:')).length).toBeGreaterThan(20);
  });
});

describe('stream commands in the engine', () => {
  const apply = (e: ReplayEngine, ...argv: string[]) => e.apply(argv);

  it('XADD with * takes the replay clock', () => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds, { nowMs: 5000 });
    e.startFile('t');
    apply(e, 'XADD', 's', '*', 'a', '1');
    apply(e, 'XADD', 's', '*', 'a', '2');
    apply(e, 'XADD', 's', '9000-*', 'a', '3');
    apply(e, 'XADD', 's', '*', 'a', '4');
    const s = stream(ds, 's');
    expect([...s.entries()].map(([id]) => streamIdText(id))).toEqual(['5000-0', '5000-1', '9000-0', '9000-1']);
    expect(s.entriesAdded).toBe(4);
    expect(streamIdText(s.firstId)).toBe('5000-0');
  });

  it('refuses what Redis refuses, with the code of the refusal, changing nothing', () => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds);
    e.startFile('t');
    apply(e, 'XADD', 's', '1-0', 'a', '1');
    apply(e, 'XGROUP', 'CREATE', 's', 'g', '0');
    ds.db(0).set('str', 'x');
    const cases: [string[], string][] = [
      [['XADD', 's', '2-0', 'a'], 'REPLAY_ARITY'],
      [['XADD', 's'], 'REPLAY_ARITY'],
      [['XADD', 'str', '2-0', 'a', 'b'], 'REPLAY_WRONG_TYPE'],
      [['XADD', 's', '1-0', 'a', 'b'], 'REPLAY_BAD_ARGUMENT'],
      [['XADD', 's', '1-x', 'a', 'b'], 'REPLAY_BAD_ARGUMENT'],
      [['XADD', 's', 'MAXLEN', 'x', '2-0', 'a', 'b'], 'REPLAY_BAD_ARGUMENT'],
      [['XDEL', 's', '+'], 'REPLAY_BAD_ARGUMENT'],
      [['XTRIM', 's', 'MAXLEN', '~'], 'REPLAY_BAD_ARGUMENT'],
      [['XTRIM', 's', 'MAXLEN', '1', 'MINID', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['XTRIM', 's'], 'REPLAY_ARITY'],
      [['XSETID', 's', '0-5'], 'REPLAY_BAD_ARGUMENT'],
      [['XSETID', 'str', '5-0'], 'REPLAY_WRONG_TYPE'],
      [['XGROUP', 'CREATE', 's', 'g', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['XGROUP', 'CREATE', 's', 'g2'], 'REPLAY_ARITY'],
      [['XGROUP', 'NOPE', 's', 'g'], 'REPLAY_BAD_ARGUMENT'],
      [['XGROUP', 'SETID', 's', 'nog', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['XGROUP', 'CREATECONSUMER', 'str', 'g', 'c'], 'REPLAY_WRONG_TYPE'],
      [['XCLAIM', 's', 'nog', 'c', '0', '1-0'], 'REPLAY_BAD_ARGUMENT'],
      [['XCLAIM', 's', 'g', 'c', 'x', '1-0'], 'REPLAY_BAD_ARGUMENT'],
      [['XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME'], 'REPLAY_BAD_ARGUMENT'],
      [['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['XACK', 's', 'g', 'x'], 'REPLAY_BAD_ARGUMENT'],
      [['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'], 'REPLAY_BAD_ARGUMENT'],
      [['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's'], 'REPLAY_ARITY'],
    ];
    for (const [argv, code] of cases) {
      let err: unknown;
      try {
        e.apply(argv);
      } catch (x) {
        err = x;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code, argv.join(' ')).toBe(code);
    }
    const s = stream(ds, 's');
    expect(s.entryCount).toBe(1);
    expect(streamIdText(s.lastId)).toBe('1-0');
    expect([...s.groups.keys()]).toEqual(['g']);
    expect(s.groups.get('g')!.consumers.size).toBe(0);
  });

  it('ignores LIMIT after = as the AOF client does, and trims approximately by whole nodes after ~', () => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds);
    e.startFile('t');
    for (let i = 1; i <= 250; i++) apply(e, 'XADD', 's', `${i}-0`, 'f', 'v');
    apply(e, 'XTRIM', 's', 'MAXLEN', '~', '240');
    expect(stream(ds, 's').length).toBe(250);
    apply(e, 'XTRIM', 's', 'MAXLEN', '=', '240', 'LIMIT', '1');
    expect(stream(ds, 's').length).toBe(240);
    apply(e, 'XTRIM', 's', 'MAXLEN', '~', '120');
    // Nodes of 100 entries: 1–100 (10 of them deleted), 101–200, 201–250: the first goes, the second would leave 50.
    expect(stream(ds, 's').length).toBe(150);
    expect(streamIdText(stream(ds, 's').firstId)).toBe('101-0');
    apply(e, 'XDEL', 's', '250-0');
    apply(e, 'XTRIM', 's', 'MINID', '~', '250-0');
    expect(streamIdText(stream(ds, 's').firstId)).toBe('201-0');
  });
});
