/**
 * Test helper for command families: the client's commands applied to an engine one by one,
 * keeping each reply (or refusal) in the form the server's RESP client gives, so that a test
 * can hold the engine's replies against a real server's — which checks the read-only
 * commands and the error texts too — and a comparison of datasets that allows relative
 * expiries to differ by the few milliseconds between the server's clock and the engine's.
 */
import { Dataset } from '../../src/dataset/dataset.js';
import type { ByteString } from '../../src/dataset/byte-string.js';
import { keyDigest } from '../../src/dataset/digest.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { arityOk } from '../../src/replay/command.js';
import { CommandError, arityError } from '../../src/replay/errors.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import { ORACLE_DIGEST, type Cmd } from '../helpers/replay-oracle.js';
import { RespError } from '../helpers/redis.js';

/** A reply in comparable form: bulk strings as Latin-1 text, statuses and errors tagged. */
export type Plain = null | number | string | { status: string } | { error: string } | Plain[];

/** A client command as the engine takes it. */
export function toArgv(c: Cmd): ByteString[] {
  return c.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8').toString('latin1') : a.toString('latin1')));
}

/** The server's reply (from the test RESP client) in comparable form. */
export function plainServer(v: unknown): Plain {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return { status: v };
  if (v instanceof RespError) return { error: v.message };
  if (Array.isArray(v)) return v.map(plainServer);
  throw new Error(`unexpected reply ${String(v)}`);
}

function plainEngine(r: Reply): Plain {
  if (r instanceof StatusReply) return { status: r.status };
  if (Array.isArray(r)) return r.map(plainEngine);
  return r;
}

/** What {@link applyDirect} gives: the engine's dataset and one reply per command. */
export interface DirectRun {
  dataset: Dataset;
  replies: Plain[];
}

/**
 * Applies each command to a fresh engine as a client would send it (no MULTI), recording
 * its reply, or the refusal's text as the server words it.
 */
export function applyDirect(cmds: Cmd[], nowMs = Date.now()): DirectRun {
  const dataset = new Dataset();
  const engine = new ReplayEngine(dataset, { nowMs });
  engine.startFile('client');
  const replies: Plain[] = [];
  for (const cmd of cmds) {
    const argv = toArgv(cmd);
    const name = argv[0].toLowerCase();
    const spec = engine.lookup(name);
    try {
      if (spec === undefined) throw new Error(`no command ${name}`);
      if (!arityOk(spec.arity, argv.length)) throw arityError(name);
      replies.push(plainEngine(spec.run(engine.context, argv)));
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      replies.push({ error: e.reply });
    }
  }
  return { dataset, replies };
}

/** The commands whose replies differ, with both replies (empty when all agree). */
export function replyDiff(cmds: Cmd[], server: unknown[], engine: Plain[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) {
    const a = JSON.stringify(plainServer(server[i]));
    const b = JSON.stringify(engine[i]);
    if (a !== b) out.push(`#${i} ${cmds[i].map(String).join(' ').slice(0, 120)}: server ${a.slice(0, 300)} engine ${b.slice(0, 300)}`);
  }
  return out;
}

/**
 * Keys that differ between two datasets in value, or in expiry by more than `toleranceMs`
 * (relative expiries computed by two clocks); empty when they agree.
 */
export function looseDiff(a: Dataset, b: Dataset, toleranceMs: number): string[] {
  const index = (ds: Dataset) => new Map([...ds.entries()].map((e) => [`${e.db}:${JSON.stringify(e.key)}`, e] as const));
  const ia = index(a);
  const ib = index(b);
  const out: string[] = [];
  for (const [k, ea] of ia) {
    const eb = ib.get(k);
    if (eb === undefined) out.push(`${k}: only in the first`);
    else if (keyDigest(ea.value, null, ORACLE_DIGEST) !== keyDigest(eb.value, null, ORACLE_DIGEST)) out.push(`${k}: values differ`);
    else if ((ea.expireAtMs === null) !== (eb.expireAtMs === null)) out.push(`${k}: expiry ${ea.expireAtMs} vs ${eb.expireAtMs}`);
    else if (ea.expireAtMs !== null && Math.abs(ea.expireAtMs - (eb.expireAtMs as number)) > toleranceMs) out.push(`${k}: expiry ${ea.expireAtMs} vs ${eb.expireAtMs}`);
  }
  for (const k of ib.keys()) if (!ia.has(k)) out.push(`${k}: only in the second`);
  return out;
}
