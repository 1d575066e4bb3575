/**
 * `rdbtool inspect` on AOF inputs, in-process: the text report, the documented `--json` shape
 * (checked field by field against the shape below, which the README section describes), exit
 * codes, damaged copies derived in the test, and stdin through the real entry point.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, PROJECT_ROOT } from '../helpers/files.js';
import { run } from './capture.js';

const AOF = path.join(FIXTURES, 'aof');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-inspect-aof-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const ANSI = /\x1b\[/;

// ---------------------------------------------------------------- the --json shape

/** A tiny shape language: type names, `?`-suffixed optional keys, arrays, unions, enums. */
type Shape = string | Shape[] | { $or: Shape[] } | { $enum: readonly (string | number | boolean | null)[] } | { [key: string]: Shape };

const BYTES: Shape = { $or: ['string', { b64: 'string' }] };
const NAME_STATS: Shape = { name: { $or: [BYTES, 'null'] }, commands: 'number', bytes: 'number' };
const MARK: Shape = { sec: 'number', iso: { $or: ['string', 'null'] }, file: 'string', offset: 'number' };
const PROBLEM: Shape = {
  code: 'string',
  section: { $enum: ['rdb', 'aof', 'file'] },
  reason: 'string',
  offset: { $or: ['number', 'null'] },
  'line?': 'number',
  'unitOffset?': 'number',
  'expected?': 'string',
  'found?': 'string',
  'context?': 'object',
};
const PART: Shape = {
  name: 'string',
  role: { $enum: ['file', 'base', 'incr'] },
  seq: { $or: ['string', 'null'] },
  manifestLine: { $or: ['number', 'null'] },
  last: 'boolean',
  link: { $or: [{ target: 'string', resolved: { $or: ['string', 'null'] }, leavesDirectory: 'boolean' }, 'null'] },
  content: { $enum: ['rdb', 'hybrid', 'aof', 'empty', 'foreign', null] },
  bytes: { $or: ['number', 'null'] },
  status: { $enum: ['ok', 'empty', 'truncated', 'corrupt', 'missing'] },
  okUpTo: { $or: ['number', 'null'] },
  okUpToLine: { $or: ['number', 'null'] },
  redisCheckAofLine: { $or: ['number', 'null'] },
  respOffset: { $or: ['number', 'null'] },
  commands: 'number',
  okCommands: 'number',
  annotations: 'number',
  pendingMulti: 'boolean',
  multiOffset: { $or: ['number', 'null'] },
  problem: { $or: [PROBLEM, 'null'] },
  rdb: { $or: ['rdb-report', 'null'] },
  rdbComplete: 'boolean',
};
/** The documented shape of `inspect --json` for an AOF input. */
const REPORT: Shape = {
  format: { $enum: ['aof'] },
  input: 'string',
  form: { $enum: ['file', 'multipart'] },
  manifestPath: { $or: ['string', 'null'] },
  parts: [PART],
  history: [{ name: 'string', seq: 'string', manifestLine: 'number' }],
  commands: 'number',
  bytes: 'number',
  byName: [NAME_STATS],
  databases: [{ db: 'number', commands: 'number', bytes: 'number', byName: [NAME_STATS] }],
  multi: { blocks: 'number', commandsInside: 'number', largest: { $or: [{ commands: 'number', file: 'string', offset: 'number' }, 'null'] } },
  annotations: 'number',
  timestamps: { count: 'number', first: { $or: [MARK, 'null'] }, last: { $or: [MARK, 'null'] } },
  biggestCommands: [
    {
      file: 'string',
      offset: 'number',
      line: 'number',
      db: 'number',
      name: { $or: [BYTES, 'null'] },
      argc: 'number',
      byteLength: 'number',
      firstArg: { $or: [BYTES, 'null'] },
      firstArgBytes: { $or: ['number', 'null'] },
      inMulti: 'boolean',
    },
  ],
  verdict: {
    status: { $enum: ['ok', 'empty', 'truncated', 'corrupt', 'missing'] },
    file: { $or: ['string', 'null'] },
    okUpTo: { $or: ['number', 'null'] },
    okUpToLine: { $or: ['number', 'null'] },
    redisCheckAofLine: { $or: ['number', 'null'] },
    bytesAfterOkUpTo: { $or: ['number', 'null'] },
    problem: { $or: [PROBLEM, 'null'] },
    pendingMulti: 'boolean',
    multiOffset: { $or: ['number', 'null'] },
  },
  bytesRead: 'number',
  elapsedMs: 'number',
  nowMs: 'number',
  filtered: 'boolean',
  partial: { $or: [{ file: 'string', readUpTo: { $or: ['number', 'null'] }, commands: 'number' }, 'null'] },
  error: { $or: ['object', 'null'] },
  dataset: {
    $or: [
      {
        report: { $or: ['rdb-report', 'null'] },
        replay: {
          $or: [{ applied: 'number', skipped: 'object', skippedSamples: ['object'], transactions: 'number', discardedBlocks: 'number', discardedCommands: 'number' }, 'null'],
        },
        partial: 'boolean',
        error: { $or: ['object', 'null'] },
        elapsedMs: 'number',
      },
      'null',
    ],
  },
};

/** The mismatches between `v` and `shape` (empty when it fits). */
function mismatches(v: unknown, shape: Shape, at = '$'): string[] {
  if (typeof shape === 'string') {
    switch (shape) {
      case 'null':
        return v === null ? [] : [`${at}: expected null`];
      case 'object':
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? [] : [`${at}: expected an object`];
      case 'rdb-report':
        // The RDB report, as `inspect` gives it for an RDB file (its own tests cover it).
        return v !== null && typeof v === 'object' && (v as { format?: unknown }).format === 'rdb' && typeof (v as { totals?: unknown }).totals === 'object' ? [] : [`${at}: expected an RDB report`];
      default:
        return typeof v === shape ? [] : [`${at}: expected ${shape}, got ${JSON.stringify(v)}`];
    }
  }
  if (Array.isArray(shape)) return Array.isArray(v) ? v.flatMap((x, i) => mismatches(x, shape[0], `${at}[${i}]`)) : [`${at}: expected an array`];
  if ('$or' in shape) return (shape.$or as Shape[]).some((s) => mismatches(v, s, at).length === 0) ? [] : [`${at}: matches no alternative: ${JSON.stringify(v)?.slice(0, 80)}`];
  if ('$enum' in shape) return (shape.$enum as unknown[]).includes(v as never) ? [] : [`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(shape.$enum)}`];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [`${at}: expected an object`];
  const o = v as Record<string, unknown>;
  const out: string[] = [];
  const keys = new Set<string>();
  for (const [k, s] of Object.entries(shape as Record<string, Shape>)) {
    const optional = k.endsWith('?');
    const key = optional ? k.slice(0, -1) : k;
    keys.add(key);
    if (!(key in o)) {
      if (!optional) out.push(`${at}.${key}: missing`);
      continue;
    }
    out.push(...mismatches(o[key], s, `${at}.${key}`));
  }
  for (const k of Object.keys(o)) if (!keys.has(k)) out.push(`${at}.${k}: not documented`);
  return out;
}

describe('the shape checker', () => {
  it('finds missing, extra and mistyped fields', () => {
    expect(mismatches({ a: 1 }, { a: 'number' })).toEqual([]);
    expect(mismatches({ a: '1', b: 2 }, { a: 'number', 'c?': 'string' })).toEqual(['$.a: expected number, got "1"', '$.b: not documented']);
    expect(mismatches([{ x: null }], [{ x: { $or: ['string', 'null'] } }])).toEqual([]);
    expect(mismatches({ s: 'x' }, { s: { $enum: ['ok'] } })).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- reports

const FIXTURE_INPUTS: [string, string][] = [
  ['plain', path.join(AOF, 'plain.aof')],
  ['hybrid', path.join(AOF, 'hybrid.aof')],
  ['resp-multipart', path.join(AOF, 'resp-multipart')],
  ['rdb-multipart', path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.manifest')],
];

/** The `#TS:` seconds of a file, in order (read from the bytes). */
const tsOf = (file: string): number[] => [...readFileSync(file).toString('latin1').matchAll(/#TS:(\d+)\r\n/g)].map((m) => Number(m[1]));

describe('inspect on AOF inputs', () => {
  for (const [name, given] of FIXTURE_INPUTS) {
    it(`${name}: the text report, exit 0`, async () => {
      const r = await run(['inspect', given]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(ANSI.test(r.stdout)).toBe(false);
      expect(r.stdout).toContain(`Input:       ${given} (`);
      expect(r.stdout).toMatch(/^Verdict: +ok: every file is valid/m);
      expect(r.stdout).not.toContain('PARTIAL');
      // One screen: the files table for a set of files, the most used commands, the dataset; the biggest commands with --all.
      expect(r.stdout).toMatch(/^Commands by name \(top 5 of \d\d\)$/m);
      expect(r.stdout).not.toContain('Biggest commands');
      expect(r.stdout).toMatch(/^Biggest keys by data size \(top 5\)$/m);
      // Without the replay, the command lists take the room.
      const fast = await run(['inspect', given, '--no-replay']);
      expect(fast.stdout).toMatch(/^Commands by name \(top 10 of \d\d\)$/m);
      expect(fast.stdout).toContain('Biggest commands (top 10)');
      expect(r.stdout.includes('Files (in load order)')).toBe(name.endsWith('multipart'));
      expect(r.stdout).not.toContain('Commands by database');
      expect(r.stdout).toMatch(/^More with --all: .*every command name, commands by database, the biggest commands/m);
      const every = await run(['inspect', given, '--all']);
      expect(every.code).toBe(0);
      for (const section of ['Files (in load order)', 'Commands by name\n', 'Commands by database', 'Biggest commands (top 10)', 'manifest line', 'RESP from', 'Dataset after replay', 'Types (all databases)', 'Biggest keys by data size (top 10)']) expect(every.stdout).toContain(section);
      expect(every.stdout).not.toContain('More with --all');
      // #TS dates in UTC ISO form.
      const files = name === 'rdb-multipart' ? [path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.incr.aof')] : name === 'resp-multipart' ? [path.join(AOF, 'plain.aof')] : [given];
      const ts = files.flatMap(tsOf);
      expect(ts.length).toBeGreaterThan(1);
      expect(r.stdout).toContain(`first ${new Date(ts[0] * 1000).toISOString()} (${ts[0]}), last ${new Date(ts.at(-1)! * 1000).toISOString()} (${ts.at(-1)})`);
      if (name === 'hybrid') expect(r.stdout).toMatch(/^RDB preamble of .*hybrid\.aof \(bytes 0-861\): RDB version 10, Redis 7\.0\.15, checksum ok\n  Keys: 21 in 3 database/m);
      if (name === 'rdb-multipart') expect(r.stdout).toMatch(/^RDB of appendonly\.aof\.2\.base\.rdb \(bytes 0-861\): RDB version 10, Redis 7\.0\.15, checksum ok$/m);
      // With --all, the RDB part in full: the RDB report's own tables.
      if (name === 'hybrid' || name === 'rdb-multipart') for (const section of ['AUX fields', 'Encodings per database', 'Function libraries']) expect(every.stdout).toContain(section);
      // The manifest is named relative to the directory given, and not again when it is what was given.
      if (name === 'resp-multipart') expect(r.stdout).toContain('(multi-part AOF, manifest appendonlydir/appendonly.aof.manifest, 2 files)');
      if (name === 'rdb-multipart') expect(r.stdout).toContain('(multi-part AOF, 2 files)');
      if (name === 'hybrid' || name === 'rdb-multipart') expect(every.stdout).toContain('Redis 7.0.15, 64-bit');
    });

    it(`${name}: --json has the documented shape`, async () => {
      const r = await run(['inspect', given, '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { parts: { rdb: unknown; link: unknown }[]; verdict: { status: string }; partial: unknown; error: unknown };
      expect(mismatches(j, REPORT)).toEqual([]);
      expect(j.verdict.status).toBe('ok');
      expect([j.partial, j.error, ...j.parts.map((p) => p.link)].every((x) => x === null)).toBe(true);
      expect(j.parts.some((p) => p.rdb !== null)).toBe(name === 'hybrid' || name === 'rdb-multipart');
    });
  }

  it('uses colors only on a terminal', async () => {
    expect(ANSI.test((await run(['inspect', FIXTURE_INPUTS[0][1]], { stdoutIsTty: true })).stdout)).toBe(true);
    expect(ANSI.test((await run(['inspect', FIXTURE_INPUTS[0][1]], { stdoutIsTty: true, env: { NO_COLOR: '1' } })).stdout)).toBe(false);
  });

  it('detects by content: an AOF named .rdb gets the AOF report, an RDB named .aof the RDB report', async () => {
    const aofAsRdb = path.join(TMP, 'dump.rdb');
    copyFileSync(path.join(AOF, 'plain.aof'), aofAsRdb);
    const a = JSON.parse((await run(['inspect', aofAsRdb, '--json'])).stdout) as { format: string; parts: { content: string }[] };
    expect(a).toMatchObject({ format: 'aof', parts: [{ content: 'aof' }] });
    const rdbAsAof = path.join(TMP, 'appendonly.aof');
    copyFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb'), rdbAsAof);
    const b = await run(['inspect', rdbAsAof]);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('RDB version 10');
    expect(b.stdout).not.toContain('Verdict:');
  });

  it('lists history files without reading them', async () => {
    const dir = path.join(TMP, 'with-history');
    cpSync(path.join(AOF, 'resp-multipart', 'appendonlydir'), dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'appendonly.aof.manifest'),
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const j = await run(['inspect', dir, '--json']);
    expect(j.code).toBe(0);
    const rep = JSON.parse(j.stdout) as { history: unknown; parts: { name: string; manifestLine: number }[] };
    expect(mismatches(rep, REPORT)).toEqual([]);
    expect(rep.history).toEqual([{ name: 'appendonly.aof.1.base.aof', seq: '1', manifestLine: 2 }]);
    expect(rep.parts.map((p) => [path.basename(p.name), p.manifestLine])).toEqual([
      ['appendonly.aof.2.base.aof', 1],
      ['appendonly.aof.2.incr.aof', 3],
    ]);
    const t = await run(['inspect', dir]);
    expect(t.stdout).toContain('History files (named by the manifest, not read)');
    expect(t.stdout).toMatch(/│ appendonly\.aof\.1\.base\.aof │ +1 │ +2 │/);
  });

  it('writes the report to a file with -o', async () => {
    const out = path.join(TMP, 'report.json');
    const r = await run(['inspect', path.join(AOF, 'resp-multipart'), '--json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(mismatches(JSON.parse(readFileSync(out, 'utf8')), REPORT)).toEqual([]);
  });

  it('shows what it reads in --help', async () => {
    const r = await run(['inspect', '--help']);
    expect(r.stdout).toContain('RDB or AOF file, multi-part AOF directory or manifest, or - for stdin');
    expect(r.stdout).toContain('rdbtool inspect appendonly.aof');
    expect(r.stdout).toContain('rdbtool inspect /var/lib/redis/appendonlydir');
  });
});

describe('inspect on AOF inputs: the dataset after replay', () => {
  /** The fixture maker's record of what the live server held, per database and per type. */
  const truthCounts = (name: string) => {
    const ds = (JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as { dataset: { db: number; type: string; expireAtMs: number | null }[] }).dataset;
    const byDb = new Map<number, number>();
    const byType = new Map<string, number>();
    for (const r of ds) {
      byDb.set(r.db, (byDb.get(r.db) ?? 0) + 1);
      byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    }
    return { keys: ds.length, withTtl: ds.filter((r) => r.expireAtMs !== null).length, byDb, byType };
  };

  for (const [name, given] of FIXTURE_INPUTS) {
    it(`${name}: keys per database and per type equal what the server held; --no-replay leaves it out`, async () => {
      const want = truthCounts(name);
      const r = await run(['inspect', given, '--json']);
      expect(r.code).toBe(0);
      type Db = { db: number; keys: number; types: { valueType: string; keys: number }[] };
      const j = JSON.parse(r.stdout) as { dataset: { report: { totals: { keys: number; keysWithTtl: number }; databases: Db[] }; replay: { applied: number }; partial: boolean } };
      expect(j.dataset.partial).toBe(false);
      expect(j.dataset.replay.applied).toBeGreaterThan(0);
      expect(j.dataset.report.totals).toMatchObject({ keys: want.keys, keysWithTtl: want.withTtl });
      expect(new Map(j.dataset.report.databases.map((d) => [d.db, d.keys]))).toEqual(want.byDb);
      const byType = new Map<string, number>();
      for (const d of j.dataset.report.databases) for (const t of d.types) byType.set(t.valueType, (byType.get(t.valueType) ?? 0) + t.keys);
      expect(byType).toEqual(want.byType);
      const text = await run(['inspect', given]);
      expect(text.stdout).toMatch(new RegExp(`^Dataset: +${want.keys} in ${want.byDb.size} database\\(s\\); ${want.withTtl} with a TTL`, 'm'));
      expect(text.stdout).toContain('Dataset after replay (what Redis holds once it has loaded these files)');
      const fast = await run(['inspect', given, '--no-replay', '--json']);
      expect((JSON.parse(fast.stdout) as { dataset: unknown }).dataset).toBeNull();
      expect((await run(['inspect', given, '--no-replay'])).stdout).toMatch(/^Dataset: +not replayed \(--no-replay\)$/m);
    });
  }

  it('a command the replay cannot apply: the command statistics stay, the dataset line names it; --skip-unknown counts it', async () => {
    const bad = path.join(TMP, 'foreign-command.aof');
    writeFileSync(bad, Buffer.concat([readFileSync(path.join(AOF, 'plain.aof')), Buffer.from('*2\r\n$6\r\nFOOBAR\r\n$1\r\nx\r\n')]));
    const r = await run(['inspect', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Commands by name');
    expect(r.stdout).toMatch(/^Dataset: +replay stopped at byte [\d,]+ of .*foreign-command\.aof: unknown command: FOOBAR .*\(line \d+\)$/m);
    const skipped = await run(['inspect', bad, '--skip-unknown', '--json']);
    expect(skipped.code).toBe(0);
    const j = JSON.parse(skipped.stdout) as { dataset: { replay: { skipped: Record<string, number> }; report: { totals: { keys: number } } } };
    expect(j.dataset.replay.skipped).toEqual({ REPLAY_UNKNOWN_COMMAND: 1 });
    expect(j.dataset.report.totals.keys).toBe(truthCounts('plain').keys);
  });

  it('--drop-expired --now: the keys whose expiry is before that time are left out, of an RDB and of a replayed AOF alike', async () => {
    type Totals = { totals: { keys: number; keysWithTtl: number; expiredKeys: number } };
    // The RDB fixture's TTLs (the truth the fixture maker recorded): six at …0123, one at …1123, two in the year 3000.
    const rdb = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    const rdbKeys = async (...extra: string[]) => {
      const r = await run(['inspect', rdb, '--json', ...extra]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as Totals).totals;
    };
    expect(await rdbKeys()).toMatchObject({ keys: 87, keysWithTtl: 9 });
    expect(await rdbKeys('--drop-expired', '--now', '4102444800123')).toMatchObject({ keys: 87, keysWithTtl: 9, expiredKeys: 0 });
    expect(await rdbKeys('--drop-expired', '--now', '4102444800124')).toMatchObject({ keys: 81, keysWithTtl: 3, expiredKeys: 0 });
    expect(await rdbKeys('--drop-expired', '--now', '4102444801124')).toMatchObject({ keys: 80, keysWithTtl: 2 });
    // The AOF's four TTLs: 4295606935918, …5922, …7036, …7041.
    const aofKeys = async (...extra: string[]) => {
      const r = await run(['inspect', path.join(AOF, 'plain.aof'), '--json', ...extra]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { dataset: { report: Totals } }).dataset.report.totals;
    };
    const all = truthCounts('plain').keys;
    expect(await aofKeys('--drop-expired', '--now', '4295606935918')).toMatchObject({ keys: all, keysWithTtl: 4 });
    expect(await aofKeys('--drop-expired', '--now', '4295606935923')).toMatchObject({ keys: all - 2, keysWithTtl: 2 });
    expect(await aofKeys('--drop-expired', '--now', '4295606937042')).toMatchObject({ keys: all - 4, keysWithTtl: 0 });
    const usage = await run(['inspect', rdb, '--now', '1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--now sets the time for --drop-expired/);
  });

  it('a file cut inside a command: the dataset of the commands before the cut, marked so', async () => {
    const cut = path.join(TMP, 'cut-dataset.aof');
    writeFileSync(cut, readFileSync(path.join(AOF, 'plain.aof')).subarray(0, 2600));
    const r = await run(['inspect', cut, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { dataset: { partial: boolean; report: { totals: { keys: number } } } };
    expect(j.dataset.partial).toBe(true);
    expect(j.dataset.report.totals.keys).toBeGreaterThan(0);
    expect(j.dataset.report.totals.keys).toBeLessThan(truthCounts('plain').keys);
    expect((await run(['inspect', cut])).stdout).toMatch(/^Dataset: .*\(of the commands before the damage\)$/m);
  });
});

describe('inspect on damaged AOF inputs: the report, the verdict, exit 1', () => {
  const plain = readFileSync(path.join(AOF, 'plain.aof'));

  it('a file cut inside a command: the report with the verdict, one warning line, exit 1', async () => {
    const cut = path.join(TMP, 'cut.aof');
    writeFileSync(cut, plain.subarray(0, 2600));
    const r = await run(['inspect', cut]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Verdict: +TRUNCATED: .*cut\.aof: the input ends inside a command at byte 2,600 .*; valid up to byte 2,588/m);
    expect(r.stdout).toMatch(/^PARTIAL: +the counts stop at the problem: they cover bytes 0-2,587 of .*cut\.aof, \d+ commands$/m);
    expect(r.stdout).toContain('Commands by name');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^rdbtool: TRUNCATED: .*valid up to byte 2,588 .*12 byte\(s\) after it\n$/);
    const j = await run(['inspect', cut, '--json']);
    expect(j.code).toBe(1);
    const rep = JSON.parse(j.stdout) as { verdict: unknown };
    expect(mismatches(rep, REPORT)).toEqual([]);
    expect(rep.verdict).toMatchObject({ status: 'truncated', okUpTo: 2588, bytesAfterOkUpTo: 12, problem: { code: 'TRUNCATED', offset: 2600 } });
    expect(rep).toMatchObject({ partial: { file: cut, readUpTo: 2588 }, error: { code: 'TRUNCATED', file: cut } });
  });

  it('a multi-part set with a missing incr file: verdict missing, exit 1', async () => {
    const dir = path.join(TMP, 'no-incr');
    cpSync(path.join(AOF, 'rdb-multipart', 'appendonlydir'), dir, { recursive: true });
    rmSync(path.join(dir, 'appendonly.aof.2.incr.aof'));
    const r = await run(['inspect', dir, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { parts: { status: string }[]; verdict: { status: string }; partial: unknown; error: unknown };
    expect(mismatches(j, REPORT)).toEqual([]);
    expect(j.parts.map((p) => p.status)).toEqual(['ok', 'missing']);
    expect(j.verdict.status).toBe('missing');
    expect(j).toMatchObject({ partial: { readUpTo: null, commands: 0 }, error: { code: 'MISSING_FILE' } });
    expect(r.stderr).toMatch(/^rdbtool: MISSING: .*appendonly\.aof\.2\.incr\.aof: listed in the manifest \(line 2\) but does not exist\n$/);
  });

  it('a damaged RDB base: the verdict names the key being read, the rest is still reported, exit 1', async () => {
    const dir = path.join(TMP, 'bad-base');
    cpSync(path.join(AOF, 'rdb-multipart', 'appendonlydir'), dir, { recursive: true });
    const base = path.join(dir, 'appendonly.aof.2.base.rdb');
    const b = readFileSync(base);
    const at = b.indexOf('hash:h') + 'hash:h'.length + 1; // after the key and the value's length byte: the listpack's total_bytes
    b[at] ^= 0x40;
    writeFileSync(base, b);
    const r = await run(['inspect', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^Verdict: +CORRUPT: .*base\\.rdb: listpack: .* at byte ${at};.* while reading key "hash:h" \\(hash-listpack\\) in db 0; valid up to byte 0, 862 byte\\(s\\) after it$`, 'm'));
    expect(r.stdout).toMatch(/^RDB of appendonly\.aof\.2\.base\.rdb \(incomplete: read up to the problem\): RDB version 10, Redis 7\.0\.15, checksum not reached\n  PARTIAL: the file is damaged \(BLOB_CORRUPT at byte [\d,]+\): the counts cover bytes 0-[\d,]+, \d+ complete keys$/m);
    expect(r.stdout).toMatch(/^PARTIAL: +the counts stop at the problem: they cover bytes 0-[\d,]+ of .*base\.rdb, 0 commands; every other file is counted whole$/m);
    expect(r.stdout).toContain('Commands by name');
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('a manifest Redis refuses: one located error line, exit 1', async () => {
    const r = await run(['inspect', path.join(AOF, 'manifests', 'apostrophe-name.manifest'), '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(JSON.parse(r.stdout).error.code).toBe('MANIFEST_INVALID');
  });

  it('an input that does not exist: exit 2', async () => {
    const r = await run(['inspect', path.join(TMP, 'nope'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(JSON.parse(r.stdout).error.code).toBe('IO');
  });
});

describe('inspect - (stdin), through the real entry point', () => {
  /** Runs the CLI from source with `file` on stdin. */
  function viaStdin(args: string[], file: string) {
    const fd = openSync(file, 'r');
    try {
      return spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'], timeout: 60_000 });
    } finally {
      closeSync(fd);
    }
  }

  it('a hybrid AOF on stdin gets the AOF report in one pass; an RDB the RDB report', () => {
    expect(existsSync(path.join(PROJECT_ROOT, 'node_modules', 'tsx'))).toBe(true);
    const h = viaStdin(['inspect', '-', '--json'], path.join(AOF, 'hybrid.aof'));
    expect(h.stderr).toBe('');
    expect(h.status).toBe(0);
    const j = JSON.parse(h.stdout) as { input: string; parts: { name: string; content: string; bytes: number; rdb: { totals: { keys: number } } }[] };
    expect(mismatches(j, REPORT)).toEqual([]);
    expect(j.input).toBe('-');
    expect(j.parts[0]).toMatchObject({ name: '-', content: 'hybrid', bytes: 1795 });
    expect(j.parts[0].rdb.totals.keys).toBe(21);
    const r = viaStdin(['inspect', '-', '--json'], path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'rdb', file: '-', rdbVersion: 10 });
  }, 60_000);
});
