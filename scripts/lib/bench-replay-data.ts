/**
 * The replay benchmark dataset (STYLE §2.12): the same data as a plain multi-part AOF and as a
 * hybrid multi-part AOF, both written by one real redis-server, built once and cached in
 * `.bench-cache/replay/` (`.bench-cache/replay-scale-<X>/` at other scales; git-ignored).
 *
 * The data is the realistic `mixed` dataset of the shared generator (`gen.js`, read from
 * `$RDBTOOL_BENCH_GEN`, else `../shared/bench/gen.js` beside the project): millions of small
 * strings (JSON, tokens, text; a quarter with a TTL) under realistic key names at generator
 * scale 1, small and big hashes, sets, sorted sets, lists, streams with consumer groups, and
 * databases 1 and 2.
 *
 * Build steps (the server runs with `appendonly yes`, `appendfsync no`, no automatic rewrite):
 * 1. `node gen.js mixed <genScale> 42 | redis-cli --pipe`;
 * 2. `BGREWRITEAOF` with `aof-use-rdb-preamble no`: the new base is the dataset as commands
 *    (`*.base.aof`), kept with the manifest of that moment as the plain set `plain/`;
 * 3. `BGREWRITEAOF` with `aof-use-rdb-preamble yes`: the new base is an RDB (`*.base.rdb`),
 *    kept with its manifest as the hybrid set `hybrid/`;
 * 4. a tail of updates (`gen.js mixed <genScale/10> 43`: overwritten strings and fields, items
 *    pushed, members added, stream entries, consumer-group reads; its 2 `XGROUP CREATE`s per
 *    big stream are refused with BUSYGROUP and not logged) goes into the new incr file, which
 *    is copied into both sets as their incr file.
 * No write happens between the two rewrites, so both sets hold the same data: `plain/` is
 * base.aof + tail, `hybrid/` base.rdb + tail. `meta.json` is written last; its absence marks
 * an unfinished build.
 */
import { phaseClock } from './phase-clock.js';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadOrder, parseManifest, type Manifest } from '../../src/aof/manifest.js';
import { findExecutable, startRedis, type RedisHandle } from './redis-server.js';
import { asText, type RespClient } from './resp-client.js';

/** Bumped whenever the build changes what it writes; a cache with another value is rebuilt. */
export const REPLAY_GENERATOR_VERSION = 1;

/** Generator scale per unit of the bench's `--scale` (the default run stays within a minute or two). */
export const GEN_SCALE_PER_BENCH_SCALE = 0.1;

/** Environment variable naming the generator script. */
export const GEN_ENV = 'RDBTOOL_BENCH_GEN';

/** Where the generator is: `$RDBTOOL_BENCH_GEN`, else `../shared/bench/gen.js` beside the project root. */
export function findGenerator(root: string): string {
  const given = process.env[GEN_ENV];
  return given ? path.resolve(given) : path.resolve(root, '..', 'shared', 'bench', 'gen.js');
}

/** One set: a directory with a manifest, a base and an incr file, as a server writes it. */
export interface ReplaySet {
  /** Directory name inside the dataset directory (also the `appenddirname` a server loads it with). */
  dir: string;
  /** Files of the set in load order (base, then incr), with their sizes. */
  files: { name: string; bytes: number }[];
  /** Name of the manifest file. */
  manifest: string;
  /** Bytes of the base and incr files together. */
  bytes: number;
}

/** Contents of `meta.json`, written once every file is complete. */
export interface ReplayBenchMeta {
  generatorVersion: number;
  /** The bench scale this dataset is for, and the generator scale it gave. */
  scale: number;
  genScale: number;
  tailGenScale: number;
  seeds: { data: number; tail: number };
  serverVersion: string;
  serverConfig: Record<string, string | number | boolean>;
  builtAt: string;
  buildSeconds: number;
  phases: Record<string, number>;
  /** Commands the generator wrote, and the errors redis-cli counted (tail: BUSYGROUP only). */
  commands: { data: number; tail: number; tailErrors: number };
  plain: ReplaySet;
  hybrid: ReplaySet;
  /** DBSIZE per database at the end. */
  keysPerDb: Record<string, number>;
  totalKeys: number;
  /** The building server's `used_memory` at the end, bytes (the load measurement reads its own). */
  usedMemoryBytes: number;
}

/** What {@link ensureBenchReplayDataset} returns. */
export interface BenchReplayDataset {
  dir: string;
  /** Absolute paths of the two sets' directories. */
  plainDir: string;
  hybridDir: string;
  meta: ReplayBenchMeta;
  cached: boolean;
}

/** Directory of the cached dataset for a bench scale (`replay` at scale 1). */
export function benchReplayDirName(scale: number): string {
  return scale === 1 ? 'replay' : `replay-scale-${scale}`;
}

/** Encoding thresholds (Redis 7.0's defaults, spelled out so no distro config changes them); the load measurement uses them too. */
export const ENCODING_CONFIG: Record<string, string | number | boolean> = {
  'hash-max-listpack-entries': 128,
  'hash-max-listpack-value': 64,
  'zset-max-listpack-entries': 128,
  'zset-max-listpack-value': 64,
  'set-max-intset-entries': 512,
  'list-max-listpack-size': -2,
};

const SERVER_CONFIG: Record<string, string | number | boolean> = {
  ...ENCODING_CONFIG,
  appendonly: true,
  appenddirname: 'appendonlydir',
  appendfilename: 'appendonly.aof',
  'aof-use-rdb-preamble': false,
  appendfsync: 'no',
  'aof-timestamp-enabled': false,
  'auto-aof-rewrite-percentage': 0,
  rdbcompression: true,
  rdbchecksum: true,
};
const MANIFEST_NAME = 'appendonly.aof.manifest';
const SEEDS = { data: 42, tail: 43 };

/**
 * Returns the cached dataset for `scale`, building it first when it is missing, incomplete,
 * from another build version, or when `rebuild` is set.
 * @throws when redis-server, redis-cli or the generator is missing, or a step fails (the
 *   server is stopped first).
 */
export async function ensureBenchReplayDataset(opts: {
  root: string;
  cacheDir: string;
  scale?: number;
  rebuild?: boolean;
  log?: (line: string) => void;
}): Promise<BenchReplayDataset> {
  const scale = opts.scale ?? 1;
  const log = opts.log ?? (() => {});
  const dir = path.join(opts.cacheDir, benchReplayDirName(scale));
  const metaPath = path.join(dir, 'meta.json');
  const paths = { dir, plainDir: path.join(dir, 'plain'), hybridDir: path.join(dir, 'hybrid') };
  if (!opts.rebuild && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(await fs.readFile(metaPath, 'utf8')) as ReplayBenchMeta;
      const intact = [meta.plain, meta.hybrid].every((set) =>
        set.files.every((f) => {
          const p = path.join(dir, set.dir, f.name);
          return existsSync(p) && statSync(p).size === f.bytes;
        }),
      );
      if (meta.generatorVersion === REPLAY_GENERATOR_VERSION && intact) return { ...paths, meta, cached: true };
      log(`cached replay dataset in ${dir} is stale or incomplete; rebuilding`);
    } catch {
      log(`cannot read ${metaPath}; rebuilding`);
    }
  }
  const gen = findGenerator(opts.root);
  if (!existsSync(gen)) throw new Error(`the dataset generator ${gen} does not exist (set ${GEN_ENV} to its path)`);
  const redisCli = findExecutable('redis-cli');
  if (!redisCli) throw new Error('redis-cli was not found on PATH (it feeds the generator to the server)');
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const meta = await build({ scale, dir, gen, redisCli, log });
  await fs.writeFile(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { ...paths, meta, cached: false };
}

// ------------------------------------------------------------------ build

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `INFO <section>` as a map of its `name:value` lines. */
export async function info(client: RespClient, section: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of asText(await client.call('INFO', section)).split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** BGREWRITEAOF, then waits until no rewrite is running or scheduled and checks it succeeded. */
export async function rewrite(client: RespClient): Promise<void> {
  await client.call('BGREWRITEAOF');
  await awaitRewrite(client);
}

/**
 * Waits until no AOF rewrite is running or scheduled (one started by BGREWRITEAOF or by
 * `CONFIG SET appendonly yes`) and checks that the last one succeeded.
 * @throws when it failed or did not finish within 30 minutes.
 */
export async function awaitRewrite(client: RespClient): Promise<void> {
  for (const deadline = Date.now() + 1_800_000; Date.now() < deadline; await sleep(100)) {
    const p = await info(client, 'persistence');
    if (p.get('aof_rewrite_in_progress') !== '0' || p.get('aof_rewrite_scheduled') !== '0') continue;
    if (p.get('aof_last_bgrewrite_status') !== 'ok') throw new Error(`BGREWRITEAOF failed (aof_last_bgrewrite_status ${p.get('aof_last_bgrewrite_status')})`);
    return;
  }
  throw new Error('BGREWRITEAOF did not finish within 30 minutes');
}

/**
 * `node <gen> <kind> <scale> <seed> | redis-cli -p <port> --pipe` (`kind` is `mixed` unless given).
 * @returns the commands the generator wrote and the error lines redis-cli printed.
 */
export async function feed(gen: string, redisCli: string, port: number, genScale: number, seed: number, kind: 'mixed' | 'big' = 'mixed'): Promise<{ commands: number; errors: string[] }> {
  const producer = spawn(process.execPath, [gen, kind, String(genScale), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const consumer = spawn(redisCli, ['-h', '127.0.0.1', '-p', String(port), '--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
  producer.stdout.pipe(consumer.stdin);
  let genErr = '';
  let cliOut = '';
  producer.stderr.on('data', (d: Buffer) => (genErr += d.toString('utf8')));
  consumer.stdout.on('data', (d: Buffer) => (cliOut += d.toString('utf8')));
  consumer.stderr.on('data', (d: Buffer) => (cliOut += d.toString('utf8')));
  const exit = (child: typeof producer | typeof consumer): Promise<number | null> =>
    new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
  const [genCode, cliCode] = await Promise.all([exit(producer), exit(consumer)]);
  if (genCode !== 0) throw new Error(`the generator exited with ${genCode}: ${genErr.trim()}`);
  const summary = /errors: (\d+), replies: (\d+)/.exec(cliOut);
  // redis-cli exits with 1 when the server refused any command; the caller judges those.
  if (!summary || (cliCode !== 0 && !(cliCode === 1 && Number(summary[1]) > 0))) throw new Error(`redis-cli --pipe exited with ${cliCode}: ${cliOut.trim().slice(-2000)}`);
  const commands = Number(/: (\d+) commands/.exec(genErr)?.[1] ?? summary[2]);
  const errors = cliOut.split('\n').filter((l) => /^[A-Z]+ /.test(l) && !l.startsWith('All ') && !l.startsWith('Last '));
  if (errors.length !== Number(summary[1])) throw new Error(`redis-cli counted ${summary[1]} errors: ${cliOut.trim().slice(-2000)}`);
  return { commands, errors };
}

/** Reads the manifest of a server's AOF directory: its text and what it lists. */
export async function readManifest(aofDir: string): Promise<{ text: string; manifest: Manifest }> {
  const bytes = await fs.readFile(path.join(aofDir, MANIFEST_NAME));
  return { text: bytes.toString('latin1'), manifest: parseManifest(bytes, MANIFEST_NAME) };
}

async function build(o: { scale: number; dir: string; gen: string; redisCli: string; log: (line: string) => void }): Promise<ReplayBenchMeta> {
  const { dir, log } = o;
  const genScale = o.scale * GEN_SCALE_PER_BENCH_SCALE;
  const tailGenScale = genScale / 10;
  const clock = phaseClock(log);
  const { phases, phase } = clock;

  log(`building the replay benchmark dataset (gen.js mixed, scale ${genScale}) with a real redis-server …`);
  const redis: RedisHandle = await startRedis({ config: SERVER_CONFIG, startTimeoutMs: 60_000, stopTimeoutMs: 60_000 });
  log(`  redis-server ${redis.version}, pid ${redis.pid}, port ${redis.port}`);
  try {
    const c = redis.client;
    const aofDir = path.join(redis.dir, String(SERVER_CONFIG.appenddirname));
    const data = await feed(o.gen, o.redisCli, redis.port, genScale, SEEDS.data);
    if (data.errors.length) throw new Error(`the server refused ${data.errors.length} commands of the dataset: ${data.errors.slice(0, 5).join('; ')}`);
    phase(`load (${(data.commands / 1e6).toFixed(2)} M commands)`);

    // The plain set: a rewrite without preamble.
    await rewrite(c);
    const plain = await readManifest(aofDir);
    const plainOrder = loadOrder(plain.manifest).map((e) => e.name);
    if (plainOrder.length !== 2 || !plainOrder[0].endsWith('.base.aof')) throw new Error(`unexpected manifest after the plain rewrite: ${JSON.stringify(plainOrder)}`);
    await fs.mkdir(path.join(dir, 'plain'));
    await fs.copyFile(path.join(aofDir, plainOrder[0]), path.join(dir, 'plain', plainOrder[0]));
    await fs.writeFile(path.join(dir, 'plain', MANIFEST_NAME), plain.text);
    phase('plain rewrite');

    // The hybrid set: a rewrite with preamble, nothing written in between.
    await c.call('CONFIG', 'SET', 'aof-use-rdb-preamble', 'yes');
    await rewrite(c);
    const hybrid = await readManifest(aofDir);
    const hybridOrder = loadOrder(hybrid.manifest).map((e) => e.name);
    if (hybridOrder.length !== 2 || !hybridOrder[0].endsWith('.base.rdb')) throw new Error(`unexpected manifest after the hybrid rewrite: ${JSON.stringify(hybridOrder)}`);
    await fs.mkdir(path.join(dir, 'hybrid'));
    await fs.copyFile(path.join(aofDir, hybridOrder[0]), path.join(dir, 'hybrid', hybridOrder[0]));
    await fs.writeFile(path.join(dir, 'hybrid', MANIFEST_NAME), hybrid.text);
    phase('hybrid rewrite');

    // The tail, the incr file of both sets.
    const tail = await feed(o.gen, o.redisCli, redis.port, tailGenScale, SEEDS.tail);
    const unexpected = tail.errors.filter((e) => !e.startsWith('BUSYGROUP'));
    if (unexpected.length) throw new Error(`the server refused commands of the tail: ${unexpected.slice(0, 5).join('; ')}`);
    // Nothing may be appended while the incr file is copied.
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await fs.copyFile(path.join(aofDir, hybridOrder[1]), path.join(dir, 'hybrid', hybridOrder[1]));
    await fs.copyFile(path.join(aofDir, hybridOrder[1]), path.join(dir, 'plain', plainOrder[1]));
    phase(`tail (${(tail.commands / 1e6).toFixed(2)} M commands)`);

    const keysPerDb: Record<string, number> = {};
    const keyspace = await info(c, 'keyspace');
    for (const [name, value] of keyspace) {
      const m = /^db(\d+)$/.exec(name);
      if (m) keysPerDb[m[1]] = Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
    }
    const usedMemoryBytes = Number((await info(c, 'memory')).get('used_memory') ?? 0);
    const setOf = async (name: string, order: string[]): Promise<ReplaySet> => {
      const files = await Promise.all(order.map(async (f) => ({ name: f, bytes: (await fs.stat(path.join(dir, name, f))).size })));
      return { dir: name, files, manifest: MANIFEST_NAME, bytes: files.reduce((s, f) => s + f.bytes, 0) };
    };
    return {
      generatorVersion: REPLAY_GENERATOR_VERSION,
      scale: o.scale,
      genScale,
      tailGenScale,
      seeds: SEEDS,
      serverVersion: redis.version,
      serverConfig: SERVER_CONFIG,
      builtAt: new Date().toISOString(),
      buildSeconds: clock.seconds(),
      phases,
      commands: { data: data.commands, tail: tail.commands, tailErrors: tail.errors.length },
      plain: await setOf('plain', plainOrder),
      hybrid: await setOf('hybrid', hybridOrder),
      keysPerDb,
      totalKeys: Object.values(keysPerDb).reduce((a, b) => a + b, 0),
      usedMemoryBytes,
    };
  } finally {
    await redis.stop();
  }
}
