/**
 * The string commands: SET in every form any version logged (NX, XX, GET, EX, PX, EXAT, PXAT,
 * KEEPTTL; Valkey's IFEQ and Redis 8.4's IFEQ/IFNE), SETNX, SETEX, PSETEX, GETSET, GETDEL,
 * GETEX, APPEND, SETRANGE, the INCR family, INCRBYFLOAT, MSET, MSETNX — and the read-only
 * ones a script may call (GET, MGET, STRLEN, GETRANGE/SUBSTR, LCS).
 *
 * A string value is a {@link ByteString}; an integer is held as its decimal text, which is
 * all Redis's integer encoding amounts to in a file. Relative expiries (EX, PX, SETEX, GETEX
 * EX …, which only old servers or scripts leave in a file) count from `c.now()`; absolute
 * ones are taken as they are, and a time already past still sets the key with that expiry,
 * as Redis does while it loads a file.
 */
import type { CommandContext } from '../context.js';
import type { CommandTable } from '../command.js';
import type { Reply } from '../reply.js';
import { OK } from '../reply.js';
import { MAX_BYTE_STRING, type ByteString } from '../../dataset/byte-string.js';
import { LimitError } from '../../errors.js';
import { NOT_INTEGER, SYNTAX, WRONG_TYPE, argError, arityError } from '../errors.js';
import { fitsInt64, parseInt64, toInt64, word } from '../args.js';
import { addLongDouble, formatLongDoubleHuman, isInfinite, parseLongDouble } from './extended-float.js';
import { lcsCommand } from './lcs.js';

/** Redis's default `proto-max-bulk-len`: the longest string a command may build (512 MB). */
export const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/**
 * Checks the length a command is about to give a string: beyond 512 MB Redis refuses it;
 * beyond what a JS string holds (a few bytes less) the replay cannot hold it.
 * @throws CommandError "string exceeds maximum allowed size"; LimitError past {@link MAX_BYTE_STRING}.
 */
export function checkStringLength(total: number): void {
  if (total > PROTO_MAX_BULK_LEN) throw argError('string exceeds maximum allowed size (proto-max-bulk-len)');
  if (total > MAX_BYTE_STRING) {
    throw new LimitError(`a string of ${total} bytes is longer than the in-memory dataset can hold`, {
      expected: `at most ${MAX_BYTE_STRING} bytes`,
      found: `${total} bytes`,
    });
  }
}

// Option bits of SET and GETEX.
const F_NX = 1;
const F_XX = 2;
const F_EX = 4;
const F_PX = 8;
const F_KEEPTTL = 16;
const F_GET = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;
const F_IFEQ = 512;
const F_IFNE = 1024;
const EXPIRES = F_EX | F_PX | F_EXAT | F_PXAT;
const CONDITIONS = F_NX | F_XX | F_IFEQ | F_IFNE;

/** What SET's or GETEX's options said. */
interface StringOptions {
  flags: number;
  /** The EX/PX/EXAT/PXAT argument, when one was given. */
  expire: ByteString | undefined;
  /** The IFEQ/IFNE comparison value. */
  compare: ByteString | undefined;
}

/**
 * Reads SET's (from argument 3) or GETEX's (from argument 2) options as Redis does: each
 * option at most once with its exclusions (EX twice is accepted, the last wins), anything
 * else a syntax error.
 */
function parseStringOptions(argv: ByteString[], forSet: boolean): StringOptions {
  // No option (what an AOF mostly holds): nothing to parse or make.
  if (argv.length === (forSet ? 3 : 2)) return NO_OPTIONS;
  let flags = 0;
  let expire: ByteString | undefined;
  let compare: ByteString | undefined;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const hasNext = j + 1 < argv.length;
    const f = flags;
    switch (word(argv[j])) {
      case 'nx':
        if (!forSet || f & (CONDITIONS & ~F_NX)) throw SYNTAX;
        flags |= F_NX;
        continue;
      case 'xx':
        if (!forSet || f & (CONDITIONS & ~F_XX)) throw SYNTAX;
        flags |= F_XX;
        continue;
      case 'ifeq':
        if (!forSet || f & (CONDITIONS & ~F_IFEQ) || !hasNext) throw SYNTAX;
        flags |= F_IFEQ;
        compare = argv[++j];
        continue;
      case 'ifne':
        if (!forSet || f & (CONDITIONS & ~F_IFNE) || !hasNext) throw SYNTAX;
        flags |= F_IFNE;
        compare = argv[++j];
        continue;
      case 'get':
        if (!forSet) throw SYNTAX;
        flags |= F_GET;
        continue;
      case 'keepttl':
        if (!forSet || f & (F_PERSIST | EXPIRES)) throw SYNTAX;
        flags |= F_KEEPTTL;
        continue;
      case 'persist':
        if (forSet || f & (EXPIRES | F_KEEPTTL)) throw SYNTAX;
        flags |= F_PERSIST;
        continue;
      case 'ex':
      case 'px':
      case 'exat':
      case 'pxat': {
        const w = word(argv[j]);
        const bit = w === 'ex' ? F_EX : w === 'px' ? F_PX : w === 'exat' ? F_EXAT : F_PXAT;
        if (f & (F_KEEPTTL | F_PERSIST | (EXPIRES & ~bit)) || !hasNext) throw SYNTAX;
        flags |= bit;
        expire = argv[++j];
        continue;
      }
      default:
        throw SYNTAX;
    }
  }
  return { flags, expire, compare };
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The absolute expiry (Unix ms) an expire argument means, checked as Redis checks it: an
 * integer, above zero, not overflowing once scaled to ms and added to now.
 * @throws CommandError "invalid expire time in '<name>' command", or not an integer.
 */
function expireAtMs(c: CommandContext, arg: ByteString, seconds: boolean, relative: boolean, name: string): number {
  // Short arguments stay exact as doubles, scaled and shifted by now (< 2^53).
  if (arg.length <= 12 && arg.length > 0 && arg.charCodeAt(0) !== 0x2d) {
    const v = toInt64(arg);
    if (v === null) throw NOT_INTEGER;
    const n = Number(v);
    if (n > 0) return (seconds ? n * 1000 : n) + (relative ? c.now() : 0);
  }
  let v = parseInt64(arg);
  if (v <= 0n || (seconds && v > INT64_MAX / 1000n)) throw invalidExpire(name);
  if (seconds) v *= 1000n;
  if (relative) v += BigInt(c.now());
  if (v > INT64_MAX) throw invalidExpire(name);
  return Number(v);
}

function invalidExpire(name: string) {
  return argError(`invalid expire time in '${name}' command`);
}

/** The expiry an option set means, or null when it has none. */
function optionExpire(c: CommandContext, o: StringOptions, name: string): number | null {
  if (o.expire === undefined) return null;
  const f = o.flags;
  return expireAtMs(c, o.expire, (f & (F_EX | F_EXAT)) !== 0, (f & (F_EX | F_PX)) !== 0, name);
}

/**
 * SET and its relatives: the expiry checked first, then GET's type check, then the
 * condition; the value stored with its new expiry, or keeping the old one under KEEPTTL.
 */
function setGeneric(c: CommandContext, key: ByteString, value: ByteString, o: StringOptions, at: number | null, okReply: Reply, abortReply: Reply): Reply {
  const f = o.flags;
  // Only GET and the conditions look at what the key holds: a plain SET replaces it unseen.
  const old = f & (F_GET | F_NX | F_XX | F_IFEQ | F_IFNE) ? c.get(key) : undefined;
  let reply = okReply;
  if (f & F_GET) {
    if (old !== undefined && typeof old !== 'string') throw WRONG_TYPE;
    reply = old ?? null;
  }
  const found = old !== undefined;
  if ((f & F_NX && found) || (f & (F_XX | F_IFEQ) && !found)) return f & F_GET ? reply : abortReply;
  if (found && f & (F_IFEQ | F_IFNE)) {
    if (typeof old !== 'string') throw WRONG_TYPE;
    if ((old === o.compare) !== ((f & F_IFEQ) !== 0)) return f & F_GET ? reply : abortReply;
  }
  c.overwrite(key, value, (f & F_KEEPTTL) !== 0 || at !== null);
  if (at !== null) c.db.setExpire(key, at);
  return reply;
}

const NO_OPTIONS: StringOptions = { flags: 0, expire: undefined, compare: undefined };
const NX_OPTIONS: StringOptions = { flags: F_NX, expire: undefined, compare: undefined };

/** The key's integer value (absent: 0) as INCR reads it. @throws CommandError WRONGTYPE or not an integer. */
function integerValue(c: CommandContext, key: ByteString): ByteString {
  const v = c.string(key);
  return v === undefined ? '0' : v;
}

const SMALL_INT = /^(0|-?[1-9][0-9]{0,14})$/;

/** INCRBY's arithmetic: 64-bit, refused on overflow, stored as decimal text; the reply is the new value. */
function incrBy(c: CommandContext, key: ByteString, incr: ByteString | bigint): Reply {
  const cur = integerValue(c, key);
  let text: ByteString;
  let reply: number;
  // Fifteen digits either side add exactly as doubles.
  if (typeof incr === 'string' && SMALL_INT.test(cur)) {
    reply = Number(cur) + Number(incr);
    text = String(reply);
  } else {
    const a = toInt64(cur);
    if (a === null) throw NOT_INTEGER;
    const sum = a + (typeof incr === 'string' ? BigInt(incr) : incr);
    if (!fitsInt64(sum)) throw argError('increment or decrement would overflow');
    text = sum.toString();
    reply = Number(sum);
  }
  // The value is replaced in place: the key keeps its expiry (a new key has none).
  c.db.set(key, text);
  return reply;
}

/** An increment argument: short ones kept as text for the fast path, others as bigint. */
function increment(s: ByteString): ByteString | bigint {
  if (s.length <= 16 && SMALL_INT.test(s)) return s;
  return parseInt64(s);
}

/** GETRANGE/SUBSTR as every server up to 7.0 answers it (7.2 changed the edge cases). */
function getRange(c: CommandContext, argv: ByteString[]): Reply {
  let start = Number(parseInt64(argv[2]));
  let end = Number(parseInt64(argv[3]));
  const s = c.string(argv[1]);
  if (s === undefined) return '';
  const len = s.length;
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return '';
  return s.slice(start, end + 1);
}

/** MSET and MSETNX: pairs; MSETNX sets nothing when any key exists. */
function mset(c: CommandContext, argv: ByteString[], nx: boolean): Reply {
  if (argv.length % 2 === 0) throw arityError(nx ? 'msetnx' : 'mset');
  if (nx) for (let j = 1; j < argv.length; j += 2) if (c.db.has(argv[j])) return 0;
  for (let j = 1; j < argv.length; j += 2) c.overwrite(argv[j], argv[j + 1]);
  return nx ? 1 : OK;
}

export const stringsCommands: CommandTable = {
  set: {
    arity: -3,
    run(c, argv) {
      const o = parseStringOptions(argv, true);
      const at = optionExpire(c, o, 'set');
      return setGeneric(c, argv[1], argv[2], o, at, OK, null);
    },
  },
  setnx: { arity: 3, run: (c, argv) => setGeneric(c, argv[1], argv[2], NX_OPTIONS, null, 1, 0) },
  setex: {
    arity: 4,
    run(c, argv) {
      const at = expireAtMs(c, argv[2], true, true, 'setex');
      return setGeneric(c, argv[1], argv[3], NO_OPTIONS, at, OK, null);
    },
  },
  psetex: {
    arity: 4,
    run(c, argv) {
      const at = expireAtMs(c, argv[2], false, true, 'psetex');
      return setGeneric(c, argv[1], argv[3], NO_OPTIONS, at, OK, null);
    },
  },
  getset: {
    arity: 3,
    run(c, argv) {
      const old = c.string(argv[1]);
      c.overwrite(argv[1], argv[2]);
      return old ?? null;
    },
  },
  getdel: {
    arity: 2,
    run(c, argv) {
      const old = c.string(argv[1]);
      if (old !== undefined) c.delete(argv[1]);
      return old ?? null;
    },
  },
  getex: {
    arity: -2,
    run(c, argv) {
      const o = parseStringOptions(argv, false);
      const v = c.string(argv[1]);
      if (v === undefined) return null;
      const at = optionExpire(c, o, 'getex');
      // While loading nothing expires: a past EXAT/PXAT sets that expiry instead of deleting.
      if (at !== null) c.db.setExpire(argv[1], at);
      else if (o.flags & F_PERSIST) c.db.setExpire(argv[1], null);
      return v;
    },
  },
  get: { arity: 2, run: (c, argv) => c.string(argv[1]) ?? null },
  mget: {
    arity: -2,
    run(c, argv) {
      const out: Reply[] = new Array<Reply>(argv.length - 1);
      for (let j = 1; j < argv.length; j++) {
        const v = c.get(argv[j]);
        out[j - 1] = typeof v === 'string' ? v : null;
      }
      return out;
    },
  },
  strlen: { arity: 2, run: (c, argv) => c.string(argv[1])?.length ?? 0 },
  getrange: { arity: 4, run: getRange },
  substr: { arity: 4, run: getRange },
  append: {
    arity: 3,
    run(c, argv) {
      const old = c.string(argv[1]);
      if (old === undefined) {
        c.db.set(argv[1], argv[2]);
        return argv[2].length;
      }
      checkStringLength(old.length + argv[2].length);
      const next = old + argv[2];
      c.db.set(argv[1], next);
      return next.length;
    },
  },
  setrange: {
    arity: 4,
    run(c, argv) {
      const offset = Number(parseInt64(argv[2]));
      if (offset < 0) throw argError('offset is out of range');
      const value = argv[3];
      const old = c.string(argv[1]);
      if (value.length === 0) return old?.length ?? 0;
      checkStringLength(offset + value.length);
      const base = old ?? '';
      const next =
        offset >= base.length
          ? base + '\0'.repeat(offset - base.length) + value
          : base.slice(0, offset) + value + (offset + value.length < base.length ? base.slice(offset + value.length) : '');
      c.db.set(argv[1], next);
      return next.length;
    },
  },
  incr: { arity: 2, run: (c, argv) => incrBy(c, argv[1], '1') },
  decr: { arity: 2, run: (c, argv) => incrBy(c, argv[1], '-1') },
  incrby: { arity: 3, run: (c, argv) => incrBy(c, argv[1], increment(argv[2])) },
  decrby: {
    arity: 3,
    run(c, argv) {
      const incr = parseInt64(argv[2]);
      if (incr === -(2n ** 63n)) throw argError('decrement would overflow');
      return incrBy(c, argv[1], -incr);
    },
  },
  incrbyfloat: {
    arity: 3,
    run(c, argv) {
      const key = argv[1];
      const cur = c.string(key);
      const value = cur === undefined ? parseLongDouble('0') : parseLongDouble(cur);
      const incr = parseLongDouble(argv[2]);
      if (value === null || incr === null) throw argError('value is not a valid float');
      const sum = addLongDouble(value, incr);
      if (isInfinite(sum)) throw argError('increment would produce NaN or Infinity');
      const text = formatLongDoubleHuman(sum);
      c.db.set(key, text);
      return text;
    },
  },
  mset: { arity: -3, run: (c, argv) => mset(c, argv, false) },
  msetnx: { arity: -3, run: (c, argv) => mset(c, argv, true) },
  lcs: { arity: -3, run: lcsCommand },
};
