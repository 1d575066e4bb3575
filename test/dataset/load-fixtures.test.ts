/**
 * Every RDB fixture loaded into a dataset holds exactly what the live server held (its truth
 * file), key for key: values in Redis's own order for lists and sorted sets, TTLs, LFU
 * counters, idle times, stream groups, PELs and consumers. The RDB parts of the AOF fixtures (a
 * multi-part base and a hybrid preamble) hold what the decoder reports for them. Large strings
 * delivered in parts come out whole.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRdb, createDatasetLoader } from '../../src/dataset/load-rdb.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { fromByteString } from '../../src/dataset/byte-string.js';
import { bytesSource, openSource } from '../../src/io/source.js';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { records, type TestRecord } from '../helpers/collect.js';
import { FIXTURES, fixtureRdbs } from '../helpers/files.js';
import { renderEntry } from './render.js';
import { canonicalRecord, recordKey as keyOf, truthOf } from '../helpers/truth.js';


describe('RDB fixtures load into the dataset the live server held', () => {
  const files = fixtureRdbs();
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const file of files) {
    for (const inline of [undefined, 1000]) {
      it(`${path.basename(file)}${inline ? ' (strings over 1000 bytes delivered in parts)' : ''}`, async () => {
        const truth = truthOf(file);
        const { dataset, stats, scan } = await loadRdb(await openSource(file), inline ? { limits: { maxInlineValueBytes: inline } } : {});
        expect(scan.end!.checksum).toBe(file.includes('nochecksum') ? 'disabled' : 'ok');
        expect(stats.keys).toBe(truth.length);
        expect(dataset.keyCount).toBe(truth.length);
        const ours = [...dataset.entries()].map(renderEntry);
        // Listed in the truth's order: databases ascending, keys in byte order.
        expect(ours.map(keyOf)).toEqual(truth.map(keyOf));
        for (let i = 0; i < truth.length; i++) {
          const t = truth[i];
          const r = ours[i];
          const { lruIdleSec: ti, ...tRest } = t;
          const { lruIdleSec: ri, ...rRest } = r;
          // Lists and sorted sets must come in the server's own order, unsorted.
          expect(canonicalRecord(rRest, { dropEncoding: true, sortZset: false }), keyOf(t)).toEqual(canonicalRecord(tRest, { dropEncoding: true, sortZset: false }));
          if (ti !== undefined) expect(Math.abs((ri as number) - (ti as number)), `${keyOf(t)} idle`).toBeLessThanOrEqual(2);
          else expect(ri).toBeUndefined();
        }
      });
    }
  }

  it('keeps the function libraries and AUX fields of the file', async () => {
    const file = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    // What the live server listed with FUNCTION LIST WITHCODE.
    const meta = JSON.parse(readFileSync(file.replace(/\.rdb$/, '.meta.json'), 'utf8')) as { functions: { name: string; code: string }[] };
    const decoded = records(readFileSync(file));
    const { dataset } = await loadRdb(await openSource(file));
    expect(meta.functions.length).toBe(2);
    expect(dataset.functions.names()).toEqual(meta.functions.map((f) => f.name).sort());
    for (const f of meta.functions) expect(Buffer.from(dataset.functions.get(f.name)!).toString('utf8')).toBe(f.code);
    expect(Object.fromEntries(dataset.aux.map((a) => [a.name, a.value]))).toEqual(decoded.aux);
    expect(dataset.source).toEqual({ magic: 'REDIS', dialect: 'redis', version: 10 });
  });
});

describe('the RDB parts of the AOF fixtures load into what the decoder reports', () => {
  const base = path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb');
  const hybrid = path.join(FIXTURES, 'aof', 'hybrid.aof');

  /** The decoder's records of the file's RDB part, in a canonical order, without encodings. */
  function expected(file: string): { recs: Record<string, unknown>[]; functions: string[] } {
    const { records: recs, functions } = records(readFileSync(file));
    return { recs: recs.map((r: TestRecord) => canonicalRecord(r, { dropEncoding: true })).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1)), functions };
  }

  function ours(ds: Dataset): Record<string, unknown>[] {
    return [...ds.entries()].map((e) => canonicalRecord(renderEntry(e), { dropEncoding: true })).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  }

  for (const [name, file] of [
    ['multi-part base', base],
    ['hybrid preamble', hybrid],
  ] as const) {
    it(`${name} with loadRdb`, async () => {
      const want = expected(file);
      expect(want.recs.length).toBeGreaterThan(10);
      const { dataset, scan } = await loadRdb(await openSource(file));
      if (file === hybrid) expect(scan.trailingBytes).toBeGreaterThan(0);
      expect(ours(dataset)).toEqual(want.recs);
      expect([...dataset.functions.entries()].map(([, c]) => Buffer.from(c).toString('utf8'))).toEqual(want.functions);
    });
  }

  it('hybrid preamble through scanFile, the RESP tail left to its own handler', async () => {
    const want = expected(hybrid);
    const dataset = new Dataset();
    const loader = createDatasetLoader(dataset);
    let commands = 0;
    const scan = await scanFile(bytesSource(readFileSync(hybrid), 'hybrid.aof'), { rdb: loader, aof: { command: () => void commands++ } });
    expect(scan.problem).toBeNull();
    expect(scan.content).toBe('hybrid');
    expect(commands).toBeGreaterThan(0);
    expect(loader.stats.checksum).toBe('ok');
    expect(ours(dataset)).toEqual(want.recs);
  });

  it('a dataset keeps its own copies: the bytes of the file can be overwritten afterwards', async () => {
    const bytes = new Uint8Array(readFileSync(base));
    const want = expected(base);
    const { dataset } = await loadRdb(bytesSource(bytes, 'base.rdb', 64));
    bytes.fill(0);
    expect(ours(dataset)).toEqual(want.recs);
    const [first] = dataset.entries();
    expect(fromByteString(first.key).length).toBe(first.key.length);
  });
});
