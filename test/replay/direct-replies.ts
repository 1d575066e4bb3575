/**
 * Applying a client's commands to the engine one by one and keeping every reply, in the form a
 * real server's replies are brought to ({@link serverReply}), so that a test can compare the
 * engine's replies and refusals with the server's, command for command.
 */
import { Dataset } from '../../src/dataset/dataset.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { CommandError, ReplayError } from '../../src/replay/errors.js';
import { COMMANDS } from '../../src/replay/commands/index.js';
import { arityOk } from '../../src/replay/command.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import type { Cmd } from '../helpers/replay-oracle.js';
import { RespError } from '../helpers/redis.js';

/** Arguments as the engine takes them (bytes as Latin-1 strings). */
export function argvOf(cmd: Cmd): string[] {
  return cmd.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a).toString('latin1'));
}

/**
 * Runs `cmds` on a fresh engine (MULTI and EXEC skipped: the commands between them run in
 * place, as they would at EXEC) and returns the dataset and one reply per command: the
 * engine's reply, or `err:` and Redis's error text.
 */
export function applyDirect(cmds: Cmd[], nowMs = 1_800_000_000_000): { ds: Dataset; replies: unknown[] } {
  const ds = new Dataset();
  const engine = new ReplayEngine(ds, { nowMs });
  engine.startFile('direct');
  const replies: unknown[] = [];
  for (const cmd of cmds) {
    const argv = argvOf(cmd);
    const name = argv[0].toLowerCase();
    if (name === 'multi' || name === 'exec') {
      replies.push(name === 'multi' ? '+OK' : 'exec');
      continue;
    }
    const spec = COMMANDS[name];
    if (spec === undefined) throw new Error(`no command ${name}`);
    if (!arityOk(spec.arity, argv.length)) {
      replies.push(`err:ERR wrong number of arguments for '${name}' command`);
      continue;
    }
    try {
      replies.push(engineReply(spec.run(engine.context, argv)));
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      replies.push(`err:${e.reply}`);
    }
  }
  return { ds, replies };
}

/** An engine reply in comparable form (status replies as `+TEXT`). */
export function engineReply(r: Reply): unknown {
  if (r instanceof StatusReply) return `+${r.status}`;
  if (Array.isArray(r)) return r.map(engineReply);
  return r;
}

/** A server reply in the same form (bulk strings as Latin-1, errors as `err:` and the text). */
export function serverReply(r: unknown): unknown {
  if (r instanceof RespError) return `err:${r.message}`;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  if (typeof r === 'bigint') return Number(r);
  if (typeof r === 'string') return `+${r}`;
  if (Array.isArray(r)) return r.map(serverReply);
  return r;
}

/** The same reply with its array sorted (for replies whose order is the server's hash table's). */
export function unordered(r: unknown): unknown {
  return Array.isArray(r) ? [...r].sort() : r;
}

/**
 * Compares the server's replies with the engine's, command by command; `unorderedWhen` names
 * the commands whose array replies are compared as sets. Returns the differences.
 */
export function replyDiff(cmds: Cmd[], server: unknown[], engine: unknown[], unorderedWhen: (argv: string[]) => boolean = () => false): string[] {
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) {
    const argv = argvOf(cmds[i]);
    if (argv[0].toLowerCase() === 'exec') continue;
    let a = serverReply(server[i]);
    if (a === '+QUEUED') continue; // inside MULTI: the server answers at EXEC
    let b = engine[i];
    if (unorderedWhen(argv)) {
      a = unordered(a);
      b = unordered(b);
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`#${i} ${argv.join(' ').slice(0, 120)}: server ${JSON.stringify(a)} engine ${JSON.stringify(b)}`);
  }
  return out;
}

/** The code of the ReplayError that applying `argv` through the engine throws (or 'none'). */
export function refusalCode(argv: string[], prepare: string[][] = []): string {
  const engine = new ReplayEngine(new Dataset(), { nowMs: 1_800_000_000_000 });
  engine.startFile('refusal.aof');
  for (const p of prepare) engine.apply(p);
  try {
    engine.apply(argv, { file: 'refusal.aof', offset: 7, line: 3 });
  } catch (e) {
    if (e instanceof ReplayError && e.file === 'refusal.aof' && e.offset === 7) return e.code;
    throw e;
  }
  return 'none';
}
