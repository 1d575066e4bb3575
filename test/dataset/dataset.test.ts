/**
 * The dataset around its values: databases with expiry and eviction hints that follow their
 * keys, SWAPDB, the stable listing order (bytes, not UTF-16 or insertion), dropping what has
 * expired, function libraries read by their header as Redis reads it, and the loader's rules
 * (a key loaded twice is refused at its record, or replaced on request; empty collections are
 * skipped as Redis skips them).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import { Database } from '../../src/dataset/database.js';
import { FunctionLibraries, parseLibraryHeader } from '../../src/dataset/functions.js';
import { createDatasetLoader, loadRdb } from '../../src/dataset/load-rdb.js';
import { fromByteString, toByteString, MAX_BYTE_STRING } from '../../src/dataset/byte-string.js';
import { HashValue } from '../../src/dataset/hash.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { ArrayValue } from '../../src/dataset/array.js';
import { GcraValue } from '../../src/dataset/gcra.js';
import { ModuleValue } from '../../src/dataset/module.js';
import { cloneValue, valueLength, valueType, type Value } from '../../src/dataset/value.js';
import { bytesSource, openSource } from '../../src/io/source.js';
import { CorruptDataError, LimitError, RdbtoolError } from '../../src/errors.js';
import type { KeyInfo } from '../../src/model/events.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { RdbType } from '../../src/rdb/constants.js';
import { emitDataset, loadEncoding } from '../../src/dataset/emit-events.js';
import { RdbWriter } from '../../src/rdb/encoder.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { FIXTURES } from '../helpers/files.js';

const ALL_TYPES = path.join(FIXTURES, 'rdb', 'all-types.rdb');

describe('byte strings', () => {
  it('carry every byte value and come back as the same bytes', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = toByteString(bytes);
    expect(s.length).toBe(256);
    expect(Array.from(s, (c) => c.charCodeAt(0))).toEqual(Array.from(bytes));
    expect(fromByteString(s)).toEqual(bytes);
    expect(toByteString(new Uint8Array(0))).toBe('');
  });

  it('longer than V8 allows is a limit error, not a crash', () => {
    const fake = { length: MAX_BYTE_STRING + 1 } as Uint8Array;
    expect(() => toByteString(fake)).toThrow(LimitError);
  });
});

describe('Database', () => {
  it('expiry and hints follow a key when it moves, and go when it is removed', () => {
    const a = new Database();
    const b = new Database();
    a.set('k', 'v');
    expect(a.setExpire('k', 5000)).toBe(true);
    expect(a.setExpire('nope', 5000)).toBe(false);
    a.setHints('k', 12, undefined);
    b.set('dst', 'old');
    b.setExpire('dst', 1);
    expect(a.moveKey('k', 'dst', b)).toBe(true);
    expect(a.size).toBe(0);
    expect(a.expireAt('k')).toBeNull();
    expect(b.get('dst')).toBe('v');
    expect(b.expireAt('dst')).toBe(5000);
    expect(b.lruIdleSec('dst')).toBe(12);
    expect(b.lfuFreq('dst')).toBeUndefined();
    expect(a.moveKey('k', 'x')).toBe(false);
    b.set('plain', 'p');
    expect(b.moveKey('plain', 'dst')).toBe(true);
    expect(b.expireAt('dst')).toBeNull();
    expect(b.lruIdleSec('dst')).toBeUndefined();
    expect(b.delete('dst')).toBe(true);
    expect(b.volatileKeys).toBe(0);
  });

  it('lists keys in byte order: 0x80–0xFF after ASCII, a prefix before its extensions', () => {
    const d = new Database(3); // three keys per native Map: the chain is used
    const keys = ['b', '\xff', 'a\x00', 'a', '\x80x', 'A', '', 'ab'];
    for (const key of keys) d.set(key, key);
    const want = keys
      .map((key) => fromByteString(key))
      .sort((x, y) => Buffer.compare(x, y))
      .map((b) => toByteString(b));
    expect(d.sortedKeys()).toEqual(want);
    expect([...d.keys()]).toEqual(keys);
  });
});

describe('Dataset', () => {
  it('lists databases ascending and keys in byte order, or in insertion order on request', () => {
    const ds = new Dataset();
    ds.db(5).set('z', 'z');
    ds.db(0).set('y', 'y');
    ds.db(0).set('x', 'x');
    ds.db(2);
    expect(ds.dbIndexes()).toEqual([0, 5]);
    expect([...ds.entries()].map((e) => `${e.db}:${e.key}`)).toEqual(['0:x', '0:y', '5:z']);
    expect([...ds.entries({ sorted: false })].map((e) => `${e.db}:${e.key}`)).toEqual(['0:y', '0:x', '5:z']);
    expect(ds.keyCount).toBe(3);
  });

  it('SWAPDB exchanges contents, FLUSHALL empties every database and keeps functions', () => {
    const ds = new Dataset();
    ds.db(0).set('a', '0');
    ds.db(1).set('b', '1');
    ds.db(1).setExpire('b', 9);
    ds.swapDb(0, 1);
    expect(ds.db(0).get('b')).toBe('1');
    expect(ds.db(0).expireAt('b')).toBe(9);
    expect(ds.db(1).get('a')).toBe('0');
    ds.swapDb(1, 7);
    expect(ds.peekDb(1)!.size).toBe(0);
    expect(ds.db(7).get('a')).toBe('0');
    ds.functions.load(Buffer.from('#!lua name=lib\nreturn 1'));
    ds.flushAll();
    expect(ds.keyCount).toBe(0);
    expect(ds.functions.size).toBe(1);
  });

  it('drops keys and hash fields whose expiry is before now, and a hash left empty', () => {
    const ds = new Dataset();
    const d = ds.db(0);
    d.set('old', 'x');
    d.setExpire('old', 999);
    d.set('now', 'x');
    d.setExpire('now', 1000);
    d.set('later', 'x');
    d.setExpire('later', 1001);
    const h = new HashValue();
    h.set('gone', '1');
    h.set('stays', '2');
    h.set('forever', '3');
    h.setFieldExpire('gone', 500);
    h.setFieldExpire('stays', 2000);
    d.set('h', h);
    const all = new HashValue();
    all.set('f', 'v');
    all.setFieldExpire('f', 10);
    d.set('all-gone', all);
    expect(ds.dropExpired(1000)).toEqual({ keys: 2, fields: 1 });
    expect(d.sortedKeys()).toEqual(['h', 'later', 'now']);
    expect([...h.keys()]).toEqual(['stays', 'forever']);
    expect([...h.fieldExpires()]).toEqual([['stays', 2000]]);
  });
});

describe('values', () => {
  function samples(): Value[] {
    const l = new ListValue();
    l.pushBack('a');
    const s = new SetValue();
    s.add('m');
    const z = new ZSetValue();
    z.set('m', 1);
    const h = new HashValue();
    h.set('f', 'v');
    h.setFieldExpire('f', 5);
    const a = new ArrayValue();
    a.set(7, 'x');
    a.set(2, 'y');
    return ['str', l, s, z, h, a, new GcraValue('12'), new ModuleValue('mymodule1', 3, '123', new Uint8Array([1, 2]))];
  }

  it('know their type and length, and copies do not share what can change', () => {
    const vs = samples();
    expect(vs.map(valueType)).toEqual(['string', 'list', 'set', 'zset', 'hash', 'array', 'gcra', 'module']);
    expect(vs.map(valueLength)).toEqual([1, 1, 1, 1, 1, 2, 1, 1]);
    const [, l, s, z, h, a, g] = vs.map((v) => cloneValue(v)) as [string, ListValue, SetValue, ZSetValue, HashValue, ArrayValue, GcraValue];
    l.pushBack('b');
    s.add('n');
    z.set('n', 2);
    h.setFieldExpire('f', null);
    a.set(1, 'z');
    g.tat = '13';
    expect(vs.map(valueLength)).toEqual([1, 1, 1, 1, 1, 2, 1, 1]);
    expect((vs[4] as HashValue).fieldExpire('f')).toBe(5);
    expect((vs[6] as GcraValue).tat).toBe('12');
    expect([...(vs[5] as ArrayValue).entries()]).toEqual([
      [2, 'y'],
      [7, 'x'],
    ]);
  });

  it('a hash field TTL needs the field; removing the field removes its TTL', () => {
    const h = new HashValue();
    expect(h.setFieldExpire('f', 1)).toBe(false);
    h.set('f', 'v');
    h.setFieldExpire('f', 1);
    h.set('f', 'w');
    expect(h.fieldExpire('f')).toBe(1);
    h.delete('f');
    h.set('f', 'x');
    expect(h.fieldExpire('f')).toBeNull();
    expect(h.volatileFields).toBe(0);
  });
});

describe('function libraries', () => {
  it('are named by their header line, read as Redis reads it', () => {
    expect(parseLibraryHeader(Buffer.from('#!lua name=mylib\nreturn 1'))).toEqual({ engine: 'lua', name: 'mylib' });
    expect(parseLibraryHeader('#!LUA   NAME=a_1 \r\ncode')).toEqual({ engine: 'LUA', name: 'a_1' });
    for (const bad of ['return 1', '#!lua name=x', '#!lua\ncode', '#!lua name=a name=b\n', '#!lua name=x other=1\n', '#!lua name=bad-name\n', '#!lua name=\n']) {
      expect(() => parseLibraryHeader(bad), JSON.stringify(bad)).toThrow(CorruptDataError);
    }
  });

  it('load, replace on request, delete', () => {
    const f = new FunctionLibraries();
    const code = Buffer.from('#!lua name=lib\nreturn 1');
    expect(f.load(code)).toBe('lib');
    code[code.length - 1] = 0x32; // the library keeps its own copy
    expect(Buffer.from(f.get('lib')!).toString()).toBe('#!lua name=lib\nreturn 1');
    expect(() => f.load(code)).toThrow(/already exists/);
    f.load(code, true);
    expect(Buffer.from(f.get('lib')!).toString()).toBe('#!lua name=lib\nreturn 2');
    f.load(Buffer.from('#!lua name=alpha\n'));
    expect(f.names()).toEqual(['alpha', 'lib']);
    expect(f.delete('lib')).toBe(true);
    expect(f.size).toBe(1);
  });
});

describe('loading rules', () => {
  /** The error of loading `file` a second time into the dataset of its first load. */
  async function loadTwice(file: string): Promise<RdbtoolError> {
    const bytes = readFileSync(file);
    const { dataset } = await loadRdb(bytesSource(bytes, 'first.rdb'));
    const err = await loadRdb(bytesSource(bytes, 'second.rdb'), { dataset }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptDataError);
    return err as RdbtoolError;
  }

  it('a key the dataset already holds is refused at its record, naming file, offset, database and key', async () => {
    const file = path.join(FIXTURES, 'rdb', 'lru.rdb');
    const e = await loadTwice(file);
    // Where the decoder says the first key's record starts.
    let firstKey: KeyInfo | null = null;
    const d = new RdbDecoder({ keyStart: (k) => ((firstKey ??= { ...k, key: k.key.slice() }), false) });
    d.push(new Uint8Array(readFileSync(file)));
    d.end();
    expect(e.code).toBe('BAD_VALUE');
    expect(e.file).toBe('second.rdb');
    expect(e.offset).toBe(firstKey!.offset);
    expect(e.context?.db).toBe(firstKey!.db);
    expect(Buffer.from(e.context!.key!)).toEqual(Buffer.from(firstKey!.key));
    expect(e.message).toMatch(/duplicate key/);
  });

  it('a function library the dataset already holds is refused at its record', async () => {
    const e = await loadTwice(ALL_TYPES);
    let at = -1;
    const d = new RdbDecoder({ function: (_c, offset) => void (at < 0 && (at = offset)) });
    d.push(new Uint8Array(readFileSync(ALL_TYPES)));
    d.end();
    expect(at).toBeGreaterThan(0);
    expect(e.code).toBe('BAD_VALUE');
    expect(e.file).toBe('second.rdb');
    expect(e.offset).toBe(at);
    expect(e.message).toMatch(/already exists/);
  });

  it('with duplicates: replace, a second file overwrites keys and functions', async () => {
    const bytes = readFileSync(ALL_TYPES);
    const { dataset, stats } = await loadRdb(bytesSource(bytes, 'first.rdb'));
    const again = await loadRdb(bytesSource(bytes, 'second.rdb'), { dataset, duplicates: 'replace' });
    expect(again.stats.keys).toBe(stats.keys);
    expect(dataset.keyCount).toBe(stats.keys);
    expect(dataset.functions.size).toBe(2);
  });

  it('empty lists, sets, sorted sets and hashes are skipped and counted; empty streams are kept', () => {
    const ds = new Dataset();
    const loader = createDatasetLoader(ds);
    const key = (name: string, valueType: KeyInfo['valueType']): KeyInfo =>
      ({ db: 0, key: Buffer.from(name), rdbType: 0, valueType, encoding: 'raw', expireAtMs: null, lruIdleSec: undefined, lfuFreq: undefined, offset: 0, elements: 0, onDiskBytes: 0, valueBytes: 0 }) as KeyInfo;
    for (const t of ['list', 'set', 'zset', 'hash'] as const) {
      const k = key(`empty-${t}`, t);
      loader.keyStart!(k);
      loader.keyEnd!(k);
    }
    const s = key('empty-stream', 'stream');
    loader.keyStart!(s);
    loader.streamMeta!({ length: 0, lastGeneratedId: '5-1', recordedFirstEntryId: '0-0', maxDeletedEntryId: '5-1', entriesAdded: 3, listpacks: 0, deletedEntries: 0, liveEntries: 0 });
    loader.keyEnd!(s);
    const l = key('one', 'list');
    loader.keyStart!(l);
    loader.item!(Buffer.from('x'));
    loader.keyEnd!(l);
    expect(loader.stats).toMatchObject({ keys: 2, emptyKeysSkipped: 4 });
    expect(ds.db(0).sortedKeys()).toEqual(['empty-stream', 'one']);
  });

  describe('a member or field twice in one key is refused, in the small and the large form', () => {
    const key = (name: string, valueType: KeyInfo['valueType'], rdbType = 0, declaredElements?: number): KeyInfo =>
      ({ db: 2, key: Buffer.from(name), rdbType, valueType, encoding: 'raw', expireAtMs: null, lruIdleSec: undefined, lfuFreq: undefined, offset: 77, elements: 0, onDiskBytes: 0, valueBytes: 0, declaredElements }) as KeyInfo;
    /**
     * Feeds one key with `n` distinct elements, then again the one at `again` (by index); returns
     * the error. `plain`: as a plain set or hash record stating its count (made large at once).
     */
    function load(type: 'set' | 'hash' | 'zset' | 'list', n: number, again: number, plain = false): unknown {
      const loader = createDatasetLoader(new Dataset(), { file: 'f.rdb' });
      const k = plain ? key(`${type}-key`, type, type === 'set' ? RdbType.Set : RdbType.Hash, n + 1) : key(`${type}-key`, type);
      const feed = (i: number) => {
        const b = Buffer.from(`element-${i}`);
        if (type === 'hash') loader.field!(b, Buffer.from('v'), null);
        else if (type === 'zset') loader.member!(b, i);
        else loader.item!(b);
      };
      try {
        loader.keyStart!(k);
        for (let i = 0; i < n; i++) feed(i);
        feed(again);
        loader.keyEnd!(k);
      } catch (e) {
        return e;
      }
      return null;
    }
    for (const type of ['set', 'hash', 'zset'] as const) {
      for (const [n, again, form] of [
        [5, 2, 'small'],
        [40, 39, 'small, past the nested check'],
        [300, 3, 'large, the twin among the first elements'],
        [300, 250, 'large, the twin among the later elements'],
      ] as const) {
        it(`${type}: ${n} elements, ${form}`, () => {
          const e = load(type, n, again) as RdbtoolError;
          expect(e).toBeInstanceOf(CorruptDataError);
          expect(e.message).toMatch(/duplicate (set member|hash field|sorted-set member)/);
          expect(e.found).toBe(`"element-${again}" again`);
          expect(e).toMatchObject({ file: 'f.rdb', offset: 77 });
          expect(e.context).toMatchObject({ db: 2 });
        });
      }
    }
    for (const type of ['set', 'hash'] as const) {
      it(`${type}: a plain record stating 301 elements, large from the first, the twin among the first and the later elements`, () => {
        for (const again of [3, 250]) {
          const e = load(type, 300, again, true) as RdbtoolError;
          expect(e).toBeInstanceOf(CorruptDataError);
          expect(e.found).toBe(`"element-${again}" again`);
          expect(e).toMatchObject({ file: 'f.rdb', offset: 77 });
        }
      });
    }
    it('a plain set or hash stating more elements than a pack holds loads with every element, in the encoding Redis gives it', () => {
      const ds = new Dataset();
      const loader = createDatasetLoader(ds, { file: 'f.rdb' });
      for (const [type, rdbType] of [['set', RdbType.Set], ['hash', RdbType.Hash]] as const) {
        const k = key(`${type}-plain`, type, rdbType, 200);
        loader.keyStart!(k);
        for (let i = 0; i < 200; i++) {
          if (type === 'set') loader.item!(Buffer.from(`m${i}`));
          else loader.field!(Buffer.from(`f${i}`), Buffer.from(`v${i}`), null);
        }
        loader.keyEnd!(k);
      }
      const set = ds.db(2).get('set-plain') as SetValue;
      const hash = ds.db(2).get('hash-plain') as HashValue;
      // Redis 7.0 holds the set as a hashtable (over 128 members) and the hash as a listpack (up to 512 fields).
      expect([loadEncoding(set).encoding, loadEncoding(hash).encoding]).toEqual(['hashtable', 'listpack']);
      expect([...set].sort()).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`).sort());
      expect(hash.size).toBe(200);
      expect(hash.get('f123')).toBe('v123');
    });
    it('a list may hold an element twice', () => expect(load('list', 300, 3)).toBeNull());
  });

  it('a string delivered in parts is joined whole', async () => {
    const { dataset } = await loadRdb(await openSource(path.join(FIXTURES, 'rdb', 'big-collections.rdb')), { limits: { maxInlineValueBytes: 4096 } });
    const { dataset: whole } = await loadRdb(await openSource(path.join(FIXTURES, 'rdb', 'big-collections.rdb')));
    const big = [...whole.entries()].find((e) => typeof e.value === 'string' && e.value.length > 100_000)!;
    expect(dataset.db(big.db).get(big.key)).toBe(big.value);
  });
});

describe('a key a file holds twice', () => {
  /**
   * An RDB 10 file of `n` string keys `k0`, `k1` … in db 0, with key `k<repeatAt>` written again
   * after the key at `after` (`'h'` makes the second one a hash), and the offsets of the records.
   */
  function fileWithRepeat(n: number, repeatAt: number, after: number, asHash = false): { bytes: Uint8Array; offsets: number[]; second: number } {
    const sink = memorySink('x.rdb');
    const w = new RdbWriter(sink, { rdbVersion: 10 });
    w.header();
    w.selectDb(0);
    for (let i = 0; i < n; i++) {
      w.key(`k${i}`, { type: 'string', value: `value-${i}` }, i % 3 === 0 ? { expireAtMs: 4_000_000_000_000 + i } : {});
      if (i === after) {
        if (asHash) w.key(`k${repeatAt}`, { type: 'hash', entries: [['f', 'v', null]], size: 1, volatileFields: 0 });
        else w.key(`k${repeatAt}`, { type: 'string', value: 'again' });
      }
    }
    w.end();
    const bytes = sink.bytes();
    const offsets: number[] = [];
    let second = -1;
    const d = new RdbDecoder({
      keyStart: (k) => {
        if (Buffer.from(k.key).toString('latin1') === `k${repeatAt}` && offsets.some((_, i) => i === repeatAt)) second = k.offset;
        offsets.push(k.offset);
        return false;
      },
    });
    d.push(bytes);
    d.end();
    return { bytes, offsets, second };
  }

  for (const [what, n, repeatAt, after, asHash] of [
    ['next to the first', 10, 3, 3, false],
    ['far after the first (more keys between than are indexed at once)', 10_000, 5, 9_000, false],
    ['as another type, the last key of the file', 300, 0, 299, true],
  ] as const) {
    it(`${what}: refused at its second record, naming database, key and type`, async () => {
      const { bytes, second } = fileWithRepeat(n, repeatAt, after, asHash);
      expect(second).toBeGreaterThan(0);
      const err = await loadRdb(bytesSource(bytes, 'twice.rdb')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CorruptDataError);
      const e = err as RdbtoolError;
      expect(e.code).toBe('BAD_VALUE');
      expect(e.message).toMatch(/duplicate key/);
      expect(e.offset).toBe(second);
      expect(e.context?.db).toBe(0);
      expect(Buffer.from(e.context!.key!).toString('latin1')).toBe(`k${repeatAt}`);
      expect(e.context?.what).toBe(asHash ? 'hash' : 'string');
    });
  }

  it('with duplicates: replace, the later record wins and nothing is refused', async () => {
    const { bytes } = fileWithRepeat(50, 7, 20);
    const { dataset } = await loadRdb(bytesSource(bytes, 'twice.rdb'), { duplicates: 'replace' });
    expect(dataset.db(0).get('k7')).toBe('again');
    expect(dataset.db(0).size).toBe(50);
  });
});

describe('emitDataset', () => {
  it('a key record holds its key from keyStart to keyEnd, whatever the value emitted in between', async () => {
    const ds = new Dataset();
    ds.db(0).add('key:list', ListValue.from(['a'.repeat(40), 'b'.repeat(70_000), 'c'], 0)!, null);
    ds.db(0).add('key:hash', HashValue.from(['f1', 'f2'], ['v'.repeat(100), 'w'], 0)!, null);
    ds.db(0).add('key:string', 'x'.repeat(200), null);
    const seen: string[] = [];
    let atStart = '';
    await emitDataset(ds, {
      keyStart: (k) => {
        atStart = toByteString(k.key);
        return true;
      },
      item: () => {},
      field: () => {},
      stringValue: () => {},
      keyEnd: (k) => {
        expect(toByteString(k.key)).toBe(atStart);
        seen.push(atStart);
      },
    });
    expect(seen.sort()).toEqual(['key:hash', 'key:list', 'key:string']);
  });
});
