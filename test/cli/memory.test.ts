/**
 * `rdbtool memory`: the report (text and JSON) and its totals, which must add up; the per-key
 * listing as NDJSON and as CSV (read back by an RFC 4180 parser), the same keys as `export`
 * lists; filters, `--min-bytes`, `--top`, `--depth`, `--separator`; the usage errors of
 * targets and allocators not modelled; a damaged file's partial report (key counts checked
 * against redis-check-rdb) with exit 1; AOF inputs, estimated as the dataset they produce.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/files.js';
import { findExecutable } from '../helpers/redis.js';
import { run } from './capture.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-memory-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const ALL_TYPES = path.join(FIXTURES, 'rdb', 'all-types.rdb');

interface Record_ {
  db: number;
  key: string | { b64: string };
  type: string;
  encoding: string;
  memoryBytes: number;
  elements: number;
  expireAtMs: number | null;
}

interface ReportJson {
  input: string;
  target: { server: string; version: string; allocator: string };
  serverVersion: string | null;
  usedMemBytes: number | null;
  targetReadsFile: boolean;
  totals: { keys: number; keysWithTtl: number; keysBytes: number; uncountedBytes: number; expiredBytes: number; overheadBytes: number; startupBytes: number; datasetBytes: number; elements: number };
  databases: { db: number; keys: number; memoryBytes: number }[];
  types: { valueType: string; keys: number; memoryBytes: number }[];
  encodings: { valueType: string; encoding: string; keys: number; memoryBytes: number }[];
  topKeys: { db: number; key: string | { b64: string }; memoryBytes: number }[];
  prefixes: { keys: number; memoryBytes: number; unprefixedBytes: number; roots: { prefix: string | { b64: string }; keys: number; memoryBytes: number; children: unknown[] }[] };
  partial: { readUpTo: number; keys: number } | null;
  error: { code: string } | null;
  filtered: boolean;
}

const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((s, x) => s + f(x), 0);
const ndjson = (s: string): Record_[] => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record_);
const keyId = (r: { db: number; key: unknown }): string => `${r.db}:${JSON.stringify(r.key)}`;

/** An RFC 4180 reader: rows of fields, quoted fields with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe('rdbtool memory on an RDB', () => {
  it('the text report: totals, tables, the biggest keys and the prefix tree', async () => {
    const r = await run(['memory', ALL_TYPES]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Target: +Redis 7\.0 with jemalloc .*written by 7\.0\.15, RDB 10$/m);
    expect(r.stdout).toMatch(/^Keys: +87; 9 with a TTL/m);
    for (const title of ['Memory', 'By database', 'By type', 'By encoding after load', 'Biggest keys by memory (top 10)']) expect(r.stdout).toContain(`\n${title}\n`);
    expect(r.stdout).toMatch(/used-mem in the file .*\(estimate [+-]\d+\.\d%\)/);
    expect(r.stdout).toMatch(/^Prefixes \(separator :, depth 1; all databases\)$/m);
    expect(r.stdout).toMatch(/│ hash:hashtable-many +│ hash +│ hashtable/);
  });

  it('the JSON report adds up: databases, types, encodings and records all sum to the keys\' memory', async () => {
    const j = await run(['memory', ALL_TYPES, '--json']);
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout) as ReportJson;
    expect(r.input).toBe('rdb');
    expect(r.target).toEqual({ server: 'redis', version: '7.0', allocator: 'jemalloc' });
    expect(r.serverVersion).toBe('7.0.15');
    expect(r.usedMemBytes).toBeGreaterThan(0);
    expect(r.totals.keys).toBe(87);
    expect(sum(r.databases, (d) => d.memoryBytes)).toBe(r.totals.keysBytes);
    expect(sum(r.databases, (d) => d.keys)).toBe(r.totals.keys);
    expect(sum(r.types, (t) => t.memoryBytes)).toBe(r.totals.keysBytes);
    expect(sum(r.encodings, (e) => e.memoryBytes)).toBe(r.totals.keysBytes);
    expect(r.totals.datasetBytes).toBe(r.totals.keysBytes + r.totals.uncountedBytes + r.totals.overheadBytes + r.totals.startupBytes - r.totals.expiredBytes);
    expect(r.targetReadsFile).toBe(true);
    expect(r.topKeys).toHaveLength(10);
    for (let i = 1; i < r.topKeys.length; i++) expect(r.topKeys[i - 1].memoryBytes).toBeGreaterThanOrEqual(r.topKeys[i].memoryBytes);
    expect(r.prefixes.memoryBytes).toBe(r.totals.keysBytes);
    expect(sum(r.prefixes.roots, (p) => p.memoryBytes) + r.prefixes.unprefixedBytes).toBe(r.totals.keysBytes);
    const records = ndjson((await run(['memory', ALL_TYPES, '--format', 'ndjson'])).stdout);
    expect(sum(records, (x) => x.memoryBytes)).toBe(r.totals.keysBytes);
    // The biggest record is the first of the top list.
    const biggest = records.reduce((a, b) => (b.memoryBytes > a.memoryBytes ? b : a));
    expect(keyId(biggest)).toBe(keyId(r.topKeys[0]));
  });

  it('NDJSON: one record per key with exactly the schema\'s fields, the keys export lists', async () => {
    const r = await run(['memory', ALL_TYPES, '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const records = ndjson(r.stdout);
    expect(records).toHaveLength(87);
    for (const x of records) {
      expect(Object.keys(x)).toEqual(['db', 'key', 'type', 'encoding', 'memoryBytes', 'elements', 'expireAtMs']);
      expect(Number.isInteger(x.memoryBytes) && x.memoryBytes > 0).toBe(true);
    }
    const exported = ndjson((await run(['export', ALL_TYPES])).stdout);
    expect(records.map(keyId).sort()).toEqual(exported.map(keyId).sort());
    const byKey = new Map(exported.map((e) => [keyId(e), e]));
    for (const x of records) {
      expect(x.type).toBe(byKey.get(keyId(x))!.type);
      expect(x.expireAtMs).toBe(byKey.get(keyId(x))!.expireAtMs);
    }
    expect(records.some((x) => typeof x.key === 'object')).toBe(true); // binary keys as {"b64": ...}
  });

  it('CSV: a header, then one row per key that a CSV reader gets back as the NDJSON records', async () => {
    const csv = await run(['memory', ALL_TYPES, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]).toEqual(['db', 'key', 'type', 'encoding', 'memoryBytes', 'elements', 'expireAtMs']);
    const records = ndjson((await run(['memory', ALL_TYPES, '--format', 'ndjson'])).stdout);
    expect(rows.slice(1).map((row) => row.length)).toEqual(records.map(() => 7));
    const asRows = records.map((x) => [String(x.db), typeof x.key === 'string' ? x.key : JSON.stringify(x.key), x.type, x.encoding, String(x.memoryBytes), String(x.elements), x.expireAtMs === null ? '' : String(x.expireAtMs)]);
    expect(rows.slice(1)).toEqual(asRows);
  });

  it('filters, --min-bytes, --top, --depth and --separator', async () => {
    const all = ndjson((await run(['memory', ALL_TYPES, '--format', 'ndjson'])).stdout);
    const big = ndjson((await run(['memory', ALL_TYPES, '--format', 'ndjson', '--min-bytes', '1000'])).stdout);
    expect(big.map(keyId)).toEqual(all.filter((x) => x.memoryBytes >= 1000).map(keyId));
    expect(big.length).toBeGreaterThan(0);
    const hashes = JSON.parse((await run(['memory', ALL_TYPES, '--json', '--type', 'hash', '--db', '0'])).stdout) as ReportJson;
    expect(hashes.filtered).toBe(true);
    expect(hashes.totals.keys).toBe(all.filter((x) => x.type === 'hash' && x.db === 0).length);
    expect(hashes.totals.keysBytes).toBe(sum(all.filter((x) => x.type === 'hash' && x.db === 0), (x) => x.memoryBytes));
    const matched = ndjson((await run(['memory', ALL_TYPES, '--format', 'ndjson', '--match', 'list:*'])).stdout);
    expect(matched.length).toBeGreaterThan(0);
    expect(matched.every((x) => typeof x.key === 'string' && x.key.startsWith('list:'))).toBe(true);
    const top3 = JSON.parse((await run(['memory', ALL_TYPES, '--json', '--top', '3', '--depth', '0'])).stdout) as ReportJson;
    expect(top3.topKeys).toHaveLength(3);
    expect(top3.prefixes.roots).toEqual([]);
    const text = (await run(['memory', ALL_TYPES, '--depth', '0'])).stdout;
    expect(text).not.toContain('Prefixes');
    const slash = JSON.parse((await run(['memory', ALL_TYPES, '--json', '--separator', '-', '--depth', '1'])).stdout) as ReportJson;
    expect(slash.prefixes.roots.some((p) => p.prefix === 'long-')).toBe(true);
    expect(slash.prefixes.roots.every((p) => typeof p.prefix === 'string' && p.prefix.endsWith('-') && p.children.length === 0)).toBe(true);
  });

  it('-o writes the report to a file', async () => {
    const out = path.join(TMP, 'memory.csv');
    const r = await run(['memory', ALL_TYPES, '--format', 'csv', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(parseCsv(readFileSync(out, 'utf8'))).toHaveLength(88);
  });
});

describe('rdbtool memory: usage errors (exit 2)', () => {
  for (const [args, message] of [
    [['--target', 'redis@5.0'], /does not model redis@5\.0 yet: modelled targets are redis@6\.0, redis@6\.2, redis@7\.0/],
    [['--target', 'valkey@9.0'], /does not model valkey@9\.0 yet/],
    [['--target', 'mysql'], /invalid --target "mysql": expected redis@X\.Y or valkey@X\.Y/],
    [['--allocator', 'tcmalloc'], /does not model --allocator tcmalloc: modelled allocators are jemalloc, libc/],
    [['--format', 'ndjson', '--json'], /--json prints the report; --format ndjson or csv lists the keys/],
    [['--min-bytes', '-1'], /invalid --min-bytes "-1"/],
    [['--separator', ''], /--separator must not be empty/],
  ] as const) {
    it(args.join(' '), async () => {
      const r = await run(['memory', ALL_TYPES, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      // With --json the error is also printed as JSON, on stdout.
      if (args.includes('--json' as never)) expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('USAGE');
      else expect(r.stdout).toBe('');
    });
  }

  it('accepts the modelled target and allocator, with a patch version', async () => {
    const r = await run(['memory', ALL_TYPES, '--target', 'redis@7.0.15', '--allocator', 'jemalloc', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ReportJson).totals.keys).toBe(87);
  });

  it('a missing input is an I/O error', async () => {
    const r = await run(['memory', path.join(TMP, 'nope.rdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot open/);
  });
});

describe('rdbtool memory on a damaged RDB: the partial report, then the error, exit 1', () => {
  const bytes = readFileSync(ALL_TYPES);
  const check = findExecutable('redis-check-rdb');
  for (const cut of [60, Math.floor(bytes.length / 3), Math.floor((2 * bytes.length) / 3), bytes.length - 4]) {
    it(`cut at byte ${cut}`, async () => {
      const file = path.join(TMP, `cut-${cut}.rdb`);
      writeFileSync(file, bytes.subarray(0, cut));
      const j = await run(['memory', file, '--json']);
      expect(j.code).toBe(1);
      expect(j.stderr).toMatch(/^rdbtool: .*/);
      const r = JSON.parse(j.stdout) as ReportJson;
      expect(r.partial).not.toBeNull();
      expect(r.error!.code).toBe('TRUNCATED');
      // Keys read whole, as redis-check-rdb counts them on the same bytes.
      if (!check) throw new Error('redis-check-rdb not found: install the redis-tools (or redis) package');
      const out = spawnSync(check, [file], { encoding: 'utf8' }).stdout;
      const keys = Number(/\[info\] (\d+) keys read/.exec(out)?.[1]);
      const complete = /While doing: read-object-value/.test(out) ? keys - 1 : keys;
      expect(r.totals.keys).toBe(complete);
      const t = await run(['memory', file]);
      expect(t.code).toBe(1);
      expect(t.stdout).toMatch(/^PARTIAL: +the input is damaged \(TRUNCATED at byte [\d,]+\): the figures cover/);
      const n = await run(['memory', file, '--format', 'ndjson']);
      expect(n.code).toBe(1);
      expect(ndjson(n.stdout)).toHaveLength(complete);
    });
  }

  it('a checksum mismatch: the whole report, then the error, exit 1', async () => {
    const bad = Buffer.from(bytes);
    bad[bad.length - 1] ^= 0xff;
    const file = path.join(TMP, 'bad-crc.rdb');
    writeFileSync(file, bad);
    const j = await run(['memory', file, '--json']);
    expect(j.code).toBe(1);
    const r = JSON.parse(j.stdout) as ReportJson;
    expect(r.totals.keys).toBe(87);
    expect(r.partial).toBeNull();
    expect(j.stderr).toMatch(/CRC-64 checksum mismatch/);
  });
});

describe('rdbtool memory on AOF inputs: the dataset the replay produces', () => {
  for (const input of ['plain.aof', 'hybrid.aof', 'resp-multipart/appendonlydir', 'rdb-multipart/appendonlydir']) {
    it(input, async () => {
      const file = path.join(FIXTURES, 'aof', input);
      const j = await run(['memory', file, '--json']);
      expect(j.code).toBe(0);
      const r = JSON.parse(j.stdout) as ReportJson;
      expect(r.input).toBe('aof');
      const exported = ndjson((await run(['export', file])).stdout);
      expect(r.totals.keys).toBe(exported.length);
      const records = ndjson((await run(['memory', file, '--format', 'ndjson'])).stdout);
      expect(records.map(keyId).sort()).toEqual(exported.map(keyId).sort());
      expect(sum(records, (x) => x.memoryBytes)).toBe(r.totals.keysBytes);
    });
  }
});
