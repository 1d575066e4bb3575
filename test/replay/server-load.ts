/**
 * Test helper: what a real redis-server holds after loading AOF files at start-up — the
 * oracle for hand-written and third-party AOFs. The files are written into a fresh temporary
 * directory (a single `appendonly.aof`, which Redis 7.0 upgrades into a multi-part set on
 * start, or an `appendonlydir/` with a manifest), the server starts on it with `appendonly
 * yes`, SAVEs, and the RDB it wrote is loaded into a {@link Dataset} (as runOracle does). A
 * server that refuses the files (it exits during start) gives its log instead.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { replayPath, type ReplayInputOptions, type ReplayResult } from '../../src/replay/replay-input.js';
import { RedisStartError, startRedis } from '../helpers/redis.js';

/** The AOF to load: the bytes of a single `appendonly.aof`, or the files of `appendonlydir/` by name (manifest included). */
export type AofFiles = Uint8Array | Record<string, Uint8Array | string>;

/** What the server did with the files. */
export type ServerLoad =
  | { loaded: true; dataset: Dataset; log: string; version: string; scripts?: boolean[] }
  | { loaded: false; log: string };

/**
 * Starts a server on `files`, and SAVEs what it loaded.
 * @param sha1s script digests to ask SCRIPT EXISTS about once loaded (`scripts` in the result).
 */
export async function loadInServer(files: AofFiles, opts: { config?: Record<string, string>; sha1s?: string[] } = {}): Promise<ServerLoad> {
  const dir = writeAof(files);
  try {
    let server;
    try {
      server = await startRedis({
        appendonly: true,
        config: { dir, appendfilename: 'appendonly.aof', appenddirname: 'appendonlydir', 'aof-use-rdb-preamble': 'no', ...opts.config },
      });
    } catch (e) {
      if (e instanceof RedisStartError) return { loaded: false, log: e.log };
      throw e;
    }
    try {
      await server.client.call('SAVE');
      const scripts = opts.sha1s && opts.sha1s.length > 0 ? ((await server.client.call('SCRIPT', 'EXISTS', ...opts.sha1s)) as unknown[]).map((x) => Number(x) === 1) : undefined;
      const dataset = (await loadRdb(bytesSource(new Uint8Array(readFileSync(join(dir, 'dump.rdb'))), 'dump.rdb'))).dataset;
      return { loaded: true, dataset, log: server.output(), version: server.version, scripts };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replays `files` as they would lie in a server's directory (a single file, or an `appendonlydir/`). */
export async function replayFiles(files: AofFiles, opts: ReplayInputOptions = {}): Promise<ReplayResult> {
  const dir = writeAof(files);
  try {
    return await replayPath(files instanceof Uint8Array ? join(dir, 'appendonly.aof') : dir, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh temporary directory holding `files`. */
function writeAof(files: AofFiles): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdbtool-server-load-'));
  if (files instanceof Uint8Array) writeFileSync(join(dir, 'appendonly.aof'), files);
  else {
    mkdirSync(join(dir, 'appendonlydir'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, 'appendonlydir', name), bytes);
  }
  return dir;
}

/** One command in RESP, as an AOF holds it (string arguments as Latin-1 bytes). */
export function resp(...argv: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** The physical line (1-based) that byte `offset` of `bytes` is on. */
export function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
