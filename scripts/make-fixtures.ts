/**
 * `npm run fixtures`: regenerates `fixtures/rdb/` and `fixtures/README.md` from a real
 * redis-server (STYLE §2.12). For every scenario it:
 *
 * 1. starts a fresh server with the scenario's configuration (scripts/lib/redis-server.ts);
 * 2. fills it (runtime CONFIG SET / DEBUG steps are recorded for the README);
 * 3. reads every key's TYPE, OBJECT ENCODING, PEXPIRETIME and, last, OBJECT FREQ/IDLETIME;
 * 4. runs SAVE and copies `dump.rdb` to `fixtures/rdb/<scenario>.rdb`;
 * 5. reads every value and writes `<scenario>.truth.ndjson` (export schema, sorted by
 *    db then key bytes), `<scenario>.meta.json` (server version, config, functions,
 *    quicklist node layout, digest, sha256) and `<scenario>.check.txt` (redis-check-rdb);
 * 6. loads the file into a second server and checks that `DEBUG DIGEST` matches.
 *
 * The content is deterministic (seeded pseudo-random data, explicit stream IDs, fixed
 * PEL delivery times); only timestamps differ between runs (AUX ctime/used-mem, consumer
 * seen-times, some PEL delivery times, LRU idle times).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatTruth,
  readEvictionMeta,
  readTruth,
  scanKeyMeta,
  toJsonBytes,
  type JsonBytes,
  type KeyMeta,
  type TruthRecord,
} from './lib/export-json.js';
import { findExecutable, findRedisServer, startRedis, type RedisHandle } from './lib/redis-server.js';
import { asArray, asBuffer, asText, type RespClient, type RespValue } from './lib/resp-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, 'fixtures');
const RDB_DIR = path.join(FIXTURES, 'rdb');

/** Far-future absolute expiry used throughout (2100-01-01T00:00:00.123Z). */
const FAR_EXPIRE_MS = 4102444800123;

type Arg = string | Uint8Array;

/** What a scenario's builder gets. */
interface BuildContext {
  client: RespClient;
  /** `CONFIG SET`, recorded in the README's configuration column. */
  configSet(name: string, value: string | number): Promise<void>;
  /** A `DEBUG` subcommand with a side effect on encodings, recorded like CONFIG SET. */
  debug(...args: string[]): Promise<void>;
  select(db: number): Promise<void>;
  call(...args: Arg[]): Promise<RespValue>;
  /** Pipelines commands; throws the first error reply. */
  callAll(cmds: Arg[][]): Promise<RespValue[]>;
  /** Declares the live `OBJECT ENCODING` a key must end up with (checked before SAVE). */
  expectEncoding(db: number, key: Arg, encoding: string): void;
  /** Asks for `DEBUG QUICKLIST <key> 0` after SAVE (node layout goes into meta.json). */
  inspectQuicklist(db: number, key: Arg): void;
}

interface Scenario {
  name: string;
  /** Startup configuration (command-line). */
  config: Record<string, string | number | boolean>;
  /** One sentence per covered feature, for the README. */
  covers: string[];
  lfu?: boolean;
  lru?: boolean;
  build(ctx: BuildContext): Promise<void>;
  /** Extra checks on the quicklist layouts seen after SAVE. */
  checkQuicklists?(layouts: QuicklistLayout[]): void;
}

interface QuicklistNode {
  container: string;
  encoding: string;
  sizeBytes: number;
  count: number;
}

interface QuicklistLayout {
  db: number;
  key: JsonBytes;
  nodes: QuicklistNode[];
}

/** Deterministic pseudo-random bytes (mulberry32), so "random" fixtures are reproducible. */
function seededBytes(seed: number, length: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const cat = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

async function buildStrings(ctx: BuildContext): Promise<void> {
  const ints = [
    '0', '42', '-1', '127', '128', '-128', '-129', '255', '256', '32767', '32768', '-32768', '-32769',
    '65535', '65536', '2147483647', '2147483648', '-2147483648', '-2147483649',
    '9223372036854775807', '-9223372036854775808', '12345678901',
  ];
  const cmds: Arg[][] = ints.map((v) => ['SET', `str:int:${v}`, v]);
  // Integer-looking but not canonical: stored as plain strings.
  cmds.push(['SET', 'str:noncanonical:007', '007'], ['SET', 'str:noncanonical:+1', '+1'], ['SET', 'str:noncanonical:-0', '-0']);
  cmds.push(['SET', 'str:noncanonical:space', ' 1']);
  cmds.push(['SET', 'str:short', 'hello']);
  cmds.push(['SET', 'str:utf8', 'héllo wörld ✓ 日本語 🎉']);
  cmds.push(['SET', 'str:bom', '\ufeffstarts with a BOM']);
  cmds.push(['SET', 'str:empty', '']);
  cmds.push(['SET', 'str:len20', 'a'.repeat(20)]); // not LZF: only strings > 20 bytes are tried
  cmds.push(['SET', 'str:len21', 'a'.repeat(21)]); // shortest LZF candidate
  cmds.push(['SET', 'str:lzf', 'The quick brown fox jumps over the lazy dog. '.repeat(12)]);
  cmds.push(['SET', 'str:lzf-4k', Array.from({ length: 200 }, (_, i) => `line ${pad(i, 4)}: lorem ipsum dolor`).join(' | ')]);
  cmds.push(['SET', 'str:random-1k', seededBytes(1, 1024)]); // incompressible: stored plain
  cmds.push(['SET', 'str:binary', cat('a\r\nb', b(0), 'c', b(0xff, 0xfe, 0x01, 0x7f), '\r\n')]);
  cmds.push(['SET', 'str:invalid-utf8', b(0xc3, 0x28, 0xa0, 0xa1)]);
  cmds.push(['SET', 'str:overlong-utf8', b(0xc0, 0xaf)]);
  cmds.push(['SET', 'str:tab', 'tab\there']);
  cmds.push(['SET', 'str:c1-control', 'next line\u0085']);
  cmds.push(['SET', 'str:del-char', 'del\u007f']);
  cmds.push(['SET', '', 'value of the empty key']);
  cmds.push(['SET', b(0x00, 0xff, 0x0d, 0x0a), 'binary key']);
  cmds.push(['SET', 'key with spaces and ünïcödé', 'x']);
  // A 2 000-byte compressible key: keys go through the same string encoder (LZF here).
  cmds.push(['SET', 'long-key:' + Array.from({ length: 120 }, (_, i) => `segment-${pad(i, 4)}/`).join('').slice(0, 1991), 'v']);
  cmds.push(['SET', 'str:ttl', 'expires in 2100']);
  cmds.push(['PEXPIREAT', 'str:ttl', String(FAR_EXPIRE_MS)]);
  cmds.push(['SET', 'str:int-ttl', '12345']);
  cmds.push(['EXPIREAT', 'str:int-ttl', '32503680000']); // seconds: year 3000, stored in ms
  await ctx.callAll(cmds);
  for (const v of ['0', '42', '-2147483648', '9223372036854775807']) ctx.expectEncoding(0, `str:int:${v}`, 'int');
  ctx.expectEncoding(0, 'str:short', 'embstr');
  ctx.expectEncoding(0, 'str:lzf', 'raw');
}

async function buildLists(ctx: BuildContext): Promise<void> {
  const c = ctx;
  // Default node size (-2 = 8 KiB), no compression: one PACKED node each.
  await c.callAll([
    ['RPUSH', 'list:small', 'a', 'b', 'c', '1', '-2', '300', '70000', '-9000000000', '', 'long-ish element 1234567890'],
    ['RPUSH', 'list:single', 'x'],
    ['RPUSH', 'list:binary', b(0), b(0xff, 0xfe), 'crlf\r\n', 'ok'],
    ['RPUSH', 'list:ttl', 'p', 'q'],
    ['PEXPIREAT', 'list:ttl', String(FAR_EXPIRE_MS)],
  ]);
  // Several small nodes.
  await c.configSet('list-max-listpack-size', 4);
  await c.call('RPUSH', 'list:multi-node', ...Array.from({ length: 30 }, (_, i) => `element-${pad(i, 3)}`));
  // Middle nodes LZF-compressed (depth 1 keeps head and tail raw; nodes >= 48 bytes only).
  await c.configSet('list-compress-depth', 1);
  await c.call('RPUSH', 'list:compressed', ...Array.from({ length: 40 }, (_, i) => `compressible-element-${pad(i, 4)}-${'a'.repeat(16)}`));
  // PLAIN nodes: Redis 7.0 only makes them for elements >= the packed threshold (1 GiB by
  // default), lowered here with DEBUG QUICKLIST-PACKED-THRESHOLD.
  await c.debug('QUICKLIST-PACKED-THRESHOLD', '1024');
  await c.configSet('list-compress-depth', 0);
  await c.call('RPUSH', 'list:plain-nodes', 'head-1', 'head-2', 'P'.repeat(2000), 'middle', seededBytes(2, 3000), 'tail');
  await c.configSet('list-compress-depth', 1);
  await c.call(
    'RPUSH',
    'list:plain-compressed',
    ...Array.from({ length: 5 }, (_, i) => `before-${i}-${'b'.repeat(20)}`),
    'Q'.repeat(4000),
    ...Array.from({ length: 5 }, (_, i) => `after-${i}-${'c'.repeat(20)}`),
  );
  await c.debug('QUICKLIST-PACKED-THRESHOLD', '0'); // 0 = back to the default
  await c.configSet('list-compress-depth', 0);
  await c.configSet('list-max-listpack-size', -2);
  for (const k of ['list:small', 'list:multi-node', 'list:compressed', 'list:plain-nodes', 'list:plain-compressed']) {
    c.expectEncoding(0, k, 'quicklist');
    c.inspectQuicklist(0, k);
  }
}

async function buildSets(ctx: BuildContext): Promise<void> {
  await ctx.callAll([
    ['SADD', 'set:intset16', '1', '2', '3', '-5', '32767', '-32768'],
    ['SADD', 'set:intset32', '1', '40000', '-2147483648', '2147483647'],
    ['SADD', 'set:intset64', '1', '2147483648', '-9223372036854775808', '9223372036854775807'],
    ['SADD', 'set:strings', 'apple', 'banana', 'cherry', cat('nul', b(0), 'member'), b(0xff), ''],
    ['SADD', 'set:many-ints', ...Array.from({ length: 600 }, (_, i) => String(i * 7 - 1000))],
    ['SADD', 'set:ttl', '10', '20'],
    ['PEXPIREAT', 'set:ttl', String(FAR_EXPIRE_MS + 1000)],
  ]);
  for (const k of ['set:intset16', 'set:intset32', 'set:intset64', 'set:ttl']) ctx.expectEncoding(0, k, 'intset');
  ctx.expectEncoding(0, 'set:strings', 'hashtable');
  ctx.expectEncoding(0, 'set:many-ints', 'hashtable'); // > set-max-intset-entries (512)
}

/** Scores that exercise every double edge a zset can hold (no NaN, no -0). */
const EDGE_SCORES: [string, string][] = [
  ['inf', 'plus-inf'],
  ['-inf', 'minus-inf'],
  ['-3', 'negative-int'],
  ['-0.5', 'negative-frac'],
  ['0', 'zero'],
  ['0.1', 'point-one'],
  ['1e-300', 'tiny'],
  ['5e-324', 'denormal-min'],
  ['1', 'one-a'],
  ['1', 'one-b'], // tie: ordered by member bytes
  ['2.5', 'two-and-half'],
  ['1234567890123', 'big-int'],
  ['1.7976931348623157e308', 'double-max'],
  ['-1.7976931348623157e308', 'double-min'],
];

async function buildZsets(ctx: BuildContext): Promise<void> {
  const listpackArgs = EDGE_SCORES.flatMap(([s, m]) => [s, m]);
  const skiplistArgs: string[] = [...listpackArgs];
  for (let i = 0; i < 150; i++) skiplistArgs.push(String(i * 0.25 - 10), `member-${pad(i, 3)}`);
  await ctx.callAll([
    ['ZADD', 'zset:listpack', ...listpackArgs],
    ['ZADD', 'zset:listpack', '7', b(0xfe, 0x00)],
    ['ZADD', 'zset:skiplist', ...skiplistArgs],
    ['ZADD', 'zset:skiplist-long-member', '1', 'short', '2', 'm'.repeat(100)], // member > 64 bytes
    ['ZADD', 'zset:ttl', '1', 'a'],
    ['PEXPIREAT', 'zset:ttl', String(FAR_EXPIRE_MS)],
  ]);
  ctx.expectEncoding(0, 'zset:listpack', 'listpack');
  ctx.expectEncoding(0, 'zset:ttl', 'listpack');
  ctx.expectEncoding(0, 'zset:skiplist', 'skiplist');
  ctx.expectEncoding(0, 'zset:skiplist-long-member', 'skiplist');
}

async function buildHashes(ctx: BuildContext): Promise<void> {
  const many: string[] = [];
  for (let i = 0; i < 600; i++) many.push(`field-${pad(i, 3)}`, i % 3 === 0 ? String(i) : `value-${i}`);
  await ctx.callAll([
    ['HSET', 'hash:listpack', 'name', 'Alice', 'age', '30', 'neg', '-7', 'big', '9223372036854775807', 'empty', '', 'utf8', 'ñandú'],
    ['HSET', 'hash:listpack', b(0x01, 0x02), b(0x00, 0xff)],
    ['HSET', 'hash:hashtable-many', ...many], // > hash-max-listpack-entries (512)
    ['HSET', 'hash:hashtable-long-value', 'short', 'x', 'long', 'L'.repeat(100)], // value > 64 bytes
    ['HSET', 'hash:ttl', 'f', 'v'],
    ['PEXPIREAT', 'hash:ttl', String(FAR_EXPIRE_MS)],
  ]);
  ctx.expectEncoding(0, 'hash:listpack', 'listpack');
  ctx.expectEncoding(0, 'hash:hashtable-many', 'hashtable');
  ctx.expectEncoding(0, 'hash:hashtable-long-value', 'hashtable');
}

async function buildStreams(ctx: BuildContext): Promise<void> {
  const c = ctx;
  await c.configSet('stream-node-max-entries', 4); // several listpack nodes
  const T = 1700000000000;
  // stream:basic — no groups; same-fields and different-fields entries, deletions, a
  // seq of 2^64-1 followed by the next ms (negative seq delta inside one node).
  const basic: Arg[][] = [];
  for (let i = 0; i < 10; i++) basic.push(['XADD', 'stream:basic', `${T}-${i}`, 'sensor', 'temp', 'value', String(20 + i)]);
  basic.push(['XADD', 'stream:basic', `${T}-10`, 'other', 'fields', 'n', '-5']);
  basic.push(['XADD', 'stream:basic', `${T + 1}-5`, 'bin', cat(b(0, 0xff), 'x'), 'empty', '']);
  basic.push(['XADD', 'stream:basic', `${T + 1}-18446744073709551615`, 'edge', 'max-seq']);
  basic.push(['XADD', 'stream:basic', `${T + 2}-0`, 'edge', 'after-max-seq']);
  basic.push(['XDEL', 'stream:basic', `${T}-3`, `${T}-4`, `${T + 1}-5`]);
  await c.callAll(basic);

  // stream:groups — consumer groups, PELs, claims, a pending entry that was deleted.
  const g: Arg[][] = [];
  for (let i = 0; i < 12; i++) g.push(['XADD', 'stream:groups', `${T}-${i}`, 'job', `job-${i}`, 'attempt', '0']);
  g.push(['XGROUP', 'CREATE', 'stream:groups', 'cg-main', '0']);
  g.push(['XGROUP', 'CREATE', 'stream:groups', 'cg-empty', '$']);
  g.push(['XGROUP', 'CREATE', 'stream:groups', 'cg-mid', `${T}-5`, 'ENTRIESREAD', '6']);
  g.push(['XGROUP', 'CREATE', 'stream:groups', cat('cg-bin', b(0x00, 0xff)), '0']);
  g.push(['XGROUP', 'CREATE', 'stream:groups', 'cg-noack', '0']);
  await c.callAll(g);
  await c.callAll([
    ['XREADGROUP', 'GROUP', 'cg-main', 'alice', 'COUNT', '4', 'STREAMS', 'stream:groups', '>'],
    ['XREADGROUP', 'GROUP', 'cg-main', 'bob', 'COUNT', '3', 'STREAMS', 'stream:groups', '>'],
    ['XACK', 'stream:groups', 'cg-main', `${T}-0`],
    // delivery count 2, then 3 with a fixed delivery time
    ['XCLAIM', 'stream:groups', 'cg-main', 'bob', '0', `${T}-1`],
    ['XCLAIM', 'stream:groups', 'cg-main', 'bob', '0', `${T}-1`, 'TIME', String(T + 5000)],
    ['XCLAIM', 'stream:groups', 'cg-main', 'carol', '0', `${T}-2`, 'RETRYCOUNT', '7', 'TIME', String(T + 6000)],
    ['XGROUP', 'CREATECONSUMER', 'stream:groups', 'cg-main', 'dave'], // consumer without pending entries
    ['XDEL', 'stream:groups', `${T}-3`], // still pending for alice
    ['XREADGROUP', 'GROUP', 'cg-mid', 'erin', 'COUNT', '2', 'STREAMS', 'stream:groups', '>'],
    ['XREADGROUP', 'GROUP', cat('cg-bin', b(0x00, 0xff)), b(0xfe, 0x01), 'COUNT', '1', 'STREAMS', 'stream:groups', '>'],
    ['XREADGROUP', 'GROUP', 'cg-noack', 'frank', 'COUNT', '5', 'NOACK', 'STREAMS', 'stream:groups', '>'],
  ]);

  // Empty streams.
  await c.callAll([
    // entries added then all deleted; a group keeps a PEL entry to a deleted ID
    ['XADD', 'stream:emptied', `${T}-1`, 'a', '1'],
    ['XADD', 'stream:emptied', `${T}-2`, 'a', '2'],
    ['XGROUP', 'CREATE', 'stream:emptied', 'keeper', '0'],
    ['XREADGROUP', 'GROUP', 'keeper', 'ghost', 'COUNT', '1', 'STREAMS', 'stream:emptied', '>'],
    ['XDEL', 'stream:emptied', `${T}-1`, `${T}-2`],
    // trimmed to nothing at insertion
    ['XADD', 'stream:maxlen0', 'MAXLEN', '0', `${T}-7`, 'gone', 'yes'],
    // created by a group, never had entries
    ['XGROUP', 'CREATE', 'stream:mkstream', 'g', '$', 'MKSTREAM'],
  ]);

  // XSETID with entries-added and max-deleted-id; and a stream with a TTL.
  await c.callAll([
    ['XADD', 'stream:xsetid', `${T}-1`, 'k', 'v'],
    ['XADD', 'stream:xsetid', `${T}-2`, 'k', 'v'],
    ['XSETID', 'stream:xsetid', `${T + 100000}-5`, 'ENTRIESADDED', '100', 'MAXDELETEDID', `${T + 50000}-0`],
    ['XADD', 'stream:ttl', `${T}-1`, 'k', 'v'],
    ['PEXPIREAT', 'stream:ttl', String(FAR_EXPIRE_MS)],
  ]);
  await c.configSet('stream-node-max-entries', 100);
  for (const k of ['stream:basic', 'stream:groups', 'stream:emptied', 'stream:maxlen0', 'stream:mkstream', 'stream:xsetid']) {
    c.expectEncoding(0, k, 'stream');
  }
}

/**
 * The encoding thresholds the scenarios rely on, pinned at their Redis 7.0 defaults so a
 * server built with other defaults still produces the same encodings.
 */
const ENCODING_THRESHOLDS = {
  'hash-max-listpack-entries': 512,
  'hash-max-listpack-value': 64,
  'zset-max-listpack-entries': 128,
  'zset-max-listpack-value': 64,
  'set-max-intset-entries': 512,
  'list-max-listpack-size': -2,
  'list-compress-depth': 0,
  'stream-node-max-entries': 100,
  'stream-node-max-bytes': 4096,
} as const;

const LUA_LIBRARIES = [
  "#!lua name=rdbtool_lib\nredis.register_function('rdbtool_echo', function(keys, args) return args[1] end)",
  "#!lua name=rdbtool_ro\nredis.register_function{function_name='rdbtool_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
];

const allTypes: Scenario = {
  name: 'all-types',
  config: { rdbcompression: 'yes', rdbchecksum: 'yes', ...ENCODING_THRESHOLDS },
  covers: [
    'databases 0, 1, 5 and 15; the same key name in every one of them',
    'strings: int-encoded (INT8/16/32 boundaries), non-canonical integers, int64 outside int32, short, empty, empty key, 20/21-byte LZF boundary, LZF, incompressible random, binary with CR LF/NUL/0xFF, invalid and overlong UTF-8, C0/C1/DEL controls, BOM, a 2000-byte key',
    'lists: single-node, multi-node, LZF-compressed nodes, PLAIN nodes (raw and LZF), binary elements, integer elements',
    'sets: intset with 16/32/64-bit members, hashtable (strings, > 512 integers)',
    'zsets: listpack and skiplist with inf, -inf, negative, fractional, 1e-300, 5e-324, ±1.7976931348623157e308, ties; a long member',
    'hashes: listpack, hashtable (many fields; a long value), binary fields',
    'streams: several nodes, deleted entries, seq 2^64-1, groups with PELs, XCLAIM delivery counts, a consumer without PEL, NOACK reads, a pending deleted entry, binary group/consumer names, unknown entries-read, emptied/MAXLEN 0/MKSTREAM streams, XSETID ENTRIESADDED/MAXDELETEDID',
    'expiry (ms and s set) on strings, lists, sets, zsets, hashes and streams',
    'two Lua function libraries (FUNCTION2 records)',
  ],
  async build(ctx) {
    await buildStrings(ctx);
    await buildLists(ctx);
    await buildSets(ctx);
    await buildZsets(ctx);
    await buildHashes(ctx);
    await buildStreams(ctx);
    for (const lib of LUA_LIBRARIES) await ctx.call('FUNCTION', 'LOAD', lib);
    // Other databases: a few keys each, and `shared-name` everywhere with another type.
    await ctx.select(1);
    await ctx.callAll([
      ['SET', 'shared-name', 'db1 string'],
      ['SET', 'db1:counter', '1000'],
      ['HSET', 'db1:hash', 'a', '1', 'b', '2'],
      ['RPUSH', 'db1:list', 'one', 'two', 'three'],
      ['PEXPIREAT', 'db1:list', String(FAR_EXPIRE_MS)],
    ]);
    await ctx.select(5);
    await ctx.callAll([
      ['RPUSH', 'shared-name', 'db5 list'],
      ['SADD', 'db5:intset', '5', '55', '555'],
      ['ZADD', 'db5:zset', '1.5', 'x', '-2', 'y'],
      ['PEXPIREAT', 'db5:zset', '32503680000999'],
    ]);
    await ctx.select(15);
    await ctx.callAll([
      ['HSET', 'shared-name', 'db', '15'],
      ['XADD', 'db15:stream', '1-1', 'f', 'v'],
      ['SET', 'db15:last', 'last db'],
    ]);
    await ctx.select(0);
    await ctx.call('SET', 'shared-name', 'db0 string');
  },
  checkQuicklists(layouts) {
    const nodes = (key: string): QuicklistNode[] => {
      const found = layouts.find((l) => l.key === key);
      if (!found) throw new Error(`no quicklist layout for ${key}`);
      return found.nodes;
    };
    const require = (what: string, ok: boolean): void => {
      if (!ok) throw new Error(`all-types: expected ${what}; got ${JSON.stringify(layouts)}`);
    };
    require('list:small as one PACKED node', nodes('list:small').length === 1 && nodes('list:small')[0].container === 'PACKED');
    require('list:multi-node with > 4 nodes', nodes('list:multi-node').length > 4);
    require('LZF PACKED nodes in list:compressed', nodes('list:compressed').some((n) => n.container === 'PACKED' && n.encoding === 'LZF'));
    require('two raw PLAIN nodes in list:plain-nodes', nodes('list:plain-nodes').filter((n) => n.container === 'PLAIN' && n.encoding === 'RAW').length === 2);
    require('an LZF PLAIN node in list:plain-compressed', nodes('list:plain-compressed').some((n) => n.container === 'PLAIN' && n.encoding === 'LZF'));
  },
};

const lfu: Scenario = {
  name: 'lfu',
  // log-factor 0: every access increments the counter; decay-time 0: no decay, so the
  // counters stay exactly as observed until SAVE.
  config: { 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': 0, 'lfu-decay-time': 0 },
  covers: [
    'FREQ opcodes: new keys (counter 5), 1/10 accesses, 300 accesses (saturates at 255), RESTORE … FREQ 0 and FREQ 100',
    'FREQ together with an expiry; keys in databases 0 and 3; non-string types',
  ],
  lfu: true,
  async build(ctx) {
    await ctx.callAll([
      ['SET', 'lfu:new', 'untouched'],
      ['SET', 'lfu:get-1', 'v'],
      ['SET', 'lfu:get-10', 'v'],
      ['SET', 'lfu:get-300', 'v'],
      ['HSET', 'lfu:hash', 'f', 'v'],
      ['RPUSH', 'lfu:list', 'a', 'b'],
      ['SET', 'lfu:ttl', 'v'],
      ['PEXPIREAT', 'lfu:ttl', String(FAR_EXPIRE_MS)],
    ]);
    const gets = (key: string, n: number): Arg[][] => Array.from({ length: n }, () => ['GET', key]);
    await ctx.callAll([...gets('lfu:get-1', 1), ...gets('lfu:get-10', 10), ...gets('lfu:get-300', 300), ...gets('lfu:ttl', 4)]);
    await ctx.callAll([
      ['HGET', 'lfu:hash', 'f'],
      ['HGET', 'lfu:hash', 'f'],
      ['HGET', 'lfu:hash', 'f'],
      ['LRANGE', 'lfu:list', '0', '-1'],
    ]);
    // DUMP touches its key, so copy from a scratch key that is deleted afterwards.
    await ctx.call('SET', 'scratch', 'restored');
    const payload = asBuffer(await ctx.call('DUMP', 'scratch'));
    await ctx.call('DEL', 'scratch');
    await ctx.callAll([
      ['RESTORE', 'lfu:restored-0', '0', payload, 'FREQ', '0'],
      ['RESTORE', 'lfu:restored-100', '0', payload, 'FREQ', '100'],
    ]);
    await ctx.select(3);
    await ctx.callAll([['SET', 'lfu:db3', 'v'], ['ZADD', 'lfu:db3:zset', '1', 'm'], ['GET', 'lfu:db3'], ['GET', 'lfu:db3']]);
    await ctx.select(0);
  },
};

const lru: Scenario = {
  name: 'lru',
  config: { 'maxmemory-policy': 'allkeys-lru' },
  covers: [
    'IDLE opcodes: fresh keys (idle ~0 s) and keys restored with RESTORE … IDLETIME 60/3600/86400/10000000',
    'IDLE together with an expiry; non-string types; databases 0 and 2',
  ],
  lru: true,
  async build(ctx) {
    await ctx.callAll([
      ['SET', 'lru:fresh', 'v'],
      ['HSET', 'lru:hash', 'f', 'v'],
      ['SADD', 'lru:set', '1', '2'],
      ['SET', 'lru:ttl', 'v'],
      ['PEXPIREAT', 'lru:ttl', String(FAR_EXPIRE_MS)],
    ]);
    const str = asBuffer(await ctx.call('DUMP', 'lru:fresh'));
    const hash = asBuffer(await ctx.call('DUMP', 'lru:hash'));
    await ctx.callAll([
      ['RESTORE', 'lru:idle-60', '0', str, 'IDLETIME', '60'],
      ['RESTORE', 'lru:idle-3600', '0', str, 'IDLETIME', '3600'],
      ['RESTORE', 'lru:idle-86400', '0', hash, 'IDLETIME', '86400'],
      ['RESTORE', 'lru:idle-10000000', '0', str, 'IDLETIME', '10000000'],
      ['RESTORE', 'lru:idle-3600-ttl', String(FAR_EXPIRE_MS), str, 'ABSTTL', 'IDLETIME', '3600'],
    ]);
    await ctx.select(2);
    await ctx.callAll([['SET', 'lru:db2', 'v'], ['RESTORE', 'lru:db2:idle-120', '0', str, 'IDLETIME', '120']]);
    await ctx.select(0);
  },
};

const empty: Scenario = {
  name: 'empty',
  config: {},
  covers: ['no keys and no functions: magic, AUX fields, EOF and checksum only'],
  async build() {},
};

const nocompressNochecksum: Scenario = {
  name: 'nocompress-nochecksum',
  config: { rdbcompression: 'no', rdbchecksum: 'no' },
  covers: [
    'rdbcompression no: long compressible strings, keys and listpacks stored without LZF',
    'rdbchecksum no: the 8-byte CRC trailer is all zero',
  ],
  async build(ctx) {
    await ctx.callAll([
      ['SET', 'nc:long', 'compressible '.repeat(50)],
      ['SET', 'nc:' + 'long-key-'.repeat(20), 'v'],
      ['SET', 'nc:int', '-32768'],
      ['SET', 'nc:ttl', 'v'],
      ['PEXPIREAT', 'nc:ttl', String(FAR_EXPIRE_MS)],
      ['RPUSH', 'nc:list', ...Array.from({ length: 20 }, () => 'same element again')],
      ['HSET', 'nc:hash', 'f1', 'v'.repeat(40), 'f2', 'v'.repeat(40)],
      ['HSET', 'nc:hashtable', 'f', 'w'.repeat(100)],
      ['ZADD', 'nc:zset', '1', 'a', '2', 'b'],
      ['SADD', 'nc:set', '1', '2', '3'],
      ['XADD', 'nc:stream', '1-1', 'field', 'value'],
    ]);
    ctx.expectEncoding(0, 'nc:hashtable', 'hashtable');
    ctx.expectEncoding(0, 'nc:set', 'intset');
  },
};

const bigCollections: Scenario = {
  name: 'big-collections',
  config: { rdbcompression: 'yes', ...ENCODING_THRESHOLDS },
  covers: [
    'hashtable hash with 5000 fields, quicklist with 20000 elements (many 8 KiB nodes), skiplist zset with 3000 members, hashtable set with 5000 members',
    'a 300 KiB LZF-compressed string; lengths that need the 2- and 5-byte length forms',
  ],
  async build(ctx) {
    const batch = async (cmd: string, key: string, args: string[], per: number): Promise<void> => {
      const cmds: Arg[][] = [];
      for (let i = 0; i < args.length; i += per) cmds.push([cmd, key, ...args.slice(i, i + per)]);
      await ctx.callAll(cmds);
    };
    const hash: string[] = [];
    for (let i = 0; i < 5000; i++) hash.push(`f${i}`, i % 2 ? String(i) : `v${i}`);
    await batch('HSET', 'big:hash', hash, 1000);
    const list = Array.from({ length: 20000 }, (_, i) => (i % 10 === 0 ? `item-${i}` : String(i - 10000)));
    await batch('RPUSH', 'big:list', list, 1000);
    const zset: string[] = [];
    for (let i = 0; i < 3000; i++) zset.push(String(i * 1.5 - 1000), `m${i}`);
    await batch('ZADD', 'big:zset', zset, 1000);
    await batch('SADD', 'big:set', Array.from({ length: 5000 }, (_, i) => `s${i}`), 1000);
    const line = (i: number): string => `${pad(i, 6)} the same sentence, over and over, to compress well. `;
    let big = '';
    for (let i = 0; big.length < 300 * 1024; i++) big += line(i);
    await ctx.call('SET', 'big:string', big.slice(0, 300 * 1024));
    ctx.expectEncoding(0, 'big:hash', 'hashtable');
    ctx.expectEncoding(0, 'big:list', 'quicklist');
    ctx.expectEncoding(0, 'big:zset', 'skiplist');
    ctx.expectEncoding(0, 'big:set', 'hashtable');
    ctx.expectEncoding(0, 'big:string', 'raw');
    ctx.inspectQuicklist(0, 'big:list');
  },
  checkQuicklists(layouts) {
    if (layouts[0].nodes.length < 10) throw new Error('big:list should have many nodes');
  },
};

const SCENARIOS: Scenario[] = [allTypes, lfu, lru, empty, nocompressNochecksum, bigCollections];

// ---------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------

/** Splits the server's stdout into the node lists printed by successive `DEBUG QUICKLIST k 0`. */
function parseQuicklistDumps(output: string): QuicklistNode[][] {
  const dumps: QuicklistNode[][] = [];
  for (const line of output.split('\n')) {
    if (/^\{count : \d+\}$/.test(line)) dumps.push([]);
    const m = /^\{container : (\w+), encoding: (\w+), size: (\d+), count: (\d+)/.exec(line);
    if (m) {
      if (dumps.length === 0) throw new Error('quicklist node before a quicklist header');
      dumps[dumps.length - 1].push({ container: m[1], encoding: m[2], sizeBytes: Number(m[3]), count: Number(m[4]) });
    }
  }
  return dumps;
}

/** Runs redis-check-rdb on `<name>.rdb` inside fixtures/rdb so the output names a relative path. */
function runCheckRdb(fileName: string): string {
  const tool = findExecutable('redis-check-rdb');
  const server = findRedisServer();
  // redis-check-rdb is the redis-server binary started under another name.
  const [bin, argv0] = tool ? [tool, tool] : [server, 'redis-check-rdb'];
  if (!bin) throw new Error('neither redis-check-rdb nor redis-server found');
  const res = spawnSync(bin, [fileName], { cwd: RDB_DIR, argv0, encoding: 'utf8' });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (res.status !== 0 || !out.includes('RDB looks OK')) {
    throw new Error(`redis-check-rdb rejected ${fileName} (status ${res.status}):\n${out}`);
  }
  return out;
}

interface ScenarioResult {
  scenario: Scenario;
  version: string;
  runtimeSteps: string[];
  fileBytes: number;
  keysPerDb: Record<string, number>;
  expires: number;
  encodings: Record<string, string[]>;
}

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const redis: RedisHandle = await startRedis({ config: scenario.config });
  const runtimeSteps: string[] = [];
  const expectations: { db: number; key: Buffer; encoding: string }[] = [];
  const quicklistRequests: { db: number; key: Buffer }[] = [];
  const toBuf = (a: Arg): Buffer => (typeof a === 'string' ? Buffer.from(a) : Buffer.from(a));
  try {
    const client = redis.client;
    const ctx: BuildContext = {
      client,
      async configSet(name, value) {
        await client.call('CONFIG', 'SET', name, String(value));
        runtimeSteps.push(`CONFIG SET ${name} ${value}`);
      },
      async debug(...args) {
        await client.call('DEBUG', ...args);
        runtimeSteps.push(`DEBUG ${args.join(' ')}`);
      },
      select: async (db) => void (await client.call('SELECT', String(db))),
      call: (...args) => client.call(...args),
      callAll: (cmds) => client.callAll(cmds),
      expectEncoding: (db, key, encoding) => void expectations.push({ db, key: toBuf(key), encoding }),
      inspectQuicklist: (db, key) => void quicklistRequests.push({ db, key: toBuf(key) }),
    };
    await scenario.build(ctx);

    const metas = await scanKeyMeta(client, { lfu: scenario.lfu, lru: scenario.lru });
    for (const e of expectations) {
      const m = metas.find((x) => x.db === e.db && x.key.equals(e.key));
      if (!m) throw new Error(`${scenario.name}: expected key ${e.key} in db ${e.db}`);
      if (m.liveEncoding !== e.encoding) throw new Error(`${scenario.name}: ${e.key} is ${m.liveEncoding}, expected ${e.encoding}`);
    }

    await client.call('SAVE');
    const rdbName = `${scenario.name}.rdb`;
    const rdbPath = path.join(RDB_DIR, rdbName);
    await fs.copyFile(redis.dumpPath, rdbPath);
    const digest = asText(await client.call('DEBUG', 'DIGEST'));
    if (scenario.lfu || scenario.lru) {
      // Nothing between the first reading and SAVE may have touched a key.
      const again = await readEvictionMeta(client, metas.map((m): KeyMeta => ({ ...m })), scenario);
      again.forEach((m, i) => {
        if (scenario.lfu && m.lfuFreq !== metas[i].lfuFreq) throw new Error(`LFU counter of ${m.key} changed around SAVE`);
      });
    }
    for (const q of quicklistRequests) {
      await client.call('SELECT', String(q.db));
      await client.call('DEBUG', 'QUICKLIST', q.key, '0'); // level 0 only: level 1 decompresses nodes
    }
    await client.call('SELECT', '0');

    const records: TruthRecord[] = await readTruth(client, metas);
    const functions = asArray(await client.call('FUNCTION', 'LIST', 'WITHCODE')).map((lib) => {
      const flat = asArray(lib);
      const get = (name: string): RespValue => flat[flat.findIndex((v) => Buffer.isBuffer(v) && v.toString() === name) + 1];
      return { name: asText(get('library_name')), engine: asText(get('engine')), code: asText(get('library_code')) };
    });
    functions.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

    await redis.stop(); // flushes the server's stdout (DEBUG QUICKLIST output)
    const dumps = parseQuicklistDumps(redis.output());
    if (dumps.length !== quicklistRequests.length) {
      throw new Error(`expected ${quicklistRequests.length} DEBUG QUICKLIST dumps, parsed ${dumps.length}`);
    }
    const layouts: QuicklistLayout[] = quicklistRequests.map((q, i) => ({ db: q.db, key: toJsonBytes(q.key), nodes: dumps[i] }));
    scenario.checkQuicklists?.(layouts);

    // The file must load back into an identical dataset: same DEBUG DIGEST, and the same
    // truth when read back from the reloaded server (this also proves that what XINFO
    // reported, e.g. entries-read, is what the file holds).
    const reloaded = await startRedis({ rdbFile: rdbPath, config: scenario.config });
    try {
      const reloadedDigest = asText(await reloaded.client.call('DEBUG', 'DIGEST'));
      if (reloadedDigest !== digest) throw new Error(`${scenario.name}: digest after reload differs`);
      const again = await readTruth(reloaded.client, await scanKeyMeta(reloaded.client, scenario));
      compareTruth(scenario.name, records, again);
    } finally {
      await reloaded.stop();
    }

    const bytes = await fs.readFile(rdbPath);
    const keysPerDb: Record<string, number> = {};
    for (const r of records) keysPerDb[r.db] = (keysPerDb[r.db] ?? 0) + 1;
    const encodings: Record<string, string[]> = {};
    for (const r of records) {
      const list = (encodings[r.type] ??= []);
      if (!list.includes(r.encoding)) list.push(r.encoding);
    }
    for (const list of Object.values(encodings)) list.sort();
    const expires = records.filter((r) => r.expireAtMs !== null).length;

    await fs.writeFile(path.join(RDB_DIR, `${scenario.name}.truth.ndjson`), formatTruth(records));
    const check = runCheckRdb(rdbName);
    await fs.writeFile(path.join(RDB_DIR, `${scenario.name}.check.txt`), check);
    const checkKeys = Number(/\[info\] (\d+) keys read/.exec(check)?.[1]);
    if (checkKeys !== records.length) throw new Error(`redis-check-rdb read ${checkKeys} keys, truth has ${records.length}`);

    const meta = {
      scenario: scenario.name,
      serverVersion: redis.version,
      rdbVersion: Number(bytes.subarray(5, 9).toString('latin1')),
      startupConfig: scenario.config,
      runtimeSteps,
      fileBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      keys: records.length,
      keysPerDb,
      expires,
      encodings,
      debugDigest: digest,
      functions,
      quicklists: layouts,
      generatedAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(RDB_DIR, `${scenario.name}.meta.json`), formatMeta(meta));
    return {
      scenario,
      version: redis.version,
      runtimeSteps,
      fileBytes: bytes.length,
      keysPerDb,
      expires,
      encodings,
    };
  } finally {
    await redis.stop();
  }
}

/**
 * Checks that two truth sets are identical, except `lruIdleSec`, which may differ by the
 * seconds that passed (the server's LRU clock has a 1-second resolution).
 * @throws naming the first key that differs.
 */
function compareTruth(name: string, expected: TruthRecord[], actual: TruthRecord[]): void {
  if (expected.length !== actual.length) throw new Error(`${name}: ${expected.length} keys before reload, ${actual.length} after`);
  expected.forEach((e, i) => {
    const a = actual[i];
    const strip = (r: TruthRecord): string => JSON.stringify({ ...r, lruIdleSec: undefined });
    if (strip(e) !== strip(a)) throw new Error(`${name}: key ${JSON.stringify(e.key)} differs after reload:\n${strip(e)}\n${strip(a)}`);
    if (Math.abs((e.lruIdleSec ?? 0) - (a.lruIdleSec ?? 0)) > 2) throw new Error(`${name}: idle time of ${JSON.stringify(e.key)} drifted`);
  });
}

/** JSON with each quicklist node on one line (the layouts are long otherwise). */
function formatMeta(meta: object): string {
  return (
    JSON.stringify(meta, null, 2).replace(/\{\s+"container": ("\w+"),\s+"encoding": ("\w+"),\s+"sizeBytes": (\d+),\s+"count": (\d+)\s+\}/g,
      '{ "container": $1, "encoding": $2, "sizeBytes": $3, "count": $4 }') + '\n'
  );
}

function renderReadme(results: ScenarioResult[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = results.map((r) => {
    const config = Object.entries(r.scenario.config).map(([k, v]) => `\`${k} ${v}\``).join('<br>') || 'defaults';
    const steps = r.runtimeSteps.map((s) => `\`${s}\``).join(' → ') || '—';
    const keys = Object.entries(r.keysPerDb).map(([db, n]) => `db${db}: ${n}`).join(', ') || '—';
    const enc = Object.entries(r.encodings).map(([t, e]) => `${t}: ${e.join('/')}`).join('; ') || '—';
    const cells = [`\`${r.scenario.name}\``, r.version, config, steps, String(r.fileBytes), `${keys} (${r.expires} with TTL)`, enc, r.scenario.covers.join('; ')];
    return `| ${cells.map(esc).join(' | ')} |`;
  });
  const total = results.reduce((n, r) => n + r.fileBytes, 0);
  return `# Fixtures

Generated by \`scripts/make-fixtures.ts\` — do not edit by hand. Regenerate with:

\`\`\`sh
npm run fixtures      # needs redis-server and redis-check-rdb on PATH (apt-get install -y redis-server redis-tools)
\`\`\`

It overwrites \`fixtures/rdb/\` and this file. The datasets are deterministic (seeded pseudo-random
data, explicit stream IDs, no randomness in the commands), and so are the truth files apart from
timestamps (consumer seen-times, PEL delivery times not fixed with \`XCLAIM … TIME\`) and the AUX
fields \`ctime\`/\`used-mem\`. The .rdb bytes are not: Redis seeds its hash function randomly at every
start, so the order of keys within a database and of members/fields inside hashtable-encoded sets
and hashes changes from run to run (file sizes stay the same).

## RDB scenarios (\`fixtures/rdb/\`)

Each scenario \`<name>\` has:

- \`<name>.rdb\` — the \`dump.rdb\` written by \`SAVE\` on a live server;
- \`<name>.truth.ndjson\` — the dataset read back from the same server (export schema, one key per
  line, sorted by db, then key bytes);
- \`<name>.meta.json\` — server and RDB version, startup configuration and runtime steps, key counts,
  SHA-256 of the .rdb, \`DEBUG DIGEST\`, the function libraries (\`FUNCTION LIST WITHCODE\`) and the
  quicklist node layouts (\`DEBUG QUICKLIST <key> 0\`: container PACKED/PLAIN, encoding RAW/LZF);
- \`<name>.check.txt\` — the output of \`redis-check-rdb <name>.rdb\`.

Every file was also loaded into a second server (same startup configuration): its \`DEBUG DIGEST\`
and the truth read back from it matched the original's (\`lruIdleSec\` within 2 s).

Configuration: the startup options (command line), then the runtime steps in the order they
ran; each runtime step applies to the keys created after it (see \`scripts/make-fixtures.ts\`).

| Scenario | Server | Startup configuration | Runtime steps | Bytes | Keys per db | Encodings (truth) | Covers |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Total: ${total} bytes of RDB.

## Truth files

One JSON object per key:
\`{"db":0,"key":K,"type":T,"encoding":E,"expireAtMs":X,"value":V}\`, plus \`"lfuFreq"\` (lfu) or
\`"lruIdleSec"\` (lru) when the file stores them.

- Byte strings (keys, values, members, fields, stream field names/values, group and consumer
  names) are a JSON string when the bytes are valid UTF-8 without control characters
  (U+0000–U+001F, U+007F, U+0080–U+009F), otherwise \`{"b64": "<base64>"}\`.
- \`expireAtMs\`: absolute Unix ms from \`PEXPIRETIME\`, or null. Only far-future expiries are used
  (2100 and later), so a server loading the fixture keeps every key.
- Values: string → byte string; list → array in order; set → array sorted by bytes; zset →
  \`[member, score]\` in \`ZRANGE\` order, score a JSON number or \`"inf"\`/\`"-inf"\`; hash →
  \`[field, value]\` sorted by field bytes; stream → \`{entries, length, lastGeneratedId,
  maxDeletedEntryId, entriesAdded, recordedFirstEntryId, groups}\` from \`XRANGE\` and
  \`XINFO STREAM key FULL COUNT 0\`, groups and consumers sorted by name bytes, PEL entries in ID order.
- \`entriesRead\` is \`null\` when Redis does not know it (\`XINFO\` answers nil; the RDB holds 2^64−1).
- Redis 7.0 has no consumer active-time, so \`activeTimeMs\` is absent.

### Encoding names

The truth records the encoding **as stored in the file**, named as rdbtool names it, derived from
\`OBJECT ENCODING\` on the live server:

| Type | Live encoding (7.0) | Truth \`encoding\` | RDB type |
| --- | --- | --- | --- |
| string | int / embstr / raw | \`int\` when the bytes are a canonical decimal integer (no \`+\`, no leading zero, no \`-0\`) of ≤ 11 characters that fits int32 (stored INT8/16/32, FORMATS §1.6), else \`raw\` (plain or LZF) | 0 |
| list | quicklist | \`quicklist\` (every list, even a one-node one) | 18 |
| set | intset / hashtable | \`intset\` / \`hashtable\` | 11 / 2 |
| zset | listpack / skiplist | \`listpack\` / \`skiplist\` | 17 / 5 |
| hash | listpack / hashtable | \`listpack\` / \`hashtable\` | 16 / 4 |
| stream | stream | \`stream\` | 19 |

So a string with live encoding \`int\` such as \`2147483648\` is \`raw\` in the truth (it does not fit
int32), and \`embstr\` is \`raw\`.

### What the truth cannot capture exactly

- \`lruIdleSec\` (scenario \`lru\`) is \`OBJECT IDLETIME\` read just before \`SAVE\`; the IDLE opcode is
  computed by the server at save time with a 1-second clock, so a test must allow a small
  difference (±2 s). Keys restored with \`IDLETIME n\` read as n (+ the seconds the run took).
- \`lfuFreq\` is exact: \`lfu-log-factor 0\` and \`lfu-decay-time 0\` make the counter deterministic,
  and the generator checks it did not change around \`SAVE\`.
- Timestamps: consumer \`seenTimeMs\` and the delivery times of PEL entries not set with
  \`XCLAIM … TIME\` are the wall clock of the run. They are exact for the file they sit next to.
- Function libraries are not keys: they are in \`<name>.meta.json\` (\`functions\`), not the truth.
- AUX fields are not in the truth; \`<name>.check.txt\` shows them.
- A key whose expiry is already in the past cannot exist on a live server; derive such cases from
  these files (rewrite the 8-byte EXPIRETIME_MS) rather than storing them.
`;
}

async function main(): Promise<void> {
  if (!findRedisServer()) throw new Error('redis-server not found: apt-get install -y redis-server redis-tools');
  await fs.rm(RDB_DIR, { recursive: true, force: true });
  await fs.mkdir(RDB_DIR, { recursive: true });
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const result = await runScenario(scenario);
    results.push(result);
    console.log(`${scenario.name}: ${result.fileBytes} bytes, keys ${JSON.stringify(result.keysPerDb)}`);
  }
  await fs.writeFile(path.join(FIXTURES, 'README.md'), renderReadme(results));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
