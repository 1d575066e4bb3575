/**
 * The realistic benchmark datasets (STYLE §2.12): RDB files of the shared generator's
 * realistic data, saved by a real redis-server, and for the `mixed` data the plain AOF the same
 * server rewrites from it; each built once and cached in `.bench-cache/realistic/<kind>-<genScale>/`
 * (git-ignored). The `DEBUG POPULATE` dataset of scripts/lib/bench-data.ts compresses far
 * better than real data; these are what the issue's speed targets on realistic data are for.
 *
 * The generator is `gen.js` (`$RDBTOOL_BENCH_GEN`, else `../shared/bench/gen.js` beside the
 * project, see {@link findGenerator}):
 * - `mixed`: millions of 20–200 byte strings (JSON, opaque tokens, text, numbers; a quarter
 *   with a TTL) under realistic key names, small and big hashes, sets, sorted sets and lists,
 *   4 streams with consumer groups, databases 1 and 2; scale 1 gives a ~1.17 GB RDB;
 * - `big`: few keys, strings of 64 KiB to 8 MiB and collections of 20 000 to 200 000
 *   elements (~0.70 GB at scale 1): the large-value case.
 *
 * Build steps (Redis 7.0's encoding defaults spelled out, no save points, AOF off while loading):
 * 1. `node gen.js <kind> <genScale> 42 | redis-cli --pipe`;
 * 2. `SAVE` with `rdbcompression yes` and `rdbchecksum yes`: `dump.rdb`;
 * 3. (with an AOF) `aof-use-rdb-preamble no`, `CONFIG SET appendonly yes` (which rewrites the
 *    AOF from memory), then one more `BGREWRITEAOF`, as the reference files were made; the new
 *    base file (`*.base.aof`, the whole dataset as commands) is `plain.aof`.
 * Nothing is written between the SAVE and the rewrite, so both files hold the same data.
 * `meta.json` is written last; its absence marks an unfinished build.
 */
import { phaseClock } from './phase-clock.js';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadOrder } from '../../src/aof/manifest.js';
import { awaitRewrite, ENCODING_CONFIG, feed, findGenerator, GEN_ENV, info, readManifest, rewrite } from './bench-replay-data.js';
import { findExecutable, startRedis, type RedisHandle } from './redis-server.js';

/** Bumped whenever the build changes what it writes; a cache with another value is rebuilt. */
export const REALISTIC_GENERATOR_VERSION = 1;

/** The three datasets of the realistic rows, named by their role in the measurements. */
export const REALISTIC_ROLES = ['mixed-small', 'mixed-large', 'big'] as const;
export type RealisticRole = (typeof REALISTIC_ROLES)[number];

/** What one role builds. */
export interface RealisticSpec {
  /** The generator's data set. */
  kind: 'mixed' | 'big';
  /** Generator scale per unit of the bench's `--scale`. */
  genScalePerBenchScale: number;
  /** Whether the plain AOF of the same data is built too. */
  withAof: boolean;
  /** The RDB size at bench scale 1, for the report's headings. */
  nominal: string;
}

export const REALISTIC_SPECS: Readonly<Record<RealisticRole, RealisticSpec>> = {
  'mixed-small': { kind: 'mixed', genScalePerBenchScale: 0.1, withAof: true, nominal: '117 MB' },
  'mixed-large': { kind: 'mixed', genScalePerBenchScale: 1, withAof: true, nominal: '1.17 GB' },
  big: { kind: 'big', genScalePerBenchScale: 1, withAof: false, nominal: '0.70 GB' },
};

/** The kinds of measurement run on a realistic dataset (a row is `<role>-<measure>`). */
export type RealisticMeasure = 'redis-check-rdb' | 'inspect' | 'check-deep' | 'export' | 'redis-check-aof' | 'aof-check';

/** Whether a measurement reads the dataset's plain AOF (the others read its RDB). */
export function readsAof(measure: RealisticMeasure): boolean {
  return measure === 'redis-check-aof' || measure === 'aof-check';
}

/**
 * The speed targets: the least ratio of the baseline's time to the row's time
 * (redis-check-rdb on the same RDB; redis-check-aof on the same AOF for `aof-check`).
 * The `big` dataset has memory targets only.
 */
export const REALISTIC_SPEED_TARGETS: Readonly<Record<RealisticRole, Partial<Record<RealisticMeasure, number>>>> = {
  'mixed-small': { inspect: 1.5, 'check-deep': 1.0, export: 0.5, 'aof-check': 3.0 },
  'mixed-large': { inspect: 2.0, 'check-deep': 1.5, export: 0.6, 'aof-check': 3.0 },
  big: {},
};

/** Peak RSS every rdbtool row of every realistic dataset must stay within, MB (10^6 bytes). */
export const REALISTIC_RSS_LIMIT_MB = 200;

/** The seed given to the generator. */
export const REALISTIC_SEED = 42;

/**
 * Generator scale of a role at a bench scale, rounded to 12 significant digits (so that
 * 0.1 × 0.01 is 0.001, not 0.0010000000000000002, in directory names and headings).
 */
export function realisticGenScale(role: RealisticRole, benchScale: number): number {
  return Number((REALISTIC_SPECS[role].genScalePerBenchScale * benchScale).toPrecision(12));
}

/** Directory of a cached dataset inside the cache folder: `realistic/<kind>-<genScale>`. */
export function realisticDirName(kind: RealisticSpec['kind'], genScale: number): string {
  return path.join('realistic', `${kind}-${genScale}`);
}

/** Splits a measurement id `<role>-<measure>` into its parts, or null when it is not one. */
export function parseRealisticId(id: string): { role: RealisticRole; measure: RealisticMeasure } | null {
  for (const role of REALISTIC_ROLES) {
    if (!id.startsWith(`${role}-`)) continue;
    const measure = id.slice(role.length + 1);
    if ((['redis-check-rdb', 'inspect', 'check-deep', 'export', 'redis-check-aof', 'aof-check'] as const).includes(measure as RealisticMeasure)) {
      return { role, measure: measure as RealisticMeasure };
    }
  }
  return null;
}

/** One file of a dataset. */
export interface RealisticFile {
  name: string;
  bytes: number;
}

/** Contents of `meta.json`, written once every file is complete. */
export interface RealisticMeta {
  generatorVersion: number;
  kind: RealisticSpec['kind'];
  genScale: number;
  seed: number;
  serverVersion: string;
  serverConfig: Record<string, string | number | boolean>;
  builtAt: string;
  buildSeconds: number;
  phases: Record<string, number>;
  /** Commands the generator wrote. */
  commands: number;
  rdb: RealisticFile;
  /** The plain AOF of the same data, when built. */
  aof: RealisticFile | null;
  /** DBSIZE per database when the RDB was saved. */
  keysPerDb: Record<string, number>;
  totalKeys: number;
  /** The building server's `used_memory` when the RDB was saved, bytes. */
  usedMemoryBytes: number;
}

/** What {@link ensureRealisticDataset} returns. */
export interface RealisticDataset {
  dir: string;
  rdbPath: string;
  /** The plain AOF, or null when the dataset has none. */
  aofPath: string | null;
  meta: RealisticMeta;
  cached: boolean;
}

/** Raised when a dataset must be built and the generator is not where {@link findGenerator} looks. */
export class MissingGeneratorError extends Error {
  override name = 'MissingGeneratorError';
  constructor(readonly generator: string) {
    super(
      `the realistic datasets are built with the shared generator gen.js, which was not found at ${generator} ` +
        `(../shared/bench/gen.js beside the project root, or $${GEN_ENV}); put it there, point ${GEN_ENV} at it, or leave the realistic rows out of --only`,
    );
  }
}

const RDB_NAME = 'dump.rdb';
const AOF_NAME = 'plain.aof';

const SERVER_CONFIG: Record<string, string | number | boolean> = {
  ...ENCODING_CONFIG,
  rdbcompression: true,
  rdbchecksum: true,
  appendonly: false,
  appenddirname: 'appendonlydir',
  appendfilename: 'appendonly.aof',
  'aof-use-rdb-preamble': false,
  appendfsync: 'no',
  'aof-timestamp-enabled': false,
  'auto-aof-rewrite-percentage': 0,
};

/**
 * Returns the cached dataset of `kind` at `genScale`, building it first when it is missing,
 * incomplete, from another build version, without the AOF `withAof` asks for, or when
 * `rebuild` is set.
 * @throws {MissingGeneratorError} when it must be built and the generator is missing.
 * @throws when redis-server or redis-cli is missing, or a step fails (the server is stopped first).
 */
export async function ensureRealisticDataset(opts: {
  root: string;
  cacheDir: string;
  kind: RealisticSpec['kind'];
  genScale: number;
  withAof: boolean;
  rebuild?: boolean;
  log?: (line: string) => void;
}): Promise<RealisticDataset> {
  const log = opts.log ?? (() => {});
  const dir = path.join(opts.cacheDir, realisticDirName(opts.kind, opts.genScale));
  const metaPath = path.join(dir, 'meta.json');
  const result = (meta: RealisticMeta, cached: boolean): RealisticDataset => ({
    dir,
    rdbPath: path.join(dir, meta.rdb.name),
    aofPath: meta.aof ? path.join(dir, meta.aof.name) : null,
    meta,
    cached,
  });
  if (!opts.rebuild && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(await fs.readFile(metaPath, 'utf8')) as RealisticMeta;
      const files = [meta.rdb, ...(meta.aof ? [meta.aof] : [])];
      const intact = files.every((f) => {
        const p = path.join(dir, f.name);
        return existsSync(p) && statSync(p).size === f.bytes;
      });
      if (meta.generatorVersion === REALISTIC_GENERATOR_VERSION && intact && (meta.aof !== null || !opts.withAof)) return result(meta, true);
      log(`cached realistic dataset in ${dir} is stale, incomplete or has no AOF; rebuilding`);
    } catch {
      log(`cannot read ${metaPath}; rebuilding`);
    }
  }
  const gen = findGenerator(opts.root);
  if (!existsSync(gen)) throw new MissingGeneratorError(gen);
  const redisCli = findExecutable('redis-cli');
  if (!redisCli) throw new Error('redis-cli was not found on PATH (it feeds the generator to the server)');
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const meta = await build({ ...opts, dir, gen, redisCli, log });
  await fs.writeFile(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return result(meta, false);
}

// ------------------------------------------------------------------ build

/** Moves a file the server wrote into the cache (a copy when they are on different file systems). */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await fs.copyFile(from, to);
    await fs.rm(from, { force: true });
  }
}

async function build(o: {
  kind: RealisticSpec['kind'];
  genScale: number;
  withAof: boolean;
  dir: string;
  gen: string;
  redisCli: string;
  log: (line: string) => void;
}): Promise<RealisticMeta> {
  const { dir, log } = o;
  const clock = phaseClock(log);
  const { phases, phase } = clock;

  log(`building the realistic dataset gen.js ${o.kind} ${o.genScale} ${REALISTIC_SEED} with a real redis-server …`);
  const redis: RedisHandle = await startRedis({ config: SERVER_CONFIG, startTimeoutMs: 60_000, stopTimeoutMs: 120_000 });
  log(`  redis-server ${redis.version}, pid ${redis.pid}, port ${redis.port}`);
  try {
    const c = redis.client;
    const data = await feed(o.gen, o.redisCli, redis.port, o.genScale, REALISTIC_SEED, o.kind);
    if (data.errors.length) throw new Error(`the server refused ${data.errors.length} commands of the dataset: ${data.errors.slice(0, 5).join('; ')}`);
    phase(`load (${(data.commands / 1e6).toFixed(2)} M commands)`);

    const keysPerDb: Record<string, number> = {};
    for (const [name, value] of await info(c, 'keyspace')) {
      const m = /^db(\d+)$/.exec(name);
      if (m) keysPerDb[m[1]] = Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
    }
    const usedMemoryBytes = Number((await info(c, 'memory')).get('used_memory') ?? 0);
    await c.call('SAVE');
    await moveFile(redis.dumpPath, path.join(dir, RDB_NAME));
    phase('SAVE');

    let aof: RealisticFile | null = null;
    if (o.withAof) {
      // Turning the AOF on rewrites it from memory; wait for that one, then rewrite once more.
      await c.call('CONFIG', 'SET', 'appendonly', 'yes');
      await awaitRewrite(c);
      await rewrite(c);
      const aofDir = path.join(redis.dir, String(SERVER_CONFIG.appenddirname));
      const order = loadOrder((await readManifest(aofDir)).manifest).map((e) => e.name);
      if (!order[0]?.endsWith('.base.aof')) throw new Error(`unexpected manifest after the rewrite: ${JSON.stringify(order)}`);
      await moveFile(path.join(aofDir, order[0]), path.join(dir, AOF_NAME));
      aof = { name: AOF_NAME, bytes: (await fs.stat(path.join(dir, AOF_NAME))).size };
      phase('plain AOF rewrite');
    }
    return {
      generatorVersion: REALISTIC_GENERATOR_VERSION,
      kind: o.kind,
      genScale: o.genScale,
      seed: REALISTIC_SEED,
      serverVersion: redis.version,
      serverConfig: SERVER_CONFIG,
      builtAt: new Date().toISOString(),
      buildSeconds: clock.seconds(),
      phases,
      commands: data.commands,
      rdb: { name: RDB_NAME, bytes: (await fs.stat(path.join(dir, RDB_NAME))).size },
      aof,
      keysPerDb,
      totalKeys: Object.values(keysPerDb).reduce((a, b) => a + b, 0),
      usedMemoryBytes,
    };
  } finally {
    await redis.stop();
  }
}
