/**
 * The generic key commands: DEL/UNLINK, the EXPIRE family and PERSIST, RENAME/RENAMENX,
 * COPY, MOVE, RESTORE (and RESTORE-ASKING) of a DUMP payload, and the common reads (EXISTS,
 * TYPE, TTL and its variants, KEYS, RANDOMKEY, TOUCH).
 *
 * Loading rules that differ from a live server: nothing expires, so an expiry in the past is
 * set like any other (Redis's "already expired" shortcut is off while it loads: the key keeps
 * its past expiry until a DEL the file holds removes it), and TTL of such a key is 0. Relative
 * times (EXPIRE, PEXPIRE, RESTORE without ABSTTL — forms servers before 7.0 or scripts logged)
 * count from the context's clock. MIGRATE is never in a file: servers log it as DEL.
 */
import type { CommandSpec, CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, CommandError, NOT_INTEGER, SYNTAX } from '../errors.js';
import { isWord, parseInt64, parseInteger, toInt64, word } from '../args.js';
import { OK, StatusReply, type Reply } from '../reply.js';
import { stringMatch } from '../string-match.js';
import { valueArg } from '../payload-arg.js';
import { cloneValue } from '../../dataset/value.js';
import type { ByteString } from '../../dataset/byte-string.js';

const NO_SUCH_KEY = argError('no such key');
const SAME_OBJECT = argError('source and destination objects are the same');
const BUSY_KEY = new CommandError('argument', 'BUSYKEY Target key name already exists.');

const INT64_MAX = 2n ** 63n - 1n;
/** LLONG_MAX / 1000 and LLONG_MIN / 1000, truncated as C divides. */
const SEC_MAX = INT64_MAX / 1000n;
const SEC_MIN = -SEC_MAX;

// ---------------------------------------------------------------- deleting

function del(c: CommandContext, argv: ByteString[]): number {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.delete(argv[i])) n++;
  return n;
}

// ---------------------------------------------------------------- expiry

/** The NX/XX/GT/LT flags of the EXPIRE family (7.0). */
const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

function expireFlags(argv: ByteString[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    switch (word(argv[j])) {
      case 'nx':
        flags |= NX;
        break;
      case 'xx':
        flags |= XX;
        break;
      case 'gt':
        flags |= GT;
        break;
      case 'lt':
        flags |= LT;
        break;
      default:
        throw argError(`Unsupported option ${argv[j]}`);
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) throw argError('NX and XX, GT or LT options at the same time are not compatible');
  if (flags & GT && flags & LT) throw argError('GT and LT options at the same time are not compatible');
  return flags;
}

/**
 * The absolute expiry in ms that a time argument means: `t × unitMs + baseMs`, refused as
 * Redis refuses it when the product or the sum leaves 64 bits.
 */
function expireTime(s: ByteString, unitMs: number, baseMs: number, name: string): number {
  if (s.length < 16) {
    const when = parseInteger(s) * unitMs + baseMs;
    if (Number.isSafeInteger(when)) return when;
  }
  let when = parseInt64(s);
  if (unitMs !== 1) {
    if (when > SEC_MAX || when < SEC_MIN) throw argError(`invalid expire time in '${name}' command`);
    when *= BigInt(unitMs);
  }
  const base = BigInt(baseMs);
  if (when > INT64_MAX - base) throw argError(`invalid expire time in '${name}' command`);
  return Number(when + base);
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `relative` counts from the clock, `unitMs` is 1000 for seconds. */
function expireCommand(name: string, relative: boolean, unitMs: number): CommandSpec {
  return {
    arity: -3,
    run(c, argv) {
      const flags = argv.length > 3 ? expireFlags(argv) : 0;
      const when = expireTime(argv[2], unitMs, relative ? c.now() : 0, name);
      const key = argv[1];
      const db = c.db;
      if (!db.has(key)) return 0;
      if (flags !== 0) {
        const current = db.expireAt(key);
        if (flags & NX && current !== null) return 0;
        if (flags & XX && current === null) return 0;
        // No expiry counts as infinite: never less than a new one, always more.
        if (flags & GT && (current === null || when <= current)) return 0;
        if (flags & LT && current !== null && when >= current) return 0;
      }
      db.setExpire(key, when);
      return 1;
    },
  };
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlCommand(ms: boolean, absolute: boolean): CommandSpec {
  return {
    arity: 2,
    run(c, argv) {
      const db = c.db;
      if (!db.has(argv[1])) return -2;
      const at = db.expireAt(argv[1]);
      if (at === null) return -1;
      const t = Math.max(0, absolute ? at : at - c.now());
      return ms ? t : Math.floor((t + 500) / 1000);
    },
  };
}

// ---------------------------------------------------------------- renaming, copying, moving

function rename(c: CommandContext, argv: ByteString[], nx: boolean): Reply {
  const from = argv[1];
  const to = argv[2];
  const db = c.db;
  if (!db.has(from)) throw NO_SUCH_KEY;
  if (from === to) return nx ? 0 : OK;
  if (nx && db.has(to)) return 0;
  // The value moves with its expiry and hints, replacing what `to` held.
  db.moveKey(from, to);
  return nx ? 1 : OK;
}

function move(c: CommandContext, argv: ByteString[]): number {
  const target = c.dbArg(argv[2]);
  if (target === c.dbIndex) throw SAME_OBJECT;
  const key = argv[1];
  const db = c.db;
  if (!db.has(key)) return 0;
  const dst = c.dataset.db(target);
  if (dst.has(key)) return 0;
  db.moveKey(key, key, dst);
  return 1;
}

function copy(c: CommandContext, argv: ByteString[]): number {
  let replace = false;
  let target = c.dbIndex;
  for (let j = 3; j < argv.length; j++) {
    if (isWord(argv[j], 'replace')) replace = true;
    else if (isWord(argv[j], 'db') && j + 1 < argv.length) target = c.dbArg(argv[++j]);
    else throw SYNTAX;
  }
  const from = argv[1];
  const to = argv[2];
  if (target === c.dbIndex && from === to) throw SAME_OBJECT;
  const v = c.db.get(from);
  if (v === undefined) return 0;
  const dst = c.dataset.db(target);
  if (dst.has(to) && !replace) return 0;
  const at = c.db.expireAt(from);
  // A new object: its expiry is copied, not its LRU/LFU hints.
  dst.delete(to);
  dst.set(to, cloneValue(v));
  if (at !== null) dst.setExpire(to, at);
  return 1;
}

// ---------------------------------------------------------------- RESTORE

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
function restore(c: CommandContext, argv: ByteString[]): Reply {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    const w = word(argv[j]);
    if (w === 'replace') replace = true;
    else if (w === 'absttl') absttl = true;
    else if (w === 'idletime' && more && freq === -1) {
      idle = parseInteger(argv[++j]);
      if (idle < 0) throw argError('Invalid IDLETIME value, must be >= 0');
    } else if (w === 'freq' && more && idle === -1) {
      freq = parseInteger(argv[++j]);
      if (freq < 0 || freq > 255) throw argError('Invalid FREQ value, must be >= 0 and <= 255');
    } else throw SYNTAX;
  }
  const key = argv[1];
  const db = c.db;
  if (!replace && db.has(key)) throw BUSY_KEY;
  let ttl = toInt64(argv[2]);
  if (ttl === null) throw NOT_INTEGER;
  if (ttl < 0n) throw argError('Invalid TTL value, must be >= 0');
  const { value } = valueArg(argv[3]);
  if (replace) db.delete(key);
  if (ttl !== 0n && !absttl) ttl += BigInt(c.now());
  db.set(key, value);
  // While loading nothing counts as already expired: a past time is set like a future one.
  if (ttl !== 0n) db.setExpire(key, Number(ttl));
  if (idle >= 0 || freq >= 0) db.setHints(key, idle >= 0 ? idle : undefined, freq >= 0 ? freq : undefined);
  return OK;
}

// ---------------------------------------------------------------- reads

const TYPE_REPLY: Record<string, StatusReply> = {};
function typeReply(name: string): StatusReply {
  return (TYPE_REPLY[name] ??= new StatusReply(name));
}

function countExisting(c: CommandContext, argv: ByteString[]): number {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.has(argv[i])) n++;
  return n;
}

export const keysCommands: CommandTable = {
  del: { arity: -2, run: del },
  unlink: { arity: -2, run: del },
  expire: expireCommand('expire', true, 1000),
  pexpire: expireCommand('pexpire', true, 1),
  expireat: expireCommand('expireat', false, 1000),
  pexpireat: expireCommand('pexpireat', false, 1),
  persist: {
    arity: 2,
    run(c, argv) {
      const db = c.db;
      if (db.expireAt(argv[1]) === null) return 0;
      db.setExpire(argv[1], null);
      return 1;
    },
  },
  rename: { arity: 3, run: (c, argv) => rename(c, argv, false) },
  renamenx: { arity: 3, run: (c, argv) => rename(c, argv, true) },
  move: { arity: 3, run: move },
  copy: { arity: -3, run: copy },
  restore: { arity: -4, run: restore },
  'restore-asking': { arity: -4, run: restore },
  exists: { arity: -2, run: countExisting },
  touch: { arity: -2, run: countExisting },
  type: {
    arity: 2,
    run(c, argv) {
      const v = c.db.get(argv[1]);
      if (v === undefined) return typeReply('none');
      if (typeof v === 'string') return typeReply('string');
      return typeReply(v.type === 'module' ? v.moduleName : v.type);
    },
  },
  ttl: ttlCommand(false, false),
  pttl: ttlCommand(true, false),
  expiretime: ttlCommand(false, true),
  pexpiretime: ttlCommand(true, true),
  keys: {
    arity: 2,
    run(c, argv) {
      const pattern = argv[1];
      const all = pattern === '*';
      const out: ByteString[] = [];
      for (const key of c.db.keys()) if (all || stringMatch(pattern, key)) out.push(key);
      return out;
    },
  },
  randomkey: {
    arity: 1,
    // Redis picks at random; any key is as good (a script could not write after it anyway).
    run(c) {
      for (const key of c.db.keys()) return key;
      return null;
    },
  },
};
