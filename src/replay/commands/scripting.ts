/**
 * The scripting commands: EVAL, EVALSHA and SCRIPT (LOAD, FLUSH, EXISTS). Servers before 5.0
 * wrote scripts into the AOF as they received them (`EVAL`, EVALSHA turned into EVAL the first
 * time, then `EVALSHA`; `SCRIPT LOAD`, `SCRIPT FLUSH`), and loading such a file runs them: the
 * replay runs them in a Lua VM (src/replay/lua), loaded the first time a script appears.
 *
 * The script cache holds bodies by SHA1, filled by EVAL and SCRIPT LOAD (and by the `lua` AUX
 * fields of an RDB part, which Redis 4.0–6.2 loaded as scripts), emptied by SCRIPT FLUSH.
 *
 * A script that raises an error (a `redis.call` refused, a Lua runtime error) stopped on the
 * server too, keeping what it had done, and the server logged it all the same when it had
 * written something: the replay keeps its effects and goes on, and counts it
 * ({@link scriptStats}). A command Redis refuses before any script runs — EVALSHA of an unknown
 * SHA1 (NOSCRIPT), a body that does not compile, a bad key count — is refused here (the server
 * never logged it): REPLAY_SCRIPT_ERROR or REPLAY_BAD_ARGUMENT. So is a script that needs what
 * the replay cannot do faithfully (a command the engine does not know, `cmsgpack`, `struct`);
 * the effects it made up to that point stay.
 *
 * A script runs in the caller's database; a SELECT inside it does not change the caller's.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { CommandError, argError, arityError } from '../errors.js';
import { parseInteger } from '../args.js';
import { OK, type Reply } from '../reply.js';
import { LuaVm, ScriptErrorReply, sha1hex, type ScriptReply } from '../lua/vm.js';

/** Scripts that raised an error, with their effects kept. */
export interface ScriptStats {
  /** Scripts run (EVAL and EVALSHA). */
  runs: number;
  /** Runs that ended with a script error. */
  errors: number;
  /** The first errors: the script's SHA1 and Redis's error text. */
  errorSamples: { sha: string; error: string }[];
}

interface ScriptingState {
  /** The Lua VM, created on first use and dropped by SCRIPT FLUSH. */
  vm: LuaVm | null;
  /** Script bodies by SHA1. */
  scripts: Map<string, ByteString>;
  /** SHA1s of the bodies EVAL ran, so that a body seen before is not hashed again. */
  shas: Map<ByteString, string>;
  stats: ScriptStats;
}

const MAX_ERROR_SAMPLES = 20;
const NOSCRIPT = new CommandError('script', 'NOSCRIPT No matching script. Please use EVAL.');

function stateOf(c: CommandContext): ScriptingState {
  let s = c.state.get('scripting') as ScriptingState | undefined;
  if (s === undefined) {
    s = { vm: null, scripts: new Map(), shas: new Map(), stats: { runs: 0, errors: 0, errorSamples: [] } };
    for (const aux of c.dataset.aux) if (aux.name === 'lua') s.scripts.set(sha1hex(aux.value), aux.value);
    c.state.set('scripting', s);
  }
  return s;
}

/** What the scripts run so far did (zero counts before any script). */
export function scriptStats(c: CommandContext): ScriptStats {
  return (c.state.get('scripting') as ScriptingState | undefined)?.stats ?? { runs: 0, errors: 0, errorSamples: [] };
}

/** Defines a script in the VM (created if needed). @throws CommandError when it does not compile. */
function define(s: ScriptingState, sha: string, body: ByteString): LuaVm {
  const vm = (s.vm ??= new LuaVm());
  if (!vm.has(sha)) {
    const error = vm.define(sha, body);
    if (error !== null) throw new CommandError('script', error);
  }
  s.scripts.set(sha, body);
  return vm;
}

/**
 * EVAL (`evalsha` false) and EVALSHA: checks the key count, finds or defines the script, runs
 * it. @returns the script's reply, with an error reply as {@link ScriptErrorReply}.
 * @throws CommandError when Redis would refuse the command, or the replay cannot follow the script.
 */
export function evalScript(c: CommandContext, argv: ByteString[], evalsha: boolean): ScriptReply {
  const numkeys = parseInteger(argv[2]);
  if (numkeys > argv.length - 3) throw argError("Number of keys can't be greater than number of args");
  if (numkeys < 0) throw argError("Number of keys can't be negative");
  const s = stateOf(c);
  let sha: string;
  let vm: LuaVm;
  if (evalsha) {
    if (argv[1].length !== 40) throw NOSCRIPT;
    sha = argv[1].toLowerCase();
    const body = s.scripts.get(sha);
    if (body === undefined) throw NOSCRIPT;
    vm = define(s, sha, body);
  } else {
    const body = argv[1];
    sha = s.shas.get(body) ?? sha1hex(body);
    vm = define(s, sha, body);
    if (!s.shas.has(body)) s.shas.set(body, sha);
  }
  const db = c.dbIndex;
  s.stats.runs++;
  try {
    const out = vm.run(sha, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), c.call);
    if (out.ok) return out.reply;
    s.stats.errors++;
    if (s.stats.errorSamples.length < MAX_ERROR_SAMPLES) s.stats.errorSamples.push({ sha, error: out.error });
    return new ScriptErrorReply(out.error);
  } finally {
    c.select(db);
  }
}

/** The engine's reply for a script reply: an error reply has no form there, so it is nil. */
function engineReply(r: ScriptReply): Reply {
  return r instanceof ScriptErrorReply ? null : r;
}

function script(c: CommandContext, argv: ByteString[]): Reply {
  const sub = argv[1].length <= 10 ? argv[1].toLowerCase() : '';
  const s = stateOf(c);
  if (sub === 'load') {
    if (argv.length !== 3) throw arityError('script|load');
    const sha = sha1hex(argv[2]);
    define(s, sha, argv[2]);
    return sha;
  }
  if (sub === 'flush') {
    if (argv.length > 3) throw arityError('script|flush');
    if (argv.length === 3) {
      const mode = argv[2].toLowerCase();
      if (mode !== 'async' && mode !== 'sync') throw argError('SCRIPT FLUSH only support SYNC|ASYNC option');
    }
    s.vm = null;
    s.scripts.clear();
    s.shas.clear();
    return OK;
  }
  if (sub === 'exists') {
    if (argv.length < 3) throw arityError('script|exists');
    return argv.slice(2).map((sha) => (s.scripts.has(sha.toLowerCase()) ? 1 : 0));
  }
  if (sub === 'kill') throw new CommandError('argument', 'NOTBUSY No scripts in execution right now.');
  throw argError(`unknown subcommand '${argv[1].slice(0, 128)}'. Try SCRIPT HELP.`);
}

export const scriptingCommands: CommandTable = {
  eval: { arity: -3, run: (c, argv) => engineReply(evalScript(c, argv, false)) },
  evalsha: { arity: -3, run: (c, argv) => engineReply(evalScript(c, argv, true)) },
  script: { arity: -2, run: script },
};
