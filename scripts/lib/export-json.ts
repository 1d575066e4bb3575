/**
 * The export schema as the fixture truth files write it, and the code that reads a live
 * server's dataset into it (used by `make-fixtures.ts`; round-trip tests can reuse it to
 * compare a server that loaded a written file against a truth file). The library's own
 * implementation of the schema lives in `src/format`; this copy only has to follow it.
 *
 * Byte strings (keys, values, members, fields, stream field names and values, group and
 * consumer names):
 * - bytes that are valid UTF-8 and contain no control character (U+0000–U+001F, U+007F,
 *   U+0080–U+009F) → a JSON string;
 * - anything else → `{"b64": "<base64 of the raw bytes>"}`.
 */
import { asArray, asBuffer, asNumber, asText, type RespClient, type RespValue } from './resp-client.js';

/** A byte string as the export schema writes it. */
export type JsonBytes = string | { b64: string };

// fatal: reject invalid UTF-8 instead of substituting U+FFFD.
// ignoreBOM: keep a leading U+FEFF, otherwise the text would not round-trip to the same bytes.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Converts raw bytes to the export schema's byte-string form. */
export function toJsonBytes(bytes: Uint8Array): JsonBytes {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { b64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
  if (CONTROL.test(text)) return { b64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  return text;
}

/** Inverse of {@link toJsonBytes}. */
export function fromJsonBytes(value: JsonBytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.b64, 'base64');
}

/** Ordering of truth lines and of set members / hash fields: plain byte order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * True when Redis stores this string value int-encoded in an RDB (formats.md §1.6): a
 * canonical decimal integer (no `+`, no leading zero, no `-0`) of at most 11 characters
 * whose value fits int32.
 */
export function isRdbIntString(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.length > 11) return false;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return false;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647;
}

/**
 * The encoding a truth line records: the encoding as stored in the RDB file, named as
 * rdbtool names it (see fixtures/README.md). `live` is what `OBJECT ENCODING` answered.
 */
export function truthEncoding(type: string, live: string, stringValue?: Uint8Array): string {
  switch (type) {
    case 'string':
      // int, embstr and raw collapse to what rdbSaveRawString writes.
      return stringValue && isRdbIntString(stringValue) ? 'int' : 'raw';
    case 'list':
      // Every list is written as LIST_QUICKLIST_2 (type 18), even a listpack-encoded one.
      return 'quicklist';
    case 'stream':
      return 'stream';
    default:
      // set: intset | hashtable (| listpack on 7.2+); zset: listpack | skiplist; hash: listpack | hashtable
      return live;
  }
}

/** A zset score: a JSON number, or `"inf"` / `"-inf"`. */
export type JsonScore = number | 'inf' | '-inf';

/** One pending entry of a consumer group (group PEL). */
export interface TruthGroupPending {
  id: string;
  consumer: JsonBytes;
  deliveryTimeMs: number;
  deliveryCount: number;
}

/** One consumer of a group; `activeTimeMs` only exists from Redis 7.2 on. */
export interface TruthConsumer {
  name: JsonBytes;
  seenTimeMs: number;
  activeTimeMs?: number;
  pending: { id: string; deliveryTimeMs: number; deliveryCount: number }[];
}

/** One consumer group; `entriesRead` is null when Redis does not know it (stored as 2^64-1). */
export interface TruthGroup {
  name: JsonBytes;
  lastDeliveredId: string;
  entriesRead: number | null;
  pending: TruthGroupPending[];
  consumers: TruthConsumer[];
}

/** A stream value of the export schema. */
export interface TruthStream {
  entries: { id: string; fields: [JsonBytes, JsonBytes][] }[];
  length: number;
  lastGeneratedId: string;
  maxDeletedEntryId: string;
  entriesAdded: number;
  recordedFirstEntryId: string;
  groups: TruthGroup[];
}

/** One line of a truth file. Property order is the order written. */
export interface TruthRecord {
  db: number;
  key: JsonBytes;
  type: string;
  encoding: string;
  expireAtMs: number | null;
  value: unknown;
  lfuFreq?: number;
  lruIdleSec?: number;
  fieldExpireAtMs?: [JsonBytes, number][];
}

/** What is known about a key before its value is read (nothing here touches the key). */
export interface KeyMeta {
  db: number;
  key: Buffer;
  type: string;
  /** `OBJECT ENCODING` on the live server. */
  liveEncoding: string;
  expireAtMs: number | null;
  lfuFreq?: number;
  lruIdleSec?: number;
}

/** Options of {@link scanKeyMeta}. */
export interface ScanOptions {
  /** Read `OBJECT FREQ` (only valid under an LFU maxmemory-policy). */
  lfu?: boolean;
  /** Read `OBJECT IDLETIME` (only valid under a non-LFU policy). */
  lru?: boolean;
}

/**
 * Lists every key of every database with TYPE, OBJECT ENCODING and PEXPIRETIME, then (as
 * the very last step, so nothing else disturbs them) OBJECT FREQ / OBJECT IDLETIME. None
 * of these commands touches the key's LRU/LFU data. Leaves the connection on db 0.
 */
export async function scanKeyMeta(client: RespClient, opts: ScanOptions = {}): Promise<KeyMeta[]> {
  const dbCount = Number(asText(asArray(await client.call('CONFIG', 'GET', 'databases'))[1]));
  const metas: KeyMeta[] = [];
  for (let db = 0; db < dbCount; db++) {
    await client.call('SELECT', String(db));
    if (asNumber(await client.call('DBSIZE')) === 0) continue;
    const keys = new Map<string, Buffer>();
    let cursor = '0';
    do {
      const [next, batch] = asArray(await client.call('SCAN', cursor, 'COUNT', '1000'));
      cursor = asText(next);
      for (const k of asArray(batch)) keys.set(asBuffer(k).toString('hex'), asBuffer(k));
    } while (cursor !== '0');
    const list = [...keys.values()].sort(compareBytes);
    const replies = await client.callAll(
      list.flatMap((k) => [['TYPE', k], ['OBJECT', 'ENCODING', k], ['PEXPIRETIME', k]]),
    );
    list.forEach((key, i) => {
      const expire = asNumber(replies[i * 3 + 2]);
      metas.push({
        db,
        key,
        type: asText(replies[i * 3]),
        liveEncoding: asText(replies[i * 3 + 1]),
        expireAtMs: expire < 0 ? null : expire,
      });
    });
  }
  if (opts.lfu || opts.lru) await readEvictionMeta(client, metas, opts);
  await client.call('SELECT', '0');
  return metas;
}

/**
 * Reads OBJECT FREQ and/or OBJECT IDLETIME for every key into `metas` (in place).
 * @returns the same array.
 */
export async function readEvictionMeta(client: RespClient, metas: KeyMeta[], opts: ScanOptions): Promise<KeyMeta[]> {
  for (const db of new Set(metas.map((m) => m.db))) {
    await client.call('SELECT', String(db));
    const inDb = metas.filter((m) => m.db === db);
    const cmds: (string | Buffer)[][] = [];
    for (const m of inDb) {
      if (opts.lfu) cmds.push(['OBJECT', 'FREQ', m.key]);
      if (opts.lru) cmds.push(['OBJECT', 'IDLETIME', m.key]);
    }
    const replies = await client.callAll(cmds);
    let at = 0;
    for (const m of inDb) {
      if (opts.lfu) m.lfuFreq = asNumber(replies[at++]);
      if (opts.lru) m.lruIdleSec = asNumber(replies[at++]);
    }
  }
  await client.call('SELECT', '0');
  return metas;
}

/** Parses a zset score reply (`inf`, `-inf`, or a decimal as printed by Redis). */
export function parseScore(text: string): JsonScore {
  if (text === 'inf' || text === '+inf') return 'inf';
  if (text === '-inf') return '-inf';
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`unexpected zset score ${text}`);
  return n;
}

/** RESP2 maps arrive as flat [name, value, …] arrays. */
function toMap(reply: RespValue): Map<string, RespValue> {
  const flat = asArray(reply);
  const map = new Map<string, RespValue>();
  for (let i = 0; i < flat.length; i += 2) map.set(asText(flat[i]), flat[i + 1]);
  return map;
}

function field(map: Map<string, RespValue>, name: string): RespValue {
  if (!map.has(name)) throw new Error(`XINFO reply has no "${name}"`);
  return map.get(name) as RespValue;
}

function pairs(flat: RespValue[]): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([asBuffer(flat[i]), asBuffer(flat[i + 1])]);
  return out;
}

async function readStream(client: RespClient, key: Buffer): Promise<TruthStream> {
  const [range, infoReply] = await client.callAll([
    ['XRANGE', key, '-', '+'],
    ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'],
  ]);
  const entries = asArray(range).map((e) => {
    const [id, flat] = asArray(e);
    return {
      id: asText(id),
      fields: pairs(asArray(flat)).map(([f, v]): [JsonBytes, JsonBytes] => [toJsonBytes(f), toJsonBytes(v)]),
    };
  });
  const info = toMap(infoReply);
  if (asArray(field(info, 'entries')).length !== entries.length) throw new Error('XRANGE and XINFO FULL disagree');
  const groups = asArray(field(info, 'groups')).map((g) => {
    const gm = toMap(g);
    const entriesRead = field(gm, 'entries-read');
    return {
      nameBytes: asBuffer(field(gm, 'name')),
      group: {
        name: toJsonBytes(asBuffer(field(gm, 'name'))),
        lastDeliveredId: asText(field(gm, 'last-delivered-id')),
        entriesRead: entriesRead === null ? null : asNumber(entriesRead),
        pending: asArray(field(gm, 'pending')).map((p) => {
          const [id, consumer, time, count] = asArray(p);
          return {
            id: asText(id),
            consumer: toJsonBytes(asBuffer(consumer)),
            deliveryTimeMs: asNumber(time),
            deliveryCount: asNumber(count),
          };
        }),
        consumers: asArray(field(gm, 'consumers'))
          .map((c) => {
            const cm = toMap(c);
            // Property order is the schema's: name, seenTimeMs, activeTimeMs (7.2+ only), pending.
            const consumer: TruthConsumer = {
              name: toJsonBytes(asBuffer(field(cm, 'name'))),
              seenTimeMs: asNumber(field(cm, 'seen-time')),
              ...(cm.has('active-time') ? { activeTimeMs: asNumber(field(cm, 'active-time')) } : {}),
              pending: asArray(field(cm, 'pending')).map((p) => {
                const [id, time, count] = asArray(p);
                return { id: asText(id), deliveryTimeMs: asNumber(time), deliveryCount: asNumber(count) };
              }),
            };
            return { nameBytes: asBuffer(field(cm, 'name')), consumer };
          })
          .sort((a, b) => compareBytes(a.nameBytes, b.nameBytes))
          .map((c) => c.consumer),
      } satisfies TruthGroup,
    };
  });
  groups.sort((a, b) => compareBytes(a.nameBytes, b.nameBytes));
  return {
    entries,
    length: asNumber(field(info, 'length')),
    lastGeneratedId: asText(field(info, 'last-generated-id')),
    maxDeletedEntryId: asText(field(info, 'max-deleted-entry-id')),
    entriesAdded: asNumber(field(info, 'entries-added')),
    recordedFirstEntryId: asText(field(info, 'recorded-first-entry-id')),
    groups: groups.map((g) => g.group),
  };
}

/**
 * Reads every key's value (GET, LRANGE, SMEMBERS, ZRANGE WITHSCORES, HGETALL, XRANGE +
 * XINFO STREAM FULL) and builds the truth records, sorted by (db, key bytes). Reading
 * values touches the keys, so call this only after anything that must see untouched
 * LRU/LFU data (OBJECT FREQ, SAVE). Leaves the connection on db 0.
 * @throws when a key vanished or changed type since {@link scanKeyMeta}.
 */
export async function readTruth(client: RespClient, metas: readonly KeyMeta[]): Promise<TruthRecord[]> {
  const records: TruthRecord[] = [];
  const sorted = [...metas].sort((a, b) => a.db - b.db || compareBytes(a.key, b.key));
  let currentDb = -1;
  for (const m of sorted) {
    if (m.db !== currentDb) {
      await client.call('SELECT', String(m.db));
      currentDb = m.db;
    }
    const type = asText(await client.call('TYPE', m.key));
    if (type !== m.type) throw new Error(`key ${m.key.toString('hex')} changed type ${m.type} -> ${type}`);
    let value: unknown;
    let stringBytes: Buffer | undefined;
    switch (m.type) {
      case 'string':
        stringBytes = asBuffer(await client.call('GET', m.key));
        value = toJsonBytes(stringBytes);
        break;
      case 'list':
        value = asArray(await client.call('LRANGE', m.key, '0', '-1')).map((v) => toJsonBytes(asBuffer(v)));
        break;
      case 'set':
        value = asArray(await client.call('SMEMBERS', m.key))
          .map(asBuffer)
          .sort(compareBytes)
          .map(toJsonBytes);
        break;
      case 'zset': {
        const flat = asArray(await client.call('ZRANGE', m.key, '0', '-1', 'WITHSCORES'));
        value = pairs(flat).map(([member, score]) => [toJsonBytes(member), parseScore(score.toString('latin1'))]);
        break;
      }
      case 'hash':
        value = pairs(asArray(await client.call('HGETALL', m.key)))
          .sort((a, b) => compareBytes(a[0], b[0]))
          .map(([f, v]) => [toJsonBytes(f), toJsonBytes(v)]);
        break;
      case 'stream':
        value = await readStream(client, m.key);
        break;
      default:
        throw new Error(`unsupported type ${m.type} (module types have no truth form)`);
    }
    const record: TruthRecord = {
      db: m.db,
      key: toJsonBytes(m.key),
      type: m.type,
      encoding: truthEncoding(m.type, m.liveEncoding, stringBytes),
      expireAtMs: m.expireAtMs,
      value,
    };
    if (m.lfuFreq !== undefined) record.lfuFreq = m.lfuFreq;
    if (m.lruIdleSec !== undefined) record.lruIdleSec = m.lruIdleSec;
    records.push(record);
  }
  await client.call('SELECT', '0');
  return records;
}

/** Serializes truth records as NDJSON (one record per line, trailing newline). */
export function formatTruth(records: readonly TruthRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}
