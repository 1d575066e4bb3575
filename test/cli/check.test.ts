/**
 * `rdbtool check` in-process: the text lines CI logs show, the `--json` report validated field
 * by field against the documented schema, exit codes 0 / 1 / 2, `--quiet`, `-o`, colours only
 * on a terminal, progress only on a terminal stderr, and `--help`. Several inputs, policy
 * rules, `--target` and JUnit have their own file (check-many.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './capture.js';
import { FIXTURES } from '../helpers/files.js';
import { RUN, type Report } from './check-schema.js';

const AOF = path.join(FIXTURES, 'aof');
const RDB_DIR = path.join(AOF, 'rdb-multipart', 'appendonlydir');
const PLAIN = readFileSync(path.join(AOF, 'plain.aof'));
const ANSI = /\x1b\[/;
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

let scratch = '';
beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-cli-check-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

async function scratchFile(name: string, bytes: Uint8Array | string): Promise<string> {
  const f = path.join(scratch, name);
  await fs.writeFile(f, bytes);
  return f;
}

async function json(args: string[]) {
  const r = await run(['check', ...args, '--json']);
  const doc = JSON.parse(r.stdout) as { inputs: Report[]; summary: { exitCode: number } };
  RUN(doc, 'run');
  expect(doc.inputs).toHaveLength(1);
  expect(doc.summary.exitCode).toBe(r.code);
  return { r, report: doc.inputs[0] };
}

// ---------------------------------------------------------------- tests

describe('rdbtool check: intact inputs', () => {
  it('a multi-part directory: one line per file, the Redis line, the verdict; exit 0', async () => {
    const r = await run(['check', RDB_DIR]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      `${path.join(RDB_DIR, 'appendonly.aof.manifest')}: manifest of a multi-part AOF: base + 1 incr file(s)`,
      `${path.join(RDB_DIR, 'appendonly.aof.2.base.rdb')}: base seq 2 (manifest line 1), RDB v10, CRC-64 ok, 21 key(s), 862 bytes: ok`,
      `${path.join(RDB_DIR, 'appendonly.aof.2.incr.aof')}: incr seq 2 (manifest line 2), AOF, 28 command(s), 2 annotation(s), 933 bytes: ok`,
      'Redis would start: yes',
      'Oldest servers that load it: Redis 7.0, Valkey 7.2 (check one with --target)',
      'Verdict: intact (2 file(s), 1,795 bytes, 21 key(s), 28 command(s))',
    ]);
  });

  it('every fixture exits 0', async () => {
    const inputs = [
      path.join(AOF, 'plain.aof'),
      path.join(AOF, 'hybrid.aof'),
      path.join(AOF, 'resp-multipart'),
      path.join(RDB_DIR, 'appendonly.aof.manifest'),
      ...['all-types', 'empty', 'lfu', 'lru', 'nocompress-nochecksum', 'big-collections'].map((n) => path.join(FIXTURES, 'rdb', `${n}.rdb`)),
    ];
    for (const input of inputs) {
      const r = await run(['check', input]);
      expect(r.code, `${input}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(lines(r.stdout).at(-1)).toMatch(/^Verdict: intact/);
    }
  });

  it('a hybrid file and an RDB describe what they hold', async () => {
    const h = await run(['check', path.join(AOF, 'hybrid.aof')]);
    expect(h.stdout).toContain('hybrid AOF: RDB v10 preamble (CRC-64 ok, 21 key(s)), then 28 command(s), 2 annotation(s) from byte 862, 1,795 bytes: ok');
    const n = await run(['check', path.join(FIXTURES, 'rdb', 'nocompress-nochecksum.rdb')]);
    expect(lines(n.stdout)).toEqual([
      expect.stringMatching(/nocompress-nochecksum\.rdb: RDB v\d+, CRC-64 disabled, \d+ key\(s\), [\d,]+ bytes: ok$/),
      expect.stringMatching(/nocompress-nochecksum\.rdb:\d+: warning NO_CHECKSUM: the RDB was written without a checksum/),
      'Redis would start: yes (as dump.rdb, and as an AOF)',
      'Oldest servers that load it: Redis 7.0, Valkey 7.2 (check one with --target)',
      expect.stringMatching(/^Verdict: intact, 1 warning\(s\) \(1 file\(s\)/),
    ]);
  });
});

describe('rdbtool check: damaged inputs', () => {
  it('a truncated AOF: a grep-friendly problem line, the valid offset, the Redis line; exit 1', async () => {
    const f = await scratchFile('cut.aof', PLAIN.subarray(0, 2000));
    const r = await run(['check', f]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([
      `${f}: AOF, 36 command(s), 2 annotation(s), 2,000 bytes: TRUNCATED`,
      `${f}:2000: error TRUNCATED: the input ends inside a command (expected at least 8 more byte(s), found end of input) [line 347]`,
      '  valid up to byte 1958 of 2000 (42 byte(s) after it; redis-check-aof: ok_up_to=1958, ok_up_to_line=339)',
      `Redis would start: yes (aof-load-truncated yes truncates ${f} to 1958 bytes, dropping the last 42); with aof-load-truncated no: no`,
      'Oldest servers that load it: Redis 7.0, Valkey 7.2 (check one with --target)',
      'Verdict: DAMAGED: 1 error(s) (1 file(s), 2,000 bytes, 36 command(s))',
    ]);
    expect(r.stderr).toBe('');
  });

  it('--quiet prints only the problems and the verdict', async () => {
    const f = await scratchFile('cut-quiet.aof', PLAIN.subarray(0, 2000));
    const r = await run(['check', f, '--quiet']);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([expect.stringMatching(/:2000: error TRUNCATED: /), expect.stringMatching(/^Verdict: DAMAGED: 1 error\(s\)/)]);
    const ok = await run(['check', path.join(AOF, 'plain.aof'), '-q']);
    expect(ok.code).toBe(0);
    expect(lines(ok.stdout)).toEqual(['Verdict: intact (1 file(s), 2,698 bytes, 59 command(s))']);
  });

  it('a bad manifest is a problem (exit 1), not a crash', async () => {
    const d = path.join(scratch, 'bad-manifest');
    await fs.cp(RDB_DIR, d, { recursive: true });
    await fs.writeFile(path.join(d, 'appendonly.aof.manifest'), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type x\n');
    const r = await run(['check', d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const m = path.join(d, 'appendonly.aof.manifest');
    expect(lines(r.stdout)).toEqual([
      `${m}: manifest of a multi-part AOF: unreadable`,
      `${m}:44: error MANIFEST_INVALID: manifest line 2: unknown manifest file type (expected type b, h or i, found "x") [line 2]`,
      `Redis would start: no (Redis refuses the manifest ${m}: Unknown AOF file type (line 2))`,
      'Verdict: DAMAGED: 1 error(s) (0 file(s), 0 bytes)',
    ]);
  });

  it('a missing incr file: MISSING line under the file; exit 1', async () => {
    const d = path.join(scratch, 'missing');
    await fs.cp(RDB_DIR, d, { recursive: true });
    await fs.rm(path.join(d, 'appendonly.aof.2.incr.aof'));
    const r = await run(['check', d]);
    expect(r.code).toBe(1);
    const incr = path.join(d, 'appendonly.aof.2.incr.aof');
    expect(lines(r.stdout)).toContain(`${incr}: incr seq 2 (manifest line 2), listed in the manifest: MISSING`);
    expect(lines(r.stdout)).toContain(`${incr}: error MISSING_FILE: listed in the manifest (line 2) but does not exist (expected a readable file, found no such file)`);
    expect(lines(r.stdout)).toContain(`Redis would start: no (${incr} is listed in the manifest but does not exist)`);
  });

  it('a damaged RDB: the key being read is named', async () => {
    const b = Buffer.from(readFileSync(path.join(RDB_DIR, 'appendonly.aof.2.base.rdb')));
    b[300] = 0;
    const f = await scratchFile('flip.rdb', b);
    const r = await run(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/flip\.rdb:300: error BLOB_CORRUPT: .* while reading key "hash:h" \(hash-listpack\) in db 0\n/);
    // RDB words for an RDB: how far it was read, and that no cut saves it.
    expect(r.stdout).toMatch(/^  \d+ key\(s\) read before byte 300 of 862, the last of them cut short$/m);
    expect(r.stdout).toContain('Redis loads nothing from a damaged RDB');
    expect(r.stdout).not.toContain('redis-check-aof');
    expect(r.stdout).not.toContain('valid up to');
    expect(r.stdout).toContain('Redis would start: no (the RDB is damaged (BLOB_CORRUPT at byte 300))');
  });
});

describe('rdbtool check --json', () => {
  it('an intact multi-part set: every documented field, seq as a decimal string', async () => {
    const { r, report } = await json([RDB_DIR]);
    expect(r.code).toBe(0);
    expect(report.intact).toBe(true);
    expect(report.files.map((f) => f.seq)).toEqual(['2', '2']);
    expect(report).toMatchObject({ input: { form: 'multipart', manifest: path.join(RDB_DIR, 'appendonly.aof.manifest') }, totals: { files: 2, bytes: 1795, keys: 21 } });
  });

  it('damaged inputs of every kind validate against the schema and exit 1', async () => {
    const cut = await scratchFile('json-cut.aof', PLAIN.subarray(0, 2250));
    const junk = await scratchFile('json-junk.rdb', Buffer.concat([readFileSync(path.join(FIXTURES, 'rdb', 'lru.rdb')), Buffer.from('xyz')]));
    const crc = Buffer.from(readFileSync(path.join(FIXTURES, 'rdb', 'empty.rdb')));
    crc[crc.length - 1] ^= 1;
    const crcFile = await scratchFile('json-crc.rdb', crc);
    const missing = path.join(scratch, 'json-missing');
    await fs.cp(RDB_DIR, missing, { recursive: true });
    await fs.rm(path.join(missing, 'appendonly.aof.2.incr.aof'));
    const manifest = path.join(scratch, 'json-manifest');
    await fs.cp(RDB_DIR, manifest, { recursive: true });
    await fs.writeFile(path.join(manifest, 'appendonly.aof.manifest'), 'file x seq 0 type b\n');
    for (const input of [cut, junk, crcFile, missing, manifest]) {
      const { r, report } = await json([input]);
      expect(r.code, input).toBe(1);
      expect(report.intact).toBe(false);
    }
    const { report } = await json([cut]);
    expect(report).toMatchObject({
      redisWouldStart: { withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: false, truncation: { toOffset: 2237, lostBytes: 13, leavesOpenMulti: true } },
      files: [{ okUpTo: 2191, lostBytes: 59, pendingMulti: true, multiOffset: 2191, redisCheckAof: { okUpTo: 2191, okUpToLine: 388, diff: 59 } }],
    });
  });

  it('an empty AOF: intact with a warning, exit 0', async () => {
    const f = await scratchFile('empty.aof', '');
    const { r, report } = await json([f]);
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ intact: true, status: 'intact', problems: [{ code: 'EMPTY_INPUT', severity: 'warning' }], totals: { errors: 0, warnings: 1 } });
  });

  it('an unreadable input is reported in its place (status unreadable), and on stderr; exit 2', async () => {
    const nope = path.join(scratch, 'nope.aof');
    const { r, report } = await json([nope]);
    expect(r.code).toBe(2);
    expect(report).toMatchObject({ status: 'unreadable', exitCode: 2, files: [], problems: [{ code: 'IO', file: nope }] });
    expect(r.stderr).toMatch(/^rdbtool: .*nope\.aof: cannot open/);
  });
});

describe('rdbtool check: exit 2, output, colour, progress, help', () => {
  it('unreadable path, directory without persistence files, missing argument: exit 2 with one line on stderr', async () => {
    const a = await run(['check', path.join(scratch, 'does-not-exist')]);
    expect(a.code).toBe(2);
    expect(lines(a.stderr)).toHaveLength(1);
    expect(lines(a.stdout)).toEqual([`${path.join(scratch, 'does-not-exist')}: error IO: cannot open: no such file or directory (ENOENT)`, 'Verdict: UNREADABLE: the input could not be read']);
    const d = path.join(scratch, 'nothing-here');
    await fs.mkdir(d);
    await fs.writeFile(path.join(d, 'notes.txt'), 'hello');
    const b = await run(['check', d]);
    expect(b.code).toBe(2);
    expect(lines(b.stderr)).toEqual([`rdbtool: ${d}: no persistence files found among 1 file(s) (add --sniff to look inside files whose names do not say)`]);
    const c = await run(['check']);
    expect(c.code).toBe(2);
  });

  it('a directory without a manifest is searched: its appendonly.aof is checked', async () => {
    const d = path.join(scratch, 'no-manifest');
    await fs.mkdir(d);
    await fs.writeFile(path.join(d, 'appendonly.aof'), PLAIN);
    const r = await run(['check', d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${path.join(d, 'appendonly.aof')}: AOF, 59 command(s)`);
  });

  it('-o writes the report to a file and nothing to stdout', async () => {
    const out = path.join(scratch, 'report.json');
    const r = await run(['check', path.join(AOF, 'plain.aof'), '--json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    RUN(JSON.parse(await fs.readFile(out, 'utf8')), 'run');
  });

  it('colours only on a terminal, and never with NO_COLOR', async () => {
    const f = await scratchFile('colour.aof', PLAIN.subarray(0, 100));
    const tty = await run(['check', f], { stdoutIsTty: true });
    expect(tty.stdout).toMatch(ANSI);
    expect(tty.code).toBe(1);
    expect((await run(['check', f], { stdoutIsTty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await run(['check', f])).stdout).not.toMatch(ANSI);
  });

  it('progress goes to stderr only when it is a terminal', async () => {
    const tty = await run(['check', RDB_DIR], { stderrIsTty: true });
    expect(tty.stderr).toContain('reading:');
    expect(tty.stdout).not.toContain('reading:');
    expect((await run(['check', RDB_DIR])).stderr).toBe('');
  });

  it('--help explains the exit codes and the Redis line, with CI examples', async () => {
    const r = await run(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rdbtool check <paths..>');
    expect(r.stdout).toMatch(/^\s+0\s+every input intact/m);
    expect(r.stdout).toMatch(/^\s+1\s+an input is damaged/m);
    expect(r.stdout).toMatch(/^\s+2\s+usage or I\/O error/m);
    expect(r.stdout).toContain('aof-load-truncated');
    expect(r.stdout).toContain('rdbtool check backup/appendonlydir && upload');
    expect(r.stdout).toContain('--json | jq');
    for (const flag of ['--json', '--output', '--quiet', '--max-args', '--max-string-bytes', '--jobs', '--sniff', '--junit', '--target', '--min-keys', '--max-age', '--require-checksum', '--max-key-bytes', '--max-elements', '--baseline', '--max-shrink', '--config']) {
      expect(r.stdout).toContain(flag);
    }
    const top = await run(['--help']);
    expect(top.stdout).toContain('rdbtool check <paths..>');
  });
});
