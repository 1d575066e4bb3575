/**
 * The one harness that starts a throw-away `redis-server` for fixtures, round-trip tests
 * and the benchmark (STYLE §2.12).
 *
 * Each server listens on 127.0.0.1 only, on a free port, with a fresh temporary directory
 * (`<tmpdir>/rdbtool-redis-XXXXXX`) as its `dir`, no save points, no AOF unless asked, and
 * `--enable-debug-command local` (for `DEBUG DIGEST`, `DEBUG QUICKLIST-PACKED-THRESHOLD` …).
 * `stop()` signals only the PID this module spawned and then removes the directory.
 *
 * Typical use:
 * ```ts
 * const redis = await startRedis({ config: { 'list-max-listpack-size': 4 } });
 * try {
 *   await redis.client.call('SET', 'k', 'v');
 *   await redis.client.call('SAVE');          // writes redis.dumpPath
 * } finally {
 *   await redis.stop();
 * }
 * ```
 * To let a server load a file, pass `rdbFile` (copied in as `dump.rdb` before start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { asText, RespClient, RespError } from './resp-client.js';

/** Environment variable that overrides the PATH lookup of the `redis-server` binary. */
export const REDIS_SERVER_ENV = 'RDBTOOL_REDIS_SERVER';

/** Printed whenever a server binary is missing. */
export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server redis-tools`) ' +
  `or point ${REDIS_SERVER_ENV} at the binary.`;

/** Options for {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Extra configuration, passed as `--name value` on the command line (so any directive
   * `redis.conf` accepts works). Booleans become `yes`/`no`. Applied after the defaults,
   * so it can override `save`, `appendonly`, `dbfilename` …; `null` leaves a default out
   * (`'enable-debug-command': null` for servers before 7.0, which do not know it).
   */
  config?: Record<string, string | number | boolean | null>;
  /** Raw extra command-line arguments, appended last. */
  args?: string[];
  /** Start with `appendonly yes` (default `false`). */
  appendonly?: boolean;
  /** An RDB file to copy into the temp dir as the `dbfilename` (default `dump.rdb`) so the server loads it at start. */
  rdbFile?: string;
  /** Binary to run; default {@link findRedisServer}(). */
  binary?: string;
  /** How long to wait for the first `PONG`, including loading `rdbFile` (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()` (default 5 000 ms). */
  stopTimeoutMs?: number;
  /** Keep the temp dir after `stop()` (for debugging); default `false`. */
  keepDir?: boolean;
}

/** A running server started by {@link startRedis}. */
export interface RedisHandle {
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** The server's temp `dir` (its working directory for RDB/AOF files). */
  readonly dir: string;
  /** Absolute path of the RDB file `SAVE` writes (`dir` + `dbfilename`). */
  readonly dumpPath: string;
  /** PID of the spawned `redis-server`. */
  readonly pid: number;
  /** `redis_version` from `INFO server`, e.g. `7.0.15`. */
  readonly version: string;
  /** A connected RESP2 client (closed by `stop()`). */
  readonly client: RespClient;
  /** Opens another connection to the same server (the caller closes it). */
  connect(): Promise<RespClient>;
  /** Everything the server wrote to stdout/stderr so far (its log; last 1 MiB). */
  output(): string;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; then removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

/** Raised when the server exits or does not answer PING in time; carries its log. */
export class RedisStartError extends Error {
  override name = 'RedisStartError';
  constructor(
    message: string,
    /** The server's stdout/stderr up to the failure. */
    readonly log: string,
    /** The temp dir the server was given (already removed unless `keepDir`). */
    readonly dir: string,
  ) {
    super(`${message}\n--- redis-server output ---\n${log.slice(-4000)}`);
  }
}

/**
 * Finds an executable on `PATH`.
 * @returns its absolute path, or `null`.
 */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Locates `redis-server`: `$RDBTOOL_REDIS_SERVER` when set, otherwise a `PATH` lookup.
 * @returns the absolute path, or `null` when it is not installed.
 */
export function findRedisServer(): string | null {
  const override = process.env[REDIS_SERVER_ENV];
  if (override) return override;
  return findExecutable('redis-server');
}

/** Asks the kernel for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** Servers still running, killed synchronously if the Node process exits without `stop()`. */
const live = new Map<number, { child: ChildProcess; dir: string; keepDir: boolean }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [pid, entry] of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (!entry.keepDir) rmSync(entry.dir, { recursive: true, force: true });
    }
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retained server output per handle. */
const OUTPUT_LIMIT = 1 << 20;

function toArg(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/**
 * Starts a `redis-server` and waits until it answers `PING` (a `LOADING` reply while it
 * reads `rdbFile` counts as "not yet").
 *
 * Fixed arguments: `--port <free> --bind 127.0.0.1 --dir <tmp> --save '' --appendonly no
 * --daemonize no --enable-debug-command local --logfile ''` (log to stdout, captured), then
 * `config`, then `args`. The port is picked by {@link findFreePort}; if another process
 * takes it before the server binds, the start is retried (3 attempts).
 *
 * @throws Error with install instructions when `redis-server` is missing.
 * @throws {RedisStartError} when the server exits early (bad config, unloadable
 *   `rdbFile` …) or does not answer within `startTimeoutMs`.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const binary = opts.binary ?? findRedisServer();
  if (!binary) throw new Error(REDIS_INSTALL_HINT);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, opts);
    } catch (err) {
      lastError = err;
      // Only a lost port race is worth another attempt.
      if (!(err instanceof RedisStartError) || !/address already in use/i.test(err.log)) throw err;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, opts: StartRedisOptions): Promise<RedisHandle> {
  const port = await findFreePort();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-redis-'));
  const keepDir = opts.keepDir ?? false;
  const config: Record<string, string | number | boolean | null> = {
    port,
    bind: '127.0.0.1',
    dir,
    save: '',
    appendonly: opts.appendonly ?? false,
    daemonize: false,
    'enable-debug-command': 'local',
    logfile: '',
    ...opts.config,
  };
  const dbfilename = String(config.dbfilename ?? 'dump.rdb');
  if (opts.rdbFile) await fs.copyFile(opts.rdbFile, path.join(dir, dbfilename));
  const argv: string[] = [];
  for (const [name, value] of Object.entries(config)) if (value !== null) argv.push(`--${name}`, toArg(value));
  argv.push(...(opts.args ?? []));

  let output = '';
  const child = spawn(binary, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (child.pid !== undefined) live.delete(child.pid);
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const cleanupFailedStart = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    if (!keepDir) await fs.rm(dir, { recursive: true, force: true });
  };

  const pid = child.pid;
  if (pid === undefined) {
    const err = await spawnError;
    await fs.rm(dir, { recursive: true, force: true });
    throw new RedisStartError(`could not spawn ${binary}: ${err.message}`, output, dir);
  }
  installExitHook();
  live.set(pid, { child, dir, keepDir });

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  let client: RespClient | null = null;
  while (!client) {
    if (exited) {
      await cleanupFailedStart();
      const how = exited as { code: number | null; signal: NodeJS.Signals | null };
      throw new RedisStartError(`redis-server exited during start (code ${how.code}, signal ${how.signal})`, output, dir);
    }
    if (Date.now() > deadline) {
      await cleanupFailedStart();
      throw new RedisStartError(`redis-server did not answer PING within ${opts.startTimeoutMs ?? 30_000} ms`, output, dir);
    }
    try {
      const candidate = await RespClient.connect(port);
      try {
        await candidate.call('PING');
        client = candidate;
      } catch (err) {
        await candidate.close();
        if (!(err instanceof RespError)) throw err; // e.g. -LOADING: retry
        await sleep(50);
      }
    } catch {
      await sleep(50);
    }
  }

  const info = asText(await client.call('INFO', 'server'));
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const readyClient = client;

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await readyClient.close();
      if (!exited) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) process.kill(pid, 'SIGKILL');
        }, opts.stopTimeoutMs ?? 5_000);
        await exitPromise;
        clearTimeout(timer);
      }
      live.delete(pid);
      if (!keepDir) await fs.rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return {
    port,
    dir,
    dumpPath: path.join(dir, dbfilename),
    pid,
    version,
    client: readyClient,
    connect: () => RespClient.connect(port),
    output: () => output,
    stop,
  };
}
