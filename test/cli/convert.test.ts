/**
 * `rdbtool convert` as a user runs it: the acceptance commands of the convert issue on a real
 * dump, the report (text on stderr, `--json`), exit codes 0/1/2 and usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './capture.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { Dataset as DatasetClass } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { FIXTURES } from '../helpers/files.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';

let work: string;
beforeAll(() => {
  requireRedisServer();
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-cli-convert-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DUMP = path.join(FIXTURES, 'rdb', 'all-types.rdb');

async function datasetOf(file: string): Promise<Dataset> {
  return (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), path.basename(file)))).dataset;
}

describe('rdbtool convert', () => {
  it('convert dump.rdb out.rdb --to rdb --target-version 10: exit 0, a report line, and Redis 7.0 holds the dump\'s data', async () => {
    const out = path.join(work, 'out.rdb');
    const r = await run(['convert', DUMP, out, '--to', 'rdb', '--target-version', '10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rdbtool: wrote .*out\.rdb: 87 key\(s\), 2 function libraries, \d+ bytes, rdb for redis@7\.0 \(RDB 10\)\n/);
    const server = await startRedis({ rdbFile: out });
    try {
      await server.client.call('SAVE');
      const held = await datasetOf(server.dumpPath);
      expect(datasetDiff(await datasetOf(DUMP), held)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('--json prints the report on stdout', async () => {
    const out = path.join(work, 'j.rdb');
    const r = await run(['convert', DUMP, out, '--to', 'rdb', '--target', 'redis@7.2', '--json', '--type', 'hash']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep).toMatchObject({ target: 'redis@7.2', rdbVersion: 11, from: 'rdb', to: 'rdb', functions: 2, files: [out] });
    expect(rep.keys + rep.filtered).toBe(87);
    expect(rep.keys).toBeGreaterThan(0);
    expect(readFileSync(out).subarray(0, 9).toString('latin1')).toBe('REDIS0011');
  });

  it('what the target cannot hold: exit 1, the list on stderr, no file; with the drop flag exit 0 and the count', async () => {
    const ds = new DatasetClass();
    const h = new HashValue();
    h.set('f', 'v');
    h.setFieldExpire('f', 4102444800000);
    ds.db(0).add('h', h);
    const sink = memorySink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 12 });
    const src = path.join(work, 'ttl.rdb');
    writeFileSync(src, sink.bytes());
    const out = path.join(work, 'ttl-70.rdb');
    const refused = await run(['convert', src, out, '--to', 'rdb', '--target', 'redis@7.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rdbtool: redis@7\.0 \(RDB 10\) cannot hold part of the input: 1 hash with field TTLs: redis@7\.0 cannot hold it \(--drop-field-ttl drops it: the fields are kept without their TTLs\); nothing was written\n$/);
    expect(existsSync(out)).toBe(false);
    const json = await run(['convert', src, out, '--to', 'rdb', '--target', 'redis@7.0', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('TARGET_CANNOT_HOLD');
    const dropped = await run(['convert', src, out, '--to', 'rdb', '--target', 'redis@7.0', '--drop-field-ttl']);
    expect(dropped.code).toBe(0);
    expect(dropped.stderr).toMatch(/dropped: 1 hash with field TTLs dropped for redis@7\.0 \(--drop-field-ttl: the fields are kept without their TTLs\)/);
    expect(((await datasetOf(out)).db(0).get('h') as HashValue).volatileFields).toBe(0);
  });

  it('usage errors exit 2: no --to, an unknown target, a file form to stdout, a bad --map-db', async () => {
    const out = path.join(work, 'u.rdb');
    for (const args of [
      ['convert', DUMP, out],
      ['convert', DUMP, out, '--to', 'rdb', '--target', 'redis@1.0'],
      ['convert', DUMP, '-', '--to', 'rdb'],
      ['convert', DUMP, out, '--to', 'rdb', '--map-db', '0-1'],
      ['convert', DUMP, out, '--to', 'rdb', '--target-version', '13'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^rdbtool: /);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a damaged input exits 1 and leaves no output', async () => {
    const bytes = readFileSync(DUMP);
    const bad = path.join(work, 'bad.rdb');
    writeFileSync(bad, bytes.subarray(0, bytes.length - 100));
    const out = path.join(work, 'never.rdb');
    const r = await run(['convert', bad, out, '--to', 'rdb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.rdb/);
    expect(existsSync(out)).toBe(false);
  });

  it('--help shows examples and the drop flags', async () => {
    const r = await run(['convert', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rdbtool convert dump\.rdb out\.rdb --to rdb/);
    expect(r.stdout).toMatch(/--drop-field-ttl/);
  });
});
