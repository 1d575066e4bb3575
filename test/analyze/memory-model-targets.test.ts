/**
 * The memory models of the targets, piece by piece where no server is needed: which model a
 * file gets without `--target` (from its `redis-ver`/`valkey-ver` and RDB version), how
 * `--target` and `--allocator` are read, the size classes of Redis's bundled jemalloc, the
 * score text 7.2+ writes into listpacks, Valkey's sds types and embedded keys. The models
 * themselves are held to the servers by the recordings (memory-recorded.test.ts) and, for
 * Redis 7.0 with jemalloc, by the live test (memory-redis.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { chooseMemoryModel, memoryModel, SERVER_SPECS } from '../../src/analyze/memory/model.js';
import { MODELLED_TARGETS, parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { jemallocSize, jemallocSize8 } from '../../src/analyze/memory/jemalloc.js';
import { formatG17Length, formatShortestLength, listpackScoreEntryBytes, sdsHeaderBytes, valkeySdsHeaderBytes, ziplistEntryBytes, ziplistScoreEntryBytes } from '../../src/analyze/memory/encodings.js';
import { UsageError } from '../../src/errors.js';
import { fixtureRdbs } from '../helpers/files.js';

const auto = parseMemoryTarget(undefined, undefined);
const chosen = (serverName: 'redis' | 'valkey' | null, serverVersion: string | null, rdbVersion: number) => {
  const c = chooseMemoryModel(auto, { serverName, serverVersion, rdbVersion });
  return { id: `${c.model.target.server}@${c.model.target.version}`, reason: c.reason };
};

describe('the target chosen from the file', () => {
  it('the modelled version of the server that wrote it', () => {
    expect(chosen('redis', '7.0.15', 10)).toEqual({ id: 'redis@7.0', reason: 'the file was written by Redis 7.0.15' });
    expect(chosen('redis', '7.2.6', 11).id).toBe('redis@7.2');
    expect(chosen('redis', '7.4.1', 12).id).toBe('redis@7.4');
    expect(chosen('redis', '8.0.2', 12)).toEqual({ id: 'redis@8.0', reason: 'the file was written by Redis 8.0.2' });
    expect(chosen('valkey', '8.0.1', 11)).toEqual({ id: 'valkey@8.0', reason: 'the file was written by Valkey 8.0.1' });
    expect(chosen('valkey', '8.1.1', 11)).toEqual({ id: 'valkey@8.1', reason: 'the file was written by Valkey 8.1.1' });
  });

  it('a version between two modelled ones: the one below it', () => {
    const c = chosen('redis', '7.3.0', 11);
    expect(c.id).toBe('redis@7.2');
    expect(c.reason).toMatch(/Redis 7\.3\.0: redis@7\.2 is the nearest modelled version below it/);
  });

  it('Valkey 7.2 (Redis 7.2.4\'s code) as Redis 7.2', () => {
    expect(chosen('valkey', '7.2.5', 11).id).toBe('redis@7.2');
  });

  it('Redis 6.x: its own model; an older server: the oldest modelled version (6.0)', () => {
    expect(chosen('redis', '6.2.14', 9)).toEqual({ id: 'redis@6.2', reason: 'the file was written by Redis 6.2.14' });
    expect(chosen('redis', '6.0.20', 9).id).toBe('redis@6.0');
    expect(chosen('redis', '6.1.0', 9).id).toBe('redis@6.0');
    for (const [version, rdb] of [['5.0.14', 9], ['4.0.14', 8], ['3.2.12', 7]] as const) {
      const c = chosen('redis', version, rdb);
      expect(c.id, version).toBe('redis@6.0');
      expect(c.reason).toMatch(/older than every modelled version: redis@6\.0, the oldest/);
    }
  });

  it('a newer server: the newest modelled version that reads its RDB version', () => {
    const c = chosen('redis', '8.2.1', 12);
    expect(c.id).toBe('redis@8.0');
    expect(c.reason).toMatch(/newer than every modelled version of it: redis@8\.0, the newest modelled version that reads RDB 12/);
    expect(chosen('redis', '7.4.0', 11).id).toBe('redis@7.4');
    expect(chosen('valkey', '8.2.0', 11).id).toBe('valkey@8.1');
  });

  it('Valkey 9 (RDB 80, which no modelled version reads): the newest Valkey, saying so', () => {
    const c = chosen('valkey', '9.0.0', 80);
    expect(c.id).toBe('valkey@8.1');
    expect(c.reason).toMatch(/no modelled version reads RDB 80: valkey@8\.1/);
  });

  it('no server named: the newest Redis that reads the RDB version; an AOF of commands: the newest', () => {
    expect(chosen(null, null, 10).id).toBe('redis@8.0');
    expect(chosen(null, null, 10).reason).toMatch(/does not name its server/);
    expect(chosen(null, null, 0).id).toBe('redis@8.0');
  });

  it('a file no modelled version reads: the newest, saying so', () => {
    const c = chosen('redis', '8.4.0', 13);
    expect(c.id).toBe('redis@8.0');
    expect(c.reason).toMatch(/no modelled version reads RDB 13/);
  });

  it('--target wins over the file; the allocator is kept', () => {
    const c = chooseMemoryModel(parseMemoryTarget('valkey@8.0.1', 'libc'), { serverName: 'redis', serverVersion: '7.0.15', rdbVersion: 10 });
    expect(c.model.target).toEqual({ server: 'valkey', version: '8.0', allocator: 'libc' });
    expect(c.reason).toBe('named by --target');
  });

  it('every modelled target has a model, and each model reads the RDB versions of its server', () => {
    expect(SERVER_SPECS.map((s) => `${s.server}@${s.version}`)).toEqual(MODELLED_TARGETS);
    const reads: Record<string, number> = { 'redis@6.0': 9, 'redis@6.2': 9, 'redis@7.0': 10, 'redis@7.2': 11, 'redis@7.4': 12, 'redis@8.0': 12, 'valkey@8.0': 11, 'valkey@8.1': 11 };
    for (const t of MODELLED_TARGETS) {
      const [server, version] = t.split('@') as ['redis' | 'valkey', string];
      expect(memoryModel({ server, version, allocator: 'jemalloc' }).maxRdbVersion, t).toBe(reads[t]);
    }
  });

  it('the report names the target and why (a fixture written by 7.0.15)', async () => {
    const { report } = await analyzeMemory(fixtureRdbs()[0], { target: auto, top: 0, depth: 0 });
    expect(report.target).toEqual({ server: 'redis', version: '7.0', allocator: 'jemalloc' });
    expect(report.targetReason).toMatch(/^the file was written by Redis 7\.0\./);
    const named = await analyzeMemory(fixtureRdbs()[0], { target: parseMemoryTarget('redis@7.4', 'libc'), top: 0, depth: 0 });
    expect(named.report.target).toEqual({ server: 'redis', version: '7.4', allocator: 'libc' });
    expect(named.report.targetReason).toBe('named by --target');
    expect(named.report.totals.keysBytes).not.toBe(report.totals.keysBytes);
  });
});

describe('--target and --allocator', () => {
  it('takes a patch version and any case; refuses what is not modelled', () => {
    expect(parseMemoryTarget('Redis@7.2.6', 'jemalloc')).toEqual({ named: { server: 'redis', version: '7.2' }, allocator: 'jemalloc' });
    expect(parseMemoryTarget(undefined, 'libc')).toEqual({ named: null, allocator: 'libc' });
    expect(parseMemoryTarget('redis@6.2.16', undefined)).toEqual({ named: { server: 'redis', version: '6.2' }, allocator: 'jemalloc' });
    expect(() => parseMemoryTarget('redis@5.0', undefined)).toThrow(UsageError);
    expect(() => parseMemoryTarget('redis', undefined)).toThrow(/invalid --target/);
    expect(() => parseMemoryTarget(undefined, 'tcmalloc')).toThrow(/modelled allocators are jemalloc, libc, jemalloc-system/);
  });
});

describe('sizes', () => {
  it('Redis\'s bundled jemalloc (8-byte quantum): 8-byte classes up to 64, then as a 16-byte-quantum jemalloc', () => {
    const small = new Set<number>();
    for (let n = 0; n <= 64; n++) small.add(jemallocSize8(n));
    expect([...small]).toEqual([8, 16, 24, 32, 40, 48, 56, 64]);
    for (let n = 65; n < 1 << 16; n += 7) expect(jemallocSize8(n)).toBe(jemallocSize(n));
    expect(jemallocSize(24)).toBe(32);
  });

  it('a score\'s text: %.17g before 7.2, the shortest that reads back from 7.2 (fpconv\'s notation)', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1.5, '1.5'],
      [-2.25, '-2.25'],
      [1e-5, '0.00001'],
      [1e-7, '1e-7'],
      [123456789.123, '123456789.123'],
      [1.5e21, '1.5e+21'],
      [0.30000000000000004, '0.30000000000000004'],
      [-1e-300, '-1e-300'],
      [1 / 3, '0.3333333333333333'],
    ];
    for (const [x, text] of cases) expect(formatShortestLength(x), String(x)).toBe(text.length);
    expect(formatG17Length(0.1)).toBe('0.10000000000000001'.length);
    expect(listpackScoreEntryBytes(0.1, true)).toBeLessThan(listpackScoreEntryBytes(0.1, false));
    expect(listpackScoreEntryBytes(42, true)).toBe(listpackScoreEntryBytes(42, false));
  });

  it('Valkey\'s sds types end where the type\'s largest allocation does', () => {
    for (const [len, redis, valkey] of [[0, 3, 3], [31, 1, 1], [32, 3, 3], [252, 3, 3], [253, 3, 5], [255, 3, 5], [256, 5, 5], [65530, 5, 5], [65531, 5, 9], [65536, 9, 9]]) {
      expect([len, sdsHeaderBytes(len), valkeySdsHeaderBytes(len)]).toEqual([len, redis, valkey]);
    }
  });

  it('a key costs its dictEntry and sds in Redis, one embedded entry in Valkey 8', () => {
    const redis = memoryModel({ server: 'redis', version: '7.2', allocator: 'jemalloc' });
    const valkey = memoryModel({ server: 'valkey', version: '8.0', allocator: 'jemalloc' });
    // "k": 24 + sds(1 + 1 + 1 → 8); Valkey: 17 + 3 → 24.
    expect(redis.keyBytes(1)).toBe(32);
    expect(valkey.keyBytes(1)).toBe(24);
    // 44 bytes: 24 + sds(3 + 44 + 1 → 48); Valkey: 17 + 3 + 44 + 1 → 80.
    expect(redis.keyBytes(44)).toBe(72);
    expect(valkey.keyBytes(44)).toBe(80);
  });

  it('a ziplist entry (6.x): the previous entry\'s length in 1 byte below 254, else 5; integers in 0, 1, 2, 3, 4 or 8 bytes after the header', () => {
    const b = (t: string) => Buffer.from(t, 'latin1');
    expect(ziplistEntryBytes(b('12'), 0)).toBe(2);
    expect(ziplistEntryBytes(b('13'), 0)).toBe(3);
    expect(ziplistEntryBytes(b('-129'), 0)).toBe(4);
    expect(ziplistEntryBytes(b('8388607'), 0)).toBe(5);
    expect(ziplistEntryBytes(b('8388608'), 0)).toBe(6);
    expect(ziplistEntryBytes(b('2147483648'), 0)).toBe(10);
    expect(ziplistEntryBytes(b('007'), 253)).toBe(1 + 1 + 3);
    expect(ziplistEntryBytes(b('x'.repeat(64)), 254)).toBe(5 + 2 + 64);
    expect(ziplistEntryBytes(b('x'.repeat(16384)), 0)).toBe(1 + 5 + 16384);
    // A score: an integer below 1e17 is stored as one; other values as %.17g's text.
    expect(ziplistScoreEntryBytes(5, 0)).toBe(2);
    expect(ziplistScoreEntryBytes(2 ** 60, 0)).toBe(1 + 1 + '1.152921504606847e+18'.length);
    expect(ziplistScoreEntryBytes(0.1, 0)).toBe(1 + 1 + '0.10000000000000001'.length);
    expect(ziplistScoreEntryBytes(-0, 0)).toBe(1 + 1 + 2);
  });

  it('6.x counts ziplists, intsets and embstrs by their bytes; 7.0 by their allocations', () => {
    const m62 = memoryModel({ server: 'redis', version: '6.2', allocator: 'jemalloc' });
    const m70 = memoryModel({ server: 'redis', version: '7.0', allocator: 'jemalloc' });
    expect(m62.blob(100)).toBe(100);
    expect(m70.blob(100)).toBe(m70.alloc(100));
    expect(m62.embstr(10)).toBe(16 + 10 + 2);
    expect(m62.embstr(10) + m62.embstrSlack(10)).toBe(m62.alloc(16 + 3 + 10 + 1));
    expect(m70.embstr(10)).toBe(m70.alloc(16 + 3 + 10 + 1));
  });

  it('jemalloc is the bundled one (8-byte classes), jemalloc-system a distribution\'s (16-byte classes)', () => {
    const bundled = memoryModel({ server: 'redis', version: '7.0', allocator: 'jemalloc' });
    const system = memoryModel({ server: 'redis', version: '7.0', allocator: 'jemalloc-system' });
    expect(bundled.alloc(24)).toBe(24);
    expect(system.alloc(24)).toBe(32);
    expect(parseMemoryTarget('redis@6.0', 'jemalloc-system')).toEqual({ named: { server: 'redis', version: '6.0' }, allocator: 'jemalloc-system' });
  });

  it('7.4 hash-table fields are mstr strings: a 3-byte header from 32 bytes, 18 more bytes with a TTL', () => {
    const m74 = memoryModel({ server: 'redis', version: '7.4', allocator: 'libc' });
    const m72 = memoryModel({ server: 'redis', version: '7.2', allocator: 'libc' });
    expect(m74.hashFieldAlloc(300, false)).toBe(m74.alloc(3 + 300 + 1));
    expect(m72.hashFieldAlloc(300, false)).toBe(m72.alloc(5 + 300 + 1));
    expect(m74.hashFieldAlloc(10, true)).toBe(m74.alloc(18 + 1 + 10 + 1));
  });
});

describe('every modelled target and allocator', () => {
  it('reports whole bytes: every figure of the totals and of each database is an integer', async () => {
    const rdbs = fixtureRdbs();
    for (const t of MODELLED_TARGETS) {
      for (const allocator of ['jemalloc', 'libc', 'jemalloc-system']) {
        for (const file of rdbs) {
          const { error, report } = await analyzeMemory(file, { target: parseMemoryTarget(t, allocator), top: 3, depth: 1 });
          expect(error, `${t} ${allocator} ${file}`).toBeNull();
          const figures = { ...report.totals, ...Object.fromEntries(report.databases.flatMap((d) => [[`db${d.db} memory`, d.memoryBytes], [`db${d.db} overhead`, d.overheadBytes]])) };
          const fractional = Object.entries(figures).filter(([, v]) => typeof v === 'number' && !Number.isInteger(v));
          expect(fractional, `${t} ${allocator} ${file}`).toEqual([]);
        }
      }
    }
  });
});
