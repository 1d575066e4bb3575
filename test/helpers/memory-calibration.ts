/**
 * The inputs the memory estimate is calibrated on, shared by the live test against Debian's
 * redis-server 7.0 (test/analyze/memory-redis.test.ts), the recordings of other servers'
 * answers (scripts/record-memory.ts, fixtures/memory/) and the test that holds the estimate to
 * those recordings (test/analyze/memory-recorded.test.ts):
 *
 * - the RDB fixtures;
 * - the corpus RDBs (when the corpus suites run): the ones a given server refuses to load (newer
 *   RDB versions, modules) are left out by whoever loads them;
 * - datasets built here through a live redis-server (the one on PATH, Debian's 7.0 in CI) and
 *   SAVEd: one with default settings, one with raised limits whose listpacks, intsets and list
 *   nodes a server with default limits converts or keeps when it loads them; and the same data
 *   rewritten by rdbtool for Redis 6.2 (RDB 9) and 3.0 (RDB 6), in their encodings;
 * - for a server that does not read the RDB version of a fixture or a built dataset (Redis 6.x
 *   reads up to RDB 9, the fixtures are RDB 10), that file rewritten by rdbtool in the newest
 *   version it reads ({@link inputsReadBy}).
 *
 * The built datasets are deterministic: seeded data, explicit stream IDs, expiries at fixed
 * instants, and the members of plain sets and hashes sorted after the SAVE, so a dataset built
 * today holds exactly the keys and values of one built when a recording was made, in the same
 * encodings and (within each set and hash) the same order. Only what no command fixes differs
 * between builds: a stream consumer's seen time and its pending entries' delivery times, the
 * AUX fields, the order of keys in the file, and the order of sorted-set members (a skiplist's
 * node levels are random at every load anyway).
 *
 * Even one file does not always load into the same memory: a skiplist's node levels are drawn
 * at random, Valkey counts a hash table member by whether it shares its bucket (which follows
 * the hash seed drawn at start), and glibc may grow or shrink a block in place or not. So the
 * recordings keep, per key, the median answer of several loads.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { bytesSource } from '../../src/io/source.js';
import type { KeyInfo } from '../../src/model/events.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { RdbOpcode, RdbType } from '../../src/rdb/constants.js';
import { SERVER_RELEASES } from '../../src/model/server-releases.js';
import { rdbLength, withChecksum } from './rdb-edit.js';
import { FIXTURES, fixtureRdbs, goodCorpusRdbs, RUN_CORPUS } from './files.js';
import { Rng } from './random-dataset.js';
import { asArray, asBuffer, asNumber, asText, startRedis, type RedisHandle, type RespClient } from './redis.js';

/** One key of a calibration input: what the server said and what the estimate says (`K`: how the key is kept). */
export interface MemoryPair<K> {
  file: string;
  db: number;
  key: K;
  type: string;
  estimate: number;
  estimateEncoding: string;
  server: number;
  serverEncoding: string;
}

/** A calibration input's estimated `used_memory` once loaded, and the server's. */
export interface MemoryTotal {
  file: string;
  estimate: number;
  server: number;
}


/** One command, as the client sends it. */
export type Cmd = (string | Buffer)[];

/** Where an input comes from: the corpus ones are absent when the corpus suites do not run. */
export type CalibrationKind = 'fixture' | 'corpus' | 'built';

/** One calibration input: a name that stays the same from run to run, and its file. */
export interface CalibrationInput {
  label: string;
  file: string;
  kind: CalibrationKind;
}

/** The seed of the built datasets (the default one draws first, then the raised one). */
export const CALIBRATION_SEED = 20261207;

/**
 * The instant the built datasets' expiring keys expire at (2100-01-01, ms): far enough that
 * every server loading them keeps them, fixed so the files do not depend on when they were built.
 */
export const CALIBRATION_EXPIRE_AT_MS = 4_102_444_800_000;

/** Sends `cmds` in batches of 2000 and waits for every reply. */
async function run(client: RespClient, cmds: Cmd[]): Promise<void> {
  for (let i = 0; i < cmds.length; i += 2000) await client.callAll(cmds.slice(i, i + 2000));
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `len` letters and digits. */
export function text(rng: Rng, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += LETTERS[rng.int(LETTERS.length)];
  return s;
}

/** An element of varied shape: short or long text, or an integer of some width. */
export function element(rng: Rng, maxLen: number): string {
  switch (rng.int(5)) {
    case 0:
      return String(rng.int(128));
    case 1:
      return String(rng.int(2 ** 31) - 2 ** 30);
    case 2:
      return String(BigInt(rng.int(2 ** 30)) * 8589934592n + BigInt(rng.int(2 ** 30)));
    default:
      return text(rng, 1 + rng.int(maxLen));
  }
}

/** The default-settings dataset: every type in small and large forms and sizes. */
export function defaultDataset(rng: Rng): Cmd[] {
  const c: Cmd[] = [];
  for (const len of [0, 1, 5, 11, 20, 21, 31, 32, 43, 44, 45, 100, 255, 256, 1000, 4000, 65535, 65536, 200_000, 1_100_000]) {
    c.push(['SET', `str:rand:${len}`, text(rng, len)]);
    c.push(['SET', `str:rep:${len}`, 'x'.repeat(len)]);
  }
  for (const v of ['0', '5', '9999', '10000', '123456', '-5', '2147483647', '2147483648', '-2147483649', '12345678901234', '9223372036854775807', '9223372036854775808', '007', '-0', '+5', ' 5', '1e3', '3.14']) {
    c.push(['SET', `str:int:${v}`, v]);
  }
  for (let i = 0; i < 300; i++) c.push(['SET', `str:ttl:${i}`, text(rng, 1 + rng.int(80)), 'PXAT', String(CALIBRATION_EXPIRE_AT_MS + i * 1000)]);
  for (let i = 0; i < 300; i++) c.push(['SET', `k${i}`, element(rng, 60)]);
  // Lists: one node, many nodes, elements longer than a node.
  for (const n of [1, 10, 100, 1000, 10_000, 50_000]) {
    for (let i = 0; i < n; i += 1000) c.push(['RPUSH', `list:${n}`, ...Array.from({ length: Math.min(1000, n - i) }, () => element(rng, 100))]);
  }
  c.push(['RPUSH', 'list:big-items', ...Array.from({ length: 10 }, () => text(rng, 10_000))]);
  c.push(['RPUSH', 'list:mixed-items', ...Array.from({ length: 200 }, (_, i) => (i % 20 === 0 ? text(rng, 9000) : element(rng, 50)))]);
  // Sets: intsets of each width, hash tables of strings, integers past the intset limit, mixed.
  for (const [n, span] of [[1, 100], [10, 30000], [100, 2 ** 31], [512, 2 ** 40], [300, 2 ** 20]] as const) {
    c.push(['SADD', `set:int:${n}:${span}`, ...Array.from({ length: n }, () => String(rng.int(span) - Math.floor(span / 2)))]);
  }
  c.push(['SADD', 'set:int:513', ...Array.from({ length: 513 }, (_, i) => String(i))]);
  for (const n of [1, 5, 50, 500, 5000, 70_000]) {
    for (let i = 0; i < n; i += 1000) c.push(['SADD', `set:str:${n}`, ...Array.from({ length: Math.min(1000, n - i) }, () => text(rng, 1 + rng.int(40)))]);
  }
  for (const n of [3, 5, 9, 17, 33, 65, 100, 200, 400, 512]) {
    c.push(['SADD', `set:mixed:${n}`, ...Array.from({ length: n }, () => (rng.chance(0.8) ? String(rng.int(1e6)) : text(rng, 1 + rng.int(20))))]);
  }
  // Hashes: listpacks, hash tables, and small ones with a few long values (converted while loading).
  for (const n of [1, 10, 100, 512, 513, 1000, 10_000]) {
    for (let i = 0; i < n; i += 500) c.push(['HSET', `hash:${n}`, ...Array.from({ length: Math.min(500, n - i) }, (_, j) => [`f${i + j}`, element(rng, 60)]).flat()]);
  }
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 17, 20, 33, 64, 65, 100, 129, 200, 257, 400, 511, 512]) {
    for (const p of [0.1, 0.5, 1]) {
      c.push(['HSET', `hash:long:${n}:${p}`, ...Array.from({ length: n }, (_, j) => [`field:${j}`, rng.chance(p) ? text(rng, 65 + rng.int(200)) : element(rng, 30)]).flat()]);
    }
  }
  // Sorted sets: listpacks, skiplists, a long member, integer and fractional scores.
  for (const n of [1, 10, 128, 129, 1000, 20_000]) {
    for (let i = 0; i < n; i += 1000) {
      c.push(['ZADD', `zset:${n}`, ...Array.from({ length: Math.min(1000, n - i) }, () => [rng.chance(0.5) ? String(rng.int(1e6)) : String(rng.next() * 1000), element(rng, 40)]).flat()]);
    }
  }
  c.push(['ZADD', 'zset:long-member', '1', 'a', '2', text(rng, 100), '3.5', 'c']);
  c.push(['ZADD', 'zset:ttl', '1', 'a'], ['PEXPIREAT', 'zset:ttl', String(CALIBRATION_EXPIRE_AT_MS)]);
  // Streams: one entry, several nodes, varied fields, groups with pending entries, deletions.
  c.push(['XADD', 'stream:one', '1-1', 'f', 'v']);
  for (let i = 0; i < 150; i++) c.push(['XADD', 'stream:150', `${1_690_000_000_000 + i * 13}-0`, 'field', text(rng, 20), 'n', String(i)]);
  for (let i = 0; i < 5000; i++) c.push(['XADD', 'stream:5000', `${1_700_000_000_000 + i * 7}-${i % 3}`, ...(i % 10 === 0 ? ['other', 'x'] : ['a', String(i), 'b', text(rng, 1 + rng.int(30))])]);
  c.push(['XGROUP', 'CREATE', 'stream:5000', 'g1', '0'], ['XGROUP', 'CREATE', 'stream:5000', 'g2', '0'], ['XGROUP', 'CREATE', 'stream:150', 'solo', '$']);
  for (const [g, consumer, n] of [['g1', 'alice', 300], ['g1', 'bob', 50], ['g1', 'carol', 1], ['g2', 'dave', 2000]] as const) {
    c.push(['XREADGROUP', 'GROUP', g, consumer, 'COUNT', String(n), 'STREAMS', 'stream:5000', '>']);
  }
  c.push(['XGROUP', 'CREATECONSUMER', 'stream:5000', 'g2', 'idle']);
  c.push(['XDEL', 'stream:5000', `${1_700_000_000_000 + 7 * 10}-1`, `${1_700_000_000_000 + 7 * 11}-2`]);
  c.push(['XADD', 'stream:empty', 'MAXLEN', '0', '1-1', 'f', 'v']);
  for (let db = 1; db <= 3; db++) c.push(['SELECT', String(db)], ['SET', 'k', 'v'], ['HSET', 'h', 'a', '1'], ['SELECT', '0']);
  return c;
}

/** Settings of the second builder: limits beyond 7.0's defaults, so its file holds what 7.0 converts (or keeps) on load. */
export const RAISED_LIMITS = {
  'hash-max-listpack-entries': 4096,
  'hash-max-listpack-value': 1024,
  'zset-max-listpack-entries': 2048,
  'zset-max-listpack-value': 1024,
  'set-max-intset-entries': 8192,
  'list-max-listpack-size': -4,
};

/** The raised-limits dataset: collections past the default limits, built under {@link RAISED_LIMITS}. */
export function raisedDataset(rng: Rng): Cmd[] {
  const c: Cmd[] = [];
  for (const n of [300, 513, 700, 2000, 4000]) c.push(['HSET', `hash:lp:${n}`, ...Array.from({ length: n }, (_, j) => [`f${j}`, element(rng, 40)]).flat()]);
  for (const n of [5, 50, 300]) c.push(['HSET', `hash:lp-long:${n}`, ...Array.from({ length: n }, (_, j) => [`f${j}`, text(rng, 60 + rng.int(400))]).flat()]);
  for (const n of [100, 129, 300, 1000, 2000]) c.push(['ZADD', `zset:lp:${n}`, ...Array.from({ length: n }, () => [String(rng.next() * 100), element(rng, 30)]).flat()]);
  c.push(['ZADD', 'zset:lp-long', ...Array.from({ length: 20 }, () => [String(rng.int(100)), text(rng, 70 + rng.int(300))]).flat()]);
  for (const n of [100, 513, 1000, 4000, 8000]) c.push(['SADD', `set:intset:${n}`, ...Array.from({ length: n }, () => String(rng.int(2 ** 40)))]);
  for (const n of [100, 5000, 20_000]) {
    for (let i = 0; i < n; i += 1000) c.push(['RPUSH', `list:32k:${n}`, ...Array.from({ length: Math.min(1000, n - i) }, () => element(rng, 80))]);
  }
  return c;
}

/**
 * Builds a dataset in a live server started with `config` (the `redis-server` on PATH unless
 * `binary` is given), SAVEs it and copies the file to `to`.
 */
export async function buildRdb(cmds: Cmd[], config: Record<string, string | number>, to: string, binary?: string): Promise<void> {
  const redis: RedisHandle = await startRedis({ config, binary });
  try {
    await run(redis.client, cmds);
    await redis.client.call('SAVE');
    copyFileSync(redis.dumpPath, to);
  } finally {
    await redis.stop();
  }
}

/** A plain RDB string: its length, then its bytes. */
function rdbString(s: Uint8Array): Buffer {
  return Buffer.concat([rdbLength(s.length), s]);
}

/**
 * Rewrites the plain sets and hashes of an RDB (types 2 and 4, the hash table encodings) with
 * their members and fields sorted by bytes, in place, and recomputes the checksum.
 *
 * Why: a server saves a hash table in the order of its buckets, which follows the hash seed it
 * drew at start, so each build of a dataset lists them in another order; and a server loading
 * a plain hash of few fields starts it as a listpack and turns it into a hash table at its
 * first long value, so where that value sits changes the memory it reports for the key (by a
 * few percent: observed with 7.0). Sorted, a rebuilt file loads into the same memory as the
 * file a recording was made from.
 */
async function sortPlainCollections(file: string): Promise<void> {
  const bytes = readFileSync(file);
  const edits: { from: number; to: number; record: Buffer }[] = [];
  let elements: Buffer[][] | null = null;
  await scanRdb(bytesSource(bytes, file), {
    keyStart(k: KeyInfo): boolean {
      elements = k.rdbType === RdbType.Hash || k.rdbType === RdbType.Set ? [] : null;
      return elements !== null;
    },
    item(v: Uint8Array): void {
      elements?.push([Buffer.from(v)]);
    },
    field(f: Uint8Array, v: Uint8Array, fieldExpireAtMs: number | null): void {
      if (fieldExpireAtMs !== null) throw new Error(`${file}: a hash field with a TTL in a plain hash`);
      elements?.push([Buffer.from(f), Buffer.from(v)]);
    },
    keyEnd(k: KeyInfo): void {
      if (elements === null) return;
      if (k.lruIdleSec !== undefined || k.lfuFreq !== undefined) throw new Error(`${file}: IDLE or FREQ records are not rewritten`);
      const sorted = elements.sort((a, b) => Buffer.compare(a[0], b[0]));
      const parts: Buffer[] = [];
      if (k.expireAtMs !== null) {
        const ms = Buffer.alloc(9);
        ms[0] = RdbOpcode.ExpireTimeMs;
        ms.writeBigInt64LE(BigInt(k.expireAtMs), 1);
        parts.push(ms);
      }
      parts.push(Buffer.from([k.rdbType]), rdbString(k.key), rdbLength(sorted.length));
      for (const e of sorted) for (const s of e) parts.push(rdbString(s));
      edits.push({ from: k.offset, to: k.offset + k.onDiskBytes, record: Buffer.concat(parts) });
      elements = null;
    },
  });
  if (edits.length === 0) return;
  const out: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    out.push(bytes.subarray(at, e.from), e.record);
    at = e.to;
  }
  out.push(bytes.subarray(at, bytes.length - 8)); // up to the EOF byte; the checksum is recomputed
  writeFileSync(file, withChecksum(Buffer.concat(out)));
}

/** Labels of the built datasets, in the order {@link buildCalibrationDatasets} gives them. */
export const BUILT_LABELS = [
  'built (defaults)',
  'built (raised limits)',
  'built (default) as RDB 9',
  'built (default) as RDB 6',
  'built (raised) as RDB 9',
  'built (raised) as RDB 6',
] as const;

/**
 * Builds the calibration datasets into `dir` through the `redis-server` on PATH: the default
 * and raised-limits files (their plain sets and hashes then sorted, see sortPlainCollections),
 * and each rewritten by rdbtool as RDB 9 and RDB 6 (strings, lists, sets, sorted sets and
 * hashes: the types those versions hold). Takes a few seconds.
 */
export async function buildCalibrationDatasets(dir: string): Promise<CalibrationInput[]> {
  const rng = new Rng(CALIBRATION_SEED);
  const builtDefault = path.join(dir, 'built-default.rdb');
  const builtRaised = path.join(dir, 'built-raised.rdb');
  await buildRdb(defaultDataset(rng), {}, builtDefault);
  await buildRdb(raisedDataset(rng), RAISED_LIMITS, builtRaised);
  await sortPlainCollections(builtDefault);
  await sortPlainCollections(builtRaised);
  const out: CalibrationInput[] = [
    { label: 'built (defaults)', file: builtDefault, kind: 'built' },
    { label: 'built (raised limits)', file: builtRaised, kind: 'built' },
  ];
  // The same data in older encodings, as rdbtool writes it for older servers.
  for (const [from, name] of [[builtDefault, 'default'], [builtRaised, 'raised']] as const) {
    for (const version of [9, 6]) {
      const file = path.join(dir, `built-${name}-rdb${version}.rdb`);
      await convert(from, file, { to: 'rdb', targetVersion: version, filter: { types: ['string', 'list', 'set', 'zset', 'hash'] } });
      out.push({ label: `built (${name}) as RDB ${version}`, file, kind: 'built' });
    }
  }
  return out;
}

/** The fixtures' inputs, labelled by their path under fixtures/. */
export function fixtureCalibrationInputs(): CalibrationInput[] {
  return fixtureRdbs().map((file) => ({ label: path.relative(FIXTURES, file), file, kind: 'fixture' as const }));
}

/** The corpus RDBs (none when the corpus suites do not run), labelled `<folder>/<name>`. */
export function corpusCalibrationInputs(): CalibrationInput[] {
  if (!RUN_CORPUS) return [];
  return goodCorpusRdbs().map((file) => ({ label: path.basename(path.dirname(file)) + '/' + path.basename(file), file, kind: 'corpus' as const }));
}

/**
 * Every calibration input: the fixtures, the datasets built into `dir`
 * ({@link buildCalibrationDatasets}) and the corpus RDBs when the corpus suites run; with a
 * `target`, the versions of them that target's server reads ({@link inputsReadBy}).
 */
export async function calibrationInputs(dir: string, target?: string): Promise<CalibrationInput[]> {
  const all = [...fixtureCalibrationInputs(), ...(await buildCalibrationDatasets(dir)), ...corpusCalibrationInputs()];
  return target === undefined ? all : inputsReadBy(all, target, dir);
}

/**
 * The newest RDB version the server of `target` (`redis@6.2`, `valkey@8.0`) reads, from the
 * release table (model/server-releases.ts).
 * @throws Error for a target the table does not know
 */
export function readableRdbVersion(target: string): number {
  const release = SERVER_RELEASES.find((r) => r.id === target);
  const max = release?.reads.find((r) => r.magic === 'REDIS')?.max;
  if (max === undefined) throw new Error(`${target}: not in the release table`);
  return max ?? Infinity;
}

/** The RDB version in a file's header (`REDIS0010` → 10; NaN when it has none). */
function rdbVersionOf(file: string): number {
  const head = readFileSync(file).subarray(0, 9).toString('latin1');
  return /^REDIS\d{4}$/.test(head) ? Number(head.slice(5)) : NaN;
}

/** The label of an input rewritten for an older server. */
export function rewrittenLabel(label: string, rdbVersion: number): string {
  return `${label}, rewritten as RDB ${rdbVersion}`;
}

/** Rewrites already made, by folder, source file and RDB version (one serves every target reading that version). */
const rewrites = new Map<string, Promise<string>>();

/**
 * The inputs `target`'s server reads: every input it reads as it is; a fixture or a built
 * dataset in a newer RDB version than it reads, rewritten by rdbtool as the newest it reads
 * (`convert --target-version N`, what it cannot hold dropped: function libraries, stream
 * states newer than it; LRU/LFU hints kept) into `dir` and labelled "…, rewritten as RDB N" —
 * except the raised-limits dataset, whose RDB 9 and RDB 6 rewrites are inputs already (the
 * default dataset's leave its streams out, so it is rewritten whole). Corpus files it cannot
 * read stay as they are: the server refuses them, and the recording lists them.
 */
export async function inputsReadBy(inputs: readonly CalibrationInput[], target: string, dir: string): Promise<CalibrationInput[]> {
  const max = readableRdbVersion(target);
  const out: CalibrationInput[] = [];
  for (const input of inputs) {
    const version = rdbVersionOf(input.file);
    if (input.kind === 'corpus' || !(version > max)) {
      out.push(input);
      continue;
    }
    if (input.label === 'built (raised limits)') continue;
    const id = `${dir}\0${input.file}\0${max}`;
    let file = rewrites.get(id);
    if (file === undefined) {
      const to = path.join(dir, `rewritten-${rewrites.size}-rdb${max}.rdb`);
      file = convert(input.file, to, { to: 'rdb', targetVersion: max, drop: ['functions', 'newer'], keepLru: true }).then(() => to);
      rewrites.set(id, file);
    }
    out.push({ label: rewrittenLabel(input.label, max), file: await file, kind: input.kind });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recordings: what a real server answered for every key of the calibration inputs.

/** Where the recordings are kept. */
export const RECORDINGS_DIR = path.join(FIXTURES, 'memory');

/** One key as the server held it after loading the file: db, key (base64), `MEMORY USAGE … SAMPLES 0` (the median over the loads), `OBJECT ENCODING`. */
export type RecordedKey = [db: number, keyBase64: string, usageBytes: number, encoding: string];

/** One input the server loaded. */
export interface RecordedFile {
  label: string;
  kind: CalibrationKind;
  /** `INFO memory`'s `used_memory` right after the load, before the recorder's replies (the median over the loads). */
  usedMemory: number;
  /** Every key the server held, sorted by db, then key bytes. */
  keys: RecordedKey[];
}

/** An input the server refused to load, and the last words of its log. */
export interface RefusedFile {
  label: string;
  kind: CalibrationKind;
  reason: string;
}

/** A recording file: `fixtures/memory/<target>-<allocator>.json`. */
export interface MemoryRecording {
  /** `redis@X.Y` or `valkey@X.Y`, as `--target` takes it. */
  target: string;
  /** `jemalloc`, `libc` or `jemalloc-system`, as `--allocator` takes it. */
  allocator: string;
  server: {
    /** `INFO server`'s `redis_version` (Valkey answers its Redis compatibility version here). */
    redisVersion: string;
    /** `INFO server`'s `valkey_version`, for Valkey. */
    valkeyVersion?: string;
    /** `INFO memory`'s `mem_allocator`. */
    memAllocator: string;
    /** `redis-server --version`. */
    versionLine: string;
    /** How the server was built or installed. */
    build: string;
  };
  /** The command that made the recording. */
  command: string;
  /** How many times each input was loaded: each answer is the median of that many. */
  loads: number;
  /** When the recording was made (ms since the epoch). */
  recordedAtMs: number;
  files: RecordedFile[];
  refused: RefusedFile[];
}

/** The file name of a recording: `redis@7.2` with `jemalloc` is `redis-7.2-jemalloc.json`. */
export function recordingFileName(target: string, allocator: string): string {
  return `${target.replace('@', '-')}-${allocator}.json`;
}

/** Every recording in {@link RECORDINGS_DIR}, sorted by file name. */
export function readRecordings(): { name: string; recording: MemoryRecording }[] {
  if (!existsSync(RECORDINGS_DIR)) return [];
  return readdirSync(RECORDINGS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, recording: JSON.parse(readFileSync(path.join(RECORDINGS_DIR, name), 'utf8')) as MemoryRecording }));
}

/**
 * A recording as text: one line per file header and per key, so a new recording's diff shows
 * the keys that changed.
 */
export function formatRecording(r: MemoryRecording): string {
  const lines: string[] = [];
  const head = { target: r.target, allocator: r.allocator, server: r.server, command: r.command, loads: r.loads, recordedAtMs: r.recordedAtMs };
  lines.push(JSON.stringify(head).slice(0, -1) + ',"refused":' + JSON.stringify(r.refused) + ',"files":[');
  r.files.forEach((f, i) => {
    lines.push(JSON.stringify({ label: f.label, kind: f.kind, usedMemory: f.usedMemory }).slice(0, -1) + ',"keys":[');
    f.keys.forEach((k, j) => lines.push(JSON.stringify(k) + (j < f.keys.length - 1 ? ',' : '')));
    lines.push(']}' + (i < r.files.length - 1 ? ',' : ''));
  });
  lines.push(']}');
  return lines.join('\n') + '\n';
}

/**
 * Every key of every database `client`'s server holds (found with `SCAN`), with its
 * `MEMORY USAGE <key> SAMPLES 0` and `OBJECT ENCODING`, sorted by db, then key bytes. Leaves
 * the connection on the last database it read.
 * @throws Error when `SCAN` finds another number of keys than `INFO keyspace` announces.
 */
export async function serverKeyMemory(client: RespClient): Promise<RecordedKey[]> {
  const keyspace = asText(await client.call('INFO', 'keyspace'));
  const dbs = [...keyspace.matchAll(/^db(\d+):keys=(\d+)/gm)].map((m) => ({ db: Number(m[1]), keys: Number(m[2]) }));
  const out: RecordedKey[] = [];
  for (const { db, keys: expected } of dbs) {
    await client.call('SELECT', String(db));
    const seen = new Map<string, Buffer>();
    let cursor = '0';
    do {
      const reply = asArray(await client.call('SCAN', cursor, 'COUNT', '1000'));
      cursor = asText(reply[0]);
      for (const k of asArray(reply[1])) {
        const key = asBuffer(k);
        seen.set(key.toString('latin1'), key);
      }
    } while (cursor !== '0');
    if (seen.size !== expected) throw new Error(`db${db}: SCAN found ${seen.size} keys, INFO keyspace says ${expected}`);
    const keys = [...seen.values()].sort(Buffer.compare);
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const replies = await client.callAll(batch.flatMap((k) => [['MEMORY', 'USAGE', k, 'SAMPLES', '0'], ['OBJECT', 'ENCODING', k]]));
      batch.forEach((k, j) => out.push([db, k.toString('base64'), asNumber(replies[2 * j]), asText(replies[2 * j + 1])]));
    }
  }
  return out;
}
