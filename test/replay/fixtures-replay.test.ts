/**
 * The AOF fixtures (written by a real Redis 7.0.15, scripts/make-aof-fixtures.ts) replayed
 * through the library hold exactly what the live server held — its truth file, key for key:
 * values in Redis's order for lists and sorted sets, expiry times, stream groups and PELs
 * (consumers' seen/active times aside: a replay sets them to its own clock) — and the same
 * function libraries, source for source. Each fixture is given every way a user can name it
 * (file, directory, manifest); the single files are also fed cut every way (whole, byte by
 * byte, seeded random pieces at noisy offsets, cut at the end of the RDB preamble, large
 * arguments delivered in parts), and the multi-part sets file by file into one dataset: each
 * cut must give the same dataset and the same counts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import type { ByteSource } from '../../src/io/source.js';
import { resolveInput } from '../../src/pipeline/detect.js';
import { replayPath, replaySource, type ReplayResult } from '../../src/replay/replay-input.js';
import { byteByByte, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { FIXTURES } from '../helpers/files.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { canonicalRecord, recordKey } from '../helpers/truth.js';
import { renderEntry } from '../dataset/render.js';

const AOF = path.join(FIXTURES, 'aof');
/** A fixed clock for the runs compared with each other (consumers' seen times come from it). */
const NOW_MS = 1_800_000_000_000;
/** Every stored detail counts when two replays are compared, consumers' times included. */
const EXACT = { consumerTimes: true } as const;

interface Truth {
  dataset: Record<string, unknown>[];
  functions: { name: string; engine: string; code: string }[];
  keysPerDb: Record<string, number>;
  files: { path: string; bytes: number }[];
}

const truthOf = (name: string): Truth => JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as Truth;

/** A record without what a replay cannot reproduce: the RDB encoding and consumers' clock times. */
function canonical(r: Record<string, unknown>): Record<string, unknown> {
  const out = canonicalRecord(r, { dropEncoding: true, sortZset: false });
  if (out.type === 'stream') {
    const v = out.value as { groups: { consumers: Record<string, unknown>[] }[] };
    for (const g of v.groups) {
      for (const c of g.consumers) {
        delete c.seenTimeMs;
        delete c.activeTimeMs;
      }
    }
  }
  return out;
}

const byKey = (rs: Record<string, unknown>[]) => [...rs].sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : recordKey(a) > recordKey(b) ? 1 : 0));

/** The dataset's keys in the truth's form, sorted by db and key. */
const recordsOf = (ds: Dataset) => byKey([...ds.entries()].map((e) => canonical(renderEntry(e))));

/** A source whose chunks are the pieces `split` cuts. */
function splitSource(bytes: Uint8Array, split: Splitter, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    path: undefined,
    async *chunks() {
      for (const piece of split(bytes)) yield piece;
    },
  };
}

/** The libraries of a dataset as the truth lists them (FUNCTION LIST WITHCODE). */
function librariesOf(ds: Dataset): { name: string; code: string }[] {
  return ds.functions.names().map((name) => ({ name, code: Buffer.from(ds.functions.get(name)!).toString('utf8') }));
}

/** What every replay of a fixture must give: no damage, nothing skipped, the live server's keys and libraries. */
function expectTruth(r: ReplayResult, truth: Truth): void {
  expect(r.error).toBeNull();
  expect(r.problem).toBeNull();
  expect(r.replay.skipped).toEqual({});
  expect(r.replay.discardedBlocks).toBe(0);
  expect(recordsOf(r.dataset)).toEqual(byKey(truth.dataset.map(canonical)));
  expect(librariesOf(r.dataset)).toEqual(truth.functions.map(({ name, code }) => ({ name, code })).sort((a, b) => (a.name < b.name ? -1 : 1)));
  const perDb: Record<string, number> = {};
  for (const e of r.dataset.entries()) perDb[e.db] = (perDb[e.db] ?? 0) + 1;
  expect(perDb).toEqual(truth.keysPerDb);
}

const FIXTURE_INPUTS: [name: string, given: string][] = [
  ['plain', path.join(AOF, 'plain.aof')],
  ['hybrid', path.join(AOF, 'hybrid.aof')],
  ['resp-multipart', path.join(AOF, 'resp-multipart')],
  ['resp-multipart', path.join(AOF, 'resp-multipart', 'appendonlydir')],
  ['resp-multipart', path.join(AOF, 'resp-multipart', 'appendonlydir', 'appendonly.aof.manifest')],
  ['rdb-multipart', path.join(AOF, 'rdb-multipart')],
  ['rdb-multipart', path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.manifest')],
];

describe('AOF fixtures replayed equal the live server', () => {
  for (const [name, given] of FIXTURE_INPUTS) {
    it(`${path.relative(AOF, given)}: the truth's keys and libraries`, async () => {
      const r = await replayPath(given);
      expectTruth(r, truthOf(name));
      // After the rewrite the server logged three blocks: the MULTIs in db 2 and db 0, and FCALL's two writes.
      expect(r.replay.transactions).toBe(3);
      // A RESP base holds every key as commands; an RDB base (or preamble) is loaded, not replayed.
      if (name === 'plain' || name === 'resp-multipart') expect(r.load.keys).toBe(0);
      else expect(r.load.keys).toBeGreaterThan(0);
      expect(r.files.map((f) => f.part.role)).toEqual(name.endsWith('multipart') ? ['base', 'incr'] : ['file']);
    });
  }

  it('the four fixtures give one dataset: the plain file and the RESP set, the hybrid file and the RDB set', async () => {
    const [plain, resp, hybrid, rdb] = await Promise.all(
      ['plain.aof', 'resp-multipart', 'hybrid.aof', 'rdb-multipart'].map((g) => replayPath(path.join(AOF, g), { nowMs: NOW_MS })),
    );
    expect(datasetDiff(plain.dataset, resp.dataset, EXACT)).toEqual([]);
    expect(datasetDiff(hybrid.dataset, rdb.dataset, EXACT)).toEqual([]);
    // The two servers ran the same workload: equal apart from the clock (expiry times, delivery times).
    expect(datasetDiff(plain.dataset, hybrid.dataset, { consumerTimes: false, expiry: false })).toEqual([]);
    expect([plain.replay.applied, resp.replay.applied]).toEqual([plain.replay.applied, plain.replay.applied]);
    expect(hybrid.replay.applied).toBe(rdb.replay.applied);
  });
});

describe('single files fed in every cut give the same replay', () => {
  const CUTS: [string, Splitter][] = [
    ['byte by byte', byteByByte],
    ['random pieces (seed 1)', randomSplits(1, 16)],
    ['random pieces (seed 2)', randomSplits(2, 64)],
    ['random pieces (seed 3)', randomSplits(3, 300)],
    ['random pieces at noisy offsets', noisy(randomSplits(4, 40))],
  ];

  for (const name of ['plain', 'hybrid']) {
    const file = path.join(AOF, `${name}.aof`);
    const bytes = new Uint8Array(readFileSync(file));

    it(`${name}.aof whole: the truth, and what replayPath gives`, async () => {
      const r = await replaySource(splitSource(bytes, whole, file), { nowMs: NOW_MS });
      expectTruth(r, truthOf(name));
      const p = await replayPath(file, { nowMs: NOW_MS });
      expect(datasetDiff(p.dataset, r.dataset, EXACT)).toEqual([]);
      expect(r.replay).toEqual(p.replay);
      expect(r.bytes).toBe(bytes.length);
    });

    for (const [cut, split] of CUTS) {
      for (const inline of [undefined, 8]) {
        it(`${name}.aof ${cut}${inline ? `, arguments over ${inline} bytes in parts` : ''}`, async () => {
          const opts = { nowMs: NOW_MS, ...(inline ? { limits: { maxInlineValueBytes: inline } } : {}) };
          const ref = await replaySource(splitSource(bytes, whole, file), { nowMs: NOW_MS });
          const r = await replaySource(splitSource(bytes, split, file), opts);
          expect(r.error).toBeNull();
          expect(datasetDiff(ref.dataset, r.dataset, EXACT)).toEqual([]);
          expect(r.replay).toEqual(ref.replay);
          expect(r.load).toEqual(ref.load);
          expect(librariesOf(r.dataset)).toEqual(librariesOf(ref.dataset));
        });
      }
    }
  }

  it('hybrid.aof cut at the end of its RDB preamble, and one byte either side', async () => {
    const file = path.join(AOF, 'hybrid.aof');
    const bytes = new Uint8Array(readFileSync(file));
    // The hybrid file is the RDB base followed by the incr file of the same set.
    const preamble = readFileSync(path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')).length;
    expect(Buffer.from(bytes.subarray(preamble, preamble + 4)).toString('latin1')).toBe('#TS:');
    const ref = await replaySource(splitSource(bytes, whole, file), { nowMs: NOW_MS });
    for (const at of [preamble - 1, preamble, preamble + 1]) {
      const cutAt: Splitter = (b) => [b.subarray(0, at), b.subarray(at)];
      const r = await replaySource(splitSource(bytes, cutAt, file), { nowMs: NOW_MS });
      expect(r.error, `cut at ${at}`).toBeNull();
      expect(datasetDiff(ref.dataset, r.dataset, EXACT), `cut at ${at}`).toEqual([]);
      expect(r.replay).toEqual(ref.replay);
    }
  });
});

describe('multi-part sets fed file by file into one dataset', () => {
  for (const name of ['resp-multipart', 'rdb-multipart']) {
    it(`${name}: each file in load order, cut in random pieces, gives what the whole set gives`, async () => {
      const dir = path.join(AOF, name);
      const ref = await replayPath(dir, { nowMs: NOW_MS });
      const input = await resolveInput(dir);
      expect(input.parts.map((p) => p.role)).toEqual(['base', 'incr']);
      for (const [seed, split] of [
        [0, whole],
        [5, randomSplits(5, 32)],
        [6, noisy(randomSplits(6, 200))],
      ] as [number, Splitter][]) {
        const dataset = new Dataset();
        let applied = 0;
        let transactions = 0;
        for (const part of input.parts) {
          const bytes = new Uint8Array(readFileSync(part.path));
          const r = await replaySource(splitSource(bytes, split, part.name), { nowMs: NOW_MS, dataset });
          expect(r.error, `${part.name} (seed ${seed})`).toBeNull();
          applied += r.replay.applied;
          transactions += r.replay.transactions;
        }
        expect(datasetDiff(ref.dataset, dataset, EXACT), `seed ${seed}`).toEqual([]);
        expect(librariesOf(dataset)).toEqual(librariesOf(ref.dataset));
        expect([applied, transactions]).toEqual([ref.replay.applied, ref.replay.transactions]);
      }
    });
  }
});
