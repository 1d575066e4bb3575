/** The CLI in-process: exit codes, one-line errors, --json shapes, --help content. */
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { LIMIT_OPTION } from '../../src/limits.js';
import { reportError } from '../../src/cli/run.js';
import { InputError } from '../../src/errors.js';
import { collector, run } from './capture.js';
import type { CliIo } from '../../src/cli/cli.js';
import { corpusPath, itCorpus } from '../helpers/files.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALL_TYPES = path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb');
const corpus = (p: string): string => corpusPath(p);
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const ANSI = /\x1b\[/;
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

describe('help and version', () => {
  it('lists the commands and the exit-code table', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rdbtool inspect <file>');
    expect(r.stdout).toContain('rdbtool export <file>');
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^\s+0\s+success/m);
    expect(r.stdout).toMatch(/^\s+1\s+problem in the input/m);
    expect(r.stdout).toMatch(/^\s+2\s+usage error, I\/O error, or internal error/m);
    expect(r.stderr).toBe('');
  });

  it('shows examples, filters and every limit option in command help', async () => {
    const r = await run(['inspect', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('rdbtool inspect dump.rdb --json');
    for (const flag of ['--json', '--output', '--db', '--type', '--match', '--debug']) expect(r.stdout).toContain(flag);
    for (const flag of Object.values(LIMIT_OPTION)) expect(r.stdout).toContain(flag);
    const e = await run(['export', '--help']);
    expect(e.stdout).toContain('--format');
    expect(e.stdout).toMatch(/choices: "ndjson", "json"/);
    expect(e.stdout).toContain('rdbtool export dump.rdb > dump.ndjson');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('usage errors: one line on stderr, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /no command given/],
    ['unknown command', ['insect', 'x.rdb'], /unknown command "insect"\. Did you mean inspect\?/],
    ['unknown option', ['inspect', 'x.rdb', '--bogus'], /Unknown argument: bogus/],
    ['missing file argument', ['export'], /Not enough non-option arguments/],
    ['bad --format', ['export', 'x.rdb', '--format', 'xml'], /Invalid values: Argument: format, Given: "xml"/],
    ['bad --db', ['export', 'x.rdb', '--db', '-1'], /invalid --db "-1": expected a database number >= 0/],
    ['non-numeric --db', ['export', 'x.rdb', '--db', 'zero'], /invalid --db "zero": expected a database number >= 0/],
    ['--db abc', ['export', 'x.rdb', '--db', 'abc'], /invalid --db "abc": expected a database number >= 0/],
    ['fractional --db', ['inspect', 'x.rdb', '--db=1.5'], /invalid --db "1.5"/],
    ['--db without a value', ['export', 'x.rdb', '--db'], /Not enough arguments following: db/],
    ['bad --type', ['export', 'x.rdb', '--type', 'tree'], /unknown type "tree"/],
    ['--type foo', ['inspect', 'x.rdb', '--type', 'foo'], /unknown type "foo": expected one of string, list/],
    ['bad limit', ['inspect', 'x.rdb', '--max-string-bytes', '0'], /invalid --max-string-bytes "0": expected an integer >= 1/],
    ['non-numeric limit', ['check', 'x.rdb', '--max-args', 'lots'], /invalid --max-args "lots": expected an integer >= 1/],
    ['--max-loss-bytes lots', ['repair', 'x.aof', '--max-loss-bytes', 'lots'], /invalid --max-loss-bytes "lots"/],
    ['--truncate-to-timestamp garbage', ['repair', 'x.aof', '--truncate-to-timestamp', 'yesterday'], /invalid --truncate-to-timestamp "yesterday"/],
  ];
  for (const [name, argv, message] of cases) {
    it(name, async () => {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^rdbtool: /);
      expect(r.stderr).not.toMatch(/internal error|NaN/);
      expect(r.stdout).toBe('');
    });
  }

  it('also prints {"error": ...} with --json', async () => {
    const r = await run(['inspect', 'x.rdb', '--json', '--bogus']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'USAGE' } });
  });
});

describe('inspect', () => {
  it('prints the report and exits 0', async () => {
    const r = await run(['inspect', ALL_TYPES]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('RDB version 10');
    expect(r.stdout).toContain('Redis 7.0.15');
    expect(r.stdout).toContain('Checksum:  ok');
    expect(r.stdout).toContain('Biggest keys by on-disk size (top 10)');
    expect(r.stdout).toContain('Functions: 2 libraries');
    expect(ANSI.test(r.stdout)).toBe(false);
  });

  it('uses color only on a TTY without NO_COLOR', async () => {
    const tty = await run(['inspect', ALL_TYPES], { stdoutIsTty: true });
    expect(ANSI.test(tty.stdout)).toBe(true);
    const noColor = await run(['inspect', ALL_TYPES], { stdoutIsTty: true, env: { NO_COLOR: '1' } });
    expect(ANSI.test(noColor.stdout)).toBe(false);
  });

  it('draws progress on stderr only when it is a terminal, and erases it', async () => {
    const tty = await run(['inspect', ALL_TYPES, '--json'], { stderrIsTty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('reading: 26.4 KiB of 26.4 KiB (100.0%)');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(JSON.parse(tty.stdout).rdbVersion).toBe(10);
    const pipe = await run(['inspect', ALL_TYPES, '--json']);
    expect(pipe.stderr).toBe('');
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run(['inspect', ALL_TYPES, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & {
      databases: { db: number; keys: number }[];
      biggestKeys: { bySize: { key: unknown }[] };
      aux: { name: unknown; value: unknown }[];
      checksum: { status: string };
    };
    expect(j).toMatchObject({ format: 'rdb', dialect: 'redis', magic: 'REDIS', rdbVersion: 10, checksum: { status: 'ok' }, trailingBytes: 0 });
    expect(j.databases.map((d) => d.db)).toEqual([0, 1, 5, 15]);
    expect(j.biggestKeys.bySize).toHaveLength(10);
    // Byte strings follow the export schema's rule: a string or {b64}.
    for (const k of j.biggestKeys.bySize) expect(typeof k.key === 'string' || typeof (k.key as { b64?: unknown }).b64 === 'string').toBe(true);
    expect(j.aux.find((a) => a.name === 'redis-ver')?.value).toBe('7.0.15');
    expect(typeof j.elapsedMs).toBe('number');
  });

  itCorpus('exits 1 on a checksum mismatch, and still prints the report', async () => {
    const r = await run(['inspect', corpus('librdb/invalid_chksum_v8.rdb')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('MISMATCH');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/checksum mismatch: stored 0xb477e446e98e5402, computed 0xa609bb6465990fe1/);
  });

  itCorpus('exits 1 with one located line for a corrupt file; --json adds the error object', async () => {
    const file = corpus('librdb/redis_ent_opcode_ram_lru.rdb');
    const r = await run(['inspect', file]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`${file}: unknown object type 107 at byte 280 (0x118)`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
    const j = await run(['inspect', file, '--json']);
    expect(j.code).toBe(1);
    // The partial report (what came before the damage) carries the error.
    expect(JSON.parse(j.stdout)).toMatchObject({
      partial: { keys: 0 },
      error: expect.objectContaining({ code: 'UNKNOWN_TYPE', file, offset: 280, found: '0x6B' }),
    });
  });

  itCorpus('shows the stack with --debug', async () => {
    const r = await run(['inspect', corpus('librdb/redis_ent_opcode_ram_lru.rdb'), '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('exits 1 for a truncated file', async () => {
    const cut = path.join(TMP, 'cut.rdb');
    writeFileSync(cut, readFileSync(ALL_TYPES).subarray(0, 5000));
    const r = await run(['inspect', cut, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('TRUNCATED');
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('exits 2 when the input cannot be opened', async () => {
    const r = await run(['inspect', path.join(TMP, 'missing.rdb'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(JSON.parse(r.stdout).error.code).toBe('IO');
  });

  it('writes the report to a file with -o', async () => {
    const out = path.join(TMP, 'report.json');
    const r = await run(['inspect', ALL_TYPES, '--json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).rdbVersion).toBe(10);
  });

  it('counts only the filtered keys', async () => {
    const r = await run(['inspect', ALL_TYPES, '--json', '--db', '5', '--db', '15']);
    const j = JSON.parse(r.stdout) as { filtered: boolean; databases: { db: number; keys: number }[] };
    expect(j.filtered).toBe(true);
    expect(j.databases).toEqual([expect.objectContaining({ db: 5, keys: 3 }), expect.objectContaining({ db: 15, keys: 3 })]);
  });
});

describe('export', () => {
  itCorpus('writes NDJSON to stdout', async () => {
    const r = await run(['export', corpus('redis/encodings.rdb')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as { key: string; type: string });
    expect(recs).toHaveLength(13);
    expect(recs.find((x) => x.key === 'number')).toMatchObject({ type: 'string', encoding: 'int', value: '10' });
  });

  it('writes a JSON array with --format json, and applies filters', async () => {
    const r = await run(['export', ALL_TYPES, '--format', 'json', '--db', '1', '--type', 'string']);
    expect(r.code).toBe(0);
    const arr = JSON.parse(r.stdout) as { db: number; type: string }[];
    expect(arr.length).toBeGreaterThan(0);
    expect(arr.every((x) => x.db === 1 && x.type === 'string')).toBe(true);
  });

  itCorpus('matches keys with a Redis glob', async () => {
    const r = await run(['export', corpus('redis/encodings.rdb'), '--match', 'set_zipped_[12]']);
    expect(lines(r.stdout).map((l) => (JSON.parse(l) as { key: string }).key).sort()).toEqual(['set_zipped_1', 'set_zipped_2']);
  });

  itCorpus('writes to a file with -o and refuses to overwrite its input', async () => {
    const out = path.join(TMP, 'out.ndjson');
    const r = await run(['export', corpus('redis/encodings.rdb'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(readFileSync(out, 'utf8'))).toHaveLength(13);
    const same = await run(['export', out, '-o', out]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the input file/);
    expect(lines(readFileSync(out, 'utf8'))).toHaveLength(13);
  });

  it('exits 2 when the output cannot be created', async () => {
    const r = await run(['export', ALL_TYPES, '-o', path.join(TMP, 'no', 'such', 'dir', 'x.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot create .*ENOENT/);
    expect(existsSync(path.join(TMP, 'no'))).toBe(false);
  });

  itCorpus('exits 1 on a checksum mismatch after writing the records', async () => {
    const r = await run(['export', corpus('librdb/invalid_chksum_v8.rdb')]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toHaveLength(3);
    expect(r.stderr).toMatch(/CRC-64 checksum mismatch/);
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('takes limits from the command line', async () => {
    const r = await run(['export', ALL_TYPES, '--max-string-bytes', '16', '--json']);
    expect(r.code).toBe(2); // export has no --json: a usage error
    const lim = await run(['export', ALL_TYPES, '--max-string-bytes', '16']);
    expect(lim.code).toBe(1);
    expect(lim.stderr).toContain('--max-string-bytes');
  });
});

describe('reportError', () => {
  function io(): CliIo & { out: ReturnType<typeof collector>; err: ReturnType<typeof collector> } {
    const out = collector();
    const err = collector();
    return { stdout: out, stderr: err, out, err, stdoutIsTty: false, stderrIsTty: false, env: {}, exitCode: 0 };
  }

  it('calls unexpected errors internal, with the stack only under --debug', () => {
    const a = io();
    expect(reportError(a, new TypeError('x is undefined'), {})).toBe(2);
    expect(a.err.text()).toMatch(/^rdbtool: internal error, please report: x is undefined \(run with --debug/);
    expect(lines(a.err.text())).toHaveLength(1);
    const b = io();
    reportError(b, new TypeError('boom'), { debug: true, json: true });
    expect(b.err.text()).toMatch(/\n\s+at /);
    expect(JSON.parse(b.out.text())).toEqual({ error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('maps I/O errors to 2', () => {
    expect(reportError(io(), new InputError('cannot read'), {})).toBe(2);
  });
});
