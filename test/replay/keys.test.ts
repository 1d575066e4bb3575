/**
 * The key commands against a real Redis 7.0: the replay of its AOF (and, for the commands
 * whose effect does not depend on the clock, the client's own commands applied directly) must
 * hold what the server SAVEs. Keys are made with RESTORE of payloads the server DUMPed, so
 * these workloads need no other command family. Reads are checked against the server's
 * replies; refusals and the loading rules (nothing expires) against the engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError } from '../../src/replay/errors.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import { stringMatch } from '../../src/replay/string-match.js';
import { ListValue } from '../../src/dataset/list.js';
import { datasetDiff, runOracle, type Cmd, type OracleRun } from '../helpers/replay-oracle.js';
import { makeDumpSource, payloadBody, signPayload, SOURCE_KEYS } from './dump-source.js';

let payloads: Map<string, Buffer>;
beforeAll(async () => {
  const src = await makeDumpSource();
  payloads = src.payloads;
  await src.server.stop();
}, 30_000);

const P = (key: string): Buffer => payloads.get(key)!;
/** A time far enough ahead that no run reaches it (ms). */
const FUTURE_MS = Date.now() + 1e9;
const FUTURE_S = Math.floor(FUTURE_MS / 1000);

/** Every command of the AOF directory as one latin1 text, for looking forms up. */
const aofText = (run: OracleRun) =>
  Object.values(run.aofFiles)
    .map((b) => b.toString('latin1'))
    .join('');

/**
 * The replay equals the SAVE; with `direct`, so does the client's workload applied to the
 * engine: `exact`ly, or — when the workload holds relative or past times — apart from expiry
 * times, once what had expired by the end is dropped (the direct run applies the commands as
 * a loading server does, keeping past expiries, where the live server deleted those keys).
 */
function expectSame(run: OracleRun, opts: { direct?: 'exact' | 'live' } = {}): void {
  expect(run.replayed.error).toBeNull();
  expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  if (opts.direct === 'exact') expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
  if (opts.direct === 'live') {
    run.direct!.dropExpired(Date.now());
    expect(datasetDiff(run.saved, run.direct!, { consumerTimes: false, expiry: false })).toEqual([]);
  }
}

/** RESTORE of every source key into the selected database, `suffix` added to the names. */
const seed = (suffix = ''): Cmd[] => SOURCE_KEYS.map((k) => ['RESTORE', k + suffix, '0', P(k)]);

describe('RESTORE', () => {
  it('restores every type the server DUMPs, with REPLACE, TTLs, hints and refusals (plain AOF)', async () => {
    const cmds: Cmd[] = [
      ...seed(),
      ['RESTORE', 'str', '0', P('int'), 'REPLACE'],
      ['RESTORE', 'str', '0', P('hash')], // BUSYKEY: refused, not logged
      ['RESTORE', 'abs', String(FUTURE_MS), P('zset'), 'ABSTTL'],
      ['RESTORE', 'abs2', String(FUTURE_MS), P('bigzset'), 'absttl', 'REPLACE'],
      ['RESTORE', 'idle', '0', P('strset'), 'IDLETIME', '1000'],
      ['RESTORE', 'freq', '0', P('intset'), 'FREQ', '7'],
      ['RESTORE', 'both', '0', P('intset'), 'FREQ', '7', 'IDLETIME', '3'], // syntax error
      ['RESTORE', 'neg', '-1', P('str')], // refused
      ['RESTORE', 'badfreq', '0', P('str'), 'FREQ', '256'], // refused
      ['RESTORE-ASKING', 'asking', '0', P('list')],
      ['SELECT', '3'],
      ...seed('-3'),
      ['RESTORE', 'stream-3', '0', P('emptystream'), 'REPLACE', 'ABSTTL'],
      ['SELECT', '0'],
      ['RESTORE', 'flipped', '0', Buffer.from(P('hash')).fill(1, 3, 4)], // bad CRC: refused
    ];
    for (const preamble of [false, true]) {
      const run = await runOracle(cmds, { preamble, direct: true, rewriteAfter: preamble ? 20 : undefined });
      expectSame(run, { direct: 'exact' });
      expect(run.saved.db(0).has('asking')).toBe(true);
      expect(run.saved.db(0).expireAt('abs')).toBe(FUTURE_MS);
      expect(run.saved.db(3).size).toBe(SOURCE_KEYS.length);
      expect(run.replayed.replay.applied).toBeGreaterThan(preamble ? 0 : SOURCE_KEYS.length * 2);
    }
  });

  it('a relative TTL is logged with ABSTTL; a past one with REPLACE is logged as DEL', async () => {
    const cmds: Cmd[] = [
      ['RESTORE', 'rel', '100000000', P('hash')],
      ['RESTORE', 'gone', '0', P('list')],
      ['RESTORE', 'gone', '1000', P('list'), 'REPLACE', 'ABSTTL'], // already expired: deleted
      ['RESTORE', 'never', '1000', P('list'), 'ABSTTL'], // already expired: not made, not logged
    ];
    const run = await runOracle(cmds, { direct: true });
    expectSame(run, { direct: 'live' });
    const text = aofText(run);
    expect(text).toMatch(/RESTORE\r\n\$3\r\nrel\r\n\$13\r\n\d{13}\r\n[\s\S]*ABSTTL/);
    expect(text).toMatch(/\*2\r\n\$3\r\nDEL\r\n\$4\r\ngone\r\n/);
    expect(text).not.toContain('never');
    const at = run.replayed.dataset.db(0).expireAt('rel')!;
    expect(at).toBe(run.saved.db(0).expireAt('rel'));
  });
});

describe('DEL, UNLINK and the EXPIRE family', () => {
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  const cmds = (): Cmd[] => [
    ...keys.map((k): Cmd => ['RESTORE', k, '0', P('str')]),
    ['EXPIRE', 'a', '100000'],
    ['PEXPIRE', 'b', '200000000'],
    ['EXPIREAT', 'c', String(FUTURE_S)],
    ['PEXPIREAT', 'd', String(FUTURE_MS)],
    ['EXPIRE', 'a', '50', 'GT'], // not greater: 0
    ['EXPIRE', 'a', '500000', 'gt'],
    ['EXPIRE', 'a', '400000', 'LT'],
    ['EXPIRE', 'e', '10', 'XX'], // no expiry: 0
    ['EXPIRE', 'e', '100000', 'NX'],
    ['EXPIRE', 'e', '20', 'NX'], // has one: 0
    ['PEXPIREAT', 'f', String(FUTURE_MS), 'GT'], // no expiry counts as infinite: 0
    ['PEXPIREAT', 'f', String(FUTURE_MS), 'LT'],
    ['EXPIREAT', 'c', String(FUTURE_S + 10), 'XX', 'GT'],
    ['EXPIRE', 'f', '10', 'NX', 'XX'], // refused
    ['EXPIRE', 'f', '10', 'GT', 'LT'], // refused
    ['EXPIRE', 'f', '10', 'SOON'], // refused
    ['EXPIRE', 'f', 'ten'], // refused
    ['EXPIRE', 'f', '9223372036854775807'], // refused: overflows in ms
    ['PEXPIRE', 'f', '9223372036854775807'], // refused: overflows with the clock added
    ['EXPIRE', 'g', '-1'], // in the past: logged as DEL
    ['PEXPIREAT', 'h', '1000'], // in the past: logged as DEL
    ['EXPIREAT', 'missing', String(FUTURE_S)],
    ['PERSIST', 'c'],
    ['PERSIST', 'i'], // none to remove: 0, not logged
    ['PEXPIREAT', 'i', String(FUTURE_MS)],
    ['DEL', 'j', 'missing', 'j'],
    ['UNLINK', 'i', 'x'],
    ['SELECT', '1'],
    ['RESTORE', 'a', '0', P('list')],
    ['PEXPIREAT', 'a', String(FUTURE_MS + 1)],
    ['SELECT', '0'],
  ];

  it('the AOF holds PEXPIREAT and DEL forms; replayed equals saved (plain AOF)', async () => {
    const run = await runOracle(cmds(), { direct: true });
    expectSame(run, { direct: 'live' });
    const text = aofText(run);
    expect(text).toMatch(/PEXPIREAT\r\n\$1\r\na\r\n/);
    expect(text).not.toMatch(/\r\nEXPIRE\r\n/i);
    expect(text).toMatch(/\*2\r\n\$3\r\nDEL\r\n\$1\r\ng\r\n/);
    expect(text).toMatch(/\*2\r\n\$3\r\nDEL\r\n\$1\r\nh\r\n/);
    const db = run.saved.db(0);
    expect([db.has('g'), db.has('h'), db.has('j'), db.has('i')]).toEqual([false, false, false, false]);
    expect(db.expireAt('c')).toBeNull();
    expect(db.expireAt('f')).toBe(FUTURE_MS);
    // The server's relative times, as logged, are what the replay holds.
    expect(run.replayed.dataset.db(0).expireAt('a')).toBe(db.expireAt('a'));
  });

  it('the same with an RDB preamble and a rewrite in the middle', async () => {
    const run = await runOracle(cmds(), { preamble: true, rewriteAfter: 16 });
    expectSame(run);
  });
});

describe('RENAME, RENAMENX, COPY, MOVE', () => {
  const cmds = (): Cmd[] => [
    ...seed(),
    ['RESTORE', 'ttl', String(FUTURE_MS), P('hash'), 'ABSTTL'],
    ['RESTORE', 'ttl2', String(FUTURE_MS + 5), P('str'), 'ABSTTL'],
    ['RENAME', 'str', 'str2'],
    ['RENAME', 'ttl', 'ttl-renamed'], // the TTL moves with the key
    ['RENAME', 'int', 'ttl2'], // over a key with a TTL: the TTL goes
    ['RENAME', 'nosuch', 'x'], // refused
    ['RENAME', 'long', 'long'],
    ['RENAMENX', 'list', 'hash'], // target exists: 0
    ['RENAMENX', 'list', 'list2'],
    ['RENAMENX', 'nosuch', 'x'], // refused
    ['COPY', 'bighash', 'bighash-copy'],
    ['COPY', 'stream', 'stream-copy', 'DB', '5'],
    ['COPY', 'ttl-renamed', 'ttl-copy'], // the TTL is copied
    ['COPY', 'zset', 'hash'], // target exists: 0
    ['COPY', 'zset', 'hash', 'REPLACE'],
    ['COPY', 'intset', 'intset'], // refused
    ['COPY', 'intset', 'intset', 'db', '1'],
    ['COPY', 'intset', 'x', 'DB', '99'], // refused
    ['COPY', 'intset', 'x', 'REPLACE', 'FOO'], // refused
    ['COPY', 'nosuch', 'x'],
    ['MOVE', 'biglist', '2'],
    ['MOVE', 'ttl-copy', '4'], // the TTL moves with the key
    ['MOVE', 'strset', '0'], // same database: refused
    ['MOVE', 'nosuch', '2'],
    ['SELECT', '2'],
    ['RESTORE', 'bigset', '0', P('str')],
    ['SELECT', '0'],
    ['MOVE', 'bigset', '2'], // the target has it: 0
    ['MOVE', 'bigset', '16'], // refused
    ['SWAPDB', '0', '2'],
    ['RENAME', 'biglist', 'biglist-in-0'],
    ['COPY', 'bigset', 'plainlist', 'DB', '2', 'REPLACE'],
    ['SELECT', '2'],
    ['MOVE', 'plainlist', '7'],
    ['RENAME', 'ttl-renamed', 'ttl-again'],
  ];

  it('replayed and applied directly equal saved (plain AOF, and preamble with a rewrite)', async () => {
    const plain = await runOracle(cmds(), { direct: true });
    expectSame(plain, { direct: 'exact' });
    expect(plain.saved.db(2).expireAt('ttl-again')).toBe(FUTURE_MS);
    expect(plain.saved.db(4).expireAt('ttl-copy')).toBe(FUTURE_MS);
    expect(plain.saved.db(0).expireAt('ttl2')).toBeNull();
    expect(plain.saved.db(5).has('stream-copy')).toBe(true);
    const rewritten = await runOracle(cmds(), { preamble: true, rewriteAfter: 30, direct: true });
    expectSame(rewritten, { direct: 'exact' });
  });

  it('COPY makes a deep copy', () => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds);
    e.startFile('t');
    e.apply(['RESTORE', 'l', '0', P('list').toString('latin1')]);
    e.apply(['COPY', 'l', 'm']);
    (ds.db(0).get('m') as ListValue).pushBack('more');
    expect((ds.db(0).get('l') as ListValue).length).toBe(5);
    expect((ds.db(0).get('m') as ListValue).length).toBe(6);
  });
});

describe('reads', () => {
  const names = ['abc', 'ABC', 'a-c', 'a*c', 'a?c', 'a\\c', '[x]', 'x]', 'b', 'bb', 'aXc', 'a', '', 'é', 'a\x00c', 'hello world'];
  const patterns = ['*', 'a*', 'a?c', '[a-b]*', '[b-a]*', '[^a]*', 'a\\*c', 'a[*?]c', '[\\]x]*', '[x]', '\\[x]', '*c', '**c**', 'a[', '[', 'a\\', '*[a-', '?', '', 'A*', '[!a]*', '*\x00*', 'a[-]c', 'hello*world'];

  it('EXISTS, TYPE, TTL variants, KEYS, TOUCH and RANDOMKEY reply as the server does', async () => {
    const reads: Cmd[] = [
      ['EXISTS', 'str', 'str', 'nosuch', 'hash'],
      ['TOUCH', 'str', 'nosuch'],
      ...SOURCE_KEYS.map((k): Cmd => ['TYPE', k]),
      ['TYPE', 'nosuch'],
      ...['ttl', 'pttl', 'expiretime', 'pexpiretime'].flatMap((c): Cmd[] => [
        [c, 'abs'],
        [c, 'str'],
        [c, 'nosuch'],
      ]),
      ...patterns.map((p): Cmd => ['KEYS', p]),
    ];
    const cmds: Cmd[] = [...seed(), ['RESTORE', 'abs', String(FUTURE_MS), P('str'), 'ABSTTL'], ...names.map((n): Cmd => ['RESTORE', n, '0', P('str')]), ...reads];
    const run = await runOracle(cmds);
    expectSame(run);
    const e = new ReplayEngine(run.replayed.dataset);
    e.startFile('t');
    const replies = run.replies.slice(cmds.length - reads.length);
    reads.forEach((cmd, i) => {
      const argv = cmd.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8').toString('latin1') : a.toString('latin1')));
      const mine = normalize(e.context.call(argv));
      const theirs = normalize(replies[i]);
      if (argv[0] === 'KEYS') expect((mine as string[]).sort(), `KEYS ${JSON.stringify(argv[1])}`).toEqual((theirs as string[]).sort());
      else if (argv[0] === 'ttl' || argv[0] === 'pttl') expect(Math.sign(mine as number), cmd.join(' ')).toBe(Math.sign(theirs as number));
      else expect(mine, cmd.join(' ')).toEqual(theirs);
    });
    expect(e.context.call(['RANDOMKEY'])).not.toBeNull();
    expect(new ReplayEngine(new Dataset()).context.call(['RANDOMKEY'])).toBeNull();
  });

  it('stringMatch: a few cases by hand', () => {
    expect(stringMatch('h?llo', 'hello')).toBe(true);
    expect(stringMatch('h[^e]llo', 'hello')).toBe(false);
    expect(stringMatch('h[a-b]llo', 'hbllo')).toBe(true);
    expect(stringMatch('H*', 'hello', true)).toBe(true);
    expect(stringMatch('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60))).toBe(false);
  });
});

/** A server reply or an engine reply in one comparable form. */
function normalize(r: unknown): unknown {
  if (r instanceof StatusReply) return r.status;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  if (typeof r === 'bigint') return Number(r);
  if (Array.isArray(r)) return r.map(normalize);
  return r as Reply;
}

describe('loading rules and refusals', () => {
  function engine(nowMs = 1_700_000_000_000) {
    const ds = new Dataset();
    const e = new ReplayEngine(ds, { nowMs });
    e.startFile('keys.aof');
    return { ds, e, db: ds.db(0) };
  }
  const str = () => P('str').toString('latin1');

  it('nothing expires while loading: a past expiry is kept, TTL reads 0', () => {
    const { e, db } = engine();
    e.apply(['RESTORE', 'k', '0', str()]);
    e.apply(['PEXPIREAT', 'k', '1000']);
    expect(db.expireAt('k')).toBe(1000);
    expect(e.context.call(['TTL', 'k'])).toBe(0);
    expect(e.context.call(['EXPIRETIME', 'k'])).toBe(1);
    e.apply(['EXPIRE', 'k', '-5']);
    expect(db.expireAt('k')).toBe(1_700_000_000_000 - 5000);
    e.apply(['RESTORE', 'r', '1000', str(), 'ABSTTL']);
    expect(db.expireAt('r')).toBe(1000);
  });

  it('relative forms older servers logged count from the clock', () => {
    const { e, db } = engine(5_000_000);
    e.apply(['RESTORE', 'k', '0', str()]);
    e.apply(['EXPIRE', 'k', '10']);
    expect(db.expireAt('k')).toBe(5_010_000);
    e.apply(['PEXPIRE', 'k', '7']);
    expect(db.expireAt('k')).toBe(5_000_007);
    e.apply(['EXPIREAT', 'k', '9']);
    expect(db.expireAt('k')).toBe(9000);
    e.apply(['RESTORE', 'r', '250', str()]);
    expect(db.expireAt('r')).toBe(5_000_250);
    expect(e.context.call(['PTTL', 'r'])).toBe(250);
    expect(e.context.call(['TTL', 'r'])).toBe(0);
  });

  it('refusals are typed errors located at the command', () => {
    const flipped = Buffer.from(P('list'));
    flipped[2] ^= 4;
    const body = payloadBody(P('hash'));
    const cases: [string[], string][] = [
      [['DEL'], 'REPLAY_ARITY'],
      [['RENAME', 'nosuch', 'x'], 'REPLAY_BAD_ARGUMENT'],
      [['RESTORE', 'k', '0', str()], 'REPLAY_BAD_ARGUMENT'], // k exists
      [['RESTORE', 'n', 'x', str()], 'REPLAY_BAD_ARGUMENT'],
      [['RESTORE', 'n', '0', str(), 'IDLETIME'], 'REPLAY_BAD_ARGUMENT'],
      [['RESTORE', 'n', '0', flipped.toString('latin1')], 'REPLAY_BAD_PAYLOAD'],
      [['RESTORE', 'n', '0', P('list').subarray(0, 20).toString('latin1')], 'REPLAY_BAD_PAYLOAD'],
      [['RESTORE', 'n', '0', signPayload(body.subarray(0, body.length - 20), 10).toString('latin1')], 'REPLAY_BAD_PAYLOAD'],
      [['RESTORE', 'n', '0', signPayload(body, 16).toString('latin1')], 'REPLAY_BAD_PAYLOAD'],
      [['RESTORE', 'n', '0', 'short'], 'REPLAY_BAD_PAYLOAD'],
      [['EXPIRE', 'k', '1', 'NX', 'GT'], 'REPLAY_BAD_ARGUMENT'],
      [['PEXPIREAT', 'k', '1.5'], 'REPLAY_BAD_ARGUMENT'],
      [['MOVE', 'k', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['MOVE', 'k', '-1'], 'REPLAY_BAD_ARGUMENT'],
      [['COPY', 'k', 'k'], 'REPLAY_BAD_ARGUMENT'],
      [['MIGRATE', 'h', '1', 'k', '0', '1'], 'REPLAY_UNKNOWN_COMMAND'],
    ];
    for (const [argv, code] of cases) {
      const { e, db } = engine();
      e.apply(['RESTORE', 'k', '0', str()]);
      let err: unknown;
      try {
        e.apply(argv, { file: 'keys.aof', offset: 77, line: 3 });
      } catch (x) {
        err = x;
      }
      const name = argv.slice(0, 3).join(' ');
      expect(err, name).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code, name).toBe(code);
      expect((err as ReplayError).offset, name).toBe(77);
      expect(db.size, name).toBe(1);
      if (code === 'REPLAY_BAD_PAYLOAD') expect((err as ReplayError).message, name).toMatch(/version or checksum are wrong|Bad data format/);
    }
  });
});
