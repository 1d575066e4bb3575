/**
 * Records what a real server answers for the memory of every key of the calibration inputs
 * (test/helpers/memory-calibration.ts), so the estimate of targets whose servers are not
 * installed can be tested against them (test/analyze/memory-recorded.test.ts).
 *
 *   npx tsx scripts/record-memory.ts --server BIN --target redis@7.2 --allocator jemalloc [--build TEXT] [--loads N]
 *
 * `--allocator` names the allocator as `rdbtool memory` does: `jemalloc` for a server linking
 * the jemalloc its source bundles (a build of scripts/build-server.ts), `libc` for one built
 * with `MALLOC=libc`, `jemalloc-system` for a distribution's package linking the system's
 * jemalloc (Debian's redis-server).
 *
 * `BIN` is the server binary (a path, or a name looked up on PATH; a server built by
 * scripts/build-server.ts is `.bench-cache/servers/<name>/bin/redis-server`). The built
 * datasets are made by the `redis-server` on PATH (Debian's 7.0 in CI), whichever server is
 * recorded; `BIN` only loads the files. For each input, `BIN` starts on the file and answers:
 * `INFO memory`'s `used_memory` first (before any reply of the recorder is buffered), then for
 * every key of every database (found with `SCAN`) `MEMORY USAGE <key> SAMPLES 0` and
 * `OBJECT ENCODING <key>`; it does so `--loads` times (3 unless told), and the median answer
 * of each key and of `used_memory` is kept. An input it refuses to load is listed with the
 * line of its log that says why.
 *
 * Writes `fixtures/memory/<target>-<allocator>.json` (the `MemoryRecording` of
 * test/helpers/memory-calibration.ts) and rewrites `fixtures/memory/README.md` from every
 * recording there. `--build` says how the server was built or installed; without it, the
 * `build.json` that scripts/build-server.ts leaves beside `bin/` says it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findExecutable, RedisStartError, startRedis } from './lib/redis-server.js';
import { asText } from './lib/resp-client.js';
import {
  calibrationInputs,
  formatRecording,
  readRecordings,
  RECORDINGS_DIR,
  recordingFileName,
  serverKeyMemory,
  type CalibrationInput,
  type MemoryRecording,
  type RecordedFile,
  type RecordedKey,
  type RefusedFile,
} from '../test/helpers/memory-calibration.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  /** The binary, resolved. */
  server: string;
  /** The binary as the README shows it: as given when relative or a bare name, else relative to the project. */
  serverShown: string;
  target: string;
  allocator: string;
  build: string | undefined;
  /** How many times each input is loaded (the median answer is kept). */
  loads: number;
  /** `BIN --version`. */
  versionLine: string;
}

/** Loads per input unless `--loads` says otherwise. */
const DEFAULT_LOADS = 3;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      target: { type: 'string' },
      allocator: { type: 'string' },
      build: { type: 'string' },
      loads: { type: 'string' },
    },
  });
  if (!values.server || !values.target || !values.allocator) {
    throw new Error('usage: record-memory.ts --server BIN --target redis@X.Y|valkey@X.Y --allocator jemalloc|libc|jemalloc-system [--build TEXT] [--loads N]');
  }
  if (!/^(redis|valkey)@\d+\.\d+$/.test(values.target)) throw new Error(`--target ${values.target}: expected redis@X.Y or valkey@X.Y`);
  if (values.allocator !== 'jemalloc' && values.allocator !== 'libc' && values.allocator !== 'jemalloc-system') throw new Error(`--allocator ${values.allocator}: expected jemalloc, libc or jemalloc-system`);
  const given = values.server;
  const server = given.includes('/') ? path.resolve(given) : findExecutable(given);
  if (!server || !existsSync(server)) throw new Error(`--server ${given}: not found`);
  const serverShown = !given.includes('/') || !path.isAbsolute(given) ? given : path.relative(ROOT, given).startsWith('..') ? path.basename(given) : path.relative(ROOT, given);
  const loads = Number(values.loads ?? DEFAULT_LOADS);
  if (!Number.isInteger(loads) || loads < 1) throw new Error(`--loads ${values.loads}: expected a whole number of at least 1`);
  const versionLine = execFileSync(server, ['--version'], { encoding: 'utf8' }).trim();
  return { server, serverShown, target: values.target, allocator: values.allocator, build: values.build, loads, versionLine };
}

/** How the server was built: `--build`, else the `build.json` scripts/build-server.ts wrote beside `bin/`. */
function buildText(opts: Options): string {
  if (opts.build) return opts.build;
  const record = path.join(path.dirname(path.dirname(realpathSync(opts.server))), 'build.json');
  if (!existsSync(record)) throw new Error(`no --build given and no ${record}: say how the server was built or installed`);
  const b = JSON.parse(readFileSync(record, 'utf8')) as { tag: string; commit: string; make: string; malloc: string; tarball?: true };
  if (b.tarball) {
    const jemalloc = b.malloc !== 'jemalloc' ? '' : b.make.includes('USE_SYSTEM_JEMALLOC=yes') ? ', which lacks deps/jemalloc: the system\'s jemalloc linked' : ', which keeps deps/jemalloc: the bundled jemalloc';
    return `built from the source tarball ${b.tag} (${b.commit.slice(0, 19)})${jemalloc}, by scripts/build-server.ts: \`${b.make}\``;
  }
  const repo = path.basename(realpathSync(opts.server)).startsWith('valkey') ? 'valkey-io/valkey' : 'redis/redis';
  return `built from ${repo} tag ${b.tag} (${b.commit.slice(0, 12)}) by scripts/build-server.ts: \`${b.make}\``;
}

/** `field:value` lines of an INFO reply. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(\\S+)`, 'm').exec(info)?.[1];
}

/** The line of a refused start's log that says why: the server's own (its start-up chatter and redis-check-rdb's report left out). */
function refusal(err: RedisStartError): string {
  const lines = err.log
    .split('\n')
    .filter((l) => /^\d+:[A-Z] /.test(l))
    .map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [*#.-] /, '').trim());
  const why = lines.filter((l) => /can't|cannot|error|wrong|invalid|unknown|unable/i.test(l) && !/^Fatal error loading the DB/.test(l) && !/^WARNING/.test(l));
  const line = why.length > 0 ? why[why.length - 1] : (lines[lines.length - 1] ?? err.message.split('\n')[0]);
  // The reason only: no offsets or source lines of the server's own code.
  return line.replace(/^Internal error in RDB reading offset \d+, function at [^>]*-> /, '').slice(0, 200);
}

/**
 * What a server of `--version` line `versionLine` must be started without: servers before 7.0
 * do not know `enable-debug-command`.
 */
function startConfig(versionLine: string): Record<string, null> {
  const major = Number(/ v=(\d+)\./.exec(versionLine)?.[1] ?? NaN);
  return major < 7 ? { 'enable-debug-command': null } : {};
}

/** One load of `input`: `used_memory` right after it, the server's versions, every key. */
async function loadOnce(opts: Options, input: CalibrationInput): Promise<{ refused?: RefusedFile; usedMemory?: number; keys?: RecordedKey[]; info?: ServerInfo }> {
  let redis;
  try {
    redis = await startRedis({ binary: opts.server, rdbFile: input.file, startTimeoutMs: 120_000, config: startConfig(opts.versionLine) });
  } catch (err) {
    if (err instanceof RedisStartError) return { refused: { label: input.label, kind: input.kind, reason: refusal(err) } };
    throw err;
  }
  try {
    // Before any reply of ours has been buffered: the server's memory is its data and its start-up.
    const memory = asText(await redis.client.call('INFO', 'memory'));
    const usedMemory = Number(infoField(memory, 'used_memory'));
    const serverInfo = asText(await redis.client.call('INFO', 'server'));
    const info = { redisVersion: infoField(serverInfo, 'redis_version') ?? 'unknown', valkeyVersion: infoField(serverInfo, 'valkey_version'), memAllocator: infoField(memory, 'mem_allocator') ?? 'unknown' };
    return { usedMemory, keys: await serverKeyMemory(redis.client), info };
  } finally {
    await redis.stop();
  }
}

type ServerInfo = { redisVersion: string; valkeyVersion?: string; memAllocator: string };

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1];
}

/**
 * `input` loaded `opts.loads` times: per key the median of its `MEMORY USAGE` answers, and the
 * median `used_memory`. Some answers move from one load to the next (a skiplist's random node
 * levels; with Valkey, hash table members sharing a bucket, which follows the random hash seed;
 * with libc, whether glibc could grow or shrink a block in place): the median is the typical
 * answer, where one load's may be an outlier.
 */
async function recordFile(opts: Options, input: CalibrationInput, server: ServerInfo | null): Promise<{ file?: RecordedFile; refused?: RefusedFile; info?: ServerInfo; moved?: number }> {
  const loads: { usedMemory: number; keys: RecordedKey[] }[] = [];
  let info: ServerInfo | undefined;
  for (let i = 0; i < opts.loads; i++) {
    const got = await loadOnce(opts, input);
    if (got.refused) {
      if (i > 0) throw new Error(`${input.label}: loaded once, then refused: ${got.refused.reason}`);
      return { refused: got.refused };
    }
    info = got.info!;
    const was = server ?? info;
    if (was.redisVersion !== info.redisVersion || was.memAllocator !== info.memAllocator) {
      throw new Error(`${input.label}: the server changed (${info.redisVersion} ${info.memAllocator}, was ${was.redisVersion} ${was.memAllocator})`);
    }
    loads.push({ usedMemory: got.usedMemory!, keys: got.keys! });
  }
  const first = loads[0].keys;
  let moved = 0;
  const keys: RecordedKey[] = first.map(([db, key, , encoding], j) => {
    const answers = loads.map((l) => {
      const k = l.keys[j];
      if (!k || k[0] !== db || k[1] !== key || k[3] !== encoding) throw new Error(`${input.label}: the loads disagree on key ${j} (db${db} ${key} ${encoding})`);
      return k[2];
    });
    if (answers.some((a) => a !== answers[0])) moved++;
    return [db, key, median(answers), encoding];
  });
  for (const l of loads) if (l.keys.length !== first.length) throw new Error(`${input.label}: the loads hold different numbers of keys`);
  return { file: { label: input.label, kind: input.kind, usedMemory: median(loads.map((l) => l.usedMemory)), keys }, info, moved };
}

/** README of fixtures/memory/, made from every recording there. */
function renderReadme(): string {
  const recordings = readRecordings();
  const out: string[] = [
    '# Recorded memory answers',
    '',
    'Generated by `scripts/record-memory.ts` — do not edit by hand. Each `<target>-<allocator>.json` holds',
    'what one real server answered after loading each calibration input (test/helpers/memory-calibration.ts:',
    'the RDB fixtures, the corpus RDBs, and datasets built by the `redis-server` on PATH and SAVEd, with',
    'their RDB 9 and RDB 6 rewrites; for a server that does not read the RDB version of a fixture or a built',
    'dataset, such as Redis 6.x (up to RDB 9), that file rewritten by rdbtool in the newest version it reads,',
    'labelled "…, rewritten as RDB N"): per file `INFO memory` `used_memory` right after the load, and per',
    'key `MEMORY USAGE <key> SAMPLES 0` and `OBJECT ENCODING <key>` (keys in base64). Each file is loaded',
    'several times and the median answers are kept: some move from one load to the next (a skiplist\'s random',
    'node levels; with Valkey, hash table members sharing a bucket, which follows the random hash seed; with',
    'libc, whether glibc could resize a block in place). The files a server refused to load are listed in the',
    'recording with the line of its log that says why.',
    '',
    'test/analyze/memory-recorded.test.ts holds the memory estimate of every modelled target to its',
    'recording; a recording of a target not modelled yet is listed by that test, not failed.',
    '',
    'Servers other than Debian\'s 7.0 are built from source by `scripts/build-server.ts`',
    '(`npx tsx scripts/build-server.ts --git-dir <bare clone> --tag <tag> --name <name> [--malloc libc]`, or for',
    'versions the clone lacks from a release\'s source tarball, `--tarball <file>` instead of `--git-dir` and `--tag`,',
    'into `.bench-cache/servers/<name>/`); they are not needed by the tests.',
    '',
    '| Recording | Server | Allocator | Built | Made with | Loads | Files loaded | Refused | Keys |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { name, recording: r } of recordings) {
    const server = r.server.valkeyVersion ? `Valkey ${r.server.valkeyVersion} (redis_version ${r.server.redisVersion})` : `Redis ${r.server.redisVersion}`;
    const keys = r.files.reduce((s, f) => s + f.keys.length, 0);
    out.push(`| \`${name}\` | ${server} | ${r.server.memAllocator} | ${r.server.build} | \`${r.command}\` | ${r.loads} | ${r.files.length} | ${r.refused.length} | ${keys} |`);
  }
  const refusedAny = recordings.filter(({ recording: r }) => r.refused.length > 0);
  if (refusedAny.length) {
    out.push('', '## Inputs a server refused to load', '');
    for (const { name, recording: r } of refusedAny) {
      const byReason = new Map<string, string[]>();
      for (const f of r.refused) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.label]);
      out.push(`- \`${name}\`:`);
      for (const [reason, labels] of byReason) out.push(`  - ${reason.replace(/\|/g, '\\|')}: ${labels.map((l) => `\`${l}\``).join(', ')}`);
    }
  }
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const build = buildText(opts);
  const versionLine = opts.versionLine;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-record-'));
  try {
    process.stdout.write('building the calibration datasets ...\n');
    const inputs = await calibrationInputs(dir, opts.target);
    const files: RecordedFile[] = [];
    const refused: RefusedFile[] = [];
    let server: MemoryRecording['server'] | null = null;
    let moved = 0;
    for (const input of inputs) {
      const got = await recordFile(opts, input, server);
      moved += got.moved ?? 0;
      if (got.info && !server) server = { ...got.info, versionLine, build };
      if (got.file) files.push(got.file);
      if (got.refused) {
        refused.push(got.refused);
        process.stdout.write(`  refused: ${input.label}: ${got.refused.reason}\n`);
      }
    }
    if (!server) throw new Error('the server loaded none of the inputs');
    if (!server.valkeyVersion) delete server.valkeyVersion;
    const command = `npx tsx scripts/record-memory.ts --server ${opts.serverShown} --target ${opts.target} --allocator ${opts.allocator}${opts.build ? ` --build '${opts.build}'` : ''}${opts.loads !== DEFAULT_LOADS ? ` --loads ${opts.loads}` : ''}`;
    const recording: MemoryRecording = { target: opts.target, allocator: opts.allocator, server, command, loads: opts.loads, recordedAtMs: Date.now(), files, refused };
    mkdirSync(RECORDINGS_DIR, { recursive: true });
    const out = path.join(RECORDINGS_DIR, recordingFileName(opts.target, opts.allocator));
    const text = formatRecording(recording);
    writeFileSync(out, text);
    writeFileSync(path.join(RECORDINGS_DIR, 'README.md'), renderReadme());
    const keys = files.reduce((s, f) => s + f.keys.length, 0);
    process.stdout.write(`${path.relative(ROOT, out)}: ${files.length} files, ${keys} keys (${moved} answered differently from load to load), ${refused.length} refused, ${text.length} bytes (${server.redisVersion}${server.valkeyVersion ? ` / valkey ${server.valkeyVersion}` : ''}, ${server.memAllocator})\n`);
    if (text.length > 500_000) process.stdout.write('  (over 500 KB: consider compressing it)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
