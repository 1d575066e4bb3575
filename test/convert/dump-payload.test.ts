/**
 * DUMP payloads made by the writer (src/rdb/dump-payload.ts):
 *
 * - for keys a real Redis 7.0 made with its default configuration (every type, small and large
 *   encodings, LZF and integer strings, streams with groups and pending entries), the payload
 *   of the value read from the server's SAVE is the server's own DUMP, byte for byte;
 * - the server RESTOREs every payload, and refuses one of a newer RDB version;
 * - rdbtool's payload reader (src/replay/dump-payload.ts) reads back every key of every RDB
 *   fixture, and of the corpus files, from payloads of every version the writer produces,
 *   to the same value — or the writer refuses what the version cannot hold, with a typed error;
 * - the footer: the version asked for, and a CRC-64 a flipped byte breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { keyDigest } from '../../src/dataset/digest.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { streamIdText } from '../../src/dataset/stream-id.js';
import { bytesSource } from '../../src/io/source.js';
import { RdbtoolError } from '../../src/errors.js';
import { DumpPayloadEncoder, encodeDumpPayload } from '../../src/rdb/dump-payload.js';
import { RDB_WRITE_VERSIONS, UnsupportedValueError } from '../../src/rdb/target.js';
import { decodeDumpPayload, readDumpFooter } from '../../src/replay/dump-payload.js';
import { describeCorpus, fixtureRdbs, goodCorpusRdbs, RUN_CORPUS } from '../helpers/files.js';
import { asBuffer, RespError } from '../helpers/redis.js';
import { makeDumpSource, SOURCE_KEYS, type DumpSource } from '../replay/dump-source.js';

let src: DumpSource;
beforeAll(async () => {
  src = await makeDumpSource();
}, 30_000);
afterAll(async () => {
  await src?.server.stop();
});

/** What the server replies to RESTORE of `payload` under a fresh key. */
let fresh = 0;
async function serverRestore(payload: Uint8Array): Promise<string> {
  try {
    return String(await src.server.client.call('RESTORE', `restored-${fresh++}`, '0', Buffer.from(payload)));
  } catch (e) {
    if (e instanceof RespError) return e.message;
    throw e;
  }
}

/**
 * Keys whose payload depends on their history, not only on their value: the stream had an
 * entry deleted, and the server's listpack still holds it as a tombstone.
 */
const HISTORY_KEYS = new Set(['stream']);

describe('the payloads of a real Redis 7.0', () => {
  it.each(SOURCE_KEYS.filter((k) => !HISTORY_KEYS.has(k)))('%s: the server’s DUMP, byte for byte, and the server RESTOREs it', async (key) => {
    const value = src.saved.peekDb(0)!.get(key)!;
    const mine = Buffer.from(encodeDumpPayload(value, { rdbVersion: 10 }));
    expect(mine.toString('hex')).toBe(src.payloads.get(key)!.toString('hex'));
    expect(await serverRestore(mine)).toBe('OK');
  });

  it.each([...HISTORY_KEYS])('%s (a tombstone in the server’s payload): the server RESTOREs it, and DUMPs back the same value', async (key) => {
    const value = src.saved.peekDb(0)!.get(key)!;
    const mine = encodeDumpPayload(value, { rdbVersion: 10 });
    expect(await serverRestore(mine)).toBe('OK');
    const again = asBuffer(await src.server.client.call('DUMP', `restored-${fresh - 1}`));
    expect(keyDigest(decodeDumpPayload(again).value, null)).toBe(keyDigest(value, null));
    expect(keyDigest(decodeDumpPayload(src.payloads.get(key)!).value, null)).toBe(keyDigest(value, null));
  });

  it('one encoder serves many payloads (its buffers reused between them)', () => {
    const enc = new DumpPayloadEncoder({ rdbVersion: 10 });
    for (let round = 0; round < 2; round++) {
      for (const key of SOURCE_KEYS.filter((k) => !HISTORY_KEYS.has(k))) expect(Buffer.from(enc.encode(src.saved.peekDb(0)!.get(key)!)).equals(src.payloads.get(key)!), key).toBe(true);
    }
  });

  it('a payload newer than the server is refused by it; the footer names the version asked for', async () => {
    const value = src.saved.peekDb(0)!.get('hash')!;
    const v11 = encodeDumpPayload(value, { rdbVersion: 11 });
    expect(readDumpFooter(v11).version).toBe(11);
    expect(await serverRestore(v11)).toMatch(/payload version or checksum are wrong/);
    const v9 = encodeDumpPayload(value, { rdbVersion: 9 });
    expect(readDumpFooter(v9).version).toBe(9);
    expect(await serverRestore(v9)).toBe('OK');
  });

  it('a flipped byte breaks the CRC-64 (the reader and the server both say so)', async () => {
    const p = Buffer.from(encodeDumpPayload(src.saved.peekDb(0)!.get('list')!, { rdbVersion: 10 }));
    p[3] ^= 0x20;
    let code: string | undefined;
    try {
      readDumpFooter(p);
    } catch (e) {
      code = (e as RdbtoolError).code;
    }
    expect(code).toBe('CHECKSUM_MISMATCH');
    expect(await serverRestore(p)).toMatch(/payload version or checksum are wrong/);
  });

  it('what the version cannot hold is refused with a typed error (a stream in RDB 8)', () => {
    expect(() => encodeDumpPayload(src.saved.peekDb(0)!.get('stream')!, { rdbVersion: 8 })).toThrow(UnsupportedValueError);
  });
});

/** What every stream type records: entries, last ID, groups with their PELs and consumers' seen times. */
function streamCore(s: StreamValue): unknown {
  return {
    lastId: streamIdText(s.lastId),
    entries: [...s.entries()].map(([id, f]) => [streamIdText(id), f]),
    groups: [...s.groups.values()]
      .map((g) => ({
        name: g.name,
        last: streamIdText(g.lastDeliveredId),
        pending: g.pendingInOrder().map(([id, p]) => [streamIdText(id), p.consumer, p.deliveryTimeMs, p.deliveryCount]),
        consumers: [...g.consumers.values()].map((c) => [c.name, c.seenTimeMs]).sort(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/**
 * Every key of `ds` as a payload of every version: read back to the same value (streams in
 * RDB 9, whose type does not record every counter, to the same entries and groups; consumers'
 * active times only from RDB 11, which records them), or refused as UnsupportedValueError.
 * Returns how many payloads were read back and how many refused.
 */
function roundTripEveryKey(ds: Dataset): { read: number; refused: number } {
  let read = 0;
  let refused = 0;
  for (const version of RDB_WRITE_VERSIONS) {
    const enc = new DumpPayloadEncoder({ rdbVersion: version });
    for (const e of ds.entries()) {
      let payload: Uint8Array;
      try {
        payload = enc.encode(e.value);
      } catch (err) {
        expect(err, `${e.key} in RDB ${version}`).toBeInstanceOf(UnsupportedValueError);
        refused++;
        continue;
      }
      const back = decodeDumpPayload(payload);
      expect(back.version).toBe(version);
      const isStream = typeof e.value !== 'string' && e.value.type === 'stream';
      if (isStream && version < 10) expect(streamCore(back.value as StreamValue), `${e.key} in RDB ${version}`).toEqual(streamCore(e.value as StreamValue));
      else expect(keyDigest(back.value, null, { consumerTimes: version >= 11 }), `${e.key} in RDB ${version}`).toBe(keyDigest(e.value, null, { consumerTimes: version >= 11 }));
      read++;
    }
  }
  return { read, refused };
}

describe('every key of every RDB fixture, as a payload of every version, read back by rdbtool', () => {
  it.each(fixtureRdbs().map((f) => [path.basename(f, '.rdb'), f] as const))('%s', async (name, file) => {
    const ds = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), name))).dataset;
    const { read, refused } = roundTripEveryKey(ds);
    expect(read + refused).toBe(ds.keyCount * RDB_WRITE_VERSIONS.length);
    if (ds.keyCount > 0) expect(read).toBeGreaterThan(refused);
  });
});

describeCorpus('every key of the corpus files, as a payload of every version, read back by rdbtool', () => {
  const files = RUN_CORPUS ? goodCorpusRdbs() : [];
  it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f] as const))('%s', async (_name, file) => {
    const ds = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), file))).dataset;
    const { read, refused } = roundTripEveryKey(ds);
    expect(read + refused).toBe(ds.keyCount * RDB_WRITE_VERSIONS.length);
  });
});
