/**
 * `npm run bench`: speed and memory of rdbtool against `redis-check-rdb` on one ~1 GB RDB
 * written by a real redis-server (STYLE §2.12, house rule 7). Nothing here is a test: it
 * exits 0 when targets are missed, and 1 only when a measurement could not run or exited non-zero.
 *
 * Steps:
 * 1. builds the dataset once into `.bench-cache/` (scripts/lib/bench-data.ts), or reuses it;
 * 2. builds `dist/` with `tsc -p tsconfig.build.json` when it is missing or older than `src/`;
 * 3. reads the file once to warm the page cache, then runs, interleaved, N times each:
 *    - `redis-check-rdb <file>` (the baseline),
 *    - `rdbtool inspect <file> --json` (verifies the checksum),
 *    - a full deep decode of every value with the library's RdbDecoder
 *      (scripts/lib/bench-decode.ts, run on the compiled `dist/` code),
 *    - `rdbtool export <file> --format ndjson`,
 *    all with stdout sent to /dev/null, timing the wall clock and reading peak RSS from
 *    `/usr/bin/time -f '%e %M'` (or by polling /proc/<pid>/status VmHWM without it);
 * 4. prints medians, MB/s, keys/s, the ratio to redis-check-rdb, peak RSS and the targets.
 *
 * Options:
 *   --quick            one run of each instead of three
 *   --runs N           N runs of each
 *   --json             print the results as JSON on stdout (progress stays on stderr)
 *   --rebuild          rebuild the dataset even when a cached one exists
 *   --scale X          dataset scale (default 1 = ~1 GB; e.g. 0.01 for a quick try)
 *   --only a,b         run only these measurements (check, inspect, decode, deliver, export)
 *   --profile NAME     instead of timing, run NAME once under `node --cpu-prof` and print
 *                      the top self-time functions (profiles go to .bench-cache/profiles/)
 *   --top N            rows of the profile summary (default 15)
 *
 * Units: MB = 10^6 bytes, for throughput and for RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchDataset, type BenchDataset } from './lib/bench-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = path.join(ROOT, '.bench-cache');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const GNU_TIME = '/usr/bin/time';
const MB = 1e6;

/** The four measurements, in the order they run within a round. */
const MEASUREMENTS = ['check', 'inspect', 'decode', 'deliver', 'export'] as const;
type MeasurementId = (typeof MEASUREMENTS)[number];

interface Options {
  runs: number;
  json: boolean;
  rebuild: boolean;
  scale: number;
  only: MeasurementId[];
  profile: MeasurementId | null;
  top: number;
}

/** A bad command line: reported without a stack trace. */
class BenchUsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 3, json: false, rebuild: false, scale: 1, only: [...MEASUREMENTS], profile: null, top: 15 };
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new BenchUsageError(`${name} needs a value`);
    return v;
  };
  const measurement = (s: string): MeasurementId => {
    if (!(MEASUREMENTS as readonly string[]).includes(s)) throw new BenchUsageError(`unknown measurement "${s}" (expected ${MEASUREMENTS.join(', ')})`);
    return s as MeasurementId;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--quick':
        opts.runs = 1;
        break;
      case '--runs':
        opts.runs = Math.max(1, Number.parseInt(value(i++, a), 10));
        break;
      case '--json':
        opts.json = true;
        break;
      case '--rebuild':
        opts.rebuild = true;
        break;
      case '--scale':
        opts.scale = Number(value(i++, a));
        if (!(opts.scale > 0)) throw new BenchUsageError('--scale must be a positive number');
        break;
      case '--only':
        opts.only = value(i++, a).split(',').map(measurement);
        break;
      case '--profile':
        opts.profile = measurement(value(i++, a));
        break;
      case '--top':
        opts.top = Math.max(1, Number.parseInt(value(i++, a), 10));
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'usage: npm run bench -- [--quick | --runs N] [--json] [--rebuild] [--scale X] [--only check,inspect,decode,deliver,export] [--profile NAME [--top N]]\n',
        );
        process.exit(0);
        break;
      default:
        throw new BenchUsageError(`unknown option ${a} (try --help)`);
    }
  }
  return opts;
}

const log = (line: string): void => {
  process.stderr.write(line + '\n');
};

// ------------------------------------------------------------------ build

/** Newest mtime (ms) of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const m = statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/**
 * Builds `dist/` when `dist/cli/main.js` is missing or older than anything in `src/` or the
 * build tsconfig.
 * @returns null when dist is usable, otherwise the compiler's complaint.
 */
function ensureBuilt(): string | null {
  const sourcesMtime = Math.max(newestMtime(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= sourcesMtime) return null;
  log('building dist/ (tsc -p tsconfig.build.json) …');
  const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
  const res = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status === 0 && existsSync(CLI)) return null;
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim() || (res.error?.message ?? `tsc exited with ${res.status}`);
  if (res.status === 0) return `tsc succeeded but ${path.relative(ROOT, CLI)} does not exist`;
  // tsc still emits on type errors; the CLI may run, but report the errors.
  return output;
}

/**
 * Compiles scripts/lib/bench-decode.ts to plain JS in the cache (type-only imports vanish),
 * so the decode child runs under plain `node` on the `dist/` modules.
 */
async function compileDecodeChild(): Promise<string> {
  const ts = (await import('typescript')).default;
  const source = await fs.readFile(path.join(ROOT, 'scripts', 'lib', 'bench-decode.ts'), 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const target = path.join(CACHE_DIR, 'bench-decode.mjs');
  await fs.writeFile(target, out.outputText);
  return target;
}

// ------------------------------------------------------------------ running

interface Command {
  id: MeasurementId;
  name: string;
  /** Shell-like rendering for the report. */
  display: string;
  file: string;
  args: string[];
  /** When true, stdout is captured (small JSON result) instead of going to /dev/null. */
  captureStdout: boolean;
}

interface RunResult {
  seconds: number;
  /** User + system CPU seconds of the process (all its threads), when known. */
  cpuSeconds: number | null;
  peakRssKb: number | null;
  stdout: string;
  /** Exit code (-1 when killed by a signal). */
  exitCode: number;
  /** Last lines of stderr. */
  stderrTail: string;
}

/** RDBTOOL_BENCH_POLL_RSS=1 forces the /proc polling fallback (to test it). */
const hasGnuTime = existsSync(GNU_TIME) && !process.env.RDBTOOL_BENCH_POLL_RSS;

/**
 * Runs one command to completion: wall time from spawn to exit, peak RSS from GNU time's
 * `%M` (KiB), or from polling VmHWM when /usr/bin/time is missing. A non-zero exit is
 * returned, not thrown: the time of a run that read the whole file is still worth showing.
 * @throws when the command cannot be spawned.
 */
async function runOnce(cmd: Command, extraNodeArgs: string[] = []): Promise<RunResult> {
  const devNull = await fs.open('/dev/null', 'w');
  const timeFile = path.join(os.tmpdir(), `rdbtool-bench-time-${process.pid}-${Date.now()}.txt`);
  const args = cmd.file === process.execPath ? [...extraNodeArgs, ...cmd.args] : cmd.args;
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-o', timeFile, '-f', '%e %M %U %S', cmd.file, ...args]] : [cmd.file, args];
  try {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', cmd.captureStdout ? 'pipe' : devNull.fd, 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
    });
    let polledHwmKb = 0;
    let polledCpuTicks = 0;
    const poll = hasGnuTime
      ? null
      : setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const m = /VmHWM:\s+(\d+) kB/.exec(status);
            if (m) polledHwmKb = Math.max(polledHwmKb, Number(m[1]));
            // utime and stime are fields 14 and 15, counted after the ")" closing the name.
            const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            polledCpuTicks = Number(fields[11]) + Number(fields[12]);
          } catch {
            // exited between polls
          }
        }, 20);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, signal) => resolve(signal ? -1 : c));
    });
    const seconds = (performance.now() - started) / 1000;
    if (poll) clearInterval(poll);
    let peakRssKb: number | null = polledHwmKb || null;
    // Clock ticks are 100 per second on Linux (sysconf(_SC_CLK_TCK)); approximate: last poll.
    let cpuSeconds: number | null = polledCpuTicks ? polledCpuTicks / 100 : null;
    if (hasGnuTime) {
      const lines = (await fs.readFile(timeFile, 'utf8')).trim().split('\n');
      const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? '');
      peakRssKb = m ? Number(m[2]) : null;
      cpuSeconds = m ? Number(m[3]) + Number(m[4]) : null;
    }
    return { seconds, cpuSeconds, peakRssKb, stdout, exitCode: code ?? -1, stderrTail: stderr.trim().split('\n').slice(-15).join('\n') };
  } finally {
    await devNull.close();
    await fs.rm(timeFile, { force: true });
  }
}

/** Reads the whole file once so every measurement starts from a warm page cache. */
async function warmPageCache(file: string): Promise<number> {
  const started = performance.now();
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) void chunk;
  return (performance.now() - started) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// ------------------------------------------------------------------ report

interface MeasurementResult {
  id: MeasurementId;
  name: string;
  command: string;
  runs: number[];
  /** CPU seconds (user + system) of each run. */
  cpuRuns: number[];
  medianSeconds: number | null;
  medianCpuSeconds: number | null;
  mbPerSec: number | null;
  keysPerSec: number | null;
  /** redis-check-rdb seconds / this measurement's seconds (higher is faster). */
  ratioVsCheck: number | null;
  /** Largest peak RSS over the runs, MB. */
  peakRssMB: number | null;
  /** What the decode child reported (keys, elements, in-process decode time …). */
  details?: Record<string, unknown>;
  /** Set when the command could not run at all (no build, spawn failure). */
  error?: string;
  /**
   * Set when a run exited non-zero: its exit code and the end of its stderr. Its time is kept
   * in `runs` (a failure at the very end, such as a checksum verdict, still timed a full pass).
   */
  failure?: { exitCode: number; stderr: string };
}

/** 1-minute load averages around the measurements. */
interface LoadInfo {
  before: number;
  after: number;
  busy: boolean;
}

interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
}

function targetsFor(results: MeasurementResult[]): Target[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const targets: Target[] = [];
  const ratio = (id: MeasurementId, min: number, label: string): void => {
    const r = byId.get(id);
    if (!r) return;
    const v = r.ratioVsCheck;
    const note = r.failure ? ` (but it exited with code ${r.failure.exitCode})` : '';
    targets.push({ name: `${label} speed`, goal: `≥ ${min.toFixed(1)}× redis-check-rdb`, value: v === null ? 'n/a' : `${v.toFixed(2)}×${note}`, met: v === null ? null : v >= min });
  };
  ratio('inspect', 2.0, 'inspect');
  ratio('decode', 1.0, 'full decode');
  ratio('export', 0.6, 'export ndjson');
  for (const r of results) {
    if (r.id === 'check') continue;
    targets.push({
      name: `${r.name} peak RSS`,
      goal: '≤ 200 MB',
      value: r.peakRssMB === null ? 'n/a' : `${r.peakRssMB.toFixed(0)} MB`,
      met: r.peakRssMB === null ? null : r.peakRssMB <= 200,
    });
  }
  return targets;
}

function renderTable(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function renderReport(dataset: BenchDataset, results: MeasurementResult[], targets: Target[], runs: number, load: LoadInfo): string {
  const m = dataset.meta;
  const fmt = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));
  const rows = results.map((r) => [
    r.name,
    r.error ? 'FAILED' : fmt(r.medianSeconds, 2) + (r.failure ? ' !' : ''),
    fmt(r.medianCpuSeconds, 2),
    fmt(r.mbPerSec, 0),
    r.keysPerSec === null ? 'n/a' : `${(r.keysPerSec / 1e6).toFixed(2)} M`,
    r.id === 'check' ? '1.00×' : r.ratioVsCheck === null ? 'n/a' : `${r.ratioVsCheck.toFixed(2)}×`,
    fmt(r.peakRssMB, 0),
    r.runs.map((s) => s.toFixed(2)).join(' '),
  ]);
  const out: string[] = [];
  out.push(
    `dataset: ${path.relative(ROOT, dataset.rdbPath)}, ${(m.rdbBytes / MB).toFixed(0)} MB, ${m.totalKeys.toLocaleString('en-US')} keys, written by redis-server ${m.serverVersion}${dataset.cached ? ' (cached)' : ''}`,
  );
  out.push(`node ${process.version}, ${os.cpus().length} CPUs, ${runs === 1 ? '1 run' : `median of ${runs} runs`}, warm page cache; MB = 10^6 bytes`);
  out.push('');
  out.push(renderTable(['measurement', 'seconds', 'cpu s', 'MB/s', 'keys/s', 'vs check-rdb', 'peak RSS MB', 'runs (s)'], rows, [false, true, true, true, true, true, true, false]));
  const decode = results.find((r) => r.id === 'decode' && r.details);
  if (decode?.details) {
    const d = decode.details;
    out.push('');
    out.push(
      `full decode: ${Number(d.keys).toLocaleString('en-US')} keys, ${Number(d.elements).toLocaleString('en-US')} elements, checksum ${String(d.checksum)}, ` +
        `${(Number(d.decodeMs) / 1000).toFixed(2)} s inside the process (the table's seconds include node start-up)`,
    );
  }
  out.push('');
  out.push('seconds = wall clock (median), which the ratios and targets use; cpu s = user + system time (median).');
  if (load.busy) {
    out.push(
      `warning: the machine was busy (1-minute load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ${os.cpus().length} CPUs): ` +
        'wall times are inflated and noisy; compare the cpu s column, or re-run on a quiet machine.',
    );
  }
  out.push('');
  out.push('targets:');
  for (const t of targets) out.push(`  ${t.met === null ? 'n/a    ' : t.met ? 'met    ' : 'NOT met'}  ${t.name}: ${t.value} (goal ${t.goal})`);
  for (const r of results.filter((x) => x.error)) {
    out.push('');
    out.push(`${r.name} failed:\n${r.error}`);
  }
  for (const r of results.filter((x) => x.failure)) {
    out.push('');
    out.push(`! ${r.name} exited with code ${r.failure!.exitCode} (its time is shown anyway):\n${r.failure!.stderr}`);
  }
  return out.join('\n');
}

// ------------------------------------------------------------------ profile

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name + file + line), summed over the profile's samples. */
function summarizeProfile(profile: CpuProfile, top: number): { totalMs: number; idleMs: number; rows: { fn: string; where: string; selfMs: number; pct: number }[] } {
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { fn: string; where: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's duration is the gap to the next one (what DevTools does).
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = nodeById.get(profile.samples[i]);
    if (!node) continue;
    totalUs += dt;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idleUs += dt;
      continue;
    }
    const file = cf.url ? path.relative(ROOT, fileURLToPath(cf.url.startsWith('file:') ? cf.url : pathToUrl(cf.url))) : '';
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || '(anonymous)';
    const key = `${fn}@${where}`;
    const entry = selfUs.get(key) ?? { fn, where, us: 0 };
    entry.us += dt;
    selfUs.set(key, entry);
  }
  const busyUs = totalUs - idleUs || 1;
  const rows = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, pct: (100 * e.us) / busyUs }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, rows };
}

function pathToUrl(p: string): string {
  return p.startsWith('node:') ? `file:///${p}` : `file://${path.resolve(p)}`;
}

async function profileMeasurement(cmd: Command, top: number): Promise<string> {
  if (cmd.file !== process.execPath) throw new Error(`--profile works on node processes (inspect, decode, export), not ${cmd.id}`);
  const dir = path.join(CACHE_DIR, 'profiles', `${cmd.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await fs.mkdir(dir, { recursive: true });
  log(`profiling ${cmd.display} …`);
  const run = await runOnce(cmd, ['--cpu-prof', '--cpu-prof-dir', dir]);
  // One profile per thread; the main thread is the one with the most samples.
  let best: { file: string; profile: CpuProfile } | null = null;
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const profile = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as CpuProfile;
    if (!best || profile.samples.length > best.profile.samples.length) best = { file: path.join(dir, name), profile };
  }
  if (!best) throw new Error(`no .cpuprofile was written to ${dir}`);
  const s = summarizeProfile(best.profile, top);
  const rows = s.rows.map((r, i) => [String(i + 1), r.pct.toFixed(1) + '%', r.selfMs.toFixed(0), r.fn, r.where]);
  return [
    `${cmd.name}: ${run.seconds.toFixed(2)} s wall with the profiler, ${(s.totalMs / 1000).toFixed(2)} s sampled, ${((100 * s.idleMs) / (s.totalMs || 1)).toFixed(1)}% idle (waiting for I/O)`,
    `profile: ${path.relative(ROOT, best.file)} (open in Chrome DevTools or speedscope)`,
    '',
    renderTable(['#', 'self %', 'self ms', 'function', 'location'], rows, [true, true, true, false, false]),
    '',
    'self % is of the non-idle samples',
  ].join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dataset = await ensureBenchDataset({ cacheDir: CACHE_DIR, scale: opts.scale, rebuild: opts.rebuild, log });
  if (dataset.cached) log(`using cached dataset ${path.relative(ROOT, dataset.rdbPath)} (${(dataset.meta.rdbBytes / MB).toFixed(0)} MB; --rebuild to regenerate)`);
  else log(`dataset built in ${dataset.meta.buildSeconds.toFixed(0)} s: ${(dataset.meta.rdbBytes / MB).toFixed(0)} MB`);
  const file = dataset.rdbPath;

  const wanted = new Set<MeasurementId>(opts.profile ? [opts.profile] : opts.only);
  let buildError: string | null = null;
  const needsDist = wanted.has('inspect') || wanted.has('export') || wanted.has('decode') || wanted.has('deliver');
  if (needsDist) {
    buildError = ensureBuilt();
    if (buildError) log(`warning: the build reported errors:\n${buildError.split('\n').slice(0, 30).join('\n')}`);
  }
  const cliUsable = existsSync(CLI);
  const decodeLibUsable = existsSync(path.join(ROOT, 'dist', 'rdb', 'decoder.js')) && existsSync(path.join(ROOT, 'dist', 'io', 'source.js'));

  const rel = path.relative(ROOT, file);
  const commands: Command[] = [];
  if (wanted.has('check')) {
    commands.push({ id: 'check', name: 'redis-check-rdb', display: `redis-check-rdb ${rel}`, file: 'redis-check-rdb', args: [file], captureStdout: false });
  }
  if (wanted.has('inspect')) {
    commands.push({ id: 'inspect', name: 'rdbtool inspect', display: `node dist/cli/main.js inspect ${rel} --json`, file: process.execPath, args: [CLI, 'inspect', file, '--json'], captureStdout: false });
  }
  if (wanted.has('decode')) {
    // The compiled dist/ code under plain node; the sources under tsx when dist is unusable.
    const child = decodeLibUsable ? await compileDecodeChild() : path.join(ROOT, 'scripts', 'lib', 'bench-decode.ts');
    const args = decodeLibUsable ? [child, file, '--lib', path.join(ROOT, 'dist')] : ['--import', 'tsx', child, file];
    if (!decodeLibUsable) log('warning: dist/ has no decoder; the decode runs the sources under tsx (peak RSS includes tsx)');
    commands.push({ id: 'decode', name: 'full decode (checker)', display: `node ${decodeLibUsable ? '.bench-cache/bench-decode.mjs' : '--import tsx scripts/lib/bench-decode.ts'} ${rel}`, file: process.execPath, args, captureStdout: true });
  }
  if (wanted.has('deliver')) {
    const child = decodeLibUsable ? await compileDecodeChild() : path.join(ROOT, 'scripts', 'lib', 'bench-decode.ts');
    const args = decodeLibUsable ? [child, file, '--lib', path.join(ROOT, 'dist'), '--deliver'] : ['--import', 'tsx', child, file, '--deliver'];
    commands.push({ id: 'deliver', name: 'decode + deliver values', display: `node .bench-cache/bench-decode.mjs ${rel} --deliver`, file: process.execPath, args, captureStdout: true });
  }
  if (wanted.has('export')) {
    commands.push({ id: 'export', name: 'rdbtool export ndjson', display: `node dist/cli/main.js export ${rel} --format ndjson`, file: process.execPath, args: [CLI, 'export', file, '--format', 'ndjson'], captureStdout: false });
  }

  log(`warming the page cache (${(dataset.meta.rdbBytes / MB).toFixed(0)} MB) …`);
  const warmSeconds = await warmPageCache(file);
  log(`  read in ${warmSeconds.toFixed(2)} s`);

  if (opts.profile) {
    const cmd = commands[0];
    if ((cmd.id === 'inspect' || cmd.id === 'export') && !cliUsable) throw new Error(`dist/cli/main.js is missing; the build said:\n${buildError ?? '(nothing)'}`);
    process.stdout.write((await profileMeasurement(cmd, opts.top)) + '\n');
    return;
  }

  const results = new Map<MeasurementId, MeasurementResult>();
  const rss = new Map<MeasurementId, number>();
  for (const c of commands) {
    results.set(c.id, { id: c.id, name: c.name, command: c.display, runs: [], cpuRuns: [], medianSeconds: null, medianCpuSeconds: null, mbPerSec: null, keysPerSec: null, ratioVsCheck: null, peakRssMB: null });
    if ((c.id === 'inspect' || c.id === 'export') && !cliUsable) results.get(c.id)!.error = `dist/cli/main.js is missing; the build said:\n${buildError ?? '(nothing)'}`;
  }
  const loadBefore = os.loadavg()[0];
  // Interleaved rounds, so a slow patch of the machine hits every measurement alike.
  for (let round = 1; round <= opts.runs; round++) {
    for (const c of commands) {
      const r = results.get(c.id)!;
      if (r.error) continue;
      try {
        const run = await runOnce(c);
        r.runs.push(run.seconds);
        if (run.cpuSeconds !== null) r.cpuRuns.push(run.cpuSeconds);
        if (run.exitCode !== 0) r.failure = { exitCode: run.exitCode, stderr: run.stderrTail };
        if (run.peakRssKb !== null) rss.set(c.id, Math.max(rss.get(c.id) ?? 0, run.peakRssKb));
        if (c.captureStdout && run.exitCode === 0 && run.stdout.trim()) r.details = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
        log(
          `  round ${round}/${opts.runs}  ${c.name.padEnd(22)} ${run.seconds.toFixed(2).padStart(7)} s  ${run.peakRssKb === null ? '' : `${((run.peakRssKb * 1024) / MB).toFixed(0)} MB RSS`}` +
            (run.exitCode !== 0 ? `  (exit code ${run.exitCode})` : ''),
        );
      } catch (e) {
        r.error = e instanceof Error ? e.message : String(e);
        log(`  round ${round}/${opts.runs}  ${c.name} FAILED`);
      }
    }
  }

  const bytes = dataset.meta.rdbBytes;
  const checkSeconds = results.get('check')?.runs.length ? median(results.get('check')!.runs) : null;
  for (const r of results.values()) {
    if (r.error || r.runs.length === 0) continue;
    r.medianSeconds = median(r.runs);
    r.medianCpuSeconds = r.cpuRuns.length ? median(r.cpuRuns) : null;
    r.mbPerSec = bytes / MB / r.medianSeconds;
    r.keysPerSec = dataset.meta.totalKeys / r.medianSeconds;
    r.ratioVsCheck = checkSeconds === null ? null : checkSeconds / r.medianSeconds;
    const kb = rss.get(r.id);
    r.peakRssMB = kb === undefined ? null : (kb * 1024) / MB;
  }
  const list = [...results.values()];
  const targets = targetsFor(list);
  const loadAfter = os.loadavg()[0];
  // Every measurement is single-threaded at heart; more than ~1 other busy core skews it.
  const load: LoadInfo = { before: loadBefore, after: loadAfter, busy: Math.max(loadBefore, loadAfter) > os.cpus().length * 0.5 + 1 };

  if (opts.json) {
    const report = {
      dataset: { path: path.relative(ROOT, dataset.rdbPath), cached: dataset.cached, ...dataset.meta },
      environment: { node: process.version, cpus: os.cpus().length, platform: `${os.type()} ${os.release()}`, peakRssSource: hasGnuTime ? '/usr/bin/time %M' : '/proc/<pid>/status VmHWM (polled)' },
      runsPerMeasurement: opts.runs,
      loadAverage: load,
      buildError,
      results: list,
      targets,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    process.stdout.write(renderReport(dataset, list, targets, opts.runs, load) + '\n');
  }
  if (list.some((r) => r.error || r.failure)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  const text = e instanceof BenchUsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`bench: ${text}\n`);
  process.exitCode = 1;
});
