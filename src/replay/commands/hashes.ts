/**
 * The hash commands: HSET/HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT and the reads a Lua
 * script of an old AOF may call (HGET, HMGET, HGETALL, HKEYS, HVALS, HLEN, HEXISTS,
 * HSTRLEN), plus the field-TTL commands of Redis 7.4+/8.0 and Valkey 9 (hash-field-ttl.ts).
 *
 * Field TTLs follow Redis: writing a field's value (HSET, HMSET, HSETNX) drops its TTL,
 * HINCRBY and HINCRBYFLOAT keep it. A field past its TTL is never deleted while a file loads;
 * what the commands read of it is decided in hash-field-view.ts.
 *
 * HINCRBYFLOAT has been logged as `HSET key field <result>` since 2.6 (and as
 * `HSETEX key KEEPTTL FIELDS 1 field <result>` by Redis 8 once it kept field TTLs); the
 * command itself only reaches a file inside the Lua scripts pre-5.0 servers logged verbatim,
 * and is computed here with Redis's x87 long double (extended-float.ts).
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import type { HashValue } from '../../dataset/hash.js';
import { NOT_FLOAT, NOT_INTEGER, argError, arityError } from '../errors.js';
import { fitsInt64, toInt64 } from '../args.js';
import { OK, type Reply } from '../reply.js';
import { addLongDouble, formatLongDoubleHuman, isInfinite, parseLongDouble, type LongDouble } from './extended-float.js';
import { isExpiredField, liveValue } from './hash-field-view.js';
import { hashFieldTtlCommands } from './hash-field-ttl.js';

const HASH_NOT_INTEGER = argError('hash value is not an integer');
const HASH_NOT_FLOAT = argError('hash value is not a float');
const OVERFLOW = argError('increment or decrement would overflow');
const NAN_OR_INF = argError('value is NaN or Infinity');
const WOULD_BE_NAN_OR_INF = argError('increment would produce NaN or Infinity');

/** Integers of up to 15 digits: exact as JS numbers, and their sums too. */
const SMALL_INT = /^(0|-?[1-9][0-9]{0,14})$/;

/** A 64-bit integer as `string2ll` reads it: a number when small, a bigint otherwise, null when refused. */
function int64Of(s: ByteString): number | bigint | null {
  if (s.length < 16 && SMALL_INT.test(s)) return Number(s);
  return toInt64(s);
}

/**
 * HSET/HMSET: sets field/value pairs (a field's TTL goes with its old value); the number of
 * fields created. Redis refuses an odd count of arguments as a wrong number of arguments.
 */
function setPairs(c: CommandContext, argv: ByteString[], name: string): number {
  if (argv.length % 2 === 1) throw arityError(name);
  const h = c.hashForWrite(argv[1]);
  // Without field TTLs nothing else changes with a value: the pairs go in at once.
  if (h.volatileFields === 0) return h.setMany(argv, 2);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const before = h.size;
    h.set(argv[i], argv[i + 1]);
    if (h.size !== before) created++;
    else if (h.volatileFields !== 0) h.setFieldExpire(argv[i], null);
  }
  return created;
}

/** The fields and/or values a read of the whole hash returns, skipping expired fields (Redis view). */
function walk(c: CommandContext, h: HashValue | undefined, fields: boolean, values: boolean): Reply[] {
  const out: Reply[] = [];
  if (h === undefined) return out;
  const filter = h.volatileFields !== 0;
  for (const [f, v] of h.entries()) {
    if (filter && isExpiredField(c, h, f)) continue;
    if (fields) out.push(f);
    if (values) out.push(v);
  }
  return out;
}

/** HINCRBYFLOAT's computation: the new value's text. @throws CommandError as Redis refuses. */
function incrByFloat(current: ByteString | undefined, incr: LongDouble): string {
  let value: LongDouble = { m: 0n, e: 0 };
  if (current !== undefined) {
    const parsed = parseLongDouble(current);
    if (parsed === null) throw HASH_NOT_FLOAT;
    value = parsed;
  }
  const sum = addLongDouble(value, incr);
  if (isInfinite(sum)) throw WOULD_BE_NAN_OR_INF;
  return formatLongDoubleHuman(sum);
}

const classicCommands: CommandTable = {
  hset: { arity: -4, run: (c, argv) => setPairs(c, argv, 'hset') },
  hmset: {
    arity: -4,
    run(c, argv) {
      setPairs(c, argv, 'hmset');
      return OK;
    },
  },
  hsetnx: {
    arity: 4,
    run(c, argv) {
      const h = c.hashForWrite(argv[1]);
      if (liveValue(c, h, argv[2]) !== undefined) return 0;
      h.set(argv[2], argv[3]);
      if (h.volatileFields !== 0) h.setFieldExpire(argv[2], null);
      return 1;
    },
  },
  hdel: {
    arity: -3,
    run(c, argv) {
      const h = c.hash(argv[1]);
      if (h === undefined) return 0;
      let deleted = 0;
      for (let i = 2; i < argv.length; i++) {
        if (!h.delete(argv[i])) continue;
        deleted++;
        if (h.size === 0) {
          c.delete(argv[1]);
          break;
        }
      }
      return deleted;
    },
  },
  hincrby: {
    arity: 4,
    run(c, argv) {
      const incr = int64Of(argv[3]);
      if (incr === null) throw NOT_INTEGER;
      const h = c.hash(argv[1]);
      const current = h === undefined ? undefined : liveValue(c, h, argv[2]);
      let old: number | bigint = 0;
      if (current !== undefined) {
        const v = int64Of(current);
        if (v === null) throw HASH_NOT_INTEGER;
        old = v;
      }
      let text: string;
      let reply: number;
      if (typeof old === 'number' && typeof incr === 'number') {
        reply = old + incr;
        text = String(reply);
      } else {
        const sum = BigInt(old) + BigInt(incr);
        if (!fitsInt64(sum)) throw OVERFLOW;
        reply = Number(sum);
        text = sum.toString();
      }
      (h ?? c.hashForWrite(argv[1])).set(argv[2], text);
      return reply;
    },
  },
  hincrbyfloat: {
    arity: 4,
    run(c, argv) {
      const incr = parseLongDouble(argv[3]);
      if (incr === null) throw NOT_FLOAT;
      if (isInfinite(incr)) throw NAN_OR_INF;
      const h = c.hash(argv[1]);
      const text = incrByFloat(h === undefined ? undefined : liveValue(c, h, argv[2]), incr);
      (h ?? c.hashForWrite(argv[1])).set(argv[2], text);
      return text;
    },
  },
  hget: {
    arity: 3,
    run(c, argv) {
      const h = c.hash(argv[1]);
      return (h === undefined ? undefined : liveValue(c, h, argv[2])) ?? null;
    },
  },
  hmget: {
    arity: -3,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const out: Reply[] = [];
      for (let i = 2; i < argv.length; i++) out.push((h === undefined ? undefined : liveValue(c, h, argv[i])) ?? null);
      return out;
    },
  },
  hgetall: { arity: 2, run: (c, argv) => walk(c, c.hash(argv[1]), true, true) },
  hkeys: { arity: 2, run: (c, argv) => walk(c, c.hash(argv[1]), true, false) },
  hvals: { arity: 2, run: (c, argv) => walk(c, c.hash(argv[1]), false, true) },
  hlen: { arity: 2, run: (c, argv) => c.hash(argv[1])?.size ?? 0 },
  hexists: {
    arity: 3,
    run(c, argv) {
      const h = c.hash(argv[1]);
      return h !== undefined && liveValue(c, h, argv[2]) !== undefined ? 1 : 0;
    },
  },
  hstrlen: {
    arity: 3,
    run(c, argv) {
      const h = c.hash(argv[1]);
      return (h === undefined ? undefined : liveValue(c, h, argv[2]))?.length ?? 0;
    },
  },
};

export const hashesCommands: CommandTable = { ...classicCommands, ...hashFieldTtlCommands };
