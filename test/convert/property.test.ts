/**
 * Property tests of the conversion writers: seeded random datasets (every type, small and large
 * forms, binary strings, infinite scores, expiries, streams with groups and pending entries,
 * field TTLs where the form holds them, function libraries) written in each output form and
 * read back with rdbtool's own readers hold the same data; written as RDB 10 they load into a
 * real Redis 7.0 unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convert, type ConvertTo } from '../../src/convert/convert.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { loadNdjson } from '../../src/convert/ndjson-input.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { randomDataset } from '../helpers/random-dataset.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-convert-prop-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
const file = (name: string) => path.join(work, `${n++}-${name}`);

async function rdbDataset(p: string): Promise<Dataset> {
  return (await loadRdb(bytesSource(new Uint8Array(readFileSync(p)), path.basename(p)))).dataset;
}

/** Writes `ds` as an RDB 12 file: the conversions' input. */
async function asRdb12(ds: Dataset): Promise<string> {
  const sink = memorySink();
  await writeDatasetRdb(ds, sink, { rdbVersion: 12 });
  const p = file('source.rdb');
  writeFileSync(p, sink.bytes());
  return p;
}

/** Reads back what a conversion wrote, with rdbtool's reader of that form. */
async function readBack(to: ConvertTo, p: string): Promise<Dataset> {
  if (to === 'rdb') return rdbDataset(p);
  if (to === 'ndjson') return loadNdjson((await import('../../src/io/source.js')).bytesSource(new Uint8Array(readFileSync(p)), path.basename(p)));
  const r = await replayPath(p);
  if (r.error) throw r.error;
  return r.dataset;
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('random datasets written in each form read back identical', () => {
  const forms: { to: ConvertTo; target?: string; targetVersion?: number; fieldTtls: boolean; functions: boolean; restore?: boolean; aofBase?: 'aof' }[] = [
    { to: 'aof', target: 'redis@7.0', fieldTtls: false, functions: true },
    { to: 'aof', target: 'redis@7.4', fieldTtls: true, functions: true },
    { to: 'aof-dir', target: 'redis@7.0', fieldTtls: false, functions: true, aofBase: 'aof' },
    { to: 'resp', target: 'redis@7.0', fieldTtls: false, functions: true },
    { to: 'resp', target: 'redis@7.4', fieldTtls: true, functions: true, restore: true },
    { to: 'ndjson', fieldTtls: true, functions: false },
    { to: 'rdb', targetVersion: 10, fieldTtls: false, functions: true },
    { to: 'rdb', targetVersion: 11, fieldTtls: false, functions: true },
    { to: 'rdb', targetVersion: 12, fieldTtls: true, functions: true },
    { to: 'rdb', targetVersion: 80, fieldTtls: true, functions: true },
    { to: 'hybrid', target: 'redis@7.4', fieldTtls: true, functions: true },
    { to: 'aof-dir', target: 'redis@7.0', fieldTtls: false, functions: true },
  ];
  for (const f of forms) {
    const label = `${f.to}${f.restore ? ' --restore' : ''}${f.aofBase ? ' --aof-base aof' : ''} ${f.target ?? (f.targetVersion ? `RDB ${f.targetVersion}` : '')}`;
    it(`${label}, seeds ${SEEDS.join(' ')}`, async () => {
      for (const seed of SEEDS) {
        const ds = randomDataset(seed, { fieldTtls: f.fieldTtls, functions: f.functions });
        const input = await asRdb12(ds);
        const out = file(f.to === 'aof-dir' ? 'dir' : f.to === 'rdb' ? 'out.rdb' : f.to === 'ndjson' ? 'out.ndjson' : 'out.aof');
        const res = await convert(input, out, { to: f.to, target: f.target, targetVersion: f.targetVersion, restore: f.restore, aofBase: f.aofBase });
        expect(res.keys, `seed ${seed}`).toBe(ds.keyCount);
        const back = await readBack(f.to, out);
        expect(datasetDiff(ds, back), `${label} seed ${seed}`).toEqual([]);
        if (f.to !== 'ndjson') expect([...back.functions.entries()].length, `seed ${seed}`).toBe([...ds.functions.entries()].length);
        // The comparison sees a difference when there is one.
        back.db(0).add(`extra-${seed}`, 'x');
        expect(datasetDiff(ds, back)).not.toEqual([]);
      }
    });
  }
});

describe('random datasets written as RDB 10 load into Redis 7.0 unchanged', () => {
  beforeAll(() => requireRedisServer());
  it(`seeds ${SEEDS.join(' ')}`, async () => {
    for (const seed of SEEDS) {
      const ds = randomDataset(seed, { functions: true });
      const input = await asRdb12(ds);
      const out = file('server.rdb');
      await convert(input, out, { to: 'rdb', targetVersion: 10 });
      const server = await startRedis({ rdbFile: out });
      try {
        await server.client.call('SAVE');
        const held = await rdbDataset(server.dumpPath);
        expect(datasetDiff(ds, held), `seed ${seed}`).toEqual([]);
        expect([...held.functions.entries()].map(([name]) => name).sort()).toEqual([...ds.functions.entries()].map(([name]) => name).sort());
      } finally {
        await server.stop();
      }
    }
  });
});
