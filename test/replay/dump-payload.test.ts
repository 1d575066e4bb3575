/**
 * DUMP payloads read through the RDB decoder: every type a real server DUMPs decodes to the
 * value the same server SAVEs; FUNCTION DUMP gives back the libraries. Damage — a flipped
 * byte, a cut, a version no decoder reads, an empty collection, a record that is not a
 * library — is a typed error with its offset in the payload, and where a real server can
 * judge the same bytes (RESTORE, FUNCTION RESTORE) it refuses or accepts them alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDumpPayload, decodeFunctionPayload, readDumpFooter } from '../../src/replay/dump-payload.js';
import { keyDigest } from '../../src/dataset/digest.js';
import { toByteString } from '../../src/dataset/byte-string.js';
import { RdbtoolError } from '../../src/errors.js';
import { asBuffer, RespError } from '../helpers/redis.js';
import { LIBRARIES, makeDumpSource, payloadBody, signPayload, SOURCE_KEYS, type DumpSource } from './dump-source.js';

let src: DumpSource;
beforeAll(async () => {
  src = await makeDumpSource();
}, 30_000);
afterAll(async () => {
  await src?.server.stop();
});

function codeOf(f: () => unknown): { code: string; offset: number | undefined } {
  try {
    f();
  } catch (e) {
    if (e instanceof RdbtoolError) return { code: e.code, offset: e.offset };
    throw e;
  }
  throw new Error('no error');
}

/** What the source server replies to RESTORE of `payload` under a fresh key. */
let fresh = 0;
async function serverRestore(payload: Uint8Array): Promise<string> {
  try {
    return String(await src.server.client.call('RESTORE', `fresh-${fresh++}`, '0', Buffer.from(payload)));
  } catch (e) {
    if (e instanceof RespError) return e.message;
    throw e;
  }
}

describe('DUMP payloads', () => {
  it('decode to the value the server saved, for every type and encoding', () => {
    expect(SOURCE_KEYS.length).toBeGreaterThan(15);
    const db = src.saved.db(0);
    for (const key of SOURCE_KEYS) {
      const payload = src.payloads.get(key)!;
      const { value, version, rdbType } = decodeDumpPayload(payload);
      expect(version, key).toBe(10);
      expect(rdbType, key).toBe(payload[0]);
      const truth = db.get(toByteString(Buffer.from(key)))!;
      expect(truth, key).toBeDefined();
      expect(keyDigest(value, null), key).toBe(keyDigest(truth, null));
    }
  });

  it('a flipped byte anywhere is refused by the footer check, as the server refuses it', async () => {
    const payload = src.payloads.get('stream')!;
    const n = payload.length;
    for (let i = 0; i < n; i++) {
      const bad = Buffer.from(payload);
      bad[i] ^= 0x20;
      const { code, offset } = codeOf(() => decodeDumpPayload(bad));
      // The version's bytes flipped give versions 42 or 8202: not ones the decoder reads.
      if (i === n - 10 || i === n - 9) expect([code, offset]).toEqual(['UNSUPPORTED_VERSION', n - 10]);
      else expect([code, offset], `byte ${i}`).toEqual(['CHECKSUM_MISMATCH', n - 8]);
    }
    const bad = Buffer.from(payload);
    bad[3] ^= 1;
    expect(await serverRestore(bad)).toMatch(/DUMP payload version or checksum are wrong/);
  });

  it('a cut payload is refused whatever its length', () => {
    const payload = src.payloads.get('biglist')!;
    for (let len = 0; len < payload.length; len += len < 40 ? 1 : 97) {
      const { code } = codeOf(() => decodeDumpPayload(payload.subarray(0, len)));
      expect(['TRUNCATED', 'CHECKSUM_MISMATCH', 'UNSUPPORTED_VERSION'], `length ${len}`).toContain(code);
      if (len < 10) expect(code).toBe('TRUNCATED');
    }
  });

  it('a cut value under a correct CRC is read into the footer or refused, as the server does', async () => {
    // The decoder checks every blob through (as the server does with deep sanitizing).
    await src.server.client.call('CONFIG', 'SET', 'sanitize-dump-payload', 'yes');
    let accepted = 0;
    let refused = 0;
    for (const key of ['str', 'int', 'long', 'list', 'hash', 'bigzset', 'intset', 'stream']) {
      const body = payloadBody(src.payloads.get(key)!);
      for (const cut of [1, 2, 3, 5, 9, 13]) {
        if (cut >= body.length) continue;
        const payload = signPayload(body.subarray(0, body.length - cut), 10);
        const reply = await serverRestore(payload);
        const name = `${key} cut by ${cut}`;
        if (reply === 'OK') {
          // The server read the value into the footer: so does the decoder, to the same value.
          accepted++;
          const back = asBuffer(await src.server.client.call('DUMP', `fresh-${fresh - 1}`));
          expect(keyDigest(decodeDumpPayload(payload).value, null), name).toBe(keyDigest(decodeDumpPayload(back).value, null));
        } else {
          refused++;
          expect(reply, name).toMatch(/Bad data format/);
          const e = codeOf(() => decodeDumpPayload(payload));
          expect(e.code, name).toMatch(/^[A-Z_]+$/);
          expect(e.offset, name).toBeLessThanOrEqual(payload.length);
        }
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('takes every version the decoder reads (Redis 7.0 refuses those above 10), refuses the others', async () => {
    const body = payloadBody(src.payloads.get('hash')!);
    for (const v of [1, 9, 10, 11, 12, 15, 80, 81]) expect(decodeDumpPayload(signPayload(body, v)).version).toBe(v);
    for (const v of [0, 16, 79, 82, 0xffff]) expect(codeOf(() => decodeDumpPayload(signPayload(body, v))).code, `v${v}`).toBe('UNSUPPORTED_VERSION');
    expect(await serverRestore(signPayload(body, 9))).toBe('OK');
    expect(await serverRestore(signPayload(body, 11))).toMatch(/version or checksum/);
  });

  it('bytes between the value and the footer are ignored, as the server ignores them', async () => {
    const body = payloadBody(src.payloads.get('list')!);
    const padded = signPayload(Buffer.concat([body, Buffer.from('junk')]), 10);
    expect(keyDigest(decodeDumpPayload(padded).value, null)).toBe(keyDigest(decodeDumpPayload(src.payloads.get('list')!).value, null));
    expect(await serverRestore(padded)).toBe('OK');
  });

  it('an empty collection, an opcode or an unknown type in place of the value is refused, as the server refuses it', async () => {
    const cases: [number[], string][] = [
      [[2, 0], 'BAD_VALUE'], // a set of no members
      [[0xfe, 0], 'UNKNOWN_TYPE'], // SELECTDB
      [[0xf3, 0], 'UNKNOWN_TYPE'], // key metadata (Redis 8.6)
      [[99, 0], 'UNKNOWN_TYPE'],
    ];
    for (const [body, code] of cases) {
      const payload = signPayload(new Uint8Array(body), 10);
      expect(codeOf(() => decodeDumpPayload(payload)), String(body)).toEqual({ code, offset: 0 });
      expect(await serverRestore(payload), String(body)).toMatch(/Bad data format/);
    }
    // No body: the footer's first byte is taken for the type, as the server takes it.
    const empty = signPayload(new Uint8Array(0), 10);
    expect(codeOf(() => decodeDumpPayload(empty)).code).toBeDefined();
    expect(await serverRestore(empty)).toMatch(/Bad data format/);
  });

  it('readDumpFooter reports version and body size', () => {
    const p = src.payloads.get('str')!;
    expect(readDumpFooter(p)).toEqual({ version: 10, bodyBytes: p.length - 10 });
  });
});

describe('FUNCTION DUMP payloads', () => {
  it('decode to the libraries the server holds, in full', () => {
    const libs = decodeFunctionPayload(src.functions);
    expect(libs.map((l) => [l.name, Buffer.from(l.code).toString()]).sort()).toEqual(Object.entries(LIBRARIES).sort());
    expect(decodeFunctionPayload(signPayload(new Uint8Array(0), 10))).toEqual([]);
  });

  async function serverFunctionRestore(payload: Uint8Array): Promise<string> {
    try {
      return String(await src.server.client.call('FUNCTION', 'RESTORE', Buffer.from(payload), 'REPLACE'));
    } catch (e) {
      if (e instanceof RespError) return e.message;
      throw e;
    }
  }

  it('a key payload, a library twice, a bad header or a flipped byte is refused, as the server refuses it', async () => {
    const body = payloadBody(src.functions);
    const cases: [Uint8Array, string, RegExp][] = [
      [src.payloads.get('str')!, 'UNKNOWN_OPCODE', /given type is not a function/],
      [signPayload(Buffer.concat([body, body]), 10), 'BAD_VALUE', /already exists/],
      [signPayload(Buffer.concat([body, Buffer.from([0xff])]), 10), 'UNKNOWN_OPCODE', /given type is not a function/],
      // One FUNCTION2 record whose source has no header.
      [signPayload(Buffer.from([0xf5, 3, 0x61, 0x62, 0x63]), 10), 'BAD_VALUE', /Missing library metadata/],
    ];
    for (const [payload, code, reply] of cases) {
      expect(codeOf(() => decodeFunctionPayload(payload)).code).toBe(code);
      expect(await serverFunctionRestore(payload)).toMatch(reply);
    }
    // A library cut by up to 10 bytes is read into the footer, as the server reads it; its
    // code is then cut, which only a Lua compiler can tell (the server refuses it, the
    // replay does not compile Lua). Cut further, the record runs past the payload.
    const cut1 = signPayload(body.subarray(0, body.length - 1), 10);
    expect(await serverFunctionRestore(cut1)).toMatch(/Error compiling function/);
    expect(decodeFunctionPayload(cut1).map((l) => l.name).sort()).toEqual(['liba', 'libb']);
    for (const cut of [11, 40]) {
      const payload = signPayload(body.subarray(0, body.length - cut), 10);
      expect(await serverFunctionRestore(payload)).toMatch(/failed loading|Failed loading/);
      expect(codeOf(() => decodeFunctionPayload(payload)).code).toBe('TRUNCATED');
    }
    const flipped = Buffer.from(src.functions);
    flipped[5] ^= 1;
    expect(codeOf(() => decodeFunctionPayload(flipped)).code).toBe('CHECKSUM_MISMATCH');
    expect(await serverFunctionRestore(flipped)).toMatch(/version or checksum/);
  });
});
