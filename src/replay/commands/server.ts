/**
 * Commands about databases as a whole: SELECT, SWAPDB, FLUSHDB, FLUSHALL — and the few
 * commands without effect on the data that a file may still hold (PING, ECHO, the read-only
 * ones a careless tool logged): Redis runs them while loading and nothing changes.
 */
import type { CommandTable } from '../command.js';
import { argError, SYNTAX } from '../errors.js';
import { isWord } from '../args.js';
import { OK, StatusReply } from '../reply.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';

/** FLUSHDB / FLUSHALL take an optional ASYNC or SYNC. */
function flushMode(argv: ByteString[]): void {
  if (argv.length > 2 || (argv.length === 2 && !isWord(argv[1], 'async') && !isWord(argv[1], 'sync'))) throw SYNTAX;
}

export const serverCommands: CommandTable = {
  select: {
    arity: 2,
    run(c: CommandContext, argv) {
      c.select(c.dbArg(argv[1]));
      return OK;
    },
  },
  swapdb: {
    arity: 3,
    run(c, argv) {
      let a: number;
      let b: number;
      try {
        a = c.dbArg(argv[1]);
        b = c.dbArg(argv[2]);
      } catch {
        throw argError('invalid first DB index');
      }
      c.dataset.swapDb(a, b);
      c.refresh();
      return OK;
    },
  },
  flushdb: {
    arity: -1,
    run(c, argv) {
      flushMode(argv);
      c.db.clear();
      return OK;
    },
  },
  flushall: {
    arity: -1,
    run(c, argv) {
      flushMode(argv);
      c.dataset.flushAll();
      c.refresh();
      return OK;
    },
  },
  ping: {
    arity: -1,
    run(_c, argv) {
      if (argv.length > 2) throw argError("wrong number of arguments for 'ping' command");
      return argv.length === 2 ? argv[1] : new StatusReply('PONG');
    },
  },
  echo: { arity: 2, run: (_c, argv) => argv[1] },
  dbsize: { arity: 1, run: (c) => c.db.size },
};
