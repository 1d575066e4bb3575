/**
 * The baseline of the convert benchmark's `--to rdb` row: a real redis-server loading the
 * bench RDB and writing it back with `SAVE`, which is what re-encoding a file with Redis
 * itself costs.
 *
 * Each run copies the RDB into a fresh temporary directory as `dump.rdb` first and flushes the
 * copy to disk (outside the timing; `SAVE` replaces that file), starts the server on 127.0.0.1 on a free port with
 * `--dir <copy> --dbfilename dump.rdb`, no save points, no AOF and the log on stdout, and reads
 * the log line by line. Once the line `DB loaded from disk: <s> seconds` appears it connects,
 * sends `SAVE` and waits for the reply. It measures:
 * - the wall seconds from spawn until `SAVE` returned (the figure the bench compares), and
 *   the part of it up to the "loaded" line;
 * - the load time the server printed, and the keys it said it loaded;
 * - the server's CPU seconds when `SAVE` returned (user + system, /proc/<pid>/stat);
 * - its peak RSS (`VmHWM` of /proc/<pid>/status) and the size of the file it saved.
 * The server is then stopped by its PID (SIGTERM, then SIGKILL after a grace period); with no
 * save points it does not save again on the way out. The directory is removed.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './redis-server.js';
import { asText, RespClient, RespError } from './resp-client.js';
import { cpuSecondsOf, peakRssKbOf, sleep, spawnLoggedServer } from './bench-redis-load.js';

/**
 * The encoding settings the bench RDB was written with (Redis 7.0's defaults, spelled out so a
 * distribution's defaults cannot change what the server holds or saves).
 */
export const LOAD_SAVE_CONFIG: Record<string, string | number | boolean> = {
  'hash-max-listpack-entries': 128,
  'hash-max-listpack-value': 64,
  'set-max-intset-entries': 512,
  'zset-max-listpack-entries': 128,
  'zset-max-listpack-value': 64,
  'list-max-listpack-size': -2,
  'list-compress-depth': 0,
  rdbcompression: true,
  rdbchecksum: true,
};

/** What one load + SAVE measured. */
export interface RedisLoadSaveRun {
  /** Wall seconds from spawn until the `SAVE` reply. */
  seconds: number;
  /** Wall seconds from spawn to the "DB loaded from disk" line. */
  loadSeconds: number;
  /** Wall seconds of the `SAVE` round trip. */
  saveSeconds: number;
  /** The load time the server printed. */
  reportedLoadSeconds: number;
  /** The server's user + system CPU seconds when `SAVE` returned (null without /proc). */
  cpuSeconds: number | null;
  /** VmHWM of the server, KiB (null without /proc). */
  peakRssKb: number | null;
  /** Keys the server said it loaded (`Done loading RDB, keys loaded: N`), null when it did not say. */
  keys: number | null;
  /** Size of the file `SAVE` wrote. */
  savedBytes: number;
}

/** Raised when the server exits, logs a load failure or does not finish in time; carries the log. */
export class RedisLoadSaveError extends Error {
  constructor(message: string, readonly log: string) {
    super(`${message}\n--- redis-server output ---\n${log.slice(-3000)}`);
  }
}

const LOADED = /DB loaded from disk: ([\d.]+) seconds/;
const KEYS_LOADED = /Done loading RDB, keys loaded: (\d+)/;
const FAILED = /Short read|Bad file format|Wrong RDB checksum|Unrecoverable error|Fatal error|FATAL|# Can't/;

/**
 * Copies `rdbFile` into a temporary directory, starts `binary` on it, and times the load and a
 * `SAVE` (see the module note). `config` is passed as `--name value` pairs after the fixed ones.
 * @throws RedisLoadSaveError when the server exits early, logs a load failure, answers SAVE
 *   with an error, or does not finish within `timeoutMs`.
 */
export async function timeRedisLoadSave(opts: {
  binary: string;
  rdbFile: string;
  config?: Record<string, string | number | boolean>;
  timeoutMs?: number;
}): Promise<RedisLoadSaveRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-bench-save-'));
  try {
    // A copy-on-write clone where the file system has them, a plain copy otherwise; flushed
    // here, so the kernel does not write the copy back while the server is being timed.
    const copy = path.join(dir, 'dump.rdb');
    await fs.copyFile(opts.rdbFile, copy, fs.constants.COPYFILE_FICLONE);
    const fh = await fs.open(copy, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return await runServer(dir, opts);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function runServer(dir: string, opts: Parameters<typeof timeRedisLoadSave>[0]): Promise<RedisLoadSaveRun> {
  const port = await findFreePort();
  const config: Record<string, string | number | boolean> = {
    port,
    bind: '127.0.0.1',
    dir,
    dbfilename: 'dump.rdb',
    save: '',
    appendonly: false,
    daemonize: false,
    logfile: '',
    ...opts.config,
  };
  let loaded: { seconds: number; reportedSeconds: number } | null = null;
  let keys: number | null = null;
  let failed: string | null = null;
  const server = await spawnLoggedServer(
    opts.binary,
    dir,
    config,
    (line, pid, started) => {
      const k = KEYS_LOADED.exec(line);
      if (k) keys = Number(k[1]);
      const m = LOADED.exec(line);
      if (m && loaded === null) loaded = { seconds: (performance.now() - started) / 1000, reportedSeconds: Number(m[1]) };
      if (FAILED.test(line)) failed ??= line;
    },
    (message, log) => new RedisLoadSaveError(message, log),
  );
  const { pid, started, stop } = server;

  let client: RespClient | null = null;
  try {
    const timeoutMs = opts.timeoutMs ?? 1_800_000;
    const deadline = Date.now() + timeoutMs;
    while (loaded === null) {
      if (failed !== null) throw new RedisLoadSaveError(`redis-server could not load the RDB: ${failed}`, server.log());
      if (server.exited()) throw new RedisLoadSaveError('redis-server server.exited() before loading the RDB', server.log());
      if (Date.now() > deadline) throw new RedisLoadSaveError(`redis-server did not finish loading within ${timeoutMs / 1000} s`, server.log());
      await sleep(2);
    }
    const load = loaded as { seconds: number; reportedSeconds: number };
    while (client === null) {
      if (server.exited()) throw new RedisLoadSaveError('redis-server server.exited() after loading the RDB', server.log());
      if (Date.now() > deadline) throw new RedisLoadSaveError(`redis-server did not answer within ${timeoutMs / 1000} s`, server.log());
      try {
        client = await RespClient.connect(port);
      } catch {
        await sleep(2);
      }
    }
    const saveStarted = performance.now();
    let reply: string;
    try {
      reply = asText(await client.call('SAVE'));
    } catch (e) {
      throw new RedisLoadSaveError(`SAVE failed: ${e instanceof RespError || e instanceof Error ? e.message : String(e)}`, server.log());
    }
    const done = performance.now();
    const cpuSeconds = cpuSecondsOf(pid);
    if (reply !== 'OK') throw new RedisLoadSaveError(`SAVE answered ${JSON.stringify(reply)}`, server.log());
    return {
      seconds: (done - started) / 1000,
      loadSeconds: load.seconds,
      saveSeconds: (done - saveStarted) / 1000,
      reportedLoadSeconds: load.reportedSeconds,
      cpuSeconds,
      peakRssKb: peakRssKbOf(pid),
      keys,
      savedBytes: (await fs.stat(path.join(dir, 'dump.rdb'))).size,
    };
  } finally {
    await client?.close();
    await stop();
  }
}
