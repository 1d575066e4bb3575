/** The built executable, spawned as a user runs it. */
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const FIXTURE = path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb');
const BIG = path.join(ROOT, 'fixtures', 'rdb', 'big-collections.rdb');

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}, 120_000);

function rdbtool(args: string[], stdinFile?: string) {
  const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  try {
    return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
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
