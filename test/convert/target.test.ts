/**
 * The target of a conversion: how `--target`, `--target-version` and the input's version pick a
 * release line and the RDB version written, and that the release table `check --target` judges
 * with (what each line holds) agrees with what the RDB writer stores for that line's version.
 */
import { describe, expect, it } from 'vitest';
import { resolveTarget, writeVersionFor } from '../../src/convert/target.js';
import { releaseHolds } from '../../src/analyze/compat.js';
import { SERVER_RELEASES } from '../../src/model/server-releases.js';
import { rdbTarget } from '../../src/rdb/target.js';

describe('resolveTarget', () => {
  it('--target names a line; the RDB version is the one that line writes', () => {
    expect(resolveTarget({ target: 'redis@7.0' }, null)).toMatchObject({ rdbVersion: 10, chosenBy: 'target', release: { id: 'redis@7.0' } });
    expect(resolveTarget({ target: 'redis@7.0.15' }, null).release.id).toBe('redis@7.0');
    expect(resolveTarget({ target: 'redis@8.2' }, null).rdbVersion).toBe(12);
    expect(resolveTarget({ target: 'redis@8.6' }, null).rdbVersion).toBe(13);
    expect(resolveTarget({ target: 'redis@8.8' }, null).rdbVersion).toBe(14);
    expect(resolveTarget({ target: 'redis@8.10' }, null).rdbVersion).toBe(15);
    expect(resolveTarget({ target: 'valkey@8.0' }, null).rdbVersion).toBe(11);
    expect(resolveTarget({ target: 'valkey@9.1' }, null).rdbVersion).toBe(80);
    expect(resolveTarget({ target: 'valkey@9.2' }, null).rdbVersion).toBe(81);
    expect(resolveTarget({ target: 'redis@3.0' }, null).rdbVersion).toBe(6);
  });

  it('every line of the release table resolves to the version its own saves have', () => {
    for (const r of SERVER_RELEASES) expect(resolveTarget({ target: r.id }, null).rdbVersion, r.id).toBe(r.writes.rdbVersion);
  });

  it('--target-version names the oldest line writing that version', () => {
    expect(resolveTarget({ targetVersion: 10 }, null).release.id).toBe('redis@7.0');
    expect(resolveTarget({ targetVersion: 9 }, null).release.id).toBe('redis@5.0');
    expect(resolveTarget({ targetVersion: 12 }, null).release.id).toBe('redis@7.4');
    expect(resolveTarget({ targetVersion: 13 }, null).release.id).toBe('redis@8.6');
    expect(resolveTarget({ targetVersion: 14 }, null).release.id).toBe('redis@8.8');
    expect(resolveTarget({ targetVersion: 15 }, null)).toMatchObject({ rdbVersion: 15, chosenBy: 'target-version', release: { id: 'redis@8.10' } });
    expect(resolveTarget({ targetVersion: 80 }, null).release.id).toBe('valkey@9.0');
    expect(resolveTarget({ targetVersion: 81 }, null)).toMatchObject({ rdbVersion: 81, release: { id: 'valkey@9.2' } });
  });

  it('without options, the input\'s version; without an input, redis@7.0', () => {
    expect(resolveTarget({}, { magic: 'REDIS', version: 11 })).toMatchObject({ rdbVersion: 11, chosenBy: 'input', release: { id: 'redis@7.2' } });
    expect(resolveTarget({}, { magic: 'REDIS', version: 3 })).toMatchObject({ rdbVersion: 6, release: { id: 'redis@2.8' } });
    expect(resolveTarget({}, { magic: 'REDIS', version: 13 })).toMatchObject({ rdbVersion: 13, release: { id: 'redis@8.6' } });
    expect(resolveTarget({}, { magic: 'REDIS', version: 15 })).toMatchObject({ rdbVersion: 15, release: { id: 'redis@8.10' } });
    expect(resolveTarget({}, { magic: 'VALKEY', version: 80 })).toMatchObject({ rdbVersion: 80, release: { id: 'valkey@9.0' } });
    expect(resolveTarget({}, { magic: 'VALKEY', version: 81 })).toMatchObject({ rdbVersion: 81, release: { id: 'valkey@9.2' } });
    expect(resolveTarget({}, null)).toMatchObject({ rdbVersion: 10, chosenBy: 'default', release: { id: 'redis@7.0' } });
  });

  it('refuses both options, unknown lines and versions the writer does not write', () => {
    expect(() => resolveTarget({ target: 'redis@7.0', targetVersion: 10 }, null)).toThrow(/not both/);
    expect(() => resolveTarget({ target: 'redis@9.9' }, null)).toThrow(/unknown release line/);
    for (const v of [5, 16, 79, 82]) expect(() => resolveTarget({ targetVersion: v }, null)).toThrow(/--target-version must be one of/);
  });
});

describe('the release table and the writer agree on what each line holds', () => {
  for (const r of SERVER_RELEASES) {
    it(r.id, () => {
      const t = rdbTarget(writeVersionFor(r));
      expect(releaseHolds(r, 'functions'), 'functions').toBe(t.functions);
      expect(releaseHolds(r, 'streams'), 'streams').toBe(t.streamType !== 0);
      expect(releaseHolds(r, 'modules'), 'modules').toBe(t.modules);
      expect(releaseHolds(r, 'field-ttl'), 'field TTLs').toBe(t.hashTtl !== 'none');
      expect(releaseHolds(r, 'arrays'), 'arrays').toBe(t.arrays);
      expect(releaseHolds(r, 'stream-idmp'), 'stream IDMP state').toBe(t.streamType >= 26);
      expect(releaseHolds(r, 'stream-nack'), 'stream NACK zones').toBe(t.streamType >= 27);
      expect(releaseHolds(r, 'gcra'), 'GCRA').toBe(false);
      // The version written is one the line loads, under the magic it writes.
      expect(t.magic.startsWith(r.writes.magic)).toBe(true);
      expect(r.reads.some((a) => a.magic === r.writes.magic && t.version >= a.min && (a.max === null || t.version <= a.max))).toBe(true);
    });
  }
});
