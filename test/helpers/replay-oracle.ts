/**
 * The replay's oracle: a real redis-server runs a workload with `appendonly yes`; its own
 * SAVE, read by the RDB loader, is the truth, and the replay of its AOF directory must equal it
 * key for key (stream consumers' seen/active times aside: those are the server's clock).
 * Optionally the same commands are also applied to the engine directly, as a client sent them
 * — for commands whose effect does not depend on the clock or on chance, the direct run must
 * agree too (that checks the forms older servers logged verbatim).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { keyDigest, type DigestOptions } from '../../src/dataset/digest.js';
import { bytesSource } from '../../src/io/source.js';
import { replayPath, type ReplayResult } from '../../src/replay/replay-input.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { renderEntry } from '../dataset/render.js';
import { RespError, startRedis, type RedisHandle } from './redis.js';

/** A command as a client sends it. */
export type Cmd = (string | Buffer)[];

/** Options of {@link runOracle}. */
export interface OracleOptions {
  /** `aof-use-rdb-preamble` (default false). */
  preamble?: boolean;
  /** Run BGREWRITEAOF (and wait for it) after this many commands (all of them: before the SAVE). */
  rewriteAfter?: number;
  /** Also apply the commands directly to an engine (default false). */
  direct?: boolean;
  /** Extra server configuration. */
  config?: Record<string, string | number | boolean>;
  /**
   * The server's active expiry (default true). Off (`DEBUG SET-ACTIVE-EXPIRE 0`), a key expires
   * only when a command touches it, so a TTL that ends between the last command and the SAVE
   * cannot log a DEL after the SAVE was taken.
   */
  activeExpire?: boolean;
  /**
   * After the SAVE, have the server reload its own AOF directory (`DEBUG LOADAOF`) and SAVE
   * again: what Redis itself makes of the AOF, for telling a replay bug from a state the
   * server's AOF does not carry (default false).
   */
  reload?: boolean;
}

/** What one run gave. */
export interface OracleRun {
  /** The server's SAVE, loaded. */
  saved: Dataset;
  /** The replay of its AOF directory. */
  replayed: ReplayResult;
  /** The engine fed the client's commands (with `direct`). */
  direct: Dataset | null;
  /** Replies (or error texts) the server gave, one per command. */
  replies: unknown[];
  /** The AOF directory's files, by name, for a failing test to show. */
  aofFiles: Record<string, Buffer>;
  /** The server's SAVE after it reloaded its AOF (with `reload`). */
  reloaded: Dataset | null;
}

/** Digest options of the comparison: consumers' times are the server's clock. */
export const ORACLE_DIGEST: DigestOptions = { consumerTimes: false };

/** Starts a server configured for the oracle (AOF on, timestamps, fsync always). */
export function startOracleServer(opts: OracleOptions = {}): Promise<RedisHandle> {
  return startRedis({
    appendonly: true,
    config: {
      'aof-timestamp-enabled': 'yes',
      'aof-use-rdb-preamble': opts.preamble ? 'yes' : 'no',
      appendfsync: 'always',
      ...opts.config,
    },
  });
}

/** Waits until no AOF rewrite is running or scheduled (asking on `client`, default the server's). */
export async function waitRewrite(server: RedisHandle, client = server.client): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = String(await client.call('INFO', 'persistence'));
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('AOF rewrite did not finish');
}

/** Runs `cmds` on a fresh server and returns the truth and the replay. */
export async function runOracle(cmds: Cmd[], opts: OracleOptions = {}): Promise<OracleRun> {
  const server = await startOracleServer(opts);
  // The rewrite, its wait and the SAVE go on a connection of their own: the workload's may be
  // inside a MULTI block its commands left open.
  const control = await server.connect();
  try {
    if (opts.activeExpire === false) await control.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    // A rewrite the server started by itself (the AOF outgrew auto-aof-rewrite-min-size) is
    // waited for, then ours runs.
    const rewrite = async () => {
      for (;;) {
        try {
          await control.call('BGREWRITEAOF');
          break;
        } catch (e) {
          if (!(e instanceof RespError && /already in progress/.test(e.message))) throw e;
          await waitRewrite(server, control);
        }
      }
      await waitRewrite(server, control);
    };
    const replies: unknown[] = [];
    for (let i = 0; i < cmds.length; i++) {
      if (opts.rewriteAfter === i) await rewrite();
      try {
        replies.push(await server.client.call(...cmds[i]));
      } catch (e) {
        if (!(e instanceof RespError)) throw e;
        replies.push(e);
      }
    }
    if (opts.rewriteAfter === cmds.length) await rewrite();
    await waitRewrite(server, control);
    await control.call('SAVE');
    const readDump = async () => (await loadRdb(bytesSource(new Uint8Array(readFileSync(server.dumpPath)), 'dump.rdb'))).dataset;
    const saved = await readDump();
    const dir = join(server.dir, 'appendonlydir');
    const replayed = await replayPath(dir);
    const aofFiles: Record<string, Buffer> = {};
    for (const f of replayed.input.parts) aofFiles[f.name] = readFileSync(f.path);
    let reloaded: Dataset | null = null;
    if (opts.reload) {
      await control.call('DEBUG', 'LOADAOF');
      await control.call('SAVE');
      reloaded = await readDump();
    }
    let direct: Dataset | null = null;
    if (opts.direct) {
      direct = new Dataset();
      const engine = new ReplayEngine(direct);
      engine.startFile('client');
      for (const c of cmds) {
        try {
          engine.apply(c.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8').toString('latin1') : a.toString('latin1'))));
        } catch {
          // A command the server refused is refused here too; what matters is the data.
        }
      }
    }
    return { saved, replayed, direct, replies, aofFiles, reloaded };
  } finally {
    await control.close();
    await server.stop();
  }
}

/**
 * The differences between two datasets, one line per key that differs (absent on one side,
 * or another value, type or expiry), with both renderings; empty when they are equal.
 */
export function datasetDiff(a: Dataset, b: Dataset, opts: DigestOptions = ORACLE_DIGEST, max = 10): string[] {
  const out: string[] = [];
  const index = (ds: Dataset) => {
    const m = new Map<string, ReturnType<typeof renderOne>>();
    for (const e of ds.entries()) m.set(`${e.db}:${JSON.stringify(e.key)}`, renderOne(e, opts));
    return m;
  };
  const ia = index(a);
  const ib = index(b);
  for (const [k, va] of ia) {
    const vb = ib.get(k);
    if (vb === undefined) out.push(`${k}: only in the first: ${va.text}`);
    else if (va.digest !== vb.digest) out.push(`${k}: differs:\n  first:  ${va.text}\n  second: ${vb.text}`);
  }
  for (const [k, vb] of ib) if (!ia.has(k)) out.push(`${k}: only in the second: ${vb.text}`);
  const fa = a.functions.names().join(',');
  const fb = b.functions.names().join(',');
  if (fa !== fb) out.push(`function libraries differ: [${fa}] vs [${fb}]`);
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more`] : out;
}

function renderOne(e: Parameters<typeof renderEntry>[0], opts: DigestOptions): { digest: string; text: string } {
  const text = JSON.stringify(renderEntry(e));
  return { digest: keyDigest(e.value, e.expireAtMs, opts), text: text.length > 600 ? `${text.slice(0, 600)}…` : text };
}
