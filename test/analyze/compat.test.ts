/**
 * The release table and the compatibility judgement, against FORMATS.md §8 (which RDB version
 * each line writes) and §1.3/§1.4/§2 (what each version added): every line at its boundary —
 * the newest type and opcode it knows load, the next ones are blocked — plus the magic and
 * version rules (Valkey's reserved range and `rdb-version-check relaxed`), the AOF forms, the
 * oldest loaders, and facts gathered from the project's real fixtures.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, loadingReleases, oldestLoaders, parseTarget, type InputFacts, type RdbFacts } from '../../src/analyze/compat.js';
import { RDB_OPCODES, RDB_TYPES, SERVER_RELEASES } from '../../src/model/server-releases.js';
import { typeInfo } from '../../src/model/redis-types.js';
import { UsageError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';
import { inputFacts } from '../helpers/compat-facts.js';

/** An RDB's facts: `types` and `opcodes` as byte → count. */
function rdb(magic: 'REDIS' | 'VALKEY', version: number, types: Record<number, number> = { 0: 1 }, opcodes: Record<number, number> = {}, modules: Record<string, number> = {}): RdbFacts {
  const asRecord = (m: Record<number, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [String(k), v]));
  // What a real save holds besides keys: SELECTDB, and AUX fields from RDB 7 on.
  const usual: Record<number, number> = version >= 7 ? { 250: 3, 254: 1 } : { 254: 1 };
  return { magic, version, types: asRecord(types), opcodes: asRecord({ ...usual, ...opcodes }), modules };
}

const REDIS = (version: number, types?: Record<number, number>, opcodes?: Record<number, number>) => rdb('REDIS', version, types, opcodes);

/** FORMATS.md §8.1 / §8.2: the RDB version each line writes, and its magic. */
const WRITES: Record<string, [string, number]> = {
  'redis@2.8': ['REDIS', 6],
  'redis@3.0': ['REDIS', 6],
  'redis@3.2': ['REDIS', 7],
  'redis@4.0': ['REDIS', 8],
  'redis@5.0': ['REDIS', 9],
  'redis@6.0': ['REDIS', 9],
  'redis@6.2': ['REDIS', 9],
  'redis@7.0': ['REDIS', 10],
  'redis@7.2': ['REDIS', 11],
  'redis@7.4': ['REDIS', 12],
  'redis@8.0': ['REDIS', 12],
  'redis@8.2': ['REDIS', 12],
  'redis@8.4': ['REDIS', 12],
  'redis@8.6': ['REDIS', 13],
  'redis@8.8': ['REDIS', 14],
  'redis@8.10': ['REDIS', 15],
  'valkey@7.2': ['REDIS', 11],
  'valkey@8.0': ['REDIS', 11],
  'valkey@8.1': ['REDIS', 11],
  'valkey@9.0': ['VALKEY', 80],
  'valkey@9.1': ['VALKEY', 80],
  'valkey@9.2': ['VALKEY', 81],
};

describe('the release table', () => {
  it('lists every line from Redis 2.8 to 8.10 and Valkey 7.2 to 9.2, each once, writing what FORMATS.md §8 says', () => {
    expect(SERVER_RELEASES.map((r) => r.id)).toEqual(Object.keys(WRITES));
    for (const r of SERVER_RELEASES) expect([r.writes.magic, r.writes.rdbVersion], r.id).toEqual(WRITES[r.id]);
  });

  it('each line reads what it writes, and knows every byte the file it writes can hold', () => {
    for (const r of SERVER_RELEASES) {
      const m = r.writes.magic;
      expect(r.reads.some((a) => a.magic === m && a.min <= r.writes.rdbVersion && (a.max === null || a.max >= r.writes.rdbVersion)), r.id).toBe(true);
      for (const b of r.types[m]) expect(RDB_TYPES.some((t) => t.byte === b && (t.dialect === 'any' || t.dialect === m)), `${r.id} type ${b}`).toBe(true);
      for (const b of r.opcodes[m]) expect(RDB_OPCODES.some((o) => o.byte === b && (o.dialect === 'any' || o.dialect === m)), `${r.id} opcode ${b}`).toBe(true);
    }
  });

  it('a later line of the same server never forgets a type or opcode, except the pre-release formats 7.2 dropped', () => {
    for (const server of ['redis', 'valkey']) {
      const lines = SERVER_RELEASES.filter((r) => r.server === server);
      for (let i = 1; i < lines.length; i++) {
        for (const m of ['REDIS', 'VALKEY'] as const) {
          const lost = lines[i - 1].types[m].filter((t) => !lines[i].types[m].includes(t));
          const lostOps = lines[i - 1].opcodes[m].filter((o) => !lines[i].opcodes[m].includes(o));
          const allowed = lines[i].id === 'redis@7.2';
          expect(lost, lines[i].id).toEqual(allowed && m === 'REDIS' ? [6] : []);
          expect(lostOps, lines[i].id).toEqual(allowed && m === 'REDIS' ? [246] : []);
        }
      }
    }
  });

  it('labels each type the way the decoder names it (value type, then encoding)', () => {
    for (const t of RDB_TYPES) {
      const info = typeInfo(t.byte, t.dialect === 'VALKEY' ? 'valkey' : 'redis');
      expect(info, t.macro).toBeDefined();
      expect(t.label.startsWith(info!.valueType), t.macro).toBe(true);
      const [, encoding] = t.label.replace(/ \(.*\)$/, '').split(', ');
      if (encoding !== undefined) expect(encoding.startsWith(info!.encoding), t.macro).toBe(true);
    }
    expect(RDB_TYPES.find((t) => t.byte === 20)?.label).toBe('set, listpack');
  });
});

/**
 * Each line at its boundary (FORMATS.md §1.3, §2): a file of the version it writes holding the
 * newest types it knows loads; the next type (or version) is blocked, with a message naming
 * what it needs.
 */
const TYPE_BOUNDARIES: { target: string; loads: RdbFacts; blockedType: number; needs: string }[] = [
  { target: 'redis@2.8', loads: REDIS(6, { 13: 2, 12: 1, 11: 1, 10: 1, 9: 1 }), blockedType: 14, needs: 'RDB 7 (Redis 3.2+, Valkey 7.2+)' },
  { target: 'redis@3.0', loads: REDIS(6, { 13: 2 }), blockedType: 14, needs: 'RDB 7 (Redis 3.2+, Valkey 7.2+)' },
  { target: 'redis@3.2', loads: REDIS(7, { 14: 2 }), blockedType: 5, needs: 'RDB 8 (Redis 4.0+, Valkey 7.2+)' },
  { target: 'redis@4.0', loads: REDIS(8, { 5: 1, 7: 1 }), blockedType: 15, needs: 'RDB 9 (Redis 5.0+, Valkey 7.2+)' },
  { target: 'redis@5.0', loads: REDIS(9, { 15: 1 }), blockedType: 16, needs: 'RDB 10 (Redis 7.0+, Valkey 7.2+)' },
  { target: 'redis@6.0', loads: REDIS(9, { 15: 1 }), blockedType: 17, needs: 'RDB 10 (Redis 7.0+, Valkey 7.2+)' },
  { target: 'redis@6.2', loads: REDIS(9, { 15: 1 }), blockedType: 18, needs: 'RDB 10 (Redis 7.0+, Valkey 7.2+)' },
  { target: 'redis@7.0', loads: REDIS(10, { 16: 1, 17: 1, 18: 1, 19: 1 }), blockedType: 20, needs: 'RDB 11 (Redis 7.2+, Valkey 7.2+)' },
  { target: 'redis@7.2', loads: REDIS(11, { 20: 1, 21: 1 }), blockedType: 24, needs: 'RDB 12 (Redis 7.4+)' },
  { target: 'redis@7.4', loads: REDIS(12, { 22: 1, 23: 1, 24: 1, 25: 1 }), blockedType: 26, needs: 'RDB 13 (Redis 8.6+)' },
  { target: 'redis@8.0', loads: REDIS(12, { 24: 1, 25: 1 }), blockedType: 26, needs: 'RDB 13 (Redis 8.6+)' },
  { target: 'redis@8.2', loads: REDIS(12, { 24: 1, 25: 1 }), blockedType: 26, needs: 'RDB 13 (Redis 8.6+)' },
  { target: 'redis@8.4', loads: REDIS(12, { 24: 1, 25: 1 }), blockedType: 26, needs: 'RDB 13 (Redis 8.6+)' },
  { target: 'redis@8.6', loads: REDIS(13, { 26: 1 }), blockedType: 27, needs: 'RDB 14 (Redis 8.8+)' },
  { target: 'redis@8.8', loads: REDIS(14, { 27: 1, 28: 1 }), blockedType: 30, needs: 'RDB 15 (Redis 8.10+)' },
  { target: 'redis@8.10', loads: REDIS(15, { 29: 1, 30: 1, 31: 1, 32: 1 }), blockedType: 33, needs: 'no Redis or Valkey release rdbtool knows' },
  { target: 'valkey@7.2', loads: REDIS(11, { 20: 1, 21: 1 }), blockedType: 22, needs: 'RDB 12 (Redis 7.4+)' },
  { target: 'valkey@8.0', loads: REDIS(11, { 20: 1, 21: 1 }), blockedType: 24, needs: 'RDB 12 (Redis 7.4+)' },
  { target: 'valkey@8.1', loads: REDIS(11, { 20: 1, 21: 1 }), blockedType: 25, needs: 'RDB 12 (Redis 7.4+)' },
  { target: 'valkey@9.0', loads: rdb('VALKEY', 80, { 22: 3, 21: 1 }), blockedType: 23, needs: 'RDB 81 (Valkey 9.2+)' },
  { target: 'valkey@9.1', loads: rdb('VALKEY', 80, { 22: 3 }), blockedType: 23, needs: 'RDB 81 (Valkey 9.2+)' },
  { target: 'valkey@9.2', loads: rdb('VALKEY', 81, { 22: 1, 23: 1 }), blockedType: 24, needs: 'no Redis or Valkey release rdbtool knows' },
];

describe('each line at its boundary: types', () => {
  for (const row of TYPE_BOUNDARIES) {
    it(`${row.target}: loads its newest types, blocks type ${row.blockedType}`, () => {
      expect(judge(row.loads, row.target)).toMatchObject({ target: row.target, loads: true, blockers: [] });
      const blocked = { ...row.loads, types: { ...row.loads.types, [row.blockedType]: 12 } };
      const j = judge(blocked, row.target, 'dump.rdb');
      expect(j.loads).toBe(false);
      const b = j.blockers.find((x) => x.code === 'TYPE')!;
      expect(b).toMatchObject({ file: 'dump.rdb', byte: row.blockedType, count: 12, unit: 'keys', needs: row.needs });
      expect(b.message).toMatch(/^12 keys of type /);
    });

    it(`${row.target}: the version it writes loads, the next one is blocked`, () => {
      const r = SERVER_RELEASES.find((x) => x.id === row.target)!;
      const next = { ...row.loads, version: row.loads.version + 1 };
      const j = judge(next, row.target);
      expect(j.blockers.map((b) => b.code)).toEqual(['RDB_VERSION']);
      if (r.server === 'redis') {
        expect(j.blockers[0].message).toMatch(new RegExp(`^the RDB version ${next.version} is newer than ${r.writes.rdbVersion}, the newest Redis ${r.line} reads`));
      }
    });
  }

  it('the example of the issue: 12 set-listpack keys in a Redis 7.0 target', () => {
    const j = judge(REDIS(11, { 20: 12 }), 'redis@7.0', 'dump.rdb');
    expect(j.blockers.map((b) => b.message)).toEqual([
      'the RDB version 11 is newer than 10, the newest Redis 7.0 reads; it needs Redis 7.2+, Valkey 7.2+',
      '12 keys of type set, listpack need RDB 11 (Redis 7.2+, Valkey 7.2+)',
    ]);
  });

  it('type 6 (4.0 RC modules) loads in 4.0–7.0 with its module, and only there', () => {
    const f = REDIS(8, { 6: 2 });
    for (const t of ['redis@4.0', 'redis@6.2']) {
      const j = judge(f, t);
      expect(j.loads, t).toBe(true);
      expect(j.requires).toEqual([expect.objectContaining({ module: null, count: 2, unit: 'keys' })]);
    }
    expect(judge(f, 'redis@3.2').loads).toBe(false);
    const j = judge(REDIS(10, { 6: 2 }), 'redis@7.2');
    expect(j.blockers[0]).toMatchObject({ code: 'TYPE', byte: 6, needs: 'Redis 4.0–7.0', message: '2 keys of type module (4.0 RC format) load only in Redis 4.0–7.0' });
    expect(judge(REDIS(10, { 6: 2 }), 'valkey@9.0').loads).toBe(false);
  });

  it('module values name the module that must be loaded', () => {
    const f = rdb('REDIS', 9, { 7: 5 }, {}, { 'ReJSON-RL': 5 });
    const j = judge(f, 'redis@7.0');
    expect(j.loads).toBe(true);
    expect(j.requires).toEqual([expect.objectContaining({ module: 'ReJSON-RL', count: 5, message: expect.stringContaining('ReJSON-RL') })]);
    expect(judge(f, 'redis@3.2').blockers.some((b) => b.byte === 7)).toBe(true);
  });
});

/** Opcodes at their boundaries (FORMATS.md §1.4). */
const OPCODE_BOUNDARIES: { op: number; magic?: 'REDIS' | 'VALKEY'; version: number; blocked: string; loads: string; needs: string }[] = [
  { op: 250, version: 6, blocked: 'redis@3.0', loads: 'redis@3.2', needs: 'RDB 7 (Redis 3.2+, Valkey 7.2+)' },
  { op: 251, version: 6, blocked: 'redis@2.8', loads: 'redis@3.2', needs: 'RDB 7 (Redis 3.2+, Valkey 7.2+)' },
  { op: 247, version: 8, blocked: 'redis@4.0', loads: 'redis@5.0', needs: 'RDB 9 (Redis 5.0+, Valkey 7.2+)' },
  { op: 248, version: 8, blocked: 'redis@4.0', loads: 'redis@5.0', needs: 'RDB 9 (Redis 5.0+, Valkey 7.2+)' },
  { op: 249, version: 8, blocked: 'redis@4.0', loads: 'redis@6.2', needs: 'RDB 9 (Redis 5.0+, Valkey 7.2+)' },
  { op: 245, version: 9, blocked: 'redis@6.2', loads: 'redis@7.0', needs: 'RDB 10 (Redis 7.0+, Valkey 7.2+)' },
  { op: 244, version: 11, blocked: 'redis@7.2', loads: 'redis@7.4', needs: 'RDB 12 (Redis 7.4+, Valkey 9.0+)' },
  { op: 244, version: 11, blocked: 'valkey@8.1', loads: 'valkey@9.0', needs: 'RDB 12 (Redis 7.4+, Valkey 9.0+)' },
  { op: 243, version: 12, blocked: 'redis@8.4', loads: 'redis@8.6', needs: 'RDB 13 (Redis 8.6+)' },
  { op: 242, version: 14, blocked: 'redis@8.8', loads: 'redis@8.10', needs: 'RDB 15 (Redis 8.10+)' },
  { op: 243, magic: 'VALKEY', version: 80, blocked: 'valkey@8.1', loads: 'valkey@9.0', needs: 'RDB 80 (Valkey 9.0+)' },
];

describe('each line at its boundary: opcodes', () => {
  for (const row of OPCODE_BOUNDARIES) {
    it(`opcode ${row.op}${row.magic === 'VALKEY' ? ' (VALKEY magic)' : ''}: blocked in ${row.blocked}, loaded by ${row.loads}`, () => {
      const f = rdb(row.magic ?? 'REDIS', row.version, { 0: 1 }, { [row.op]: 2 });
      expect(judge(f, row.loads).loads).toBe(true);
      const j = judge(f, row.blocked);
      const relaxed = j.relaxed ?? j;
      const b = relaxed.blockers.find((x) => x.code === 'OPCODE');
      expect(b).toMatchObject({ byte: row.op, count: 2, unit: 'records', needs: row.needs });
    });
  }

  it('opcode 246 (functions in the 7.0 RC layout) loads only in Redis 7.0', () => {
    const f = REDIS(10, { 0: 1 }, { 246: 3 });
    expect(judge(f, 'redis@7.0').loads).toBe(true);
    for (const t of ['redis@6.2', 'redis@7.2', 'redis@8.10', 'valkey@7.2', 'valkey@9.2']) {
      const j = judge(f, t);
      expect(j.loads, t).toBe(false);
      expect(j.blockers.find((b) => b.byte === 246)?.message, t).toBe('3 function libraries in the 7.0 RC format load only in Redis 7.0');
    }
    expect(loadingReleases(f)).toEqual(['redis@7.0']);
    expect(oldestLoaders(f)).toEqual({ redis: 'redis@7.0', valkey: null, valkeyRelaxed: null });
  });

  it('module AUX data requires its modules', () => {
    const j = judge(REDIS(9, { 0: 1 }, { 247: 2 }), 'redis@7.0');
    expect(j.loads).toBe(true);
    expect(j.requires).toEqual([expect.objectContaining({ module: null, count: 2, unit: 'records' })]);
  });

  it('bytes no open-source release defines are blocked everywhere', () => {
    const f = REDIS(11, { 0: 1 }, { 107: 3 });
    expect(loadingReleases(f)).toEqual([]);
    const b = judge(f, 'redis@8.10').blockers[0];
    expect(b).toMatchObject({ code: 'OPCODE', byte: 107, needs: 'no Redis or Valkey release rdbtool knows' });
    expect(b.message).toBe('3 Redis Enterprise RAM LRU records are loaded by no Redis or Valkey release rdbtool knows');
    expect(loadingReleases(REDIS(11, { 0: 1 }, { 240: 1 }))).toEqual([]);
  });
});

describe('magic and version', () => {
  it('Redis reads REDIS-magic files up to its own version, never VALKEY ones', () => {
    expect(judge(REDIS(1), 'redis@2.8').loads).toBe(true);
    expect(judge(REDIS(0), 'redis@8.10').blockers[0]).toMatchObject({ code: 'RDB_VERSION' });
    const j = judge(rdb('VALKEY', 80), 'redis@8.10');
    expect(j.blockers).toHaveLength(1); // no noise about the bytes it never reads
    expect(j.blockers[0]).toMatchObject({ code: 'MAGIC', needs: 'Valkey 9.0+; Valkey 8.1 with rdb-version-check relaxed' });
    expect(j.relaxed).toBeUndefined();
  });

  it('Valkey 7.2 and 8.0 read Redis files up to RDB 11 and have no relaxed mode', () => {
    for (const t of ['valkey@7.2', 'valkey@8.0']) {
      expect(judge(REDIS(11), t).loads).toBe(true);
      const j = judge(REDIS(12), t);
      expect(j.blockers[0].message).toMatch(/^the RDB version 12 is newer than 11, the newest Valkey (7\.2|8\.0) reads/);
      expect(j.relaxed).toBeUndefined();
      expect(judge(rdb('VALKEY', 80), t).blockers[0].code).toBe('MAGIC');
    }
  });

  it('Valkey 8.1: relaxed lets newer Valkey files in, never RDB 12–79', () => {
    const redis12 = judge(REDIS(12), 'valkey@8.1');
    expect(redis12.loads).toBe(false);
    expect(redis12.relaxed?.loads).toBe(false);
    expect(redis12.relaxed?.blockers[0].message).toContain('even with rdb-version-check relaxed');
    const valkey80 = judge(rdb('VALKEY', 80, { 0: 1, 21: 1 }), 'valkey@8.1');
    expect(valkey80.loads).toBe(false);
    expect(valkey80.blockers[0].message).toContain('unless rdb-version-check is relaxed');
    expect(valkey80.relaxed).toMatchObject({ loads: true, blockers: [] });
    // ... but not with a type 8.1 does not know.
    expect(judge(rdb('VALKEY', 80, { 22: 1 }), 'valkey@8.1').relaxed?.loads).toBe(false);
  });

  it('Valkey 9.x: REDIS 12–79 only when relaxed, and then no byte 22–243', () => {
    const plain = judge(REDIS(12, { 0: 4, 20: 1 }, { 244: 1 }), 'valkey@9.0');
    expect(plain.loads).toBe(false);
    expect(plain.blockers[0].message).toBe(
      "Valkey 9.0 refuses RDB version 12 unless rdb-version-check is relaxed: versions 12–79 are Redis's formats from 7.4 on; it needs Redis 7.4+; Valkey 9.0+ with rdb-version-check relaxed",
    );
    expect(plain.relaxed).toMatchObject({ loads: true });
    const withTtls = judge(REDIS(12, { 25: 3 }), 'valkey@9.2');
    expect(withTtls.relaxed?.loads).toBe(false);
    expect(withTtls.relaxed?.blockers[0].message).toBe(
      '3 keys of type hash, listpackex (field TTLs) need RDB 12 (Redis 7.4+); Valkey 9.2 refuses type byte 25 in a REDIS-magic file (bytes 22–243 mean other things in Redis 7.4+ files)',
    );
    expect(judge(REDIS(80), 'valkey@9.0').relaxed?.loads).toBe(false); // REDIS magic never above 79
    const future = judge(rdb('VALKEY', 81, { 0: 1 }), 'valkey@9.0');
    expect([future.loads, future.relaxed?.loads]).toEqual([false, true]);
  });
});

describe('AOF forms', () => {
  const aof = (over: Partial<InputFacts>, files: InputFacts['files']): InputFacts => ({ name: 'appendonlydir', multipart: false, files, ...over });
  const base = REDIS(9, { 0: 2 });

  it('a multi-part AOF needs Redis 7.0+', () => {
    const f = aof({ multipart: true }, [
      { name: 'appendonly.aof.1.base.rdb', content: 'rdb', rdb: base, annotations: 0 },
      { name: 'appendonly.aof.1.incr.aof', content: 'aof', rdb: null, annotations: 0 },
    ]);
    expect(judge(f, 'redis@7.0').loads).toBe(true);
    expect(judge(f, 'valkey@7.2').loads).toBe(true);
    const j = judge(f, 'redis@6.2');
    expect(j.blockers).toEqual([expect.objectContaining({ code: 'MULTIPART', file: 'appendonlydir', message: 'a multi-part AOF needs Redis 7.0+, Valkey 7.2+' })]);
    expect(oldestLoaders(f)).toEqual({ redis: 'redis@7.0', valkey: 'valkey@7.2', valkeyRelaxed: 'valkey@7.2' });
  });

  it('an RDB preamble needs Redis 4.0+', () => {
    const f = aof({}, [{ name: 'appendonly.aof', content: 'hybrid', rdb: REDIS(7, { 0: 1 }), annotations: 0 }]);
    expect(judge(f, 'redis@4.0').loads).toBe(true);
    expect(judge(f, 'redis@3.2').blockers.map((b) => b.code)).toEqual(['RDB_PREAMBLE']);
  });

  it('annotation lines need Redis 7.0+', () => {
    const f = aof({}, [{ name: 'appendonly.aof', content: 'aof', rdb: null, annotations: 1 }]);
    expect(judge(f, 'redis@7.0').loads).toBe(true);
    expect(judge(f, 'redis@6.2').blockers[0]).toMatchObject({ code: 'ANNOTATIONS', count: 1, unit: 'lines', message: expect.stringMatching(/^1 annotation line \(#…\) needs Redis 7\.0\+, Valkey 7\.2\+/) });
    expect(judge(aof({}, [{ name: 'a.aof', content: 'aof', rdb: null, annotations: 0 }]), 'redis@2.8').loads).toBe(true);
  });

  it('Valkey 8.1 relaxed on a VALKEY-magic AOF base: loads, with a note on 8.1.0–8.1.4', () => {
    const f = aof({ multipart: true }, [{ name: 'appendonly.aof.3.base.rdb', content: 'rdb', rdb: rdb('VALKEY', 80, { 0: 1 }), annotations: 0 }]);
    const j = judge(f, 'valkey@8.1');
    expect(j.relaxed?.loads).toBe(true);
    expect(j.relaxed?.notes).toEqual([expect.stringContaining('before 8.1.5')]);
    expect(j.notes).toEqual([]);
  });
});

describe('oldest loaders', () => {
  it('names the oldest Redis and Valkey lines, and the relaxed Valkey one', () => {
    expect(oldestLoaders(REDIS(10, { 16: 1 }, { 245: 1 }))).toEqual({ redis: 'redis@7.0', valkey: 'valkey@7.2', valkeyRelaxed: 'valkey@7.2' });
    expect(oldestLoaders(REDIS(12, { 0: 1 }))).toEqual({ redis: 'redis@7.4', valkey: null, valkeyRelaxed: 'valkey@9.0' });
    expect(oldestLoaders(REDIS(12, { 24: 1 }))).toEqual({ redis: 'redis@7.4', valkey: null, valkeyRelaxed: null });
    expect(oldestLoaders(rdb('VALKEY', 80, { 0: 1 }))).toEqual({ redis: null, valkey: 'valkey@9.0', valkeyRelaxed: 'valkey@8.1' });
    expect(oldestLoaders(REDIS(6, { 13: 1 }))).toEqual({ redis: 'redis@2.8', valkey: 'valkey@7.2', valkeyRelaxed: 'valkey@7.2' });
  });
});

describe('parseTarget', () => {
  it('takes a line or a patch release, any case', () => {
    expect(parseTarget('redis@7.0').id).toBe('redis@7.0');
    expect(parseTarget('redis@7.0.15').id).toBe('redis@7.0');
    expect(parseTarget('Valkey@8.1.5').id).toBe('valkey@8.1');
    expect(parseTarget('redis@8.10.2').id).toBe('redis@8.10');
    expect(judge(REDIS(10), 'redis@7.0.15').target).toBe('redis@7.0');
  });

  it('refuses other forms and unknown lines with a usage error listing the known ones', () => {
    for (const bad of ['redis@7', 'redis 7.0', 'keydb@6.3', 'redis@2.6', 'redis@8.12', 'valkey@8.2', '']) {
      let err: unknown;
      try {
        parseTarget(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('USAGE');
      expect((err as UsageError).message).toContain('redis@2.8, redis@3.0');
      expect((err as UsageError).message).toContain('valkey@9.2');
    }
    expect(() => parseTarget('redis@8.12')).toThrow(/not verified/);
  });
});

describe('judgements are plain data', () => {
  it('survive JSON unchanged', () => {
    const j = judge(REDIS(12, { 20: 12, 25: 1 }, { 246: 1 }), 'valkey@9.0', 'dump.rdb');
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect(JSON.parse(JSON.stringify(SERVER_RELEASES))).toEqual(SERVER_RELEASES);
  });
});

describe('facts gathered from the real fixtures', () => {
  it('a Redis 7.0 dump (all-types) loads in 7.0+ and Valkey 7.2+, not in 6.2', async () => {
    const f = await inputFacts(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    expect(f.files[0].rdb).toMatchObject({ magic: 'REDIS', version: 10 });
    expect(oldestLoaders(f)).toEqual({ redis: 'redis@7.0', valkey: 'valkey@7.2', valkeyRelaxed: 'valkey@7.2' });
    const j = judge(f, 'redis@6.2');
    expect(j.blockers.map((b) => b.what)).toEqual([
      'RDB version 10',
      'type hash, listpack',
      'type zset, listpack',
      'type list, quicklist (listpack nodes)',
      'type stream (v2)',
      'opcode FUNCTION2 (245)',
    ]);
    expect(j.blockers[5].count).toBe(2); // the fixture's two libraries
  });

  it('the 7.0 RC function fixture loads only in Redis 7.0', async () => {
    const f = await inputFacts(path.join(FIXTURES, 'derived', 'function-pre-ga.rdb'));
    expect(f.files[0].rdb?.opcodes['246']).toBe(3);
    expect(loadingReleases(f)).toEqual(['redis@7.0']);
  });

  it('AOF fixtures: annotations and multi-part forms need Redis 7.0', async () => {
    for (const p of ['plain.aof', 'hybrid.aof', 'rdb-multipart/appendonlydir', 'resp-multipart/appendonlydir']) {
      const f = await inputFacts(path.join(FIXTURES, 'aof', p));
      expect(oldestLoaders(f).redis, p).toBe('redis@7.0');
      const codes = new Set(judge(f, 'redis@6.2').blockers.map((b) => b.code));
      expect(codes.has('ANNOTATIONS') || codes.has('MULTIPART'), p).toBe(true);
      expect(codes.has('MULTIPART'), p).toBe(f.multipart);
    }
  });
});
