/**
 * The hash field TTL commands: HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HPERSIST and the
 * reads HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME (Redis 7.4+, Valkey 9), and HGETEX, HSETEX,
 * HGETDEL (Redis 8.0+, Valkey 9).
 *
 * What a file holds of them (FORMATS.md §6.1–§6.2, as read in both servers' t_hash.c):
 * - the relative and seconds forms are logged as `HPEXPIREAT key <ms> [flags] FIELDS n f…`
 *   (Redis keeps only the fields it changed; Valkey keeps them all), fields a past time
 *   deleted as `HDEL key f…`; a rewrite emits `HPEXPIREAT key <ms> FIELDS 1 f` after the
 *   field's HMSET (Redis), or `HSETEX key PXAT <ms> FIELDS 1 f v` (Valkey);
 * - HSETEX is logged with `PXAT <ms>` in place of EX/PX/EXAT, its FNX/FXX kept (Redis) or
 *   dropped with Valkey's NX/XX when written in capitals; HGETEX as HPEXPIREAT, HPERSIST or
 *   HDEL; HGETDEL as HDEL (Redis) or as it is (Valkey); HPERSIST as it is.
 *
 * While a server loads a file nothing expires: `checkAlreadyExpired` is false under
 * `server.loading`, so a time in the past sets that TTL instead of deleting the field (the
 * field stays, expired, until the server runs). The flags NX/XX/GT/LT are evaluated again;
 * Valkey's combinations (XX with GT or LT) are accepted as Valkey accepts them.
 */
import type { CommandSpec, CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import type { HashValue } from '../../dataset/hash.js';
import { NOT_INTEGER, SYNTAX, argError, arityError } from '../errors.js';
import { isWord, toInt64, word } from '../args.js';
import type { Reply } from '../reply.js';
import { liveValue, seesExpiredFields } from './hash-field-view.js';

/**
 * Latest field expiry the commands accept, in Unix ms: 2^46 − 1 (Redis's HFE_MAX_ABS_TIME_MSEC,
 * a quarter of its 48-bit EB_EXPIRE_TIME_MAX; about the year 4199).
 */
export const HFE_MAX_ABS_TIME_MS = 2 ** 46 - 1;

const FIELDS_MISSING = argError('Mandatory argument FIELDS is missing or not at the right position');
const NUMFIELDS_MISMATCH = argError('The `numfields` parameter must match the number of arguments');
const NUMFIELDS_POSITIVE = argError('Number of fields must be a positive integer');
const HEXPIRE_NUMFIELDS = argError('Parameter `numFields` should be greater than 0');
const NEGATIVE_TIME = argError('invalid expire time, must be >= 0');

/** hashTypeSetEx's answers (and HPERSIST's, HTTL's). */
const NO_FIELD = -2;
const NO_TTL = -1;
const NOT_MET = 0;
const DONE = 1;

/** Conditions of the HEXPIRE family. */
const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** The condition an option word names, or 0. */
function conditionOf(s: ByteString): number {
  switch (word(s)) {
    case 'nx':
      return NX;
    case 'xx':
      return XX;
    case 'gt':
      return GT;
    case 'lt':
      return LT;
    default:
      return 0;
  }
}

/**
 * A time argument as Redis's `parseExpireTime` reads it: a non-negative integer, seconds
 * scaled to ms, the sum with `basetime` at most {@link HFE_MAX_ABS_TIME_MS}; the absolute
 * Unix time in ms. @throws CommandError as Redis words it, naming the command.
 */
function expireTimeArg(s: ByteString, seconds: boolean, basetime: number, name: string): number {
  const v = toInt64(s);
  if (v === null) throw NOT_INTEGER;
  if (v < 0n) throw NEGATIVE_TIME;
  const tooLate = argError(`invalid expire time in '${name}' command`);
  if (seconds && v > BigInt(Math.floor(HFE_MAX_ABS_TIME_MS / 1000))) throw tooLate;
  if (v > BigInt(HFE_MAX_ABS_TIME_MS)) throw tooLate;
  const ms = seconds ? Number(v) * 1000 : Number(v);
  if (ms > HFE_MAX_ABS_TIME_MS - basetime) throw tooLate;
  return ms + basetime;
}

/** A field count: an integer of at least 1. @throws the command's own error. */
function fieldCount(s: ByteString | undefined, err: ReturnType<typeof argError>): number {
  const n = s === undefined ? null : toInt64(s);
  if (n === null || n < 1n) throw err;
  return Number(n);
}

/**
 * `FIELDS n f…` at `at` (the FIELDS token's index) running to the end of the arguments;
 * the index of the first field. @throws CommandError as Redis words it.
 */
function fieldsAt(argv: ByteString[], at: number, countErr: ReturnType<typeof argError>): number {
  if (at >= argv.length || !isWord(argv[at], 'fields')) throw FIELDS_MISSING;
  const n = fieldCount(argv[at + 1], countErr);
  if (n !== argv.length - at - 2) throw NUMFIELDS_MISMATCH;
  return at + 2;
}

/** The same integer for every field of a command on an absent key. */
function each(argv: ByteString[], first: number, v: Reply): Reply[] {
  const out = new Array<Reply>(argv.length - first);
  out.fill(v);
  return out;
}

/**
 * Sets a field's TTL under the conditions, as hashTypeSetEx does while loading (a past time
 * is set, never a deletion): -2 no such field, 0 a condition not met, 1 set. A field without
 * TTL fails XX and GT and passes LT (its TTL counts as infinite).
 */
function setFieldTtl(h: HashValue, field: ByteString, atMs: number, cond: number): number {
  if (!h.has(field)) return NO_FIELD;
  const prev = h.fieldExpire(field);
  if (prev === null) {
    if ((cond & (XX | GT)) !== 0) return NOT_MET;
  } else if ((cond & NX) !== 0 || ((cond & GT) !== 0 && prev >= atMs) || ((cond & LT) !== 0 && prev <= atMs)) {
    return NOT_MET;
  }
  h.setFieldExpire(field, atMs);
  return DONE;
}

/** HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT: `key time [NX|XX|GT|LT …] FIELDS n f…`. */
function hexpire(name: string, seconds: boolean, relative: boolean): CommandSpec {
  return {
    arity: -6,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const atMs = expireTimeArg(argv[2], seconds, relative ? c.now() : 0, name);
      let cond = 0;
      let i = 3;
      for (; i < argv.length; i++) {
        const flag = conditionOf(argv[i]);
        if (flag === 0) break;
        cond |= flag;
      }
      if ((cond & NX) !== 0 && (cond & (XX | GT | LT)) !== 0) throw argError('NX and XX, GT or LT options at the same time are not compatible');
      if ((cond & GT) !== 0 && (cond & LT) !== 0) throw argError('GT and LT options at the same time are not compatible');
      const first = fieldsAt(argv, i, HEXPIRE_NUMFIELDS);
      if (h === undefined) return each(argv, first, NO_FIELD);
      const out: Reply[] = [];
      for (let j = first; j < argv.length; j++) out.push(setFieldTtl(h, argv[j], atMs, cond));
      return out;
    },
  };
}

/** HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME: `key FIELDS n f…`. */
function ttlRead(seconds: boolean, relative: boolean): CommandSpec {
  return {
    arity: -5,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const first = fieldsAt(argv, 2, NUMFIELDS_POSITIVE);
      if (h === undefined) return each(argv, first, NO_FIELD);
      const now = c.now();
      const base = relative ? now : 0;
      const valkey = seesExpiredFields(c);
      const out: Reply[] = [];
      for (let j = first; j < argv.length; j++) {
        const f = argv[j];
        const at = h.has(f) ? h.fieldExpire(f) : undefined;
        if (at === undefined) out.push(NO_FIELD);
        else if (at === null) out.push(NO_TTL);
        else if (valkey) {
          // Valkey: no expiry check while loading, the rest clamped at 0, seconds rounded.
          const rest = Math.max(0, at - base);
          out.push(seconds ? Math.floor((rest + 500) / 1000) : rest);
        } else if (at < now) out.push(NO_FIELD);
        else out.push(seconds ? Math.floor((at + 999 - base) / 1000) : at - base);
      }
      return out;
    },
  };
}

/** HSETEX's options, as Redis 8 parses them (plus Valkey's key conditions NX/XX). */
interface SetExOptions {
  /** Absolute expiry in ms, or null (no EX/PX/EXAT/PXAT). */
  atMs: number | null;
  keepTtl: boolean;
  /** FNX / FXX. */
  fieldCond: 'fnx' | 'fxx' | null;
  /** Valkey's NX / XX on the key. */
  keyCond: 'nx' | 'xx' | null;
  first: number;
}

function parseSetEx(c: CommandContext, argv: ByteString[]): SetExOptions {
  const o: SetExOptions = { atMs: null, keepTtl: false, fieldCond: null, keyCond: null, first: -1 };
  const oneExpiry = argError('Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
  for (let i = 2; i < argv.length; i++) {
    const w = word(argv[i]);
    switch (w) {
      case 'fields': {
        if (i >= argv.length - 3) throw arityError('hsetex');
        const n = toInt64(argv[i + 1]);
        if (n === null || n < 1n || n > 2147483647n) throw argError('invalid number of fields');
        const remaining = argv.length - i - 2;
        if (remaining % 2 !== 0 || Number(n) !== remaining / 2) throw arityError('hsetex');
        o.first = i + 2;
        return o;
      }
      case 'ex':
      case 'px':
      case 'exat':
      case 'pxat':
        if (o.atMs !== null || o.keepTtl) throw oneExpiry;
        if (i >= argv.length - 1) throw argError('missing expire time');
        o.atMs = expireTimeArg(argv[++i], w === 'ex' || w === 'exat', w === 'ex' || w === 'px' ? c.now() : 0, 'hsetex');
        break;
      case 'keepttl':
        if (o.atMs !== null || o.keepTtl) throw oneExpiry;
        o.keepTtl = true;
        break;
      case 'fnx':
      case 'fxx':
        if (o.fieldCond !== null) throw argError('Only one of FXX or FNX arguments can be specified');
        o.fieldCond = w;
        break;
      case 'nx':
      case 'xx':
        if (o.keyCond !== null) throw SYNTAX;
        o.keyCond = w;
        break;
      default:
        throw argError(`unknown argument: ${argv[i].length > 64 ? argv[i].slice(0, 64) : argv[i]}`);
    }
  }
  throw SYNTAX;
}

export const hashFieldTtlCommands: CommandTable = {
  hexpire: hexpire('hexpire', true, true),
  hpexpire: hexpire('hpexpire', false, true),
  hexpireat: hexpire('hexpireat', true, false),
  hpexpireat: hexpire('hpexpireat', false, false),
  httl: ttlRead(true, true),
  hpttl: ttlRead(false, true),
  hexpiretime: ttlRead(true, false),
  hpexpiretime: ttlRead(false, false),

  /** `HPERSIST key FIELDS n f…`: a field past its TTL counts as absent (Redis), even while loading. */
  hpersist: {
    arity: -5,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const first = fieldsAt(argv, 2, NUMFIELDS_POSITIVE);
      if (h === undefined) return each(argv, first, NO_FIELD);
      const now = c.now();
      const valkey = seesExpiredFields(c);
      const out: Reply[] = [];
      for (let j = first; j < argv.length; j++) {
        const f = argv[j];
        if (!h.has(f)) {
          out.push(NO_FIELD);
          continue;
        }
        const at = h.fieldExpire(f);
        if (at === null) out.push(NO_TTL);
        else if (at < now && !valkey) out.push(NO_FIELD);
        else {
          h.setFieldExpire(f, null);
          out.push(DONE);
        }
      }
      return out;
    },
  },

  /** `HGETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST] FIELDS n f…`: the values; TTLs changed on the fields read. */
  hgetex: {
    arity: -5,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const w = word(argv[2]);
      let fieldsIndex = 2;
      let persist = false;
      let atMs: number | null = null;
      if (w === 'ex' || w === 'px' || w === 'exat' || w === 'pxat') {
        fieldsIndex = 4;
        atMs = expireTimeArg(argv[3], w === 'ex' || w === 'exat', w === 'ex' || w === 'px' ? c.now() : 0, 'hgetex');
      } else if (w === 'persist') {
        fieldsIndex = 3;
        persist = true;
      }
      const first = fieldsAt(argv, fieldsIndex, NUMFIELDS_POSITIVE);
      if (h === undefined) return each(argv, first, null);
      const out: Reply[] = [];
      for (let j = first; j < argv.length; j++) {
        const f = argv[j];
        const v = liveValue(c, h, f);
        out.push(v ?? null);
        if (v === undefined) continue;
        if (persist) h.setFieldExpire(f, null);
        else if (atMs !== null) h.setFieldExpire(f, atMs);
      }
      return out;
    },
  },

  /**
   * `HSETEX key [FNX|FXX] [NX|XX] [EX|PX|EXAT|PXAT t | KEEPTTL] FIELDS n f v…`: 1 when the
   * fields were set, 0 when a condition failed. Without a time or KEEPTTL a field's TTL goes.
   */
  hsetex: {
    arity: -6,
    run(c, argv) {
      const o = parseSetEx(c, argv);
      const h = c.hash(argv[1]);
      if (h === undefined ? o.fieldCond === 'fxx' || o.keyCond === 'xx' : o.keyCond === 'nx') return 0;
      if (h !== undefined && o.fieldCond !== null) {
        let found = 0;
        for (let j = o.first; j < argv.length; j += 2) if (liveValue(c, h, argv[j]) !== undefined) found++;
        const count = (argv.length - o.first) / 2;
        if (o.fieldCond === 'fnx' ? found !== 0 : found !== count) return 0;
      }
      const hw = h ?? c.hashForWrite(argv[1]);
      const keep = o.atMs !== null || o.keepTtl;
      for (let j = o.first; j < argv.length; j += 2) {
        hw.set(argv[j], argv[j + 1]);
        if (o.atMs !== null) hw.setFieldExpire(argv[j], o.atMs);
        else if (!keep && hw.volatileFields !== 0) hw.setFieldExpire(argv[j], null);
      }
      return 1;
    },
  },

  /** `HGETDEL key FIELDS n f…`: the values; the fields read are deleted, and the key when it is left empty. */
  hgetdel: {
    arity: -5,
    run(c, argv) {
      const h = c.hash(argv[1]);
      const first = fieldsAt(argv, 2, NUMFIELDS_POSITIVE);
      if (h === undefined) return each(argv, first, null);
      const out: Reply[] = [];
      for (let j = first; j < argv.length; j++) {
        const v = liveValue(c, h, argv[j]);
        out.push(v ?? null);
        if (v !== undefined) h.delete(argv[j]);
      }
      c.dropIfEmpty(argv[1], h);
      return out;
    },
  },
};
