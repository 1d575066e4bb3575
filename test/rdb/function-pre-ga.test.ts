/**
 * Function libraries in the Redis 7.0 release-candidate layout (opcode 246), read from a file a
 * real Redis 7.0 loaded (fixtures/derived/function-pre-ga.rdb, made by
 * scripts/make-function-pre-ga-fixture.ts): the decoder must deliver each library as 7.0 holds
 * it (`#!<engine> name=<name>\n<code>`) under every chunking, report each opcode once, and a
 * real 7.0 server must still agree with the fixture's record of what it loaded.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { TruncatedError } from '../../src/errors.js';
import { byteByByte, decode, eventLog, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { FIXTURES } from '../helpers/files.js';
import { asArray, asText, requireRedisServer, startRedis, type RespValue } from '../helpers/redis.js';

const FILE = path.join(FIXTURES, 'derived', 'function-pre-ga.rdb');
const BYTES = new Uint8Array(readFileSync(FILE));
const META = JSON.parse(readFileSync(path.join(FIXTURES, 'derived', 'function-pre-ga.meta.json'), 'utf8')) as {
  keys: number;
  debugDigest: string;
  records: { offset: number; name: string; description: string | null }[];
  loadedBy: { functionsLoaded: { name: string; engine: string; code: string }[] };
};
const LOADED = META.loadedBy.functionsLoaded.map((l) => l.code).sort();

/** What the decoder reports that this test looks at: libraries, opcodes, keys. */
function read(split: Splitter) {
  const functions: { code: string; offset: number }[] = [];
  const opcodes: [number, number][] = [];
  let keys = 0;
  decode(
    BYTES,
    {
      function: (code, offset) => void functions.push({ code: Buffer.from(code).toString('utf8'), offset }),
      opcode: (op, offset) => void opcodes.push([op, offset]),
      keyEnd: () => void keys++,
    },
    split,
  );
  return { functions, opcodes, keys };
}

const SPLITS: [string, Splitter][] = [
  ['whole', whole],
  ['byte by byte', byteByByte],
  ['random splits (seed 1)', randomSplits(1)],
  ['random splits (seed 7, up to 9 bytes)', randomSplits(7, 9)],
  ['noisy random splits', noisy(randomSplits(3, 17))],
];

describe('opcode 246: function libraries in the Redis 7.0 RC layout', () => {
  it('the fixture holds 246 records, no FUNCTION2, one with a description and one without', () => {
    const { opcodes } = read(whole);
    expect(opcodes.filter(([op]) => op === 246).map(([, at]) => at)).toEqual(META.records.map((r) => r.offset));
    expect(opcodes.some(([op]) => op === 245)).toBe(false);
    expect(META.records.some((r) => r.description !== null)).toBe(true);
    expect(META.records.some((r) => r.description === null)).toBe(true);
  });

  for (const [name, split] of SPLITS) {
    it(`delivers every library as Redis 7.0 loaded it (${name})`, () => {
      const { functions, keys } = read(split);
      expect(functions.map((f) => f.code).sort()).toEqual(LOADED);
      expect(functions.map((f) => f.offset)).toEqual(META.records.map((r) => r.offset));
      expect(keys).toBe(META.keys);
    });

    it(`reports each opcode once, at its offset (${name})`, () => {
      const { opcodes } = read(split);
      expect(opcodes).toEqual(read(whole).opcodes);
      const offsets = opcodes.map(([, at]) => at);
      expect(new Set(offsets).size).toBe(offsets.length);
      expect(opcodes.every(([op, at]) => BYTES[at] === op && op !== 255)).toBe(true);
    });
  }

  it('gives the same event log under every chunking', () => {
    const logs = SPLITS.map(([, split]) => {
      const { handler, log } = eventLog();
      decode(BYTES, handler, split);
      return log;
    });
    for (const log of logs.slice(1)) expect(log).toEqual(logs[0]);
  });

  it('a file cut inside a 246 record is truncated while reading a function', () => {
    for (const r of META.records) {
      for (const cut of [r.offset + 1, r.offset + 4, r.offset + 40]) {
        const d = new RdbDecoder({}, { file: 'cut.rdb' });
        d.push(BYTES.subarray(0, cut));
        let err: unknown;
        try {
          d.end();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TruncatedError);
        expect((err as TruncatedError).context?.doing).toBe('read-function');
      }
    }
  });

  it('a real Redis 7.0 loads the file with the libraries the decoder reports', async () => {
    requireRedisServer();
    const redis = await startRedis({ rdbFile: FILE });
    try {
      expect(redis.version).toMatch(/^7\.0\./);
      const libs = asArray(await redis.client.call('FUNCTION', 'LIST', 'WITHCODE')).map((lib) => {
        const flat = asArray(lib);
        const get = (key: string): RespValue => flat[flat.findIndex((v) => Buffer.isBuffer(v) && v.toString() === key) + 1];
        return asText(get('library_code'));
      });
      expect(libs.sort()).toEqual(read(whole).functions.map((f) => f.code).sort());
      expect(asText(await redis.client.call('DEBUG', 'DIGEST'))).toBe(META.debugDigest);
    } finally {
      await redis.stop();
    }
  });
});
