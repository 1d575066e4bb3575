/**
 * DUMP payloads made by a real server: keys of every type in the encodings Redis 7.0 chooses
 * (small and large lists, sets, sorted sets and hashes, int and LZF-compressed strings,
 * streams with deleted entries, consumer groups, consumers and pending entries, an empty
 * stream with a group), each key's DUMP, the server's FUNCTION DUMP of two libraries, and
 * the server's own SAVE of the same data (the truth a decoded payload must equal).
 */
import { readFileSync } from 'node:fs';
import { Crc64 } from '../../src/binary/crc64.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { asBuffer, startRedis, type RedisHandle } from '../helpers/redis.js';

/** Two function libraries (each registers one function). */
export const LIBRARIES = {
  liba: "#!lua name=liba\nredis.register_function('fa', function(keys, args) return redis.call('DEL', keys[1]) end)",
  libb: "#!lua name=libb\nredis.register_function('fb', function(keys, args) return redis.call('PEXPIRE', keys[1], args[1]) end)",
};

/** The commands that make the source keys. */
export function sourceCommands(): string[][] {
  const cmds: string[][] = [
    ['SET', 'str', 'hello'],
    ['SET', 'int', '123456789'],
    ['SET', 'neg', '-42'],
    ['SET', 'long', 'abc'.repeat(100)],
    ['SET', 'bin', '\u00ff\u0000\u0001\r\n'],
    ['RPUSH', 'list', 'a', 'b', 'c', '1', '-7'],
    ['RPUSH', 'biglist', ...Array.from({ length: 600 }, (_, i) => `item-${i}`)],
    ['RPUSH', 'plainlist', 'x'.repeat(9000), 'small'],
    ['SADD', 'intset', '1', '2', '3', '-100', '9999999999'],
    ['SADD', 'strset', 'a', 'b', 'c'],
    ['SADD', 'bigset', ...Array.from({ length: 600 }, (_, i) => String(i))],
    ['ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'lo', '+inf', 'hi'],
    ['ZADD', 'bigzset', ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `m${i}`]).flat()],
    ['HSET', 'hash', 'f1', 'v1', 'f2', '2', 'f3', ''],
    ['HSET', 'bighash', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ['HSET', 'longhash', 'f', 'v'.repeat(100)],
    ['XADD', 'stream', '1-1', 'f', 'v1'],
    ['XADD', 'stream', '1-2', 'f', 'v2', 'g', 'w'],
    ['XADD', 'stream', '2-0', 'f', 'v3'],
    ['XADD', 'stream', '3-0', 'f', 'v4'],
    ['XGROUP', 'CREATE', 'stream', 'g1', '0'],
    ['XGROUP', 'CREATE', 'stream', 'g2', '$'],
    ['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '2', 'STREAMS', 'stream', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'c2', 'COUNT', '1', 'STREAMS', 'stream', '>'],
    ['XACK', 'stream', 'g1', '1-1'],
    ['XGROUP', 'CREATECONSUMER', 'stream', 'g2', 'idle'],
    ['XDEL', 'stream', '1-2'],
    ['XGROUP', 'CREATE', 'emptystream', 'g', '$', 'MKSTREAM'],
  ];
  return cmds;
}

/** The source keys, in the order they were made. */
export const SOURCE_KEYS = [...new Set(sourceCommands().map((c) => (c[0] === 'XGROUP' ? c[2] : c[0] === 'XREADGROUP' ? c[7] : c[1])))];

/** What the source server gave. */
export interface DumpSource {
  /** Key → its DUMP payload. */
  payloads: Map<string, Buffer>;
  /** The server's FUNCTION DUMP of {@link LIBRARIES}. */
  functions: Buffer;
  /** The server's SAVE of the keys (and libraries). */
  saved: Dataset;
  /** The server, still running (for RESTORE checks); the caller stops it. */
  server: RedisHandle;
}

/** Starts a server, makes the source keys and libraries, and takes their DUMPs and a SAVE. */
export async function makeDumpSource(): Promise<DumpSource> {
  const server = await startRedis();
  try {
    for (const c of sourceCommands()) await server.client.call(...c);
    for (const code of Object.values(LIBRARIES)) await server.client.call('FUNCTION', 'LOAD', code);
    const payloads = new Map<string, Buffer>();
    for (const key of SOURCE_KEYS) payloads.set(key, asBuffer(await server.client.call('DUMP', key)));
    const functions = asBuffer(await server.client.call('FUNCTION', 'DUMP'));
    await server.client.call('SAVE');
    const saved = (await loadRdb(bytesSource(new Uint8Array(readFileSync(server.dumpPath)), 'dump.rdb'))).dataset;
    return { payloads, functions, saved, server };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** A payload made of `body` with a footer of `version` and a correct CRC-64 (to test what lies past the CRC check). */
export function signPayload(body: Uint8Array, version: number): Buffer {
  const out = Buffer.alloc(body.length + 10);
  out.set(body, 0);
  out.writeUInt16LE(version, body.length);
  const crc = new Crc64();
  crc.update(out, 0, body.length + 2);
  out.writeBigUInt64LE(crc.value(), body.length + 2);
  return out;
}

/** The body of a payload (before its footer). */
export function payloadBody(payload: Uint8Array): Uint8Array {
  return payload.subarray(0, payload.length - 10);
}
