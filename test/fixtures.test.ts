/**
 * Sanity checks of the generated fixtures (fixtures/rdb) and of the redis-server harness.
 * The fixture checks are independent of the generator: they re-implement the byte-string
 * rule, CRC-64 and the export-schema shape, so a broken or hand-edited fixture fails here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asArray, asBuffer, asNumber, asText, RedisStartError, requireRedisServer, RespError, startRedis } from './helpers/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RDB_DIR = path.join(ROOT, 'fixtures', 'rdb');
const REQUIRED_SCENARIOS = ['all-types', 'lfu', 'lru', 'empty', 'nocompress-nochecksum', 'big-collections'];

// ---------------------------------------------------------------------------------------
// CRC-64/Jones as Redis uses it (formats.md §1.11): reflected, init 0, xorout 0.
// ---------------------------------------------------------------------------------------

const CRC_TABLE: bigint[] = (() => {
  const poly = 0x95ac9329ac4bc9b5n;
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let crc = i;
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    table.push(crc);
  }
  return table;
})();

function crc64(bytes: Uint8Array): bigint {
  let crc = 0n;
  for (const byte of bytes) crc = CRC_TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] ^ (crc >> 8n);
  return crc;
}

// ---------------------------------------------------------------------------------------
// Export-schema validation
// ---------------------------------------------------------------------------------------

const ALLOWED_ENCODINGS: Record<string, string[]> = {
  string: ['int', 'raw'],
  list: ['quicklist'],
  set: ['intset', 'hashtable', 'listpack'],
  zset: ['listpack', 'skiplist'],
  hash: ['listpack', 'hashtable'],
  stream: ['stream'],
};
const RECORD_KEYS = ['db', 'key', 'type', 'encoding', 'expireAtMs', 'value'];
const OPTIONAL_KEYS = ['lfuFreq', 'lruIdleSec', 'fieldExpireAtMs'];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Raised by the validators with a path to the offending value. */
class SchemaError extends Error {}

function fail(where: string, what: string): never {
  throw new SchemaError(`${where}: ${what}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Checks a byte string follows the rule exactly (no b64 for text that could be a string) and returns its bytes. */
function checkBytes(v: unknown, where: string): Buffer {
  if (typeof v === 'string') {
    if (CONTROL.test(v)) fail(where, 'JSON string with a control character (must be b64)');
    if (LONE_SURROGATE.test(v)) fail(where, 'JSON string with a lone surrogate');
    return Buffer.from(v, 'utf8');
  }
  if (!isObject(v) || Object.keys(v).join() !== 'b64' || typeof v.b64 !== 'string') fail(where, `not a byte string: ${JSON.stringify(v)}`);
  const bytes = Buffer.from(v.b64, 'base64');
  if (bytes.toString('base64') !== v.b64) fail(where, 'non-canonical base64');
  let text: string | null = null;
  try {
    text = utf8.decode(bytes);
  } catch {
    // invalid UTF-8: b64 is right
  }
  if (text !== null && !CONTROL.test(text)) fail(where, `b64 used for plain text ${JSON.stringify(text)}`);
  return bytes;
}

function checkArray(v: unknown, where: string, nonEmpty = true): unknown[] {
  if (!Array.isArray(v)) fail(where, 'not an array');
  if (nonEmpty && v.length === 0) fail(where, 'empty collection (Redis never stores one)');
  return v;
}

function checkStrictlySorted(items: Buffer[], where: string): void {
  for (let i = 1; i < items.length; i++) {
    if (Buffer.compare(items[i - 1], items[i]) >= 0) fail(`${where}[${i}]`, 'not strictly sorted by bytes');
  }
}

function isRdbInt(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  return bytes.length <= 11 && /^(0|-?[1-9][0-9]*)$/.test(text) && Number(text) >= -(2 ** 31) && Number(text) <= 2 ** 31 - 1;
}

const ID = /^(\d+)-(\d+)$/;
function parseId(v: unknown, where: string): [bigint, bigint] {
  const m = typeof v === 'string' ? ID.exec(v) : null;
  if (!m) fail(where, `bad stream ID ${JSON.stringify(v)}`);
  const id: [bigint, bigint] = [BigInt(m[1]), BigInt(m[2])];
  if (id[0] >= 2n ** 64n || id[1] >= 2n ** 64n) fail(where, 'stream ID out of range');
  return id;
}
const cmpId = (a: [bigint, bigint], b: [bigint, bigint]): number => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1);

function scoreValue(s: unknown, where: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (typeof s !== 'number' || !Number.isFinite(s)) fail(where, `bad score ${JSON.stringify(s)}`);
  return s;
}

function checkStream(v: unknown, where: string, hasActiveTime: boolean): void {
  if (!isObject(v)) fail(where, 'stream value is not an object');
  const keys = ['entries', 'length', 'lastGeneratedId', 'maxDeletedEntryId', 'entriesAdded', 'recordedFirstEntryId', 'groups'];
  if (Object.keys(v).join() !== keys.join()) fail(where, `stream keys ${Object.keys(v).join()}`);
  const entries = checkArray(v.entries, `${where}.entries`, false);
  let prev: [bigint, bigint] | null = null;
  entries.forEach((e, i) => {
    const w = `${where}.entries[${i}]`;
    if (!isObject(e) || Object.keys(e).join() !== 'id,fields') fail(w, 'entry must be {id, fields}');
    const id = parseId(e.id, `${w}.id`);
    if (prev && cmpId(prev, id) >= 0) fail(w, 'entry IDs not ascending');
    prev = id;
    checkArray(e.fields, `${w}.fields`).forEach((p, j) => {
      const pair = checkArray(p, `${w}.fields[${j}]`);
      if (pair.length !== 2) fail(`${w}.fields[${j}]`, 'not a pair');
      checkBytes(pair[0], `${w}.fields[${j}][0]`);
      checkBytes(pair[1], `${w}.fields[${j}][1]`);
    });
  });
  if (v.length !== entries.length) fail(where, `length ${v.length} but ${entries.length} entries`);
  const last = parseId(v.lastGeneratedId, `${where}.lastGeneratedId`);
  if (prev && cmpId(prev, last) > 0) fail(where, 'lastGeneratedId below the last entry');
  parseId(v.maxDeletedEntryId, `${where}.maxDeletedEntryId`);
  parseId(v.recordedFirstEntryId, `${where}.recordedFirstEntryId`);
  if (!isInt(v.entriesAdded) || v.entriesAdded < entries.length) fail(where, 'entriesAdded < length');
  const groupNames: Buffer[] = [];
  checkArray(v.groups, `${where}.groups`, false).forEach((g, i) => {
    const w = `${where}.groups[${i}]`;
    if (!isObject(g) || Object.keys(g).join() !== 'name,lastDeliveredId,entriesRead,pending,consumers') fail(w, 'group keys');
    groupNames.push(checkBytes(g.name, `${w}.name`));
    parseId(g.lastDeliveredId, `${w}.lastDeliveredId`);
    if (g.entriesRead !== null && (!isInt(g.entriesRead) || g.entriesRead < 0)) fail(w, 'entriesRead');
    const pel = new Map<string, { consumer: string; time: unknown; count: unknown }>();
    let prevPel: [bigint, bigint] | null = null;
    checkArray(g.pending, `${w}.pending`, false).forEach((p, j) => {
      if (!isObject(p) || Object.keys(p).join() !== 'id,consumer,deliveryTimeMs,deliveryCount') fail(`${w}.pending[${j}]`, 'PEL keys');
      const id = parseId(p.id, `${w}.pending[${j}].id`);
      if (prevPel && cmpId(prevPel, id) >= 0) fail(`${w}.pending[${j}]`, 'PEL not ascending');
      prevPel = id;
      if (!isInt(p.deliveryTimeMs) || !isInt(p.deliveryCount) || p.deliveryCount < 0) fail(`${w}.pending[${j}]`, 'PEL numbers');
      pel.set(p.id as string, { consumer: checkBytes(p.consumer, `${w}.pending[${j}].consumer`).toString('hex'), time: p.deliveryTimeMs, count: p.deliveryCount });
    });
    const consumerNames: Buffer[] = [];
    let owned = 0;
    checkArray(g.consumers, `${w}.consumers`, false).forEach((c, j) => {
      const cw = `${w}.consumers[${j}]`;
      const expected = hasActiveTime ? 'name,seenTimeMs,activeTimeMs,pending' : 'name,seenTimeMs,pending';
      if (!isObject(c) || Object.keys(c).join() !== expected) fail(cw, `consumer keys must be ${expected}`);
      const name = checkBytes(c.name, `${cw}.name`);
      consumerNames.push(name);
      if (!isInt(c.seenTimeMs)) fail(cw, 'seenTimeMs');
      checkArray(c.pending, `${cw}.pending`, false).forEach((p, k) => {
        if (!isObject(p) || Object.keys(p).join() !== 'id,deliveryTimeMs,deliveryCount') fail(`${cw}.pending[${k}]`, 'keys');
        const inGroup = pel.get(p.id as string);
        if (!inGroup || inGroup.consumer !== name.toString('hex') || inGroup.time !== p.deliveryTimeMs || inGroup.count !== p.deliveryCount) {
          fail(`${cw}.pending[${k}]`, 'does not match the group PEL');
        }
        owned++;
      });
    });
    checkStrictlySorted(consumerNames, `${w}.consumers`);
    if (owned !== pel.size) fail(w, 'group PEL entries without an owning consumer');
  });
  checkStrictlySorted(groupNames, `${where}.groups`);
}

/**
 * Validates one truth record against the export schema.
 * @throws {SchemaError} describing the first problem.
 */
function validateRecord(r: unknown, where: string, opts: { hasActiveTime: boolean }): { db: number; key: Buffer } {
  if (!isObject(r)) fail(where, 'not an object');
  const keys = Object.keys(r);
  if (keys.slice(0, 6).join() !== RECORD_KEYS.join()) fail(where, `keys must start with ${RECORD_KEYS.join()}`);
  for (const k of keys.slice(6)) if (!OPTIONAL_KEYS.includes(k)) fail(where, `unknown property ${k}`);
  if (!isInt(r.db) || r.db < 0) fail(where, 'db');
  const key = checkBytes(r.key, `${where}.key`);
  const type = r.type;
  if (typeof type !== 'string' || !(type in ALLOWED_ENCODINGS)) fail(where, `type ${String(type)}`);
  if (typeof r.encoding !== 'string' || !ALLOWED_ENCODINGS[type].includes(r.encoding)) fail(where, `encoding ${String(r.encoding)} for ${type}`);
  if (r.expireAtMs !== null && (!isInt(r.expireAtMs) || r.expireAtMs <= 0)) fail(where, 'expireAtMs');
  if ('lfuFreq' in r && (!isInt(r.lfuFreq) || r.lfuFreq < 0 || r.lfuFreq > 255)) fail(where, 'lfuFreq');
  if ('lruIdleSec' in r && (!isInt(r.lruIdleSec) || r.lruIdleSec < 0)) fail(where, 'lruIdleSec');
  const w = `${where}.value`;
  switch (type) {
    case 'string': {
      const bytes = checkBytes(r.value, w);
      if ((r.encoding === 'int') !== isRdbInt(bytes)) fail(where, `encoding ${r.encoding} for ${JSON.stringify(bytes.toString('latin1'))}`);
      break;
    }
    case 'list':
      checkArray(r.value, w).forEach((v, i) => checkBytes(v, `${w}[${i}]`));
      break;
    case 'set': {
      const members = checkArray(r.value, w).map((v, i) => checkBytes(v, `${w}[${i}]`));
      checkStrictlySorted(members, w);
      if (r.encoding === 'intset' && !members.every((m) => /^(0|-?[1-9][0-9]*)$/.test(m.toString('latin1')))) fail(w, 'intset with a non-integer');
      break;
    }
    case 'zset': {
      const seen = new Set<string>();
      let prev: [number, Buffer] | null = null;
      checkArray(r.value, w).forEach((p, i) => {
        const pair = checkArray(p, `${w}[${i}]`);
        if (pair.length !== 2) fail(`${w}[${i}]`, 'not a [member, score] pair');
        const member = checkBytes(pair[0], `${w}[${i}][0]`);
        const score = scoreValue(pair[1], `${w}[${i}][1]`);
        if (seen.has(member.toString('hex'))) fail(`${w}[${i}]`, 'duplicate member');
        seen.add(member.toString('hex'));
        if (prev && (prev[0] > score || (prev[0] === score && Buffer.compare(prev[1], member) >= 0))) fail(`${w}[${i}]`, 'not in ZRANGE order');
        prev = [score, member];
      });
      break;
    }
    case 'hash': {
      const fields = checkArray(r.value, w).map((p, i) => {
        const pair = checkArray(p, `${w}[${i}]`);
        if (pair.length !== 2) fail(`${w}[${i}]`, 'not a [field, value] pair');
        checkBytes(pair[1], `${w}[${i}][1]`);
        return checkBytes(pair[0], `${w}[${i}][0]`);
      });
      checkStrictlySorted(fields, w);
      break;
    }
    case 'stream':
      checkStream(r.value, w, opts.hasActiveTime);
      break;
  }
  return { db: r.db, key };
}

/** Parses and validates a whole truth file; returns the records. */
function validateTruth(text: string, name: string, opts: { hasActiveTime: boolean }): Record<string, unknown>[] {
  if (text !== '' && !text.endsWith('\n')) fail(name, 'missing final newline');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  let prev: { db: number; key: Buffer } | null = null;
  return lines.map((line, i) => {
    const where = `${name}:${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      fail(where, `invalid JSON: ${(err as Error).message}`);
    }
    const id = validateRecord(record, where, opts);
    if (prev && (prev.db > id.db || (prev.db === id.db && Buffer.compare(prev.key, id.key) >= 0))) fail(where, 'lines not sorted by (db, key bytes) or duplicated');
    prev = id;
    return record as Record<string, unknown>;
  });
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

interface Meta {
  scenario: string;
  serverVersion: string;
  rdbVersion: number;
  startupConfig: Record<string, string | number>;
  fileBytes: number;
  sha256: string;
  keys: number;
  keysPerDb: Record<string, number>;
  expires: number;
  functions: { name: string; engine: string; code: string }[];
  quicklists: { db: number; key: unknown; nodes: { container: string; encoding: string }[] }[];
}

const scenarios = existsSync(RDB_DIR)
  ? readdirSync(RDB_DIR)
      .filter((f) => f.endsWith('.rdb'))
      .map((f) => f.slice(0, -4))
      .sort()
  : [];

const load = (name: string) => {
  const rdb = readFileSync(path.join(RDB_DIR, `${name}.rdb`));
  const meta = JSON.parse(readFileSync(path.join(RDB_DIR, `${name}.meta.json`), 'utf8')) as Meta;
  const truthText = readFileSync(path.join(RDB_DIR, `${name}.truth.ndjson`), 'utf8');
  const check = readFileSync(path.join(RDB_DIR, `${name}.check.txt`), 'utf8');
  return { rdb, meta, truthText, check };
};

describe('CRC-64 used by these checks', () => {
  it('matches the reference vectors', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(Buffer.from('REDIS0011'))).toBe(0xddf881e71bd6a1abn);
  });
});

describe('truth validator', () => {
  const ok = { db: 0, key: 'k', type: 'string', encoding: 'raw', expireAtMs: null, value: 'v' };
  const opts = { hasActiveTime: false };
  it('accepts a valid record', () => {
    expect(() => validateRecord(ok, 'r', opts)).not.toThrow();
  });
  it.each([
    ['b64 for plain text', { ...ok, value: { b64: Buffer.from('v').toString('base64') } }],
    ['a control character in a JSON string', { ...ok, value: 'a\tb' }],
    ['int encoding for a non-int32 value', { ...ok, encoding: 'int', value: '2147483648' }],
    ['raw encoding for an int32 value', { ...ok, value: '-5' }],
    ['embstr (a live-only encoding)', { ...ok, encoding: 'embstr' }],
    ['an unsorted set', { ...ok, type: 'set', encoding: 'hashtable', value: ['b', 'a'] }],
    ['a zset out of order', { ...ok, type: 'zset', encoding: 'listpack', value: [['a', 2], ['b', 1]] }],
    ['a NaN-like score', { ...ok, type: 'zset', encoding: 'listpack', value: [['a', 'nan']] }],
    ['an unknown property', { ...ok, extra: 1 }],
    ['a stream with a wrong length', { ...ok, type: 'stream', encoding: 'stream', value: { entries: [], length: 1, lastGeneratedId: '0-0', maxDeletedEntryId: '0-0', entriesAdded: 1, recordedFirstEntryId: '0-0', groups: [] } }],
  ])('rejects %s', (_what, record) => {
    expect(() => validateRecord(record, 'r', opts)).toThrow(SchemaError);
  });
  it('rejects unsorted lines', () => {
    const line = (key: string): string => JSON.stringify({ ...ok, key }) + '\n';
    expect(() => validateTruth(line('b') + line('a'), 't', opts)).toThrow(/not sorted/);
  });
});

describe('fixtures/rdb', () => {
  it('has every required scenario with all four files', () => {
    expect(scenarios).toEqual(expect.arrayContaining(REQUIRED_SCENARIOS));
    for (const name of scenarios) {
      for (const ext of ['.rdb', '.truth.ndjson', '.meta.json', '.check.txt']) {
        expect(existsSync(path.join(RDB_DIR, name + ext)), name + ext).toBe(true);
      }
    }
  });

  it('stays small (all files together under 2 MB)', () => {
    const total = readdirSync(RDB_DIR).reduce((n, f) => n + readFileSync(path.join(RDB_DIR, f)).length, 0);
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  it('README lists every scenario', () => {
    const readme = readFileSync(path.join(ROOT, 'fixtures', 'README.md'), 'utf8');
    for (const name of scenarios) expect(readme).toContain(`\`${name}\``);
  });

  describe.each(scenarios)('%s', (name) => {
    const { rdb, meta, truthText, check } = load(name);
    const checksumOff = meta.startupConfig.rdbchecksum === 'no';

    it('is a Redis 7.0 RDB (REDIS0010) ending in EOF + checksum', () => {
      expect(rdb.subarray(0, 9).toString('latin1')).toBe('REDIS0010');
      expect(meta.rdbVersion).toBe(10);
      expect(meta.serverVersion).toMatch(/^7\.0\./);
      expect(rdb[rdb.length - 9]).toBe(0xff);
      const stored = rdb.readBigUInt64LE(rdb.length - 8);
      if (checksumOff) expect(stored).toBe(0n);
      else expect(stored).toBe(crc64(rdb.subarray(0, rdb.length - 8)));
    });

    it('matches its meta.json (size, sha256)', () => {
      expect(rdb.length).toBe(meta.fileBytes);
      expect(createHash('sha256').update(rdb).digest('hex')).toBe(meta.sha256);
    });

    it('has a truth file that follows the export schema', () => {
      const records = validateTruth(truthText, `${name}.truth.ndjson`, { hasActiveTime: !meta.serverVersion.startsWith('7.0.') });
      expect(records.length).toBe(meta.keys);
      const perDb: Record<string, number> = {};
      for (const r of records) perDb[String(r.db)] = (perDb[String(r.db)] ?? 0) + 1;
      expect(perDb).toEqual(meta.keysPerDb);
      expect(records.filter((r) => r.expireAtMs !== null).length).toBe(meta.expires);
      const lfu = meta.startupConfig['maxmemory-policy'] === 'allkeys-lfu';
      const lru = meta.startupConfig['maxmemory-policy'] === 'allkeys-lru';
      for (const r of records) {
        expect('lfuFreq' in r, `lfuFreq on ${JSON.stringify(r.key)}`).toBe(lfu);
        expect('lruIdleSec' in r, `lruIdleSec on ${JSON.stringify(r.key)}`).toBe(lru);
      }
    });

    it('was accepted by redis-check-rdb with the same key count', () => {
      expect(check).toContain(`Checking RDB file ${name}.rdb`);
      expect(check).toContain('RDB looks OK');
      expect(check).toContain(`AUX FIELD redis-ver = '${meta.serverVersion}'`);
      expect(check).toContain(`[info] ${meta.keys} keys read`);
      expect(check).toContain(`[info] ${meta.expires} expires`);
      expect(check).toContain(checksumOff ? 'RDB file was saved with checksum disabled' : 'Checksum OK');
    });
  });

  it('all-types covers every type, encoding and database it promises', () => {
    const { meta, truthText } = load('all-types');
    const records = truthText.trim().split('\n').map((l) => JSON.parse(l) as { db: number; type: string; encoding: string; value: unknown });
    const pairs = new Set(records.map((r) => `${r.type}/${r.encoding}`));
    for (const p of ['string/int', 'string/raw', 'list/quicklist', 'set/intset', 'set/hashtable', 'zset/listpack', 'zset/skiplist', 'hash/listpack', 'hash/hashtable', 'stream/stream']) {
      expect(pairs, p).toContain(p);
    }
    expect(new Set(records.map((r) => r.db))).toEqual(new Set([0, 1, 5, 15]));
    const nodes = meta.quicklists.flatMap((q) => q.nodes);
    expect(nodes.some((n) => n.container === 'PLAIN' && n.encoding === 'RAW')).toBe(true);
    expect(nodes.some((n) => n.container === 'PLAIN' && n.encoding === 'LZF')).toBe(true);
    expect(nodes.some((n) => n.container === 'PACKED' && n.encoding === 'LZF')).toBe(true);
    expect(meta.functions.length).toBeGreaterThanOrEqual(1);
    const streams = records.filter((r) => r.type === 'stream').map((r) => r.value as { length: number; groups: { pending: unknown[] }[] });
    expect(streams.some((s) => s.length === 0 && s.groups.length > 0)).toBe(true);
    expect(streams.some((s) => s.groups.some((g) => g.pending.length > 0))).toBe(true);
  });

  it('empty has no keys', () => {
    expect(load('empty').truthText).toBe('');
  });
});

// ---------------------------------------------------------------------------------------
// The harness itself
// ---------------------------------------------------------------------------------------

requireRedisServer(); // fails with an install hint when the server is missing

describe('redis-server harness', () => {
  it('starts a server on 127.0.0.1, round-trips binary data, pipelines, and stops by PID', async () => {
    const redis = await startRedis();
    let stopped = false;
    try {
      expect(redis.version).toMatch(/^\d+\.\d+\.\d+/);
      const bind = asArray(await redis.client.call('CONFIG', 'GET', 'bind'));
      expect(asText(bind[1])).toBe('127.0.0.1');
      const save = asArray(await redis.client.call('CONFIG', 'GET', 'save'));
      expect(asText(save[1])).toBe('');

      const key = Buffer.from([0x6b, 0x00, 0xff, 0x0d, 0x0a]);
      const value = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x0d, 0x0a, 0x24]);
      expect(await redis.client.call('SET', key, value)).toBe('OK');
      expect(asBuffer(await redis.client.call('GET', key)).equals(value)).toBe(true);
      expect(await redis.client.call('GET', 'missing')).toBeNull();

      const replies = await redis.client.callAll([['INCR', 'n'], ['INCR', 'n'], ['RPUSH', 'l', 'a', 'b'], ['LRANGE', 'l', '0', '-1']]);
      expect(replies.slice(0, 3)).toEqual([1, 2, 2]);
      expect(asArray(replies[3]).map((b) => asText(b))).toEqual(['a', 'b']);
      await expect(redis.client.call('NO-SUCH-COMMAND')).rejects.toBeInstanceOf(RespError);
      expect(asNumber(await redis.client.call('DBSIZE'))).toBe(3); // the connection survived the error

      await redis.client.call('SAVE');
      expect(existsSync(redis.dumpPath)).toBe(true);

      await redis.stop();
      stopped = true;
      expect(() => process.kill(redis.pid, 0)).toThrow();
      expect(existsSync(redis.dir)).toBe(false);
    } finally {
      if (!stopped) await redis.stop();
    }
  });

  it('reports a server that exits during start, with its log, and cleans up', async () => {
    const err = await startRedis({ config: { 'no-such-directive': 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStartError);
    expect((err as RedisStartError).log).toMatch(/no-such-directive/i);
    expect(path.basename((err as RedisStartError).dir)).toMatch(/^rdbtool-redis-/);
    expect(existsSync((err as RedisStartError).dir)).toBe(false);
  });

  it('loads a given RDB file at start', async () => {
    const { meta } = load('all-types');
    const redis = await startRedis({ rdbFile: path.join(RDB_DIR, 'all-types.rdb') });
    try {
      expect(asNumber(await redis.client.call('DBSIZE'))).toBe(meta.keysPerDb['0']);
      expect(asText(await redis.client.call('OBJECT', 'ENCODING', 'zset:skiplist'))).toBe('skiplist');
    } finally {
      await redis.stop();
    }
  });
});
