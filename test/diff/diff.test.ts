/**
 * `diffInputs` on files: the same data in other forms — the AOF fixtures of one server (a plain
 * AOF, a hybrid one, multi-part with an RDB or a RESP base), a fixture converted by rdbtool to
 * an AOF, a hybrid AOF, a multi-part directory and other RDB versions — is identical; the
 * report counts and lists what differs, by database and type, in key order; the worker threads
 * give the same report as this thread; filters, `ignoreTtl` and `encodings` change what is
 * compared; a damaged or unreadable input is a located error, from a worker thread too.
 */
import path from 'node:path';
import os from 'node:os';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffInputs, type DiffOptions } from '../../src/diff/diff.js';
import { convert } from '../../src/convert/convert.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { ListValue } from '../../src/dataset/list.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { FIXTURES } from '../helpers/files.js';

const RDB = (name: string) => path.join(FIXTURES, 'rdb', `${name}.rdb`);
const AOF = (name: string) => path.join(FIXTURES, 'aof', name);

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-diff-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const keyText = (k: Uint8Array) => Buffer.from(k).toString('latin1');

async function diff(a: string, b: string, opts: DiffOptions = {}) {
  return diffInputs(a, b, { threads: 'never', ...opts });
}

describe('the same data in other forms is identical', () => {
  it('the AOF fixtures: plain and multi-part with a RESP base, hybrid and multi-part with an RDB base', async () => {
    for (const [a, b, form] of [
      [AOF('plain.aof'), AOF('resp-multipart/appendonlydir/appendonly.aof.manifest'), 'multipart'],
      [AOF('hybrid.aof'), AOF('rdb-multipart/appendonlydir'), 'multipart'],
    ]) {
      const r = await diff(a, b);
      expect(r.report.identical, b).toBe(true);
      expect(r.report.totals.same).toBe(28);
      expect(r.report.inputs.map((i) => i.form)).toEqual([a.endsWith('hybrid.aof') ? 'hybrid' : 'aof', form]);
      expect(r.differences()).toEqual([]);
    }
  });

  it('filters apply to replayed datasets as to RDB files', async () => {
    const filter = { dbs: [0], types: ['string' as const], match: 'str:*' };
    const r = await diff(AOF('plain.aof'), AOF('resp-multipart/appendonlydir'), { filter });
    expect(r.report.identical).toBe(true);
    const [a, b] = r.report.inputs;
    expect(a.keys).toBeGreaterThan(2);
    expect(a.keys + a.filtered).toBe(28);
    expect([b.keys, b.filtered]).toEqual([a.keys, a.filtered]);
    // The same file converted to an RDB (read as it streams, filtered by the RDB digester)
    // agrees under the same filter.
    const rdb = path.join(work, 'plain-as.rdb');
    await convert(AOF('plain.aof'), rdb, { to: 'rdb', targetVersion: 10 });
    const c = await diff(rdb, AOF('plain.aof'), { filter });
    expect(c.report.identical).toBe(true);
    expect(c.report.inputs[0].keys).toBe(a.keys);
  });

  it('the two AOF fixture sets (two server runs, relative TTLs): only the expiries differ', async () => {
    const r = await diff(AOF('plain.aof'), AOF('hybrid.aof'));
    expect(r.report.identical).toBe(false);
    expect(new Set(r.differences().map((k) => `${k.change}:${k.what.join(',')}`))).toEqual(new Set(['changed:expiry']));
    expect((await diff(AOF('plain.aof'), AOF('hybrid.aof'), { ignoreTtl: true })).report.identical).toBe(true);
  });

  for (const name of ['all-types', 'big-collections', 'lfu', 'lru', 'nocompress-nochecksum', 'empty']) {
    it(`${name}: converted to a hybrid AOF, a multi-part directory and RDB 10, 11 and 12`, async () => {
      const outs: [string, Parameters<typeof convert>[2]][] = [
        [path.join(work, `${name}.hybrid.aof`), { to: 'hybrid' }],
        [path.join(work, `${name}-dir`), { to: 'aof-dir' }],
        [path.join(work, `${name}.10.rdb`), { to: 'rdb', targetVersion: 10 }],
        [path.join(work, `${name}.11.rdb`), { to: 'rdb', targetVersion: 11 }],
        [path.join(work, `${name}.12.rdb`), { to: 'rdb', targetVersion: 12 }],
      ];
      for (const [out, opts] of outs) {
        await convert(RDB(name), out, opts);
        const r = await diff(RDB(name), out);
        expect(r.report.identical, out).toBe(true);
        expect(r.report.totals.same).toBe(r.report.inputs[0].keys);
        expect(r.report.inputs[1].keys).toBe(r.report.inputs[0].keys);
      }
    });
  }

  for (const name of ['big-collections', 'lfu', 'lru', 'nocompress-nochecksum', 'empty']) {
    it(`${name}: converted to a plain AOF (replayed)`, async () => {
      const out = path.join(work, `${name}.aof`);
      await convert(RDB(name), out, { to: 'aof' });
      const r = await diff(RDB(name), out);
      expect(r.report.identical).toBe(true);
      expect(r.report.inputs[1].form).toBe('aof');
    });
  }
});

describe('what differs', () => {
  /** Two datasets: `b` is `a` with one change of each kind. */
  async function pair(): Promise<[string, string]> {
    const a = new Dataset();
    const b = new Dataset();
    for (const ds of [a, b]) {
      for (let i = 0; i < 50; i++) ds.db(0).add(`key:${String(i).padStart(2, '0')}`, `v${i}`);
      ds.db(2).add('list', ListValue.from(['a', 'b', 'c']));
      const h = new HashValue();
      h.set('f', '1').set('g', '2');
      ds.db(0).add('hash', h, 1_900_000_000_000);
    }
    b.db(0).set('key:03', 'changed');
    b.db(0).setExpire('key:04', 1_900_000_000_000);
    b.db(0).delete('key:05');
    b.db(0).add('key:new', 'x');
    b.db(2).replace('list', ListValue.from(['a', 'c', 'b']));
    (b.db(0).get('hash') as HashValue).setFieldExpire('f', 1_950_000_000_000);
    b.db(0).delete('key:06');
    b.db(0).add('key:06', ListValue.from(['v6']));
    const files: string[] = [];
    for (const [name, ds] of [['a', a], ['b', b]] as const) {
      const sink = memorySink();
      await writeDatasetRdb(ds, sink, { rdbVersion: 12 });
      const file = path.join(work, `pair-${name}.rdb`);
      writeFileSync(file, sink.bytes());
      files.push(file);
    }
    return files as [string, string];
  }

  it('added, removed and changed keys with what changed, counted by database and type, in key order', async () => {
    const [a, b] = await pair();
    const r = await diff(a, b, { keysLimit: 3 });
    const rep = r.report;
    expect(rep.identical).toBe(false);
    expect(rep.totals).toEqual({ added: 1, removed: 1, changed: 5, same: 46 });
    expect(rep.byDb).toEqual([
      { db: 0, added: 1, removed: 1, changed: 4 },
      { db: 2, added: 0, removed: 0, changed: 1 },
    ]);
    expect(rep.byType).toEqual([
      { type: 'hash', added: 0, removed: 0, changed: 1 },
      { type: 'list', added: 0, removed: 0, changed: 1 },
      { type: 'string', added: 1, removed: 1, changed: 3 },
    ]);
    const all = r.differences().map((k) => [k.db, keyText(k.key), k.change, k.what.join(',')]);
    expect(all).toEqual([
      [0, 'hash', 'changed', 'fieldExpiry'],
      [0, 'key:03', 'changed', 'value'],
      [0, 'key:04', 'changed', 'expiry'],
      [0, 'key:05', 'removed', ''],
      [0, 'key:06', 'changed', 'type,value'],
      [0, 'key:new', 'added', ''],
      [2, 'list', 'changed', 'value'],
    ]);
    expect(rep.keys.map((k) => keyText(k.key))).toEqual(['hash', 'key:03', 'key:04']);
    expect(rep.keysLimit).toBe(3);
    const typed = r.differences().find((k) => keyText(k.key) === 'key:06')!;
    expect([typed.type, typed.newType]).toEqual(['string', 'list']);
    expect(r.differences(2)).toHaveLength(2);

    // The other way round: added and removed trade places.
    const back = await diff(b, a);
    expect(back.report.totals).toEqual({ added: 1, removed: 1, changed: 5, same: 46 });
    expect(back.differences().find((k) => keyText(k.key) === 'key:new')!.change).toBe('removed');
  });

  it('ignoreTtl leaves expiries and field TTLs out; filters compare a part of the keyspace', async () => {
    const [a, b] = await pair();
    const r = await diff(a, b, { ignoreTtl: true });
    expect(r.differences().map((k) => keyText(k.key))).toEqual(['key:03', 'key:05', 'key:06', 'key:new', 'list']);
    const f = await diff(a, b, { filter: { dbs: [0], types: ['string'], match: 'key:0[3-5]' } });
    expect(f.differences().map((k) => [keyText(k.key), k.change])).toEqual([
      ['key:03', 'changed'],
      ['key:04', 'changed'],
      ['key:05', 'removed'],
    ]);
    expect(f.report.inputs[0].filtered).toBe(52 - 3);
    expect(f.report.options.filter).toEqual({ dbs: [0], types: ['string'], match: 'key:0[3-5]' });
    // key:06 is a string in the first input, a list in the second: the type filter keeps one side.
    const g = await diff(a, b, { filter: { types: ['list'] } });
    expect(g.differences().map((k) => [k.db, keyText(k.key), k.change])).toEqual([
      [0, 'key:06', 'added'],
      [2, 'list', 'changed'],
    ]);
  });

  it('encodings: the same data stored in other encodings differs only with encodings on', async () => {
    const { loadRdb } = await import('../../src/dataset/load-rdb.js');
    const { openSource } = await import('../../src/io/source.js');
    const ds = (await loadRdb(await openSource(RDB('all-types')))).dataset;
    // Small hashes, sets and sorted sets in their large forms.
    const large = path.join(work, 'large-forms.rdb');
    const sink = memorySink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 10, limits: { hashMaxEntries: 0, zsetMaxEntries: 0, setMaxIntsetEntries: 0 } });
    writeFileSync(large, sink.bytes());
    expect((await diff(RDB('all-types'), large)).report.identical).toBe(true);
    const enc = await diff(RDB('all-types'), large, { encodings: true });
    expect(enc.report.identical).toBe(false);
    expect(enc.report.options.encodings).toBe(true);
    expect(new Set(enc.differences().map((k) => k.what.join(',')))).toEqual(new Set(['encoding']));
    expect(enc.report.totals.changed).toBeGreaterThan(10);
    expect(new Set(enc.differences().map((k) => k.type))).toEqual(new Set(['hash', 'set', 'zset']));
  });

  it('function libraries are compared too', async () => {
    const { loadRdb } = await import('../../src/dataset/load-rdb.js');
    const { openSource } = await import('../../src/io/source.js');
    const ds = (await loadRdb(await openSource(RDB('all-types')))).dataset;
    expect(ds.functions.size).toBe(2);
    ds.functions.clear();
    const sink = memorySink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 10 });
    const none = path.join(work, 'no-functions.rdb');
    writeFileSync(none, sink.bytes());
    const d = await diff(RDB('all-types'), none);
    expect(d.report.totals).toEqual({ added: 0, removed: 0, changed: 0, same: 87 });
    expect(d.report.functionsIdentical).toBe(false);
    expect(d.report.identical).toBe(false);
    expect(d.report.inputs.map((i) => i.functions)).toEqual([2, 0]);
  });
});

describe('progress', () => {
  for (const threads of ['never', 'always'] as const) {
    it(`counts the bytes of both inputs together (threads: ${threads})`, async () => {
      const seen: { bytesRead: number; totalBytes: number | undefined }[] = [];
      await diffInputs(RDB('big-collections'), RDB('all-types'), { threads, onProgress: (p) => seen.push(p) });
      const total = readFileSync(RDB('big-collections')).length + readFileSync(RDB('all-types')).length;
      expect(seen.at(-1)).toEqual({ bytesRead: total, totalBytes: total });
    });
  }
});

describe('worker threads', () => {
  it('give the report this thread gives', async () => {
    for (const [a, b] of [
      [RDB('all-types'), RDB('lfu')],
      [RDB('big-collections'), path.join(work, 'big-collections.hybrid.aof')],
      [AOF('plain.aof'), AOF('rdb-multipart/appendonlydir')],
    ]) {
      const here = await diffInputs(a, b, { threads: 'never', keysLimit: 1000 });
      const there = await diffInputs(a, b, { threads: 'always', keysLimit: 1000 });
      const strip = (x: typeof here.report) => ({ ...x, elapsedMs: 0 });
      expect(strip(there.report)).toEqual(strip(here.report));
      expect(there.differences()).toEqual(here.differences());
    }
  });
});

describe('damaged and unreadable inputs', () => {
  function damaged(): { truncated: string; flipped: string } {
    const bytes = readFileSync(RDB('all-types'));
    const truncated = path.join(work, 'truncated.rdb');
    writeFileSync(truncated, bytes.subarray(0, 20000));
    const flipped = path.join(work, 'flipped.rdb');
    const copy = Buffer.from(bytes);
    copy[copy.length - 3] ^= 0xff;
    writeFileSync(flipped, copy);
    return { truncated, flipped };
  }

  for (const threads of ['never', 'always'] as const) {
    it(`a truncated file, a wrong checksum, a cut AOF, a missing file: typed errors naming the file (threads: ${threads})`, async () => {
      const { truncated, flipped } = damaged();
      await expect(diffInputs(RDB('all-types'), truncated, { threads })).rejects.toMatchObject({ code: 'TRUNCATED', file: truncated, offset: expect.any(Number) });
      await expect(diffInputs(flipped, RDB('all-types'), { threads })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', file: flipped, offset: readFileSync(flipped).length - 8 });
      const cut = path.join(work, 'cut.aof');
      const aof = readFileSync(AOF('plain.aof'));
      writeFileSync(cut, aof.subarray(0, aof.length - 10));
      await expect(diffInputs(AOF('plain.aof'), cut, { threads })).rejects.toMatchObject({ code: 'TRUNCATED', file: cut, offset: expect.any(Number) });
      const missing = path.join(work, 'missing.rdb');
      await expect(diffInputs(missing, RDB('lfu'), { threads })).rejects.toMatchObject({ code: 'IO', file: missing });
    });
  }

  it('two stdins are refused', async () => {
    await expect(diffInputs('-', '-')).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('an empty file named *.aof is an AOF without commands', async () => {
    const empty = path.join(work, 'empty.aof');
    writeFileSync(empty, '');
    copyFileSync(RDB('empty'), path.join(work, 'copy-empty.rdb'));
    const r = await diff(empty, path.join(work, 'copy-empty.rdb'));
    expect(r.report.identical).toBe(true);
    expect(r.report.inputs[0].form).toBe('aof');
  });
});
