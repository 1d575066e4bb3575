/**
 * The baseline of the replay benchmark: a real redis-server starting on a multi-part AOF,
 * timed from spawn until its log says the data was loaded, then asked for `INFO memory`.
 *
 * Each run copies the set into a fresh temporary directory first (outside the timing), since
 * a server opens the incr file for appending and may touch the directory; it starts the
 * server on 127.0.0.1 on a free port with `--appendonly yes --dir <copy> --appenddirname
 * <name>`, no save points and the log on stdout, reads the log line by line, and stops the
 * server by its PID (SIGTERM, then SIGKILL after a grace period) once it has read:
 * - the wall seconds from spawn to the line `DB loaded from append only file: <s> seconds`
 *   (Redis 7.0 writes it once every file of the manifest is loaded), and the seconds the
 *   server itself printed on that line;
 * - the server's CPU seconds at that moment (user + system, /proc/<pid>/stat);
 * - `used_memory`, `used_memory_rss` and the keys of `INFO keyspace` once it answers;
 * - its peak RSS (`VmHWM` of /proc/<pid>/status) just before it is stopped.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './redis-server.js';
import { asText, RespClient, RespError } from './resp-client.js';

/** What one load measured. */
export interface RedisLoadRun {
  /** Wall seconds from spawn to the "loaded" log line. */
  seconds: number;
  /** The load time the server printed on that line. */
  reportedSeconds: number;
  /** The server's user + system CPU seconds when the line was read (null without /proc). */
  cpuSeconds: number | null;
  usedMemoryBytes: number;
  usedMemoryRssBytes: number;
  /** VmHWM of the server, KiB (null without /proc). */
  peakRssKb: number | null;
  /** Keys over every database (`INFO keyspace`). */
  keys: number;
  /** The server's log lines about loading (base file, incr files, RDB counts). */
  loadLines: string[];
}

/** Raised when the server exits, logs a load failure or does not finish in time; carries the log. */
export class RedisLoadError extends Error {
  constructor(message: string, readonly log: string) {
    super(`${message}\n--- redis-server output ---\n${log.slice(-3000)}`);
  }
}

const LOADED = /DB loaded from append only file: ([\d.]+) seconds/;
/** Lines worth keeping from the log: per-file load times and the RDB base's key counts. */
const LOAD_LINE = /DB loaded from|Done loading RDB|Reading RDB base file/;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A process's user + system CPU seconds (/proc/<pid>/stat), or null without /proc. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime are fields 14 and 15, counted after the ")" closing the name; 100 ticks/s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A process's peak RSS in KiB (VmHWM of /proc/<pid>/status), or null without /proc. */
export function peakRssKbOf(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Copies the set in `setDir` (every file in it) into a temporary directory as
 * `<dir>/<appendDirName>/`, starts `binary` on it and measures the load (see the module note).
 * `config` is passed as `--name value` pairs after the fixed arguments.
 * @throws RedisLoadError when the server exits early, logs a bad AOF, or does not finish
 *   loading within `timeoutMs`.
 */
export async function timeRedisLoad(opts: {
  binary: string;
  setDir: string;
  appendDirName: string;
  config?: Record<string, string | number | boolean>;
  timeoutMs?: number;
}): Promise<RedisLoadRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-bench-load-'));
  try {
    const target = path.join(dir, opts.appendDirName);
    await fs.mkdir(target);
    for (const name of await fs.readdir(opts.setDir)) {
      // A copy-on-write clone where the file system has them, a plain copy otherwise.
      await fs.copyFile(path.join(opts.setDir, name), path.join(target, name), fs.constants.COPYFILE_FICLONE);
    }
    return await runServer(dir, opts);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A redis-server started by {@link spawnLoggedServer}. */
export interface LoggedServer {
  pid: number;
  /** `performance.now()` just before the spawn. */
  started: number;
  /** The last 256 kB of its stdout and stderr. */
  log(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after 30 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns `binary` in `dir` with `config` as `--name value` pairs (booleans as yes/no), handing
 * each line of its log to `onLine` as it arrives (with the pid and the spawn time).
 * @throws what `spawnFailed` makes of the reason when the process cannot be started
 */
export async function spawnLoggedServer(
  binary: string,
  dir: string,
  config: Record<string, string | number | boolean>,
  onLine: (line: string, pid: number, started: number) => void,
  spawnFailed: (message: string, log: string) => Error,
): Promise<LoggedServer> {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(config)) argv.push(`--${name}`, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
  let log = '';
  let pending = '';
  let exited = false;
  const started = performance.now();
  const child = spawn(binary, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    log = (log + text).slice(-256_000);
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (pid !== undefined) onLine(line, pid, started);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exitPromise = new Promise<void>((resolve) => child.once('close', () => ((exited = true), resolve())));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (pid === undefined) throw spawnFailed(`could not spawn ${binary}: ${(await spawnError).message}`, log);
  return {
    pid,
    started,
    log: () => log,
    exited: () => exited,
    stop: async () => {
      if (exited) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, 30_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

async function runServer(dir: string, opts: Parameters<typeof timeRedisLoad>[0]): Promise<RedisLoadRun> {
  const port = await findFreePort();
  const config: Record<string, string | number | boolean> = {
    port,
    bind: '127.0.0.1',
    dir,
    save: '',
    appendonly: true,
    appenddirname: opts.appendDirName,
    appendfilename: 'appendonly.aof',
    daemonize: false,
    logfile: '',
    ...opts.config,
  };
  const loadLines: string[] = [];
  let loaded: { seconds: number; reportedSeconds: number; cpuSeconds: number | null } | null = null;
  let failed: string | null = null;
  const server = await spawnLoggedServer(
    opts.binary,
    dir,
    config,
    (line, pid, started) => {
      if (LOAD_LINE.test(line)) loadLines.push(line.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [*#.-] /, ''));
      const m = LOADED.exec(line);
      if (m && loaded === null) loaded = { seconds: (performance.now() - started) / 1000, reportedSeconds: Number(m[1]), cpuSeconds: pid === undefined ? null : cpuSecondsOf(pid) };
      if (/Bad file format|Unrecoverable error|Fatal error|FATAL|# Can't/.test(line)) failed ??= line;
    },
    (message, log) => new RedisLoadError(message, log),
  );
  const { pid, stop } = server;

  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 1_800_000);
    while (loaded === null) {
      if (failed !== null) throw new RedisLoadError(`redis-server could not load the set: ${failed}`, server.log());
      if (server.exited()) throw new RedisLoadError('redis-server server.exited() before loading the set', server.log());
      if (Date.now() > deadline) throw new RedisLoadError(`redis-server did not finish loading within ${(opts.timeoutMs ?? 1_800_000) / 1000} s`, server.log());
      await sleep(2);
    }
    const done = loaded as { seconds: number; reportedSeconds: number; cpuSeconds: number | null };
    let client: RespClient | null = null;
    while (client === null) {
      if (server.exited()) throw new RedisLoadError('redis-server server.exited() after loading the set', server.log());
      try {
        const c = await RespClient.connect(port);
        try {
          await c.call('PING');
          client = c;
        } catch (e) {
          await c.close();
          if (!(e instanceof RespError)) throw e;
          await sleep(20);
        }
      } catch {
        await sleep(20);
      }
    }
    const fields = new Map<string, string>();
    for (const section of ['memory', 'keyspace']) {
      for (const line of asText(await client.call('INFO', section)).split('\r\n')) {
        const at = line.indexOf(':');
        if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
      }
    }
    await client.close();
    let keys = 0;
    for (const [name, value] of fields) if (/^db\d+$/.test(name)) keys += Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
    return {
      ...done,
      usedMemoryBytes: Number(fields.get('used_memory') ?? 0),
      usedMemoryRssBytes: Number(fields.get('used_memory_rss') ?? 0),
      peakRssKb: peakRssKbOf(pid),
      keys,
      loadLines,
    };
  } finally {
    await stop();
  }
}
