/**
 * Every RDB of the shared corpus (real files from other projects' test suites), read in place.
 * Files a real Redis 7.4.1 loaded must decode to what that server saw (observed/), allowing
 * for what a server changes on load: keys and hash fields already expired are dropped, empty
 * collections are skipped, encodings are converted. Files Redis refused as corrupt must fail
 * with the matching typed error; files it refused only for a missing module must decode.
 */
import { expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { records, type TestRecord } from '../helpers/collect.js';
import { CORPUS, corpusNames, describeCorpus } from '../helpers/files.js';
import { RdbtoolError } from '../../src/errors.js';

const FOLDERS = ['redis', 'redis-rdb-tools', 'rdb', 'librdb'];
/** The observations were made on 2026-11-24; anything expiring before that day was dropped. */
const OBSERVED_AT = Date.parse('2026-11-24T00:00:00Z');

interface Summary {
  files: Record<string, { loaded: boolean; observedFile?: string; serverLogTail?: string }>;
}

/** Files Redis refuses as corrupt (or unreadable): the code and offset we must report. */
const REFUSED: Record<string, { code: string; offset?: number }> = {
  'redis/corrupt_ziplist.rdb': { code: 'BLOB_CORRUPT' },
  'rdb/zipmap_big_len.rdb': { code: 'BLOB_CORRUPT' },
  'librdb/future_v19.rdb': { code: 'UNSUPPORTED_VERSION', offset: 5 },
  'librdb/invalid_chksum_v8.rdb': { code: 'CHECKSUM_MISMATCH' },
  // The type byte 107 sits at offset 280 (redis-check-rdb prints 281, the offset after reading it).
  'librdb/redis_ent_opcode_ram_lru.rdb': { code: 'UNKNOWN_TYPE', offset: 280 },
};

function cases(): { name: string; file: string; entry: Summary['files'][string]; observed: string | null }[] {
  const out = [];
  for (const folder of FOLDERS) {
    const dir = path.join(CORPUS, folder);
    const names = corpusNames(folder, '.rdb');
    if (names.length === 0) continue;
    const summary = JSON.parse(readFileSync(path.join(dir, 'observed', 'summary.json'), 'utf8')) as Summary;
    for (const f of names) {
      const entry = summary.files[f];
      const obsPath = entry?.observedFile ? path.join(dir, entry.observedFile) : null;
      out.push({ name: `${folder}/${f}`, file: path.join(dir, f), entry, observed: obsPath && existsSync(obsPath) ? readFileSync(obsPath, 'utf8') : null });
    }
  }
  return out;
}

const keyOf = (r: { db: number; key: unknown }) => `${r.db}:${JSON.stringify(r.key)}`;
const sortJson = (a: unknown[]) => [...a].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
const num = (s: unknown) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s) + 0); // + 0 folds -0 into 0

/** Puts one of our records into the shape the observation has (what a server keeps after load). */
function asLoaded(r: TestRecord): unknown {
  switch (r.type) {
    case 'set':
      return sortJson(r.value as unknown[]);
    case 'hash': {
      const expired = new Set((r.fieldExpireAtMs ?? []).filter(([, ms]) => ms < OBSERVED_AT).map(([f]) => JSON.stringify(f)));
      return sortJson((r.value as [unknown, unknown][]).filter(([f]) => !expired.has(JSON.stringify(f))));
    }
    case 'zset':
      return sortJson((r.value as [unknown, unknown][]).map(([m, s]) => [m, num(s)]));
    default:
      return r.value;
  }
}

function observedShape(o: { type: string; value: unknown }): unknown {
  switch (o.type) {
    case 'set':
    case 'hash':
      return sortJson(o.value as unknown[]);
    case 'zset':
      return sortJson((o.value as [unknown, unknown][]).map(([m, s]) => [m, num(s)]));
    default:
      return o.value;
  }
}

/** Compares a stream value field by field, only where the file carries the field. */
function expectStream(ours: Record<string, unknown>, obs: Record<string, unknown>) {
  expect(ours.entries).toEqual(obs.entries);
  expect(ours.length).toBe(obs.length);
  expect(ours.lastGeneratedId).toBe(obs.lastGeneratedId);
  for (const f of ['maxDeletedEntryId', 'entriesAdded', 'recordedFirstEntryId']) if (ours[f] !== undefined) expect(ours[f], f).toEqual(obs[f]);
  const og = ours.groups as Record<string, unknown>[];
  const bg = obs.groups as Record<string, unknown>[];
  expect(og.map((g) => g.name).sort()).toEqual(bg.map((g) => g.name).sort());
  for (const g of og) {
    const b = bg.find((x) => x.name === g.name)!;
    expect(g.lastDeliveredId).toBe(b.lastDeliveredId);
    if (g.entriesRead !== undefined && g.entriesRead !== -1) expect(g.entriesRead).toBe(b.entriesRead);
    expect(g.pending).toEqual(b.pending);
    const oc = (g.consumers as Record<string, unknown>[]).map((c) => ({ name: c.name, seenTimeMs: c.seenTimeMs, pending: c.pending }));
    const bc = (b.consumers as Record<string, unknown>[]).map((c) => ({ name: c.name, seenTimeMs: c.seenTimeMs, pending: c.pending }));
    expect(sortJson(oc)).toEqual(sortJson(bc));
  }
}

describeCorpus('shared corpus', () => {
  const all = cases();
  it('finds the corpus files', () => {
    expect(all.length).toBeGreaterThan(80);
  });

  for (const c of all) {
    it(c.name, () => {
      const bytes = readFileSync(c.file);
      const refusal = REFUSED[c.name];
      if (refusal) {
        let err: unknown;
        try {
          records(bytes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RdbtoolError);
        const e = err as RdbtoolError;
        expect(e.code).toBe(refusal.code);
        expect(e.file).toBe('test.rdb');
        expect(typeof e.offset).toBe('number');
        if (refusal.offset !== undefined) expect(e.offset).toBe(refusal.offset);
        return;
      }
      const { records: ours, summary } = records(bytes);
      expect(summary.end).not.toBeNull();
      if (!c.entry?.loaded || c.observed === null) return; // checked by the specific tests below
      const observed = c.observed
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { db: number; key: unknown; type: string; value: unknown });
      const byKey = new Map(ours.map((r) => [keyOf(r), r]));
      for (const o of observed) {
        const r = byKey.get(keyOf(o));
        expect(r, `key ${keyOf(o)} decoded`).toBeDefined();
        expect(r!.type).toBe(o.type);
        if (o.type === 'stream') expectStream(r!.value as Record<string, unknown>, o.value as Record<string, unknown>);
        else expect(asLoaded(r!), keyOf(o)).toEqual(observedShape(o));
      }
      // Keys we report that the server did not keep must be ones it drops on load.
      const seen = new Set(observed.map(keyOf));
      for (const r of ours) {
        if (seen.has(keyOf(r))) continue;
        const expired = r.expireAtMs !== null && r.expireAtMs < OBSERVED_AT;
        const empty = Array.isArray(r.value) && r.value.length === 0;
        expect(expired || empty, `unexplained extra key ${keyOf(r)}`).toBe(true);
      }
    });
  }
});

describeCorpus('corpus files Redis 7.4.1 could not load', () => {
  const load = (name: string) => records(readFileSync(path.join(CORPUS, name)));

  it('reports the module name of module values', () => {
    const { records: rs } = load('redis-rdb-tools/redis_40_with_module.rdb');
    const foo = rs.find((r) => r.key === 'foo')!;
    expect(foo.type).toBe('module');
    expect((foo.value as { module: string }).module).toBe('ReJSON-RL');
    // The README mentions a key "bar"; the file holds "simplekey" (RESIZEDB 2 0) and 40 bytes after the trailer.
    expect(rs.map((r) => r.key)).toEqual(['simplekey', 'foo']);
    expect(load('redis-rdb-tools/redis_40_with_module.rdb').summary.trailingBytes).toBe(40);
    const m = load('librdb/module.rdb').records.find((r) => r.type === 'module')!;
    expect((m.value as { module: string }).module).toBe('test__rdb');
  });

  it('skips module AUX payloads and keeps the keys after them', () => {
    expect(load('redis-rdb-tools/redis_60_with_module_aux.rdb').records).toEqual([]);
    const misc = load('librdb/misc_with_stream.rdb').records;
    expect(misc.length).toBe(12);
    expect(misc.some((r) => r.type === 'stream')).toBe(true);
  });

  it('reads the Valkey HASH_2 file with its field TTLs (FORMATS.md §10.8)', () => {
    const { records: rs, summary, aux } = load('rdb/valkey_hash2_with_hfe.rdb');
    expect(summary.header).toEqual({ magic: 'VALKEY', dialect: 'valkey', version: 80 });
    expect(summary.end!.checksum).toBe('ok');
    expect(aux['valkey-ver']).toBe('9.0.1');
    expect(rs).toEqual([
      {
        db: 0,
        key: 'hash2-hfe',
        type: 'hash',
        encoding: 'hashtable',
        expireAtMs: null,
        value: [
          ['F1', 'V1'],
          ['F2', 'V2'],
          ['F3', 'V3'],
        ],
        fieldExpireAtMs: [
          ['F1', 2715785640000],
          ['F2', 2400425640000],
        ],
      },
    ]);
  });

  it('reads the RDB 13 stream with IDMP state (FORMATS.md §10.7)', () => {
    const { records: rs, summary } = load('librdb/stream_v13_idmp.rdb');
    expect(summary.end!.checksum).toBe('ok');
    expect(rs).toHaveLength(1);
    const v = rs[0].value as Record<string, unknown>;
    expect(rs[0].key).toBe('stream_lp1_cg2_pel1_prod2_ent1');
    expect(v.length).toBe(3);
    expect(v.lastGeneratedId).toBe('1771945454291-2');
    expect(v.recordedFirstEntryId).toBe('1771945454291-0');
    expect(v.entriesAdded).toBe(3);
    expect((v.entries as unknown[]).length).toBe(3);
    const groups = v.groups as { name: string; pending: unknown[]; consumers: { name: string }[] }[];
    expect(groups.map((g) => g.name)).toEqual(['group1', 'group2']);
    expect(groups[0].consumers[0].name).toBe('consumer1_1');
    const big = load('librdb/stream_v13.rdb');
    expect(big.records).toHaveLength(49);
    expect(big.summary.end!.checksum).toBe('ok');
  });
});
