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
  it('--target names a line; its RDB version capped at what the writer writes', () => {
    expect(resolveTarget({ target: 'redis@7.0' }, null)).toMatchObject({ rdbVersion: 10, chosenBy: 'target', release: { id: 'redis@7.0' } });
    expect(resolveTarget({ target: 'redis@7.0.15' }, null).release.id).toBe('redis@7.0');
    expect(resolveTarget({ target: 'redis@8.10' }, null).rdbVersion).toBe(12);
    expect(resolveTarget({ target: 'valkey@8.0' }, null).rdbVersion).toBe(11);
    expect(resolveTarget({ target: 'valkey@9.2' }, null).rdbVersion).toBe(80);
    expect(resolveTarget({ target: 'redis@3.0' }, null).rdbVersion).toBe(6);
  });

  it('--target-version names the oldest line writing that version', () => {
    expect(resolveTarget({ targetVersion: 10 }, null).release.id).toBe('redis@7.0');
    expect(resolveTarget({ targetVersion: 9 }, null).release.id).toBe('redis@5.0');
    expect(resolveTarget({ targetVersion: 12 }, null).release.id).toBe('redis@7.4');
    expect(resolveTarget({ targetVersion: 80 }, null).release.id).toBe('valkey@9.0');
  });

  it('without options, the input\'s version; without an input, redis@7.0', () => {
    expect(resolveTarget({}, { magic: 'REDIS', version: 11 })).toMatchObject({ rdbVersion: 11, chosenBy: 'input', release: { id: 'redis@7.2' } });
    expect(resolveTarget({}, { magic: 'REDIS', version: 3 })).toMatchObject({ rdbVersion: 6, release: { id: 'redis@2.8' } });
    expect(resolveTarget({}, { magic: 'REDIS', version: 15 })).toMatchObject({ rdbVersion: 12, release: { id: 'redis@8.10' } });
    expect(resolveTarget({}, { magic: 'VALKEY', version: 81 })).toMatchObject({ rdbVersion: 80, release: { id: 'valkey@9.2' } });
    expect(resolveTarget({}, null)).toMatchObject({ rdbVersion: 10, chosenBy: 'default', release: { id: 'redis@7.0' } });
  });

  it('refuses both options, unknown lines and versions the writer does not write', () => {
    expect(() => resolveTarget({ target: 'redis@7.0', targetVersion: 10 }, null)).toThrow(/not both/);
    expect(() => resolveTarget({ target: 'redis@9.9' }, null)).toThrow(/unknown release line/);
    for (const v of [5, 13, 81]) expect(() => resolveTarget({ targetVersion: v }, null)).toThrow(/--target-version must be one of/);
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
    });
  }
});
