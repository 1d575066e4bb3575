/**
 * `rdbtool report` on the command line: in-process runs for the exit codes (0 written, 1
 * written but damaged or no page for a file that is not a persistence file, 2 usage), the
 * output appearing only once complete (nothing left behind, an old file kept on failure),
 * stdout with `-o -`; and the built bundle, run from another directory, writing the default
 * report.html with the chart library read from the installed package (the bundle itself
 * does not hold it, so other commands never load it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../cli/capture.js';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';
import type { ReportData } from '../../src/report/report-data.js';

const RDB = path.join(FIXTURES, 'rdb', 'all-types.rdb');
const BIN = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-report-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The data inside a written page. */
function dataOf(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error('no data element in the page');
  return JSON.parse(m[1]) as ReportData;
}

/** Files in `dir` other than `keep` (temporaries left behind). */
const others = (dir: string, keep: string[]): string[] => readdirSync(dir).filter((f) => !keep.includes(f));

describe('rdbtool report', () => {
  it('writes the page of an RDB to -o FILE and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmp, 'ok-'));
    const out = path.join(dir, 'r.html');
    const r = await run(['report', RDB, '-o', out, '--top', '5', '--depth', '2', '--separator', ':']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(r.stderr).toBe(`rdbtool: wrote ${out}: ${dataOf(html).summary.keys} key(s), ${Buffer.byteLength(html)} bytes\n`);
    const data = dataOf(html);
    expect(data.topKeys).toHaveLength(5);
    expect(data.prefixes.depth).toBe(2);
    expect(data.partial).toBeNull();
    expect(others(dir, ['r.html'])).toEqual([]);
  });

  it('applies the key filters', async () => {
    const out = path.join(tmp, 'filtered.html');
    const r = await run(['report', RDB, '-o', out, '--type', 'zset', '--db', '0']);
    expect(r.code).toBe(0);
    const data = dataOf(readFileSync(out, 'utf8'));
    expect(data.filtered).toBe(true);
    expect(data.byType.map((t) => t.type)).toEqual(['zset']);
    expect(data.byDb.map((d) => d.db)).toEqual([0]);
  });

  it('writes a multi-part AOF, marked with its files', async () => {
    const out = path.join(tmp, 'aof.html');
    const r = await run(['report', path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir'), '-o', out]);
    expect(r.code).toBe(0);
    const data = dataOf(readFileSync(out, 'utf8'));
    expect(data.input.form).toBe('multipart');
    expect(data.input.files.map((f) => f.role)).toEqual(['base', 'incr']);
    expect(data.writes!.timestamps).toBeGreaterThan(0);
  });

  it('a damaged input: the page is written, marked partial, then the error and exit 1', async () => {
    const cut = path.join(tmp, 'cut.rdb');
    writeFileSync(cut, readFileSync(RDB).subarray(0, 3000));
    const out = path.join(tmp, 'cut.html');
    const r = await run(['report', cut, '-o', out]);
    expect(r.code).toBe(1);
    const data = dataOf(readFileSync(out, 'utf8'));
    expect(data.partial).toMatchObject({ code: 'TRUNCATED', complete: false });
    expect(r.stderr).toMatch(/^rdbtool: wrote .*cut\.html: \d+ key\(s\), \d+ bytes, PARTIAL\nrdbtool: .*cut\.rdb: the file ends in the middle of a record at byte \d+/);
  });

  it('a file that is not a persistence file: no page, the old file kept, nothing left behind, exit 1', async () => {
    const dir = mkdtempSync(path.join(tmp, 'junk-'));
    const junk = path.join(dir, 'notes.txt');
    writeFileSync(junk, 'just some text\n');
    const out = path.join(dir, 'r.html');
    writeFileSync(out, 'the old page');
    const r = await run(['report', junk, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rdbtool: .*notes\.txt: not an RDB file at byte 0/);
    expect(readFileSync(out, 'utf8')).toBe('the old page');
    expect(others(dir, ['notes.txt', 'r.html'])).toEqual([]);
  });

  it('-o - writes the page to stdout', async () => {
    const r = await run(['report', RDB, '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(dataOf(r.stdout).input.name).toBe(RDB);
  });

  it('usage errors exit 2 without writing', async () => {
    const out = path.join(tmp, 'never.html');
    for (const args of [
      ['report', RDB, '-o', RDB],
      ['report', RDB, '-o', out, '--separator', ''],
      ['report', RDB, '-o', out, '--target', 'redis@5.0'],
      ['report', RDB, '-o', out, '--top', '-1'],
      ['report', RDB, '-o', out, '--depth', 'x'],
      ['report', path.join(tmp, 'missing.rdb'), '-o', out],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^rdbtool: /);
    }
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(RDB).subarray(0, 5).toString()).toBe('REDIS');
  });

  it('--help shows the options, examples and exit codes', async () => {
    const r = await run(['report', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--output', '--top', '--separator', '--depth', '--match', 'rdbtool report dump.rdb', 'Exit codes of report', 'loads nothing from the network']) expect(r.stdout).toContain(s);
  });
});

describe('the built bundle', () => {
  beforeAll(() => {
    const build = inject('cliBuild');
    if (build.error) throw new Error(build.error);
  });

  it('writes report.html in the working directory by default, with the chart library read from the installed package', () => {
    const dir = mkdtempSync(path.join(tmp, 'bin-'));
    const r = spawnSync(process.execPath, [BIN, 'report', RDB], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toMatch(/^rdbtool: wrote report\.html: \d+ key\(s\), \d+ bytes\n$/);
    expect(r.status).toBe(0);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    const lib = readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'echarts', 'dist', 'echarts.min.js'), 'utf8');
    expect(html).toContain(lib);
    expect(dataOf(html).tool).toMatch(/^rdbtool \d+\.\d+\.\d+/);
    // The bundle does not carry the library: only report reads it, when it runs.
    expect(readFileSync(BIN, 'utf8')).not.toContain('__ec_primitive__');
  });
});
