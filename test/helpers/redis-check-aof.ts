/**
 * The real `redis-check-aof` (Debian's redis-tools) as an oracle for tests: run it on bytes
 * or on a directory copy, read its verdict, and let it `--fix` or `--truncate-to-timestamp`
 * a scratch copy to see exactly which bytes it leaves. Tests that need it fail with an
 * install hint when it is missing (never skip).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, findRedisServer, REDIS_INSTALL_HINT } from '../../scripts/lib/redis-server.js';

/** One run of redis-check-aof. */
export interface CheckAofRun {
  exitCode: number | null;
  /** stdout + stderr. */
  output: string;
  /** The tool said the file (or all files of a manifest) is valid. */
  valid: boolean;
  /**
   * The last `AOF analyzed: filename=…, size=…, ok_up_to=…, ok_up_to_line=…, diff=…` line,
   * parsed (absent when the tool stopped before printing one, e.g. on a bad RDB preamble).
   */
  analyzed?: { filename: string; size: number; okUpTo: number; okUpToLine: number; diff: number };
  /** Every `AOF analyzed` line, in order (one per file of a multi-part set). */
  allAnalyzed: { filename: string; size: number; okUpTo: number; okUpToLine: number; diff: number }[];
}

/**
 * The binary and the argv0 to start it with (redis-check-aof is redis-server started under
 * another name; either works).
 * @throws Error with the install hint when neither is installed.
 */
export function requireRedisCheckAof(): { bin: string; argv0: string } {
  const tool = findExecutable('redis-check-aof');
  if (tool) return { bin: tool, argv0: tool };
  const server = findRedisServer();
  if (server) return { bin: server, argv0: 'redis-check-aof' };
  throw new Error(`redis-check-aof is not installed. ${REDIS_INSTALL_HINT}`);
}

const ANALYZED = /AOF analyzed: filename=(.*?), size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=(\d+)/g;

/**
 * Runs redis-check-aof with `args` in `cwd`. `answer` is written to stdin (the `--fix`
 * confirmation); stdin is closed either way.
 */
export function runRedisCheckAof(args: string[], cwd: string, answer = ''): CheckAofRun {
  const { bin, argv0 } = requireRedisCheckAof();
  const res = spawnSync(bin, args, { cwd, argv0, input: answer, encoding: 'latin1', timeout: 120_000 });
  // EPIPE: the tool finished without reading the answer (a valid file asks nothing); its output and status are still there.
  if (res.error && !((res.error as NodeJS.ErrnoException).code === 'EPIPE' && res.status !== null)) throw res.error;
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const allAnalyzed = [...output.matchAll(ANALYZED)].map((m) => ({
    filename: m[1],
    size: Number(m[2]),
    okUpTo: Number(m[3]),
    okUpToLine: Number(m[4]),
    diff: Number(m[5]),
  }));
  const valid = res.status === 0 && /(All AOF files and manifest are valid|AOF \S+ is valid|AOF is valid)\n/.test(output);
  return { exitCode: res.status, output, valid, analyzed: allAnalyzed.at(-1), allAnalyzed };
}

/** A scratch directory, removed by the returned function. */
export async function scratchDir(prefix = 'rdbtool-check-aof-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Runs redis-check-aof on `bytes` written to a scratch file named `name`. */
export async function checkAofBytes(bytes: Uint8Array, name = 'appendonly.aof'): Promise<CheckAofRun> {
  const s = await scratchDir();
  try {
    await fs.writeFile(path.join(s.dir, name), bytes);
    return runRedisCheckAof([name], s.dir);
  } finally {
    await s.remove();
  }
}

/**
 * Runs `redis-check-aof --fix` (answering `y`) on a scratch copy of `bytes`.
 * @returns the run and the bytes the file holds afterwards.
 */
export async function fixAofBytes(bytes: Uint8Array, name = 'appendonly.aof'): Promise<{ run: CheckAofRun; bytes: Buffer }> {
  return editBytes(bytes, name, ['--fix', name]);
}

/**
 * Runs `redis-check-aof --truncate-to-timestamp <t>` (answering `y`) on a scratch copy.
 * @returns the run and the bytes the file holds afterwards.
 */
export async function truncateAofBytes(bytes: Uint8Array, timestamp: number, name = 'appendonly.aof'): Promise<{ run: CheckAofRun; bytes: Buffer }> {
  return editBytes(bytes, name, ['--truncate-to-timestamp', String(timestamp), name]);
}

async function editBytes(bytes: Uint8Array, name: string, args: string[]): Promise<{ run: CheckAofRun; bytes: Buffer }> {
  const s = await scratchDir();
  try {
    const file = path.join(s.dir, name);
    await fs.writeFile(file, bytes);
    const run = runRedisCheckAof(args, s.dir, 'y\n');
    return { run, bytes: await fs.readFile(file) };
  } finally {
    await s.remove();
  }
}

/**
 * Copies a directory of AOF files (a multi-part set) into a scratch dir, lets `edit` damage
 * the copy, then runs redis-check-aof with `args` (the manifest name is appended), answering
 * `y` when `--fix` is among them.
 * @returns the run and every file's bytes afterwards, by name.
 */
export async function checkAofDir(
  srcDir: string,
  manifestName: string,
  edit: (dir: string) => Promise<void> = async () => undefined,
  args: string[] = [],
): Promise<{ run: CheckAofRun; files: Map<string, Buffer> }> {
  const s = await scratchDir();
  try {
    await fs.cp(srcDir, s.dir, { recursive: true });
    await edit(s.dir);
    const run = runRedisCheckAof([...args, manifestName], s.dir, 'y\n');
    const files = new Map<string, Buffer>();
    for (const n of await fs.readdir(s.dir)) files.set(n, await fs.readFile(path.join(s.dir, n)));
    return { run, files };
  } finally {
    await s.remove();
  }
}
