/**
 * Small collections loaded from an RDB blob (intset, listpack, ziplist, zipmap) are kept as
 * the blob until first read (src/dataset/rdb-blob.ts). These tests hold that representation
 * to the element-by-element load, which stays the reference (the loader without `blobValue`):
 *
 * - every fixture, corpus file and AOF fixture's RDB part loads into the same dataset, under
 *   every chunking, and the digest, the event stream of `emitDataset` and the export records
 *   are the same;
 * - every method of the four value classes reads the blob as the value it stands for;
 * - a damaged blob, or one holding a member twice or a score that is not a number, fails the
 *   load with the same error, at the same offset, as the element-by-element load.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDatasetLoader } from '../../src/dataset/load-rdb.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { SetValue } from '../../src/dataset/set.js';
import { HashValue } from '../../src/dataset/hash.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { ListValue } from '../../src/dataset/list.js';
import { checkRdbBlob, rdbBlobElements, rdbBlobPack, rdbBlobValueType } from '../../src/dataset/rdb-blob.js';
import { datasetDigest } from '../../src/dataset/digest.js';
import { emitDataset } from '../../src/dataset/emit-events.js';
import { toByteString, type ByteString } from '../../src/dataset/byte-string.js';
import type { Value } from '../../src/dataset/value.js';
import type { RdbHandler } from '../../src/model/events.js';
import { RdbType } from '../../src/rdb/constants.js';
import { encodeListpack, type ListpackInput } from '../../src/rdb/blobs/listpack.js';
import { encodeZiplist } from '../../src/rdb/blobs/ziplist.js';
import { encodeIntset } from '../../src/rdb/blobs/intset.js';
import { encodeZipmap } from '../../src/rdb/blobs/zipmap.js';
import { RdbtoolError } from '../../src/errors.js';
import { byteByByte, decode, eventLog, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { FIXTURES, fixtureRdbs, goodCorpusRdbs, RUN_CORPUS } from '../helpers/files.js';
import { withChecksum } from '../helpers/rdb-edit.js';
import { renderEntry } from './render.js';

/** The loader as it was before blobs were kept whole: every element through the callbacks. */
function elementByElement(h: RdbHandler): RdbHandler {
  return new Proxy(h, {
    get: (target, name) => {
      if (name === 'blobValue') return undefined;
      const v = (target as unknown as Record<string | symbol, unknown>)[name];
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

interface Loaded {
  dataset: Dataset;
  error: unknown;
}

/** Loads `bytes` cut by `split`, kept whole (`lazy`) or element by element; a load error is returned, not thrown. */
function load(bytes: Uint8Array, lazy: boolean, split: Splitter = whole): Loaded {
  const dataset = new Dataset();
  const loader = createDatasetLoader(dataset, { file: 'test.rdb' });
  let error: unknown = null;
  try {
    decode(bytes, lazy ? loader : elementByElement(loader), split);
  } catch (e) {
    error = e;
  }
  return { dataset, error };
}

/** The collection values of a dataset. */
function collections(ds: Dataset): Exclude<Value, string>[] {
  const out: Exclude<Value, string>[] = [];
  for (const e of ds.entries()) if (typeof e.value !== 'string') out.push(e.value);
  return out;
}

const pending = (v: Value): boolean => typeof v !== 'string' && 'blobPending' in v && v.blobPending;
const countPending = (ds: Dataset): number => collections(ds).filter(pending).length;
/** True when a value kept as its blob is read through the pack the blob makes (it then stays kept whole). */
const readsAsPack = (v: Value): boolean => {
  const { rawType, raw } = v as unknown as { rawType: number; raw: string };
  return rdbBlobPack(rawType, raw) !== null;
};

const render = (ds: Dataset) => [...ds.entries()].map(renderEntry);

function rdbFiles(): string[] {
  const files = [...fixtureRdbs(), path.join(FIXTURES, 'aof', 'hybrid.aof'), path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')];
  return RUN_CORPUS ? [...files, ...goodCorpusRdbs()] : files;
}

describe('a file loads into the same dataset with its blobs kept whole', () => {
  const files = rdbFiles();
  let kept = 0;
  for (const file of files) {
    const name = path.relative(path.join(FIXTURES, '..'), file);
    it(name, () => {
      const bytes = new Uint8Array(readFileSync(file));
      const eager = load(bytes, false);
      expect(countPending(eager.dataset)).toBe(0);
      const splits: [string, Splitter][] = [
        ['whole', whole],
        ['random pieces at odd offsets', noisy(randomSplits(bytes.length % 997, 300))],
      ];
      if (bytes.length <= 64 * 1024) splits.push(['byte by byte', byteByByte]);
      for (const [how, split] of splits) {
        const lazy = load(bytes, true, split);
        expect(String(lazy.error), how).toBe(String(eager.error));
        const n = countPending(lazy.dataset);
        if (how === 'whole') kept += n;
        // The digest and the export records read every value; reading leaves the blobs that
        // make a pack as they are.
        expect(datasetDigest(lazy.dataset), how).toBe(datasetDigest(eager.dataset));
        expect(render(lazy.dataset), how).toEqual(render(eager.dataset));
        expect(countPending(lazy.dataset), how).toBe(collections(lazy.dataset).filter((v) => pending(v) && readsAsPack(v)).length);
      }
    });
  }
  it('kept some blobs whole in these files', () => expect(kept).toBeGreaterThan(20));
});

describe('emitDataset and the export records see the values the blobs stand for', () => {
  for (const file of [path.join(FIXTURES, 'rdb', 'all-types.rdb'), path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')]) {
    it(path.basename(file), async () => {
      const bytes = new Uint8Array(readFileSync(file));
      const eager = load(bytes, false).dataset;
      const lazy = load(bytes, true).dataset;
      expect(countPending(lazy)).toBeGreaterThan(0);
      const a = eventLog();
      const b = eventLog();
      await emitDataset(eager, a.handler, { sizes: true });
      await emitDataset(lazy, b.handler, { sizes: true });
      expect(b.log.length).toBeGreaterThan(50);
      expect(b.log).toEqual(a.log);
      // Only read: still kept whole, those that make a pack.
      expect(countPending(lazy)).toBeGreaterThan(0);
    });
  }
});

// ------------------------------------------------------------------ every method expands

const bytes = (s: string) => Buffer.from(s, 'latin1');
const member = (i: number, long: boolean) => (long && i === 3 ? `member-${i}-${'x'.repeat(70)}` : i % 3 === 0 ? String(i * 7 - 20) : `member-${i}`);

/** Blobs of each kind, small (a pack once read) and large (more than 128 elements, or one past 64 bytes). */
function blobs(): { name: string; rdbType: number; blob: Uint8Array }[] {
  const out: { name: string; rdbType: number; blob: Uint8Array }[] = [];
  for (const [size, long] of [
    [5, false],
    [40, true],
    [200, false],
  ] as const) {
    const names = Array.from({ length: size }, (_, i) => member(i, long));
    const asInput = (s: string): ListpackInput => bytes(s);
    const pairs = (second: (i: number) => string): ListpackInput[] => names.flatMap((m, i) => [asInput(m), asInput(second(i))]);
    const scores = (i: number) => (i % 4 === 0 ? String(i) : i % 4 === 1 ? `${i}.5` : i % 4 === 2 ? '-0' : `${-i}e-3`);
    const tag = `${size}${long ? ', one long' : ''}`;
    out.push({ name: `set listpack (${tag})`, rdbType: RdbType.SetListpack, blob: encodeListpack(names.map(asInput)) });
    out.push({ name: `hash listpack (${tag})`, rdbType: RdbType.HashListpack, blob: encodeListpack(pairs((i) => `v${i}`)) });
    out.push({ name: `hash ziplist (${tag})`, rdbType: RdbType.HashZiplist, blob: encodeZiplist(pairs((i) => `v${i}`)) });
    out.push({ name: `zset listpack (${tag})`, rdbType: RdbType.ZsetListpack, blob: encodeListpack(pairs(scores)) });
    // In Redis's order (score, then member bytes), as a server writes them.
    const sorted = names
      .map((m, i) => [m, i % 5 === 0 ? 0 : i % 5 === 1 ? -0 : i % 5 === 2 ? -i / 4 : i % 5 === 3 ? 2 ** 40 + i : i * 1.5] as const)
      .sort(([ma, sa], [mb, sb]) => (sa < sb || (sa === sb && ma < mb) ? -1 : 1));
    out.push({
      name: `zset listpack, in order (${tag})`,
      rdbType: RdbType.ZsetListpack,
      blob: encodeListpack(sorted.flatMap(([m, sc]) => [asInput(m), Number.isInteger(sc) && !Object.is(sc, -0) ? sc : asInput(Object.is(sc, -0) ? '-0' : String(sc))])),
    });
    out.push({ name: `zset ziplist (${tag})`, rdbType: RdbType.ZsetZiplist, blob: encodeZiplist(pairs(scores)) });
    out.push({ name: `list ziplist (${tag})`, rdbType: RdbType.ListZiplist, blob: encodeZiplist(names.map(asInput)) });
    out.push({ name: `quicklist node, listpack (${tag})`, rdbType: RdbType.ListQuicklist2, blob: encodeListpack(names.map(asInput)) });
    out.push({ name: `quicklist node, ziplist (${tag})`, rdbType: RdbType.ListQuicklist, blob: encodeZiplist(names.map(asInput)) });
    if (size < 254) out.push({ name: `hash zipmap (${tag})`, rdbType: RdbType.HashZipmap, blob: encodeZipmap(names.map((m, i) => [bytes(m), bytes(`v${i}`)] as const)) });
    out.push({ name: `set intset (${size})`, rdbType: RdbType.SetIntset, blob: encodeIntset(Array.from({ length: size }, (_, i) => (i % 2 ? i * 1000003 : -i))) });
  }
  out.push({ name: 'set intset (64-bit)', rdbType: RdbType.SetIntset, blob: encodeIntset([-(2n ** 63n), 5, 2n ** 62n]) });
  return out;
}

type AnyValue = SetValue | HashValue | ZSetValue | ListValue;

/** The value a blob stands for, kept whole (`lazy`) or made from its elements. */
function valueOf(rdbType: number, blob: Uint8Array, lazy: boolean): AnyValue {
  const count = checkRdbBlob(rdbType, blob);
  expect(count).toBeGreaterThanOrEqual(0);
  const raw = toByteString(blob);
  const kind = rdbBlobValueType(rdbType);
  if (lazy) {
    const v = kind === 'set' ? SetValue.fromRdbBlob(rdbType, raw, count) : kind === 'hash' ? HashValue.fromRdbBlob(rdbType, raw, count) : kind === 'zset' ? ZSetValue.fromRdbBlob(rdbType, raw, count) : ListValue.fromRdbBlob(rdbType, raw, count);
    expect(v.blobPending).toBe(true);
    return v;
  }
  const { items, vals, scores } = rdbBlobElements(rdbType, raw);
  expect(items.length).toBe(count);
  return kind === 'set' ? SetValue.from(items)! : kind === 'hash' ? HashValue.from(items, vals)! : kind === 'zset' ? ZSetValue.from(items, scores)! : ListValue.from(items);
}

/** Everything a value holds, read through its methods (expands it). */
function state(v: AnyValue): unknown {
  switch (v.type) {
    case 'set':
      return { size: v.size, members: [...v] };
    case 'hash':
      return { size: v.size, entries: [...v.entries()], ttls: [...v.fieldExpires()] };
    case 'zset':
      return { size: v.size, small: v.small, pairs: [...v.ascending()].map(([m, s]) => [m, Object.is(s, -0) ? '-0' : s]) };
    default:
      return { length: v.length, items: v.toArray() };
  }
}

type Call = (v: never) => unknown;
/** One call per public method of each class (and the iterator), on an element that is there and one that is not. */
const CALLS: Record<AnyValue['type'], Record<string, Call>> = {
  set: {
    has: (v: SetValue) => [v.has('member-1'), v.has('nope')],
    add: (v: SetValue) => [v.add('member-1'), v.add('new')],
    addMany: (v: SetValue) => [v.addMany(['member-1', 'new', 'n2', 'n3', 'new']), [...v.values()]],
    delete: (v: SetValue) => [v.delete('member-2'), v.delete('nope')],
    clear: (v: SetValue) => v.clear(),
    values: (v: SetValue) => [...v.values()],
    toArray: (v: SetValue) => {
      const a = v.toArray();
      expect(a).toEqual([...v.values()]);
      return a;
    },
    [Symbol.iterator.toString()]: (v: SetValue) => [...v],
    clone: (v: SetValue) => state(v.clone()),
  },
  hash: {
    get: (v: HashValue) => [v.get('member-1'), v.get('nope')],
    has: (v: HashValue) => [v.has('member-2'), v.has('nope')],
    set: (v: HashValue) => [v.set('member-1', 'changed').size, v.set('new', 'x'.repeat(80)).size],
    setMany: (v: HashValue) => [v.setMany(['member-1', 'c', 'new', 'x', 'n2', 'y', 'n3', 'z']), [...v.entries()]],
    setNew: (v: HashValue) => [v.setNew('member-1', 'changed'), v.setNew('new', 'x'.repeat(80)), v.setNew('new', 'again')],
    delete: (v: HashValue) => [v.delete('member-1'), v.delete('nope')],
    clear: (v: HashValue) => v.clear(),
    fieldExpire: (v: HashValue) => v.fieldExpire('member-1'),
    volatileFields: (v: HashValue) => v.volatileFields,
    setFieldExpire: (v: HashValue) => [v.setFieldExpire('member-1', 12345), v.setFieldExpire('nope', 1)],
    fieldExpires: (v: HashValue) => [...v.fieldExpires()],
    entries: (v: HashValue) => [...v.entries()],
    toFlatArray: (v: HashValue) => {
      const a = v.toFlatArray();
      expect(a).toEqual([...v.entries()].flat());
      return a;
    },
    keys: (v: HashValue) => [...v.keys()],
    [Symbol.iterator.toString()]: (v: HashValue) => [...v],
    clone: (v: HashValue) => state(v.clone()),
  },
  zset: {
    score: (v: ZSetValue) => [v.score('member-1'), v.score('nope')],
    has: (v: ZSetValue) => [v.has('member-2'), v.has('nope')],
    set: (v: ZSetValue) => [v.set('member-1', 0.25).size, v.set('new', -3).size],
    addUnsorted: (v: ZSetValue) => [v.addUnsorted('member-1', 1), v.addUnsorted('new', 2)],
    delete: (v: ZSetValue) => [v.delete('member-1'), v.delete('nope')],
    clear: (v: ZSetValue) => v.clear(),
    replaceAll: (v: ZSetValue) => (v.replaceAll(['x', 'member-1'], [2, -1]), [...v.ascending()]),
    rank: (v: ZSetValue) => [v.rank('member-2'), v.rank('nope')],
    at: (v: ZSetValue) => [v.at(1), v.at(10_000)],
    rankOfScore: (v: ZSetValue) => [v.rankOfScore(0), v.rankOfScore(1.5, true)],
    removeRange: (v: ZSetValue) => v.removeRange(1, 2),
    ascending: (v: ZSetValue) => [...v.ascending(1)],
    descending: (v: ZSetValue) => [...v.descending()],
    entries: (v: ZSetValue) => [...v.entries()].length,
    toArrays: (v: ZSetValue) => {
      const { members, scores } = v.toArrays();
      expect(members.map((m, i) => [m, scores[i]])).toEqual([...v.entries()]);
      return members.length;
    },
    small: (v: ZSetValue) => v.small,
    [Symbol.iterator.toString()]: (v: ZSetValue) => [...v].length,
    clone: (v: ZSetValue) => state(v.clone()),
  },
  list: {
    at: (v: ListValue) => [v.at(1), v.at(10_000)],
    setAt: (v: ListValue) => [v.setAt(1, 'changed'), v.setAt(10_000, 'x')],
    pushBack: (v: ListValue) => v.pushBack('tail'),
    pushFront: (v: ListValue) => v.pushFront('head'),
    popFront: (v: ListValue) => v.popFront(),
    popBack: (v: ListValue) => v.popBack(),
    insertAt: (v: ListValue) => v.insertAt(2, 'inserted'),
    removeAt: (v: ListValue) => v.removeAt(1),
    removeValue: (v: ListValue) => v.removeValue('member-1', 0),
    keepRange: (v: ListValue) => v.keepRange(1, 3),
    indexOf: (v: ListValue) => [v.indexOf('member-2'), v.indexOf('nope')],
    clear: (v: ListValue) => v.clear(),
    range: (v: ListValue) => [...v.range(1, 4)],
    toArray: (v: ListValue) => v.toArray(),
    [Symbol.iterator.toString()]: (v: ListValue) => [...v],
    clone: (v: ListValue) => state(v.clone()),
  },
};

/** Public methods and accessors a value class has (besides the ones that never read elements). */
function publicMembers(proto: object): string[] {
  const out: string[] = [];
  for (const name of Reflect.ownKeys(proto)) {
    if (name === 'constructor' || name === 'type' || name === 'blobPending' || name === 'size' || name === 'length') continue;
    out.push(typeof name === 'symbol' ? name.toString() : name);
  }
  return out;
}

describe('a listpack or intset that fits a pack becomes one straight from its bytes', () => {
  for (const { name, rdbType, blob } of blobs()) {
    const fits = !name.includes('200') && !name.includes('long') && !name.includes('64-bit') && !(name.startsWith('zset listpack (') || name.includes('ziplist') || name.includes('zipmap'));
    it(`${name}: ${fits ? 'straight' : 'by elements'}`, () => {
      const raw = toByteString(blob);
      expect(rdbBlobPack(rdbType, raw) !== null).toBe(fits);
    });
  }
});

describe('every method reads a value kept as its blob as the value it stands for', () => {
  const prototypes: Record<AnyValue['type'], object> = { set: SetValue.prototype, hash: HashValue.prototype, zset: ZSetValue.prototype, list: ListValue.prototype };
  for (const [type, proto] of Object.entries(prototypes) as [AnyValue['type'], object][]) {
    it(`the test calls every public method of the ${type} value`, () => {
      const names = publicMembers(proto).filter((n) => !n.startsWith('#'));
      // Private methods are compiled as ordinary ones: the ones the class keeps to itself are listed here.
      const own = new Set(['fill', 'fillLarge', 'takeElements', 'find', 'roomFor', 'grow', 'comesBefore', 'lastPair']);
      expect(names.filter((n) => !own.has(n)).sort()).toEqual(Object.keys(CALLS[type]).sort());
    });
  }

  for (const { name, rdbType, blob } of blobs()) {
    it(name, () => {
      const type = rdbBlobValueType(rdbType)!;
      const reference = valueOf(rdbType, blob, false);
      const lazy = valueOf(rdbType, blob, true);
      // Its size is known without reading it.
      expect(lazy.type === 'list' ? lazy.length : (lazy as SetValue).size).toBe(reference.type === 'list' ? reference.length : (reference as SetValue).size);
      expect(lazy.blobPending).toBe(true);
      expect(state(lazy)).toEqual(state(reference));
      // Read only: kept whole when the blob makes a pack (read through it), else turned into its large form.
      const makesPack = rdbBlobPack(rdbType, toByteString(blob)) !== null;
      expect(lazy.blobPending).toBe(makesPack);
      expect(state(lazy)).toEqual(state(reference));
      // Changed: never kept whole.
      const changed0 = valueOf(rdbType, blob, true);
      (CALLS[type][type === 'list' ? 'pushBack' : type === 'set' ? 'add' : 'set'] as (v: AnyValue) => void)(changed0);
      expect(changed0.blobPending).toBe(false);
      for (const [method, call] of Object.entries(CALLS[type])) {
        const a = valueOf(rdbType, blob, false);
        const b = valueOf(rdbType, blob, true);
        expect(call(b as never), method).toEqual(call(a as never));
        expect(state(b), method).toEqual(state(a));
        // A second call sees what the first one left.
        expect(call(b as never), method).toEqual(call(a as never));
        expect(state(b), method).toEqual(state(a));
      }
      // A copy of a value still kept whole is a value of its own: changing one leaves the other.
      const original = valueOf(rdbType, blob, true);
      const copy = original.clone();
      expect(copy.blobPending).toBe(true);
      const change = CALLS[type][type === 'list' ? 'pushBack' : type === 'set' ? 'add' : 'set'] as (v: AnyValue) => void;
      change(copy);
      const changed = valueOf(rdbType, blob, false);
      change(changed);
      expect(state(copy)).toEqual(state(changed));
      expect(original.blobPending).toBe(true);
      expect(state(original)).toEqual(state(reference));
    });
  }
});

// ------------------------------------------------------------------ damaged blobs

/** An RDB length (FORMATS.md §1.5). */
function rdbLength(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** An RDB string of raw bytes. */
const rdbString = (b: Uint8Array): number[] => [...rdbLength(b.length), ...b];

/**
 * An RDB 11 file holding `keys` in database 0 — each a type, a name and its value: one blob,
 * or the nodes of a quicklist (type 18: packed listpacks, or plain elements) — and the offset
 * of each key's record.
 */
function rdbFile(keys: { rdbType: number; key: string; blob?: Uint8Array; nodes?: { plain: boolean; bytes: Uint8Array }[] }[]): { file: Uint8Array; offsets: number[] } {
  const out: number[] = [...bytes('REDIS0011'), 0xfe, 0];
  const offsets: number[] = [];
  for (const k of keys) {
    offsets.push(out.length);
    out.push(k.rdbType, ...rdbString(bytes(k.key)));
    if (k.nodes) {
      out.push(...rdbLength(k.nodes.length));
      for (const n of k.nodes) out.push(n.plain ? 1 : 2, ...rdbString(n.bytes));
    } else out.push(...rdbString(k.blob!));
  }
  out.push(0xff);
  return { file: withChecksum(new Uint8Array(out)), offsets };
}

/** A listpack of raw entries (each an encoding with its data), for forms the encoder never writes. */
function rawListpack(entries: number[][]): Uint8Array {
  const body: number[] = [];
  for (const e of entries) body.push(...e, e.length);
  const total = 6 + body.length + 1;
  return new Uint8Array([total & 0xff, (total >> 8) & 0xff, 0, 0, entries.length, 0, ...body, 0xff]);
}

function damaged(): { name: string; rdbType: number; blob: Uint8Array }[] {
  const lp = (...items: (string | number)[]) => encodeListpack(items.map((x) => (typeof x === 'number' ? x : bytes(x))));
  const zl = (...items: (string | number)[]) => encodeZiplist(items.map((x) => (typeof x === 'number' ? x : bytes(x))));
  const many = Array.from({ length: 60 }, (_, i) => `field-${i}`);
  const backlenBroken = lp('a', '1', 'b', '2');
  backlenBroken[6 + 2] ^= 0x40;
  const twiceThenBroken = lp('a', 'x', 'a', 'y', 'c', 'z');
  twiceThenBroken[twiceThenBroken.length - 2] ^= 0x40;
  const intsetTwice = encodeIntset([1, 2, 3]);
  intsetTwice.set(intsetTwice.subarray(8, 10), 10);
  return [
    { name: 'set listpack, a member twice', rdbType: RdbType.SetListpack, blob: lp('a', 'b', 'a') },
    { name: 'set listpack, a member as text and as an integer', rdbType: RdbType.SetListpack, blob: rawListpack([[0x81, 0x35], [0x05]]) },
    { name: 'set listpack, 60 members, the last twice', rdbType: RdbType.SetListpack, blob: lp(...many, 'field-7') },
    { name: 'hash listpack, a field twice', rdbType: RdbType.HashListpack, blob: lp('f', '1', 'g', '2', 'f', '3') },
    { name: 'hash listpack, 200 integer fields, one twice', rdbType: RdbType.HashListpack, blob: lp(...Array.from({ length: 200 }, (_, i) => [i * 1000 - 7000, 'v']).flat(), 5000, 'again') },
    { name: 'hash listpack, 200 fields, none twice', rdbType: RdbType.HashListpack, blob: lp(...Array.from({ length: 200 }, (_, i) => [i % 2 ? `f${i}` : i, String(i)]).flat()) },
    { name: 'set listpack, a 64-bit integer twice', rdbType: RdbType.SetListpack, blob: encodeListpack([2n ** 62n + 1n, bytes('x'), 2n ** 62n + 1n]) },
    { name: 'hash listpack, a value equal to a field (allowed)', rdbType: RdbType.HashListpack, blob: lp('f', 'g', 'g', 'f') },
    { name: 'hash listpack, an odd count', rdbType: RdbType.HashListpack, blob: lp('f', '1', 'g') },
    { name: 'hash ziplist, a field twice', rdbType: RdbType.HashZiplist, blob: zl('f', '1', 'f', '2') },
    { name: 'zset listpack, a member twice', rdbType: RdbType.ZsetListpack, blob: lp('m', 1, 'n', 2, 'm', 3) },
    { name: 'zset listpack, a score that is not a number', rdbType: RdbType.ZsetListpack, blob: lp('m', '1.5', 'n', 'nan') },
    { name: 'zset listpack, scores in every accepted form', rdbType: RdbType.ZsetListpack, blob: lp('a', 'inf', 'b', '-1e3', 'c', '0x10', 'd', ' 7', 'e', '12.') },
    { name: 'zset ziplist, an empty score', rdbType: RdbType.ZsetZiplist, blob: zl('m', '') },
    { name: 'listpack, a broken backlen', rdbType: RdbType.HashListpack, blob: backlenBroken },
    { name: 'listpack, a field twice before a broken backlen', rdbType: RdbType.HashListpack, blob: twiceThenBroken },
    { name: 'intset, a value twice', rdbType: RdbType.SetIntset, blob: intsetTwice },
    { name: 'list ziplist, cut short', rdbType: RdbType.ListZiplist, blob: zl('a', 'b').subarray(0, 12) },
  ];
}

describe('a blob the load refuses is refused as the element-by-element load refuses it', () => {
  for (const { name, rdbType, blob } of damaged()) {
    it(name, () => {
      const keys = [
        { rdbType: RdbType.SetIntset, key: 'before', blob: encodeIntset([1, 2]) },
        { rdbType, key: 'damaged', blob },
        { rdbType: RdbType.SetIntset, key: 'after', blob: encodeIntset([3]) },
      ];
      const { file, offsets } = rdbFile(keys);
      const eager = load(file, false);
      for (const split of [whole, byteByByte, noisy(randomSplits(7, 5))]) {
        const lazy = load(file, true, split);
        if (eager.error === null) {
          expect(lazy.error).toBeNull();
          expect(render(lazy.dataset)).toEqual(render(eager.dataset));
          continue;
        }
        const e = lazy.error as RdbtoolError;
        const want = eager.error as RdbtoolError;
        expect(e).toBeInstanceOf(RdbtoolError);
        expect({ name: e.name, code: e.code, message: e.message, file: e.file, offset: e.offset, expected: e.expected, found: e.found, context: e.context }).toEqual({
          name: want.name,
          code: want.code,
          message: want.message,
          file: want.file,
          offset: want.offset,
          expected: want.expected,
          found: want.found,
          context: want.context,
        });
        // At the damaged key's record, inside it or at its end (where the decoder reports a
        // score that is not a number), never before it nor past it.
        expect(e.file).toBe('test.rdb');
        expect(e.offset).toBeGreaterThanOrEqual(offsets[1]);
        expect(e.offset).toBeLessThanOrEqual(offsets[2]);
        // What was loaded before the damage is there, kept whole or not.
        expect(lazy.dataset.db(0).sortedKeys()).toEqual(eager.dataset.db(0).sortedKeys());
        expect(render(lazy.dataset)).toEqual(render(eager.dataset));
      }
    });
  }
  it('some of these blobs are refused and some loaded', () => {
    const outcomes = damaged().map(({ rdbType, blob }) => load(rdbFile([{ rdbType, key: 'k', blob }]).file, false).error === null);
    expect(outcomes.filter((ok) => ok).length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((ok) => !ok).length).toBeGreaterThanOrEqual(10);
  });
});

describe('a list of several quicklist nodes: the first kept whole, the others added element by element', () => {
  const lp = (...items: string[]) => ({ plain: false, bytes: encodeListpack(items.map((x) => bytes(x))) });
  const plain = (x: string) => ({ plain: true, bytes: bytes(x) });
  const many = Array.from({ length: 100 }, (_, i) => `item-${i}`);
  const cases: [string, { plain: boolean; bytes: Uint8Array }[]][] = [
    ['one node', [lp('a', 'b', '12')]],
    ['two packed nodes', [lp('a', 'b'), lp('c', '-5')]],
    ['two packed nodes, past a pack together', [lp(...many), lp(...many)]],
    ['a plain node first', [plain('p'.repeat(100)), lp('a', 'b')]],
    ['a plain node between packed ones', [lp('a'), plain('p'), lp('b', 'c')]],
    ['an empty node first', [lp(), lp('a')]],
    ['only an empty node', [lp()]],
  ];
  for (const [name, nodes] of cases) {
    it(name, () => {
      const { file } = rdbFile([{ rdbType: RdbType.ListQuicklist2, key: 'list', nodes }]);
      const eager = load(file, false);
      expect(eager.error).toBeNull();
      for (const split of [whole, byteByByte]) {
        const lazy = load(file, true, split);
        expect(lazy.error).toBeNull();
        const v = lazy.dataset.db(0).get('list');
        if (nodes.length === 1 && nodes[0].bytes.length > 7) expect(v !== undefined && pending(v)).toBe(true);
        expect(render(lazy.dataset)).toEqual(render(eager.dataset));
      }
      const ours = eager.dataset.db(0).get('list') as ListValue | undefined;
      const want = nodes.flatMap((n) => (n.plain ? [n.bytes] : rdbBlobElements(RdbType.ListQuicklist2, toByteString(n.bytes)).items.map(bytes)));
      expect(ours?.toArray() ?? []).toEqual(want.map((b) => toByteString(b)));
    });
  }
});
