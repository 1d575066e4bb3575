/**
 * The per-key digests of `diff`: the RDB digester (from the decoder's events, no value built)
 * gives, key for key, the digests the dataset gives once the same file is loaded into it — on
 * every fixture, every readable corpus file, and random datasets written in several RDB
 * versions and encodings; the same data stored differently (ziplists, listpacks, intsets, hash
 * tables, quicklists) digests the same; and each visible change moves exactly the part it
 * belongs to (value, expiry, field TTLs, stream groups), while insertion order, encodings and
 * consumers' seen times move nothing.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey as k } from '../../src/dataset/stream-id.js';
import type { Value } from '../../src/dataset/value.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { KeyParts } from '../../src/diff/key-parts.js';
import { valueParts } from '../../src/diff/value-parts.js';
import { createKeyFilter } from '../../src/pipeline/filters.js';
import { describeCorpus, FIXTURES, fixtureRdbs, goodCorpusRdbs, RUN_CORPUS } from '../helpers/files.js';
import { randomDataset } from '../helpers/random-dataset.js';
import { byId, datasetRecords, idOf, partsOf, rdbRecords, type ParsedRecord } from './records.js';

/** Expects two record lists to hold the same keys with the same parts. */
function expectSameDigests(got: readonly ParsedRecord[], want: readonly ParsedRecord[], label: string): void {
  const g = byId(got);
  const w = byId(want);
  expect(g.size, `${label}: keys`).toBe(w.size);
  for (const [id, r] of w) {
    const x = g.get(id);
    expect(x, `${label}: ${id} missing`).toBeDefined();
    expect(partsOf(x!), `${label}: ${id} (${r.type})`).toEqual(partsOf(r));
  }
}

async function fileDigestsAgree(file: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(file));
  const { records, digester } = await rdbRecords(bytes);
  const { dataset, stats } = await loadRdb(bytesSource(bytes, path.basename(file)));
  expect(digester.emptySkipped).toBe(stats.emptyKeysSkipped);
  expectSameDigests(records, await datasetRecords(dataset), path.basename(file));
  expect([...digester.functions].sort()).toHaveLength(dataset.functions.size);
}

describe('RDB digests equal the digests of the loaded dataset', () => {
  const files = [...fixtureRdbs(), path.join(FIXTURES, 'derived', 'function-pre-ga.rdb')];
  it('finds the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(7));
  for (const file of files) it(path.basename(file), () => fileDigestsAgree(file));
});

describeCorpus('RDB digests equal the digests of the loaded dataset: corpus', () => {
  const files = RUN_CORPUS ? goodCorpusRdbs() : [];
  it('finds the corpus files', () => expect(files.length).toBeGreaterThan(50));
  for (const file of files) it(`${path.basename(path.dirname(file))}/${path.basename(file)}`, () => fileDigestsAgree(file));
});

/** The RDB bytes of a dataset in one version, with encoding limits. */
async function rdbOf(ds: Dataset, rdbVersion: number, limits?: Parameters<typeof writeDatasetRdb>[2]['limits']): Promise<Uint8Array> {
  const sink = memorySink();
  await writeDatasetRdb(ds, sink, { rdbVersion, limits, unsupported: 'skip', keyOrder: 'sorted' });
  return sink.bytes();
}

describe('the same data in other versions and encodings digests the same', () => {
  const FORCE_LARGE = { hashMaxEntries: 0, zsetMaxEntries: 0, setMaxIntsetEntries: 0, setMaxListpackEntries: 0, listMaxSize: 1 };
  const FORCE_SMALL = { hashMaxEntries: 100000, hashMaxValue: 100000, zsetMaxEntries: 100000, zsetMaxValue: 100000, setMaxIntsetEntries: 100000, setMaxListpackEntries: 100000, setMaxListpackValue: 100000, listMaxSize: -5 };
  for (const seed of [1, 2, 3]) {
    it(`random dataset ${seed}: RDB 10, 11 and 12, small and large encodings, and the dataset itself`, async () => {
      const ds = randomDataset(seed, { keys: 120, fieldTtls: false, functions: true, nowMs: 1_700_000_000_000 });
      const want = await datasetRecords(ds);
      for (const version of [10, 11, 12]) {
        for (const [name, limits] of [['default', undefined], ['large', FORCE_LARGE], ['small', FORCE_SMALL]] as const) {
          const bytes = await rdbOf(ds, version, limits);
          const { records } = await rdbRecords(bytes);
          expectSameDigests(records, want, `RDB ${version}, ${name} encodings`);
          // The file loaded into a dataset: the same again.
          expectSameDigests(await datasetRecords((await loadRdb(bytesSource(bytes))).dataset), want, `RDB ${version} loaded`);
        }
      }
    });
  }

  it('ziplists and zipmaps (RDB 6 and 9) digest as listpacks do, streams left aside', async () => {
    const ds = randomDataset(7, { keys: 150, nowMs: 1_700_000_000_000 });
    for (const d of ds.dbIndexes()) for (const key of [...ds.peekDb(d)!.keys()]) if ((ds.peekDb(d)!.get(key) as { type?: string }).type === 'stream') ds.peekDb(d)!.delete(key);
    const want = await datasetRecords(ds);
    for (const version of [6, 9]) {
      const { records } = await rdbRecords(await rdbOf(ds, version));
      expectSameDigests(records, want, `RDB ${version}`);
    }
  });

  it('hash field TTLs (RDB 12: listpackex and hashtable with metadata) digest as in the dataset', async () => {
    const ds = randomDataset(21, { keys: 150, fieldTtls: true, nowMs: 1_700_000_000_000 });
    const want = await datasetRecords(ds);
    expect(want.some((r) => r.type === 'hash' && r.meta !== null)).toBe(true);
    for (const limits of [undefined, FORCE_LARGE, FORCE_SMALL]) {
      const { records } = await rdbRecords(await rdbOf(ds, 12, limits));
      expectSameDigests(records, want, 'RDB 12');
    }
  });

  it('the encoding is recorded only when asked, as the file stores it', async () => {
    const ds = new Dataset();
    ds.db(0).add('s', SetValue.from(['1', '2', '3'])!);
    ds.db(0).add('n', '12345');
    const small = (await rdbRecords(await rdbOf(ds, 10), { encodings: true })).records;
    const large = (await rdbRecords(await rdbOf(ds, 10, FORCE_LARGE), { encodings: true })).records;
    const plain = (await rdbRecords(await rdbOf(ds, 10))).records;
    const enc = (rs: ParsedRecord[]) => Object.fromEntries(rs.map((r) => [r.key.toString(), r.encoding]));
    expect(enc(small)).toEqual({ s: 'intset', n: 'int' });
    expect(enc(large)).toEqual({ s: 'hashtable', n: 'int' });
    expect(enc(plain)).toEqual({ s: undefined, n: undefined });
    expect((await datasetRecords(ds, true)).map((r) => r.encoding).sort()).toEqual(['int', 'intset']);
  });

  it('filters leave keys out before their value is read, in both digesters', async () => {
    const ds = randomDataset(4, { keys: 80, nowMs: 1_700_000_000_000 });
    const filter = createKeyFilter({ dbs: [0], types: ['hash', 'string'], match: 'k:*' })!;
    const { records, digester } = await rdbRecords(await rdbOf(ds, 11), { filter });
    const want = (await datasetRecords(ds)).filter((r) => r.db === 0 && (r.type === 'hash' || r.type === 'string') && r.key.toString('latin1').startsWith('k:'));
    expect(want.length).toBeGreaterThan(5);
    expectSameDigests(records, want, 'filtered');
    expect(digester.filtered).toBe(ds.keyCount - want.length);
  });
});

describe('each visible change moves its part, and only it', () => {
  const parts = (v: Value) => {
    const p = new KeyParts();
    valueParts(v, p);
    return { type: p.type, value: `${p.v1}/${p.v2}`, meta: p.hasMeta ? `${p.m1}/${p.m2}` : null };
  };

  it('sets, hashes and sorted sets: any insertion order gives the same parts; a member, field or score change moves the value', () => {
    const items = Array.from({ length: 40 }, (_, i) => `m${i}`);
    expect(parts(SetValue.from(items)!)).toEqual(parts(SetValue.from([...items].reverse(), 0, true)!));
    expect(parts(SetValue.from(items)!).value).not.toBe(parts(SetValue.from([...items.slice(1), 'other'])!).value);
    const h = (pairs: [string, string][]) => {
      const x = new HashValue();
      for (const [f, v] of pairs) x.set(f, v);
      return x;
    };
    const pairs = items.map((m, i): [string, string] => [m, `v${i}`]);
    expect(parts(h(pairs))).toEqual(parts(h([...pairs].reverse())));
    expect(parts(h(pairs)).value).not.toBe(parts(h(pairs.map(([f, v], i) => [f, i === 3 ? 'changed' : v]))).value);
    // A field and a value swapped between two pairs is another hash.
    expect(parts(h([['a', 'b'], ['c', 'd']])).value).not.toBe(parts(h([['a', 'd'], ['c', 'b']])).value);
    const z = (scores: number[]) => ZSetValue.from(items, scores)!;
    const scores = items.map((_, i) => i / 3);
    expect(parts(z(scores))).toEqual(parts(ZSetValue.from([...items].reverse(), [...scores].reverse())!));
    expect(parts(z(scores)).value).not.toBe(parts(z(scores.map((s, i) => (i === 5 ? s + 1e-9 : s)))).value);
  });

  it('lists: order counts; types are told apart', () => {
    expect(parts(ListValue.from(['a', 'b'])).value).not.toBe(parts(ListValue.from(['b', 'a'])).value);
    const list = parts(ListValue.from(['a', 'b']));
    const set = parts(SetValue.from(['a', 'b'])!);
    expect(list.type).not.toBe(set.type);
    expect(parts('ab').value).not.toBe(parts(ListValue.from(['ab'])).value);
    expect(parts(ListValue.from(['ab'])).value).not.toBe(parts(ListValue.from(['a', 'b'])).value);
  });

  it('hash field TTLs move the meta part only', () => {
    const a = new HashValue();
    a.set('f', 'v').set('g', 'w');
    const b = a.clone();
    b.setFieldExpire('f', 1_800_000_000_000);
    const c = a.clone();
    c.setFieldExpire('f', 1_800_000_000_001);
    expect(parts(a).meta).toBeNull();
    expect(parts(b).value).toBe(parts(a).value);
    expect(parts(b).meta).not.toBeNull();
    expect(parts(c).meta).not.toBe(parts(b).meta);
  });

  /** A stream with a group holding two consumers and a PEL. */
  function stream(): StreamValue {
    const s = new StreamValue();
    for (let i = 1; i <= 4; i++) s.append(k(`1-${i}`), ['f', `v${i}`]);
    s.lastId = k('1-4');
    s.firstId = k('1-1');
    s.entriesAdded = 4;
    const g = s.addGroup('g', k('1-2'), 2);
    g.addConsumer('alice', 1000, 1000);
    g.addConsumer('bob', 1000, 1000);
    g.setPending(k('1-1'), 'alice', 500, 1);
    return s;
  }

  it('streams: entries move the value, groups the meta part, consumer seen times nothing', () => {
    const base = parts(stream());
    const entry = stream();
    entry.delete(k('1-4'));
    expect(parts(entry).value).not.toBe(base.value);
    const pel = stream();
    pel.groups.get('g')!.setPending(k('1-1'), 'alice', 501, 1);
    expect(parts(pel).value).toBe(base.value);
    expect(parts(pel).meta).not.toBe(base.meta);
    const seen = stream();
    seen.groups.get('g')!.consumers.get('bob')!.seenTimeMs = 99;
    expect(parts(seen)).toEqual(base);
    const none = stream();
    none.groups.clear();
    expect(parts(none).meta).toBeNull();
    expect(parts(none).value).toBe(base.value);
  });

  it('the key expiry is its own part of a record', async () => {
    const ds = new Dataset();
    ds.db(0).add('a', 'x', 1_800_000_000_000);
    ds.db(0).add('b', 'x');
    const r = byId(await datasetRecords(ds));
    expect(r.get(idOf(0, 'a'))!.expireAtMs).toBe(1_800_000_000_000);
    expect(r.get(idOf(0, 'b'))!.expireAtMs).toBeNull();
    expect(r.get(idOf(0, 'a'))!.value).toBe(r.get(idOf(0, 'b'))!.value);
  });
});
