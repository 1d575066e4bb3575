/**
 * `rdbtool export` and AOF inputs, in-process: `--format commands` (NDJSON lines, `--db`,
 * `-o`, damage → the complete lines then exit 1), and what the key formats do with an AOF
 * (refused before any output, except a hybrid file whose RDB part is exported with a warning).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommands } from '../../src/export/export-commands.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';
import { run } from './capture.js';

const AOF = path.join(FIXTURES, 'aof');
const PLAIN = path.join(AOF, 'plain.aof');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-export-commands-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

interface Line {
  file: string;
  offset: number;
  db: number;
  ts: number | null;
  argv: unknown[];
}

async function library(given: string): Promise<string> {
  const sink = memorySink();
  await exportCommands(given, sink);
  return sink.text();
}

describe('export --format commands', () => {
  for (const given of [PLAIN, path.join(AOF, 'hybrid.aof'), path.join(AOF, 'resp-multipart'), path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.manifest')]) {
    it(`${path.relative(AOF, given)}: the library's lines on stdout, exit 0`, async () => {
      const r = await run(['export', given, '--format', 'commands']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(await library(given));
      const ls = lines(r.stdout).map((l) => JSON.parse(l) as Line);
      expect(ls.length).toBeGreaterThan(20);
      // In load order: offsets grow within a file.
      for (let i = 1; i < ls.length; i++) if (ls[i].file === ls[i - 1].file) expect(ls[i].offset).toBeGreaterThan(ls[i - 1].offset);
    });
  }

  it('--db keeps the commands of those databases', async () => {
    const all = lines((await run(['export', PLAIN, '--format', 'commands'])).stdout).map((l) => JSON.parse(l) as Line);
    const r = await run(['export', PLAIN, '--format', 'commands', '--db', '2', '--db', '3']);
    expect(r.code).toBe(0);
    const some = lines(r.stdout).map((l) => JSON.parse(l) as Line);
    expect(some).toEqual(all.filter((l) => l.db === 2 || l.db === 3));
    expect(some.length).toBeGreaterThan(0);
  });

  it('writes to a file with -o', async () => {
    const out = path.join(TMP, 'commands.ndjson');
    const r = await run(['export', PLAIN, '--format', 'commands', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(await library(PLAIN));
  });

  it('refuses --type and --match (they select keys of an RDB): exit 2', async () => {
    for (const extra of [['--type', 'hash'], ['--match', 'a*']]) {
      const r = await run(['export', PLAIN, '--format', 'commands', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--type and --match select keys of an RDB file; --format commands filters by --db only/);
    }
  });

  it('a damaged file: every complete command, then one error line, exit 1', async () => {
    const plain = readFileSync(PLAIN);
    const cut = path.join(TMP, 'cut.aof');
    writeFileSync(cut, plain.subarray(0, 1500));
    const r = await run(['export', cut, '--format', 'commands']);
    expect(r.code).toBe(1);
    const got = lines(r.stdout).map((l) => JSON.parse(l) as Line);
    const all = lines(await library(PLAIN)).map((l) => JSON.parse(l) as Line);
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual(all.slice(0, got.length).map((l) => ({ ...l, file: cut })));
    expect(all[got.length].offset).toBeLessThan(1500); // the next one was cut
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^rdbtool: ${cut}: the input ends inside a command \\(valid up to byte ${all[got.length].offset}; ${got.length} command\\(s\\) exported\\) at byte ${all[got.length].offset}`));
  });

  it('an RDB file holds no commands: no line, a warning, exit 0', async () => {
    const rdb = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    const r = await run(['export', rdb, '--format', 'commands']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`rdbtool: ${rdb} holds an RDB and no AOF commands: nothing to list (export its keys with --format ndjson)\n`);
    const hybrid = await run(['export', path.join(AOF, 'hybrid.aof'), '--format', 'commands']);
    expect(hybrid.stderr).toBe('');
  });

  it('shows the format and examples in --help', async () => {
    const r = await run(['export', '--help']);
    expect(r.stdout).toMatch(/choices: "ndjson", "json", "commands"/);
    const flat = r.stdout.replace(/\s+/g, ' '); // yargs wraps long examples
    expect(flat).toContain('rdbtool export appendonly.aof --format commands |');
    expect(flat).toContain('jq -c .argv');
    expect(flat).toContain('RDB or AOF file, multi-part AOF directory or manifest, or - for stdin');
  });
});

describe('export of keys (ndjson, json) with an AOF input', () => {
  it('refuses a plain AOF before making any output: exit 2, pointing to --format commands', async () => {
    const out = path.join(TMP, 'never.ndjson');
    for (const format of ['ndjson', 'json']) {
      const r = await run(['export', PLAIN, '--format', format, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/holds AOF commands, not an RDB; .*--format commands/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses a multi-part AOF, naming its RDB base when it has one', async () => {
    const rdb = await run(['export', path.join(AOF, 'rdb-multipart')]);
    expect(rdb.code).toBe(2);
    expect(rdb.stderr).toMatch(/is a multi-part AOF \(its RDB base .*appendonly\.aof\.2\.base\.rdb can be exported on its own/);
    const resp = await run(['export', path.join(AOF, 'resp-multipart')]);
    expect(resp.code).toBe(2);
    expect(resp.stderr).toMatch(/is a multi-part AOF; the key export reads RDB files/);
  });

  it('a hybrid file: the keys of its RDB part, and a warning about the commands after it', async () => {
    const r = await run(['export', path.join(AOF, 'hybrid.aof')]);
    expect(r.code).toBe(0);
    const base = await run(['export', path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')]);
    expect(base.stderr).toBe('');
    expect(r.stdout).toBe(base.stdout);
    expect(lines(r.stdout)).toHaveLength(21);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/hybrid\.aof: 933 byte\(s\) follow the RDB's checksum trailer .* not exported; list AOF commands with --format commands/);
  });

  it('anything else that is not an RDB still goes to the RDB decoder (BAD_MAGIC, exit 1)', async () => {
    const junk = path.join(TMP, 'junk.bin');
    writeFileSync(junk, 'hello, not a dump');
    const r = await run(['export', junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/junk\.bin/);
  });
});

describe('export - --format commands (stdin), through the real entry point', () => {
  it('gives the file\'s lines with "file":"-"; a plain AOF on stdin is refused for --format ndjson', async () => {
    const spawn = (args: string[], file: string) => {
      const fd = openSync(file, 'r');
      try {
        return spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'], timeout: 60_000 });
      } finally {
        closeSync(fd);
      }
    };
    const want = (await library(PLAIN)).split(JSON.stringify(PLAIN)).join('"-"');
    expect(want).not.toContain(PLAIN);
    const r = spawn(['export', '-', '--format', 'commands'], PLAIN);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(want);
    const refused = spawn(['export', '-'], PLAIN);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^rdbtool: - holds AOF commands, not an RDB/);
  }, 60_000);
});
