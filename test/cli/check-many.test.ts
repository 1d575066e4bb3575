/**
 * `rdbtool check` as a backup gate: many inputs in one run (order, exit code, worker threads
 * giving the same reports as one thread), the policy rules from flags and from a config file,
 * `--target` and the empty / foreign-file verdicts confirmed on the real Redis here, the JUnit
 * report parsed as XML, and bad option values as usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { run } from './capture.js';
import { RUN } from './check-schema.js';
import { FIXTURES } from '../helpers/files.js';
import { withVersion } from '../helpers/rdb-edit.js';
import { RedisStartError, requireRedisServer, startRedis } from '../helpers/redis.js';

const rdb = (n: string) => path.join(FIXTURES, 'rdb', `${n}.rdb`);
const ALL_TYPES = new Uint8Array(readFileSync(rdb('all-types')));
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

let scratch = '';
let serial = 0;
beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-check-many-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const d = path.join(scratch, `f${serial++}`);
  await fs.mkdir(d);
  const f = path.join(d, name);
  await fs.writeFile(f, bytes);
  return f;
}

/** A folder of backups: three good dumps, a truncated one, a non-Redis file named .rdb. */
async function backups(): Promise<string> {
  const d = path.join(scratch, `backups-${serial++}`);
  await fs.mkdir(path.join(d, 'old'), { recursive: true });
  await fs.copyFile(rdb('all-types'), path.join(d, 'a.rdb'));
  await fs.writeFile(path.join(d, 'b-cut.rdb'), ALL_TYPES.subarray(0, 20_000));
  await fs.copyFile(rdb('lru'), path.join(d, 'c.rdb'));
  await fs.writeFile(path.join(d, 'd.rdb'), Buffer.from('\x89PNG\r\n\x1a\n0000000000000000', 'latin1'));
  await fs.copyFile(rdb('lfu'), path.join(d, 'old', 'e.rdb'));
  return d;
}

/** The report text without the figures that change from run to run. */
const stable = (s: string) => s.replace(/\d+(\.\d+)?ms/g, '');

describe('many inputs in one run', () => {
  it('reports every input in order, then the summary; exit code is the worst', async () => {
    const d = await backups();
    const missing = path.join(scratch, 'missing.rdb');
    const r = await run(['check', d, missing, rdb('empty')]);
    expect(r.code).toBe(2);
    const headers = lines(r.stdout).filter((l) => /^\S+: (RDB v|not a Redis persistence file,)/.test(l) || l.startsWith(`${missing}: error IO`));
    expect(headers.map((l) => path.basename(l.split(':')[0]))).toEqual(['a.rdb', 'b-cut.rdb', 'c.rdb', 'd.rdb', 'e.rdb', 'missing.rdb', 'empty.rdb']);
    expect(lines(r.stdout).at(-1)).toBe('7 inputs: 4 intact, 2 damaged, 1 unreadable');
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^rdbtool: .*missing\.rdb: cannot open/)]);
    const good = await run(['check', rdb('all-types'), rdb('lru')]);
    expect(good.code).toBe(0);
    expect(lines(good.stdout).at(-1)).toBe('2 inputs: 2 intact');
    const bad = await run(['check', rdb('all-types'), path.join(d, 'b-cut.rdb')]);
    expect(bad.code).toBe(1);
  });

  it('worker threads give the same reports, in the same order, as one thread', async () => {
    const d = await backups();
    const one = await run(['check', d, '--jobs', '1', '--json']);
    const many = await run(['check', d, '--jobs', '3', '--json']);
    const strip = (s: string) => JSON.parse(s, (k, v) => (k === 'elapsedMs' ? 0 : v));
    expect(strip(many.stdout)).toEqual(strip(one.stdout));
    expect(many.code).toBe(one.code);
    const text1 = await run(['check', d, '-j', '1']);
    const text3 = await run(['check', d, '-j', '3']);
    expect(stable(text3.stdout)).toBe(stable(text1.stdout));
  });

  it('--json: one document with every input and the summary', async () => {
    const d = await backups();
    const r = await run(['check', d, '--json', '--min-keys', '20']);
    const doc = JSON.parse(r.stdout);
    RUN(doc, 'run');
    expect(doc.summary).toEqual({ inputs: 5, intact: 1, damaged: 2, policyViolations: 2, unreadable: 0, exitCode: 1 });
    expect(doc.inputs.map((i: { status: string }) => i.status)).toEqual(['intact', 'damaged', 'policy', 'damaged', 'policy']);
    expect(doc.policy).toEqual({ minKeys: 20 });
  });

  it('--quiet keeps the problems, the verdicts and the summary', async () => {
    const d = await backups();
    const r = await run(['check', d, '-q']);
    for (const l of lines(r.stdout)) expect(l).toMatch(/: (error|warning) |^Verdict: |^\d+ inputs: /);
  });
});

describe('policy rules end to end', () => {
  it('flags and a JSON config file say the same; a broken rule is exit 1 with a POLICY line', async () => {
    const flags = await run(['check', rdb('lru'), '--min-keys', '12', '--require-checksum']);
    expect(flags.code).toBe(1);
    expect(lines(flags.stdout)).toContain(`${rdb('lru')}: error POLICY min-keys: the backup holds 11 key(s) (expected at least 12, found 11)`);
    expect(lines(flags.stdout).at(-1)).toMatch(/^Verdict: intact, but POLICY VIOLATION: 1 rule problem\(s\)/);
    const cfg = await file('rdbtool.json', JSON.stringify({ 'min-keys': 12, 'require-checksum': true }));
    const viaConfig = await run(['check', rdb('lru'), '--config', cfg]);
    expect(viaConfig.code).toBe(1);
    expect(viaConfig.stdout).toBe(flags.stdout);
    expect((await run(['check', rdb('lru'), '--min-keys', '11'])).code).toBe(0);
  });

  it('--baseline with --max-shrink: the empty replica backed up after a full one', async () => {
    const r = await run(['check', rdb('empty'), '--baseline', rdb('all-types'), '--max-shrink', '50']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error POLICY max-shrink: the backup holds 100\.0% fewer keys than the baseline .*all-types\.rdb \(0 against 87\)/);
    expect((await run(['check', rdb('all-types'), '--baseline', rdb('all-types'), '--max-shrink', '0'])).code).toBe(0);
  });

  it('bad values and missing companions are usage errors: exit 2, one line naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--max-age', 'soon'], /--max-age "soon": expected a duration/],
      [['--min-keys', 'lots'], /--min-keys/],
      [['--max-shrink', '150'], /--max-shrink "150": expected a percentage/],
      [['--jobs', '0'], /--jobs/],
      [['--target', 'redis@1.0'], /unknown release line redis@1\.0/],
      [['--target', 'memcached'], /--target must be redis@X\.Y or valkey@X\.Y/],
      [['--baseline', rdb('lru')], /max-shrink/],
      [['--config', path.join(scratch, 'no-such.json')], /no-such\.json/],
    ];
    for (const [args, message] of cases) {
      const r = await run(['check', rdb('lru'), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(lines(r.stderr), args.join(' ')).toEqual([expect.stringMatching(message)]);
      expect(r.stderr).not.toContain('internal error');
    }
  });
});

describe('JUnit report', () => {
  it('is valid XML: one testcase per input, a failure per problem, an error for an unreadable input', async () => {
    const d = await backups();
    const junit = path.join(scratch, `junit-${serial++}.xml`);
    const r = await run(['check', d, path.join(scratch, 'gone.rdb'), '--min-keys', '20', '--junit', junit]);
    expect(r.code).toBe(2);
    const xml = await fs.readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testcase', 'failure', 'error'].includes(n) }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '6', failures: '4', errors: '1' });
    const cases = suite.testcase as { name: string; failure?: { type: string }[]; error?: { type: string }[] }[];
    expect(cases.map((c) => path.basename(c.name))).toEqual(['a.rdb', 'b-cut.rdb', 'c.rdb', 'd.rdb', 'e.rdb', 'gone.rdb']);
    expect(cases[0].failure).toBeUndefined();
    expect(cases[1].failure!.map((f) => f.type)).toEqual(['TRUNCATED']);
    expect(cases[2].failure!.map((f) => f.type)).toEqual(['POLICY']);
    expect(cases[3].failure!.map((f) => f.type)).toEqual(['NOT_PERSISTENCE_FILE']);
    expect(cases[5].error!.map((f) => f.type)).toEqual(['IO']);
  });

  it('escapes what the input holds (binary key names) so the XML stays valid', async () => {
    const junit = path.join(scratch, `junit-${serial++}.xml`);
    await run(['check', rdb('big-collections'), '--max-elements', '1', '--junit', junit]);
    const xml = await fs.readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('POLICY max-elements');
  });
});

describe('verdicts confirmed on the real Redis here', () => {
  /** Starts redis-server with `config` (its dir holding the files): did it come up? */
  async function starts(config: Record<string, string | boolean>): Promise<{ up: boolean; log: string }> {
    try {
      const redis = await startRedis({ config, startTimeoutMs: 20_000 });
      const log = redis.output();
      await redis.stop();
      return { up: true, log };
    } catch (e) {
      if (e instanceof RedisStartError) return { up: false, log: e.log };
      throw e;
    }
  }

  it('a 0-byte dump.rdb: refused by Redis, damaged (exit 1); a 0-byte appendonly.aof: Redis starts empty, intact (exit 0)', async () => {
    requireRedisServer();
    const dir = path.join(scratch, `srv-${serial++}`);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'dump.rdb'), '');
    const snap = await starts({ dir, dbfilename: 'dump.rdb' });
    expect(snap.up).toBe(false);
    expect(snap.log).toContain('Short read or OOM loading DB');
    const c = await run(['check', path.join(dir, 'dump.rdb')]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('error EMPTY_FILE');

    const aofDir = path.join(scratch, `srv-${serial++}`);
    await fs.mkdir(aofDir);
    await fs.writeFile(path.join(aofDir, 'appendonly.aof'), '');
    const a = await run(['check', path.join(aofDir, 'appendonly.aof')]);
    expect(a.code, a.stdout).toBe(0);
    expect(a.stdout).toContain('warning EMPTY_INPUT');
    expect((await starts({ dir: aofDir, appendonly: true })).up).toBe(true);
  });

  it('an empty base .rdb in a multi-part set: Redis starts, check calls the file damaged but says Redis would start', async () => {
    requireRedisServer();
    const dir = path.join(scratch, `srv-${serial++}`);
    const aof = path.join(dir, 'appendonlydir');
    await fs.cp(path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir'), aof, { recursive: true });
    await fs.writeFile(path.join(aof, 'appendonly.aof.2.base.rdb'), '');
    const c = await run(['check', aof, '--json']);
    const report = JSON.parse(c.stdout).inputs[0];
    expect(c.code).toBe(1);
    expect(report.problems.map((p: { code: string }) => p.code)).toEqual(['EMPTY_FILE']);
    expect(report.redisWouldStart.withAofLoadTruncatedYes).toBe(true);
    expect((await starts({ dir, appendonly: true, appenddirname: 'appendonlydir' })).up).toBe(true);
  });

  it('a PNG as dump.rdb: Redis refuses it ("Wrong signature"), check says NOT_PERSISTENCE_FILE', async () => {
    requireRedisServer();
    const dir = path.join(scratch, `srv-${serial++}`);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'dump.rdb'), Buffer.from('\x89PNG\r\n\x1a\n0000000000000000', 'latin1'));
    const s = await starts({ dir, dbfilename: 'dump.rdb' });
    expect(s.up).toBe(false);
    expect(s.log).toContain('Wrong signature');
    const c = await run(['check', path.join(dir, 'dump.rdb')]);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/error NOT_PERSISTENCE_FILE: not a Redis or Valkey persistence file: it looks like a PNG image/);
    expect(c.stdout).toContain('Redis would start: no');
  });

  it('--target redis@7.0: an RDB 10 dump loads and an RDB 11 / 12 one does not, as the real 7.0 server does', async () => {
    requireRedisServer();
    for (const [version, loads] of [[10, true], [11, false], [12, false]] as const) {
      const f = await file('dump.rdb', withVersion(ALL_TYPES, version));
      const s = await starts({ dir: path.dirname(f), dbfilename: 'dump.rdb' });
      expect(s.up, `RDB ${version}`).toBe(loads);
      if (!loads) expect(s.log).toContain(`Can't handle RDB format version ${version}`);
      const c = await run(['check', f, '--target', 'redis@7.0']);
      expect(c.code, `RDB ${version}: ${c.stdout}`).toBe(loads ? 0 : 1);
      expect(c.stdout).toContain(`Redis would start (redis@7.0): ${loads ? 'yes' : 'no'}`);
      if (!loads) expect(c.stdout).toMatch(new RegExp(`error POLICY target: redis@7\\.0 cannot load it: the RDB version ${version} is newer than 10`));
      // Without a target: the oldest releases that load it.
      const o = await run(['check', f]);
      expect(o.stdout).toContain(`Oldest servers that load it: Redis ${version === 10 ? '7.0' : version === 11 ? '7.2' : '7.4'}`);
    }
  });
});

describe('symbolic links among the parts', () => {
  it('are mentioned as warnings, naming where they point', async () => {
    const d = path.join(scratch, `links-${serial++}`);
    await fs.cp(path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir'), path.join(d, 'appendonlydir'), { recursive: true });
    const incr = path.join(d, 'appendonlydir', 'appendonly.aof.2.incr.aof');
    const elsewhere = path.join(d, 'elsewhere.aof');
    await fs.rename(incr, elsewhere);
    await fs.symlink(elsewhere, incr);
    const r = await run(['check', path.join(d, 'appendonlydir')]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain(`${incr}: warning SYMLINK: is a symbolic link to ${elsewhere}, outside the AOF directory`);
  });
});
