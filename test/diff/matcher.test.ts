/**
 * The comparison's matcher and table against a plain model (two maps): whatever the key
 * orders, the batch sizes and the interleaving of the two inputs (one after the other, or both
 * at once in any order, with keys added and removed so the streams fall out of step), the keys
 * left over are exactly the added, removed and changed keys, each with the parts that differ;
 * the table grows, shrinks and compacts its records on the way; a key brought twice by one
 * input is refused with the input's name and the key's offset.
 */
import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../src/errors.js';
import { DigestTable, STATE_CHANGED, STATE_FIRST, STATE_SECOND, WHAT, type DigestTableOptions } from '../../src/diff/digest-table.js';
import { DigestMatcher } from '../../src/diff/digest-matcher.js';
import { KeyParts, TYPE_CODE, ENCODING_CODE } from '../../src/diff/key-parts.js';
import { RecordView, RecordWriter, readRecord, type BatchSink } from '../../src/diff/digest-records.js';
import { Rng } from '../helpers/random-dataset.js';

/** A key of the model: its name and parts. */
interface ModelKey {
  db: number;
  key: string;
  type: number;
  encoding: number;
  value: number;
  expireAtMs: number | null;
  meta: number | null;
}

const id = (k: { db: number; key: string }) => `${k.db}/${k.key}`;

/** The records of `keys`, one byte array each (in order). */
function recordsOf(keys: readonly ModelKey[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const v = new RecordView();
  const sink: BatchSink = {
    push(bytes, length) {
      for (let at = 0; at < length; ) {
        readRecord(bytes, at, v);
        out.push(bytes.slice(at, v.partsEnd + 8));
        at = v.partsEnd + 8;
      }
      return bytes;
    },
    drain: () => undefined,
  };
  const w = new RecordWriter(sink);
  const p = new KeyParts();
  keys.forEach((k, i) => {
    p.type = k.type;
    p.encoding = k.encoding;
    p.v1 = k.value;
    p.v2 = k.value ^ 0x5555;
    p.expireAtMs = k.expireAtMs;
    p.hasMeta = k.meta !== null;
    p.m1 = k.meta ?? 0;
    p.m2 = 0;
    w.write(k.db, Buffer.from(k.key, 'latin1'), p, 1000 + i);
  });
  w.flush();
  return out;
}

/** Groups records into batches of random sizes. */
function batches(r: Rng, recs: readonly Uint8Array[], max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < recs.length; ) {
    const n = 1 + r.int(max);
    out.push(Buffer.concat(recs.slice(i, i + n)));
    i += n;
  }
  return out;
}

function shuffle<T>(r: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const TYPES = [TYPE_CODE.string, TYPE_CODE.list, TYPE_CODE.hash, TYPE_CODE.stream];

function randomKey(r: Rng, i: number): ModelKey {
  const type = r.pick(TYPES);
  return {
    db: r.chance(0.8) ? 0 : r.int(20) * 100,
    key: r.chance(0.05) ? `long:${'x'.repeat(200 + r.int(300))}:${i}` : `k:${i}`,
    type,
    encoding: r.int(4),
    value: r.int(2 ** 31),
    expireAtMs: r.chance(0.3) ? 1_800_000_000_000 + r.int(1e6) : null,
    meta: (type === TYPE_CODE.hash || type === TYPE_CODE.stream) && r.chance(0.5) ? r.int(2 ** 31) : null,
  };
}

/** A copy of `k` with one or more parts changed; the parts the model says differ. */
function changeKey(r: Rng, k: ModelKey): ModelKey {
  const c = { ...k };
  switch (r.int(5)) {
    case 0:
      c.value ^= 1;
      break;
    case 1:
      c.expireAtMs = c.expireAtMs === null ? 1_900_000_000_000 : r.chance(0.5) ? null : c.expireAtMs + 1;
      break;
    case 2:
      c.type = c.type === TYPE_CODE.string ? TYPE_CODE.list : TYPE_CODE.string;
      c.meta = null;
      break;
    case 3:
      c.meta = c.type === TYPE_CODE.hash || c.type === TYPE_CODE.stream ? (c.meta === null ? 7 : null) : c.meta;
      c.value ^= c.meta === k.meta ? 2 : 0;
      break;
    default:
      c.encoding = (c.encoding + 1) % 4;
  }
  return c;
}

/** What the model says differs between two versions of a key. */
function modelWhat(a: ModelKey, b: ModelKey, opts: DigestTableOptions): number {
  let w = 0;
  if (a.type !== b.type) w |= WHAT.type | WHAT.value;
  else if (a.value !== b.value) w |= WHAT.value;
  if (!opts.ignoreTtl && a.expireAtMs !== b.expireAtMs) w |= WHAT.expiry;
  if (a.type === b.type && a.meta !== b.meta) {
    if (a.type === TYPE_CODE.hash && !opts.ignoreTtl) w |= WHAT.fieldExpiry;
    if (a.type === TYPE_CODE.stream) w |= WHAT.streamGroups;
  }
  if (opts.encodings && a.encoding !== b.encoding) w |= WHAT.encoding;
  return w;
}

/** Two versions of a keyspace: some keys only in one, some changed. */
function keyspaces(r: Rng, n: number): [ModelKey[], ModelKey[]] {
  const a: ModelKey[] = [];
  const b: ModelKey[] = [];
  for (let i = 0; i < n; i++) {
    const k = randomKey(r, i);
    const roll = r.next();
    if (roll < 0.05) a.push(k);
    else if (roll < 0.1) b.push(k);
    else {
      a.push(k);
      b.push(roll < 0.2 ? changeKey(r, k) : k);
    }
  }
  return [a, b];
}

/** The model's answer: id → [state, what, first type, second type]. */
function modelDiff(a: ModelKey[], b: ModelKey[], opts: DigestTableOptions): Map<string, [number, number, number, number]> {
  const out = new Map<string, [number, number, number, number]>();
  const bm = new Map(b.map((k) => [id(k), k]));
  const am = new Map(a.map((k) => [id(k), k]));
  for (const k of a) {
    const other = bm.get(id(k));
    if (other === undefined) out.set(id(k), [STATE_FIRST, 0, k.type, 0]);
    else {
      const w = modelWhat(k, other, opts);
      if (w !== 0) out.set(id(k), [STATE_CHANGED, w, k.type, w & WHAT.type ? other.type : 0]);
    }
  }
  for (const k of b) if (!am.has(id(k))) out.set(id(k), [STATE_SECOND, 0, k.type, 0]);
  return out;
}

function tableDiff(t: DigestTable): Map<string, [number, number, number, number]> {
  const out = new Map<string, [number, number, number, number]>();
  for (const e of t.entries()) out.set(id({ db: e.db, key: Buffer.from(e.key).toString('latin1') }), [e.state, e.what, e.type, e.what & WHAT.type ? e.type2 : 0]);
  return out;
}

/** Feeds both inputs' batches in a random interleaving; returns the table. */
function run(r: Rng, a: ModelKey[], b: ModelKey[], opts: DigestTableOptions, mode: 'interleaved' | 'sequential', maxBatch: number): DigestTable {
  const table = new DigestTable({ compactMinBytes: 512, ...opts });
  const m = new DigestMatcher(table, ['first.rdb', 'second.rdb']);
  const qa = batches(r, recordsOf(a), maxBatch);
  const qb = batches(r, recordsOf(b), maxBatch);
  let released = 0;
  const given = qa.length + qb.length;
  if (mode === 'sequential') {
    for (const x of qa) m.add(0, x, x.length, () => released++);
    m.end(0);
    for (const x of qb) m.add(1, x, x.length, () => released++);
    m.end(1);
  } else {
    let i = 0;
    let j = 0;
    while (i < qa.length || j < qb.length) {
      // Runs of one side, of random lengths: one input runs ahead, then the other.
      const side = j >= qb.length || (i < qa.length && r.chance(0.5)) ? 0 : 1;
      for (let n = 1 + r.int(6); n > 0; n--) {
        if (side === 0 && i < qa.length) m.add(0, qa[i], qa[i++].length, () => released++);
        if (side === 1 && j < qb.length) m.add(1, qb[j], qb[j++].length, () => released++);
      }
      if (i === qa.length) m.end(0);
      if (j === qb.length) m.end(1);
    }
  }
  expect(released, 'every batch given back').toBe(given);
  return table;
}

describe('matcher and table against the model', () => {
  const cases: [string, DigestTableOptions][] = [
    ['default', {}],
    ['--encodings', { encodings: true }],
    ['--ignore-ttl', { ignoreTtl: true }],
  ];
  for (const [name, opts] of cases) {
    for (const seed of [1, 2, 3, 4]) {
      it(`${name}, seed ${seed}: same key order, shuffled orders, one after the other`, () => {
        const r = new Rng(seed * 31 + name.length);
        const [a, b] = keyspaces(r, 3000);
        const want = modelDiff(a, b, opts);
        expect(want.size).toBeGreaterThan(100);
        // The same key order (the merge path), with keys only in one input in between.
        expect(tableDiff(run(r, a, b, opts, 'interleaved', 40))).toEqual(want);
        // Unrelated orders (the table path).
        expect(tableDiff(run(r, shuffle(r, [...a]), shuffle(r, [...b]), opts, 'interleaved', 40))).toEqual(want);
        // One input read whole before the other.
        expect(tableDiff(run(r, a, shuffle(r, [...b]), opts, 'sequential', 300))).toEqual(want);
      });
    }
  }

  it('counts: identical keys met head to head or in the table; nothing left for identical inputs', () => {
    const r = new Rng(9);
    const keys = Array.from({ length: 5000 }, (_, i) => randomKey(r, i));
    const t1 = run(r, keys, keys, {}, 'interleaved', 50);
    expect(t1.size).toBe(0);
    expect(t1.same).toBe(5000);
    const t2 = run(r, keys, shuffle(r, [...keys]), {}, 'interleaved', 50);
    expect(t2.size).toBe(0);
    expect(t2.same).toBe(5000);
  });

  it('an added key in the same order puts the streams back in step: nearly every key meets head to head', () => {
    const r = new Rng(10);
    const keys = Array.from({ length: 4000 }, (_, i) => randomKey(r, i));
    const b = [...keys.slice(0, 1000), randomKey(r, 99999), ...keys.slice(1000, 3000), ...keys.slice(3001)];
    const table = new DigestTable();
    const put = table.put.bind(table);
    let puts = 0;
    table.put = (...x: Parameters<DigestTable['put']>) => (puts++, put(...x));
    const m = new DigestMatcher(table, ['a', 'b']);
    const ra = Buffer.concat(recordsOf(keys));
    const rb = Buffer.concat(recordsOf(b));
    m.add(0, ra, ra.length);
    m.add(1, rb, rb.length);
    m.end(0);
    m.end(1);
    expect(tableDiff(table)).toEqual(modelDiff(keys, b, {}));
    expect(puts).toBeLessThan(12);
  });
});

describe('table', () => {
  it('lists what is left by database, then key bytes; the first N alike', () => {
    const r = new Rng(12);
    const a = Array.from({ length: 2000 }, (_, i) => ({ ...randomKey(r, i), key: String.fromCharCode(...Array.from({ length: 1 + r.int(6) }, () => r.int(256))) + i }));
    const table = run(r, a, [], {}, 'sequential', 100);
    const all = table.sortedEntries();
    const order = (x: { db: number; key: Uint8Array }, y: { db: number; key: Uint8Array }) => x.db - y.db || Buffer.compare(Buffer.from(x.key), Buffer.from(y.key));
    expect(all.map((e) => id({ db: e.db, key: Buffer.from(e.key).toString('latin1') }))).toEqual([...all].sort(order).map((e) => id({ db: e.db, key: Buffer.from(e.key).toString('latin1') })));
    expect(all).toHaveLength(2000);
    expect(table.sortedEntries(7)).toEqual(all.slice(0, 7));
    expect(table.sortedEntries(600)).toEqual(all.slice(0, 600));
    expect(table.sortedEntries(0)).toEqual([]);
  });

  it('a key brought twice by one input is refused with the input, the key and its offset', () => {
    const k = randomKey(new Rng(3), 1);
    const recs = recordsOf([k, { ...k }]);
    const table = new DigestTable();
    const v = new RecordView();
    readRecord(recs[0], 0, v);
    table.put(0, recs[0], 0, v, 'first.rdb');
    readRecord(recs[1], 0, v);
    let err: unknown;
    try {
      table.put(0, recs[1], 0, v, 'first.rdb');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorruptDataError);
    expect(err).toMatchObject({ code: 'BAD_VALUE', file: 'first.rdb', offset: 1001, reason: 'duplicate key in the input', context: { db: k.db } });
    // The same key from the other input is its match.
    const other = recordsOf([k])[0];
    readRecord(other, 0, v);
    const t2 = new DigestTable();
    const v0 = new RecordView();
    readRecord(recs[0], 0, v0);
    t2.put(0, recs[0], 0, v0, 'a');
    expect(t2.put(1, other, 0, v, 'b')).toBe(true);
    expect(t2.size).toBe(0);
  });

  it('holds a key of 11 bytes in about 50-70 bytes: its record (32) and index slots (16-32)', () => {
    const table = new DigestTable();
    const m = new DigestMatcher(table, ['a', 'b']);
    const keys = Array.from({ length: 200_000 }, (_, i): ModelKey => ({ db: 0, key: `key:${String(i).padStart(7, '0')}`, type: 1, encoding: 0, value: i, expireAtMs: null, meta: null }));
    const all = Buffer.concat(recordsOf(keys));
    m.add(0, all, all.length);
    m.end(1);
    expect(table.size).toBe(200_000);
    const perKey = table.memoryBytes / table.size;
    expect(perKey).toBeGreaterThan(48);
    expect(perKey).toBeLessThan(72);
  });

  it('encoding codes are the export names', () => {
    expect(ENCODING_CODE.listpack).toBeGreaterThan(0);
    expect(new Set(Object.values(ENCODING_CODE)).size).toBe(Object.keys(ENCODING_CODE).length);
  });
});
