/**
 * `rdbtool inspect` on damaged inputs derived from the real-server fixtures: the partial report
 * (marked as such, with how far it goes and how many keys or commands it counts), then the
 * error on stderr, exit 1; with `--json` the report carries the error. Key counts are checked
 * against the real redis-check-rdb on the same bytes. Also: parts of a multi-part AOF that
 * are symbolic links are named in the report.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../helpers/redis.js';
import { FIXTURES } from '../helpers/files.js';
import { run } from './capture.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-inspect-damage-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const AOF = path.join(FIXTURES, 'aof');
const linesOf = (s: string): string[] => s.replace(/\n$/, '').split('\n');
const num = (s: string): number => Number(s.replace(/,/g, ''));

interface PartialJson {
  partial: { readUpTo: number; keys: number } | null;
  error: { code: string; file: string; offset: number; message: string } | null;
  totals: { keys: number };
}

/** redis-check-rdb's reading of a file: keys it read whole, and what it was doing when it stopped. */
function redisCheckRdb(file: string): { completeKeys: number; doing: string | null } {
  const bin = findExecutable('redis-check-rdb');
  if (!bin) throw new Error('redis-check-rdb not found: install the redis-tools (or redis) package');
  const out = spawnSync(bin, [file], { encoding: 'utf8' }).stdout;
  const keys = Number(/\[info\] (\d+) keys read/.exec(out)?.[1]);
  const doing = /While doing: (\S+)/.exec(out)?.[1] ?? null;
  // It counts a key once its name is read; a key whose value was not read whole is not complete.
  return { completeKeys: doing === 'read-object-value' ? keys - 1 : keys, doing };
}

/** Writes `bytes` under a new name in the temp folder. */
function derived(name: string, bytes: Uint8Array): string {
  const file = path.join(TMP, name);
  writeFileSync(file, bytes);
  return file;
}

describe('inspect on a damaged RDB: the partial report, then the error, exit 1', () => {
  for (const fixture of ['all-types', 'big-collections', 'lfu']) {
    const bytes = readFileSync(path.join(FIXTURES, 'rdb', `${fixture}.rdb`));
    const cuts = [10, 60, ...Array.from({ length: 8 }, (_, i) => Math.floor((bytes.length * (i + 1)) / 9)), bytes.length - 4];
    it(`${fixture}.rdb cut at ${cuts.length} offsets: the keys read whole, as redis-check-rdb counts them`, async () => {
      let withKeys = 0;
      for (const cut of cuts) {
        const file = derived(`${fixture}-cut-${cut}.rdb`, bytes.subarray(0, cut));
        const t = await run(['inspect', file]);
        expect(t.code, `cut ${cut}`).toBe(1);
        const j = await run(['inspect', file, '--json']);
        expect(j.code).toBe(1);
        const r = JSON.parse(j.stdout) as PartialJson;
        expect(r.error, `cut ${cut}`).toMatchObject({ code: 'TRUNCATED', file });
        const { completeKeys } = redisCheckRdb(file);
        expect(r.partial!.keys, `cut ${cut}`).toBe(completeKeys);
        expect(r.totals.keys).toBe(completeKeys);
        expect(r.partial!.readUpTo).toBeLessThanOrEqual(Math.min(cut, r.error!.offset));
        if (completeKeys > 0) withKeys++;
        // Text: marked as partial on its first line, with the same extent and count; the error is the one stderr line.
        const first = linesOf(t.stdout)[0];
        expect(first).toMatch(/^PARTIAL: +the file is damaged \(TRUNCATED at byte [\d,]+\): /);
        if (r.partial!.readUpTo > 0) {
          const m = /the counts cover bytes 0-([\d,]+), ([\d,]+) complete keys?$/.exec(first)!;
          expect([num(m[1]) + 1, num(m[2])]).toEqual([r.partial!.readUpTo, completeKeys]);
        }
        expect(linesOf(t.stderr)).toHaveLength(1);
        expect(t.stderr.startsWith(`rdbtool: ${file}: ${r.error!.message} at byte ${r.error!.offset} `)).toBe(true);
        // Everything before readUpTo is whole: the file cut there has the same keys.
        const again = derived(`${fixture}-at-${cut}.rdb`, bytes.subarray(0, r.partial!.readUpTo));
        const a = JSON.parse((await run(['inspect', again, '--json'])).stdout) as PartialJson;
        expect(a.partial?.keys ?? a.totals.keys, `cut ${cut} again at ${r.partial!.readUpTo}`).toBe(completeKeys);
      }
      expect(withKeys).toBeGreaterThan(cuts.length / 2);
    });
  }

  it('a flipped type byte: the keys before it, UNKNOWN_TYPE at that byte', async () => {
    const bytes = Buffer.from(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
    const whole = JSON.parse((await run(['inspect', path.join(FIXTURES, 'rdb', 'all-types.rdb'), '--json', '--top', '1000'])).stdout) as {
      biggestKeys: { bySize: { key: string; offset: number; expireAtMs: unknown; valueType: string }[] };
    };
    // A string key without TTL: its record starts with its type byte, 0 (RDB_TYPE_STRING).
    const victim = whole.biggestKeys.bySize.find((k) => k.key === 'str:short')!;
    expect(victim).toMatchObject({ valueType: 'string', expireAtMs: null });
    expect(bytes[victim.offset]).toBe(0);
    bytes[victim.offset] = 0x3f;
    const file = derived('flipped-type.rdb', bytes);
    const j = await run(['inspect', file, '--json']);
    expect(j.code).toBe(1);
    const r = JSON.parse(j.stdout) as PartialJson;
    expect(r.error).toMatchObject({ code: 'UNKNOWN_TYPE', offset: victim.offset });
    const check = redisCheckRdb(file);
    expect(check.doing).toBe('read-type');
    expect(r.partial).toEqual({ readUpTo: victim.offset, keys: check.completeKeys });
    const t = await run(['inspect', file]);
    expect(linesOf(t.stdout)[0]).toBe(`PARTIAL:   the file is damaged (UNKNOWN_TYPE at byte ${victim.offset.toLocaleString('en-US')}): the counts cover bytes 0-${(victim.offset - 1).toLocaleString('en-US')}, ${check.completeKeys} complete keys`);
    expect(t.stdout).toMatch(/^Checksum: +not reached/m);
    expect(linesOf(t.stderr)).toHaveLength(1);
    expect(t.stderr).toContain(`unknown object type 63 at byte ${victim.offset}`);
  });

  it('a file that is not a Redis file at all: the error only, no report', async () => {
    const file = derived('not-redis.rdb', Buffer.from('\x89PNG\r\n\x1a\n' + 'x'.repeat(100), 'latin1'));
    const r = await run(['inspect', file, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: expect.objectContaining({ code: 'NOT_PERSISTENCE_FILE' }) });
    expect(linesOf(r.stderr)).toHaveLength(1);
  });
});

/** Ends of the complete RESP units of a plain AOF (commands and `#` lines), walked the simple way. */
function respUnits(b: Buffer): { end: number; command: boolean }[] {
  const out: { end: number; command: boolean }[] = [];
  let p = 0;
  const line = (at: number): number => {
    const nl = b.indexOf('\r\n', at, 'latin1');
    return nl < 0 ? -1 : nl;
  };
  for (;;) {
    if (b[p] === 0x23) {
      const nl = b.indexOf(0x0a, p);
      if (nl < 0) return out;
      out.push({ end: nl + 1, command: false });
      p = nl + 1;
      continue;
    }
    let e = line(p);
    if (b[p] !== 0x2a || e < 0) return out;
    const argc = Number(b.toString('latin1', p + 1, e));
    let q = e + 2;
    for (let i = 0; i < argc; i++) {
      e = line(q);
      if (e < 0) return out;
      q = e + 2 + Number(b.toString('latin1', q + 1, e)) + 2;
      if (q > b.length) return out;
    }
    out.push({ end: q, command: true });
    p = q;
  }
}

describe('inspect on a damaged AOF: the counts stop at the problem', () => {
  const plain = readFileSync(path.join(AOF, 'plain.aof'));
  for (const cut of [100, 777, 1500, 2600]) {
    it(`plain.aof cut at byte ${cut}: marked as partial, the commands read whole counted`, async () => {
      const file = derived(`plain-cut-${cut}.aof`, plain.subarray(0, cut));
      const units = respUnits(plain.subarray(0, cut));
      const complete = units.filter((u) => u.command);
      const j = await run(['inspect', file, '--json']);
      expect(j.code).toBe(1);
      const r = JSON.parse(j.stdout) as { partial: { file: string; readUpTo: number; commands: number }; error: { code: string }; commands: number };
      expect(r.partial).toMatchObject({ file, commands: complete.length });
      expect(r.commands).toBe(complete.length);
      // Up to the end of the last complete command or annotation line.
      expect(r.partial.readUpTo).toBeGreaterThanOrEqual(complete.at(-1)?.end ?? 0);
      expect(r.partial.readUpTo).toBeLessThanOrEqual(units.at(-1)?.end ?? 0);
      expect(r.error.code).toBe('TRUNCATED');
      const t = await run(['inspect', file]);
      expect(t.stdout).toMatch(new RegExp(`^PARTIAL: +the counts stop at the problem: they cover bytes 0-${(r.partial.readUpTo - 1).toLocaleString('en-US')} of .*, ${complete.length} commands?$`, 'm'));
      expect(linesOf(t.stderr)).toHaveLength(1);
    });
  }
});

describe('inspect names the parts of a multi-part AOF that are symbolic links', () => {
  /** A copy of the resp-multipart set whose incr file is replaced by a link to `target` (made by `place`). */
  function linkedSet(name: string, target: (dir: string) => string): string {
    const dir = path.join(TMP, name, 'appendonlydir');
    mkdirSync(path.dirname(dir), { recursive: true });
    cpSync(path.join(AOF, 'resp-multipart', 'appendonlydir'), dir, { recursive: true });
    const incr = path.join(dir, 'appendonly.aof.2.incr.aof');
    symlinkSync(target(dir), path.join(dir, 'tmp-link'));
    rmSync(incr);
    renameSync(path.join(dir, 'tmp-link'), incr);
    return dir;
  }
  const incrBytes = readFileSync(path.join(AOF, 'resp-multipart', 'appendonlydir', 'appendonly.aof.2.incr.aof'));

  it('a link out of the directory: a warning line naming its target, and the link in the JSON part', async () => {
    const elsewhere = path.join(TMP, 'elsewhere', 'important.aof');
    mkdirSync(path.dirname(elsewhere), { recursive: true });
    writeFileSync(elsewhere, incrBytes);
    const dir = linkedSet('link-out', () => elsewhere);
    const t = await run(['inspect', dir]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`^Warning: +appendonly\\.aof\\.2\\.incr\\.aof is a symbolic link to ${elsewhere.replace(/[.\\\\]/g, '\\$&')}, outside the AOF directory$`, 'm'));
    const j = JSON.parse((await run(['inspect', dir, '--json'])).stdout) as { parts: { link: unknown; commands: number }[] };
    expect(j.parts[0].link).toBeNull();
    expect(j.parts[1].link).toEqual({ target: elsewhere, resolved: elsewhere, leavesDirectory: true });
    expect(j.parts[1].commands).toBeGreaterThan(0);
  });

  it('a link inside the directory: mentioned, not as a warning; a dangling link: a warning and a missing file', async () => {
    const inside = linkedSet('link-in', (dir) => {
      writeFileSync(path.join(dir, 'real-incr.aof'), incrBytes);
      return 'real-incr.aof';
    });
    const t = await run(['inspect', inside]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Link: +appendonly\.aof\.2\.incr\.aof is a symbolic link to real-incr\.aof, inside the AOF directory$/m);
    expect(t.stdout).not.toContain('Warning:');
    const dangling = linkedSet('link-dangling', () => 'gone.aof');
    const d = await run(['inspect', dangling]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^Warning: +appendonly\.aof\.2\.incr\.aof is a symbolic link to gone\.aof, which resolves to no file \(dangling, or a loop\)$/m);
    const j = JSON.parse((await run(['inspect', dangling, '--json'])).stdout) as { parts: { link: unknown; status: string }[] };
    expect(j.parts[1]).toMatchObject({ status: 'missing', link: { target: 'gone.aof', resolved: null, leavesDirectory: true } });
  });
});
