/**
 * `convert` to the RDB forms (a plain RDB, a hybrid AOF, a multi-part AOF directory) checked
 * by a real Redis 7.0: the server starts on what was written and holds exactly the source's
 * data (read back through its own SAVE). Also: targets, refusals of what a target cannot hold
 * and the drop flags, filters and database mapping, and that a failed or aborted conversion
 * leaves nothing under the output's name and the input as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetOf, serverOnAof, serverOnRdb } from '../helpers/server-datasets.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { convert, ConvertRefusedError, type ConvertOptions } from '../../src/convert/convert.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { fixtureRdbs, FIXTURES, goodCorpusRdbs, describeCorpus } from '../helpers/files.js';
import { requireRedisServer, RedisStartError } from '../helpers/redis.js';
import { canonicalRecord, recordKey, sortJson } from '../helpers/truth.js';
import { exportRdb } from '../../src/export/export-ndjson.js';

let work: string;
beforeAll(() => {
  requireRedisServer();
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-convert-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
const out = (name: string) => path.join(work, `${n++}-${name}`);




const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** True when the dataset holds a module value or module AUX data (Redis 7.0 without the module refuses it). */
function hasModules(ds: Dataset): boolean {
  if (ds.moduleAux.length > 0) return true;
  for (const i of ds.dbIndexes()) for (const k of ds.peekDb(i)!.keys()) if ((ds.peekDb(i)!.get(k) as { type?: string }).type === 'module') return true;
  return false;
}

describe('RDB inputs to RDB 10, loaded by Redis 7.0', () => {
  for (const file of fixtureRdbs()) {
    it(`${path.basename(file)}: the server holds the source's data; the input is untouched`, async () => {
      const before = sha(file);
      const to = out('out.rdb');
      const res = await convert(file, to, { to: 'rdb', targetVersion: 10 });
      expect(res.target.rdbVersion).toBe(10);
      expect(readFileSync(to).subarray(0, 9).toString('latin1')).toBe('REDIS0010');
      const source = await datasetOf(file);
      expect(res.keys).toBe(source.keyCount);
      expect(datasetDiff(source, await serverOnRdb(to))).toEqual([]);
      expect(sha(file)).toBe(before);
    });
  }
});

describe('the RDB forms of an AOF: hybrid file and multi-part directory', () => {
  const inputs = [path.join(FIXTURES, 'rdb', 'all-types.rdb'), path.join(FIXTURES, 'rdb', 'big-collections.rdb')];
  for (const file of inputs) {
    it(`${path.basename(file)} → hybrid: Redis 7.0 loads it as its AOF`, async () => {
      const to = out('hybrid.aof');
      await convert(file, to, { to: 'hybrid', target: 'redis@7.0' });
      expect(datasetDiff(await datasetOf(file), await serverOnAof(to))).toEqual([]);
    });

    it(`${path.basename(file)} → aof-dir: manifest, base and incr as Redis names them, loaded by Redis 7.0`, async () => {
      const to = out('appendonlydir');
      const res = await convert(file, to, { to: 'aof-dir', target: 'redis@7.0' });
      expect(readdirSync(to).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
      expect(readFileSync(path.join(to, 'appendonly.aof.manifest'), 'utf8')).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      expect(res.files).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
      expect(datasetDiff(await datasetOf(file), await serverOnAof(to))).toEqual([]);
    });
  }

  it('hybrid and aof-dir are refused for targets that do not load them', async () => {
    const file = path.join(FIXTURES, 'rdb', 'empty.rdb');
    await expect(convert(file, out('x.aof'), { to: 'hybrid', target: 'redis@3.2' })).rejects.toThrow(/does not load an AOF with an RDB preamble/);
    await expect(convert(file, out('dir'), { to: 'aof-dir', target: 'redis@6.2' })).rejects.toThrow(/does not load a multi-part AOF directory/);
  });
});

describe('AOF inputs: the replayed dataset written as RDB equals what Redis holds after loading the AOF', () => {
  for (const name of ['plain.aof', 'hybrid.aof', 'resp-multipart', 'rdb-multipart']) {
    it(name, async () => {
      const input = path.join(FIXTURES, 'aof', name);
      const to = out('from-aof.rdb');
      const res = await convert(input, to, { to: 'rdb', target: 'redis@7.0' });
      expect(res.from).toBe(name.endsWith('multipart') ? 'multipart' : name === 'hybrid.aof' ? 'hybrid' : 'aof');
      const replayed = (await replayPath(input)).dataset;
      expect(datasetDiff(replayed, await datasetOf(to))).toEqual([]);
      expect(datasetDiff(replayed, await serverOnRdb(to))).toEqual([]);
    });
  }
});

describeCorpus('corpus RDBs written for Redis 7.0', () => {
  for (const file of goodCorpusRdbs()) {
    it(path.basename(file), async () => {
      const to = out('corpus.rdb');
      const source = await datasetOf(file);
      let res;
      try {
        res = await convert(file, to, { to: 'rdb', target: 'redis@7.0' });
      } catch (e) {
        // Refused: every kind listed, and nothing under the output's name.
        expect(e).toBeInstanceOf(ConvertRefusedError);
        const losses = (e as ConvertRefusedError).losses;
        expect(losses.length).toBeGreaterThan(0);
        expect(existsSync(to)).toBe(false);
        // With the flags it names, the file is written, the counts are the refusal's, and Redis 7.0 loads it.
        const dropped = await convert(file, to, { to: 'rdb', target: 'redis@7.0', drop: losses.map((l) => l.kind) });
        expect(dropped.dropped.map((d) => [d.kind, d.count]).sort()).toEqual(losses.map((l) => [l.kind, l.count]).sort());
        const written = await datasetOf(to);
        if (hasModules(written)) return;
        const started = Date.now();
        const held = await serverOnRdb(to);
        written.dropExpired(started);
        expect(datasetDiff(written, held)).toEqual([]);
        return;
      }
      expect(res.keys).toBe(source.keyCount);
      if (hasModules(source)) {
        // Module data is passed through; a server without the module refuses the file.
        await expect(serverOnRdb(to)).rejects.toBeInstanceOf(RedisStartError);
        return;
      }
      // The file keeps keys whose expiry has passed; a server leaves them out as it loads.
      const started = Date.now();
      const held = await serverOnRdb(to);
      source.dropExpired(started);
      expect(datasetDiff(source, held)).toEqual([]);
    });
  }
});

describe('what the target cannot hold', () => {
  /** A dataset with field TTLs and a function library, written as RDB 12 (Redis 7.4's form). */
  async function v12WithFieldTtls(): Promise<string> {
    const ds = new Dataset();
    const h = new HashValue();
    h.set('f1', 'a').set('f2', 'b');
    h.setFieldExpire('f1', 4102444800000);
    ds.db(0).add('h', h);
    ds.db(0).add('s', 'plain');
    const h2 = new HashValue();
    h2.set('x', 'y');
    h2.setFieldExpire('x', 4102444800000);
    ds.db(3).add('h2', h2, 4102444800000);
    ds.functions.load(Buffer.from("#!lua name=mylib\nredis.register_function('f', function() return 1 end)"), false);
    const file = out('v12.rdb');
    const sink = memorySink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 12 });
    writeFileSync(file, sink.bytes());
    return file;
  }

  it('field TTLs for redis@7.0: refused with the list and nothing written; with --drop-field-ttl the fields load without TTLs', async () => {
    const file = await v12WithFieldTtls();
    const to = out('down.rdb');
    const err = await convert(file, to, { to: 'rdb', target: 'redis@7.0' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConvertRefusedError);
    expect(err.code).toBe('TARGET_CANNOT_HOLD');
    expect(err.losses.map((l: { kind: string; count: number }) => [l.kind, l.count])).toEqual([['field-ttl', 2]]);
    expect(err.message).toMatch(/2 hashes with field TTLs: redis@7\.0 cannot hold them \(--drop-field-ttl/);
    expect(existsSync(to)).toBe(false);
    expect(readdirSync(path.dirname(to)).filter((f) => f.includes('rdbtool-tmp'))).toEqual([]);

    const res = await convert(file, to, { to: 'rdb', target: 'redis@7.0', drop: ['field-ttl'] });
    expect(res.dropped.map((d) => [d.kind, d.count])).toEqual([['field-ttl', 2]]);
    const held = await serverOnRdb(to);
    const h = held.db(0).get('h') as HashValue;
    expect([...h.entries()]).toEqual([['f1', 'a'], ['f2', 'b']]);
    expect(h.volatileFields).toBe(0);
    expect(held.db(3).expireAt('h2')).toBe(4102444800000);
    expect(held.functions.size).toBe(1);
  });

  it('functions for redis@6.2: refused, then dropped with --drop-functions and counted', async () => {
    const file = await v12WithFieldTtls();
    const err = await convert(file, out('x.rdb'), { to: 'rdb', target: 'redis@6.2' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConvertRefusedError);
    expect(err.losses.map((l: { kind: string }) => l.kind).sort()).toEqual(['field-ttl', 'functions']);
    const to = out('x.rdb');
    const res = await convert(file, to, { to: 'rdb', target: 'redis@6.2', drop: ['field-ttl', 'functions'] });
    expect(res.target.rdbVersion).toBe(9);
    expect(res.functions).toBe(0);
    expect(res.dropped.map((d) => [d.kind, d.count]).sort()).toEqual([['field-ttl', 2], ['functions', 1]]);
    const back = await datasetOf(to);
    expect(back.functions.size).toBe(0);
    expect(back.keyCount).toBe(3);
  });

  it('the same RDB 12 for redis@7.4 is written as it is: no loss', async () => {
    const file = await v12WithFieldTtls();
    const to = out('same.rdb');
    const res = await convert(file, to, { to: 'rdb', target: 'redis@7.4' });
    expect(res.dropped).toEqual([]);
    expect(datasetDiff(await datasetOf(file), await datasetOf(to))).toEqual([]);
  });
});

describe('NDJSON output', () => {
  /** Records of an NDJSON text, canonical and by key, without the encoding (the writer reports the one a server would pick). */
  const records = (text: string) =>
    sortJson(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => canonicalRecord(JSON.parse(l), { dropEncoding: true })),
    ).sort((a, b) => (recordKey(a as object) < recordKey(b as object) ? -1 : 1));

  for (const file of fixtureRdbs()) {
    it(`${path.basename(file)}: the records rdbtool export gives, key for key`, async () => {
      const to = out('keys.ndjson');
      const res = await convert(file, to, { to: 'ndjson' });
      const exported = memorySink();
      await exportRdb(bytesSource(new Uint8Array(readFileSync(file)), path.basename(file)), exported);
      expect(res.keys).toBe((await datasetOf(file)).keyCount);
      expect(records(readFileSync(to, 'utf8'))).toEqual(records(Buffer.from(exported.bytes()).toString('utf8')));
    });
  }

  it('an AOF input: the replayed dataset, as export gives it', async () => {
    const input = path.join(FIXTURES, 'aof', 'resp-multipart');
    const to = out('aof.ndjson');
    await convert(input, to, { to: 'ndjson' });
    const { exportReplay } = await import('../../src/export/export-dataset.js');
    const exported = memorySink();
    await exportReplay(input, exported);
    // A replay stamps consumers with the time it ran at: those times are left out.
    const untimed = (t: string) => t.replace(/"(seenTimeMs|activeTimeMs)":\d+/g, '"$1":0');
    expect(records(untimed(readFileSync(to, 'utf8')))).toEqual(records(untimed(Buffer.from(exported.bytes()).toString('utf8'))));
  });
});

describe('filters, database mapping, expiry, options', () => {
  const file = path.join(FIXTURES, 'rdb', 'all-types.rdb');

  it('--db/--type/--match keep what export keeps; --map-db moves a database', async () => {
    const src = await datasetOf(file);
    const to = out('f.rdb');
    const res = await convert(file, to, { to: 'rdb', filter: { types: ['hash'] }, mapDb: new Map([[0, 5]]) });
    const back = await datasetOf(to);
    let hashes = 0;
    for (const i of src.dbIndexes()) for (const k of src.peekDb(i)!.keys()) if ((src.peekDb(i)!.get(k) as { type?: string }).type === 'hash') hashes++;
    expect(res.keys).toBe(hashes);
    expect(res.filtered).toBe(src.keyCount - hashes);
    expect(back.peekDb(0)?.size ?? 0).toBe(0);
    for (const k of back.db(5).keys()) expect(back.db(5).get(k)).toEqual(src.db(0).get(k));
  });

  it('two databases mapped into one are refused', async () => {
    await expect(convert(file, out('m.rdb'), { to: 'rdb', mapDb: new Map([[0, 1], [2, 1]]) })).rejects.toThrow(/both map to 1/);
  });

  it('--drop-expired leaves out keys expired at --now', async () => {
    const src = await datasetOf(file);
    let expiring = 0;
    for (const i of src.dbIndexes()) for (const k of src.peekDb(i)!.keys()) if (src.peekDb(i)!.expireAt(k) !== null) expiring++;
    expect(expiring).toBeGreaterThan(0);
    const res = await convert(file, out('e.rdb'), { to: 'rdb', dropExpiredAt: 8.64e15 });
    expect(res.keys).toBe(src.keyCount - expiring);
  });

  it('options that do not fit the form are usage errors', async () => {
    const bad: ConvertOptions[] = [{ to: 'rdb', replace: true }, { to: 'rdb', aofBase: 'aof' }, { to: 'rdb', target: 'redis@9.9' }, { to: 'rdb', targetVersion: 16 }, { to: 'rdb', target: 'redis@7.0', targetVersion: 10 }];
    for (const o of bad) await expect(convert(file, out('u.rdb'), o)).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('a failed or aborted conversion leaves nothing under the output name', () => {
  it('damage in the input: the error, no output file, no temporary left', async () => {
    const good = readFileSync(path.join(FIXTURES, 'rdb', 'big-collections.rdb'));
    const bad = out('bad.rdb');
    writeFileSync(bad, good.subarray(0, good.length - 2000));
    const to = out('never.rdb');
    await expect(convert(bad, to, { to: 'rdb' })).rejects.toMatchObject({ code: 'TRUNCATED' });
    expect(existsSync(to)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('rdbtool-tmp'))).toEqual([]);
  });

  it('aborted half-way: no file, an existing output kept as it was, the input unchanged', async () => {
    const file = path.join(FIXTURES, 'rdb', 'big-collections.rdb');
    const before = sha(file);
    const to = out('kept.rdb');
    writeFileSync(to, 'the old content');
    const ac = new AbortController();
    let calls = 0;
    const p = convert(file, to, {
      to: 'rdb',
      signal: ac.signal,
      onProgress: () => {
        if (++calls === 1) ac.abort(new Error('stopped by the test'));
      },
    });
    ac.abort(new Error('stopped by the test'));
    await expect(p).rejects.toThrow();
    expect(readFileSync(to, 'utf8')).toBe('the old content');
    expect(readdirSync(work).filter((f) => f.includes('rdbtool-tmp'))).toEqual([]);
    expect(sha(file)).toBe(before);
  });

  it('an output directory that holds files is refused', async () => {
    const dir = out('full');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'x'), 'x');
    await expect(convert(path.join(FIXTURES, 'rdb', 'empty.rdb'), dir, { to: 'aof-dir' })).rejects.toMatchObject({ code: 'IO' });
  });
});
