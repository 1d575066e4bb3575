/**
 * The built executable, spawned as a user runs it: the CLI bundle in dist/cli/, which the
 * suite's global setup (test/helpers/build-cli.ts) builds once with `npm run build`'s esbuild step.
 */
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdtempSync, writeFileSync, rmSync, cpSync, copyFileSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireRedisServer, startRedis } from '../helpers/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const FIXTURE = path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb');
const BIG = path.join(ROOT, 'fixtures', 'rdb', 'big-collections.rdb');

beforeAll(() => {
  const build = inject('cliBuild');
  if (build.error) throw new Error(build.error);
});

function rdbtool(args: string[], stdinFile?: string, bin = BIN) {
  const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  try {
    return spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

describe('dist/cli/main.js', () => {
  it('is a node script', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('inspects a fixture and exits 0', () => {
    const r = rdbtool(['inspect', 'fixtures/rdb/all-types.rdb']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('RDB version 10');
  });

  it('reads stdin with -', () => {
    const r = rdbtool(['inspect', '-', '--json'], FIXTURE);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { file: string; fileBytes?: number; bytesRead: number };
    expect(j.file).toBe('-');
    expect(j.fileBytes).toBeUndefined();
    expect(j.bytesRead).toBe(readFileSync(FIXTURE).length);
  });

  it('--debug shows the error class by its own name, although the bundle shortens names', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-bin-debug-'));
    try {
      const cut = path.join(dir, 'cut.rdb');
      writeFileSync(cut, readFileSync(FIXTURE).subarray(0, 5000));
      const r = rdbtool(['export', cut, '--debug']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^TruncatedError: /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check reads stdin (-) in its place among other inputs, also with worker threads', () => {
    const lru = path.join(ROOT, 'fixtures', 'rdb', 'lru.rdb');
    for (const jobs of ['1', '2']) {
      const r = rdbtool(['check', lru, '-', lru.replace('lru', 'lfu'), '--jobs', jobs, '--json'], FIXTURE);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { inputs: { input: { path: string }; totals: { keys: number; bytes: number } }[] };
      expect(doc.inputs.map((i) => path.basename(i.input.path))).toEqual(['lru.rdb', '-', 'lfu.rdb']);
      expect(doc.inputs[1].totals).toMatchObject({ keys: 87, bytes: readFileSync(FIXTURE).length });
    }
    const alone = rdbtool(['check', '-'], FIXTURE);
    expect(alone.status).toBe(0);
    expect(alone.stdout).toContain('-: RDB v10, CRC-64 ok, 87 key(s)');
  });

  it('sets exit codes 1 and 2', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-bin-'));
    const damaged = path.join(tmp, 'bad-checksum.rdb');
    const bytes = readFileSync(FIXTURE);
    bytes[bytes.length - 1] ^= 0xff; // the last byte of the CRC-64 trailer
    writeFileSync(damaged, bytes);
    const bad = rdbtool(['inspect', damaged]);
    rmSync(tmp, { recursive: true, force: true });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/checksum mismatch/);
    const missing = rdbtool(['export', 'no-such-file.rdb']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(rdbtool(['frobnicate']).status).toBe(2);
  });

  it('exits quietly when the reader of its output goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [BIN, 'export', BIG], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        first += d.toString();
        if (first.includes('\n')) {
          child.stdout.destroy(); // like `head -1` exiting
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(JSON.parse(first.split('\n')[0])).toHaveProperty('db');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('dist/cli/ is the bundle', () => {
  it('has main.js (executable), each worker entry as a file of its own, and the licenses of what it holds', () => {
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
    const files = readdirSync(path.dirname(BIN));
    expect(files).toContain('crc64-worker.js');
    expect(files).toContain('check-worker.js');
    expect(files).toContain('THIRD-PARTY-LICENSES.txt');
    // yargs is inside the bundle, not loaded from node_modules.
    expect(readFileSync(BIN, 'utf8')).not.toMatch(/from\s*["']yargs["']/);
    expect(readFileSync(path.join(path.dirname(BIN), 'THIRD-PARTY-LICENSES.txt'), 'utf8')).toMatch(/^yargs@/m);
  });

  it('checks several inputs on worker threads (the check worker is its own file)', () => {
    const r = rdbtool(['check', FIXTURE, BIG, FIXTURE, '--jobs', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('big-collections.rdb');
  });

  it('reports a bad option value as a usage error: one line, exit 2', () => {
    for (const args of [['export', FIXTURE, '--db', 'abc'], ['inspect', FIXTURE, '--type', 'foo'], ['check', FIXTURE, '--max-args', 'lots']]) {
      const r = rdbtool(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });
});

describe('dist/cli/main.js on a file of 16 MiB or more (the CRC-64 runs in a worker thread)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-bin-big-'));
  const big = path.join(tmp, 'big.rdb');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  beforeAll(async () => {
    requireRedisServer();
    // Uncompressed values, so 18 values of 1 MiB make an 18 MiB file.
    const redis = await startRedis({ config: { rdbcompression: 'no' } });
    try {
      await redis.client.call('DEBUG', 'POPULATE', '18', 'big', String(1 << 20));
      await redis.client.call('SAVE');
      copyFileSync(redis.dumpPath, big);
    } finally {
      await redis.stop();
    }
    expect(statSync(big).size).toBeGreaterThanOrEqual(16 << 20);
  }, 60_000);

  it('checks it and finds the checksum right', () => {
    const r = rdbtool(['check', big, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const i = rdbtool(['inspect', big, '--json']);
    expect(i.status).toBe(0);
    expect(JSON.parse(i.stdout)).toMatchObject({ checksum: { status: 'ok' }, totals: { keys: 18 } });
  });

  it('finds a wrong checksum', () => {
    const damaged = path.join(tmp, 'bad-checksum.rdb');
    const bytes = readFileSync(big);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(damaged, bytes);
    const r = rdbtool(['inspect', damaged, '--json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/checksum mismatch/);
  });

  it('runs the worker file next to the bundle (without it the checksum cannot be computed)', () => {
    const copy = path.join(tmp, 'cli');
    cpSync(path.dirname(BIN), copy, { recursive: true });
    const small = rdbtool(['check', FIXTURE], undefined, path.join(copy, 'main.js'));
    expect(small.status).toBe(0); // the copy works
    rmSync(path.join(copy, 'crc64-worker.js'));
    const r = rdbtool(['check', big], undefined, path.join(copy, 'main.js'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot compute the checksum/);
  });
});
