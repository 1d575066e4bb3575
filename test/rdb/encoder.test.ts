/**
 * The RDB writer on its own: the save side of the primitives on FORMATS.md's vectors, the
 * order of calls it accepts, what each version can and cannot hold, the score text of each
 * release, quicklist and stream node layouts, module records and field-TTL hashes, slabs and
 * the CRC, and the decoder's view of what it wrote (counts and blob sizes at keyStart). Byte
 * identity with a live server is in encoder-identity.test.ts; round trips through Redis in
 * encoder-roundtrip.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { memorySink } from '../../src/io/byte-sink.js';
import { RdbOutput } from '../../src/rdb/primitives.js';
import { RdbWriter, type KeyMeta, type RdbValue, type ValueStream } from '../../src/rdb/encoder.js';
import { rdbTarget, UnsupportedValueError, RDB_WRITE_VERSIONS } from '../../src/rdb/target.js';
import { hashWriter } from '../../src/rdb/values/hash.js';
import { formatG17, formatShortest, scoreElement, writeTextDouble } from '../../src/rdb/values/score.js';
import { encodeModuleId } from '../../src/rdb/values/module.js';
import { planQuicklist } from '../../src/rdb/blobs/quicklist.js';
import { encodeListpack } from '../../src/rdb/blobs/listpack.js';
import { encodeZiplist } from '../../src/rdb/blobs/ziplist.js';
import { QuicklistContainer } from '../../src/rdb/constants.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { HashValue } from '../../src/dataset/hash.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { ArrayValue } from '../../src/dataset/array.js';
import { streamIdFromParts } from '../../src/dataset/stream-id.js';
import { UsageError } from '../../src/errors.js';
import { lzfCompress } from '../../src/binary/lzf.js';
import type { KeyInfo, StreamMeta, StreamGroup } from '../../src/model/events.js';
import { readFileSync } from 'node:fs';
import { fixtureRdbs } from '../helpers/files.js';
import { decode, records, whole } from '../helpers/collect.js';
import { toHex } from '../helpers/bytes.js';

const hex = (s: string) => s.replace(/\s+/g, '');

/** Bytes one call on an RdbOutput produces. */
function bytesOf(f: (out: RdbOutput) => void, opts: ConstructorParameters<typeof RdbOutput>[1] = {}): string {
  const sink = memorySink();
  const out = new RdbOutput(sink, opts);
  f(out);
  out.flush();
  return toHex(sink.bytes());
}

/** A whole file with the given keys in db 0. */
function fileWith(version: number, keys: [string, RdbValue | ReturnType<typeof hashWriter>][], opts: { compression?: boolean } = {}): Uint8Array {
  const sink = memorySink();
  const w = new RdbWriter(sink, { rdbVersion: version, ...opts });
  w.header();
  w.selectDb(0, { keys: keys.length, expires: 0 });
  for (const [k, v] of keys) w.key(k, v);
  w.end();
  return sink.bytes();
}

describe('the save side of the primitives (FORMATS.md §1.5–§1.8)', () => {
  it('lengths in their shortest form', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'], [63, '3f'], [64, '4040'], [16383, '7fff'], [16384, '8000004000'], [4294967295, '80ffffffff'],
      [4294967296, '810000000100000000'], [2n ** 64n - 1n, '81ffffffffffffffff'], [Number.MAX_SAFE_INTEGER, '81001fffffffffffff'],
    ];
    for (const [n, bytes] of cases) expect(bytesOf((o) => o.writeLength(n))).toBe(bytes);
    expect(() => bytesOf((o) => o.writeLength(-1))).toThrow(UsageError);
    expect(() => bytesOf((o) => o.writeLength(2n ** 64n))).toThrow(UsageError);
    expect(() => bytesOf((o) => o.writeLength(1.5))).toThrow(UsageError);
  });

  it('strings: integer forms for canonical 32-bit decimals of at most 11 bytes, else plain', () => {
    const cases: [string, string][] = [
      ['0', 'c000'], ['-1', 'c0ff'], ['127', 'c07f'], ['128', 'c18000'], ['-32768', 'c10080'], ['32768', 'c200800000'],
      ['2147483647', 'c2ffffff7f'], ['-2147483648', 'c200000080'], ['2147483648', '0a' + toHex(Buffer.from('2147483648'))],
      ['007', '03303037'], ['+1', '022b31'], ['-0', '022d30'], ['', '00'], ['abc', '03616263'],
    ];
    for (const [s, bytes] of cases) {
      expect(bytesOf((o) => o.writeString(s)), s).toBe(bytes);
      expect(bytesOf((o) => o.writeString(Buffer.from(s, 'latin1'))), s).toBe(bytes);
    }
  });

  it('strings: LZF only above 20 bytes, only with compression on, and only when it saves 4 bytes', () => {
    expect(bytesOf((o) => o.writeString('a'.repeat(20)))).toBe('14' + '61'.repeat(20));
    const c = lzfCompress(Buffer.from('a'.repeat(21)))!;
    expect(bytesOf((o) => o.writeString('a'.repeat(21)))).toBe('c3' + toHex(Uint8Array.of(c.length)) + '15' + toHex(c));
    expect(bytesOf((o) => o.writeString('a'.repeat(21)), { compression: false })).toBe('15' + '61'.repeat(21));
    const random = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 97 + 13) % 256));
    expect(bytesOf((o) => o.writeString(random))).toBe('28' + toHex(random));
  });

  it('times, doubles and raw stream IDs', () => {
    expect(bytesOf((o) => o.writeMillis(1700000000000))).toBe('0068e5cf8b010000');
    expect(bytesOf((o) => o.writeMillis(-1))).toBe('ffffffffffffffff');
    expect(bytesOf((o) => o.writeBinaryDouble(1.5))).toBe('000000000000f83f');
    expect(bytesOf((o) => o.writeRawStreamId(1n, 2n ** 64n - 1n))).toBe('0000000000000001ffffffffffffffff');
  });

  it('text scores (type 3): integers, %.17g, −0 and the infinities', () => {
    const text = (v: number) => Buffer.from(bytesOf((o) => writeTextDouble(o, v)), 'hex');
    expect(text(1.5).toString('latin1')).toBe('\x031.5');
    expect(text(-3).toString('latin1')).toBe('\x02-3');
    expect(text(0.1).toString('latin1')).toBe('\x130.10000000000000001');
    expect(text(-0).toString('latin1')).toBe('\x02-0');
    expect(text(2 ** 53).toString('latin1')).toBe('\x109007199254740992');
    expect([...text(Infinity)]).toEqual([254]);
    expect([...text(-Infinity)]).toEqual([255]);
    expect([...text(NaN)]).toEqual([253]);
  });
});

describe('score text per release (zzlInsertAt / d2string)', () => {
  const text = (v: number, style: '6.2' | '7.0' | '7.2') => {
    const e = scoreElement(v, style);
    return e instanceof Uint8Array ? Buffer.from(e).toString('latin1') : e;
  };
  it('%.17g as glibc prints it, ties to even', () => {
    expect(formatG17(0.1)).toBe('0.10000000000000001');
    expect(formatG17(10001 / 2 ** 20)).toBe('0.0095376968383789062');
    expect(formatG17(1e21)).toBe('1e+21');
    expect(formatG17(1e-5)).toBe('1.0000000000000001e-05');
    expect(formatG17(123456789012345680000)).toBe('1.2345678901234568e+20');
    expect(formatG17(-2.5)).toBe('-2.5');
    expect(formatG17(5e-324)).toBe('4.9406564584124654e-324');
    expect(formatG17(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
  });
  it('fpconv layout of the shortest digits', () => {
    expect(formatShortest(0.1)).toBe('0.1');
    expect(formatShortest(1e21)).toBe('1e+21');
    expect(formatShortest(1.5e-7)).toBe('1.5e-7');
    expect(formatShortest(0.001)).toBe('0.001');
    expect(formatShortest(123.456)).toBe('123.456');
    expect(formatShortest(-1.25e100)).toBe('-1.25e+100');
  });
  it('integers: up to 2^52 as text before 7.0, within ±2^62 as integer entries from 7.0', () => {
    expect(text(42, '6.2')).toBe('42');
    expect(text(42, '7.0')).toBe(42);
    expect(text(2 ** 53, '6.2')).toBe('9007199254740992');
    expect(text(2 ** 53, '7.0')).toBe(2n ** 53n);
    expect(text(2 ** 62, '7.2')).toBe(2n ** 62n);
    expect(text(2 ** 63, '7.0')).toBe('9.2233720368547758e+18');
    expect(text(2 ** 63, '7.2')).toBe('9223372036854776000'); // fpconv: the shortest digits, zeros after
    expect(text(1e19, '7.2')).toBe('1e+19');
    expect(text(0.1, '7.0')).toBe('0.10000000000000001');
    expect(text(0.1, '7.2')).toBe('0.1');
    expect(text(Infinity, '7.0')).toBe('inf');
    expect(text(-Infinity, '6.2')).toBe('-inf');
    expect(text(-0, '6.2')).toBe('-0');
    expect(text(-0, '7.0')).toBe('-0');
    expect(() => scoreElement(NaN, '7.0')).toThrow(UsageError);
  });
});

describe('FORMATS.md §10 files, written', () => {
  it('§10.1 minimal RDB 9 with an expiry', () => {
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 9 });
    w.header();
    w.selectDb(0, { keys: 1, expires: 1 });
    w.key('foo', { type: 'string', value: 'bar' }, { expireAtMs: 1700000000000 });
    expect(w.end()).toBe(41);
    expect(toHex(sink.bytes())).toBe(hex('524544495330303039 fe00 fb0101 fc0068e5cf8b010000 00 03666f6f 03626172 ff 1ea834d5bd17a46b'));
  });

  it('§10.1 with checksums off: an all-zero trailer', () => {
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 9, checksum: false });
    w.header();
    w.selectDb(0, { keys: 1, expires: 1 });
    w.key('foo', { type: 'string', value: 'bar' }, { expireAtMs: 1700000000000 });
    w.end();
    expect(toHex(sink.bytes()).slice(-18)).toBe('ff0000000000000000');
  });

  it('§10.2 the real Redis 7.4.1 dump (quicklist, set listpack, field-TTL hashes of types 24 and 25), byte for byte', () => {
    const real =
      '524544495330303132fa0972656469732d76657205372e342e31fa0a72656469732d62697473c040fa056374696d65c252cd056bfa08757365642d6d656dc288371100fa08616f662d62617365c000fe00fb040012026c6901020c0c00000002008161020101ff1402736c0f0f00000003008161028162020101ff1802686800d8c32cbb03000002010162c002000161c0011902686c6051c22cbb030000353500000009008266330382763303f46051c22cbb030000098266320382763203f400d8c32cbb0300000982663103827631030001ffff09f8be88b9f515b7';
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 12 });
    w.header();
    for (const [n, v] of [['redis-ver', '7.4.1'], ['redis-bits', '64'], ['ctime', String(0x6b05cd52)], ['used-mem', String(0x00113788)], ['aof-base', '0']]) w.aux(n, v);
    w.selectDb(0, { keys: 4, expires: 0 });
    w.key('li', { type: 'list', items: ['a', '1'], length: 2 });
    w.key('sl', { type: 'set', members: ['a', 'b', '1'], size: 3 });
    // That server held "hh" in a hash table (HASH_METADATA): the writer is told so by a limit.
    w.key('hh', hashWriter([['b', '2', 4102444800000], ['a', '1', null]], 2, 1, rdbTarget(12, { hashMaxEntries: 1 })));
    w.key('hl', { type: 'hash', entries: [['f1', 'v1', null], ['f2', 'v2', 4102444800000], ['f3', 'v3', 4102444700000]], size: 3, volatileFields: 2 });
    w.end();
    expect(toHex(sink.bytes())).toBe(real);
  });
});

describe('the order of calls', () => {
  const writer = (v = 10) => new RdbWriter(memorySink(), { rdbVersion: v });
  it('accepts header → aux → module aux → functions → databases → module aux → end', () => {
    const w = writer();
    w.header();
    w.aux('a', 'b');
    w.moduleAux(encodeModuleId('testmodul', 1), 1, new Uint8Array([0]));
    w.function('#!lua name=l\nredis.register_function("f", function() return 1 end)');
    w.selectDb(0);
    w.key('k', { type: 'string', value: 'v' });
    w.selectDb(2);
    w.key('k', { type: 'string', value: 'v' });
    w.moduleAux(encodeModuleId('testmodul', 1), 2, new Uint8Array([0]));
    expect(w.end()).toBeGreaterThan(0);
  });
  it('refuses everything else with a UsageError, writing nothing', () => {
    const w = writer();
    expect(() => w.aux('a', 'b')).toThrow(/before the header/);
    expect(() => w.key('k', { type: 'string', value: 'v' })).toThrow(UsageError);
    expect(() => w.end()).toThrow(/before the header/);
    w.header();
    expect(() => w.header()).toThrow(UsageError);
    expect(() => w.key('k', { type: 'string', value: 'v' })).toThrow(/needs a database/);
    w.function('#!lua name=l\n');
    expect(() => w.aux('a', 'b')).toThrow(/cannot come after the function libraries/);
    expect(() => w.moduleAux(1n, 1, new Uint8Array([0]))).toThrow(/cannot come after/);
    expect(() => w.moduleAux(1n, 3, new Uint8Array([0]))).toThrow(/1 or 2/);
    expect(() => w.selectDb(-1)).toThrow(UsageError);
    w.selectDb(0);
    expect(() => w.function('#!lua name=m\n')).toThrow(/cannot come after the databases/);
    w.moduleAux(1n, 2, new Uint8Array([0]));
    expect(() => w.selectDb(1)).toThrow(/cannot come after the module AUX records after the data/);
    expect(() => w.moduleAux(1n, 2, new Uint8Array([1]))).toThrow(/EOF opcode/);
    w.end();
    expect(() => w.end()).toThrow(/twice/);
  });
  it('refuses an unknown version', () => {
    expect(() => writer(5)).toThrow(UsageError);
    expect(() => writer(16)).toThrow(/supported are 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 80, 81/);
    expect(() => writer(82)).toThrow(UsageError);
  });
});

describe('what each version can hold', () => {
  const stream: RdbValue = { type: 'stream', entries: [], length: 0, lastId: Buffer.alloc(16), firstId: Buffer.alloc(16), maxDeletedId: Buffer.alloc(16), entriesAdded: 0, groups: [] };
  const cases: [string, (w: RdbWriter) => void, number][] = [
    ['AUX fields', (w) => w.aux('a', 'b'), 7],
    ['module values', (w) => (w.selectDb(0), w.key('m', { type: 'module', moduleId: encodeModuleId('testmodul', 0), raw: new Uint8Array([0]) })), 8],
    ['module AUX records', (w) => w.moduleAux(1n, 1, new Uint8Array([0])), 9],
    ['streams', (w) => (w.selectDb(0), w.key('s', stream)), 9],
    ['function libraries', (w) => w.function('#!lua name=x\n'), 10],
    ['hash field TTLs', (w) => (w.selectDb(0), w.key('h', { type: 'hash', entries: [['f', 'v', 1]], size: 1, volatileFields: 1 })), 12],
  ];
  for (const [what, call, since] of cases) {
    it(`${what}: from RDB ${since}`, () => {
      for (const v of RDB_WRITE_VERSIONS) {
        const w = new RdbWriter(memorySink(), { rdbVersion: v });
        w.header();
        if (v >= since) expect(() => call(w), `RDB ${v}`).not.toThrow();
        else expect(() => call(w), `RDB ${v}`).toThrow(UnsupportedValueError);
      }
    });
  }
  it('a refused key leaves nothing behind', () => {
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 8 });
    w.header();
    w.selectDb(0);
    const before = w.bytesWritten;
    expect(() => w.key('s', stream)).toThrow(/streams cannot be written in RDB 8 \(Redis 4.0\)/);
    expect(w.bytesWritten).toBe(before);
  });
});

describe('the record types per version', () => {
  const types = (v: number): Record<string, number> => {
    const keys: [string, RdbValue][] = [
      ['str', { type: 'string', value: 'x' }],
      ['list', { type: 'list', items: ['a', 'b'], length: 2 }],
      ['biglist', { type: 'list', items: Array.from({ length: 600 }, String), length: 600 }],
      ['ints', { type: 'set', members: ['1', '2'], size: 2 }],
      ['strs', { type: 'set', members: ['a', 'b'], size: 2 }],
      ['zset', { type: 'zset', entries: [['a', 1]], size: 1 }],
      ['bigzset', { type: 'zset', entries: Array.from({ length: 200 }, (_, i) => [`m${i}`, i] as const), size: 200 }],
      ['hash', { type: 'hash', entries: [['f', 'v', null]], size: 1, volatileFields: 0 }],
      ['bighash', { type: 'hash', entries: [['f', 'v'.repeat(65), null]], size: 1, volatileFields: 0 }],
    ];
    const out: Record<string, number> = {};
    decode(fileWith(v, keys), { keyStart: (k) => ((out[Buffer.from(k.key).toString()] = k.rdbType), false) });
    return out;
  };
  it('RDB 6 (Redis 3.0): ziplists, linked lists, text scores', () => {
    expect(types(6)).toEqual({ str: 0, list: 10, biglist: 1, ints: 11, strs: 2, zset: 12, bigzset: 3, hash: 13, bighash: 4 });
  });
  it('RDB 7 (3.2): quicklists of ziplists', () => {
    expect(types(7)).toEqual({ str: 0, list: 14, biglist: 14, ints: 11, strs: 2, zset: 12, bigzset: 3, hash: 13, bighash: 4 });
  });
  it('RDB 8 and 9 (4.0, 6.2): binary scores', () => {
    for (const v of [8, 9]) expect(types(v)).toEqual({ str: 0, list: 14, biglist: 14, ints: 11, strs: 2, zset: 12, bigzset: 5, hash: 13, bighash: 4 });
  });
  it('RDB 10 (7.0): listpacks', () => {
    expect(types(10)).toEqual({ str: 0, list: 18, biglist: 18, ints: 11, strs: 2, zset: 17, bigzset: 5, hash: 16, bighash: 4 });
  });
  it('RDB 11, 12 and Valkey 80: set listpacks', () => {
    for (const v of [11, 12, 80]) expect(types(v)).toEqual({ str: 0, list: 18, biglist: 18, ints: 11, strs: 20, zset: 17, bigzset: 5, hash: 16, bighash: 4 });
  });
  it('Valkey 80 starts with its magic', () => {
    expect(Buffer.from(fileWith(80, [])).subarray(0, 9).toString()).toBe('VALKEY080');
    expect(Buffer.from(fileWith(6, [])).subarray(0, 9).toString()).toBe('REDIS0006');
  });
});

describe('quicklist nodes as each release fills them', () => {
  const items = (n: number, len: number) => Array.from({ length: n }, (_, i) => Buffer.from(String(i).padStart(len, 'x')));
  it('7.0: listpack nodes within 8 KiB counting 8 bytes of overhead per element, never PLAIN below 1 GiB', () => {
    const nodes = planQuicklist([...items(300, 100), Buffer.alloc(20_000, 0x61), ...items(10, 5)], '7.0');
    expect(nodes.every((n) => n.container === QuicklistContainer.Packed)).toBe(true);
    for (const n of nodes) if (n.items.length > 1) expect(encodeListpack(n.items).length).toBeLessThanOrEqual(8192);
    expect(nodes.find((n) => n.items[0].length === 20_000)!.items.length).toBe(1);
    expect(nodes.map((n) => n.items.length).reduce((a, b) => a + b)).toBe(311);
  });
  it('7.2: the first listpack fills without the overhead; elements over 8 KiB get PLAIN nodes', () => {
    const nodes = planQuicklist([...items(300, 100), Buffer.alloc(9000, 0x61), ...items(3, 5)], '7.2');
    expect(nodes.map((n) => n.container)).toEqual([2, 2, 2, 2, 1, 2]);
    const v70 = planQuicklist(items(300, 100), '7.0');
    expect(nodes[0].items.length).toBeGreaterThanOrEqual(v70[0].items.length);
  });
  it('3.2–6.2: ziplist nodes with the ziplist overhead estimate', () => {
    const nodes = planQuicklist(items(1000, 50), '3.2');
    for (const n of nodes) expect(encodeZiplist(n.items).length).toBeLessThanOrEqual(8192);
    expect(nodes.length).toBeGreaterThan(5);
  });
  it('a count fill caps elements per node (and 8 KiB); fills past −5 are −5', () => {
    expect(planQuicklist(items(23, 3), '7.0', 5).map((n) => n.items.length)).toEqual([5, 5, 5, 5, 3]);
    expect(planQuicklist(items(23, 3), '7.2', 5).map((n) => n.items.length)).toEqual([5, 5, 5, 5, 3]);
    expect(planQuicklist(items(2000, 100), '7.0', -9)).toEqual(planQuicklist(items(2000, 100), '7.0', -5));
  });
});

describe('streams', () => {
  const id = (ms: bigint, seq: bigint) => Buffer.from(streamIdFromParts(ms, seq), 'latin1');
  const big: RdbValue = {
    type: 'stream',
    entries: Array.from({ length: 250 }, (_, i) => ({ id: id(5n, BigInt(i + 1)), fields: i === 7 ? ['other', 'x'] : ['f', `v${i}`, 'n', String(i)] })),
    length: 250,
    lastId: id(5n, 250n),
    firstId: id(5n, 1n),
    maxDeletedId: id(0n, 0n),
    entriesAdded: 250,
    groups: [
      {
        name: 'g2',
        lastDeliveredId: id(5n, 3n),
        entriesRead: -1,
        pending: [
          { id: id(5n, 2n), consumer: 'bob', deliveryTimeMs: 1700000000002, deliveryCount: 2 },
          { id: id(5n, 1n), consumer: 'alice', deliveryTimeMs: 1700000000001, deliveryCount: 1 },
        ],
        consumers: [
          { name: 'bob', seenTimeMs: 20, activeTimeMs: 21 },
          { name: 'alice', seenTimeMs: 10, activeTimeMs: 11 },
        ],
      },
      { name: 'g1', lastDeliveredId: id(0n, 0n), entriesRead: 0, pending: [], consumers: [] },
    ],
  };
  function read(v: number): { meta: StreamMeta; groups: StreamGroup[]; type: number } {
    let meta!: StreamMeta;
    let type = 0;
    const groups: StreamGroup[] = [];
    decode(fileWith(v, [['s', big]]), { keyStart: (k) => ((type = k.rdbType), true), streamMeta: (m) => (meta = m), streamGroup: (g) => groups.push(g) });
    return { meta, groups, type };
  }
  it('nodes of 100 entries, groups and consumers in name order, per stream type', () => {
    const v9 = read(9);
    expect(v9.type).toBe(15);
    expect(v9.meta).toMatchObject({ listpacks: 3, liveEntries: 250, length: 250, lastGeneratedId: '5-250' });
    expect(v9.meta.entriesAdded).toBeUndefined();
    expect(v9.groups.map((g) => Buffer.from(g.name).toString())).toEqual(['g1', 'g2']);
    expect(v9.groups[1].entriesRead).toBeUndefined();
    const v10 = read(10);
    expect(v10.type).toBe(19);
    expect(v10.meta).toMatchObject({ recordedFirstEntryId: '5-1', maxDeletedEntryId: '0-0', entriesAdded: 250 });
    expect(v10.groups[1].entriesRead).toBe(-1);
    expect(v10.groups[1].consumers.map((c) => [Buffer.from(c.name).toString(), c.seenTimeMs, c.activeTimeMs])).toEqual([['alice', 10, undefined], ['bob', 20, undefined]]);
    const v11 = read(11);
    expect(v11.type).toBe(21);
    expect(v11.groups[1].consumers.map((c) => [c.activeTimeMs, c.pending.map((p) => p.id)])).toEqual([[11, ['5-1']], [21, ['5-2']]]);
    expect(v11.groups[1].pending.map((p) => [p.id, p.deliveryTimeMs, p.deliveryCount])).toEqual([['5-1', 1700000000001, 1], ['5-2', 1700000000002, 2]]);
  });
  it('entries read back in order, the odd one out without SAMEFIELDS', () => {
    const r = records(fileWith(10, [['s', big]])).records[0].value as { entries: { id: string; fields: unknown[] }[] };
    expect(r.entries).toHaveLength(250);
    expect(r.entries[7]).toEqual({ id: '5-8', fields: [['other', 'x']] });
    expect(r.entries[249]).toEqual({ id: '5-250', fields: [['f', 'v249'], ['n', '249']] });
  });
  it('refuses a pending entry of a consumer the group does not have', () => {
    const bad: RdbValue = { ...big, groups: [{ name: 'g', lastDeliveredId: id(0n, 0n), entriesRead: 0, pending: [{ id: id(5n, 1n), consumer: 'ghost', deliveryTimeMs: 0, deliveryCount: 1 }], consumers: [] }] } as RdbValue;
    expect(() => fileWith(10, [['s', bad]])).toThrow(/consumer its group does not have/);
  });
});

describe('modules', () => {
  it('type ids (FORMATS.md §3.8 examples)', () => {
    expect(encodeModuleId('ReJSON-RL', 3)).toBe(0x45e25238df912c03n);
    expect(encodeModuleId('MBbloom--', 0)).toBe(0x3016e5a289bef800n);
    expect(encodeModuleId('hellotype', 0)).toBe(0x85e965a2dca97800n);
    expect(() => encodeModuleId('short', 0)).toThrow(UsageError);
    expect(() => encodeModuleId('bad name!', 0)).toThrow(UsageError);
    expect(() => encodeModuleId('ReJSON-RL', 1024)).toThrow(UsageError);
  });
  it('a module value and module AUX records read back as written', () => {
    const raw = new Uint8Array([0x02, 0x05, 0x05, 0x03, 0x61, 0x62, 0x63, 0x00]); // UINT 5, STRING "abc", EOF
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 9 });
    w.header();
    w.moduleAux(encodeModuleId('ReJSON-RL', 3), 1, raw);
    w.selectDb(0);
    w.key('m', { type: 'module', moduleId: encodeModuleId('ReJSON-RL', 3), raw });
    w.moduleAux(encodeModuleId('MBbloom--', 0), 2, new Uint8Array([0]));
    w.end();
    const seen: string[] = [];
    decode(sink.bytes(), {
      moduleAux: (m) => seen.push(`aux ${m.moduleName} ${m.encver} ${m.when} ${toHex(m.raw)}`),
      keyStart: () => true,
      moduleValue: (m) => seen.push(`value ${m.moduleName} ${m.encver} ${toHex(m.raw)}`),
    });
    expect(seen).toEqual(['aux ReJSON-RL 3 1 0205050361626300', 'value ReJSON-RL 3 0205050361626300', 'aux MBbloom-- 0 2 00']);
  });
});

describe('hash field TTLs', () => {
  const entries = [['a', '1', null], ['b', '2', 4102444800000], ['c', '3', 4102444700000], ['d', '4', null]] as const;
  const fieldsOf = (file: Uint8Array) => {
    const out: [string, string, number | null][] = [];
    let type = 0;
    decode(file, { keyStart: (k) => ((type = k.rdbType), true), field: (f, v, e) => void out.push([Buffer.from(f).toString(), Buffer.from(v).toString(), e]) });
    return { type, out };
  };
  it('RDB 12, small: type 25, TTL triplets first by expiry, then the others in order', () => {
    expect(fieldsOf(fileWith(12, [['h', { type: 'hash', entries: [...entries], size: 4, volatileFields: 2 }]]))).toEqual({
      type: 25,
      out: [['c', '3', 4102444700000], ['b', '2', 4102444800000], ['a', '1', null], ['d', '4', null]],
    });
  });
  it('RDB 12, large: type 24, in insertion order', () => {
    const h = hashWriter([...entries], 4, 2, rdbTarget(12, { hashMaxEntries: 2 }));
    expect(fieldsOf(fileWith(12, [['h', h]]))).toEqual({ type: 24, out: [...entries] });
  });
  it('Valkey 80: type 22 whatever the size', () => {
    expect(fieldsOf(fileWith(80, [['h', { type: 'hash', entries: [...entries], size: 4, volatileFields: 2 }]]))).toEqual({ type: 22, out: [...entries] });
  });
  it('refuses a TTL past 2^48 − 1', () => {
    expect(() => fileWith(12, [['h', { type: 'hash', entries: [['f', 'v', 2 ** 48]], size: 1, volatileFields: 1 }]])).toThrow(/out of range/);
  });
});

describe('slabs and the CRC', () => {
  const keys: [string, RdbValue][] = [
    ['a', { type: 'string', value: 'x'.repeat(200_000) }], // compressed
    ['b', { type: 'string', value: Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251)) }], // passes through
    ['c', { type: 'list', items: Array.from({ length: 5000 }, (_, i) => `item ${i}`), length: 5000 }],
  ];
  it('the same file whatever the slab size, big values handed over without a copy', () => {
    const write = (slabBytes?: number) => {
      const sink = memorySink();
      const w = new RdbWriter(sink, { rdbVersion: 10, slabBytes });
      w.header();
      w.selectDb(0);
      for (const [k, v] of keys) w.key(k, v);
      w.end();
      return Buffer.from(sink.bytes());
    };
    const base = write();
    expect(write(64).equals(base)).toBe(true);
    expect(write(4096).equals(base)).toBe(true);
    expect(decode(base, {}, whole).end?.checksum).toBe('ok');
  });
  it('sends slabs, not small writes, and reuses them once written', () => {
    const sizes: number[] = [];
    let dones = 0;
    const sink = { write: (b: Uint8Array, done?: () => void) => (sizes.push(b.length), done?.(), (dones += done ? 1 : 0)) };
    const w = new RdbWriter(sink, { rdbVersion: 10, slabBytes: 1024 });
    w.header();
    w.selectDb(0);
    for (let i = 0; i < 500; i++) w.key(`key:${i}`, { type: 'string', value: `value ${i}` });
    w.end();
    expect(sizes.slice(0, -2).every((n) => n > 1000)).toBe(true);
    expect(dones).toBe(sizes.length); // every write is a slab (the 8-byte trailer too), given back once written
  });
});

describe('what the decoder reports at keyStart for what the writer wrote', () => {
  it('the element count and blob size the records state up front', () => {
    const keys: [string, RdbValue][] = [
      ['s', { type: 'string', value: 'hello' }],
      ['n', { type: 'string', value: '-12345' }],
      ['z', { type: 'string', value: 'z'.repeat(100) }],
      ['l', { type: 'list', items: ['a', 'b', 'c'], length: 3 }],
      ['set', { type: 'set', members: ['1', '5', '9'], size: 3 }],
      ['h', { type: 'hash', entries: [['f', 'v', null], ['g', 'w', null]], size: 2, volatileFields: 0 }],
      ['bigh', { type: 'hash', entries: Array.from({ length: 600 }, (_, i) => [`f${i}`, 'v', null] as const), size: 600, volatileFields: 0 }],
      ['zs', { type: 'zset', entries: Array.from({ length: 300 }, (_, i) => [`m${i}`, i / 7] as const), size: 300 }],
      ['lpz', { type: 'zset', entries: Array.from({ length: 100 }, (_, i) => [`m${i}`.repeat(3), i] as const), size: 100 }],
    ];
    for (const v of [6, 9, 10, 12]) {
      const seen: Record<string, [number | undefined, number | undefined, number]> = {};
      let decl: [number | undefined, number | undefined] = [undefined, undefined];
      decode(fileWith(v, keys), {
        keyStart: (k) => ((decl = [k.declaredElements, k.blobBytes]), false),
        keyEnd: (k) => void (seen[Buffer.from(k.key).toString()] = [decl[0], decl[1], k.elements]),
      });
      for (const [k] of keys) {
        const [declared, , elements] = seen[k];
        if (k === 'l' && v !== 6) expect(declared, `RDB ${v} ${k}`).toBeUndefined(); // a quicklist states node counts only
        else expect(declared, `RDB ${v} ${k}`).toBe(elements);
      }
      expect(seen.s[1]).toBe(5);
      expect(seen.n[1]).toBe(6);
      expect(seen.z[1]).toBe(100);
      expect(seen.set[1]).toBe(8 + 3 * 2); // the intset's bytes
      expect(seen.bigh[1]).toBeUndefined(); // a plain hash is not one blob
    }
  });
});

describe('writeDatasetRdb', () => {
  function dataset(): Dataset {
    const ds = new Dataset();
    ds.db(0).set('str', 'value');
    ds.db(0).set('list', ListValue.from(['a', 'b']));
    const h = HashValue.from(['f'], ['v'])!;
    h.setFieldExpire('f', 4102444800000);
    ds.db(1).set('ttl-hash', h);
    const s = new StreamValue();
    s.append(streamIdFromParts(1n, 1n), ['f', 'v']);
    s.lastId = streamIdFromParts(1n, 1n);
    s.firstId = s.lastId;
    s.entriesAdded = 1;
    ds.db(1).set('stream', s);
    ds.db(2).set('array', new ArrayValue());
    ds.db(0).setExpire('str', 4102444800000);
    ds.functions.load(Buffer.from("#!lua name=lib\nredis.register_function('f', function() return 1 end)"));
    ds.aux.push({ name: 'redis-ver', value: '7.0.15' });
    return ds;
  }
  it('refuses what the version cannot hold, naming the key', async () => {
    await expect(writeDatasetRdb(dataset(), memorySink(), { rdbVersion: 12 })).rejects.toMatchObject({ code: 'USAGE', reason: 'ARRAY values cannot be written in RDB 12 (Redis 7.4)', context: { db: 2 } });
    await expect(writeDatasetRdb(dataset(), memorySink(), { rdbVersion: 11 })).rejects.toThrow(/hash field TTLs cannot be written in RDB 11/);
  });
  it('or leaves it out and says so', async () => {
    const r = await writeDatasetRdb(dataset(), memorySink(), { rdbVersion: 8, unsupported: 'skip' });
    expect(r.skipped).toEqual([
      { db: null, key: null, reason: 'function libraries cannot be written in RDB 8 (Redis 4.0)' },
      { db: 1, key: 'ttl-hash', reason: 'hash field TTLs cannot be written in RDB 8 (Redis 4.0)' },
      { db: 1, key: 'stream', reason: 'streams cannot be written in RDB 8 (Redis 4.0)' },
      { db: 2, key: 'array', reason: 'ARRAY values cannot be written in RDB 8 (Redis 4.0)' },
    ]);
    expect(r.keys).toBe(2);
    expect(r.encodings).toEqual({ raw: 1, quicklist: 1 });
  });
  it('AUX fields: default, source, none, or given', async () => {
    const auxOf = async (aux: Parameters<typeof writeDatasetRdb>[2]['aux'], v = 12) => {
      const sink = memorySink();
      await writeDatasetRdb(dataset(), sink, { rdbVersion: v, aux, unsupported: 'skip', nowMs: 1_700_000_000_999 });
      return records(sink.bytes()).aux;
    };
    expect(await auxOf(undefined)).toEqual({ 'redis-bits': '64', ctime: '1700000000', 'aof-base': '0' });
    expect(await auxOf(undefined, 9)).toEqual({ 'redis-bits': '64', ctime: '1700000000' });
    expect(await auxOf(undefined, 6)).toEqual({});
    expect(await auxOf('source')).toEqual({ 'redis-ver': '7.0.15' });
    expect(await auxOf('none')).toEqual({});
    expect(await auxOf([{ name: 'x', value: Buffer.from('y') }])).toEqual({ x: 'y' });
  });
  it('keys in byte order on request, expiries kept, awaiting the sink between slabs', async () => {
    const ds = new Dataset();
    for (const k of ['b', 'c', 'a']) ds.db(0).set(k, 'x'.repeat(400_000) + k);
    let drains = 0;
    const sink = Object.assign(memorySink(), { drain: async () => void drains++ });
    await writeDatasetRdb(ds, sink, { rdbVersion: 10, keyOrder: 'sorted', compression: false });
    expect(records(sink.bytes()).records.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(drains).toBeGreaterThanOrEqual(2);
  });
  it('stops when aborted', async () => {
    const ds = new Dataset();
    for (let i = 0; i < 20; i++) ds.db(0).set(`k${i}`, 'x'.repeat(200_000));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(writeDatasetRdb(ds, memorySink(), { rdbVersion: 10, compression: false, signal: ac.signal })).rejects.toThrow('stop');
  });
});

describe('streaming values element by element', () => {
  it('a decoded file streamed into the writer, plain collections without holding them, comes out byte for byte', () => {
    const src = new Uint8Array(readFileSync(fixtureRdbs().find((f) => f.endsWith('big-collections.rdb'))!));
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 10 });
    let stream: ValueStream | null = null;
    let key = '';
    let meta: KeyMeta = {};
    let type: KeyInfo['valueType'] = 'string';
    let held: string[] = [];
    let streamed = 0;
    let pendingDb = 0;
    decode(src, {
      header: () => w.header(),
      aux: (n, v) => w.aux(Buffer.from(n), Buffer.from(v)),
      selectDb: (db) => void (pendingDb = db),
      resizeDb: (keys, expires) => w.selectDb(pendingDb, { keys, expires }),
      keyStart: (k) => {
        key = Buffer.from(k.key).toString('latin1');
        meta = { expireAtMs: k.expireAtMs };
        type = k.valueType;
        held = [];
        stream = k.declaredElements !== undefined && type !== 'string' ? w.streamKey(key, type as 'set', k.declaredElements, meta) : null;
        if (stream) streamed++;
        return true;
      },
      stringValue: (v) => void held.push(Buffer.from(v).toString('latin1')),
      item: (v) => (stream ? stream.item(v) : void held.push(Buffer.from(v).toString('latin1'))),
      field: (f, v) => stream!.field(f, v),
      member: (m, s) => stream!.member(m, s),
      keyEnd: () => {
        if (stream) stream.end();
        else if (type === 'string') w.key(key, { type: 'string', value: held[0] }, meta);
        else w.key(key, { type: 'list', items: held, length: held.length }, meta);
      },
      end: () => void w.end(),
    });
    expect(streamed).toBe(3); // the hash, the set and the sorted set
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(src))).toBe(true);
  });

  it('is refused where the size alone does not decide the encoding, and checked for its count', () => {
    const w = new RdbWriter(memorySink(), { rdbVersion: 11 });
    w.header();
    w.selectDb(0);
    expect(w.streamKey('s', 'set', 512)).toBeNull(); // could be an intset
    expect(w.streamKey('h', 'hash', 512)).toBeNull();
    expect(w.streamKey('z', 'zset', 128)).toBeNull();
    expect(w.streamKey('l', 'list', 10_000)).toBeNull(); // a quicklist needs its nodes first
    const s = w.streamKey('s', 'set', 513)!;
    expect(() => w.key('x', { type: 'string', value: 'y' })).toThrow(/still being written/);
    expect(() => s.field('a', 'b')).toThrow(/hash element in a set value/);
    for (let i = 0; i < 512; i++) s.item(`m${i}`);
    expect(() => s.end()).toThrow(/512 elements written where 513 were announced/);
    s.item('last');
    expect(() => s.item('one too many')).toThrow(/more than the 513/);
    expect(s.end()).toMatchObject({ rdbType: 2, encoding: 'hashtable', elements: 513 });
    const v6 = new RdbWriter(memorySink(), { rdbVersion: 6 });
    v6.header();
    v6.selectDb(0);
    expect(v6.streamKey('l', 'list', 513)).not.toBeNull();
  });
});

describe('key metadata', () => {
  it('expiry, idle time and LFU counter in that order, hints from RDB 9 on; bad ones refused before a byte is written', () => {
    for (const v of [8, 9]) {
      const sink = memorySink();
      const w = new RdbWriter(sink, { rdbVersion: v });
      w.header();
      w.selectDb(0);
      const at = w.bytesWritten;
      for (const meta of [{ lfuFreq: 256 }, { lruIdleSec: -1 }, { expireAtMs: 1.5 }]) expect(() => w.key('k', { type: 'string', value: 'v' }, meta)).toThrow(UsageError);
      expect(w.bytesWritten).toBe(at);
      const k = w.key('k', { type: 'string', value: 'v' }, { expireAtMs: 4102444800000, lruIdleSec: 300, lfuFreq: 7 });
      w.end();
      const rec = toHex(sink.bytes().subarray(k.offset, k.offset + k.bytes));
      expect(rec).toBe((v >= 9 ? 'fc00d8c32cbb030000' + 'f8412c' + 'f907' : 'fc00d8c32cbb030000') + '00016b0176');
      const r = records(sink.bytes()).records[0];
      expect([r.expireAtMs, r.lruIdleSec, r.lfuFreq]).toEqual(v >= 9 ? [4102444800000, 300, 7] : [4102444800000, undefined, undefined]);
    }
  });
});
