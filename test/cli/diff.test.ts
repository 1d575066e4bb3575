/**
 * `rdbtool diff` as a user runs it: exit 0 when identical, 1 when the inputs differ, 2 on a
 * usage error, an unreadable input or a damaged one (located); the text summary, `--json`, the
 * NDJSON records (keys as export-schema byte strings) and `--top`; `--help`. The built bundle
 * reads one input from stdin, and compares large inputs on its worker threads.
 */
import path from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from './capture.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';

const A = path.join(FIXTURES, 'rdb', 'all-types.rdb');
const LFU = path.join(FIXTURES, 'rdb', 'lfu.rdb');
const BIN = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-cli-diff-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('rdbtool diff', () => {
  it('identical inputs: exit 0, one line saying so', async () => {
    const r = await run(['diff', A, A]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('identical: 87 keys in both, none differs');
    expect(r.stdout).toContain(`first:  ${A} (RDB, 87 keys)`);
  });

  it('different inputs: exit 1; tables by db and type; the first --top keys', async () => {
    const r = await run(['diff', A, LFU, '--top', '3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('differ: 98 keys — 11 added, 87 removed, 0 changed; 0 identical');
    expect(r.stdout).toContain('function libraries differ: 2 in the first, 0 in the second');
    expect(r.stdout).toContain('The first 3 of 98 differing keys (by db, then key):');
    expect(r.stdout).toMatch(/│ removed │ +0 │ ""/);
    expect(r.stdout).toMatch(/│ removed │ +0 │ "\\x00\\xff\\x0d\\x0a"/);
    expect(r.stdout).toMatch(/│ +15 │ +0 │ +3 │ +0 │/);
  });

  it('--format ndjson: one record per key, binary keys as {"b64"}, sorted; --limit caps it', async () => {
    const r = await run(['diff', A, LFU, '--format', 'ndjson']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(98);
    expect(lines[0]).toEqual({ db: 0, key: '', change: 'removed', what: [] });
    expect(lines[1]).toEqual({ db: 0, key: { b64: 'AP8NCg==' }, change: 'removed', what: [] });
    expect(lines.filter((l) => l.change === 'added')).toHaveLength(11);
    const dbs = lines.map((l) => l.db as number);
    expect(dbs).toEqual([...dbs].sort((x, y) => x - y));
    const capped = await run(['diff', A, LFU, '--format', 'ndjson', '--limit', '5']);
    expect(capped.stdout.trimEnd().split('\n')).toEqual(r.stdout.trimEnd().split('\n').slice(0, 5));
  });

  it('--json: the whole summary', async () => {
    const r = await run(['diff', A, LFU, '--json', '--top', '2', '--db', '0', '--ignore-ttl']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j.schemaVersion).toBe(1);
    expect(j.identical).toBe(false);
    expect(j.inputs.map((i: { keys: number; form: string }) => [i.form, i.keys])).toEqual([
      ['rdb', 77],
      ['rdb', 9],
    ]);
    expect(j.options).toEqual({ encodings: false, ignoreTtl: true, filter: { dbs: [0] } });
    expect(j.totals).toEqual({ added: 9, removed: 77, changed: 0, same: 0 });
    expect(j.keys).toEqual([
      { db: 0, key: '', change: 'removed', what: [], type: 'string' },
      { db: 0, key: { b64: 'AP8NCg==' }, change: 'removed', what: [], type: 'string' },
    ]);
  });

  it('a damaged input: exit 2 and its file and offset, not "differ"', async () => {
    const cut = path.join(work, 'cut.rdb');
    writeFileSync(cut, readFileSync(A).subarray(0, 5000));
    const r = await run(['diff', A, cut]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^rdbtool: ${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .* at byte \\d+`));
    const j = await run(['diff', cut, A, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'TRUNCATED', file: cut, offset: expect.any(Number) });
  });

  it('usage and I/O errors: exit 2', async () => {
    const missing = await run(['diff', A, path.join(work, 'missing.rdb')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.rdb');
    const both = await run(['diff', A, LFU, '--json', '--format', 'ndjson']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json');
    expect((await run(['diff', A])).code).toBe(2);
    expect((await run(['diff', A, LFU, '--top', '-1'])).code).toBe(2);
    expect((await run(['diff', A, LFU, '--type', 'nope'])).code).toBe(2);
  });

  it('--help: usage, options, examples and the exit codes of diff', async () => {
    const r = await run(['diff', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['diff <a> <b>', '--format', '--encodings', '--ignore-ttl', '--top', '--match', 'rdbtool diff before.rdb after.rdb', 'Exit codes of diff:', '0  the inputs are identical', '1  they differ', '2  usage or I/O error, or a damaged input']) {
      expect(r.stdout).toContain(s);
    }
  });
});

describe('the built bundle', () => {
  beforeAll(() => {
    const build = inject('cliBuild');
    if (build.error) throw new Error(build.error);
  });

  function rdbtool(args: string[], stdinFile?: string) {
    const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    try {
      return spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
    } finally {
      if (typeof fd === 'number') closeSync(fd);
    }
  }

  it('reads one input from stdin', () => {
    const r = rdbtool(['diff', '-', A], A);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('first:  - (RDB, 87 keys)');
  });

  it('compares large inputs on its worker threads, with the same answer', async () => {
    // Two 20 MB files (40 MB together: past the size at which the inputs go to workers).
    const files: string[] = [];
    for (const [name, extra] of [['a', 'x'], ['b', 'y']] as const) {
      const ds = new Dataset();
      const big = Buffer.alloc(20 << 20);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
      ds.db(0).add('big', big.toString('latin1'));
      for (let i = 0; i < 2000; i++) ds.db(i % 3).add(`k:${i}`, `v${i}`);
      ds.db(0).add(`only:${name}`, extra);
      const sink = memorySink();
      await writeDatasetRdb(ds, sink, { rdbVersion: 10, compression: false });
      files.push(path.join(work, `${name}.rdb`));
      writeFileSync(files.at(-1)!, sink.bytes());
    }
    const r = rdbtool(['diff', files[0], files[1], '--format', 'ndjson']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('{"db":0,"key":"only:a","change":"removed","what":[]}\n{"db":0,"key":"only:b","change":"added","what":[]}\n');
  });
});
