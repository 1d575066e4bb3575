/**
 * The backup policy rules of `check`, each at its boundary (the limit itself passes, one step
 * past it fails), on reports of real-server fixtures: the problem names the rule, the expected
 * and the found value; rules that cannot be judged on an input say so as warnings.
 */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPath, type CheckReport } from '../../src/analyze/check.js';
import { applyPolicy, formatDuration, parseDuration, writtenAt, type CheckPolicy } from '../../src/analyze/check-policy.js';
import { UsageError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';

const rdb = (n: string) => path.join(FIXTURES, 'rdb', `${n}.rdb`);
const PLAIN = path.join(FIXTURES, 'aof', 'plain.aof');
const rules = (r: CheckReport, p: CheckPolicy, now = Date.now()) => applyPolicy(r, p, now).map((x) => [x.rule, x.severity]);

describe('parseDuration', () => {
  it('reads units and sums', () => {
    expect(parseDuration('26h')).toBe(26 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('1d 12h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
  });
  it('refuses anything else as a usage error naming the option', () => {
    for (const bad of ['', 'abc', '5x', 'h', '-1d', '1d-2h']) {
      expect(() => parseDuration(bad), bad).toThrow(UsageError);
      expect(() => parseDuration(bad)).toThrow(/--max-age/);
    }
  });
  it('formats back in two units at most', () => {
    expect(formatDuration(36 * 3_600_000 + 61_000)).toBe('1d 12h');
    expect(formatDuration(61_000)).toBe('1m 1s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('min-keys', () => {
  it('at the boundary', async () => {
    const r = await checkPath(rdb('all-types'));
    expect(r.totals.keys).toBe(87);
    expect(rules(r, { minKeys: 87 })).toEqual([]);
    const [p] = applyPolicy(r, { minKeys: 88 }, Date.now());
    expect(p).toMatchObject({ code: 'POLICY', rule: 'min-keys', severity: 'error', expected: 'at least 88', found: '87' });
  });
  it('an empty AOF holds 0 keys; a plain AOF is not judged (its keys need a replay)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-policy-'));
    try {
      await fs.writeFile(path.join(dir, 'empty.aof'), '');
      expect(rules(await checkPath(path.join(dir, 'empty.aof')), { minKeys: 1 })).toEqual([['min-keys', 'error']]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    const [p] = applyPolicy(await checkPath(PLAIN), { minKeys: 1 }, Date.now());
    expect(p).toMatchObject({ rule: 'min-keys', severity: 'warning', reason: expect.stringMatching(/^not judged: /) });
  });
});

describe('max-age', () => {
  it("an RDB: its ctime AUX field, at the boundary", async () => {
    const r = await checkPath(rdb('lru'));
    const ctime = r.files[0].facts.ctimeSec!;
    expect(ctime).toBeGreaterThan(1_600_000_000);
    expect(writtenAt(r)).toEqual({ ms: ctime * 1000, source: "the RDB's ctime AUX field" });
    const day = 86_400_000;
    expect(rules(r, { maxAgeMs: day }, ctime * 1000 + day)).toEqual([]);
    const [p] = applyPolicy(r, { maxAgeMs: day }, ctime * 1000 + day + 1000);
    expect(p).toMatchObject({ rule: 'max-age', severity: 'error', expected: 'at most 1d', found: '1d 1s' });
    expect(p.reason).toContain("from the RDB's ctime AUX field");
  });
  it('an AOF: its last #TS annotation; without one, the file time', async () => {
    const r = await checkPath(PLAIN);
    const w = writtenAt(r)!;
    expect(w.source).toBe('the last #TS annotation');
    expect(w.ms).toBe(r.files[0].facts.lastTimestampSec! * 1000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-policy-'));
    try {
      const f = path.join(dir, 'no-ts.aof');
      await fs.writeFile(f, '*1\r\n$4\r\nPING\r\n');
      const when = new Date('2026-01-02T03:04:05Z');
      await fs.utimes(f, when, when);
      expect(writtenAt(await checkPath(f))).toEqual({ ms: when.getTime(), source: "the file's modification time" });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('require-checksum', () => {
  it('an RDB saved with rdbchecksum no breaks it; one with a CRC-64 does not', async () => {
    const [p, more] = applyPolicy(await checkPath(rdb('nocompress-nochecksum')), { requireChecksum: true }, Date.now());
    expect(more).toBeUndefined();
    expect(p).toMatchObject({ rule: 'require-checksum', severity: 'error', expected: 'a CRC-64 checksum', found: 'none' });
    expect(rules(await checkPath(rdb('all-types')), { requireChecksum: true })).toEqual([]);
  });
});

describe('max-key-bytes and max-elements', () => {
  it('at the boundary, naming the largest key', async () => {
    const base = await checkPath(rdb('big-collections'));
    const big = base.files[0].facts.biggestKey!;
    const long = base.files[0].facts.longestKey!;
    expect(big.bytes).toBeGreaterThan(1000);
    expect(long.elements).toBeGreaterThan(100);

    const atLimit = await checkPath(rdb('big-collections'), { thresholds: { maxKeyBytes: big.bytes, maxElements: long.elements } });
    expect(rules(atLimit, { maxKeyBytes: big.bytes, maxElements: long.elements })).toEqual([]);

    const over = await checkPath(rdb('big-collections'), { thresholds: { maxKeyBytes: big.bytes - 1, maxElements: long.elements - 1 } });
    const ps = applyPolicy(over, { maxKeyBytes: big.bytes - 1, maxElements: long.elements - 1 }, Date.now());
    expect(ps.map((p) => p.rule)).toEqual(['max-key-bytes', 'max-elements']);
    expect(ps[0].reason).toMatch(/^1 key\(s\) with more than [\d,]+ bytes in the file; the largest: ".+" \(.+\) in db \d+$/);
    expect(ps[0].found).toBe(`${big.bytes.toLocaleString('en-US')} bytes in the file`);
    expect(ps[1].found).toBe(`${long.elements.toLocaleString('en-US')} elements`);
  });
});

describe('max-shrink against a baseline', () => {
  it('keys and bytes, each at the boundary', async () => {
    const r = await checkPath(rdb('all-types')); // 87 keys, 27,050 bytes
    const bytes = r.totals.bytes;
    // 100 → 87 keys is 13% fewer.
    expect(rules(r, { maxShrinkPct: 13, baseline: { path: 'old.rdb', keys: 100, bytes } })).toEqual([]);
    const [k] = applyPolicy(r, { maxShrinkPct: 12.9, baseline: { path: 'old.rdb', keys: 100, bytes } }, Date.now());
    expect(k).toMatchObject({ rule: 'max-shrink', found: '13.0% fewer', expected: 'at most 12.9% fewer' });
    expect(k.reason).toContain('fewer keys than the baseline old.rdb (87 against 100)');
    // Bytes: a baseline twice as large is 50% fewer.
    expect(rules(r, { maxShrinkPct: 50, baseline: { path: 'old.rdb', keys: 87, bytes: bytes * 2 } })).toEqual([]);
    const [b] = applyPolicy(r, { maxShrinkPct: 49, baseline: { path: 'old.rdb', keys: 87, bytes: bytes * 2 } }, Date.now());
    expect(b.reason).toContain('fewer bytes than the baseline');
    // Growth is never a problem.
    expect(rules(r, { maxShrinkPct: 0, baseline: { path: 'old.rdb', keys: 1, bytes: 1 } })).toEqual([]);
  });
});
