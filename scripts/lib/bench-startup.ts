/**
 * The start-up measurement of `npm run bench`: how long a whole `rdbtool` process takes for a
 * small job, next to a bare `node -e 0` in the same run. A shell loop over many small dumps,
 * or a CI step per backup file, pays this on every file.
 *
 * Three commands run in interleaved rounds (one round runs each once, so a slow patch of the
 * machine hits all three alike), after one warm-up round that is not counted:
 * - `node -e 0`: the floor, what any Node program pays;
 * - `rdbtool --version`: the CLI's own start (yargs, the command modules), no work;
 * - `rdbtool check <small dump>`: a real command, which also loads the command's
 *   implementation. The dump is the third-party corpus's `librdb/100_lists.rdb` (162 KiB, 100
 *   quicklists, written by Redis 7.2) when the corpus is there (`$RDBTOOL_CORPUS`, else
 *   `../shared/corpus`), else the project's `fixtures/rdb/big-collections.rdb` (214 KiB).
 * The figure is the median wall time of each, from spawn to exit, and its ratio to the floor.
 * Output goes to a pipe that is read, as a CI log or `| tail` would.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** One command of the measurement. */
interface StartupCommand {
  id: StartupId;
  /** Shell-like rendering for the report. */
  display: string;
  args: string[];
  /** Largest ratio to `node -e 0` the project aims at (none for the floor itself). */
  targetRatio: number | null;
}

/** The commands, in round order. */
export type StartupId = 'node' | 'version' | 'check';

/** The result of one command. */
export interface StartupResult {
  id: StartupId;
  command: string;
  /** Wall seconds of each counted run. */
  runs: number[];
  medianSeconds: number | null;
  /** Median seconds / the median of `node -e 0`. */
  ratioToNode: number | null;
  targetRatio: number | null;
  /** Set when a run exited non-zero: its code and the end of its stderr. */
  failure?: { exitCode: number; stderr: string };
}

/** Options of {@link runStartupBench}. */
export interface StartupBenchOptions {
  root: string;
  /** The CLI's entry (`dist/cli/main.js`). */
  cli: string;
  /** Counted rounds (default 21). */
  rounds?: number;
  /** Progress lines (to stderr). */
  log?: (line: string) => void;
}

/** The dump `check` reads when the corpus is not there. */
export const STARTUP_FIXTURE = path.join('fixtures', 'rdb', 'big-collections.rdb');

/** The small dump `check` reads: the corpus's 100_lists.rdb if present, else {@link STARTUP_FIXTURE}. */
export function startupDump(root: string): string {
  const corpus = process.env.RDBTOOL_CORPUS ? path.resolve(process.env.RDBTOOL_CORPUS) : path.resolve(root, '..', 'shared', 'corpus');
  const lists = path.join(corpus, 'librdb', '100_lists.rdb');
  return existsSync(lists) ? lists : path.join(root, STARTUP_FIXTURE);
}

/** Targets of issue 8: `--version` ≤ 1.8× bare Node, `check` of a small dump ≤ 2×. */
export const STARTUP_TARGETS: Readonly<Record<Exclude<StartupId, 'node'>, number>> = { version: 1.8, check: 2.0 };

/** Runs `node args…` once; returns wall seconds, the exit code and the end of stderr. */
function runOnce(root: string, args: string[]): Promise<{ seconds: number; exitCode: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // stdout goes through a pipe and is read, as in a CI log or `| tail` (writing to a pipe
    // costs the CLI more than writing to /dev/null).
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    let seconds = 0;
    child.once('error', reject);
    // The time is taken when the process ends; 'close' (its streams done too) may come later.
    child.once('exit', () => (seconds = (performance.now() - started) / 1000));
    child.once('close', (code, signal) => resolve({ seconds, exitCode: signal ? -1 : (code ?? -1), stderr: stderr.trim() }));
  });
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs the measurement. */
export async function runStartupBench(opts: StartupBenchOptions): Promise<StartupResult[]> {
  const rounds = opts.rounds ?? 21;
  const cliRel = path.relative(opts.root, opts.cli);
  const dump = startupDump(opts.root);
  const dumpBytes = statSync(dump).size;
  const dumpShown = path.relative(opts.root, dump);
  const commands: StartupCommand[] = [
    { id: 'node', display: 'node -e 0', args: ['-e', '0'], targetRatio: null },
    { id: 'version', display: `node ${cliRel} --version`, args: [opts.cli, '--version'], targetRatio: STARTUP_TARGETS.version },
    {
      id: 'check',
      display: `node ${cliRel} check ${dumpShown} (${(dumpBytes / 1024).toFixed(0)} KiB)`,
      args: [opts.cli, 'check', dump],
      targetRatio: STARTUP_TARGETS.check,
    },
  ];
  const results: StartupResult[] = commands.map((c) => ({ id: c.id, command: c.display, runs: [], medianSeconds: null, ratioToNode: null, targetRatio: c.targetRatio }));
  for (let round = 0; round <= rounds; round++) {
    for (const [i, c] of commands.entries()) {
      const r = await runOnce(opts.root, c.args);
      if (r.exitCode !== 0) results[i].failure = { exitCode: r.exitCode, stderr: r.stderr };
      // Round 0 warms the page cache and the file-system caches; it is not counted.
      if (round > 0) results[i].runs.push(r.seconds);
    }
    if (round > 0 && (round % 5 === 0 || round === rounds)) opts.log?.(`  start-up: round ${round}/${rounds}`);
  }
  for (const r of results) r.medianSeconds = median(r.runs);
  const floor = results[0].medianSeconds;
  for (const r of results) r.ratioToNode = floor && r.medianSeconds !== null ? r.medianSeconds / floor : null;
  return results;
}

/** The report section: one line per command, then how the figures were taken. */
export function renderStartupSection(results: readonly StartupResult[]): string[] {
  const rounds = results[0]?.runs.length ?? 0;
  const width = Math.max(...results.map((r) => r.command.length));
  const out = [`start-up: median wall time of ${rounds} interleaved runs (spawn to exit), ratio to node -e 0`, ''];
  for (const r of results) {
    const ms = r.medianSeconds === null ? '   n/a' : `${(r.medianSeconds * 1000).toFixed(1).padStart(6)} ms`;
    const ratio = r.ratioToNode === null ? 'n/a' : `${r.ratioToNode.toFixed(2)}×`;
    const spread = r.runs.length ? `  (min ${(Math.min(...r.runs) * 1000).toFixed(1)}, max ${(Math.max(...r.runs) * 1000).toFixed(1)})` : '';
    out.push(`  ${r.command.padEnd(width)}  ${ms}  ${ratio.padStart(6)}${spread}${r.failure ? `  ! exit code ${r.failure.exitCode}` : ''}`);
  }
  for (const r of results.filter((x) => x.failure)) out.push('', `! ${r.command} exited with code ${r.failure!.exitCode}:\n${r.failure!.stderr}`);
  return out;
}

/** The targets, in the bench's target format. */
export function startupTargets(results: readonly StartupResult[]): { name: string; goal: string; value: string; met: boolean | null }[] {
  return results
    .filter((r) => r.targetRatio !== null)
    .map((r) => ({
      name: `start-up: ${r.id === 'version' ? 'rdbtool --version' : 'rdbtool check of a small dump'}`,
      goal: `≤ ${r.targetRatio!.toFixed(1)}× node -e 0`,
      value: r.ratioToNode === null ? 'n/a' : `${r.ratioToNode.toFixed(2)}×` + (r.failure ? ` (but it exited with code ${r.failure.exitCode})` : ''),
      met: r.failure ? false : r.ratioToNode === null ? null : r.ratioToNode <= r.targetRatio!,
    }));
}

// ---------------------------------------------------------------- many small dumps

/** The result of the many-dumps measurement. */
export interface ManyDumpsResult {
  files: number;
  /** Median seconds of one `rdbtool check <dir>` over all the files. */
  oneRun: number | null;
  /** Median seconds of a shell loop running `rdbtool check <file>` once per file. */
  rdbtoolLoop: number | null;
  /** Median seconds of a shell loop running `redis-check-rdb <file>` once per file (null without it). */
  redisCheckRdbLoop: number | null;
}

/** Runs `sh -c script` once; returns its wall seconds. */
function runShell(root: string, script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', script], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.once('exit', () => resolve((performance.now() - started) / 1000));
  });
}

/**
 * A folder of `count` small dumps (copies of the RDB fixtures) checked three ways, in
 * interleaved rounds: one `rdbtool check <dir>` (inputs in parallel on worker threads), a shell
 * loop of `rdbtool check <file>`, and a shell loop of `redis-check-rdb <file>` when it is on the
 * PATH. The loop pays a process start per file; one run pays it once.
 */
export async function runManyDumpsBench(opts: StartupBenchOptions & { dir: string; count?: number; redisCheckRdb: string | null }): Promise<ManyDumpsResult> {
  const { mkdirSync, readdirSync, copyFileSync, rmSync } = await import('node:fs');
  const count = opts.count ?? 44;
  const fixtures = readdirSync(path.join(opts.root, 'fixtures', 'rdb')).filter((f) => f.endsWith('.rdb')).sort();
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  for (let i = 0; i < count; i++) copyFileSync(path.join(opts.root, 'fixtures', 'rdb', fixtures[i % fixtures.length]), path.join(opts.dir, `dump-${String(i).padStart(2, '0')}.rdb`));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const node = q(process.execPath);
  const scripts = {
    oneRun: `${node} ${q(opts.cli)} check ${q(opts.dir)} -q`,
    rdbtoolLoop: `for f in ${q(opts.dir)}/*.rdb; do ${node} ${q(opts.cli)} check "$f" -q; done`,
    redisCheckRdbLoop: opts.redisCheckRdb ? `for f in ${q(opts.dir)}/*.rdb; do ${q(opts.redisCheckRdb)} "$f"; done` : null,
  };
  const runs: Record<keyof typeof scripts, number[]> = { oneRun: [], rdbtoolLoop: [], redisCheckRdbLoop: [] };
  const rounds = 3;
  for (let round = 0; round <= rounds; round++) {
    for (const key of Object.keys(scripts) as (keyof typeof scripts)[]) {
      const script = scripts[key];
      if (script === null) continue;
      const s = await runShell(opts.root, script);
      if (round > 0) runs[key].push(s);
    }
    if (round > 0) opts.log?.(`  many dumps: round ${round}/${rounds}`);
  }
  rmSync(opts.dir, { recursive: true, force: true });
  return { files: count, oneRun: median(runs.oneRun), rdbtoolLoop: median(runs.rdbtoolLoop), redisCheckRdbLoop: median(runs.redisCheckRdbLoop) };
}

/** The report section of {@link runManyDumpsBench}. */
export function renderManyDumpsSection(r: ManyDumpsResult): string[] {
  const s = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)} s`);
  const out = [`many small dumps: ${r.files} copies of the RDB fixtures, median of 3 interleaved rounds`, ''];
  out.push(`  rdbtool check <dir> (one run, parallel)   ${s(r.oneRun)}`);
  out.push(`  loop of rdbtool check <file>              ${s(r.rdbtoolLoop)}${r.oneRun && r.rdbtoolLoop ? `  (one run takes ${((r.oneRun / r.rdbtoolLoop) * 100).toFixed(0)}% of it)` : ''}`);
  out.push(`  loop of redis-check-rdb <file>            ${s(r.redisCheckRdbLoop)}`);
  return out;
}
