/**
 * The engine's own rules, with the server family and a test command: MULTI blocks queued and
 * run at EXEC, an open block discarded at the end of a file, a fresh client per file, refused
 * commands located or skipped and counted, SELECT/SWAPDB/FLUSHDB/FLUSHALL.
 */
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError, argError } from '../../src/replay/errors.js';
import type { CommandTable } from '../../src/replay/command.js';
import { COMMANDS, FAMILIES } from '../../src/replay/commands/index.js';
import { OK } from '../../src/replay/reply.js';

/** A minimal write command for these tests, independent of the families. */
const TEST_COMMANDS: CommandTable = {
  't.set': {
    arity: 3,
    run(c, argv) {
      if (argv[2] === 'bad') throw argError('refused');
      c.overwrite(argv[1], argv[2]);
      return OK;
    },
  },
};

function engine(opts: { skipUnknown?: boolean } = {}) {
  const ds = new Dataset();
  const e = new ReplayEngine(ds, { ...opts, commands: TEST_COMMANDS });
  e.startFile('test.aof');
  return { ds, e };
}

const get = (ds: Dataset, db: number, key: string) => ds.peekDb(db)?.get(key);

describe('replay engine', () => {
  it('no command is defined by two families', () => {
    const seen = new Map<string, string>();
    for (const [family, table] of Object.entries(FAMILIES)) {
      for (const name of Object.keys(table)) {
        expect(seen.get(name), `${name} in ${family}`).toBeUndefined();
        expect(name).toBe(name.toLowerCase());
        seen.set(name, family);
      }
    }
    expect(Object.keys(COMMANDS).length).toBe(seen.size);
  });

  it('SELECT, SWAPDB, FLUSHDB and FLUSHALL act on the databases', () => {
    const { ds, e } = engine();
    e.apply(['t.set', 'a', '0']);
    e.apply(['SELECT', '3']);
    e.apply(['t.set', 'a', '3']);
    e.apply(['swapdb', '0', '3']);
    expect(get(ds, 0, 'a')).toBe('3');
    expect(get(ds, 3, 'a')).toBe('0');
    e.apply(['t.set', 'b', 'x']); // db 3 still selected: the swapped-in contents
    expect(get(ds, 3, 'b')).toBe('x');
    e.apply(['FLUSHDB']);
    expect(ds.peekDb(3)?.size).toBe(0);
    expect(get(ds, 0, 'a')).toBe('3');
    e.apply(['FLUSHALL', 'ASYNC']);
    expect(ds.keyCount).toBe(0);
    e.apply(['t.set', 'c', 'y']);
    expect(get(ds, 3, 'c')).toBe('y');
  });

  it('runs a MULTI block at EXEC, not before', () => {
    const { ds, e } = engine();
    e.apply(['MULTI']);
    e.apply(['t.set', 'a', '1']);
    e.apply(['select', '2']);
    e.apply(['t.set', 'a', '2']);
    expect(ds.keyCount).toBe(0);
    expect(e.inMulti).toBe(true);
    e.apply(['EXEC']);
    expect(get(ds, 0, 'a')).toBe('1');
    expect(get(ds, 2, 'a')).toBe('2');
    expect(e.stats.transactions).toBe(1);
    expect(e.stats.applied).toBe(3);
  });

  it('discards a block left open at the end of a file, and starts the next file on db 0', () => {
    const { ds, e } = engine();
    e.apply(['select', '5']);
    e.apply(['MULTI']);
    e.apply(['t.set', 'a', '1']);
    e.endFile();
    expect(ds.keyCount).toBe(0);
    expect(e.stats.discardedBlocks).toBe(1);
    expect(e.stats.discardedCommands).toBe(1);
    e.startFile('next.aof');
    e.apply(['t.set', 'b', '1']);
    expect(get(ds, 0, 'b')).toBe('1');
  });

  it('locates a refused command: unknown, wrong arity, refused argument, EXEC without MULTI', () => {
    const cases: [string[], string][] = [
      [['NOSUCH', 'x'], 'REPLAY_UNKNOWN_COMMAND'],
      [['t.set', 'a'], 'REPLAY_ARITY'],
      [['t.set', 'a', 'bad'], 'REPLAY_BAD_ARGUMENT'],
      [['EXEC'], 'REPLAY_UNBALANCED_MULTI'],
      [['SELECT', '16'], 'REPLAY_BAD_ARGUMENT'],
    ];
    for (const [argv, code] of cases) {
      const { e } = engine();
      let err: unknown;
      try {
        e.apply(argv, { file: 'x.aof', offset: 120, line: 9 });
      } catch (x) {
        err = x;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(ReplayError);
      const r = err as ReplayError;
      expect(r.code).toBe(code);
      expect(r.file).toBe('x.aof');
      expect(r.offset).toBe(120);
      expect(r.line).toBe(9);
      expect(r.message).toContain(argv[0]);
    }
  });

  it('with skipUnknown counts refused commands and goes on, also inside a block', () => {
    const { ds, e } = engine({ skipUnknown: true });
    e.apply(['NOSUCH'], { offset: 1 });
    e.apply(['MULTI']);
    e.apply(['t.set', 'a', 'bad']);
    e.apply(['t.set', 'b', 'ok']);
    e.apply(['EXEC']);
    expect(get(ds, 0, 'b')).toBe('ok');
    expect(e.stats.skipped).toEqual({ REPLAY_UNKNOWN_COMMAND: 1, REPLAY_BAD_ARGUMENT: 1 });
    expect(e.stats.skippedSamples.map((s) => s.command)).toEqual(['NOSUCH', 't.set']);
  });
});
