/**
 * `npx tsx scripts/make-aof-fixtures.ts`: regenerates `fixtures/aof/` from a real
 * redis-server (STYLE §2.12, formats.md §5.5–§5.8). It overwrites only that folder.
 *
 * Fixtures:
 *
 * - `resp-multipart/appendonlydir/` — multi-part AOF with a RESP base: the server runs with
 *   `appendonly yes`, `aof-use-rdb-preamble no`, `aof-timestamp-enabled yes`; a workload
 *   writes every type in several databases (MULTI/EXEC blocks, a function call with two
 *   writes, relative expiries, a key expired by the server), then BGREWRITEAOF, then more
 *   writes. The manifest and the files it lists are copied.
 * - `rdb-multipart/appendonlydir/` — the same with `aof-use-rdb-preamble yes` (base `.rdb`).
 * - `hybrid.aof` — a single-file AOF with an RDB preamble and a RESP tail, built by
 *   concatenating the base `.rdb` of `rdb-multipart` and its incr file(s), which is what a
 *   Redis 4.0–6.2 `appendonly.aof` looks like and what a 7.0 server upgrades from.
 * - `plain.aof` — a single-file RESP AOF: the base `.aof` of `resp-multipart` followed by
 *   its incr file(s).
 * - `manifests/` — manifests written by Redis for `appendfilename`s that need quoting, and
 *   one (a name with `'`) that Redis writes but cannot read back.
 *
 * Every fixture has `<name>.truth.json`: the dataset of the live server right after the
 * writes (export-schema records without the RDB-only `encoding`), the function libraries,
 * the files with sizes and SHA-256, and the output and exit code of `redis-check-aof`.
 * Each fixture is also loaded into a fresh server (the single files through Redis's
 * upgrade path) and must give back the same dataset. `fixtures/aof/README.md` is generated.
 *
 * Servers come from scripts/lib/redis-server.ts (127.0.0.1, stopped by PID). Servers that
 * must start on prepared files get `dir` pointed at a scratch directory made here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatManifest, loadOrder, parseManifest, type Manifest } from '../src/aof/manifest.js';
import { readTruth, scanKeyMeta, type TruthRecord } from './lib/export-json.js';
import { findExecutable, findRedisServer, RedisStartError, startRedis, type RedisHandle } from './lib/redis-server.js';
import { asArray, asText, type RespClient } from './lib/resp-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AOF_DIR = path.join(ROOT, 'fixtures', 'aof');

/** A relative TTL that lands around 2105, so loading a fixture later keeps every key. */
const LONG_TTL_SEC = 2_500_000_000;

const MANIFEST_NAME = 'appendonly.aof.manifest';

type Arg = string | Uint8Array;
type Config = Record<string, string | number | boolean>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Sleeps until just after the next whole second of the wall clock. */
const nextSecond = (): Promise<void> => sleep(1000 - (Date.now() % 1000) + 20);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** One record of a truth file: the export schema without the RDB-only `encoding`. */
type DatasetRecord = Omit<TruthRecord, 'encoding'>;

interface FunctionLibrary {
  name: string;
  engine: string;
  code: string;
}

interface CheckResult {
  /** The command line, relative to fixtures/aof. */
  command: string;
  exitCode: number | null;
  /** True when the tool exited 0 and printed its "valid" verdict. */
  valid: boolean;
  output: string;
}

interface FileInfo {
  /** Path relative to fixtures/aof. */
  path: string;
  bytes: number;
  sha256: string;
  /** Manifest role, for files listed by a manifest. */
  type?: 'b' | 'h' | 'i';
  seq?: string;
}

interface Truth {
  fixture: string;
  kind: 'multipart' | 'single-file';
  /** The path redis-check-aof was run on (the manifest for directories). */
  checkedPath: string;
  madeBy: string;
  server: { version: string; config: Config };
  files: FileInfo[];
  keysPerDb: Record<string, number>;
  dataset: DatasetRecord[];
  functions: FunctionLibrary[];
  redisCheckAof: CheckResult;
  reload: { how: string; sameDataset: true; manifestWritten?: string };
}

// ---------------------------------------------------------------------------------------
// Workload
// ---------------------------------------------------------------------------------------

/** A library whose function writes two keys: its effects are logged as MULTI … EXEC. */
const LIBRARY = [
  '#!lua name=aoflib',
  "redis.register_function('two_writes', function(keys, args)",
  "  redis.call('SET', keys[1], args[1])",
  "  redis.call('INCR', keys[2])",
  '  return 2',
  'end)',
].join('\n');

/** Sends commands one by one (each reply awaited) so the AOF order is the order below. */
async function run(client: RespClient, cmds: Arg[][]): Promise<void> {
  for (const c of cmds) await client.call(...c);
}

/** Writes before the rewrite: they end up in the rewritten base. */
async function writesBeforeRewrite(client: RespClient): Promise<void> {
  await run(client, [
    ['SELECT', '0'],
    ['SET', 'str:plain', 'hello'],
    ['APPEND', 'str:plain', ' world'],
    ['SET', 'str:int', '12345'],
    ['INCR', 'str:counter'],
    ['INCR', 'str:counter'],
    ['SET', 'str:binary', Buffer.from([0x61, 0x0d, 0x0a, 0x62, 0x00, 0x63, 0xff])],
    ['SET', 'str:ex', 'set with EX', 'EX', String(LONG_TTL_SEC)],
    ['SET', 'str:expire', 'set, then EXPIRE'],
    ['EXPIRE', 'str:expire', String(LONG_TTL_SEC)],
    ['INCRBYFLOAT', 'str:float', '1.5'],
    ['RPUSH', 'list:l', 'a', 'b', 'c'],
    ['LPUSH', 'list:l', 'z'],
    ['SADD', 'set:s', 'apple', 'banana', 'cherry'],
    ['SADD', 'set:i', '1', '2', '3'],
    ['SREM', 'set:s', 'banana'],
    ['ZADD', 'zset:z', '1', 'one', '2.5', 'two-and-half', 'inf', 'top', '-inf', 'bottom'],
    ['HSET', 'hash:h', 'f1', 'v1', 'f2', 'v2'],
    ['HINCRBYFLOAT', 'hash:h', 'fl', '2.5'],
    ['XADD', 'stream:s', '1-1', 'f', 'v1'],
    ['XADD', 'stream:s', '1-2', 'f', 'v2'],
    ['XGROUP', 'CREATE', 'stream:s', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream:s', '>'],
    ['MULTI'],
    ['SET', 'tx:a', '1'],
    ['INCR', 'tx:a'],
    ['RPUSH', 'tx:l', 'x', 'y'],
    ['EXEC'],
    ['FUNCTION', 'LOAD', LIBRARY],
    ['FCALL', 'two_writes', '2', 'fn:a', 'fn:b', 'from a function'],
    ['SELECT', '1'],
    ['SET', 'db1:str', 'one'],
    ['HSET', 'db1:hash', 'a', '1', 'b', '2'],
    ['SELECT', '5'],
    ['RPUSH', 'db5:list', 'p', 'q'],
    ['ZADD', 'db5:zset', '-2', 'm'],
    ['SELECT', '0'],
  ]);
}

/** Writes after the rewrite: they end up in the new incr file. */
async function writesAfterRewrite(client: RespClient): Promise<void> {
  // A new wall-clock second makes the server put a `#TS:` annotation into the incr file.
  await nextSecond();
  await run(client, [
    ['SELECT', '0'],
    ['SET', 'after:str', 'written after the rewrite'],
    ['RPUSH', 'list:l', 'd'],
    ['DEL', 'str:int'],
    ['HDEL', 'hash:h', 'f2'],
    ['EXPIRE', 'set:s', String(LONG_TTL_SEC)],
    ['SET', 'after:ex', 'y', 'EX', String(LONG_TTL_SEC)],
    ['XADD', 'stream:s', '2-1', 'f', 'v3'],
    ['XACK', 'stream:s', 'g', '1-1'],
    ['SELECT', '2'],
    ['MULTI'],
    ['SET', 'db2:a', '1'],
    ['SADD', 'db2:set', 'x', 'y'],
    ['EXEC'],
    ['SELECT', '0'],
    ['SET', 'temp:short', 'expires at once', 'PX', '1'],
  ]);
  // Let the 1 ms TTL pass; the GET then finds the key expired and the server logs a DEL.
  // Crossing a second boundary also gives the incr file a second `#TS:` annotation.
  await nextSecond();
  await run(client, [
    ['GET', 'temp:short'],
    ['MULTI'],
    ['SET', 'tx2:a', '1'],
    ['SET', 'tx2:b', '2'],
    ['EXEC'],
    ['SELECT', '3'],
    ['SET', 'db3:k', 'v'],
    ['SELECT', '0'],
    ['FCALL', 'two_writes', '2', 'fn:c', 'fn:b', 'again'],
  ]);
}

// ---------------------------------------------------------------------------------------
// Server helpers
// ---------------------------------------------------------------------------------------

async function info(client: RespClient, section: string): Promise<Map<string, string>> {
  const text = asText(await client.call('INFO', section));
  const map = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}

/** Polls until `fn` returns a value (not undefined) or the time is up. */
async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** BGREWRITEAOF, then waits until no rewrite is running or scheduled, and checks it succeeded. */
async function rewrite(client: RespClient): Promise<void> {
  await client.call('BGREWRITEAOF');
  const done = await poll('the AOF rewrite', async () => {
    const p = await info(client, 'persistence');
    return p.get('aof_rewrite_in_progress') === '0' && p.get('aof_rewrite_scheduled') === '0' ? p : undefined;
  });
  if (done.get('aof_last_bgrewrite_status') !== 'ok') throw new Error(`BGREWRITEAOF failed: ${JSON.stringify([...done])}`);
}

/**
 * Waits until the AOF directory holds exactly the manifest and the files it lists, with no
 * history entries left (they are deleted in the background after a rewrite).
 */
async function settledManifest(aofDir: string): Promise<{ text: Buffer; manifest: Manifest }> {
  return poll('history files to be deleted', async () => {
    const text = await fs.readFile(path.join(aofDir, MANIFEST_NAME));
    const manifest = parseManifest(text, MANIFEST_NAME);
    const listed = [MANIFEST_NAME, ...loadOrder(manifest).map((e) => e.name)].sort();
    const present = (await fs.readdir(aofDir)).sort();
    return manifest.history.length === 0 && JSON.stringify(listed) === JSON.stringify(present) ? { text, manifest } : undefined;
  });
}

async function readFunctions(client: RespClient): Promise<FunctionLibrary[]> {
  const libs = asArray(await client.call('FUNCTION', 'LIST', 'WITHCODE')).map((lib) => {
    const flat = asArray(lib);
    const get = (name: string): string => asText(flat[flat.findIndex((v) => Buffer.isBuffer(v) && v.toString() === name) + 1]);
    return { name: get('library_name'), engine: get('engine'), code: get('library_code') };
  });
  return libs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The live dataset in truth form (sorted by db, then key bytes) and the function libraries. */
async function readDataset(client: RespClient): Promise<{ dataset: DatasetRecord[]; functions: FunctionLibrary[] }> {
  const records = await readTruth(client, await scanKeyMeta(client));
  const dataset = records.map(({ encoding: _rdbOnly, ...rest }) => rest);
  return { dataset, functions: await readFunctions(client) };
}

/**
 * Replaying an AOF sets a consumer's seen-time to the replay time, so that is the one
 * field left out when a reloaded dataset is compared with the original.
 */
function comparable(dataset: DatasetRecord[]): string {
  return JSON.stringify(dataset, (key, value: unknown) => (key === 'seenTimeMs' ? undefined : value));
}

/**
 * Starts a server on a scratch directory prepared by `prepare`, reads its dataset back and
 * checks it equals `expected`.
 * @returns the manifest the server holds afterwards (the one it wrote when upgrading).
 */
async function reloadAndCompare(
  label: string,
  config: Config,
  prepare: (scratch: string) => Promise<void>,
  expected: { dataset: DatasetRecord[]; functions: FunctionLibrary[] },
): Promise<string> {
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-aof-reload-'));
  let redis: RedisHandle | null = null;
  try {
    await prepare(scratch);
    redis = await startRedis({ appendonly: true, config: { ...config, dir: scratch } });
    const got = await readDataset(redis.client);
    if (comparable(got.dataset) !== comparable(expected.dataset)) {
      throw new Error(`${label}: the dataset loaded back differs:\n${comparable(expected.dataset)}\n${comparable(got.dataset)}`);
    }
    if (JSON.stringify(got.functions) !== JSON.stringify(expected.functions)) throw new Error(`${label}: functions differ after reload`);
    return await fs.readFile(path.join(scratch, 'appendonlydir', MANIFEST_NAME), 'utf8');
  } finally {
    await redis?.stop();
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Runs redis-check-aof with fixtures/aof as the working directory. */
function runCheckAof(relativePath: string): CheckResult {
  const tool = findExecutable('redis-check-aof');
  const server = findRedisServer();
  // redis-check-aof is the redis-server binary started under another name.
  const [bin, argv0] = tool ? [tool, tool] : [server, 'redis-check-aof'];
  if (!bin) throw new Error('neither redis-check-aof nor redis-server found');
  const res = spawnSync(bin, [relativePath], { cwd: AOF_DIR, argv0, encoding: 'utf8' });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const valid = res.status === 0 && /(All AOF files and manifest are valid|AOF \S+ is valid)\n/.test(output);
  return { command: `redis-check-aof ${relativePath}`, exitCode: res.status, valid, output };
}

async function fileInfo(relativePath: string, entry?: { type: 'b' | 'h' | 'i'; seq: bigint }): Promise<FileInfo> {
  const bytes = await fs.readFile(path.join(AOF_DIR, relativePath));
  const out: FileInfo = { path: relativePath, bytes: bytes.length, sha256: sha256(bytes) };
  if (entry) {
    out.type = entry.type;
    out.seq = String(entry.seq);
  }
  return out;
}

function keysPerDb(dataset: DatasetRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of dataset) out[r.db] = (out[r.db] ?? 0) + 1;
  return out;
}

async function writeTruth(truth: Truth): Promise<void> {
  await fs.writeFile(path.join(AOF_DIR, `${truth.fixture}.truth.json`), JSON.stringify(truth, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/** Settings shared by both multi-part scenarios. */
const COMMON_CONFIG: Config = {
  appendonly: 'yes',
  'aof-timestamp-enabled': 'yes',
  // Each command is written (and fsynced) before its reply, so the files on disk are
  // complete as soon as the last reply arrives.
  appendfsync: 'always',
  appenddirname: 'appendonlydir',
  appendfilename: 'appendonly.aof',
  // No automatic rewrite may interfere with the one the script asks for.
  'auto-aof-rewrite-percentage': 0,
};

interface MultipartResult {
  truth: Truth;
  manifest: Manifest;
  data: { dataset: DatasetRecord[]; functions: FunctionLibrary[] };
}

async function makeMultipart(name: string, preamble: boolean): Promise<MultipartResult> {
  const config: Config = { ...COMMON_CONFIG, 'aof-use-rdb-preamble': preamble ? 'yes' : 'no' };
  const redis = await startRedis({ appendonly: true, config });
  const target = path.join(AOF_DIR, name, 'appendonlydir');
  let data: { dataset: DatasetRecord[]; functions: FunctionLibrary[] };
  let manifest: Manifest;
  try {
    await writesBeforeRewrite(redis.client);
    await rewrite(redis.client);
    await writesAfterRewrite(redis.client);
    data = await readDataset(redis.client);
    const settled = await settledManifest(path.join(redis.dir, 'appendonlydir'));
    manifest = settled.manifest;
    // The server must have written what formatManifest would write.
    if (formatManifest(manifest) !== settled.text.toString('latin1')) throw new Error(`${name}: formatManifest differs from the server's manifest`);
    await fs.mkdir(target, { recursive: true });
    await fs.writeFile(path.join(target, MANIFEST_NAME), settled.text);
    for (const e of loadOrder(manifest)) await fs.copyFile(path.join(redis.dir, 'appendonlydir', e.name), path.join(target, e.name));
  } finally {
    await redis.stop();
  }
  const base = manifest.base;
  if (!base || manifest.incrs.length === 0) throw new Error(`${name}: expected a base and an incr file`);
  if (!base.name.endsWith(preamble ? '.base.rdb' : '.base.aof')) throw new Error(`${name}: unexpected base ${base.name}`);

  const rel = (file: string): string => `${name}/appendonlydir/${file}`;
  const check = runCheckAof(rel(MANIFEST_NAME));
  if (!check.valid) throw new Error(`${name}: redis-check-aof did not report valid:\n${check.output}`);
  await reloadAndCompare(name, config, async (scratch) => {
    await fs.cp(path.join(AOF_DIR, name, 'appendonlydir'), path.join(scratch, 'appendonlydir'), { recursive: true });
  }, data);

  const files = [await fileInfo(rel(MANIFEST_NAME))];
  for (const e of loadOrder(manifest)) files.push(await fileInfo(rel(e.name), e));
  const truth: Truth = {
    fixture: name,
    kind: 'multipart',
    checkedPath: rel(MANIFEST_NAME),
    madeBy:
      'a live server: start with AOF on (base 1 + incr 1), writes, BGREWRITEAOF (waited for: aof_rewrite_in_progress:0 and ' +
      'aof_rewrite_scheduled:0), more writes; the manifest and the files it lists copied once the history files were gone',
    server: { version: redis.version, config },
    files,
    keysPerDb: keysPerDb(data.dataset),
    dataset: data.dataset,
    functions: data.functions,
    redisCheckAof: check,
    reload: { how: 'a fresh server started on a copy of appendonlydir/ with the same configuration', sameDataset: true },
  };
  await writeTruth(truth);
  return { truth, manifest, data };
}

/**
 * A single file made of the base and incr files of a multi-part fixture, checked with
 * redis-check-aof and loaded by a server through the upgrade path (the file placed as
 * `appendfilename` in `dir`, no AOF directory yet).
 */
async function makeSingleFile(name: string, from: MultipartResult, preamble: boolean): Promise<Truth> {
  const fileName = `${name}.aof`;
  const parts = loadOrder(from.manifest).map((e) => path.join(AOF_DIR, from.truth.fixture, 'appendonlydir', e.name));
  const bytes = Buffer.concat(await Promise.all(parts.map((p) => fs.readFile(p))));
  await fs.writeFile(path.join(AOF_DIR, fileName), bytes);

  const check = runCheckAof(fileName);
  if (!check.valid) throw new Error(`${name}: redis-check-aof did not report valid:\n${check.output}`);
  const config: Config = { ...from.truth.server.config, 'aof-use-rdb-preamble': preamble ? 'yes' : 'no' };
  const upgraded = await reloadAndCompare(name, config, (scratch) => fs.writeFile(path.join(scratch, 'appendonly.aof'), bytes), from.data);
  // The upgrade must have adopted the file as base 1.
  const adopted = parseManifest(upgraded, MANIFEST_NAME);
  if (adopted.base?.name !== 'appendonly.aof' || adopted.base.seq !== 1n) throw new Error(`${name}: unexpected upgrade manifest:\n${upgraded}`);

  const sources = loadOrder(from.manifest).map((e) => `${from.truth.fixture}/appendonlydir/${e.name}`);
  const truth: Truth = {
    fixture: name,
    kind: 'single-file',
    checkedPath: fileName,
    madeBy: `concatenation of ${sources.join(' + ')} (base then incr files, in manifest load order)`,
    server: from.truth.server,
    files: [await fileInfo(fileName)],
    keysPerDb: from.truth.keysPerDb,
    dataset: from.data.dataset,
    functions: from.data.functions,
    redisCheckAof: check,
    reload: {
      how: 'the file placed as dir/appendonly.aof with appendonly yes and no appendonlydir/: the server upgraded it to a multi-part AOF and loaded it',
      sameDataset: true,
      manifestWritten: upgraded,
    },
  };
  await writeTruth(truth);
  return truth;
}

/** A manifest Redis writes for an unusual `appendfilename`, and whether Redis restarts on it. */
interface ManifestSample {
  file: string;
  appendfilename: string;
  /** What the name needs: quoting, or a name Redis writes raw but cannot read back. */
  note: string;
  restart: { loads: boolean; error?: string };
}

async function makeManifestSamples(version: string): Promise<ManifestSample[]> {
  const samples = [
    { file: 'quoted-name.manifest', appendfilename: 'my "file"\tnamé.aof', note: 'space, double quotes, a tab and UTF-8: written quoted with escapes' },
    { file: 'apostrophe-name.manifest', appendfilename: "it's.aof", note: "a single quote is written raw, and the loader then fails on the unbalanced quote" },
  ];
  const out: ManifestSample[] = [];
  await fs.mkdir(path.join(AOF_DIR, 'manifests'), { recursive: true });
  for (const s of samples) {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-aof-name-'));
    try {
      const config: Config = { appendfilename: s.appendfilename, appenddirname: 'appendonlydir', dir: scratch };
      const first = await startRedis({ appendonly: true, config });
      try {
        await first.client.call('SET', 'k', 'v');
      } finally {
        await first.stop();
      }
      const text = await fs.readFile(path.join(scratch, 'appendonlydir', `${s.appendfilename}.manifest`));
      await fs.writeFile(path.join(AOF_DIR, 'manifests', s.file), text);
      let restart: ManifestSample['restart'];
      try {
        const second = await startRedis({ appendonly: true, config });
        await second.stop();
        restart = { loads: true };
      } catch (err) {
        if (!(err instanceof RedisStartError)) throw err;
        const lines = err.log.split('\n').filter((l) => /MANIFEST|manifest|>>>|Invalid/.test(l));
        restart = { loads: false, error: lines.map((l) => l.replace(/^\d+:\w \d+ \w+ \d+ [\d:.]+ [#*.-] /, '')).join('\n') };
      }
      out.push({ ...s, restart });
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }
  await fs.writeFile(path.join(AOF_DIR, 'manifests', 'samples.json'), JSON.stringify({ server: version, samples: out }, null, 2) + '\n');
  return out;
}

// ---------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------

function renderReadme(truths: Truth[], samples: ManifestSample[]): string {
  const version = truths[0].server.version;
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = truths.map((t) => {
    const config = Object.entries(t.server.config).map(([k, v]) => `\`${k} ${v}\``).join('<br>');
    const files = t.files.map((f) => `\`${f.path}\` ${f.bytes} B${f.type ? ` (${f.type}, seq ${f.seq})` : ''}`).join('<br>');
    const keys = Object.entries(t.keysPerDb).map(([db, n]) => `db${db}: ${n}`).join(', ');
    const verdict = `exit ${t.redisCheckAof.exitCode}, ${t.redisCheckAof.valid ? 'valid' : 'NOT valid'}`;
    return `| \`${t.fixture}\` | ${esc(t.madeBy)} | ${config} | ${files} | ${keys} | ${verdict} |`;
  });
  const total = truths.reduce((n, t) => n + t.files.reduce((m, f) => m + f.bytes, 0), 0);
  const sampleRows = samples.map(
    (s) => `| \`manifests/${s.file}\` | \`${JSON.stringify(s.appendfilename)}\` | ${esc(s.note)} | ${s.restart.loads ? 'loads' : `refused: ${esc(s.restart.error ?? '').replace(/\n/g, '<br>')}`} |`,
  );
  return `# AOF fixtures

Generated by \`scripts/make-aof-fixtures.ts\` — do not edit by hand. Regenerate with:

\`\`\`sh
npx tsx scripts/make-aof-fixtures.ts   # needs redis-server and redis-check-aof (apt-get install -y redis-server redis-tools)
\`\`\`

It overwrites \`fixtures/aof/\` only. Server: Redis ${version} (every fixture). All servers listened on
127.0.0.1 only and were stopped by PID. Besides the configuration below, every server ran with the
defaults of \`scripts/lib/redis-server.ts\`: \`save ""\`, \`enable-debug-command local\`, \`bind 127.0.0.1\`.

| Fixture | How it was made | Server configuration | Files | Keys | \`redis-check-aof\` |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Total: ${total} bytes (manifests, AOF and RDB files; the single files repeat the multi-part bytes).

## What the workload covers

Before the rewrite (so only their result is in the rewritten base): strings (APPEND, INCR, binary
bytes with CR LF, NUL and 0xFF, \`SET … EX\`, \`EXPIRE\`, \`INCRBYFLOAT\`), a list, sets (SREM), a sorted
set with \`inf\`/\`-inf\`, a hash (\`HINCRBYFLOAT\`), a stream with a group and a delivered entry, a
MULTI/EXEC with three writes, \`FUNCTION LOAD\` and an \`FCALL\` with two writes, keys in databases 1
and 5. The RESP base therefore holds \`FUNCTION LOAD\`, \`SELECT\`, \`SET\`, \`RPUSH\`, \`SADD\`, \`ZADD\`,
\`HMSET\`, \`XADD\`/\`XSETID\`/\`XGROUP CREATE\`/\`XCLAIM\` and \`PEXPIREAT\` (formats.md §6.1).
After the rewrite (so verbatim, as rewritten for propagation, in the incr file, which starts with a
\`#TS:\` annotation and has a second one further down): writes to existing keys, \`DEL\`, \`HDEL\`,
\`EXPIRE\` (→ \`PEXPIREAT\`), \`SET … EX\` (→ \`SET … PXAT\`), \`XADD\`/\`XACK\`, a MULTI/EXEC in database 2
(SELECT before MULTI) and one in database 0, a key with a 1 ms TTL read after it expired (the server
logs \`DEL\`), a key in database 3, an \`FCALL\` with two writes (logged as MULTI/EXEC). TTLs are
relative (~${LONG_TTL_SEC} s, around 2105), so the absolute expiry times differ between runs.

## Truth files (\`<fixture>.truth.json\`)

- \`dataset\`: the live server's keys right after the writes, read with \`scripts/lib/export-json.ts\`
  (export schema — byte strings as JSON strings or \`{"b64"}\`, \`expireAtMs\` absolute — sorted by
  db then key bytes), without the RDB-only \`encoding\` field; \`functions\`: \`FUNCTION LIST WITHCODE\`.
- \`files\`: every file with its size and SHA-256 (manifest role and seq for directory fixtures).
- \`redisCheckAof\`: the command (run from \`fixtures/aof/\`), its exit code, whether it reported the
  file valid, and its full output.
- \`reload\`: each fixture was loaded into a fresh server, which gave back the same dataset and
  functions (stream consumers' \`seenTimeMs\` excepted: a replay sets it to the replay time). The
  single files were loaded through Redis's upgrade path; \`manifestWritten\` is the manifest the
  server then wrote.
- \`hybrid\` and \`plain\` share the dataset of the fixture they were concatenated from.

Byte-level content is not reproducible: \`#TS:\` annotations, XCLAIM delivery times, absolute expiry
times, AUX \`ctime\`/\`used-mem\` of the RDB base and the key order of the rewritten base change from
run to run. File sizes are stable.

## Manifest samples (\`manifests/\`)

Manifests written by the server for an \`appendfilename\` that needs care (only the manifest is kept;
\`samples.json\` records the names and what a restart on the same directory did):

| File | appendfilename | Note | Restart on it |
| --- | --- | --- | --- |
${sampleRows.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!findRedisServer()) throw new Error('redis-server not found: apt-get install -y redis-server redis-tools');
  await fs.rm(AOF_DIR, { recursive: true, force: true });
  await fs.mkdir(AOF_DIR, { recursive: true });

  const resp = await makeMultipart('resp-multipart', false);
  const rdb = await makeMultipart('rdb-multipart', true);
  const hybrid = await makeSingleFile('hybrid', rdb, true);
  const plain = await makeSingleFile('plain', resp, false);
  const samples = await makeManifestSamples(resp.truth.server.version);

  const truths = [resp.truth, rdb.truth, hybrid, plain];
  for (const t of truths) {
    console.log(`${t.fixture}: ${t.files.map((f) => `${f.path} ${f.bytes} B`).join(', ')}; redis-check-aof exit ${t.redisCheckAof.exitCode}`);
  }
  for (const s of samples) console.log(`manifests/${s.file}: restart ${s.restart.loads ? 'loads' : 'refused'}`);
  await fs.writeFile(path.join(AOF_DIR, 'README.md'), renderReadme(truths, samples));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
