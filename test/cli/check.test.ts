/**
 * `rdbtool check` in-process: the text lines CI logs show, the `--json` report validated field
 * by field against the documented schema, exit codes 0 / 1 / 2, `--quiet`, `-o`, colours only
 * on a terminal, progress only on a terminal stderr, and `--help`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './capture.js';
import { FIXTURES } from '../helpers/files.js';

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

// ---------------------------------------------------------------- the JSON schema, as documented

type Check = (v: unknown, at: string) => void;
const fail = (at: string, what: string, v: unknown) => {
  throw new Error(`${at}: expected ${what}, got ${JSON.stringify(v)}`);
};
const int: Check = (v, at) => void (Number.isInteger(v) && (v as number) >= 0 ? 0 : fail(at, 'a non-negative integer', v));
const num: Check = (v, at) => void (typeof v === 'number' ? 0 : fail(at, 'a number', v));
const str: Check = (v, at) => void (typeof v === 'string' ? 0 : fail(at, 'a string', v));
const bool: Check = (v, at) => void (typeof v === 'boolean' ? 0 : fail(at, 'a boolean', v));
const oneOf =
  (...values: unknown[]): Check =>
  (v, at) =>
    void (values.includes(v) ? 0 : fail(at, `one of ${values.join(', ')}`, v));
const nullOr =
  (c: Check): Check =>
  (v, at) =>
    void (v === null ? 0 : c(v, at));
const arrayOf =
  (c: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) fail(at, 'an array', v);
    (v as unknown[]).forEach((x, i) => c(x, `${at}[${i}]`));
  };
const hex16: Check = (v, at) => void (typeof v === 'string' && /^[0-9a-f]{16}$/.test(v) ? 0 : fail(at, '16 hex digits', v));
const decimal: Check = (v, at) => void (typeof v === 'string' && /^-?\d+$/.test(v) ? 0 : fail(at, 'a decimal string', v));
/** An object with exactly these keys. */
const obj =
  (shape: Record<string, Check>): Check =>
  (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(at, 'an object', v);
    const o = v as Record<string, unknown>;
    expect(Object.keys(o).sort(), at).toEqual(Object.keys(shape).sort());
    for (const [k, c] of Object.entries(shape)) c(o[k], `${at}.${k}`);
  };

const PROBLEM_CODES = [
  'BAD_MAGIC', 'UNSUPPORTED_VERSION', 'UNKNOWN_OPCODE', 'UNKNOWN_TYPE', 'UNVERIFIED_LAYOUT', 'BAD_LENGTH', 'BAD_STRING_ENCODING', 'BAD_VALUE',
  'LZF_CORRUPT', 'BLOB_CORRUPT', 'CHECKSUM_MISMATCH', 'TRAILING_DATA', 'TRUNCATED', 'RESP_SYNTAX', 'UNBALANCED_MULTI', 'MANIFEST_INVALID',
  'LIMIT_EXCEEDED', 'MISSING_FILE', 'EMPTY_INPUT', 'NO_CHECKSUM',
]; // prettier-ignore

const REPORT: Check = obj({
  schemaVersion: oneOf(1),
  input: obj({ path: str, form: oneOf('file', 'multipart'), manifest: nullOr(str), history: arrayOf(str) }),
  files: arrayOf(
    obj({
      name: str,
      role: oneOf('file', 'base', 'incr'),
      manifestLine: nullOr(int),
      seq: nullOr(decimal),
      last: bool,
      content: oneOf('rdb', 'aof', 'hybrid', 'empty', null),
      size: nullOr(int),
      status: oneOf('ok', 'empty', 'truncated', 'corrupt', 'missing'),
      okUpTo: nullOr(int),
      lostBytes: nullOr(int),
      respOffset: nullOr(int),
      commands: int,
      annotations: int,
      pendingMulti: bool,
      multiOffset: nullOr(int),
      rdb: nullOr(
        obj({
          magic: oneOf('REDIS', 'VALKEY', null),
          version: nullOr(int),
          checksum: oneOf('ok', 'mismatch', 'disabled', 'absent', 'not-reached'),
          storedChecksum: nullOr(hex16),
          computedChecksum: nullOr(hex16),
          keys: int,
          endOffset: nullOr(int),
          verification: oneOf('checksum', 'deep'),
        }),
      ),
      redisCheckAof: nullOr(obj({ okUpTo: int, okUpToLine: int, diff: int })),
      problems: int,
    }),
  ),
  problems: arrayOf((v, at) => {
    const p = v as { context?: unknown };
    obj({
      file: str,
      offset: nullOr(int),
      line: nullOr(int),
      code: oneOf(...PROBLEM_CODES),
      severity: oneOf('error', 'warning'),
      section: oneOf('rdb', 'aof', 'manifest', 'file'),
      reason: str,
      expected: nullOr(str),
      found: nullOr(str),
      context: nullOr((c, a) => void (typeof c === 'object' ? 0 : fail(a, 'an object', c))),
    })(p, at);
  }),
  intact: bool,
  redisWouldStart: obj({
    withAofLoadTruncatedYes: bool,
    withAofLoadTruncatedNo: bool,
    reason: str,
    truncation: nullOr(obj({ file: str, toOffset: int, lostBytes: int, leavesOpenMulti: bool, dropsRdbPreamble: bool })),
    asRdbSnapshot: nullOr(obj({ loads: bool, reason: str })),
  }),
  totals: obj({ files: int, bytes: int, commands: int, annotations: int, keys: int, errors: int, warnings: int }),
  elapsedMs: num,
});

async function json(args: string[]) {
  const r = await run(['check', ...args, '--json']);
  const report = JSON.parse(r.stdout) as Record<string, unknown> & { intact: boolean; files: { seq: string | null }[] };
  REPORT(report, 'report');
  return { r, report };
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
      'Redis would start: yes; as dump.rdb: yes',
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
    expect(r.stdout).toContain('redis-check-aof stops in its RDB check');
    expect(r.stdout).toMatch(/Redis would start: no \(.*\); as dump\.rdb: no \(the RDB is damaged \(BLOB_CORRUPT at byte 300\)\)/);
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

  it('an empty file: intact with a warning, exit 0', async () => {
    const f = await scratchFile('empty.aof', '');
    const { r, report } = await json([f]);
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ intact: true, problems: [{ code: 'EMPTY_INPUT', severity: 'warning' }], totals: { errors: 0, warnings: 1 } });
  });

  it('an I/O error is {"error": …} on stdout, exit 2', async () => {
    const r = await run(['check', path.join(scratch, 'nope.aof'), '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'IO', file: path.join(scratch, 'nope.aof') } });
    expect(r.stderr).toMatch(/^rdbtool: .*nope\.aof: cannot open/);
  });
});

describe('rdbtool check: exit 2, output, colour, progress, help', () => {
  it('unreadable path, directory without a manifest, missing argument: exit 2 with one line on stderr', async () => {
    const a = await run(['check', path.join(scratch, 'does-not-exist')]);
    expect(a.code).toBe(2);
    expect(lines(a.stderr)).toHaveLength(1);
    expect(a.stdout).toBe('');
    const d = path.join(scratch, 'no-manifest');
    await fs.mkdir(d);
    await fs.writeFile(path.join(d, 'appendonly.aof'), PLAIN);
    const b = await run(['check', d]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('no AOF manifest');
    const c = await run(['check']);
    expect(c.code).toBe(2);
  });

  it('-o writes the report to a file and nothing to stdout', async () => {
    const out = path.join(scratch, 'report.json');
    const r = await run(['check', path.join(AOF, 'plain.aof'), '--json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    REPORT(JSON.parse(await fs.readFile(out, 'utf8')), 'report');
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
    expect(r.stdout).toContain('rdbtool check <path>');
    expect(r.stdout).toMatch(/^\s+0\s+intact/m);
    expect(r.stdout).toMatch(/^\s+1\s+damaged/m);
    expect(r.stdout).toMatch(/^\s+2\s+usage or I\/O error/m);
    expect(r.stdout).toContain('aof-load-truncated');
    expect(r.stdout).toContain('rdbtool check backup/appendonlydir && upload');
    expect(r.stdout).toContain('--json | jq');
    for (const flag of ['--json', '--output', '--quiet', '--max-args', '--max-string-bytes']) expect(r.stdout).toContain(flag);
    const top = await run(['--help']);
    expect(top.stdout).toContain('rdbtool check <path>');
  });
});
