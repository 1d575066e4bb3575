/**
 * `npm run bench`: speed and memory of rdbtool against `redis-check-rdb` on one ~1 GB RDB, and
 * against `redis-check-aof` on a ~1 GB plain AOF and a hybrid AOF, and against both on the
 * shared generator's realistic data (RDB and plain AOF), all written by a real redis-server
 * (STYLE §2.12, house rule 7). Nothing here is a test: it exits 0 when targets
 * are missed, and 1 only when a measurement could not run or exited non-zero.
 *
 * Steps:
 * 1. builds the datasets the chosen measurements need once into `.bench-cache/`, or reuses them:
 *    - the RDB (scripts/lib/bench-data.ts);
 *    - the AOF files (scripts/lib/bench-aof-data.ts): `aof/plain.aof`, the ~1 GB plain AOF of
 *      a server that took a mixed write workload, and `aof/hybrid.aof`, the RDB base of a
 *      BGREWRITEAOF (`aof/hybrid-base.rdb`) followed by the incr file written after it
 *      (`aof/hybrid-tail.aof`);
 *    - the realistic datasets (scripts/lib/bench-realistic-data.ts), in
 *      `realistic/<kind>-<genScale>/`: the shared generator's data (`../shared/bench/gen.js`;
 *      the bench stops with a message when it must build one and the generator is missing)
 *      fed through `redis-cli --pipe` into a real redis-server, saved with `rdbcompression yes`
 *      as `dump.rdb`, then rewritten by the same server with `aof-use-rdb-preamble no` as
 *      `plain.aof`: `mixed-small` (`gen.js mixed 0.1`, the 117 MB RDB), `mixed-large`
 *      (`gen.js mixed 1`, 1.17 GB; a few minutes to build) and `big` (`gen.js big 1`, few keys,
 *      values of 64 KiB to 8 MiB and big collections, ~0.7 GB; RDB only);
 * 2. builds `dist/` when it is missing or older than `src/`: the library with
 *    `tsc -p tsconfig.build.json` (type errors are reported, the emitted code is used), the CLI
 *    bundle with esbuild (scripts/lib/build-cli.ts, what `npm run build` makes);
 *    then, unless `--only` leaves it out, the start-up measurement (scripts/lib/bench-startup.ts):
 *    `node -e 0`, `rdbtool --version` and `rdbtool check` of a small dump, 21 interleaved
 *    rounds, medians and their ratios to `node -e 0`; it needs no dataset;
 *    the rows below that run the CLI run a copy of the bundle in `.bench-cache/cli/` (shown
 *    as `dist/cli/main.js`), so a build elsewhere in the checkout cannot change it mid-run;
 * 3. reads every file once to warm the page cache, then runs all measurements interleaved
 *    (one round runs each once), N rounds:
 *    RDB dataset:
 *    - `check`: `redis-check-rdb <file>` (the baseline of the RDB measurements),
 *    - `inspect`: `rdbtool inspect <file> --json` (verifies the checksum),
 *    - `decode`: a full deep decode of every value with the library's RdbDecoder
 *      (scripts/lib/bench-decode.ts, run on the compiled `dist/` code),
 *    - `deliver`: the same decode, handing every value to a callback,
 *    - `export`: `rdbtool export <file> --format ndjson`,
 *    - `memory`: `rdbtool memory <file>` (the memory estimate's summary),
 *    - `diff`: `rdbtool diff <file> <file>` (both inputs digested, then compared);
 *    convert, on the same RDB (scripts/lib/bench-convert.ts):
 *    - `redis-load-save`: a real redis-server starting on a copy of the RDB (copied outside
 *      the timing), timed from spawn until it has loaded the file and a `SAVE` has returned
 *      (the baseline of `convert-rdb`: what re-encoding the file with Redis itself costs),
 *    - `convert-resp`: `rdbtool convert <file> - --to resp` (commands for `redis-cli --pipe`),
 *    - `convert-rdb`: `rdbtool convert <file> .bench-cache/convert-out.rdb --to rdb`, the same
 *      RDB version as the input, re-encoded key by key (the output is removed after each run,
 *      outside the timing);
 *    AOF dataset:
 *    - `aof-raw-read`: the I/O floor, a node process reading plain.aof with the library's
 *      read loop (`createReadStream`, 1 MiB chunks) and doing nothing with the bytes,
 *    - `aof-redis-check-aof`: `redis-check-aof plain.aof` (the baseline of the plain file),
 *    - `aof-check`: `rdbtool check plain.aof`,
 *    - `hybrid-redis-check-aof`: `redis-check-aof hybrid.aof` (the baseline of the hybrid file),
 *    - `hybrid-check`: `rdbtool check hybrid.aof`,
 *    - `hybrid-inspect-rdb`: `rdbtool inspect hybrid-base.rdb --json`, then
 *      `rdbtool check hybrid-tail.aof`, one after the other; its time is the sum, its
 *      peak RSS the larger of the two (what checking the two parts separately costs);
 *    replay dataset (scripts/lib/bench-replay-data.ts: the realistic `gen.js mixed` data as a
 *    plain multi-part AOF set `plain/` and a hybrid one `hybrid/`, from the same server):
 *    - `replay-redis-load-plain`: a real redis-server starting on a copy of `plain/` with
 *      `--appendonly yes`, timed from spawn until its log says "DB loaded from append only
 *      file" (scripts/lib/bench-redis-load.ts), then its `used_memory` (the baseline of the
 *      plain set, for speed and for memory),
 *    - `replay-plain`: the library's `replayPath` on `plain/` and nothing else
 *      (scripts/lib/bench-replay-child.ts, on `src/replay/replay-input.ts` bundled as the CLI
 *      is, into `.bench-cache/replay-lib/`, so the child starts as `rdbtool` does), timed as
 *      the server is: from spawn until it prints its result, the moment its dataset is
 *      complete (scripts/lib/bench-replay-time.ts; its exit is left out, as the server's is),
 *    - `replay-export-plain`: `rdbtool export plain/ --format ndjson` (replays, then writes),
 *    - `replay-redis-load-hybrid`, `replay-hybrid`, `replay-export-hybrid`: the same on `hybrid/`;
 *    realistic datasets, on each of `mixed-small`, `mixed-large` and `big` (`<set>-…`):
 *    - `<set>-redis-check-rdb`: `redis-check-rdb dump.rdb` (the baseline, ×C, of the RDB rows),
 *    - `<set>-inspect`: `rdbtool inspect dump.rdb --json` (verifies the checksum),
 *    - `<set>-check-deep`: `rdbtool check --deep dump.rdb` (every value decoded, CRC checked),
 *    - `<set>-export`: `rdbtool export dump.rdb --format ndjson`,
 *    - `<set>-redis-check-aof`: `redis-check-aof plain.aof` (the baseline of the AOF row; not
 *      on `big`),
 *    - `<set>-aof-check`: `rdbtool check plain.aof` (not on `big`);
 *    all with stdout sent to /dev/null, timing the wall clock and reading peak RSS from
 *    `/usr/bin/time -f '%e %M'` (or by polling /proc/<pid>/status VmHWM without it);
 * 4. prints medians, MB/s of the file each one reads, keys/s (RDB, convert and replay), the
 *    ratio to the baseline of its file (for convert, also to redis-server's load + SAVE),
 *    peak RSS (for the replay, also against the server's `used_memory`) and the targets;
 *    a table per realistic dataset, with its targets (speed and peak RSS, met or NOT met) in
 *    the table as well as in the list of targets.
 *
 * The `check` command measurements fail with a message, and the others still run, while
 * rdbtool has no `check` command (src/cli/commands/check.ts).
 *
 * Options:
 *   --quick            one run of each instead of three
 *   --runs N           N runs of each
 *   --json             print the results as JSON on stdout (progress stays on stderr)
 *   --rebuild          rebuild the datasets the chosen measurements use, even when cached
 *   --scale X          dataset scale (default 1 = ~1 GB RDB and ~1 GB plain AOF; e.g. 0.01
 *                      for a quick try; the replay dataset is `gen.js mixed` at 0.1 × X:
 *                      ~0.57 M keys and a 183 MB plain set at 1, 5.7 M keys at 10; the
 *                      realistic ones are `gen.js mixed` at 0.1 × X and 1 × X and `gen.js
 *                      big` at 1 × X)
 *   --only a,b         run only these measurements: check, inspect, decode, deliver, export,
 *                      memory, diff, redis-load-save, convert-resp, convert-rdb, aof-raw-read,
 *                      aof-redis-check-aof, aof-check, hybrid-redis-check-aof, hybrid-check,
 *                      hybrid-inspect-rdb, replay-redis-load-plain, replay-plain,
 *                      replay-export-plain, replay-redis-load-hybrid, replay-hybrid,
 *                      replay-export-hybrid; or the groups `rdb` (the first seven), `convert`
 *                      (redis-load-save, convert-resp, convert-rdb; add `check` for the
 *                      ratio to redis-check-rdb), `aof` (the six AOF ones), `hybrid` (the
 *                      hybrid-* ones), `replay` (the replay-* ones; a minute or two at the
 *                      default scale, dataset build included), `realistic` (the 16 rows on
 *                      the realistic datasets; the first build takes several minutes) and
 *                      one per realistic dataset: `mixed-small`, `mixed-large`, `big`;
 *                      the realistic rows one by one: <set>-redis-check-rdb, <set>-inspect,
 *                      <set>-check-deep, <set>-export, <set>-redis-check-aof, <set>-aof-check;
 *                      `startup` for the start-up measurement (`--only startup` alone takes
 *                      about 10 s)
 *   --startup-runs N   rounds of the start-up measurement (default 21)
 *   --profile NAME     instead of timing, run NAME once under `node --cpu-prof` and print
 *                      the top self-time functions (profiles go to .bench-cache/profiles/);
 *                      any single node process: inspect, decode, deliver, export, memory, diff,
 *                      convert-resp, convert-rdb, aof-raw-read, aof-check, hybrid-check,
 *                      replay-plain, replay-hybrid, replay-export-plain, replay-export-hybrid,
 *                      <set>-inspect, <set>-check-deep, <set>-export, <set>-aof-check
 *   --heap-prof        with --profile: the sampling heap profiler (`node --heap-prof`)
 *                      instead of the CPU profiler; prints the functions that allocated
 *                      the most of what was still live at exit (the dataset, for a replay)
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
import { ensureBenchAofDataset, type BenchAofDataset } from './lib/bench-aof-data.js';
import { LOAD_SAVE_CONFIG, timeRedisLoadSave } from './lib/bench-convert.js';
import { ensureBenchDataset, type BenchDataset } from './lib/bench-data.js';
import { timeRedisLoad } from './lib/bench-redis-load.js';
import { timeReplayChild } from './lib/bench-replay-time.js';
import type { RunResult } from './lib/run-result.js';
import {
  ensureRealisticDataset,
  MissingGeneratorError,
  parseRealisticId,
  readsAof,
  REALISTIC_ROLES,
  REALISTIC_RSS_LIMIT_MB,
  REALISTIC_SPECS,
  REALISTIC_SPEED_TARGETS,
  realisticGenScale,
  type RealisticDataset,
  type RealisticMeasure,
  type RealisticRole,
} from './lib/bench-realistic-data.js';
import { ENCODING_CONFIG, ensureBenchReplayDataset, type BenchReplayDataset } from './lib/bench-replay-data.js';
import { renderManyDumpsSection, renderStartupSection, runManyDumpsBench, runStartupBench, startupTargets, type ManyDumpsResult, type StartupResult } from './lib/bench-startup.js';
import { buildCli } from './lib/build-cli.js';
import { findExecutable, findRedisServer } from './lib/redis-server.js';
import { nullDevice, type NullDevice } from './lib/null-device.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = path.join(ROOT, '.bench-cache');

/** Where discarded output goes (scripts/lib/null-device.ts), found on first use. */
let discarded: NullDevice | null = null;
function discard(): NullDevice {
  return (discarded ??= nullDevice(CACHE_DIR));
}
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** Where the measurements run the CLI bundle from: a copy of `dist/cli/` once built (see {@link snapshotCli}). */
let runCli = CLI;
/** The `check` command's source (the CLI bundle has the command when this exists). */
const CHECK_SOURCE = path.join(ROOT, 'src', 'cli', 'commands', 'check.ts');
const GNU_TIME = '/usr/bin/time';
const MB = 1e6;

/** The measurements on the RDB dataset, in the order they run within a round. */
const RDB_MEASUREMENTS = ['check', 'inspect', 'decode', 'deliver', 'export', 'memory', 'diff'] as const;
/** The conversions of the same RDB and their server baseline, run right after the RDB ones. */
const CONVERT_MEASUREMENTS = ['redis-load-save', 'convert-resp', 'convert-rdb'] as const;
/** The measurements on the AOF dataset, run after the RDB ones within a round. */
const AOF_MEASUREMENTS = ['aof-raw-read', 'aof-redis-check-aof', 'aof-check', 'hybrid-redis-check-aof', 'hybrid-check', 'hybrid-inspect-rdb'] as const;
/** The measurements on the replay dataset, run last within a round; each set's server load first. */
const REPLAY_MEASUREMENTS = ['replay-redis-load-plain', 'replay-plain', 'replay-export-plain', 'replay-redis-load-hybrid', 'replay-hybrid', 'replay-export-hybrid'] as const;
/**
 * The measurements on the realistic datasets (scripts/lib/bench-realistic-data.ts), run last
 * within a round: `<role>-<measure>`, each dataset's baselines first.
 */
const REALISTIC_MEASUREMENTS = [
  'mixed-small-redis-check-rdb',
  'mixed-small-inspect',
  'mixed-small-check-deep',
  'mixed-small-export',
  'mixed-small-redis-check-aof',
  'mixed-small-aof-check',
  'mixed-large-redis-check-rdb',
  'mixed-large-inspect',
  'mixed-large-check-deep',
  'mixed-large-export',
  'mixed-large-redis-check-aof',
  'mixed-large-aof-check',
  'big-redis-check-rdb',
  'big-inspect',
  'big-check-deep',
  'big-export',
] as const;
const MEASUREMENTS = [...RDB_MEASUREMENTS, ...CONVERT_MEASUREMENTS, ...AOF_MEASUREMENTS, ...REPLAY_MEASUREMENTS, ...REALISTIC_MEASUREMENTS] as const;
type MeasurementId = (typeof MEASUREMENTS)[number];
type RdbMeasurementId = (typeof RDB_MEASUREMENTS)[number];
type ConvertMeasurementId = (typeof CONVERT_MEASUREMENTS)[number];
type ReplayMeasurementId = (typeof REPLAY_MEASUREMENTS)[number];
type RealisticMeasurementId = (typeof REALISTIC_MEASUREMENTS)[number];

/** Names `--only` accepts for several measurements at once. */
const GROUPS: Record<string, readonly MeasurementId[]> = {
  rdb: RDB_MEASUREMENTS,
  convert: CONVERT_MEASUREMENTS,
  aof: AOF_MEASUREMENTS,
  hybrid: AOF_MEASUREMENTS.filter((id) => id.startsWith('hybrid-')),
  replay: REPLAY_MEASUREMENTS,
  realistic: REALISTIC_MEASUREMENTS,
  ...(Object.fromEntries(REALISTIC_ROLES.map((role) => [role, REALISTIC_MEASUREMENTS.filter((id) => id.startsWith(`${role}-`))])) as Record<RealisticRole, RealisticMeasurementId[]>),
};

const isRdbMeasurement = (id: MeasurementId): id is RdbMeasurementId => (RDB_MEASUREMENTS as readonly string[]).includes(id);
const isConvertMeasurement = (id: MeasurementId): id is ConvertMeasurementId => (CONVERT_MEASUREMENTS as readonly string[]).includes(id);
/** The measurements that read the RDB dataset (its table: the RDB ones and the conversions). */
const readsRdbDataset = (id: MeasurementId): boolean => isRdbMeasurement(id) || isConvertMeasurement(id);
const isReplayMeasurement = (id: MeasurementId): id is ReplayMeasurementId => (REPLAY_MEASUREMENTS as readonly string[]).includes(id);
const isRealisticMeasurement = (id: MeasurementId): id is RealisticMeasurementId => (REALISTIC_MEASUREMENTS as readonly string[]).includes(id);
/** The dataset and the kind of measurement of a realistic row. */
const realisticPart = (id: RealisticMeasurementId): { role: RealisticRole; measure: RealisticMeasure } => parseRealisticId(id)!;
/** The measurements that start a redis-server on a set (no node process, no dist/ needed). */
const isServerLoad = (id: MeasurementId): boolean => id.startsWith('replay-redis-load-');

/** The measurements that run the CLI bundle (they fail with a message without it). */
const USES_CLI: ReadonlySet<MeasurementId> = new Set([
  'inspect',
  'export',
  'memory',
  'diff',
  'convert-resp',
  'convert-rdb',
  'replay-export-plain',
  'replay-export-hybrid',
  'aof-check',
  'hybrid-check',
  'hybrid-inspect-rdb',
  ...REALISTIC_MEASUREMENTS.filter((id) => !realisticPart(id).measure.startsWith('redis-')),
]);

/** The measurements that run `rdbtool check`. */
const USES_CHECK: ReadonlySet<MeasurementId> = new Set([
  'aof-check',
  'hybrid-check',
  'hybrid-inspect-rdb',
  ...REALISTIC_MEASUREMENTS.filter((id) => ['check-deep', 'aof-check'].includes(realisticPart(id).measure)),
]);

/**
 * What a measurement's ratio compares against: redis-check-rdb for the RDB and the convert
 * ones, redis-check-aof on the same file for the AOF ones, the server's load of the same set
 * for the replay ones. The conversions are also compared with {@link LOAD_SAVE}.
 */
const BASELINE: Record<MeasurementId, MeasurementId> = {
  check: 'check',
  inspect: 'check',
  decode: 'check',
  deliver: 'check',
  memory: 'check',
  diff: 'check',
  export: 'check',
  'redis-load-save': 'check',
  'convert-resp': 'check',
  'convert-rdb': 'check',
  'aof-raw-read': 'aof-redis-check-aof',
  'aof-redis-check-aof': 'aof-redis-check-aof',
  'aof-check': 'aof-redis-check-aof',
  'hybrid-redis-check-aof': 'hybrid-redis-check-aof',
  'hybrid-check': 'hybrid-redis-check-aof',
  'hybrid-inspect-rdb': 'hybrid-redis-check-aof',
  'replay-redis-load-plain': 'replay-redis-load-plain',
  'replay-plain': 'replay-redis-load-plain',
  'replay-export-plain': 'replay-redis-load-plain',
  'replay-redis-load-hybrid': 'replay-redis-load-hybrid',
  'replay-hybrid': 'replay-redis-load-hybrid',
  'replay-export-hybrid': 'replay-redis-load-hybrid',
  // A realistic row against redis-check-aof on its dataset's AOF (aof-check), else redis-check-rdb on its RDB.
  ...(Object.fromEntries(
    REALISTIC_MEASUREMENTS.map((id) => {
      const { role, measure } = realisticPart(id);
      return [id, `${role}-${readsAof(measure) ? 'redis-check-aof' : 'redis-check-rdb'}`];
    }),
  ) as Record<RealisticMeasurementId, RealisticMeasurementId>),
};

/** The second baseline of the conversions: redis-server loading the RDB and running SAVE. */
const LOAD_SAVE: MeasurementId = 'redis-load-save';

interface Options {
  runs: number;
  json: boolean;
  rebuild: boolean;
  scale: number;
  only: MeasurementId[];
  /** Run the start-up measurement. */
  startup: boolean;
  startupRuns: number;
  profile: MeasurementId | null;
  /** Profile allocations (`--heap-prof`) instead of CPU time. */
  heapProfile: boolean;
  top: number;
}

/** A bad command line: reported without a stack trace. */
class BenchUsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 3, json: false, rebuild: false, scale: 1, only: [...MEASUREMENTS], startup: true, startupRuns: 21, profile: null, heapProfile: false, top: 15 };
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new BenchUsageError(`${name} needs a value`);
    return v;
  };
  const measurement = (s: string): MeasurementId => {
    if (!(MEASUREMENTS as readonly string[]).includes(s)) throw new BenchUsageError(`unknown measurement "${s}" (expected ${MEASUREMENTS.join(', ')}; --only also takes ${Object.keys(GROUPS).join(', ')})`);
    return s as MeasurementId;
  };
  const measurements = (s: string): MeasurementId[] => {
    const names = s.split(',');
    opts.startup = names.includes('startup');
    const ids = new Set(names.filter((name) => name !== 'startup').flatMap((name) => GROUPS[name] ?? [measurement(name)]));
    // Keep the round order whatever order they were given in.
    return MEASUREMENTS.filter((id) => ids.has(id));
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
        opts.only = measurements(value(i++, a));
        break;
      case '--profile':
        opts.profile = measurement(value(i++, a));
        break;
      case '--heap-prof':
        opts.heapProfile = true;
        break;
      case '--top':
        opts.top = Math.max(1, Number.parseInt(value(i++, a), 10));
        break;
      case '--startup-runs':
        opts.startupRuns = Math.max(1, Number.parseInt(value(i++, a), 10));
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'usage: npm run bench -- [--quick | --runs N] [--json] [--rebuild] [--scale X] [--only ID,…] [--startup-runs N] [--profile ID [--heap-prof] [--top N]]\n' +
            `  IDs: ${MEASUREMENTS.join(', ')}, startup\n` +
            `  groups for --only: ${Object.entries(GROUPS)
              .map(([g, ids]) => `${g} (${ids.join(', ')})`)
              .join('; ')}\n`,
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
 * Builds `dist/` when `dist/cli/main.js` or `dist/index.js` is missing or older than anything
 * in `src/` or the build tsconfig: the library with tsc, then the CLI bundle (as
 * `npm run build` does, except that a type error does not stop it).
 * @returns null when dist is usable, otherwise the build's complaint.
 */
async function ensureBuilt(): Promise<string | null> {
  const sourcesMtime = Math.max(newestMtime(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs);
  const fresh = (f: string): boolean => existsSync(f) && statSync(f).mtimeMs >= sourcesMtime;
  if (fresh(CLI) && fresh(path.join(ROOT, 'dist', 'index.js'))) return null;
  log('building dist/ (tsc -p tsconfig.build.json, then the CLI bundle) …');
  const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
  const res = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still emits on type errors; the code may run, but report the errors.
  const tscError = res.status === 0 ? null : `${res.stdout ?? ''}${res.stderr ?? ''}`.trim() || (res.error?.message ?? `tsc exited with ${res.status}`);
  try {
    await buildCli({ root: ROOT });
  } catch (e) {
    return [tscError, `the CLI bundle failed: ${e instanceof Error ? e.message : String(e)}`].filter(Boolean).join('\n');
  }
  return tscError;
}

/**
 * Copies the CLI bundle (`dist/cli/`: `main.js`, the worker files, no other file needed) into
 * `.bench-cache/cli/`, so a build that replaces or removes `dist/` while the measurements run
 * (anything else building in the same checkout) does not change the code they time. For
 * `--profile` it is a fresh bundle that keeps the code's names instead, so the profile names
 * the functions.
 * @returns the copy's `main.js`.
 */
async function snapshotCli(keepNames: boolean): Promise<string> {
  const from = path.dirname(CLI);
  const to = path.join(CACHE_DIR, 'cli');
  await fs.rm(to, { recursive: true, force: true });
  await fs.mkdir(to, { recursive: true });
  if (keepNames) {
    // A profile names the functions only when the bundle keeps their names.
    await buildCli({ root: ROOT, outDir: to, keepNames: true });
    return path.join(to, path.basename(CLI));
  }
  for (const name of await fs.readdir(from)) await fs.copyFile(path.join(from, name), path.join(to, name));
  return path.join(to, path.basename(CLI));
}

/**
 * Compiles a child script of scripts/lib (`bench-decode`, `bench-replay-child`) to plain JS in
 * the cache (type-only imports vanish), so the child runs under plain `node` on the `dist/`
 * modules.
 */
async function compileChild(name: 'bench-decode' | 'bench-replay-child'): Promise<string> {
  const ts = (await import('typescript')).default;
  const source = await fs.readFile(path.join(ROOT, 'scripts', 'lib', `${name}.ts`), 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  await fs.mkdir(CACHE_DIR, { recursive: true });
  const target = path.join(CACHE_DIR, `${name}.mjs`);
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
  /** The file the command reads (warmed into the page cache before the runs). */
  input: string;
  /** Bytes the measurement reads, with its `alsoRun` commands (for MB/s). */
  bytes: number;
  /**
   * Commands run right after this one, as part of the same measurement: its time and CPU
   * are the sums over all of them, its peak RSS the largest, its exit code the first non-zero.
   */
  alsoRun?: Command[];
  /** Files to warm when `input` is a directory (a multi-part set); default `[input]`. */
  warm?: string[];
  /** Runs the measurement itself instead of spawning `file` (a server load); stdout carries its JSON details. */
  run?: () => Promise<RunResult>;
  /**
   * Runs after every run of the command, outside its timing (removes what it wrote); what it
   * returns becomes the run's details.
   */
  after?: () => Promise<Record<string, unknown> | undefined>;
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
  const devNull = await fs.open(discard().path, 'w');
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

/** A run of a command and of its {@link Command.alsoRun} commands. */
interface MeasurementRun extends RunResult {
  /** Wall seconds of each command, in order (one entry without `alsoRun`). */
  stepSeconds: number[];
  /** What the command's {@link Command.after} reported. */
  details?: Record<string, unknown>;
}

/** Runs a command, then its `alsoRun` commands (stopping at the first that exits non-zero). */
async function runMeasurement(cmd: Command): Promise<MeasurementRun> {
  let first: RunResult;
  try {
    first = cmd.run ? await cmd.run() : await runOnce(cmd);
  } catch (e) {
    await cmd.after?.();
    throw e;
  }
  const details = await cmd.after?.();
  const total: MeasurementRun = { ...first, stepSeconds: [first.seconds], details };
  for (const next of cmd.alsoRun ?? []) {
    if (total.exitCode !== 0) break;
    const r = await runOnce(next);
    total.seconds += r.seconds;
    total.cpuSeconds = total.cpuSeconds === null || r.cpuSeconds === null ? null : total.cpuSeconds + r.cpuSeconds;
    total.peakRssKb = total.peakRssKb === null || r.peakRssKb === null ? (total.peakRssKb ?? r.peakRssKb) : Math.max(total.peakRssKb, r.peakRssKb);
    total.exitCode = r.exitCode;
    total.stderrTail = r.stderrTail;
    total.stepSeconds.push(r.seconds);
  }
  return total;
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
  /** Bytes of the input, which MB/s divides. */
  inputBytes: number;
  runs: number[];
  /** CPU seconds (user + system) of each run. */
  cpuRuns: number[];
  medianSeconds: number | null;
  medianCpuSeconds: number | null;
  mbPerSec: number | null;
  /** Keys of the RDB per second (RDB measurements only). */
  keysPerSec: number | null;
  /** The measurement {@link MeasurementResult.ratioVsCheck} compares against. */
  baseline: MeasurementId;
  /**
   * Baseline seconds / this measurement's seconds (higher is faster): redis-check-rdb for
   * the RDB measurements, redis-check-aof on the same file for the AOF ones.
   */
  ratioVsCheck: number | null;
  /** Largest peak RSS over the runs, MB. */
  peakRssMB: number | null;
  /** Conversions: redis-server's load + SAVE seconds / this measurement's seconds (higher is faster). */
  ratioVsLoadSave?: number | null;
  /**
   * What the decode child reported (keys, elements, in-process decode time …); for a
   * measurement of several commands, `steps`: each command and its median seconds; for the
   * server's load + SAVE, the medians of its parts (see scripts/lib/bench-convert.ts); for
   * `convert-rdb`, the size of the file it wrote.
   */
  details?: Record<string, unknown>;
  /** Set when the command could not run at all (no build, spawn failure). */
  error?: string;
  /**
   * Set when a run exited non-zero: its exit code and the end of its stderr. Its time is kept
   * in `runs` (a failure at the very end, such as a checksum verdict, still timed a full pass).
   */
  failure?: { exitCode: number; stderr: string };
  /** Replay measurements: medians of what the server or the replay child reported (see {@link summarizeReplayRuns}). */
  replay?: ReplayFigures;
}

/** What a replay measurement adds to its row. */
interface ReplayFigures {
  /** Server load: the load time the server printed (median), seconds. */
  reportedSeconds?: number;
  /** Server load: `used_memory` after the load (median), bytes. */
  usedMemoryBytes?: number;
  /** Server load: `used_memory_rss` after the load (median), bytes. */
  usedMemoryRssBytes?: number;
  /** Server load: the server's own peak RSS (largest VmHWM), MB. */
  serverPeakRssMB?: number;
  /** Server load: its log lines about the files it loaded (last run). */
  loadLines?: string[];
  /** Replay child: seconds inside the process, start-up and exit left out (median). */
  inProcessSeconds?: number;
  /** Replay child: V8 heap in use with the dataset loaded (median), bytes. */
  heapUsedBytes?: number;
  /** Keys the server or the replay ended with (last run). */
  keys?: number;
  /** This row's peak RSS / the server's `used_memory` after loading the same set. */
  rssVsUsedMemory?: number;
}

/** 1-minute load averages around the measurements. */
interface LoadInfo {
  before: number;
  after: number;
  /** Highest value seen, sampled every 2 s during the measurements. */
  max: number;
  busy: boolean;
  /** The library in dist/ was rebuilt while rows that load it ran (their runs then mix two builds). */
  distRebuilt: boolean;
}

interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
  /** The row it judges and what of it (set by the realistic rows, whose tables show them). */
  measurement?: MeasurementId;
  aspect?: 'speed' | 'rss';
}

const RSS_LIMIT_MB = 200;
/** The peak RSS `rdbtool memory` may reach on the RDB dataset (issue 11). */
const MEMORY_RSS_LIMIT_MB = 250;

function targetsFor(results: MeasurementResult[]): Target[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const targets: Target[] = [];
  const ratio = (id: MeasurementId, min: number, label: string, baseline: string, showCpu = false): void => {
    const r = byId.get(id);
    if (!r) return;
    const v = r.ratioVsCheck;
    // The CPU-time ratio as well: on a busy machine it is the steadier of the two.
    const b = byId.get(r.baseline);
    const cpuRatio = showCpu && b?.medianCpuSeconds && r.medianCpuSeconds ? b.medianCpuSeconds / r.medianCpuSeconds : null;
    const note = (cpuRatio === null ? '' : ` (cpu time ${cpuRatio.toFixed(2)}×)`) + (r.failure ? ` (but it exited with code ${r.failure.exitCode})` : '');
    targets.push({ name: `${label} speed`, goal: `≥ ${min.toFixed(1)}× ${baseline}`, value: v === null ? 'n/a' : `${v.toFixed(2)}×${note}`, met: v === null ? null : v >= min });
  };
  const rss = (r: MeasurementResult): void => {
    targets.push({
      name: `${r.name} peak RSS`,
      goal: `≤ ${RSS_LIMIT_MB} MB`,
      value: r.peakRssMB === null ? 'n/a' : `${r.peakRssMB.toFixed(0)} MB`,
      met: r.peakRssMB === null ? null : r.peakRssMB <= RSS_LIMIT_MB,
    });
  };
  ratio('inspect', 2.0, 'inspect', 'redis-check-rdb');
  ratio('decode', 1.0, 'full decode', 'redis-check-rdb');
  ratio('export', 0.6, 'export ndjson', 'redis-check-rdb');
  for (const r of results) if (isRdbMeasurement(r.id) && r.id !== 'check' && r.id !== 'memory' && r.id !== 'diff') rss(r);
  // The analyzers (issue 11): memory at the checker's pace within 250 MB; diff reads the file twice.
  ratio('memory', 1.0, 'memory', 'redis-check-rdb');
  const memory = byId.get('memory');
  if (memory) {
    targets.push({
      name: `${memory.name} peak RSS`,
      goal: `≤ ${MEMORY_RSS_LIMIT_MB} MB`,
      value: memory.peakRssMB === null ? 'n/a' : `${memory.peakRssMB.toFixed(0)} MB`,
      met: memory.peakRssMB === null ? null : memory.peakRssMB <= MEMORY_RSS_LIMIT_MB,
    });
  }
  ratio('diff', 0.5, 'diff of the file with itself', 'redis-check-rdb');

  // The conversions (issue 10). A run that exited non-zero says nothing about speed or memory.
  const failedNote = (r: MeasurementResult): string => (r.failure ? ` (but it exited with code ${r.failure.exitCode})` : '');
  const convertSpeed = (r: MeasurementResult, v: number | null | undefined, baseline: MeasurementResult | undefined, min: number, name: string, goal: string): void => {
    const cpu = baseline?.medianCpuSeconds && r.medianCpuSeconds ? baseline.medianCpuSeconds / r.medianCpuSeconds : null;
    const value = v === null || v === undefined ? 'n/a' : `${v.toFixed(2)}×${cpu === null ? '' : ` (cpu time ${cpu.toFixed(2)}×)`}${failedNote(r)}`;
    targets.push({ name, goal, value, met: v === null || v === undefined || r.failure ? null : v >= min });
  };
  const resp = byId.get('convert-resp');
  if (resp) convertSpeed(resp, resp.ratioVsCheck, byId.get('check'), 1.0, 'convert --to resp speed', "≥ 1.0× redis-check-rdb (librdb's RESP writer: 0.58–0.67×)");
  const rdb = byId.get('convert-rdb');
  if (rdb) convertSpeed(rdb, rdb.ratioVsLoadSave, byId.get(LOAD_SAVE), 1.0, 'convert --to rdb speed', '≥ 1.0× redis-server loading the file and running SAVE');
  for (const r of [resp, rdb]) {
    if (!r) continue;
    targets.push({
      name: `${r.name} peak RSS`,
      goal: `≤ ${RSS_LIMIT_MB} MB`,
      value: r.peakRssMB === null ? 'n/a' : `${r.peakRssMB.toFixed(0)} MB${failedNote(r)}`,
      met: r.peakRssMB === null || r.failure ? null : r.peakRssMB <= RSS_LIMIT_MB,
    });
  }

  ratio('aof-check', 3.0, 'check (plain AOF)', 'redis-check-aof', true);
  for (const id of ['aof-check', 'hybrid-check'] as const) {
    const r = byId.get(id);
    if (r) rss(r);
  }
  for (const [id, load] of [
    ['replay-plain', 'replay-redis-load-plain'],
    ['replay-hybrid', 'replay-redis-load-hybrid'],
  ] as const) {
    const set = id === 'replay-plain' ? 'plain' : 'hybrid';
    if (byId.has(id) && byId.has(load)) ratio(id, 0.5, `replay (${set} set)`, `redis-server loading it`, true);
  }
  for (const id of ['replay-plain', 'replay-export-plain', 'replay-hybrid', 'replay-export-hybrid'] as const) {
    const r = byId.get(id);
    if (!r) continue;
    const used = byId.get(r.baseline)?.replay?.usedMemoryBytes;
    const x = r.replay?.rssVsUsedMemory ?? null;
    targets.push({
      name: `${r.name} peak RSS`,
      goal: `≤ 2.0× the server's used_memory after loading the same set`,
      value: x === null || used === undefined ? 'n/a' : `${x.toFixed(2)}× (${fmt(r.peakRssMB, 0)} MB vs ${mb(used)})`,
      met: x === null ? null : x <= 2,
    });
  }
  const hybrid = byId.get('hybrid-check');
  const parts = byId.get('hybrid-inspect-rdb');
  if (hybrid && parts) {
    const a = hybrid.medianSeconds;
    const b = parts.medianSeconds;
    targets.push({
      name: 'check (hybrid AOF) time',
      goal: '≤ inspect of the RDB base + check of the tail',
      value: a === null || b === null ? 'n/a' : `${a.toFixed(2)} s vs ${b.toFixed(2)} s (${(a / b).toFixed(2)}×)`,
      met: a === null || b === null ? null : a <= b,
    });
  }
  targets.push(...realisticTargets(results));
  return targets;
}

function renderTable(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));
const mb = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;

function renderRdbSection(dataset: BenchDataset, results: MeasurementResult[]): string[] {
  const m = dataset.meta;
  // The column of the second baseline only when a conversion ran.
  const withLoadSave = results.some((r) => isConvertMeasurement(r.id));
  const rows = results.map((r) => [
    r.name,
    r.error ? 'FAILED' : fmt(r.medianSeconds, 2) + (r.failure ? ' !' : ''),
    fmt(r.medianCpuSeconds, 2),
    fmt(r.mbPerSec, 0),
    r.keysPerSec === null ? 'n/a' : `${(r.keysPerSec / 1e6).toFixed(2)} M`,
    r.id === 'check' ? '1.00×' : r.ratioVsCheck === null ? 'n/a' : `${r.ratioVsCheck.toFixed(2)}×`,
    ...(withLoadSave ? [r.id === LOAD_SAVE ? '1.00×' : r.ratioVsLoadSave === undefined || r.ratioVsLoadSave === null ? (isConvertMeasurement(r.id) ? 'n/a' : '') : `${r.ratioVsLoadSave.toFixed(2)}×`] : []),
    fmt(r.peakRssMB, 0),
    r.runs.map((s) => s.toFixed(2)).join(' '),
  ]);
  const headers = ['measurement', 'seconds', 'cpu s', 'MB/s', 'keys/s', 'vs check-rdb', ...(withLoadSave ? ['vs load+SAVE'] : []), 'peak RSS MB', 'runs (s)'];
  const out: string[] = [];
  out.push(
    `dataset: ${path.relative(ROOT, dataset.rdbPath)}, ${(m.rdbBytes / MB).toFixed(0)} MB, ${m.totalKeys.toLocaleString('en-US')} keys, written by redis-server ${m.serverVersion}${dataset.cached ? ' (cached)' : ''}`,
  );
  out.push('');
  out.push(renderTable(headers, rows, [...headers.slice(0, -1).map((_, i) => i > 0), false]));
  const decode = results.find((r) => r.id === 'decode' && r.details);
  if (decode?.details) {
    const d = decode.details;
    out.push('');
    out.push(
      `full decode: ${Number(d.keys).toLocaleString('en-US')} keys, ${Number(d.elements).toLocaleString('en-US')} elements, checksum ${String(d.checksum)}, ` +
        `${(Number(d.decodeMs) / 1000).toFixed(2)} s inside the process (the table's seconds include node start-up)`,
    );
  }
  if (withLoadSave) {
    out.push('');
    out.push('vs load+SAVE: seconds of redis-server from spawn until it has loaded the RDB and SAVE has returned / this.');
    const server = results.find((r) => r.id === LOAD_SAVE && r.details);
    const d = server?.details;
    if (d) {
      const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
      const saved = num(d.savedBytes);
      out.push(
        `${server!.name} (medians): loaded in ${fmt(num(d.loadSeconds), 2)} s from spawn (the server printed ${fmt(num(d.reportedLoadSeconds), 2)} s), ` +
          `SAVE ${fmt(num(d.saveSeconds), 2)} s, wrote ${saved === null ? 'n/a' : mb(saved)}` +
          (typeof d.keys === 'number' ? `, ${d.keys.toLocaleString('en-US')} keys loaded` : '') +
          '; the peak RSS is the server\'s',
      );
    }
    const written = results.find((r) => r.id === 'convert-rdb' && typeof r.details?.outputBytes === 'number');
    if (written) out.push(`${written.name} wrote ${mb(written.details!.outputBytes as number)} (median)`);
  }
  return out;
}

function renderAofSection(aof: BenchAofDataset, results: MeasurementResult[]): string[] {
  const m = aof.meta;
  const f = m.files;
  const rel = path.relative(ROOT, aof.dir);
  const rows = results.map((r) => [
    r.name,
    mb(r.inputBytes),
    r.error ? 'FAILED' : fmt(r.medianSeconds, 2) + (r.failure ? ' !' : ''),
    fmt(r.medianCpuSeconds, 2),
    fmt(r.mbPerSec, 0),
    r.id === r.baseline ? '1.00×' : r.ratioVsCheck === null ? 'n/a' : `${r.ratioVsCheck.toFixed(2)}×`,
    fmt(r.peakRssMB, 0),
    r.runs.map((s) => s.toFixed(2)).join(' '),
  ]);
  const out: string[] = [];
  out.push(
    `AOF dataset: ${rel}/, written by redis-server ${m.serverVersion}${aof.cached ? ' (cached)' : ''}: ` +
      `${f.plain.name} ${mb(f.plain.bytes)} (plain, ${(m.commandsSent.plain / 1e6).toFixed(1)} M commands sent); ` +
      `${f.hybrid.name} ${mb(f.hybrid.bytes)} = ${f.hybridBase.name} ${mb(f.hybridBase.bytes)} + ${f.hybridTail.name} ${mb(f.hybridTail.bytes)}`,
  );
  out.push('');
  out.push(renderTable(['measurement', 'input', 'seconds', 'cpu s', 'MB/s', 'vs check-aof', 'peak RSS MB', 'runs (s)'], rows, [false, true, true, true, true, true, true, false]));
  out.push('');
  out.push('vs check-aof: redis-check-aof on the same file (plain.aof for aof-*, hybrid.aof for hybrid-*) / this.');
  const parts = results.find((r) => r.id === 'hybrid-inspect-rdb' && r.details);
  const steps = parts?.details?.steps as { command: string; medianSeconds: number | null }[] | undefined;
  if (steps) {
    out.push(`${parts!.name}, median seconds of each step:`);
    for (const s of steps) out.push(`  ${fmt(s.medianSeconds, 2).padStart(7)}  ${s.command}`);
  }
  return out;
}

function renderReplaySection(replay: BenchReplayDataset, results: MeasurementResult[]): string[] {
  const m = replay.meta;
  const rel = path.relative(ROOT, replay.dir);
  const rows = results.map((r) => [
    r.name,
    mb(r.inputBytes),
    r.error ? 'FAILED' : fmt(r.medianSeconds, 2) + (r.failure ? ' !' : ''),
    fmt(r.medianCpuSeconds, 2),
    fmt(r.mbPerSec, 0),
    r.keysPerSec === null ? 'n/a' : `${(r.keysPerSec / 1e6).toFixed(2)} M`,
    r.id === r.baseline ? '1.00×' : r.ratioVsCheck === null ? 'n/a' : `${r.ratioVsCheck.toFixed(2)}×`,
    fmt(r.peakRssMB, 0),
    r.id === r.baseline ? (r.replay?.usedMemoryBytes === undefined ? 'n/a' : `used_memory ${mb(r.replay.usedMemoryBytes)}`) : r.replay?.rssVsUsedMemory === undefined ? 'n/a' : `${r.replay.rssVsUsedMemory.toFixed(2)}×`,
    r.runs.map((s) => s.toFixed(2)).join(' '),
  ]);
  const out: string[] = [];
  out.push(
    `replay dataset: ${rel}/, gen.js mixed at scale ${m.genScale} (+ a tail at ${m.tailGenScale}), written by redis-server ${m.serverVersion}${replay.cached ? ' (cached)' : ''}: ` +
      `${m.totalKeys.toLocaleString('en-US')} keys; plain/ ${mb(m.plain.bytes)} (${m.plain.files.map((f) => `${f.name} ${mb(f.bytes)}`).join(' + ')}); ` +
      `hybrid/ ${mb(m.hybrid.bytes)} (${m.hybrid.files.map((f) => `${f.name} ${mb(f.bytes)}`).join(' + ')})`,
  );
  out.push('');
  out.push(
    renderTable(
      ['measurement', 'input', 'seconds', 'cpu s', 'MB/s', 'keys/s', 'vs redis load', 'peak RSS MB', 'RSS / used_memory', 'runs (s)'],
      rows,
      [false, true, true, true, true, true, true, true, true, false],
    ),
  );
  out.push('');
  out.push('vs redis load: seconds of redis-server loading the same set (spawn until its "DB loaded from append only file" line) / this (the replay: spawn until its result line, when its dataset is complete).');
  out.push("RSS / used_memory: this row's peak RSS / the server's INFO used_memory once it had loaded the same set.");
  for (const r of results) {
    const f = r.replay;
    if (!f || r.error) continue;
    if (f.reportedSeconds !== undefined) {
      out.push(
        `${r.name}: the server printed ${f.reportedSeconds.toFixed(3)} s (median); used_memory_rss ${f.usedMemoryRssBytes === undefined ? 'n/a' : mb(f.usedMemoryRssBytes)}, ` +
          `its peak RSS ${f.serverPeakRssMB === undefined ? 'n/a' : `${f.serverPeakRssMB.toFixed(0)} MB`}, ${f.keys?.toLocaleString('en-US') ?? 'n/a'} keys` +
          (f.loadLines?.length ? `; ${f.loadLines.filter((l) => l.startsWith('DB loaded from base') || l.startsWith('DB loaded from incr')).join('; ')}` : ''),
      );
    } else if (f.inProcessSeconds !== undefined) {
      out.push(
        `${r.name}: ${f.inProcessSeconds.toFixed(2)} s inside the process (median), ${f.keys?.toLocaleString('en-US') ?? 'n/a'} keys, ` +
          `heap in use with the dataset ${f.heapUsedBytes === undefined ? 'n/a' : mb(f.heapUsedBytes)}`,
      );
    }
  }
  return out;
}

function renderReport(
  dataset: BenchDataset | null,
  aof: BenchAofDataset | null,
  replay: BenchReplayDataset | null,
  realistic: ReadonlyMap<RealisticRole, RealisticDataset>,
  results: MeasurementResult[],
  targets: Target[],
  runs: number,
  load: LoadInfo,
): string {
  const out: string[] = [];
  out.push(`node ${process.version}, ${os.cpus().length} CPUs, ${runs === 1 ? '1 run' : `median of ${runs} runs`}, warm page cache; MB = 10^6 bytes`);
  const rdbResults = results.filter((r) => readsRdbDataset(r.id));
  const aofResults = results.filter((r) => !readsRdbDataset(r.id) && !isReplayMeasurement(r.id) && !isRealisticMeasurement(r.id));
  const replayResults = results.filter((r) => isReplayMeasurement(r.id));
  if (dataset && rdbResults.length) out.push('', ...renderRdbSection(dataset, rdbResults));
  if (aof && aofResults.length) out.push('', ...renderAofSection(aof, aofResults));
  if (replay && replayResults.length) out.push('', ...renderReplaySection(replay, replayResults));
  for (const [role, set] of realistic) {
    const rows = results.filter((r) => isRealisticMeasurement(r.id) && realisticPart(r.id).role === role);
    if (rows.length) out.push('', ...renderRealisticSection(role, set, rows, targets));
  }
  out.push('');
  out.push('seconds = wall clock (median), which the ratios and targets use; cpu s = user + system time (median).');
  out.push(`machine load (1-minute average, ${os.cpus().length} CPUs): ${load.before.toFixed(2)} before, ${load.max.toFixed(2)} at most during, ${load.after.toFixed(2)} after.`);
  if (load.busy) {
    out.push(
      `warning: the machine was busy (1-minute load average ${load.before.toFixed(1)} before, up to ${load.max.toFixed(1)} during, ${load.after.toFixed(1)} after, on ${os.cpus().length} CPUs): ` +
        'wall times are inflated and noisy; compare the cpu s column, or re-run on a quiet machine.',
    );
  }
  if (load.distRebuilt) out.push('warning: the library in dist/ was rebuilt while the measurements ran, so the runs of decode, deliver or replay-* may come from two builds; re-run.');
  if (discarded?.warning) out.push(`${discarded.path === '/dev/null' ? 'warning' : 'note'}: ${discarded.warning}.`);
  out.push('');
  out.push('targets:');
  for (const t of targets) out.push(`  ${t.met === null ? 'n/a    ' : t.met ? 'met    ' : 'NOT met'}  ${t.name}: ${t.value} (goal ${t.goal})`);
  if (targets.length === 0) out.push('  (none for these measurements)');
  // Measurements that failed for the same reason (say, no check command yet) share one message.
  const byError = new Map<string, string[]>();
  for (const r of results) if (r.error) byError.set(r.error, [...(byError.get(r.error) ?? []), r.name]);
  for (const [error, names] of byError) {
    out.push('');
    out.push(`${names.join(', ')} failed:\n${error}`);
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
    // Node's own modules (`node:internal/…`) are shown as they are, not as paths.
    const file = !cf.url ? '' : cf.url.startsWith('node:') ? cf.url : path.relative(ROOT, fileURLToPath(cf.url.startsWith('file:') ? cf.url : pathToUrl(cf.url)));
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

interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

/**
 * Bytes allocated per function (name + file + line) that were still live when the profile
 * was written, from a sampling heap profile (`node --heap-prof`).
 */
function summarizeHeapProfile(head: HeapProfileNode, top: number): { totalBytes: number; rows: { fn: string; where: string; bytes: number; pct: number }[] } {
  const byFn = new Map<string, { fn: string; where: string; bytes: number }>();
  let totalBytes = 0;
  const stack = [head];
  while (stack.length) {
    const node = stack.pop()!;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    totalBytes += node.selfSize;
    const cf = node.callFrame;
    const file = !cf.url ? '' : cf.url.startsWith('node:') ? cf.url : path.relative(ROOT, fileURLToPath(cf.url.startsWith('file:') ? cf.url : pathToUrl(cf.url)));
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || '(anonymous)';
    const entry = byFn.get(`${fn}@${where}`) ?? { fn, where, bytes: 0 };
    entry.bytes += node.selfSize;
    byFn.set(`${fn}@${where}`, entry);
  }
  const rows = [...byFn.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((e) => ({ ...e, pct: (100 * e.bytes) / (totalBytes || 1) }));
  return { totalBytes, rows };
}

async function heapProfileMeasurement(cmd: Command, top: number, dir: string): Promise<string> {
  const run = await runOnce(cmd, ['--heap-prof', '--heap-prof-dir', dir]);
  let best: { file: string; head: HeapProfileNode; bytes: number } | null = null;
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.heapprofile')) continue;
    const head = (JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as { head: HeapProfileNode }).head;
    const s = summarizeHeapProfile(head, top);
    if (!best || s.totalBytes > best.bytes) best = { file: path.join(dir, name), head, bytes: s.totalBytes };
  }
  if (!best) throw new Error(`no .heapprofile was written to ${dir}`);
  const s = summarizeHeapProfile(best.head, top);
  const rows = s.rows.map((r, i) => [String(i + 1), r.pct.toFixed(1) + '%', (r.bytes / MB).toFixed(1), r.fn, r.where]);
  return [
    `${cmd.name}: ${run.seconds.toFixed(2)} s wall with the heap profiler, peak RSS ${run.peakRssKb === null ? 'n/a' : `${((run.peakRssKb * 1024) / MB).toFixed(0)} MB`}; ` +
      `${(s.totalBytes / MB).toFixed(0)} MB sampled as live at exit`,
    `profile: ${path.relative(ROOT, best.file)} (open in Chrome DevTools)`,
    '',
    renderTable(['#', 'live %', 'MB', 'allocated by', 'location'], rows, [true, true, true, false, false]),
    '',
    'live % is of the bytes sampled as live when the process exited (a sampling estimate)',
  ].join('\n');
}

async function profileMeasurement(cmd: Command, top: number, heap = false): Promise<string> {
  // A node process with a timing of its own (the replay child) is profiled as a plain run.
  if (cmd.file !== process.execPath || cmd.alsoRun?.length) {
    throw new BenchUsageError(
      `--profile works on single node processes (inspect, decode, deliver, export, memory, diff, convert-resp, convert-rdb, aof-raw-read, aof-check, hybrid-check, replay-plain, replay-hybrid, replay-export-plain, replay-export-hybrid, ` +
        `and the realistic rows <dataset>-inspect, -check-deep, -export, -aof-check), not ${cmd.id}`,
    );
  }
  const dir = path.join(CACHE_DIR, 'profiles', `${cmd.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await fs.mkdir(dir, { recursive: true });
  log(`profiling ${cmd.display} …`);
  if (heap) return heapProfileMeasurement(cmd, top, dir);
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

// ------------------------------------------------------------------ replay

/** The replay measurements wanted, on the two sets of the replay dataset, each set's server load first. */
async function replayCommands(replay: BenchReplayDataset, wanted: ReadonlySet<MeasurementId>, libUsable: boolean, keepNames: boolean): Promise<Command[]> {
  const out: Command[] = [];
  const server = findRedisServer();
  const replayLibUsable = libUsable && existsSync(path.join(ROOT, 'dist', 'replay', 'replay-input.js'));
  const child = replayLibUsable ? await compileChild('bench-replay-child') : path.join(ROOT, 'scripts', 'lib', 'bench-replay-child.ts');
  if (!replayLibUsable && (wanted.has('replay-plain') || wanted.has('replay-hybrid'))) log('warning: dist/ has no replay; the replay runs the sources under tsx (peak RSS includes tsx)');
  // The replay's entry bundled as the CLI is (with its worker files beside it), so the child
  // starts as `rdbtool` does: one file to load, not some hundred modules.
  let replayBundle: string | null = null;
  if (replayLibUsable && (wanted.has('replay-plain') || wanted.has('replay-hybrid'))) {
    const outDir = path.join(CACHE_DIR, 'replay-lib');
    await buildCli({ root: ROOT, outDir, extraEntries: { 'replay-input': path.join('src', 'replay', 'replay-input.ts') }, keepNames: keepNames });
    replayBundle = path.join(outDir, 'replay-input.js');
  }
  for (const set of ['plain', 'hybrid'] as const) {
    const meta = replay.meta[set];
    const dir = set === 'plain' ? replay.plainDir : replay.hybridDir;
    const rel = path.relative(ROOT, dir);
    const warm = meta.files.map((f) => path.join(dir, f.name));
    const common = { input: dir, warm, bytes: meta.bytes };
    const loadId = `replay-redis-load-${set}` as const;
    if (wanted.has(loadId)) {
      out.push({
        ...common,
        id: loadId,
        name: `redis-server load (${set})`,
        display: `redis-server --appendonly yes --dir <copy> --appenddirname ${meta.dir} (${rel})`,
        file: server ?? 'redis-server',
        args: [],
        captureStdout: true,
        run: async () => {
          if (!server) throw new Error('redis-server was not found on PATH');
          const r = await timeRedisLoad({ binary: server, setDir: dir, appendDirName: meta.dir, config: ENCODING_CONFIG });
          return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssKb: r.peakRssKb, stdout: JSON.stringify(r), exitCode: 0, stderrTail: '' };
        },
      });
    }
    const replayId = `replay-${set}` as const;
    if (wanted.has(replayId)) {
      const args = replayLibUsable ? [child, dir, '--module', replayBundle!] : ['--import', 'tsx', child, dir];
      const shown = replayLibUsable ? `.bench-cache/bench-replay-child.mjs --module ${path.relative(ROOT, replayBundle!)}` : '--import tsx scripts/lib/bench-replay-child.ts';
      out.push({
        ...common,
        id: replayId,
        name: `replay only (${set})`,
        display: `node ${shown} ${rel}`,
        file: process.execPath,
        args,
        captureStdout: true,
        // Timed as the server is: from spawn until it says the data is loaded (its result line).
        run: () => timeReplayChild(process.execPath, args),
      });
    }
    const exportId = `replay-export-${set}` as const;
    if (wanted.has(exportId)) {
      out.push({
        ...common,
        id: exportId,
        name: `rdbtool export (${set})`,
        display: `node dist/cli/main.js export ${rel} --format ndjson`,
        file: process.execPath,
        args: [runCli, 'export', dir, '--format', 'ndjson'],
        captureStdout: false,
      });
    }
  }
  return out;
}

/** Fills `r.replay` with the medians of what each run reported (a server load or the replay child). */
function summarizeReplayRuns(r: MeasurementResult, runs: Record<string, unknown>[]): void {
  if (runs.length === 0) return;
  const med = (key: string): number | undefined => {
    const xs = runs.map((d) => d[key]).filter((x): x is number => typeof x === 'number');
    return xs.length ? median(xs) : undefined;
  };
  const last = runs[runs.length - 1];
  const f: ReplayFigures = { ...r.replay, keys: typeof last.keys === 'number' ? last.keys : undefined };
  if (isServerLoad(r.id)) {
    f.reportedSeconds = med('reportedSeconds');
    f.usedMemoryBytes = med('usedMemoryBytes');
    f.usedMemoryRssBytes = med('usedMemoryRssBytes');
    const peaks = runs.map((d) => d.peakRssKb).filter((x): x is number => typeof x === 'number');
    if (peaks.length) f.serverPeakRssMB = (Math.max(...peaks) * 1024) / MB;
    f.loadLines = Array.isArray(last.loadLines) ? (last.loadLines as string[]) : undefined;
  } else {
    const ms = med('replayMs');
    f.inProcessSeconds = ms === undefined ? undefined : ms / 1000;
    f.heapUsedBytes = med('heapUsedBytes');
  }
  r.replay = f;
}

// ------------------------------------------------------------------ convert

/** Where `convert-rdb` writes (removed after each run). */
const CONVERT_OUT = path.join(CACHE_DIR, 'convert-out.rdb');

/** The convert measurements wanted, on the RDB dataset `file`: the server's load + SAVE first. */
async function convertCommands(file: string, bytes: number, wanted: ReadonlySet<MeasurementId>): Promise<Command[]> {
  const out: Command[] = [];
  const rel = path.relative(ROOT, file);
  const common = { input: file, bytes, captureStdout: false };
  if (wanted.has('redis-load-save')) {
    const server = findRedisServer();
    // What the last run reported (load and SAVE apart, file sizes), handed on by `after`.
    let last: Record<string, unknown> | undefined;
    out.push({
      ...common,
      id: 'redis-load-save',
      name: 'redis-server load + SAVE',
      display: `redis-server --dir <copy> --dbfilename dump.rdb (${rel}), then SAVE`,
      file: server ?? 'redis-server',
      args: [],
      run: async () => {
        last = undefined;
        if (!server) throw new Error('redis-server was not found on PATH');
        const r = await timeRedisLoadSave({ binary: server, rdbFile: file, config: LOAD_SAVE_CONFIG });
        last = { loadSeconds: r.loadSeconds, reportedLoadSeconds: r.reportedLoadSeconds, saveSeconds: r.saveSeconds, savedBytes: r.savedBytes, ...(r.keys === null ? {} : { keys: r.keys }) };
        return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssKb: r.peakRssKb, stdout: '', exitCode: 0, stderrTail: '' };
      },
      after: async () => last,
    });
  }
  if (wanted.has('convert-resp')) {
    out.push({
      ...common,
      id: 'convert-resp',
      name: 'rdbtool convert --to resp',
      display: `node dist/cli/main.js convert ${rel} - --to resp`,
      file: process.execPath,
      args: [runCli, 'convert', file, '-', '--to', 'resp'],
    });
  }
  if (wanted.has('convert-rdb')) {
    await fs.rm(CONVERT_OUT, { force: true });
    out.push({
      ...common,
      id: 'convert-rdb',
      name: 'rdbtool convert --to rdb',
      display: `node dist/cli/main.js convert ${rel} ${path.relative(ROOT, CONVERT_OUT)} --to rdb`,
      file: process.execPath,
      args: [runCli, 'convert', file, CONVERT_OUT, '--to', 'rdb'],
      after: async () => {
        const written = existsSync(CONVERT_OUT) ? statSync(CONVERT_OUT).size : undefined;
        await fs.rm(CONVERT_OUT, { force: true });
        return written === undefined ? undefined : { outputBytes: written };
      },
    });
  }
  return out;
}

/** Replaces `r.details` with the median of every numeric field the runs reported. */
function summarizeDetailRuns(r: MeasurementResult, runs: Record<string, unknown>[]): void {
  if (runs.length === 0) return;
  const details: Record<string, unknown> = {};
  for (const key of Object.keys(runs[runs.length - 1])) {
    const xs = runs.map((d) => d[key]).filter((x): x is number => typeof x === 'number');
    if (xs.length) details[key] = median(xs);
  }
  r.details = details;
}

// ------------------------------------------------------------------ realistic

/** How a realistic row is shown in its dataset's table (the row's name puts the dataset first). */
const REALISTIC_LABELS: Readonly<Record<RealisticMeasure, string>> = {
  'redis-check-rdb': 'redis-check-rdb',
  inspect: 'rdbtool inspect --json',
  'check-deep': 'rdbtool check --deep',
  export: 'rdbtool export ndjson',
  'redis-check-aof': 'redis-check-aof (plain AOF)',
  'aof-check': 'rdbtool check (plain AOF)',
};

/** The realistic rows wanted on the dataset of `role`, in round order (baselines first). */
function realisticCommands(role: RealisticRole, set: RealisticDataset, wanted: ReadonlySet<MeasurementId>): Command[] {
  const out: Command[] = [];
  for (const id of REALISTIC_MEASUREMENTS) {
    const { role: of, measure } = realisticPart(id);
    if (of !== role || !wanted.has(id)) continue;
    const file = readsAof(measure) ? set.aofPath : set.rdbPath;
    if (file === null) throw new Error(`the realistic dataset ${role} has no AOF, which ${id} reads`);
    const rel = path.relative(ROOT, file);
    const cli = (args: string[]): [string, string[], string] => [process.execPath, [runCli, ...args], `node dist/cli/main.js ${args.map((a) => (a === file ? rel : a)).join(' ')}`];
    const [exe, args, display] =
      measure === 'redis-check-rdb' || measure === 'redis-check-aof'
        ? [measure, [file], `${measure} ${rel}`]
        : measure === 'inspect'
          ? cli(['inspect', file, '--json'])
          : measure === 'check-deep'
            ? cli(['check', '--deep', file])
            : measure === 'export'
              ? cli(['export', file, '--format', 'ndjson'])
              : cli(['check', file]);
    const bytes = readsAof(measure) ? set.meta.aof!.bytes : set.meta.rdb.bytes;
    out.push({ id, name: `${role}: ${REALISTIC_LABELS[measure]}`, display, file: exe, args, captureStdout: false, input: file, bytes });
  }
  return out;
}

/**
 * The issue's targets on realistic data: each rdbtool row's speed against its baseline
 * ({@link REALISTIC_SPEED_TARGETS}), and its peak RSS. A run that exited non-zero is judged
 * on neither (shown, but n/a).
 */
function realisticTargets(results: MeasurementResult[]): Target[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const targets: Target[] = [];
  for (const r of results) {
    if (!isRealisticMeasurement(r.id)) continue;
    const { role, measure } = realisticPart(r.id);
    if (measure === 'redis-check-rdb' || measure === 'redis-check-aof') continue;
    const failed = r.failure ? ` (but it exited with code ${r.failure.exitCode})` : '';
    const min = REALISTIC_SPEED_TARGETS[role][measure];
    if (min !== undefined) {
      const base = byId.get(r.baseline);
      const v = base ? r.ratioVsCheck : null;
      // The CPU-time ratio as well: on a busy machine it is the steadier of the two.
      const cpu = base?.medianCpuSeconds && r.medianCpuSeconds ? base.medianCpuSeconds / r.medianCpuSeconds : null;
      targets.push({
        name: `${r.name} speed`,
        goal: `≥ ${min.toFixed(1)}× ${readsAof(measure) ? 'redis-check-aof' : 'redis-check-rdb'}`,
        value: v === null ? 'n/a' : `${v.toFixed(2)}×${cpu === null ? '' : ` (cpu time ${cpu.toFixed(2)}×)`}${failed}`,
        met: v === null || r.failure ? null : v >= min,
        measurement: r.id,
        aspect: 'speed',
      });
    }
    targets.push({
      name: `${r.name} peak RSS`,
      goal: `≤ ${REALISTIC_RSS_LIMIT_MB} MB`,
      value: r.peakRssMB === null ? 'n/a' : `${r.peakRssMB.toFixed(0)} MB${failed}`,
      met: r.peakRssMB === null || r.failure ? null : r.peakRssMB <= REALISTIC_RSS_LIMIT_MB,
      measurement: r.id,
      aspect: 'rss',
    });
  }
  return targets;
}

const verdict = (t: Target | undefined): string => (t === undefined ? '' : t.met === null ? 'n/a' : t.met ? 'met' : 'NOT met');

function renderRealisticSection(role: RealisticRole, set: RealisticDataset, results: MeasurementResult[], targets: Target[]): string[] {
  const m = set.meta;
  const spec = REALISTIC_SPECS[role];
  const targetOf = (r: MeasurementResult, aspect: Target['aspect']): Target | undefined => targets.find((t) => t.measurement === r.id && t.aspect === aspect);
  const ratio = (r: MeasurementResult, column: 'rdb' | 'aof'): string => {
    const { measure } = realisticPart(r.id as RealisticMeasurementId);
    if ((column === 'aof') !== readsAof(measure)) return '';
    if (r.id === r.baseline) return '1.00×';
    return r.ratioVsCheck === null ? 'n/a' : `${r.ratioVsCheck.toFixed(2)}×`;
  };
  const rows = results.map((r) => {
    const { measure } = realisticPart(r.id as RealisticMeasurementId);
    const speed = targetOf(r, 'speed');
    const min = REALISTIC_SPEED_TARGETS[role][measure];
    return [
      REALISTIC_LABELS[measure],
      mb(r.inputBytes),
      r.error ? 'FAILED' : fmt(r.medianSeconds, 2) + (r.failure ? ' !' : ''),
      fmt(r.medianCpuSeconds, 2),
      fmt(r.mbPerSec, 0),
      // The big dataset has a few hundred keys: M would show 0.00.
      r.keysPerSec === null ? 'n/a' : r.keysPerSec >= 1e5 ? `${(r.keysPerSec / 1e6).toFixed(2)} M` : r.keysPerSec.toFixed(0),
      ratio(r, 'rdb'),
      ratio(r, 'aof'),
      fmt(r.peakRssMB, 0),
      speed === undefined || min === undefined ? '' : `≥ ${min.toFixed(1)}× ${verdict(speed)}`,
      verdict(targetOf(r, 'rss')),
      r.runs.map((s) => s.toFixed(2)).join(' '),
    ];
  });
  const rel = path.relative(ROOT, set.dir);
  const out: string[] = [];
  out.push(
    `realistic dataset ${role}: gen.js ${m.kind} ${m.genScale} ${m.seed} (${spec.nominal} at --scale 1), saved by redis-server ${m.serverVersion} with rdbcompression yes${set.cached ? ' (cached)' : ''}: ` +
      `${rel}/${m.rdb.name} ${mb(m.rdb.bytes)}` +
      (m.aof ? `, ${rel}/${m.aof.name} ${mb(m.aof.bytes)} (its BGREWRITEAOF without preamble)` : '') +
      `; ${m.totalKeys.toLocaleString('en-US')} keys`,
  );
  out.push('');
  out.push(
    renderTable(
      ['measurement', 'input', 'seconds', 'cpu s', 'MB/s', 'keys/s', '×C', '×check-aof', 'peak RSS MB', 'speed target', `RSS ≤ ${REALISTIC_RSS_LIMIT_MB} MB`, 'runs (s)'],
      rows,
      [false, true, true, true, true, true, true, true, true, false, false, false],
    ),
  );
  out.push('');
  out.push(`×C: redis-check-rdb on ${m.rdb.name} / this${m.aof ? `; ×check-aof: redis-check-aof on ${m.aof.name} / this` : ''}. Targets: the issue's, for this dataset's column.`);
  return out;
}

// ------------------------------------------------------------------ main

/**
 * Why `rdbtool check` cannot run, or null when it can: the command does not exist yet, or
 * the build did not produce it.
 */
function checkCommandProblem(buildError: string | null): string | null {
  if (!existsSync(CHECK_SOURCE)) {
    return `rdbtool has no \`check\` command yet (${path.relative(ROOT, CHECK_SOURCE)} does not exist); this measurement runs once it does`;
  }
  if (!existsSync(CLI)) return `${path.relative(ROOT, CLI)} is missing; the build said:\n${buildError ?? '(nothing)'}`;
  return null;
}

/** Node one-liner: reads argv[1] in 1 MiB chunks with createReadStream (the library's read loop) and drops them. */
const RAW_READ_SCRIPT =
  "const fs=require('node:fs');(async()=>{let n=0;for await(const c of fs.createReadStream(process.argv[1],{highWaterMark:1<<20}))n+=c.length;" +
  "if(n!==fs.statSync(process.argv[1]).size)process.exit(1)})()";

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const wanted = new Set<MeasurementId>(opts.profile ? [opts.profile] : opts.only);
  const wantsRdb = [...RDB_MEASUREMENTS, ...CONVERT_MEASUREMENTS].some((id) => wanted.has(id));
  const wantsAof = AOF_MEASUREMENTS.some((id) => wanted.has(id));
  const wantsReplay = REPLAY_MEASUREMENTS.some((id) => wanted.has(id));
  const realisticRoles = REALISTIC_ROLES.filter((role) => REALISTIC_MEASUREMENTS.some((id) => wanted.has(id) && realisticPart(id).role === role));

  let dataset: BenchDataset | null = null;
  if (wantsRdb) {
    dataset = await ensureBenchDataset({ cacheDir: CACHE_DIR, scale: opts.scale, rebuild: opts.rebuild, log });
    if (dataset.cached) log(`using cached dataset ${path.relative(ROOT, dataset.rdbPath)} (${(dataset.meta.rdbBytes / MB).toFixed(0)} MB; --rebuild to regenerate)`);
    else log(`dataset built in ${dataset.meta.buildSeconds.toFixed(0)} s: ${(dataset.meta.rdbBytes / MB).toFixed(0)} MB`);
  }
  let aof: BenchAofDataset | null = null;
  if (wantsAof) {
    aof = await ensureBenchAofDataset({ cacheDir: CACHE_DIR, scale: opts.scale, rebuild: opts.rebuild, log });
    const sizes = `${mb(aof.meta.files.plain.bytes)} plain, ${mb(aof.meta.files.hybrid.bytes)} hybrid`;
    if (aof.cached) log(`using cached AOF dataset ${path.relative(ROOT, aof.dir)}/ (${sizes}; --rebuild to regenerate)`);
    else log(`AOF dataset built in ${aof.meta.buildSeconds.toFixed(0)} s: ${sizes}`);
  }
  let replay: BenchReplayDataset | null = null;
  if (wantsReplay) {
    replay = await ensureBenchReplayDataset({ root: ROOT, cacheDir: CACHE_DIR, scale: opts.scale, rebuild: opts.rebuild, log });
    const m = replay.meta;
    const sizes = `${(m.totalKeys / 1e6).toFixed(2)} M keys, plain set ${mb(m.plain.bytes)}, hybrid set ${mb(m.hybrid.bytes)}`;
    if (replay.cached) log(`using cached replay dataset ${path.relative(ROOT, replay.dir)}/ (${sizes}; --rebuild to regenerate)`);
    else log(`replay dataset built in ${m.buildSeconds.toFixed(0)} s: ${sizes}`);
  }
  const realistic = new Map<RealisticRole, RealisticDataset>();
  for (const role of realisticRoles) {
    const spec = REALISTIC_SPECS[role];
    const genScale = realisticGenScale(role, opts.scale);
    const set = await ensureRealisticDataset({ root: ROOT, cacheDir: CACHE_DIR, kind: spec.kind, genScale, withAof: spec.withAof, rebuild: opts.rebuild, log });
    realistic.set(role, set);
    const m = set.meta;
    const sizes = `${(m.totalKeys / 1e6).toFixed(2)} M keys, ${m.rdb.name} ${mb(m.rdb.bytes)}${m.aof ? `, ${m.aof.name} ${mb(m.aof.bytes)}` : ''}`;
    if (set.cached) log(`using cached realistic dataset ${path.relative(ROOT, set.dir)}/ (${role}: ${sizes}; --rebuild to regenerate)`);
    else log(`realistic dataset ${role} built in ${m.buildSeconds.toFixed(0)} s: ${sizes}`);
  }

  let buildError: string | null = null;
  const startup = opts.startup && !opts.profile;
  const needsDist = startup || [...wanted].some((id) => id !== 'check' && !id.includes('redis-check') && id !== 'aof-raw-read' && !isServerLoad(id) && id !== LOAD_SAVE);
  if (needsDist) {
    buildError = await ensureBuilt();
    if (buildError) log(`warning: the build reported errors:\n${buildError.split('\n').slice(0, 30).join('\n')}`);
  }
  let startupResults: StartupResult[] | null = null;
  let manyResult: ManyDumpsResult | null = null;
  if (startup) {
    if (!existsSync(CLI)) throw new Error(`dist/cli/main.js is missing; the build said:\n${buildError ?? '(nothing)'}`);
    const loadBefore = os.loadavg()[0];
    log(`start-up: ${opts.startupRuns} interleaved rounds of node -e 0, rdbtool --version, rdbtool check …`);
    startupResults = await runStartupBench({ root: ROOT, cli: CLI, rounds: opts.startupRuns, log });
    log('many small dumps: one rdbtool check over a folder against a loop per file …');
    manyResult = await runManyDumpsBench({ root: ROOT, cli: CLI, dir: path.join(ROOT, '.bench-cache', 'many-dumps'), redisCheckRdb: findExecutable('redis-check-rdb'), log });
    if (wanted.size === 0) {
      const loadAfter = os.loadavg()[0];
      const busy = Math.max(loadBefore, loadAfter) > os.cpus().length * 0.5 + 1;
      const targets = startupTargets(startupResults);
      if (opts.json) {
        const environment = { node: process.version, cpus: os.cpus().length, platform: `${os.type()} ${os.release()}` };
        process.stdout.write(JSON.stringify({ environment, loadAverage: { before: loadBefore, after: loadAfter, busy }, buildError, startup: startupResults, manyDumps: manyResult, targets }, null, 2) + '\n');
      } else {
        const out = [`node ${process.version}, ${os.cpus().length} CPUs`, '', ...renderStartupSection(startupResults), '', ...renderManyDumpsSection(manyResult!)];
        if (busy) out.push('', `warning: the machine was busy (1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after): wall times are inflated and noisy; re-run on a quiet machine.`);
        out.push('', 'targets:', ...targets.map((t) => `  ${t.met === null ? 'n/a    ' : t.met ? 'met    ' : 'NOT met'}  ${t.name}: ${t.value} (goal ${t.goal})`));
        process.stdout.write(out.join('\n') + '\n');
      }
      if (startupResults.some((r) => r.failure)) process.exitCode = 1;
      return;
    }
  }
  const cliUsable = existsSync(CLI);
  if (cliUsable) runCli = await snapshotCli(opts.profile !== null);
  const checkProblem = [...wanted].some((id) => USES_CHECK.has(id)) ? checkCommandProblem(buildError) : null;
  const decodeLibUsable = existsSync(path.join(ROOT, 'dist', 'rdb', 'decoder.js')) && existsSync(path.join(ROOT, 'dist', 'io', 'source.js'));

  const commands: Command[] = [];
  if (dataset) {
    const file = dataset.rdbPath;
    const bytes = dataset.meta.rdbBytes;
    const rel = path.relative(ROOT, file);
    if (wanted.has('check')) {
      commands.push({ id: 'check', name: 'redis-check-rdb', display: `redis-check-rdb ${rel}`, file: 'redis-check-rdb', args: [file], captureStdout: false, input: file, bytes });
    }
    if (wanted.has('inspect')) {
      commands.push({ id: 'inspect', name: 'rdbtool inspect', display: `node dist/cli/main.js inspect ${rel} --json`, file: process.execPath, args: [runCli, 'inspect', file, '--json'], captureStdout: false, input: file, bytes });
    }
    if (wanted.has('decode')) {
      // The compiled dist/ code under plain node; the sources under tsx when dist is unusable.
      const child = decodeLibUsable ? await compileChild('bench-decode') : path.join(ROOT, 'scripts', 'lib', 'bench-decode.ts');
      const args = decodeLibUsable ? [child, file, '--lib', path.join(ROOT, 'dist')] : ['--import', 'tsx', child, file];
      if (!decodeLibUsable) log('warning: dist/ has no decoder; the decode runs the sources under tsx (peak RSS includes tsx)');
      commands.push({ id: 'decode', name: 'full decode (checker)', display: `node ${decodeLibUsable ? '.bench-cache/bench-decode.mjs' : '--import tsx scripts/lib/bench-decode.ts'} ${rel}`, file: process.execPath, args, captureStdout: true, input: file, bytes });
    }
    if (wanted.has('deliver')) {
      const child = decodeLibUsable ? await compileChild('bench-decode') : path.join(ROOT, 'scripts', 'lib', 'bench-decode.ts');
      const args = decodeLibUsable ? [child, file, '--lib', path.join(ROOT, 'dist'), '--deliver'] : ['--import', 'tsx', child, file, '--deliver'];
      commands.push({ id: 'deliver', name: 'decode + deliver values', display: `node .bench-cache/bench-decode.mjs ${rel} --deliver`, file: process.execPath, args, captureStdout: true, input: file, bytes });
    }
    if (wanted.has('export')) {
      commands.push({ id: 'export', name: 'rdbtool export ndjson', display: `node dist/cli/main.js export ${rel} --format ndjson`, file: process.execPath, args: [runCli, 'export', file, '--format', 'ndjson'], captureStdout: false, input: file, bytes });
    }
    if (wanted.has('memory')) {
      commands.push({ id: 'memory', name: 'rdbtool memory', display: `node dist/cli/main.js memory ${rel}`, file: process.execPath, args: [runCli, 'memory', file], captureStdout: false, input: file, bytes });
    }
    if (wanted.has('diff')) {
      commands.push({ id: 'diff', name: 'rdbtool diff (file with itself)', display: `node dist/cli/main.js diff ${rel} ${rel}`, file: process.execPath, args: [runCli, 'diff', file, file], captureStdout: false, input: file, bytes });
    }
    commands.push(...(await convertCommands(file, bytes, wanted)));
  }
  if (aof) {
    const f = aof.meta.files;
    const rel = (p: string): string => path.relative(ROOT, p);
    const checkOf = (id: MeasurementId, name: string, file: string, bytes: number): Command => ({
      id,
      name,
      display: `node dist/cli/main.js check ${rel(file)}`,
      file: process.execPath,
      args: [runCli, 'check', file],
      captureStdout: false,
      input: file,
      bytes,
    });
    const redisCheckAof = (id: MeasurementId, name: string, file: string, bytes: number): Command => ({
      id,
      name,
      display: `redis-check-aof ${rel(file)}`,
      file: 'redis-check-aof',
      args: [file],
      captureStdout: false,
      input: file,
      bytes,
    });
    if (wanted.has('aof-raw-read')) {
      commands.push({
        id: 'aof-raw-read',
        name: 'raw read (node, plain)',
        display: `node -e '<createReadStream, 1 MiB chunks>' ${rel(aof.plainPath)}`,
        file: process.execPath,
        args: ['-e', RAW_READ_SCRIPT, aof.plainPath],
        captureStdout: false,
        input: aof.plainPath,
        bytes: f.plain.bytes,
      });
    }
    if (wanted.has('aof-redis-check-aof')) commands.push(redisCheckAof('aof-redis-check-aof', 'redis-check-aof (plain)', aof.plainPath, f.plain.bytes));
    if (wanted.has('aof-check')) commands.push(checkOf('aof-check', 'rdbtool check (plain)', aof.plainPath, f.plain.bytes));
    if (wanted.has('hybrid-redis-check-aof')) commands.push(redisCheckAof('hybrid-redis-check-aof', 'redis-check-aof (hybrid)', aof.hybridPath, f.hybrid.bytes));
    if (wanted.has('hybrid-check')) commands.push(checkOf('hybrid-check', 'rdbtool check (hybrid)', aof.hybridPath, f.hybrid.bytes));
    if (wanted.has('hybrid-inspect-rdb')) {
      const tail = checkOf('hybrid-inspect-rdb', 'check tail', aof.hybridTailPath, f.hybridTail.bytes);
      commands.push({
        id: 'hybrid-inspect-rdb',
        name: 'inspect base + check tail',
        display: `node dist/cli/main.js inspect ${rel(aof.hybridBasePath)} --json`,
        file: process.execPath,
        args: [runCli, 'inspect', aof.hybridBasePath, '--json'],
        captureStdout: false,
        input: aof.hybridBasePath,
        bytes: f.hybridBase.bytes + f.hybridTail.bytes,
        alsoRun: [tail],
      });
    }
  }

  if (replay) commands.push(...(await replayCommands(replay, wanted, decodeLibUsable, opts.profile !== null)));
  for (const [role, set] of realistic) commands.push(...realisticCommands(role, set, wanted));

  const files = new Map<string, number>();
  for (const c of commands) for (const step of [c, ...(c.alsoRun ?? [])]) for (const f of step.warm ?? [step.input]) files.set(f, statSync(f).size);
  const warmBytes = [...files.values()].reduce((a, b) => a + b, 0);
  log(`warming the page cache (${files.size} file${files.size === 1 ? '' : 's'}, ${(warmBytes / MB).toFixed(0)} MB) …`);
  let warmSeconds = 0;
  for (const file of files.keys()) warmSeconds += await warmPageCache(file);
  log(`  read in ${warmSeconds.toFixed(2)} s`);

  if (opts.profile) {
    const cmd = commands[0];
    if (USES_CLI.has(cmd.id) && !cliUsable) throw new Error(`dist/cli/main.js is missing; the build said:\n${buildError ?? '(nothing)'}`);
    if (USES_CHECK.has(cmd.id) && checkProblem) throw new Error(checkProblem);
    try {
      process.stdout.write((await profileMeasurement(cmd, opts.top, opts.heapProfile)) + '\n');
    } finally {
      await cmd.after?.();
    }
    return;
  }

  const results = new Map<MeasurementId, MeasurementResult>();
  const rss = new Map<MeasurementId, number>();
  const stepRuns = new Map<MeasurementId, number[][]>();
  for (const c of commands) {
    results.set(c.id, {
      id: c.id,
      name: c.name,
      command: [c, ...(c.alsoRun ?? [])].map((step) => step.display).join('; '),
      inputBytes: c.bytes,
      runs: [],
      cpuRuns: [],
      medianSeconds: null,
      medianCpuSeconds: null,
      mbPerSec: null,
      keysPerSec: null,
      baseline: BASELINE[c.id],
      ratioVsCheck: null,
      peakRssMB: null,
      ...(isConvertMeasurement(c.id) && c.id !== LOAD_SAVE ? { ratioVsLoadSave: null } : {}),
    });
    const r = results.get(c.id)!;
    if (USES_CLI.has(c.id) && !cliUsable) r.error = `dist/cli/main.js is missing; the build said:\n${buildError ?? '(nothing)'}`;
    else if (USES_CHECK.has(c.id) && checkProblem) r.error = checkProblem;
  }
  /** The JSON details of every run, for the medians of what a child or a server reported. */
  const detailRuns = new Map<MeasurementId, Record<string, unknown>[]>();
  const loadBefore = os.loadavg()[0];
  // Anything else that builds in this checkout replaces dist/ under the runs; the CLI rows run
  // a copy of the bundle, the children that load the library (decode, deliver, replay-*) do not.
  const libraryStamp = (): number => {
    const f = path.join(ROOT, 'dist', 'index.js');
    return existsSync(f) ? statSync(f).mtimeMs : 0;
  };
  const libraryBefore = libraryStamp();
  const loadsLibrary = commands.some((c) => c.id === 'decode' || c.id === 'deliver' || c.id === 'replay-plain' || c.id === 'replay-hybrid');
  let loadMax = loadBefore;
  const loadSampler = setInterval(() => (loadMax = Math.max(loadMax, os.loadavg()[0])), 2_000);
  // Interleaved rounds, so a slow patch of the machine hits every measurement alike.
  const nameWidth = Math.max(26, ...commands.map((c) => c.name.length));
  for (let round = 1; round <= opts.runs; round++) {
    for (const c of commands) {
      const r = results.get(c.id)!;
      if (r.error) continue;
      try {
        const run = await runMeasurement(c);
        r.runs.push(run.seconds);
        if (run.cpuSeconds !== null) r.cpuRuns.push(run.cpuSeconds);
        if (c.alsoRun) stepRuns.set(c.id, [...(stepRuns.get(c.id) ?? []), run.stepSeconds]);
        if (run.exitCode !== 0) r.failure = { exitCode: run.exitCode, stderr: run.stderrTail };
        if (run.peakRssKb !== null) rss.set(c.id, Math.max(rss.get(c.id) ?? 0, run.peakRssKb));
        if (c.captureStdout && run.exitCode === 0 && run.stdout.trim()) {
          r.details = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
          detailRuns.set(c.id, [...(detailRuns.get(c.id) ?? []), r.details]);
        }
        if (run.details && run.exitCode === 0) {
          r.details = run.details;
          detailRuns.set(c.id, [...(detailRuns.get(c.id) ?? []), r.details]);
        }
        log(
          `  round ${round}/${opts.runs}  ${c.name.padEnd(nameWidth)} ${run.seconds.toFixed(2).padStart(7)} s  ${run.peakRssKb === null ? '' : `${((run.peakRssKb * 1024) / MB).toFixed(0)} MB RSS`}` +
            (run.exitCode !== 0 ? `  (exit code ${run.exitCode})` : ''),
        );
      } catch (e) {
        r.error = e instanceof Error ? e.message : String(e);
        log(`  round ${round}/${opts.runs}  ${c.name} FAILED`);
      }
    }
  }

  clearInterval(loadSampler);
  const medianOf = (id: MeasurementId): number | null => {
    const r = results.get(id);
    return r && !r.error && r.runs.length ? median(r.runs) : null;
  };
  for (const c of commands) {
    const r = results.get(c.id)!;
    if (r.error || r.runs.length === 0) continue;
    r.medianSeconds = median(r.runs);
    r.medianCpuSeconds = r.cpuRuns.length ? median(r.cpuRuns) : null;
    r.mbPerSec = c.bytes / MB / r.medianSeconds;
    const realisticKeys = isRealisticMeasurement(c.id) ? realistic.get(realisticPart(c.id).role)?.meta.totalKeys : undefined;
    r.keysPerSec =
      dataset && readsRdbDataset(c.id)
        ? dataset.meta.totalKeys / r.medianSeconds
        : replay && isReplayMeasurement(c.id)
          ? replay.meta.totalKeys / r.medianSeconds
          : realisticKeys !== undefined
            ? realisticKeys / r.medianSeconds
            : null;
    const baselineSeconds = medianOf(r.baseline);
    r.ratioVsCheck = baselineSeconds === null ? null : baselineSeconds / r.medianSeconds;
    const kb = rss.get(r.id);
    r.peakRssMB = kb === undefined ? null : (kb * 1024) / MB;
    const steps = stepRuns.get(c.id);
    if (steps) {
      const shown = [c, ...(c.alsoRun ?? [])].map((s) => s.display);
      // Only runs where every step ran (a failing step stops the rest).
      const full = steps.filter((s) => s.length === shown.length);
      r.details = { steps: shown.map((command, i) => ({ command, medianSeconds: full.length ? median(full.map((s) => s[i])) : null })) };
    }
  }
  for (const c of commands) if (isReplayMeasurement(c.id)) summarizeReplayRuns(results.get(c.id)!, detailRuns.get(c.id) ?? []);
  for (const c of commands) {
    if (!isConvertMeasurement(c.id)) continue;
    const r = results.get(c.id)!;
    summarizeDetailRuns(r, detailRuns.get(c.id) ?? []);
    const loadSave = medianOf(LOAD_SAVE);
    if (c.id !== LOAD_SAVE && r.medianSeconds !== null) r.ratioVsLoadSave = loadSave === null ? null : loadSave / r.medianSeconds;
  }
  for (const c of commands) {
    const r = results.get(c.id)!;
    const base = results.get(r.baseline)?.replay?.usedMemoryBytes;
    if (isReplayMeasurement(c.id) && r.peakRssMB !== null && base) (r.replay ??= {}).rssVsUsedMemory = (r.peakRssMB * MB) / base;
  }
  const list = [...results.values()];
  const targets = [...(startupResults ? startupTargets(startupResults) : []), ...targetsFor(list)];
  const loadAfter = os.loadavg()[0];
  // Every measurement is single-threaded at heart; more than ~1 other busy core skews it.
  loadMax = Math.max(loadMax, loadAfter);
  const load: LoadInfo = { before: loadBefore, after: loadAfter, max: loadMax, busy: loadMax > os.cpus().length * 0.5 + 1, distRebuilt: loadsLibrary && libraryStamp() !== libraryBefore };

  if (opts.json) {
    const report = {
      dataset: dataset ? { path: path.relative(ROOT, dataset.rdbPath), cached: dataset.cached, ...dataset.meta } : null,
      aofDataset: aof
        ? {
            dir: path.relative(ROOT, aof.dir),
            cached: aof.cached,
            ...aof.meta,
          }
        : null,
      replayDataset: replay ? { dir: path.relative(ROOT, replay.dir), cached: replay.cached, ...replay.meta } : null,
      realisticDatasets: Object.fromEntries([...realistic].map(([role, set]) => [role, { dir: path.relative(ROOT, set.dir), cached: set.cached, ...set.meta }])),
      environment: { node: process.version, cpus: os.cpus().length, platform: `${os.type()} ${os.release()}`, peakRssSource: hasGnuTime ? '/usr/bin/time %M' : '/proc/<pid>/status VmHWM (polled)' },
      runsPerMeasurement: opts.runs,
      loadAverage: load,
      buildError,
      startup: startupResults,
      results: list,
      targets,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const startupText = startupResults ? [...renderStartupSection(startupResults), '', ...(manyResult ? [...renderManyDumpsSection(manyResult), ''] : [])] : [];
    process.stdout.write([...startupText, renderReport(dataset, aof, replay, realistic, list, targets, opts.runs, load)].join('\n') + '\n');
  }
  if (list.some((r) => r.error || r.failure) || startupResults?.some((r) => r.failure)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  const text = e instanceof BenchUsageError || e instanceof MissingGeneratorError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`bench: ${text}\n`);
  process.exitCode = 1;
});
