/**
 * `npx tsx scripts/make-function-pre-ga-fixture.ts`: writes `fixtures/derived/function-pre-ga.rdb`,
 * an RDB 10 file whose function libraries use the layout of the Redis 7.0 release candidates
 * (opcode 246, FORMATS.md §1.4, §3.10), and what a real Redis 7.0 server made of it.
 *
 * No released server writes that layout, so the file is derived from a real one:
 *
 * 1. a fresh redis-server (7.0) gets a few keys and three Lua libraries, then `SAVE`s;
 * 2. the dump is read with rdbtool's own decoder, which locates the FUNCTION2 (245) records;
 * 3. each record is rewritten as opcode 246: library name, engine name (`LUA`, as the release
 *    candidates stored it), a description flag (the first library gets a description), the
 *    description, and the code without its shebang line; strings are encoded as Redis
 *    encodes them (LZF when that saves at least 4 bytes of a string longer than 20);
 * 4. the CRC-64 trailer is recomputed with rdbtool's CRC code;
 * 5. a second server starts on the new file: its `FUNCTION LIST WITHCODE` must list every
 *    library, rebuilt as `#!LUA name=<name>\n<code>`, and its `DEBUG DIGEST` must equal the
 *    first server's; `redis-check-rdb` must accept the file.
 *
 * It writes `function-pre-ga.rdb`, `function-pre-ga.meta.json` (the servers' answers, the
 * record layout) and `function-pre-ga.check.txt` (redis-check-rdb's output), plus the
 * folder's README. Only the AUX fields `ctime`/`used-mem` (and so the CRC) change between runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RdbDecoder } from '../src/rdb/decoder.js';
import { crc64 } from '../src/binary/crc64.js';
import { lzfCompress } from '../src/binary/lzf.js';
import { findExecutable, findRedisServer, startRedis } from './lib/redis-server.js';
import { asArray, asNumber, asText, type RespClient, type RespValue } from './lib/resp-client.js';
import { rdbLength } from '../test/helpers/rdb-edit.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'fixtures', 'derived');
const NAME = 'function-pre-ga';

/** The libraries loaded into the first server (FUNCTION LOAD payloads). */
const LIBRARIES = [
  "#!lua name=rdbtool_lib\nredis.register_function('rdbtool_echo', function(keys, args) return args[1] end)",
  "#!lua name=rdbtool_ro\nredis.register_function{function_name='rdbtool_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
  // Long and repetitive: its code is stored LZF-compressed.
  '#!lua name=rdbtool_many\n' +
    Array.from({ length: 12 }, (_, i) => `redis.register_function('rdbtool_f${i}', function(keys, args) return 'result of function number ${i}' end)`).join('\n'),
];

/** The description given to the first library (the release candidates stored one when set). */
const DESCRIPTION = 'a library described in the 7.0 release-candidate layout';

/** Engine name as the release candidates wrote it (the engine's registered name). */
const ENGINE = 'LUA';

interface LibraryInfo {
  name: string;
  engine: string;
  code: string;
}

async function functionList(client: RespClient): Promise<LibraryInfo[]> {
  const libs = asArray(await client.call('FUNCTION', 'LIST', 'WITHCODE')).map((lib) => {
    const flat = asArray(lib);
    const get = (key: string): RespValue => flat[flat.findIndex((v) => Buffer.isBuffer(v) && v.toString() === key) + 1];
    return { name: asText(get('library_name')), engine: asText(get('engine')), code: asText(get('library_code')) };
  });
  return libs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}


/** An RDB string as Redis writes it: LZF when that saves 4+ bytes of a string over 20 bytes, else plain (no integer here). */
function encodeString(s: Buffer): { bytes: Buffer; form: 'lzf' | 'raw' } {
  if (s.length > 20) {
    const z = lzfCompress(s);
    if (z) return { bytes: Buffer.concat([Buffer.from([0xc3]), rdbLength(z.length), rdbLength(s.length), z]), form: 'lzf' };
  }
  return { bytes: Buffer.concat([rdbLength(s.length), s]), form: 'raw' };
}

/** Where the FUNCTION2 records of an RDB are, and what they hold. */
function locateFunctions(bytes: Buffer): { start: number; end: number; eofOffset: number; payloads: Buffer[] } {
  const opcodes: { op: number; at: number }[] = [];
  const payloads: Buffer[] = [];
  let eofOffset = -1;
  const decoder = new RdbDecoder(
    {
      opcode: (op, at) => void opcodes.push({ op, at }),
      function: (code) => void payloads.push(Buffer.from(code)),
      keyStart: (k) => (opcodes.push({ op: -1, at: k.offset }), false),
      end: (e) => void (eofOffset = e.eofOffset),
    },
    { file: 'dump.rdb' },
  );
  decoder.push(bytes);
  decoder.end();
  const first = opcodes.findIndex((o) => o.op === 245);
  let last = first;
  while (last + 1 < opcodes.length && opcodes[last + 1].op === 245) last++;
  if (first < 0 || opcodes.filter((o) => o.op === 245).length !== last - first + 1) throw new Error('the FUNCTION2 records are not one run');
  const end = last + 1 < opcodes.length ? opcodes[last + 1].at : eofOffset;
  return { start: opcodes[first].at, end, eofOffset, payloads };
}

interface RecordLayout {
  offset: number;
  name: string;
  engine: string;
  description: string | null;
  codeBytes: number;
  codeStored: 'lzf' | 'raw';
}

/** One opcode-246 record for a library source `#!<engine> name=<name>\n<code>`. */
function preGaRecord(payload: Buffer, withDescription: boolean): { bytes: Buffer; layout: Omit<RecordLayout, 'offset'> } {
  const newline = payload.indexOf(0x0a);
  const shebang = payload.subarray(0, newline).toString('utf8');
  const m = /^#!(\w+) name=(\S+)$/.exec(shebang);
  if (!m) throw new Error(`unexpected library header ${JSON.stringify(shebang)}`);
  const name = m[2];
  const code = payload.subarray(newline + 1);
  const codeString = encodeString(code);
  const parts = [Buffer.from([246]), encodeString(Buffer.from(name)).bytes, encodeString(Buffer.from(ENGINE)).bytes];
  parts.push(rdbLength(withDescription ? 1 : 0));
  if (withDescription) parts.push(encodeString(Buffer.from(DESCRIPTION)).bytes);
  parts.push(codeString.bytes);
  return {
    bytes: Buffer.concat(parts),
    layout: { name, engine: ENGINE, description: withDescription ? DESCRIPTION : null, codeBytes: code.length, codeStored: codeString.form },
  };
}

function runCheckRdb(file: string): string {
  const tool = findExecutable('redis-check-rdb');
  const server = findRedisServer();
  const [bin, argv0] = tool ? [tool, tool] : [server, 'redis-check-rdb'];
  if (!bin) throw new Error('neither redis-check-rdb nor redis-server found');
  const res = spawnSync(bin, [path.basename(file)], { cwd: path.dirname(file), argv0, encoding: 'utf8' });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (res.status !== 0 || !out.includes('RDB looks OK')) throw new Error(`redis-check-rdb rejected ${file} (status ${res.status}):\n${out}`);
  return out;
}

async function main(): Promise<void> {
  const source = await startRedis();
  let original: Buffer;
  let digest: string;
  let saved: LibraryInfo[];
  let keys: number;
  let version: string;
  try {
    const c = source.client;
    version = source.version;
    if (!version.startsWith('7.0.')) throw new Error(`needs Redis 7.0 (the only line that loads opcode 246), found ${version}`);
    for (const lib of LIBRARIES) await c.call('FUNCTION', 'LOAD', lib);
    await c.callAll([
      ['SET', 'greeting', 'hello'],
      ['SET', 'counter', '42'],
      ['HSET', 'user:1', 'name', 'Ada', 'lang', 'en'],
      ['RPUSH', 'queue', 'a', 'b', 'c'],
      ['SADD', 'tags', 'x', 'y'],
      ['ZADD', 'scores', '1.5', 'p', '2', 'q'],
    ]);
    await c.call('SAVE');
    original = await fs.readFile(source.dumpPath);
    digest = asText(await c.call('DEBUG', 'DIGEST'));
    saved = await functionList(c);
    keys = asNumber(await c.call('DBSIZE'));
  } finally {
    await source.stop();
  }

  const { start, end, eofOffset, payloads } = locateFunctions(original);
  payloads.sort((a, b) => Buffer.compare(a, b));
  const layouts: RecordLayout[] = [];
  const records: Buffer[] = [];
  let offset = start;
  payloads.forEach((p, i) => {
    const { bytes, layout } = preGaRecord(p, i === 0);
    layouts.push({ offset, ...layout });
    records.push(bytes);
    offset += bytes.length;
  });
  // Everything up to and including the EOF opcode; the CRC-64 of it follows.
  const body = Buffer.concat([original.subarray(0, start), ...records, original.subarray(end, eofOffset + 1)]);
  const trailer = Buffer.alloc(8);
  trailer.writeBigUInt64LE(crc64(body));
  const derived = Buffer.concat([body, trailer]);

  await fs.mkdir(OUT_DIR, { recursive: true });
  const rdbPath = path.join(OUT_DIR, `${NAME}.rdb`);
  await fs.writeFile(rdbPath, derived);

  // What a real 7.0 does with it.
  const loaded = await startRedis({ rdbFile: rdbPath });
  let loadedLibraries: LibraryInfo[];
  let loadedDigest: string;
  let loadedKeys: number;
  let serverLog: string[];
  try {
    loadedLibraries = await functionList(loaded.client);
    loadedDigest = asText(await loaded.client.call('DEBUG', 'DIGEST'));
    loadedKeys = asNumber(await loaded.client.call('DBSIZE'));
    serverLog = loaded
      .output()
      .split('\n')
      .filter((l) => /Loading RDB|Done loading RDB|DB loaded from disk|RDB age|RDB memory/.test(l))
      .map((l) => l.replace(/^\d+:[A-Z] [^*#]*[*#] /, ''));
  } finally {
    await loaded.stop();
  }
  const expected = saved.map((l) => ({ name: l.name, engine: l.engine, code: l.code.replace(/^#!lua /, `#!${ENGINE} `) }));
  if (JSON.stringify(loadedLibraries) !== JSON.stringify(expected)) {
    throw new Error(`the server did not load the libraries as expected:\n${JSON.stringify(loadedLibraries, null, 2)}`);
  }
  if (loadedDigest !== digest || loadedKeys !== keys) throw new Error('the keys differ after loading the derived file');
  const check = runCheckRdb(rdbPath);
  await fs.writeFile(path.join(OUT_DIR, `${NAME}.check.txt`), check);

  const meta = {
    scenario: NAME,
    serverVersion: version,
    rdbVersion: Number(derived.subarray(5, 9).toString('latin1')),
    derivedFrom: {
      description: 'a SAVE of the server below; its FUNCTION2 (245) records rewritten as opcode 246 records, CRC-64 recomputed',
      fileBytes: original.length,
      sha256: createHash('sha256').update(original).digest('hex'),
      functionRecords: { start, end },
    },
    fileBytes: derived.length,
    sha256: createHash('sha256').update(derived).digest('hex'),
    keys,
    debugDigest: digest,
    functionsSaved: saved,
    records: layouts,
    loadedBy: {
      serverVersion: version,
      functionsLoaded: loadedLibraries,
      debugDigest: loadedDigest,
      keys: loadedKeys,
      log: serverLog,
    },
    generatedAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(OUT_DIR, `${NAME}.meta.json`), JSON.stringify(meta, null, 2) + '\n');
  await fs.writeFile(path.join(OUT_DIR, 'README.md'), readme(version, derived.length, layouts));
  console.log(`${NAME}: ${derived.length} bytes, ${layouts.length} libraries in the 7.0 RC layout, loaded by Redis ${version}`);
}

function readme(version: string, bytes: number, layouts: RecordLayout[]): string {
  const rows = layouts.map((l) => `| \`${l.name}\` | ${l.offset} | \`${l.engine}\` | ${l.description ? 'yes' : 'no'} | ${l.codeBytes} (${l.codeStored}) |`);
  return `# Derived fixtures

Generated by \`scripts/make-function-pre-ga-fixture.ts\` — do not edit by hand. Regenerate with
\`npx tsx scripts/make-function-pre-ga-fixture.ts\` (needs Redis 7.0's redis-server and
redis-check-rdb on PATH).

These files hold layouts that no released server writes but that a released server loads. Each
is made from a real server's dump by rewriting a few records with rdbtool's own code, then
confirmed by starting a real server on it; what that server answered is in the \`.meta.json\`.

## \`function-pre-ga.rdb\` (${bytes} bytes, RDB 10)

A Redis ${version} dump (six keys, three Lua libraries) whose FUNCTION2 records (opcode 245) were
rewritten in the layout of the Redis 7.0 release candidates (opcode 246): library name, engine
name, a description flag and description, then the code without its shebang line (FORMATS.md
§1.4, §3.10). The CRC-64 was recomputed. Redis ${version} loads it with every library, rebuilt as
\`#!LUA name=<name>\\n<code>\` (\`loadedBy.functionsLoaded\` in the meta file), and the same keys
(\`DEBUG DIGEST\` unchanged); \`redis-check-rdb\` accepts it (\`function-pre-ga.check.txt\`).
Redis 7.2 and later refuse opcode 246.

| Library | Record offset | Engine stored | Description | Code bytes (stored as) |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
