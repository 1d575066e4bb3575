/**
 * The encoding the dataset reports for a value (what a replayed dataset's export and inspect
 * show) is the one Redis 7.0 gives it with its compiled-in limits: asked of a real server
 * (OBJECT ENCODING) for hashes, sorted sets and sets around each limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashValue } from '../../src/dataset/hash.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { SetValue } from '../../src/dataset/set.js';
import { loadEncoding } from '../../src/dataset/emit-events.js';
import type { Value } from '../../src/dataset/value.js';
import { asText, requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';

let server: RedisHandle;
beforeAll(async () => {
  requireRedisServer();
  // No configuration file: the compiled-in limits.
  server = await startRedis();
});
afterAll(() => server?.stop());

describe('loadEncoding agrees with OBJECT ENCODING of Redis 7.0', () => {
  const cases: { name: string; build: () => [Value, string[][]] }[] = [];
  for (const n of [128, 129, 512, 513]) {
    cases.push({
      name: `hash of ${n} short fields`,
      build: () => {
        const h = new HashValue();
        const cmds: string[][] = [];
        for (let i = 0; i < n; i++) {
          h.set(`f${i}`, 'v');
          cmds.push(['HSET', `h${n}`, `f${i}`, 'v']);
        }
        return [h, cmds];
      },
    });
    cases.push({
      name: `sorted set of ${n} members`,
      build: () => {
        const members = Array.from({ length: n }, (_, i) => `m${i}`);
        const z = ZSetValue.from(members, members.map((_, i) => i))!;
        return [z, members.map((m, i) => ['ZADD', `z${n}`, String(i), m])];
      },
    });
    cases.push({
      name: `set of ${n} integers`,
      build: () => {
        const members = Array.from({ length: n }, (_, i) => String(i));
        return [SetValue.from(members)!, members.map((m) => ['SADD', `s${n}`, m])];
      },
    });
  }
  for (const c of cases) {
    it(c.name, async () => {
      const [value, cmds] = c.build();
      for (const cmd of cmds) await server.client.call(...cmd);
      const key = cmds[0][1];
      const expected = asText(await server.client.call('OBJECT', 'ENCODING', key));
      expect(loadEncoding(value).encoding).toBe(expected);
    });
  }
});
