/**
 * `rdbtool convert` for the newest targets as a user runs it: `--target redis@8.6|8.8|8.10` and
 * `valkey@9.2`, `--target-version 13|14|15|81`, the report (text and `--json`), usage errors,
 * and the ARRAY values, stream IDMP state and NACK zones of an NDJSON export: carried to the
 * lines that hold them, refused (exit 1, nothing written) or dropped with `--drop-newer`
 * elsewhere. The files are read back with rdbtool's decoder (no server at hand loads RDB 13+).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './capture.js';
import type { ArrayValue } from '../../src/dataset/array.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey } from '../../src/dataset/stream-id.js';
import { FIXTURES } from '../helpers/files.js';
import { datasetOf } from '../helpers/server-datasets.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { rdbFacts } from '../helpers/compat-facts.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-cli-newer-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => path.join(work, `${n++}-${name}`);

const DUMP = path.join(FIXTURES, 'rdb', 'all-types.rdb');
const magicOf = (file: string) => readFileSync(file).subarray(0, 9).toString('latin1');

describe('rdbtool convert --to rdb for Redis 8.6–8.10 and Valkey 9.2', () => {
  it.each([
    [['--target', 'redis@8.6'], 'redis@8.6', 13, 'REDIS0013'],
    [['--target', 'redis@8.8'], 'redis@8.8', 14, 'REDIS0014'],
    [['--target', 'redis@8.10.1'], 'redis@8.10', 15, 'REDIS0015'],
    [['--target', 'redis@8.2'], 'redis@8.2', 12, 'REDIS0012'],
    [['--target', 'valkey@9.2'], 'valkey@9.2', 81, 'VALKEY081'],
    [['--target-version', '13'], 'redis@8.6', 13, 'REDIS0013'],
    [['--target-version', '14'], 'redis@8.8', 14, 'REDIS0014'],
    [['--target-version', '15'], 'redis@8.10', 15, 'REDIS0015'],
    [['--target-version', '81'], 'valkey@9.2', 81, 'VALKEY081'],
  ] as const)('%j: exit 0, the report names %s (RDB %i), the file starts %s and holds the dump', async (flags, line, version, magic) => {
    const to = out('o.rdb');
    const r = await run(['convert', DUMP, to, '--to', 'rdb', ...flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^rdbtool: wrote .*: 87 key\\(s\\), 2 function libraries, \\d+ bytes, rdb for ${line.replace('.', '\\.')} \\(RDB ${version}\\)\\n`));
    expect(magicOf(to)).toBe(magic);
    expect(datasetDiff(await datasetOf(DUMP), await datasetOf(to))).toEqual([]);
  });

  it('--json reports the target and the RDB version written', async () => {
    const r = await run(['convert', DUMP, out('j.rdb'), '--to', 'rdb', '--target-version', '15', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'redis@8.10', rdbVersion: 15, to: 'rdb', keys: 87, dropped: [] });
  });

  it('an RDB 15 input is written as RDB 15 without options; a hybrid AOF for redis@8.8 has an RDB 14 preamble', async () => {
    const v15 = out('v15.rdb');
    expect((await run(['convert', DUMP, v15, '--to', 'rdb', '--target-version', '15'])).code).toBe(0);
    const again = out('again.rdb');
    const r = await run(['convert', v15, again, '--to', 'rdb', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'redis@8.10', rdbVersion: 15 });
    const hybrid = out('h.aof');
    expect((await run(['convert', v15, hybrid, '--to', 'hybrid', '--target', 'redis@8.8'])).code).toBe(0);
    expect(magicOf(hybrid)).toBe('REDIS0014');
  });

  it('versions it does not write, and both options at once, are usage errors (exit 2, no file)', async () => {
    for (const v of ['16', '12.5', '79', '82']) {
      const to = out('u.rdb');
      const r = await run(['convert', DUMP, to, '--to', 'rdb', '--target-version', v]);
      expect(r.code, v).toBe(2);
      expect(existsSync(to)).toBe(false);
      if (v !== '12.5') expect(r.stderr).toMatch(/--target-version must be one of 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 80, 81/);
    }
    const both = await run(['convert', DUMP, out('b.rdb'), '--to', 'rdb', '--target-version', '15', '--target', 'redis@8.10']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });

  it('--help lists the versions', async () => {
    const r = await run(['convert', '--help']);
    expect(r.stdout).toMatch(/RDB version to write \(6-15, or Valkey 9's 80 and 81\)/);
  });
});

describe('arrays, stream IDMP state and NACK zones of an NDJSON export', () => {
  const ID = (ms: number) => `${1_700_000_000_000 + ms}-0`;
  let input: string;
  beforeAll(() => {
    const records = [
      { db: 0, key: 'arr', type: 'array', expireAtMs: null, value: [[0, 'zero'], [5, '-12'], [4294967296, { b64: Buffer.from([0, 1, 255]).toString('base64') }]] },
      {
        db: 0,
        key: 'events',
        type: 'stream',
        expireAtMs: null,
        value: {
          entries: [1, 2, 3, 4].map((i) => ({ id: ID(i), fields: [['n', String(i)]] })),
          length: 4,
          lastGeneratedId: ID(4),
          maxDeletedEntryId: '0-0',
          entriesAdded: 4,
          recordedFirstEntryId: ID(1),
          groups: [
            {
              name: 'g',
              lastDeliveredId: ID(4),
              entriesRead: 4,
              pending: [
                { id: ID(1), consumer: 'c', deliveryTimeMs: 1_700_000_000_100, deliveryCount: 1 },
                { id: ID(2), deliveryTimeMs: 1_700_000_000_200, deliveryCount: 2 },
                { id: ID(3), deliveryTimeMs: 1_700_000_000_300, deliveryCount: 3 },
              ],
              consumers: [{ name: 'c', seenTimeMs: 1_700_000_000_400, activeTimeMs: 1_700_000_000_350, pending: [{ id: ID(1), deliveryTimeMs: 1_700_000_000_100, deliveryCount: 1 }] }],
              nacked: [ID(3), ID(2)],
            },
          ],
          idmp: { durationSec: 600, maxEntries: 50, producers: [{ pid: 'p', entries: [{ iid: 'once', id: ID(4) }] }], iidsAdded: 1, iidsDuplicates: 0 },
        },
      },
      { db: 0, key: 'plain', type: 'string', expireAtMs: null, value: 'v' },
    ];
    input = path.join(work, 'newer.ndjson');
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });

  it.each(['redis@8.8', 'redis@8.10'])('--target %s: all of it written (type 28, type 27) and read back', async (target) => {
    const to = out('all.rdb');
    const r = await run(['convert', input, to, '--to', 'rdb', '--target', target]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/dropped/);
    expect(rdbFacts(new Uint8Array(readFileSync(to))).types).toEqual({ 0: 1, 27: 1, 28: 1 });
    const ds = await datasetOf(to);
    expect([...(ds.peekDb(0)!.get('arr') as ArrayValue).entries()]).toEqual([
      [0, 'zero'],
      [5, '-12'],
      [4294967296, '\x00\x01\xff'],
    ]);
    const s = ds.peekDb(0)!.get('events') as StreamValue;
    const g = s.groups.get('g')!;
    expect([...g.nacked!].sort()).toEqual([streamIdKey(ID(2)), streamIdKey(ID(3))]);
    expect(g.pending.get(streamIdKey(ID(2)))).toMatchObject({ consumer: null, deliveryCount: 2 });
    expect(s.idmp).toMatchObject({ durationSec: 600, maxEntries: 50, iidsAdded: 1, producers: [{ pid: 'p', entries: [{ iid: 'once', id: streamIdKey(ID(4)) }] }] });
  });

  it('--target redis@8.6: refused (exit 1, nothing written); with --drop-newer the array goes, the stream keeps its IDMP state and loses its NACK zone', async () => {
    const to = out('86.rdb');
    const refused = await run(['convert', input, to, '--to', 'rdb', '--target', 'redis@8.6']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/redis@8\.6 \(RDB 13\) cannot hold part of the input: 2 values or stream states newer than the target: redis@8\.6 cannot hold them \(--drop-newer drops them/);
    expect(existsSync(to)).toBe(false);
    const dropped = await run(['convert', input, to, '--to', 'rdb', '--target', 'redis@8.6', '--drop-newer', '--json']);
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ rdbVersion: 13, keys: 2, dropped: [{ kind: 'newer', flag: '--drop-newer', count: 2 }] });
    expect(rdbFacts(new Uint8Array(readFileSync(to))).types).toEqual({ 0: 1, 26: 1 });
    const ds = await datasetOf(to);
    expect(ds.peekDb(0)!.get('arr')).toBeUndefined();
    const s = ds.peekDb(0)!.get('events') as StreamValue;
    expect(s.idmp).toMatchObject({ durationSec: 600, maxEntries: 50 });
    expect([...s.groups.get('g')!.pending.keys()]).toEqual([streamIdKey(ID(1))]);
  });

  it('--target valkey@9.2 with --drop-newer: RDB 81, the stream without its IDMP state and NACK zone', async () => {
    const to = out('v92.rdb');
    const r = await run(['convert', input, to, '--to', 'rdb', '--target', 'valkey@9.2', '--drop-newer']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dropped: 2 values or stream states newer than the target dropped for valkey@9\.2/);
    expect(magicOf(to)).toBe('VALKEY081');
    const s = (await datasetOf(to)).peekDb(0)!.get('events') as StreamValue;
    expect(s.idmp).toBeNull();
    expect(s.groups.get('g')!.pending.size).toBe(1);
  });
});
