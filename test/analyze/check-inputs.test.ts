/**
 * Which inputs `check` finds under the paths it is given: files and multi-part directories as
 * given, other directories searched (by name, and by content with `sniff`), a multi-part
 * directory found on the way taken whole, the order stable, and an argument that gives
 * nothing reported as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findInputs } from '../../src/analyze/check-inputs.js';
import { FIXTURES } from '../helpers/files.js';

let root = '';
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-check-inputs-'));
  // backups/
  //   2026-12-01/dump.rdb, 2026-12-02/dump.rdb
  //   redis/ (a Redis dir: dump.rdb beside appendonlydir/)
  //   odd/blob (an RDB with a name that says nothing), notes.txt
  const b = path.join(root, 'backups');
  for (const day of ['2026-12-02', '2026-12-01']) {
    await fs.mkdir(path.join(b, day), { recursive: true });
    await fs.copyFile(path.join(FIXTURES, 'rdb', 'lru.rdb'), path.join(b, day, 'dump.rdb'));
  }
  await fs.mkdir(path.join(b, 'redis'), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'rdb', 'empty.rdb'), path.join(b, 'redis', 'dump.rdb'));
  await fs.cp(path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir'), path.join(b, 'redis', 'appendonlydir'), { recursive: true });
  await fs.mkdir(path.join(b, 'odd'), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'rdb', 'lfu.rdb'), path.join(b, 'odd', 'blob'));
  await fs.writeFile(path.join(b, 'odd', 'notes.txt'), 'not a backup\n');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const rel = (ps: { path: string }[]) => ps.map((p) => path.relative(root, p.path));

describe('findInputs', () => {
  it('searches a directory by name, in path order; a multi-part directory is one input, not searched', async () => {
    const { inputs, problems } = await findInputs([path.join(root, 'backups')]);
    expect(problems).toEqual([]);
    expect(rel(inputs)).toEqual([
      'backups/2026-12-01/dump.rdb',
      'backups/2026-12-02/dump.rdb',
      'backups/redis/appendonlydir',
      'backups/redis/dump.rdb',
    ]);
    expect(inputs.every((i) => i.given === path.join(root, 'backups'))).toBe(true);
  });

  it('with sniff, also finds files by their first bytes, and only persistence files', async () => {
    const { inputs } = await findInputs([path.join(root, 'backups', 'odd')], { sniff: true });
    expect(rel(inputs)).toEqual(['backups/odd/blob']);
  });

  it('without sniff, a directory of unnamed files gives nothing, said with a hint', async () => {
    const d = path.join(root, 'backups', 'odd');
    const { inputs, problems } = await findInputs([d]);
    expect(inputs).toEqual([]);
    expect(problems).toEqual([{ given: d, reason: 'no persistence files found among 2 file(s) (add --sniff to look inside files whose names do not say)' }]);
  });

  it('keeps the order of the arguments, drops repeats, and keeps paths that do not exist (their error comes later)', async () => {
    const a = path.join(root, 'backups', '2026-12-02', 'dump.rdb');
    const missing = path.join(root, 'nope.rdb');
    const { inputs } = await findInputs([a, missing, path.join(root, 'backups', '2026-12-01'), a, '-']);
    expect(inputs.map((i) => i.path)).toEqual([a, missing, path.join(root, 'backups', '2026-12-01', 'dump.rdb'), '-']);
  });

  it('a directory holding a manifest, or only an appendonlydir/, is taken whole', async () => {
    const dir = path.join(root, 'backups', 'redis', 'appendonlydir');
    expect((await findInputs([dir])).inputs.map((i) => i.path)).toEqual([dir]);
    const only = path.join(root, 'only');
    await fs.cp(dir, path.join(only, 'appendonlydir'), { recursive: true });
    expect((await findInputs([only])).inputs.map((i) => i.path)).toEqual([only]);
  });
});
