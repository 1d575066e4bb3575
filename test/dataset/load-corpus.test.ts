/**
 * Every RDB of the shared corpus that decodes (real files from other projects' test suites:
 * Redis 2.x to 8.x and Valkey, zipmaps, ziplists, intsets, listpacks, field TTLs, stream types
 * 15 to 26, modules) loads into a dataset that holds exactly what the decoder reports, key
 * for key — less the empty collections Redis itself skips on load — including the streams'
 * NACK zones and IDMP state.
 */
import { expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { openSource } from '../../src/io/source.js';
import { decode, records, bytesJson } from '../helpers/collect.js';
import type { RdbHandler, StreamGroup, StreamIdmp } from '../../src/model/events.js';
import { describeCorpus, goodCorpusRdbs, RUN_CORPUS } from '../helpers/files.js';
import { bj, renderEntry, renderStream } from './render.js';
import { streamIdText } from '../../src/dataset/stream-id.js';
import { canonicalRecord, recordKey as keyOf } from '../helpers/truth.js';
import { UNKNOWN_ENTRIES_READ, type StreamValue } from '../../src/dataset/stream.js';


const isEmptyCollection = (r: { type: string; value: unknown }) => ['list', 'set', 'zset', 'hash'].includes(r.type) && (r.value as unknown[]).length === 0;

/** NACK zones and IDMP state per stream key, as the decoder reports them. */
function streamExtras(bytes: Uint8Array): Map<string, { nacked: Record<string, string[]>; idmp?: unknown }> {
  const out = new Map<string, { nacked: Record<string, string[]>; idmp?: unknown }>();
  let cur: { nacked: Record<string, string[]>; idmp?: unknown } | null = null;
  const handler: RdbHandler = {
    keyStart: (k) => {
      cur = { nacked: {} };
      if (k.valueType === 'stream') out.set(keyOf({ db: k.db, key: bytesJson(k.key) }), cur);
      return k.valueType === 'stream';
    },
    streamGroup: (g: StreamGroup) => {
      if (g.nacked) cur!.nacked[JSON.stringify(bytesJson(g.name))] = [...g.nacked];
    },
    streamIdmp: (i: StreamIdmp) => {
      cur!.idmp = {
        durationSec: i.durationSec,
        maxEntries: i.maxEntries,
        producers: i.producers.map((p) => ({ pid: bytesJson(p.pid), entries: p.entries.map((e) => ({ iid: bytesJson(e.iid), id: e.id })) })),
        iidsAdded: i.iidsAdded,
        iidsDuplicates: i.iidsDuplicates,
      };
    },
  };
  decode(bytes, handler);
  return out;
}

describeCorpus('shared corpus RDBs load into what the decoder reports', () => {
  const files = RUN_CORPUS ? goodCorpusRdbs() : [];
  it('finds the corpus files', () => expect(files.length).toBeGreaterThan(50));
  for (const file of files) {
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}`, async () => {
      const bytes = readFileSync(file);
      const decoded = records(bytes);
      const want = decoded.records.filter((r) => !isEmptyCollection(r)).map((r) => canonicalRecord(r, { dropEncoding: true }));
      want.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
      const { dataset, stats } = await loadRdb(await openSource(file));
      expect(stats.emptyKeysSkipped).toBe(decoded.records.length - want.length);
      const got = [...dataset.entries({ sorted: false })].map((e) => canonicalRecord(renderEntry(e), { dropEncoding: true }));
      got.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
      expect(got).toEqual(want);
      expect(dataset.functions.size).toBe(new Set(decoded.functions).size);

      const extras = streamExtras(bytes);
      for (const e of dataset.entries()) {
        if (typeof e.value === 'string' || e.value.type !== 'stream') continue;
        const x = extras.get(keyOf(renderEntry(e)))!;
        const rendered = renderStream(e.value, true) as { groups: { name: unknown; nacked?: string[] }[]; idmp?: unknown };
        for (const g of rendered.groups) expect(g.nacked?.slice().sort() ?? null, 'NACK zone').toEqual(x.nacked[JSON.stringify(g.name)]?.slice().sort() ?? null);
        expect(rendered.idmp, 'IDMP').toEqual(x.idmp);
      }
    });
  }
});

/** The streams a real Redis 7.4.1 held after loading each corpus file, where it loaded it (observed/). */
function observedStreams(file: string): Record<string, unknown>[] {
  const dir = path.dirname(file);
  const summaryPath = path.join(dir, 'observed', 'summary.json');
  if (!existsSync(summaryPath)) return [];
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { files: Record<string, { observedFile?: string }> };
  const observed = summary.files[path.basename(file)]?.observedFile;
  if (!observed || !existsSync(path.join(dir, observed))) return [];
  return readFileSync(path.join(dir, observed), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.type === 'stream');
}

describeCorpus('streams hold what Redis derives on load for what older files do not record', () => {
  const files = RUN_CORPUS ? goodCorpusRdbs().filter((f) => observedStreams(f).length > 0) : [];
  it('finds streams a real server loaded, from type-15 files among them', () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const file of files) {
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}`, async () => {
      const { dataset } = await loadRdb(await openSource(file));
      const byKey = new Map([...dataset.entries()].map((e) => [keyOf(renderEntry(e)), e]));
      for (const o of observedStreams(file)) {
        const e = byKey.get(keyOf(o))!;
        expect(e, keyOf(o)).toBeDefined();
        const s = e.value as StreamValue;
        const v = o.value as { length: number; entriesAdded: number; recordedFirstEntryId: string; maxDeletedEntryId: string; groups: { name: unknown; entriesRead: number | null; consumers: { name: unknown; activeTimeMs: number }[] }[] };
        expect({ length: s.length, entriesAdded: s.entriesAdded, first: streamIdText(s.firstId), maxDeleted: streamIdText(s.maxDeletedId) }, keyOf(o)).toEqual({
          length: v.length,
          entriesAdded: v.entriesAdded,
          first: v.recordedFirstEntryId,
          maxDeleted: v.maxDeletedEntryId,
        });
        const groups = new Map([...s.groups.values()].map((g) => [JSON.stringify(bj(g.name)), g]));
        for (const og of v.groups) {
          const g = groups.get(JSON.stringify(og.name))!;
          expect(g.entriesRead, `${keyOf(o)} group entries-read`).toBe(og.entriesRead ?? UNKNOWN_ENTRIES_READ);
          for (const oc of og.consumers) expect(g.consumers.get([...g.consumers.keys()].find((n) => JSON.stringify(bj(n)) === JSON.stringify(oc.name))!)!.activeTimeMs).toBe(oc.activeTimeMs);
        }
      }
    });
  }
});

describeCorpus('empty keys', () => {
  it('redis/corrupt_empty_keys.rdb: nine empty collections skipped, as Redis 7.4.1 logged ("empty keys skipped: 9")', async () => {
    const file = goodCorpusRdbs().find((f) => f.endsWith(`${path.sep}redis${path.sep}corrupt_empty_keys.rdb`))!;
    const { dataset, stats } = await loadRdb(await openSource(file));
    expect(stats).toMatchObject({ keys: 0, emptyKeysSkipped: 9 });
    expect(dataset.keyCount).toBe(0);
  });
});
