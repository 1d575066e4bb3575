/**
 * Every AOF of the shared corpus (read in place; skipped without it), replayed: the dataset
 * equals what a real Redis 7.4.1 held after loading the same file (the corpus's
 * `observed/*.aof.ndjson`, once what had expired on the day of the observation is dropped, as
 * that server dropped it), and — for the files Redis 7.0 can load, the ones without 7.4's
 * hash-field commands — what a Redis 7.0 holds after starting on the file as its
 * `appendonly.aof` (its SAVE, read back). The 7.4 files are refused by 7.0 for the unknown
 * command, which is why the 7.4.1 observation is their oracle. Each file is also fed byte by
 * byte and in random pieces, for the same dataset.
 */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../../src/dataset/dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { replayPath, replaySource } from '../../src/replay/replay-input.js';
import { byteByByte, noisy, randomSplits, type Splitter } from '../helpers/collect.js';
import { CORPUS, corpusNames, describeCorpus } from '../helpers/files.js';
import { requireRedisServer } from '../helpers/redis.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { recordKey, sortJson } from '../helpers/truth.js';
import { renderEntry } from '../dataset/render.js';
import { loadInServer } from './server-load.js';

/** The day of the corpus's observations (its README): keys and fields expired by then were gone. */
const OBSERVED_AT = Date.parse('2026-11-24T00:00:00Z');

/** The corpus's AOF files, by folder. */
const FILES = [...corpusNames('rdb', '.aof').map((f) => `rdb/${f}`), ...corpusNames('redis', '.aof').map((f) => `redis/${f}`)];

/** Files whose commands Redis 7.0 knows (the others use HPEXPIREAT/HPERSIST, Redis 7.4+). */
const LOADS_IN_70 = new Set(['rdb/memory.aof', 'rdb/memory_regex.aof', 'redis/rdb-preamble.aof']);

/** What each file holds besides its keys, from the corpus README: the key count and an expired key kept while loading. */
const EXPECTED: Record<string, { keys: number; expiredKeys: string[]; preamble: boolean }> = {
  'rdb/hash_as_listpack_with_hfe.aof': { keys: 1, expiredKeys: [], preamble: false },
  'rdb/hash_with_hfe.aof': { keys: 1, expiredKeys: [], preamble: false },
  'rdb/memory.aof': { keys: 7, expiredKeys: ['e'], preamble: false },
  'rdb/memory_regex.aof': { keys: 2, expiredKeys: [], preamble: false },
  'rdb/valkey_hash2_with_hfe.aof': { keys: 1, expiredKeys: [], preamble: false },
  'redis/rdb-preamble.aof': { keys: 3, expiredKeys: [], preamble: true },
};

const num = (s: unknown) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s) + 0);

/** A record as the observation writes it, without the in-memory encoding: sets and hashes sorted, scores as numbers. */
function observedShape(r: Record<string, unknown>): Record<string, unknown> {
  const { encoding: _encoding, ...out } = r;
  if (out.type === 'set' || out.type === 'hash') out.value = sortJson(out.value as unknown[]);
  if (out.type === 'zset') out.value = (out.value as [unknown, unknown][]).map(([m, s]) => [m, num(s)]);
  if (out.fieldExpireAtMs) out.fieldExpireAtMs = sortJson(out.fieldExpireAtMs as unknown[]);
  return out;
}

const byKey = (rs: Record<string, unknown>[]) => [...rs].sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : recordKey(a) > recordKey(b) ? 1 : 0));

function observedOf(name: string): Record<string, unknown>[] {
  const [folder, file] = name.split('/');
  return readFileSync(path.join(CORPUS, folder, 'observed', `${file}.ndjson`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => observedShape(JSON.parse(l) as Record<string, unknown>));
}

const recordsOf = (ds: Dataset) => byKey([...ds.entries()].map((e) => observedShape(renderEntry(e))));

describeCorpus('corpus AOFs replayed', () => {
  it('finds the six AOF files the README lists', () => {
    expect(FILES).toEqual(Object.keys(EXPECTED));
  });

  for (const name of FILES) {
    const file = path.join(CORPUS, name);

    it(`${name}: what Redis 7.4.1 held after loading it`, async () => {
      const want = EXPECTED[name];
      const r = await replayPath(file);
      expect(r.error).toBeNull();
      expect(r.replay.skipped).toEqual({});
      // Nothing expires while loading: a key whose PEXPIREAT has passed is still there.
      expect(r.dataset.keyCount).toBe(want.keys);
      for (const k of want.expiredKeys) expect(r.dataset.db(0).expireAt(k)).toBeLessThan(OBSERVED_AT);
      expect(r.load.keys > 0).toBe(want.preamble);
      const dropped = await replayPath(file, { dropExpiredAt: OBSERVED_AT });
      expect(dropped.droppedExpired).toEqual({ keys: want.expiredKeys.length, fields: 0 });
      expect(recordsOf(dropped.dataset)).toEqual(byKey(observedOf(name)));
    });

    it(`${name}: the same dataset fed byte by byte and in random pieces`, async () => {
      const bytes = new Uint8Array(readFileSync(file));
      const ref = await replaySource(bytesSource(bytes, name), { nowMs: OBSERVED_AT });
      expect(ref.error).toBeNull();
      for (const split of [byteByByte, randomSplits(9, 50), noisy(randomSplits(10, 400))] as Splitter[]) {
        const pieces = split(bytes);
        const r = await replaySource(
          {
            name,
            size: bytes.length,
            path: undefined,
            async *chunks() {
              yield* pieces;
            },
          },
          { nowMs: OBSERVED_AT, limits: { maxInlineValueBytes: 100 } },
        );
        expect(r.error).toBeNull();
        expect(datasetDiff(ref.dataset, r.dataset, { consumerTimes: true })).toEqual([]);
        expect(r.replay).toEqual(ref.replay);
      }
    });

    if (LOADS_IN_70.has(name)) {
      it(`${name}: what Redis 7.0 holds after starting on it`, async () => {
        requireRedisServer();
        const server = await loadInServer(new Uint8Array(readFileSync(file)));
        if (!server.loaded) throw new Error(`Redis refused ${name}:\n${server.log}`);
        expect(server.log).toMatch(/Successfully migrated an old-style AOF file/);
        // The server may expire a past key between loading and SAVE: compare what is live now.
        const now = Date.now();
        server.dataset.dropExpired(now);
        const r = await replayPath(file, { dropExpiredAt: now });
        expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
        expect(r.dataset.keyCount).toBeGreaterThan(0);
      });
    } else {
      it(`${name}: Redis 7.0 refuses it for a command of Redis 7.4, which the replay applies`, async () => {
        requireRedisServer();
        const server = await loadInServer(new Uint8Array(readFileSync(file)));
        expect(server.loaded).toBe(false);
        expect(server.log).toMatch(/Unknown command '(HPEXPIREAT|HPERSIST)' reading the append only file/);
      });
    }
  }
});
