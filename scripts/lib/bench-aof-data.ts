/**
 * The AOF benchmark dataset (STYLE §2.12): a ~1 GB plain AOF and a hybrid AOF (RDB preamble
 * plus a RESP tail), both written by a real redis-server, built once and cached in
 * `.bench-cache/aof/` (`.bench-cache/aof-scale-<X>/` at other scales; git-ignored).
 *
 * The server is started by the shared harness (scripts/lib/redis-server.ts) on 127.0.0.1
 * with a temporary directory and stopped by PID when the build ends, successfully or not.
 * It runs with `appendonly yes`, `aof-use-rdb-preamble no`, `appendfsync no`,
 * `aof-timestamp-enabled yes` and `auto-aof-rewrite-percentage 0`, so it writes a
 * multi-part AOF (formats.md §5.5): a tiny RESP base and one incr file that grows with every
 * write.
 *
 * Build steps:
 * 1. **plain phase**: a seeded workload of every type (see {@link nextCommands}) is pipelined
 *    until the incr file holds `plainTargetBytes`. Keys are drawn from bounded key spaces,
 *    so the dataset in memory stays at a few hundred MB while the AOF keeps growing. Some
 *    keys get TTLs of seconds, so the server itself logs the `DEL`s of expired keys.
 * 2. active expiry is paused (`DEBUG SET-ACTIVE-EXPIRE 0`, so nothing is appended while the
 *    files are read) and the manifest's files are concatenated, in load order, into
 *    `plain.aof`: the single-file form of the same log.
 * 3. **hybrid phase**: `CONFIG SET aof-use-rdb-preamble yes` and `BGREWRITEAOF` give a new
 *    `.base.rdb` (the dataset at the fork) and a new incr file; the workload goes on until
 *    that incr holds `tailTargetBytes`. Expiry is paused again and the files are written:
 *    `hybrid-base.rdb` (the base alone), `hybrid-tail.aof` (the incr alone, itself a plain
 *    AOF) and `hybrid.aof` = base + tail, which is how a Redis 4.0–6.2 `appendonly.aof`
 *    with a preamble looks.
 * `meta.json` is written last; its absence marks an unfinished build.
 *
 * The workload is deterministic (seeded PRNG); timestamps, stream IDs, absolute expiry
 * times and which keys expire while the server runs differ between builds.
 */
import { phaseClock } from './phase-clock.js';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadOrder, parseManifest, type Manifest } from '../../src/aof/manifest.js';
import { startRedis, type RedisHandle } from './redis-server.js';
import { asNumber, asText, type RespClient } from './resp-client.js';
import { createRng, TextPool } from './random-text.js';
import { Pipeline, type Command } from './pipeline.js';

/** Bumped whenever the generator changes what it writes; a cache with another value is rebuilt. */
export const AOF_GENERATOR_VERSION = 1;

/** Counts, sizes and mix of the workload (see {@link aofBenchParams}). */
export interface AofBenchParams {
  /** Multiplier applied to the target sizes and the key spaces (1 = the ~1 GB plain AOF). */
  scale: number;
  seed: number;
  /** The plain phase writes until the incr file holds at least this many bytes. */
  plainTargetBytes: number;
  /** The hybrid phase writes until the incr file after the rewrite holds at least this many bytes. */
  tailTargetBytes: number;
  /** String keys (`SET`, `SET … EX`, `APPEND`, `EXPIRE`), values of `stringMinBytes`–`stringMaxBytes` of text. */
  stringKeys: number;
  stringMinBytes: number;
  stringMaxBytes: number;
  /** Integer keys (`INCR`, `INCRBY`). */
  counterKeys: number;
  /** Lists (`RPUSH`, `LPUSH`), trimmed back to `listMaxItems` now and then with `LTRIM`. */
  listKeys: number;
  listMaxItems: number;
  /** Sets (`SADD`, `SREM`); members come from a space of `setMemberSpace` values (integers for even keys). */
  setKeys: number;
  setMemberSpace: number;
  /** Sorted sets (`ZADD`, `ZINCRBY`); members from a space of `zsetMemberSpace`. */
  zsetKeys: number;
  zsetMemberSpace: number;
  /** Hashes (`HSET`, `HDEL`); fields from a space of `hashFieldSpace`. */
  hashKeys: number;
  hashFieldSpace: number;
  /** Streams (`XADD … MAXLEN ~ streamMaxLen *`). */
  streamKeys: number;
  streamMaxLen: number;
  /** Large strings: one `SET big:<n>` of `bigMinBytes`–`bigMaxBytes` every `bigEvery` commands, over `bigKeys` keys. */
  bigKeys: number;
  bigMinBytes: number;
  bigMaxBytes: number;
  bigEvery: number;
  /** One `MULTI` … `EXEC` block every `multiEvery` commands. */
  multiEvery: number;
  /** Databases 1…`extraDbs` get `extraDbShare` of the commands, on `extraDbKeyShare` of each key space. */
  extraDbs: number;
  extraDbShare: number;
  extraDbKeyShare: number;
}

/** One output file. */
export interface AofBenchFile {
  /** Name inside the dataset directory. */
  name: string;
  bytes: number;
}

/** Contents of `meta.json`, written once every file is complete. */
export interface AofBenchMeta {
  generatorVersion: number;
  params: AofBenchParams;
  serverVersion: string;
  /** Configuration given to the server on top of the harness defaults. */
  serverConfig: Record<string, string | number | boolean>;
  builtAt: string;
  buildSeconds: number;
  /** Seconds per phase. */
  phases: Record<string, number>;
  files: {
    /** Plain RESP AOF: the manifest's base `.aof` + incr, concatenated. */
    plain: AofBenchFile;
    /** RDB preamble + RESP tail. */
    hybrid: AofBenchFile;
    /** The `.base.rdb` of the rewrite, alone. */
    hybridBase: AofBenchFile;
    /** The incr file after the rewrite, alone (a plain AOF). */
    hybridTail: AofBenchFile;
  };
  /** The server's file names each output was concatenated from, in load order. */
  sources: { plain: string[]; hybrid: string[] };
  /** Commands the client sent (each MULTI, EXEC and SELECT counts as one). */
  commandsSent: { plain: number; tail: number };
  /** Large values sent and their total bytes. */
  bigValues: { count: number; bytes: number };
  /** DBSIZE per database at the end. */
  keysPerDb: Record<string, number>;
  /** `used_memory` at the end and `used_memory_peak`, bytes. */
  usedMemoryBytes: number;
  usedMemoryPeakBytes: number;
}

/** What {@link ensureBenchAofDataset} returns. */
export interface BenchAofDataset {
  dir: string;
  plainPath: string;
  hybridPath: string;
  hybridBasePath: string;
  hybridTailPath: string;
  metaPath: string;
  meta: AofBenchMeta;
  /** True when the cached files were reused. */
  cached: boolean;
}

/** The parameters at a given scale (key spaces are rounded, never below 10). */
export function aofBenchParams(scale = 1): AofBenchParams {
  const n = (x: number): number => Math.max(10, Math.round(x * scale));
  return {
    scale,
    seed: 20240615,
    plainTargetBytes: Math.round(1e9 * scale),
    tailTargetBytes: Math.round(2.5e8 * scale),
    stringKeys: n(300_000),
    stringMinBytes: 16,
    stringMaxBytes: 400,
    counterKeys: n(50_000),
    listKeys: n(20_000),
    listMaxItems: 50,
    setKeys: n(10_000),
    setMemberSpace: 64,
    zsetKeys: n(10_000),
    zsetMemberSpace: 100,
    hashKeys: n(20_000),
    hashFieldSpace: 40,
    streamKeys: n(200),
    streamMaxLen: 1000,
    bigKeys: 32,
    bigMinBytes: 100_000,
    bigMaxBytes: 1_000_000,
    // About 12% of the bytes at a ~170-byte average for the other commands.
    bigEvery: 25_000,
    multiEvery: 5_000,
    extraDbs: 3,
    extraDbShare: 0.15,
    extraDbKeyShare: 0.05,
  };
}

/** Directory of the cached dataset for a scale (`aof` at scale 1). */
export function benchAofDirName(scale: number): string {
  return scale === 1 ? 'aof' : `aof-scale-${scale}`;
}

const FILE_NAMES = { plain: 'plain.aof', hybrid: 'hybrid.aof', hybridBase: 'hybrid-base.rdb', hybridTail: 'hybrid-tail.aof' } as const;

/**
 * Returns the cached AOF dataset, building it first when it is missing, incomplete, from
 * another generator version, or when `rebuild` is set.
 * @throws when redis-server is missing or a command fails (the server is stopped first).
 */
export async function ensureBenchAofDataset(opts: {
  cacheDir: string;
  scale?: number;
  rebuild?: boolean;
  log?: (line: string) => void;
}): Promise<BenchAofDataset> {
  const scale = opts.scale ?? 1;
  const log = opts.log ?? (() => {});
  const dir = path.join(opts.cacheDir, benchAofDirName(scale));
  const paths = {
    dir,
    plainPath: path.join(dir, FILE_NAMES.plain),
    hybridPath: path.join(dir, FILE_NAMES.hybrid),
    hybridBasePath: path.join(dir, FILE_NAMES.hybridBase),
    hybridTailPath: path.join(dir, FILE_NAMES.hybridTail),
    metaPath: path.join(dir, 'meta.json'),
  };
  if (!opts.rebuild && existsSync(paths.metaPath)) {
    try {
      const meta = JSON.parse(await fs.readFile(paths.metaPath, 'utf8')) as AofBenchMeta;
      const intact = Object.values(meta.files).every((f) => {
        const p = path.join(dir, f.name);
        return existsSync(p) && statSync(p).size === f.bytes;
      });
      if (meta.generatorVersion === AOF_GENERATOR_VERSION && intact) return { ...paths, meta, cached: true };
      log(`cached AOF dataset in ${dir} is stale or incomplete; rebuilding`);
    } catch {
      log(`cannot read ${paths.metaPath}; rebuilding`);
    }
  }
  await fs.mkdir(dir, { recursive: true });
  await fs.rm(paths.metaPath, { force: true });
  const meta = await buildDataset(aofBenchParams(scale), dir, log);
  await fs.writeFile(paths.metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { ...paths, meta, cached: false };
}

// ------------------------------------------------------------------ workload



/** Relative weights of the single commands (a MULTI block and the large SETs come on top). */
const MIX = [
  ['set', 20],
  ['set-ex', 7],
  ['set-ex-short', 2],
  ['append', 4],
  ['expire', 3],
  ['incr', 8],
  ['incrby', 3],
  ['rpush', 7],
  ['lpush', 3],
  ['sadd', 7],
  ['srem', 1],
  ['zadd', 7],
  ['zincrby', 1],
  ['hset', 10],
  ['hdel', 1],
  ['xadd', 5],
  ['del', 2],
] as const;
type Op = (typeof MIX)[number][0];

/**
 * Produces the workload one step at a time: a step is one command, or a `SELECT` before a
 * run of commands in another database, or a whole `MULTI` … `EXEC` block.
 */
class Workload {
  private readonly rnd: () => number;
  private readonly text: TextPool;
  private readonly ops: Op[] = [];
  private db = -1;
  private runLeft = 0;
  private steps = 0;
  /** Commands produced so far (MULTI, EXEC and SELECT included). */
  commands = 0;
  bigCount = 0;
  bigBytes = 0;

  constructor(private readonly p: AofBenchParams) {
    this.rnd = createRng(p.seed);
    this.text = new TextPool(this.rnd);
    // A 1000-slot table makes picking an op one array read.
    const total = MIX.reduce((s, [, w]) => s + w, 0);
    for (const [op, w] of MIX) for (let i = 0; i < Math.round((w / total) * 1000); i++) this.ops.push(op);
  }

  /** A key index in [0, space), narrowed to the shared slice of the space outside db 0. */
  private index(space: number): number {
    const n = this.db === 0 ? space : Math.max(1, Math.round(space * this.p.extraDbKeyShare));
    return this.rnd() % n;
  }

  private pick(n: number): number {
    return this.rnd() % n;
  }

  /** The commands of the next step. */
  next(): Command[] {
    const out: Command[] = [];
    if (this.runLeft-- <= 0) {
      // Runs of 50–300 commands per database, like clients that each use one database.
      this.runLeft = 50 + this.pick(251);
      const db = this.rnd() / 4294967296 < this.p.extraDbShare ? 1 + this.pick(this.p.extraDbs) : 0;
      if (db !== this.db) {
        this.db = db;
        out.push(['SELECT', String(db)]);
      }
    }
    const step = ++this.steps;
    if (step % this.p.bigEvery === 0) {
      const value = this.text.bytesBetween(this.p.bigMinBytes, this.p.bigMaxBytes);
      this.bigCount++;
      this.bigBytes += value.length;
      out.push(['SET', `big:${this.pick(this.p.bigKeys)}`, value]);
    } else if (step % this.p.multiEvery === 0) {
      out.push(
        ['MULTI'],
        ['SET', `str:${this.index(this.p.stringKeys)}`, this.stringValue()],
        ['INCRBY', `ctr:${this.index(this.p.counterKeys)}`, String(1 + this.pick(100))],
        ['HSET', `hash:${this.index(this.p.hashKeys)}`, `f${this.pick(this.p.hashFieldSpace)}`, this.text.between(4, 40)],
        ['RPUSH', `list:${this.index(this.p.listKeys)}`, this.text.between(8, 60)],
        ['EXEC'],
      );
    } else {
      out.push(...this.single(this.ops[this.pick(this.ops.length)]));
    }
    this.commands += out.length;
    return out;
  }

  private stringValue(): string {
    return this.text.between(this.p.stringMinBytes, this.p.stringMaxBytes);
  }

  private single(op: Op): Command[] {
    const p = this.p;
    switch (op) {
      case 'set':
        return [['SET', `str:${this.index(p.stringKeys)}`, this.stringValue()]];
      case 'set-ex':
        return [['SET', `str:${this.index(p.stringKeys)}`, this.stringValue(), 'EX', String(3_600 + this.pick(86_400))]];
      case 'set-ex-short':
        // Expires while the server runs: the server logs a DEL for it.
        return [['SET', `session:${this.index(p.stringKeys)}`, this.text.between(16, 64), 'EX', String(5 + this.pick(56))]];
      case 'append':
        return [['APPEND', `str:${this.index(p.stringKeys)}`, this.text.between(4, 32)]];
      case 'expire':
        return [['EXPIRE', `str:${this.index(p.stringKeys)}`, String(600 + this.pick(86_400))]];
      case 'incr':
        return [['INCR', `ctr:${this.index(p.counterKeys)}`]];
      case 'incrby':
        return [['INCRBY', `ctr:${this.index(p.counterKeys)}`, String(this.pick(2_000) - 1_000)]];
      case 'rpush':
      case 'lpush': {
        const key = `list:${this.index(p.listKeys)}`;
        const cmd: Command = [op === 'rpush' ? 'RPUSH' : 'LPUSH', key];
        const n = 1 + this.pick(4);
        for (let i = 0; i < n; i++) cmd.push(this.pick(4) === 0 ? String(this.pick(1_000_000)) : this.text.between(8, 60));
        // Keeps lists bounded, as a capped log would.
        return this.pick(8) === 0 ? [cmd, ['LTRIM', key, '0', String(p.listMaxItems - 1)]] : [cmd];
      }
      case 'sadd': {
        const k = this.index(p.setKeys);
        const cmd: Command = ['SADD', `set:${k}`];
        const n = 1 + this.pick(5);
        for (let i = 0; i < n; i++) cmd.push(this.member(k));
        return [cmd];
      }
      case 'srem': {
        const k = this.index(p.setKeys);
        return [['SREM', `set:${k}`, this.member(k)]];
      }
      case 'zadd': {
        const cmd: Command = ['ZADD', `zset:${this.index(p.zsetKeys)}`];
        const n = 1 + this.pick(4);
        for (let i = 0; i < n; i++) cmd.push(this.score(), `member:${this.pick(p.zsetMemberSpace)}`);
        return [cmd];
      }
      case 'zincrby':
        return [['ZINCRBY', `zset:${this.index(p.zsetKeys)}`, String(1 + this.pick(10)), `member:${this.pick(p.zsetMemberSpace)}`]];
      case 'hset': {
        const cmd: Command = ['HSET', `hash:${this.index(p.hashKeys)}`];
        const n = 1 + this.pick(4);
        for (let i = 0; i < n; i++) cmd.push(`field:${this.pick(p.hashFieldSpace)}`, this.pick(3) === 0 ? String(this.pick(100_000)) : this.text.between(4, 40));
        return [cmd];
      }
      case 'hdel':
        return [['HDEL', `hash:${this.index(p.hashKeys)}`, `field:${this.pick(p.hashFieldSpace)}`]];
      case 'xadd':
        return [
          [
            'XADD',
            `stream:${this.index(p.streamKeys)}`,
            'MAXLEN',
            '~',
            String(p.streamMaxLen),
            '*',
            'sensor',
            String(this.pick(1_000)),
            'reading',
            (this.rnd() / 4294967296 * 100).toFixed(3),
            'note',
            this.text.between(4, 24),
          ],
        ];
      case 'del': {
        const which = this.pick(4);
        const key =
          which === 0 ? `str:${this.index(p.stringKeys)}` : which === 1 ? `list:${this.index(p.listKeys)}` : which === 2 ? `hash:${this.index(p.hashKeys)}` : `set:${this.index(p.setKeys)}`;
        return [['DEL', key]];
      }
    }
  }

  /** Set members: integers for even keys (intset encoding), text for odd ones. */
  private member(key: number): string {
    const m = this.pick(this.p.setMemberSpace);
    return key % 2 === 0 ? String(m * 7919 - 100_000) : `tag:${m}`;
  }

  private score(): string {
    return this.pick(3) === 0 ? String(this.pick(10_000)) : ((this.rnd() / 4294967296) * 1e6).toFixed(4);
  }
}


// ------------------------------------------------------------------ generation

/** Server configuration on top of the harness defaults (which include `--save ''`). */
const SERVER_CONFIG: Record<string, string | number | boolean> = {
  appendonly: true,
  appenddirname: 'appendonlydir',
  appendfilename: 'appendonly.aof',
  'aof-use-rdb-preamble': false,
  appendfsync: 'no',
  'aof-timestamp-enabled': true,
  // No automatic rewrite: the only one is the BGREWRITEAOF of the hybrid phase.
  'auto-aof-rewrite-percentage': 0,
  // Redis 7.0 defaults, spelled out so the RDB base does not depend on a distro config.
  'hash-max-listpack-entries': 128,
  'zset-max-listpack-entries': 128,
  'set-max-intset-entries': 512,
  'list-max-listpack-size': -2,
  rdbcompression: true,
  rdbchecksum: true,
};

const MANIFEST_NAME = 'appendonly.aof.manifest';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `INFO <section>` as a map. */
async function info(client: RespClient, section: string): Promise<Map<string, string>> {
  const text = asText(await client.call('INFO', section));
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

async function readManifest(aofDir: string): Promise<Manifest> {
  return parseManifest(await fs.readFile(path.join(aofDir, MANIFEST_NAME)), MANIFEST_NAME);
}

/** Writes `inputs` one after the other into `target` (via `<target>.partial`). @returns bytes written. */
async function concatFiles(target: string, inputs: string[]): Promise<number> {
  const partial = `${target}.partial`;
  const out = await fs.open(partial, 'w');
  const buf = Buffer.allocUnsafe(8 << 20);
  let total = 0;
  try {
    for (const input of inputs) {
      const fh = await fs.open(input, 'r');
      try {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          await out.write(buf, 0, bytesRead);
          total += bytesRead;
        }
      } finally {
        await fh.close();
      }
    }
  } finally {
    await out.close();
  }
  await fs.rename(partial, target);
  return total;
}

/**
 * Sends workload steps until `incrPath` holds `targetBytes`, logging progress about every
 * 10% of the target.
 */
async function writeUntil(
  pipe: Pipeline,
  work: Workload,
  client: RespClient,
  incrPath: string,
  targetBytes: number,
  label: string,
  log: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  const firstCommand = work.commands;
  let nextReport = targetBytes / 10;
  let size = 0;
  while (size < targetBytes) {
    if (!(await pipe.send(...work.next()))) continue;
    size = statSync(incrPath).size;
    if (size >= nextReport) {
      nextReport += targetBytes / 10;
      const used = Number((await info(client, 'memory')).get('used_memory') ?? 0);
      const s = (performance.now() - started) / 1000;
      log(
        `  ${label}: ${(size / 1e6).toFixed(0)} of ${(targetBytes / 1e6).toFixed(0)} MB, ${((work.commands - firstCommand) / 1e6).toFixed(2)} M commands, ` +
          `${(size / 1e6 / s).toFixed(0)} MB/s, used_memory ${(used / 1e6).toFixed(0)} MB`,
      );
    }
  }
  await pipe.drain();
  return work.commands - firstCommand;
}

/** BGREWRITEAOF, then waits until no rewrite is running or scheduled and checks it succeeded. */
async function rewrite(client: RespClient): Promise<void> {
  await client.call('BGREWRITEAOF');
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(100)) {
    const p = await info(client, 'persistence');
    if (p.get('aof_rewrite_in_progress') !== '0' || p.get('aof_rewrite_scheduled') !== '0') continue;
    if (p.get('aof_last_bgrewrite_status') !== 'ok') throw new Error(`BGREWRITEAOF failed (aof_last_bgrewrite_status ${p.get('aof_last_bgrewrite_status')})`);
    return;
  }
  throw new Error('BGREWRITEAOF did not finish within 10 minutes');
}

async function buildDataset(p: AofBenchParams, dir: string, log: (line: string) => void): Promise<AofBenchMeta> {
  const clock = phaseClock(log);
  const { phases, phase } = clock;

  log(`building the AOF benchmark dataset (scale ${p.scale}) with a real redis-server …`);
  const redis: RedisHandle = await startRedis({ config: SERVER_CONFIG, startTimeoutMs: 60_000, stopTimeoutMs: 30_000 });
  log(`  redis-server ${redis.version}, pid ${redis.pid}, port ${redis.port}`);
  try {
    const c = redis.client;
    const aofDir = path.join(redis.dir, String(SERVER_CONFIG.appenddirname));
    const work = new Workload(p);
    const pipe = new Pipeline(c, { maxCommands: 2_000, maxBytes: 4 << 20 });
    phase('start');

    // --- plain phase
    let manifest = await readManifest(aofDir);
    const plainIncr = manifest.incrs[manifest.incrs.length - 1];
    if (!manifest.base?.name.endsWith('.base.aof') || !plainIncr) throw new Error(`unexpected manifest at start: ${JSON.stringify(loadOrder(manifest).map((e) => e.name))}`);
    const plainCommands = await writeUntil(pipe, work, c, path.join(aofDir, plainIncr.name), p.plainTargetBytes, 'plain', log);
    phase('plain writes');

    // Nothing may be appended while the files are copied: no clients write, and the
    // server's own DELs of expired keys are paused.
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    manifest = await readManifest(aofDir);
    const plainSources = loadOrder(manifest).map((e) => e.name);
    const plainBytes = await concatFiles(path.join(dir, FILE_NAMES.plain), plainSources.map((n) => path.join(aofDir, n)));
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    phase('copy plain');

    // --- hybrid phase
    await c.call('CONFIG', 'SET', 'aof-use-rdb-preamble', 'yes');
    await rewrite(c);
    manifest = await readManifest(aofDir);
    const tailIncr = manifest.incrs[manifest.incrs.length - 1];
    if (!manifest.base?.name.endsWith('.base.rdb') || !tailIncr) throw new Error(`unexpected manifest after the rewrite: ${JSON.stringify(loadOrder(manifest).map((e) => e.name))}`);
    phase('rewrite');
    const tailCommands = await writeUntil(pipe, work, c, path.join(aofDir, tailIncr.name), p.tailTargetBytes, 'tail', log);
    phase('tail writes');

    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    manifest = await readManifest(aofDir);
    const hybridSources = loadOrder(manifest).map((e) => e.name);
    if (hybridSources.length !== 2 || !hybridSources[0].endsWith('.base.rdb')) throw new Error(`expected one .base.rdb and one incr file, got ${JSON.stringify(hybridSources)}`);
    const [baseFile, tailFile] = hybridSources.map((n) => path.join(aofDir, n));
    const hybridBaseBytes = await concatFiles(path.join(dir, FILE_NAMES.hybridBase), [baseFile]);
    const hybridTailBytes = await concatFiles(path.join(dir, FILE_NAMES.hybridTail), [tailFile]);
    const hybridBytes = await concatFiles(path.join(dir, FILE_NAMES.hybrid), [baseFile, tailFile]);
    phase('copy hybrid');

    const keysPerDb: Record<string, number> = {};
    for (let db = 0; db <= p.extraDbs; db++) {
      await c.call('SELECT', String(db));
      keysPerDb[String(db)] = asNumber(await c.call('DBSIZE'));
    }
    const memory = await info(c, 'memory');
    return {
      generatorVersion: AOF_GENERATOR_VERSION,
      params: p,
      serverVersion: redis.version,
      serverConfig: SERVER_CONFIG,
      builtAt: new Date().toISOString(),
      buildSeconds: clock.seconds(),
      phases,
      files: {
        plain: { name: FILE_NAMES.plain, bytes: plainBytes },
        hybrid: { name: FILE_NAMES.hybrid, bytes: hybridBytes },
        hybridBase: { name: FILE_NAMES.hybridBase, bytes: hybridBaseBytes },
        hybridTail: { name: FILE_NAMES.hybridTail, bytes: hybridTailBytes },
      },
      sources: { plain: plainSources, hybrid: hybridSources },
      commandsSent: { plain: plainCommands, tail: tailCommands },
      bigValues: { count: work.bigCount, bytes: work.bigBytes },
      keysPerDb,
      usedMemoryBytes: Number(memory.get('used_memory') ?? 0),
      usedMemoryPeakBytes: Number(memory.get('used_memory_peak') ?? 0),
    };
  } finally {
    await redis.stop();
  }
}
