/**
 * `rdbtool export` and AOF inputs, in-process: `--format commands` (NDJSON lines, `--db`,
 * `-o`, damage → the complete lines then exit 1), and the key formats with an AOF input: the
 * dataset it produces once replayed, equal to what the live server held (the fixtures' truth).
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
import { canonicalRecord, recordKey } from '../helpers/truth.js';

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

describe('export of keys (ndjson, json) with an AOF input: the replayed dataset', () => {
  /** The keys the fixture maker recorded from the live server, canonical (consumers' clock times aside). */
  const truthOf = (name: string) => (JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as { dataset: Record<string, unknown>[] }).dataset.map(canonical);
  const records = (text: string) => lines(text).map((l) => canonical(JSON.parse(l) as Record<string, unknown>));

  for (const [name, given] of [
    ['plain', PLAIN],
    ['hybrid', path.join(AOF, 'hybrid.aof')],
    ['rdb-multipart', path.join(AOF, 'rdb-multipart')],
    ['resp-multipart', path.join(AOF, 'resp-multipart', 'appendonlydir', 'appendonly.aof.manifest')],
  ] as const) {
    it(`${name}: the records equal the live server's keys, exit 0`, async () => {
      const r = await run(['export', given]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(sortByKey(records(r.stdout))).toEqual(sortByKey(truthOf(name)));
      const json = await run(['export', given, '--format', 'json']);
      expect((JSON.parse(json.stdout) as Record<string, unknown>[]).map(canonical)).toEqual(records(r.stdout));
    });
  }

  it('a hybrid file named other than *.aof: its RDB part, a warning naming --replay; with --replay the whole dataset', async () => {
    const renamed = path.join(TMP, 'hybrid-copy.bin');
    writeFileSync(renamed, readFileSync(path.join(AOF, 'hybrid.aof')));
    const r = await run(['export', renamed]);
    expect(r.code).toBe(0);
    const base = await run(['export', path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')]);
    expect(r.stdout).toBe(base.stdout);
    expect(r.stderr).toMatch(/hybrid-copy\.bin: 933 byte\(s\) follow the RDB's checksum trailer .* not exported; --replay applies a hybrid AOF's commands/);
    const replayed = await run(['export', renamed, '--replay']);
    expect(replayed.code).toBe(0);
    expect(sortByKey(records(replayed.stdout))).toEqual(sortByKey(truthOf('hybrid')));
  });

  it('a command Redis would refuse stops the replay: exit 1, the command, file, offset and line named, nothing written', async () => {
    const bad = path.join(TMP, 'unknown.aof');
    const cmd = '*2\r\n$6\r\nFOOBAR\r\n$1\r\nx\r\n';
    const head = readFileSync(PLAIN);
    writeFileSync(bad, Buffer.concat([head, Buffer.from(cmd), Buffer.from('*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n')]));
    const out = path.join(TMP, 'unknown.ndjson');
    const r = await run(['export', bad, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command: FOOBAR/);
    expect(r.stderr).toContain(`at byte ${head.length}`);
    expect(r.stderr).toMatch(/\(line \d+\)/);
    expect(r.stderr).toMatch(/unknown\.aof/);
    expect(existsSync(out)).toBe(false);
    const skipped = await run(['export', bad, '--skip-unknown']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/skipped 1 command\(s\) the replay cannot apply \(1 unknown\); the first: FOOBAR at byte \d+ \(line \d+\)/);
    expect(records(skipped.stdout).map((x) => x.key)).toContain('after');
  });

  it('a truncated AOF: the dataset of the complete commands, then the damage (exit 1)', async () => {
    const cut = path.join(TMP, 'cut.aof');
    const whole = readFileSync(PLAIN);
    writeFileSync(cut, Buffer.concat([whole, Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nval')]));
    const r = await run(['export', cut]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TRUNCATED|truncated|ends inside/i);
    expect(sortByKey(records(r.stdout))).toEqual(sortByKey(truthOf('plain')));
  });

  it('--drop-expired --now leaves out the keys expired at that time; --now alone is a usage error', async () => {
    const all = records((await run(['export', PLAIN])).stdout);
    const withTtl = all.filter((x) => x.expireAtMs !== null).map((x) => x.expireAtMs as number).sort((a, b) => a - b);
    expect(withTtl.length).toBeGreaterThan(0);
    const at = withTtl[0] + 1;
    const r = await run(['export', PLAIN, '--drop-expired', '--now', String(at)]);
    expect(r.code).toBe(0);
    const kept = records(r.stdout);
    expect(kept.length).toBe(all.length - withTtl.filter((t) => t < at).length);
    expect(kept.every((x) => x.expireAtMs === null || (x.expireAtMs as number) >= at)).toBe(true);
    const usage = await run(['export', PLAIN, '--now', '5']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--now sets the time for --drop-expired/);
  });

  it('anything else that is not an RDB still goes to the RDB decoder (BAD_MAGIC, exit 1)', async () => {
    const junk = path.join(TMP, 'junk.bin');
    writeFileSync(junk, 'hello, not a dump');
    const r = await run(['export', junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/junk\.bin/);
  });
});

/** A record without what replay cannot reproduce: stream consumers' clock times, and the encoding. */
function canonical(r: Record<string, unknown>): Record<string, unknown> {
  const out = canonicalRecord(r, { dropEncoding: true, sortZset: false });
  if (out.type === 'stream') {
    const v = out.value as { groups: { consumers: Record<string, unknown>[] }[] };
    for (const g of v.groups) for (const c of g.consumers) {
      delete c.seenTimeMs;
      delete c.activeTimeMs;
    }
  }
  return out;
}

function sortByKey(rs: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...rs].sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : recordKey(a) > recordKey(b) ? 1 : 0));
}

describe('export - --format commands (stdin), through the real entry point', () => {
  it('gives the file\'s lines with "file":"-"; a plain AOF on stdin is replayed for --format ndjson', async () => {
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
    const replayed = spawn(['export', '-'], PLAIN);
    expect(replayed.stderr).toBe('');
    expect(replayed.status).toBe(0);
    // The same records; a consumer's seen/active times are the clock's at replay, as at a server's load.
    const fromFile = (await run(['export', PLAIN])).stdout;
    expect(lines(replayed.stdout).map((l) => canonical(JSON.parse(l) as Record<string, unknown>))).toEqual(lines(fromFile).map((l) => canonical(JSON.parse(l) as Record<string, unknown>)));
  }, 60_000);
});
