/**
 * `rdbtool convert` as a user runs it: the acceptance commands of the convert issue on a real
 * dump, the report (text on stderr, `--json`), exit codes 0/1/2 and usage errors.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './capture.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { Dataset as DatasetClass } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { asCommandsCarryIt } from '../helpers/commands-carry.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';
import { findExecutable, requireRedisServer, startRedis } from '../helpers/redis.js';

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

  it('convert dump.rdb out.aof --to aof: Redis 7.0 started on that AOF holds the dump\'s data', async () => {
    const out = path.join(work, 'out.aof');
    const r = await run(['convert', DUMP, out, '--to', 'aof']);
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 1).toString()).toBe('*');
    // As after Redis's own rewrite, pending entries whose stream entry was deleted (and the
    // consumers that owned only those) are lost on load: the report says so.
    expect(r.stderr).toMatch(/note: pending entries of deleted stream entries .*: 2\n/);
    const source = await datasetOf(DUMP);
    asCommandsCarryIt(source, Date.now());
    const dir = mkdtempSync(path.join(work, 'srv-'));
    writeFileSync(path.join(dir, 'appendonly.aof'), readFileSync(out));
    const server = await startRedis({ appendonly: true, config: { dir, appendfilename: 'appendonly.aof', appenddirname: 'appendonlydir' } });
    try {
      await server.client.call('SAVE');
      const held = await datasetOf(path.join(dir, 'dump.rdb'));
      expect(datasetDiff(source, held)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('export, edit, convert back: an NDJSON export read as the input, the edit kept', async () => {
    const exported = await run(['export', DUMP]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.split('\n').filter(Boolean);
    const edited = lines.map((l) => {
      const rec = JSON.parse(l);
      if (rec.type === 'string' && typeof rec.value === 'string' && rec.expireAtMs === null) rec.value = `edited:${rec.value}`;
      return JSON.stringify(rec);
    });
    edited.push(JSON.stringify({ db: 2, key: 'added', type: 'list', expireAtMs: null, value: ['a', { b64: Buffer.from([0, 255]).toString('base64') }] }));
    const nd = path.join(work, 'keys.ndjson');
    writeFileSync(nd, edited.join('\n') + '\n');
    const out = path.join(work, 'from-ndjson.rdb');
    const r = await run(['convert', nd, out, '--to', 'rdb', '--target', 'redis@7.0', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: 'ndjson', keys: lines.length + 1 });
    const back = await run(['export', out]);
    const byKey = new Map(back.stdout.split('\n').filter(Boolean).map((l) => { const x = JSON.parse(l); return [`${x.db}:${JSON.stringify(x.key)}`, x]; }));
    for (const l of edited) {
      const want = JSON.parse(l);
      const got = byKey.get(`${want.db}:${JSON.stringify(want.key)}`);
      expect(got, l).toBeDefined();
      if (want.type === 'string') expect(got.value).toEqual(want.value);
    }
    expect(byKey.get('2:"added"').value).toEqual(['a', { b64: 'AP8=' }]);
  });

  it('the built CLI: convert dump.rdb - --to resp | redis-cli --pipe fills an empty server with the dump\'s data', async () => {
    const build = inject('cliBuild');
    if (build.error) throw new Error(build.error);
    const bin = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
    const respFile = path.join(work, 'pipe.resp');
    const fd = openSync(respFile, 'w');
    try {
      const r = spawnSync(process.execPath, [bin, 'convert', DUMP, '-', '--to', 'resp', '--replace'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^rdbtool: wrote -: 87 key\(s\)/);
    } finally {
      closeSync(fd);
    }
    const server = await startRedis();
    try {
      const cli = findExecutable('redis-cli');
      if (!cli) throw new Error('redis-cli is missing: apt-get install redis-tools');
      const input = openSync(respFile, 'r');
      let piped;
      try {
        piped = spawnSync(cli, ['-p', String(server.port), '--pipe'], { stdio: [input, 'pipe', 'pipe'], encoding: 'utf8' });
      } finally {
        closeSync(input);
      }
      expect(piped.status, piped.stdout + piped.stderr).toBe(0);
      expect(piped.stdout).toMatch(/errors: 0, replies: \d+/);
      await server.client.call('SAVE');
      const source = await datasetOf(DUMP);
      asCommandsCarryIt(source, Date.now());
      expect(datasetDiff(source, await datasetOf(server.dumpPath))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('the built CLI killed half-way through a conversion: nothing under the output name, an existing file there unchanged', async () => {
    const build = inject('cliBuild');
    if (build.error) throw new Error(build.error);
    const bin = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
    const bytes = readFileSync(path.join(FIXTURES, 'rdb', 'big-collections.rdb'));
    for (const existing of [false, true]) {
      const out = path.join(work, `killed-${existing}.rdb`);
      if (existing) writeFileSync(out, 'the old content');
      const child = spawn(process.execPath, [bin, 'convert', '-', out, '--to', 'rdb'], { stdio: ['pipe', 'ignore', 'pipe'] });
      // Half the input, then wait until the conversion has begun writing its temporary file.
      child.stdin.write(bytes.subarray(0, bytes.length >> 1));
      const started = Date.now();
      while (!readdirSync(work).some((f) => f.startsWith(`.killed-${existing}.rdb.rdbtool-tmp`)) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(work).some((f) => f.startsWith(`.killed-${existing}.rdb.rdbtool-tmp`)), 'the conversion had begun').toBe(true);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      if (existing) expect(readFileSync(out, 'utf8')).toBe('the old content');
      else expect(existsSync(out)).toBe(false);
    }
  });

  it('a bad NDJSON record: exit 1 naming the file and the line, no output', async () => {
    const nd = path.join(work, 'bad.ndjson');
    writeFileSync(nd, '{"db":0,"key":"a","type":"string","expireAtMs":null,"value":"x"}\n{"db":0,"key":"b","type":"string","expireAtMs":null}\n');
    const out = path.join(work, 'bad-out.rdb');
    const r = await run(['convert', nd, out, '--to', 'rdb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.ndjson.*line 2/);
    expect(existsSync(out)).toBe(false);
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
      ['convert', DUMP, out, '--to', 'rdb', '--target-version', '16'],
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
