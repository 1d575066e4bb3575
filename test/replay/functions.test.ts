/**
 * The FUNCTION commands against a real Redis 7.0: LOAD [REPLACE], DELETE, FLUSH and RESTORE
 * (of the server's own FUNCTION DUMP, with each policy) are logged verbatim, and the replay of
 * the AOF — with and without preamble, with a rewrite in the middle — holds the libraries the
 * server SAVEs, source for source. FCALL is never logged (its writes are), and is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError } from '../../src/replay/errors.js';
import { asBuffer, startRedis } from '../helpers/redis.js';
import { datasetDiff, runOracle, type Cmd, type OracleRun } from '../helpers/replay-oracle.js';
import { LIBRARIES, signPayload } from './dump-source.js';

const LIBC = "#!lua name=libc\nredis.register_function('fc', function(keys, args) redis.call('DEL', keys[1]); return redis.call('DEL', keys[2]) end)";
const LIBA2 = LIBRARIES.liba.replace("'fa'", "'fa2'");

/** The server's FUNCTION DUMP of liba and libb. */
let dump: Buffer;
beforeAll(async () => {
  const server = await startRedis();
  try {
    for (const code of Object.values(LIBRARIES)) await server.client.call('FUNCTION', 'LOAD', code);
    dump = asBuffer(await server.client.call('FUNCTION', 'DUMP'));
  } finally {
    await server.stop();
  }
}, 30_000);

/** A string value's DUMP payload ("hello"), made by hand: enough for keys the functions touch. */
const STRING_PAYLOAD = signPayload(Buffer.from([0, 5, ...Buffer.from('hello')]), 10);

/** name → source of every library of a dataset. */
const libraries = (ds: Dataset) => Object.fromEntries([...ds.functions.entries()].map(([n, c]) => [n, Buffer.from(c).toString('latin1')]));

function expectSame(run: OracleRun, direct: boolean): void {
  expect(run.replayed.error).toBeNull();
  expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  expect(libraries(run.replayed.dataset)).toEqual(libraries(run.saved));
  if (direct) {
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(libraries(run.direct!)).toEqual(libraries(run.saved));
  }
}

describe('FUNCTION LOAD, DELETE, FLUSH, RESTORE', () => {
  const cmds = (): Cmd[] => [
    ['FUNCTION', 'LOAD', LIBRARIES.liba],
    ['FUNCTION', 'LOAD', LIBRARIES.libb],
    ['FUNCTION', 'LOAD', LIBRARIES.liba], // exists: refused
    ['FUNCTION', 'LOAD', 'REPLACE', LIBA2],
    ['FUNCTION', 'LOAD', '#!lua\nreturn 1'], // no name: refused
    ['FUNCTION', 'LOAD', '#!js name=x\nreturn 1'], // no such engine: refused
    ['FUNCTION', 'LOAD', 'FOO', LIBC], // refused
    ['function', 'load', 'replace', 'REPLACE', LIBC],
    ['FUNCTION', 'DELETE', 'libb'],
    ['FUNCTION', 'DELETE', 'nosuch'], // refused
    ['FUNCTION', 'RESTORE', dump], // APPEND: liba exists, refused whole
    ['FUNCTION', 'RESTORE', dump, 'REPLACE'],
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', LIBC],
    ['FUNCTION', 'RESTORE', dump, 'FLUSH'], // libc goes
    ['FUNCTION', 'RESTORE', dump, 'BOGUS'], // refused
    ['FUNCTION', 'RESTORE', Buffer.from(dump).fill(7, 4, 5)], // bad CRC: refused
    ['FUNCTION', 'FLUSH', 'ASYNC'],
    ['FUNCTION', 'RESTORE', dump, 'append'],
    ['FUNCTION', 'LOAD', LIBC],
    ['FUNCTION', 'DELETE', 'liba'],
  ];

  it('replayed and applied directly equal saved, source for source (plain AOF, a rewrite in the middle)', async () => {
    const run = await runOracle(cmds(), { direct: true, rewriteAfter: 13 });
    expectSame(run, true);
    expect(Object.keys(libraries(run.saved)).sort()).toEqual(['libb', 'libc']);
    const text = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(text).toMatch(/FUNCTION\r\n\$7\r\nRESTORE\r\n/);
  });

  it('the same with an RDB preamble, rewritten early and late', async () => {
    for (const rewriteAfter of [4, 16]) expectSame(await runOracle(cmds(), { preamble: true, rewriteAfter, direct: true }), true);
  });
});

describe('FCALL', () => {
  it('is never in the AOF: the writes it made are, and replay to what the server saved', async () => {
    const cmds: Cmd[] = [
      ['FUNCTION', 'LOAD', LIBRARIES.liba],
      ['FUNCTION', 'LOAD', LIBRARIES.libb],
      ['FUNCTION', 'LOAD', LIBC],
      ...['k1', 'k2', 'k3', 'k4', 'k5'].map((k): Cmd => ['RESTORE', k, '0', STRING_PAYLOAD]),
      ['FCALL', 'fa', '1', 'k1'],
      ['FCALL', 'fb', '1', 'k2', '100000000'],
      ['FCALL', 'fc', '2', 'k3', 'k4'], // two writes: a MULTI block
    ];
    for (const preamble of [false, true]) {
      const run = await runOracle(cmds, { preamble });
      expectSame(run, false);
      const text = Object.values(run.aofFiles)
        .map((b) => b.toString('latin1'))
        .join('');
      expect(text).not.toMatch(/FCALL/i);
      expect(text).toMatch(/MULTI[\s\S]*\$2\r\nk3[\s\S]*\$2\r\nk4[\s\S]*EXEC/i);
      expect(text).toMatch(/PEXPIREAT\r\n\$2\r\nk2/);
      expect([...run.saved.db(0).keys()].sort()).toEqual(['k2', 'k5']);
    }
  });
});

describe('refusals and what is not checked', () => {
  function apply(argv: string[]): ReplayError | null {
    const e = new ReplayEngine(new Dataset());
    e.startFile('f.aof');
    e.apply(['FUNCTION', 'LOAD', LIBRARIES.liba]);
    try {
      e.apply(argv, { file: 'f.aof', offset: 9 });
      return null;
    } catch (x) {
      if (x instanceof ReplayError) return x;
      throw x;
    }
  }
  const latin1 = (b: Buffer) => b.toString('latin1');

  it('each refusal is a typed error', () => {
    const cases: [string[], string, RegExp][] = [
      [['FCALL', 'fa', '0'], 'REPLAY_UNKNOWN_COMMAND', /never in an AOF/],
      [['FCALL_RO', 'fa', '0'], 'REPLAY_UNKNOWN_COMMAND', /never in an AOF/],
      [['FUNCTION', 'LIST'], 'REPLAY_UNKNOWN_COMMAND', /only reads/],
      [['FUNCTION', 'NOPE'], 'REPLAY_UNKNOWN_COMMAND', /unknown subcommand/],
      [['FUNCTION', 'DELETE'], 'REPLAY_ARITY', /function\|delete/],
      [['FUNCTION', 'LOAD'], 'REPLAY_ARITY', /function\|load/],
      [['FUNCTION', 'LOAD', LIBRARIES.liba], 'REPLAY_BAD_ARGUMENT', /already exists/],
      [['FUNCTION', 'LOAD', '#!lua name=bad-name\n'], 'REPLAY_BAD_ARGUMENT', /letters, digits and underscores/],
      [['FUNCTION', 'LOAD', '#!py name=p\n'], 'REPLAY_BAD_ARGUMENT', /Engine 'py' not found/],
      [['FUNCTION', 'DELETE', 'nosuch'], 'REPLAY_BAD_ARGUMENT', /Library not found/],
      [['FUNCTION', 'FLUSH', 'NOW'], 'REPLAY_BAD_ARGUMENT', /SYNC\|ASYNC/],
      [['FUNCTION', 'RESTORE', latin1(dump)], 'REPLAY_BAD_ARGUMENT', /Library liba already exists/],
      [['FUNCTION', 'RESTORE', latin1(Buffer.from(dump).fill(0, 3, 4))], 'REPLAY_BAD_PAYLOAD', /version or checksum/],
      [['FUNCTION', 'RESTORE', latin1(dump.subarray(0, 8))], 'REPLAY_BAD_PAYLOAD', /version or checksum/],
      [['FUNCTION', 'RESTORE', latin1(STRING_PAYLOAD)], 'REPLAY_BAD_PAYLOAD', /something else than function libraries/],
      [['FUNCTION', 'RESTORE', latin1(signPayload(Buffer.from([0xf5, 3, 0x61, 0x62, 0x63]), 10))], 'REPLAY_BAD_PAYLOAD', /does not start with #!/],
      [['FUNCTION', 'RESTORE', latin1(signPayload(Buffer.from([0xf5, 6, ...Buffer.from('#!x name=y\n').subarray(0, 6)]), 10))], 'REPLAY_BAD_PAYLOAD', /line end/],
    ];
    for (const [argv, code, text] of cases) {
      const err = apply(argv);
      const name = argv.slice(0, 2).join(' ');
      expect(err, name).not.toBeNull();
      expect(err!.code, name).toBe(code);
      expect(err!.offset, name).toBe(9);
      expect(err!.message, name).toMatch(text);
    }
  });

  it('a library whose Lua does not compile is taken: only a Lua VM could tell', () => {
    expect(apply(['FUNCTION', 'LOAD', '#!lua name=broken\nthis is not lua ('])).toBeNull();
  });
});
