import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectRdb, OverviewAnalyzer, parseFunctionHeader } from '../../src/analyze/overview.js';
import { bytesSource, openSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { CorruptDataError, TruncatedError } from '../../src/errors.js';
import { corpusPath, describeCorpus, itCorpus } from '../helpers/files.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = (p: string): string => corpusPath(p);
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

async function inspect(p: string, opts = {}) {
  return inspectRdb(await openSource(corpus(p)), opts);
}

describeCorpus('inspectRdb on the shared corpus', () => {
  it('counts the 13 keys of the classic-encodings file, by type and encoding', async () => {
    // redis/encodings.rdb: RDB 4, one key per classic encoding (corpus README).
    const r = await inspect('redis/encodings.rdb');
    expect(r.rdbVersion).toBe(4);
    expect(r.dialect).toBe('redis');
    expect(r.checksum.status).toBe('absent');
    expect(r.totals.keys).toBe(13);
    expect(r.databases.map((d) => d.db)).toEqual([0]);
    const byType = Object.fromEntries(r.databases[0].types.map((t) => [t.valueType, t.keys]));
    expect(byType).toEqual({ string: 3, list: 2, set: 4, zset: 2, hash: 2 });
    const enc = (t: string, e: string) => r.databases[0].encodings.find((x) => x.valueType === t && x.encoding === e)?.keys;
    expect(enc('set', 'intset')).toBe(3);
    expect(enc('list', 'ziplist')).toBe(1);
    expect(enc('list', 'linkedlist')).toBe(1);
    expect(enc('string', 'int')).toBe(1);
    // The element counts are exact: "list" holds 24 elements, the biggest list.
    expect(r.biggestKeys.byElements[0]).toMatchObject({ valueType: 'list', elements: 24 });
    expect(text(r.biggestKeys.byElements[0].key)).toBe('list');
    // Bytes: every key record is accounted for, and no more than the file holds.
    const sum = r.databases[0].types.reduce((n, t) => n + t.onDiskBytes, 0);
    expect(sum).toBe(r.totals.onDiskBytes);
    expect(r.totals.onDiskBytes).toBeLessThan(r.fileBytes!);
    expect(r.bytesRead).toBe(667);
  });

  it('reports each database separately', async () => {
    const r = await inspect('redis-rdb-tools/multiple_databases.rdb');
    expect(r.databases.map((d) => [d.db, d.keys])).toEqual([
      [0, 1],
      [2, 1],
    ]);
  });

  it('counts already-expired keys relative to now, and keeps them', async () => {
    // Expires 2022-12-25 10:11:12.573 UTC (corpus README).
    const at = Date.UTC(2022, 11, 25, 10, 11, 12, 573);
    const later = await inspect('redis-rdb-tools/keys_with_expiry.rdb');
    expect(later.totals).toMatchObject({ keys: 1, keysWithTtl: 1, expiredKeys: 1 });
    expect(later.biggestKeys.bySize[0].expireAtMs).toBe(at);
    const before = await inspect('redis-rdb-tools/keys_with_expiry.rdb', { nowMs: at - 1 });
    expect(before.totals).toMatchObject({ keys: 1, keysWithTtl: 1, expiredKeys: 0 });
    const same = await inspect('redis-rdb-tools/keys_with_expiry.rdb', { nowMs: at });
    expect(same.totals.expiredKeys).toBe(0); // Redis: expired only when now > expiry
  });

  it('reports a checksum mismatch instead of failing', async () => {
    const r = await inspect('librdb/invalid_chksum_v8.rdb');
    expect(r.checksum.status).toBe('mismatch');
    expect(r.checksum.stored).not.toBe(r.checksum.computed);
    expect(r.totals.keys).toBe(3);
  });

  it('reports a good checksum, a disabled one, and trailing bytes', async () => {
    expect((await inspect('redis-rdb-tools/rdb_version_5_with_checksum.rdb')).checksum.status).toBe('ok');
    const mod = await inspect('redis-rdb-tools/redis_40_with_module.rdb');
    expect(mod.checksum.status).toBe('disabled');
    // The file ends with 40 bytes of text after its (zero) checksum.
    expect(mod.trailingBytes).toBe(40);
    const pre = await inspect('redis/rdb-preamble.aof');
    expect(pre.trailingBytes).toBe(169 - pre.eofOffset - 9);
    expect(pre.totals.keys).toBe(2); // k1, k2 in the RDB part; k3 is in the RESP tail
  });

  it('names module types from module values and module AUX records', async () => {
    const mod = await inspect('redis-rdb-tools/redis_40_with_module.rdb');
    expect(mod.modules).toEqual([{ name: 'ReJSON-RL', encver: 0, keys: 1, auxRecords: 0 }]);
    expect(mod.databases[0].types.find((t) => t.valueType === 'module')?.keys).toBe(1);
    const aux = await inspect('redis-rdb-tools/redis_60_with_module_aux.rdb');
    expect(aux.modules).toHaveLength(1);
    expect(aux.modules[0]).toMatchObject({ name: 'test__rdb', keys: 0 });
    expect(aux.modules[0].auxRecords).toBeGreaterThan(0);
  });

  it('lists function libraries by name', async () => {
    const r = await inspect('rdb/function.rdb');
    expect(r.functions.map((f) => [f.engine, f.name])).toEqual([['lua', 'mylib']]);
    const r2 = await inspect('librdb/function2.rdb');
    expect(r2.functions.map((f) => f.name).sort()).toEqual(['mylib', 'mylib2']);
    expect(r2.totals.keys).toBe(10);
  });

  it('interprets well-known AUX fields and keeps all of them', async () => {
    const r = await inspect('librdb/misc_with_stream.rdb');
    expect(r.server.version).toBe('6.2.13');
    expect(r.server.versionField).toBe('redis-ver');
    expect(r.server.bits).toBe(64);
    expect(r.server.createdAt).toBe('2023-12-03T21:35:21.000Z');
    expect(r.server.usedMemBytes).toBe(3826648);
    const names = r.aux.map((a) => text(a.name));
    expect(names).toContain('repl-id');
    expect(names).toContain('crdtinfo'); // unknown fields are listed too
    expect(r.totals.keys).toBe(12);
    expect(r.totals.expiredKeys).toBe(1); // "an already-expired key"
  });

  it('reads the Valkey dialect and version', async () => {
    const r = await inspect('rdb/valkey_hash2_with_hfe.rdb');
    expect(r.magic).toBe('VALKEY');
    expect(r.dialect).toBe('valkey');
    expect(r.rdbVersion).toBe(80);
    expect(r.server).toMatchObject({ version: '9.0.1', versionField: 'valkey-ver', aofBase: false });
  });

  it('applies key filters to the counts', async () => {
    const all = await inspect('redis/encodings.rdb');
    const sets = await inspect('redis/encodings.rdb', { filter: { types: ['set'] } });
    expect(sets.filtered).toBe(true);
    expect(sets.totals.keys).toBe(4);
    const zipped = await inspect('redis/encodings.rdb', { filter: { match: '*_zipped*' } });
    expect(zipped.totals.keys).toBe(6);
    expect(all.filtered).toBe(false);
  });

  it('keeps top-N lists bounded', async () => {
    const r = await inspect('librdb/100_lists.rdb', { top: 3 });
    expect(r.totals.keys).toBe(100);
    expect(r.biggestKeys.bySize).toHaveLength(3);
    const sizes = r.biggestKeys.bySize.map((k) => k.onDiskBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });
});

describe('inspectRdb failures', () => {
  it('throws a located error for a file that is not an RDB', async () => {
    const err = await inspectRdb(bytesSource(Buffer.from('hello world, not an rdb'), 'junk.bin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect((err as CorruptDataError).code).toBe('BAD_MAGIC');
    expect((err as CorruptDataError).file).toBe('junk.bin');
  });

  it('throws TruncatedError for a cut file', async () => {
    const bytes = readFileSync(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    const err = await inspectRdb(bytesSource(bytes.subarray(0, 300), 'cut.rdb')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TruncatedError);
  });
});

describe('OverviewAnalyzer', () => {
  itCorpus('asks for module values only', async () => {
    const a = new OverviewAnalyzer();
    const asked: string[] = [];
    await scanRdb(await openSource(corpus('redis-rdb-tools/redis_40_with_module.rdb')), {
      keyStart: (k) => {
        const want = a.keyStart(k);
        if (want) asked.push(k.valueType);
        return want;
      },
    });
    expect(asked).toEqual(['module']);
  });
});

describe('parseFunctionHeader', () => {
  it('reads engine and library name from the shebang line', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(parseFunctionHeader(enc('#!lua name=mylib\nredis.register_function(...)'))).toEqual({ engine: 'lua', name: 'mylib' });
    expect(parseFunctionHeader(enc('#!lua engine=x name=lib2 \r\nbody'))).toEqual({ engine: 'lua', name: 'lib2' });
    expect(parseFunctionHeader(enc('#!lua\n'))).toEqual({ engine: 'lua', name: null });
    expect(parseFunctionHeader(enc('return 1'))).toEqual({ engine: null, name: null });
  });
});

describe('fixtures', () => {
  const rdb = path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb');
  const meta = path.join(ROOT, 'fixtures', 'rdb', 'all-types.meta.json');
  it('matches the key counts recorded when all-types.rdb was made', async () => {
    expect(existsSync(rdb)).toBe(true);
    const r = await inspectRdb(await openSource(rdb));
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { rdbVersion: number; serverVersion: string; fileBytes: number };
    expect(r.rdbVersion).toBe(m.rdbVersion);
    expect(r.server.version).toBe(m.serverVersion);
    expect(r.fileBytes).toBe(m.fileBytes);
    expect(r.checksum.status).toBe('ok');
    // fixtures/README.md: db0: 77, db1: 4, db5: 3, db15: 3 (9 with TTL), two function libraries.
    expect(r.databases.map((d) => [d.db, d.keys])).toEqual([
      [0, 77],
      [1, 4],
      [5, 3],
      [15, 3],
    ]);
    expect(r.totals.keysWithTtl).toBe(9);
    expect(r.totals.expiredKeys).toBe(0);
    expect(r.functions).toHaveLength(2);
  });
});
