/**
 * The FUNCTION commands that change the libraries (Redis 7.0+): LOAD [REPLACE], DELETE,
 * FLUSH [ASYNC|SYNC] and RESTORE of a FUNCTION DUMP payload [FLUSH|APPEND|REPLACE].
 *
 * A library is kept as its source. Its header line is checked as Redis checks it (engine
 * `lua`, one valid name); its Lua code is not compiled, so what only a Lua VM can tell — a
 * syntax error, a library that registers no function, two libraries registering the same
 * function name — is not refused here (Redis refused such a library before logging it, so a
 * file it wrote never holds one).
 *
 * FCALL and FCALL_RO are never in a file (Redis logs the writes a function makes, not the
 * call); they are refused as unknown. The read-only subcommands (LIST, DUMP, STATS, KILL,
 * HELP) are not in a file either, nor can a script call FUNCTION.
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, arityError, CommandError } from '../errors.js';
import { isWord, word } from '../args.js';
import { OK, type Reply } from '../reply.js';
import type { DumpLibrary } from '../dump-payload.js';
import { librariesArg } from '../payload-arg.js';
import { parseLibraryHeader } from '../../dataset/functions.js';
import { fromByteString, type ByteString } from '../../dataset/byte-string.js';
import { RdbtoolError } from '../../errors.js';

/** Subcommand arities, as Redis 7's command table gives them. */
const SUB_ARITY: Readonly<Record<string, number>> = { load: -3, delete: 3, flush: -2, restore: -3 };

/** Subcommands that only read: never in a file. */
const READ_ONLY = new Set(['list', 'dump', 'stats', 'kill', 'help']);

/**
 * The library name of a source, its header checked as FUNCTION LOAD checks it.
 * @throws CommandError with the reason when Redis would refuse the header.
 */
function checkedName(code: ByteString | Uint8Array): ByteString {
  let header;
  try {
    header = parseLibraryHeader(code);
  } catch (e) {
    if (e instanceof RdbtoolError) throw argError(e.reason);
    throw e;
  }
  // Engines are looked up case-insensitively; Lua is the only one Redis has.
  if (!isWord(header.engine, 'lua')) throw argError(`Engine '${header.engine}' not found`);
  return header.name;
}

function load(c: CommandContext, argv: ByteString[]): Reply {
  let replace = false;
  let i = 2;
  while (i < argv.length - 1) {
    const opt = argv[i++];
    if (!isWord(opt, 'replace')) throw argError(`Unknown option given: ${opt}`);
    replace = true;
  }
  const code = argv[argv.length - 1];
  const name = checkedName(code);
  const libs = c.dataset.functions;
  if (!replace && libs.get(name) !== undefined) throw argError(`Library '${name}' already exists`);
  libs.load(fromByteString(code), true);
  return name;
}

function del(c: CommandContext, argv: ByteString[]): Reply {
  if (!c.dataset.functions.delete(argv[2])) throw argError('Library not found');
  return OK;
}

function flush(c: CommandContext, argv: ByteString[]): Reply {
  if (argv.length > 3) throw subcommandSyntax('flush');
  if (argv.length === 3 && !isWord(argv[2], 'sync') && !isWord(argv[2], 'async')) throw argError('FUNCTION FLUSH only supports SYNC|ASYNC option');
  c.dataset.functions.clear();
  return OK;
}

/** The libraries of a FUNCTION DUMP payload, headers checked. @throws CommandError (payload) when Redis would refuse it. */
function readLibraries(s: ByteString): DumpLibrary[] {
  const libs = librariesArg(s);
  for (const lib of libs) {
    try {
      checkedName(lib.code);
    } catch (e) {
      throw e instanceof CommandError ? new CommandError('payload', e.reply) : e;
    }
  }
  return libs;
}

function restore(c: CommandContext, argv: ByteString[]): Reply {
  if (argv.length > 4) throw subcommandSyntax('restore');
  let policy = 'append';
  if (argv.length === 4) {
    policy = word(argv[3]);
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      throw argError('Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
  }
  const incoming = readLibraries(argv[2]);
  const libs = c.dataset.functions;
  if (policy === 'flush') libs.clear();
  else if (policy === 'append') {
    // All or nothing: one name taken refuses the whole payload.
    for (const { name } of incoming) if (libs.get(name) !== undefined) throw argError(`Library ${name} already exists`);
  }
  for (const { code } of incoming) libs.load(code, true);
  return OK;
}

function subcommandSyntax(sub: string): CommandError {
  return argError(`unknown subcommand or wrong number of arguments for '${sub}'. Try FUNCTION HELP.`);
}

function neverLogged(name: string): CommandError {
  return new CommandError('unknown', `ERR ${name} is never in an AOF (Redis logs the writes a function makes, not the call): the replay does not run functions`);
}

export const functionsCommands: CommandTable = {
  function: {
    arity: -2,
    run(c, argv) {
      const sub = word(argv[1]);
      const arity = SUB_ARITY[sub];
      if (arity === undefined) {
        if (READ_ONLY.has(sub)) throw new CommandError('unknown', `ERR FUNCTION ${sub.toUpperCase()} only reads, and is never in an AOF: the replay does not apply it`);
        throw new CommandError('unknown', `ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try FUNCTION HELP.`);
      }
      if (arity > 0 ? argv.length !== arity : argv.length < -arity) throw arityError(`function|${sub}`);
      switch (sub) {
        case 'load':
          return load(c, argv);
        case 'delete':
          return del(c, argv);
        case 'flush':
          return flush(c, argv);
        default:
          return restore(c, argv);
      }
    },
  },
  fcall: {
    arity: -3,
    run() {
      throw neverLogged('FCALL');
    },
  },
  fcall_ro: {
    arity: -3,
    run() {
      throw neverLogged('FCALL_RO');
    },
  },
};
