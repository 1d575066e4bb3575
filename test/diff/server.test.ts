/**
 * `diff` against a real Redis 7.0: a server loads a fixture and writes it back — SAVE, an AOF
 * rewrite with an RDB preamble, one without — and the server's files are compared with the
 * fixture. What a server itself loads from its AOF is the oracle for the replayed side. Then a
 * few keys are changed by commands and SAVEd: exactly those keys are reported, each with the
 * kind of change the command made.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffInputs } from '../../src/diff/diff.js';
import type { DiffKey } from '../../src/format/reports/diff.js';
import { FIXTURES } from '../helpers/files.js';
import { requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';
import { waitRewrite } from '../helpers/replay-oracle.js';
import { run } from '../cli/capture.js';

const FIXTURE = path.join(FIXTURES, 'rdb', 'all-types.rdb');

const summary = (keys: DiffKey[]) => keys.map((k) => `${k.db} ${Buffer.from(k.key).toString('latin1')} ${k.change} ${k.what.join(',')}`);

let server: RedisHandle;
beforeAll(async () => {
  requireRedisServer();
  server = await startRedis({ rdbFile: FIXTURE });
});
afterAll(async () => {
  await server?.stop();
});

describe('a server that loaded a fixture writes the same data', () => {
  it('SAVE: identical', async () => {
    await server.client.call('SAVE');
    const r = await diffInputs(FIXTURE, server.dumpPath);
    expect(r.report.identical).toBe(true);
    expect(r.report.totals.same).toBe(87);
  });

  it('an AOF rewrite with an RDB preamble (multi-part, RDB base): identical', async () => {
    await server.client.call('CONFIG', 'SET', 'aof-use-rdb-preamble', 'yes');
    await server.client.call('CONFIG', 'SET', 'appendonly', 'yes');
    await waitRewrite(server);
    const r = await diffInputs(FIXTURE, path.join(server.dir, 'appendonlydir'));
    expect(r.report.inputs[1].form).toBe('multipart');
    expect(r.report.identical).toBe(true);
  });

  it('an AOF rewrite without a preamble: the differences are those Redis itself loads from it', async () => {
    await server.client.call('CONFIG', 'SET', 'aof-use-rdb-preamble', 'no');
    await server.client.call('BGREWRITEAOF');
    await waitRewrite(server);
    const aofDir = path.join(server.dir, 'appendonlydir');
    const viaAof = await diffInputs(FIXTURE, aofDir);
    // A second server loads the same AOF and saves what it holds.
    const reloaded = await startRedis({ appendonly: true, config: { dir: server.dir, dbfilename: 'reloaded.rdb' } });
    let viaServer;
    try {
      await reloaded.client.call('SAVE');
      expect((await diffInputs(aofDir, path.join(server.dir, 'reloaded.rdb'))).report.identical).toBe(true);
      viaServer = await diffInputs(FIXTURE, path.join(server.dir, 'reloaded.rdb'));
    } finally {
      await reloaded.stop();
    }
    expect(summary(viaAof.differences())).toEqual(summary(viaServer.differences()));
    // Redis's rewrite leaves out pending entries whose stream entry was deleted (XCLAIM drops
    // them on load): the groups of two streams differ, nothing else.
    expect(summary(viaAof.differences())).toEqual(['0 stream:emptied changed streamGroups', '0 stream:groups changed streamGroups']);
  });
});

describe('keys changed by commands, then SAVEd', () => {
  let changed: RedisHandle;
  beforeAll(async () => {
    changed = await startRedis({ rdbFile: FIXTURE });
    const c = changed.client;
    await c.call('SET', 'str:short', 'changed');
    await c.call('HSET', 'hash:listpack', 'new-field', 'v');
    await c.call('EXPIRE', 'str:utf8', '1000000000');
    await c.call('PERSIST', 'str:ttl');
    await c.call('DEL', 'str:tab');
    await c.call('SET', 'brand:new', 'x');
    await c.call('XGROUP', 'CREATE', 'stream:basic', 'new-group', '$');
    await c.call('ZADD', 'zset:listpack', '1', 'new-member');
    await c.call('SADD', 'set:intset16', '5');
    await c.call('LPUSH', 'list:small', 'x');
    await c.call('SELECT', '15');
    await c.call('DEL', 'shared-name');
    await c.call('SET', 'shared-name', 'now a string');
    await c.call('SELECT', '5');
    await c.call('RPUSH', 'shared-name', 'one more');
    await c.call('SAVE');
  });
  afterAll(async () => {
    await changed?.stop();
  });

  const WANT = [
    '0 brand:new added ',
    '0 hash:listpack changed value',
    '0 list:small changed value',
    '0 set:intset16 changed value',
    '0 str:short changed value',
    '0 str:tab removed ',
    '0 str:ttl changed expiry',
    '0 str:utf8 changed expiry',
    '0 stream:basic changed streamGroups',
    '0 zset:listpack changed value',
    '5 shared-name changed value',
    '15 shared-name changed type,value',
  ];

  it('exactly those keys, with the kind of change', async () => {
    for (const threads of ['never', 'always'] as const) {
      const r = await diffInputs(FIXTURE, changed.dumpPath, { threads });
      expect(summary(r.differences())).toEqual(WANT);
      expect(r.report.totals).toEqual({ added: 1, removed: 1, changed: 10, same: 87 - 11 });
    }
    const ignoring = await diffInputs(FIXTURE, changed.dumpPath, { ignoreTtl: true });
    expect(summary(ignoring.differences())).toEqual(WANT.filter((w) => !w.endsWith('expiry')));
  });

  it('rdbtool diff --format ndjson: one line per key, exit 1; the text summary lists them', async () => {
    const r = await run(['diff', FIXTURE, changed.dumpPath, '--format', 'ndjson']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { db: number; key: string; change: string; what: string[] });
    expect(lines.map((l) => `${l.db} ${l.key} ${l.change} ${l.what.join(',')}`)).toEqual(WANT);
    expect(Object.keys(lines[0])).toEqual(['db', 'key', 'change', 'what']);
    const text = await run(['diff', FIXTURE, changed.dumpPath, '--top', '20']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('differ: 12 keys — 1 added, 1 removed, 10 changed; 76 identical');
    expect(text.stdout).toContain('type hash → string');
    expect(text.stdout).toContain('"brand:new"');
  });
});
