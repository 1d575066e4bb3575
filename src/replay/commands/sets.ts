/**
 * The set commands: SADD, SREM, SMOVE, SPOP, the STORE forms of SINTER/SUNION/SDIFF, and the
 * reads SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, SINTER, SUNION, SDIFF, SINTERCARD and
 * SRANDMEMBER.
 *
 * SPOP picks members at random; Redis has logged the members it took as SREM (or the whole
 * set's DEL) since 2.6, so a verbatim SPOP comes from an older file or from a script run
 * again on load. Its result is fixed only when it takes the whole set (a count at least the
 * set's size, or a plain SPOP of a one-member set): that is applied, anything else is refused
 * because no replay could know which members the server took. SRANDMEMBER changes nothing;
 * it answers with the first members in the dataset's order (a script that read a random member
 * could not write afterwards, in the versions that logged scripts).
 *
 * Replies listing a set's members are sorted bytewise: the Redis versions that logged scripts
 * verbatim sorted the replies of SMEMBERS, SINTER, SUNION and SDIFF for a script, and nothing
 * else reads a reply during a replay.
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import { SetValue } from '../../dataset/set.js';
import { isWord } from '../args.js';
import { argError, SYNTAX } from '../errors.js';
import type { Reply } from '../reply.js';
import { countArg, positiveArg, symmetricArg } from './long-args.js';
import { difference, intersect, union } from './set-algebra.js';

const NUMKEYS = argError('numkeys should be greater than 0');
const TOO_MANY_KEYS = argError("Number of keys can't be greater than number of args");
const LIMIT_NEGATIVE = argError("LIMIT can't be negative");
const RANDOM_SPOP = argError(
  'SPOP that leaves members behind takes them at random and cannot be replayed (Redis logs the members it took as SREM)',
);
const EMPTY: Reply[] = [];
/** Most elements a reply is built with (a longer one could not be held). */
const MAX_REPLY = 2 ** 32 - 1;

/** Byte order, the order a script saw these replies in. */
function sorted(members: ByteString[]): ByteString[] {
  return members.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Stores a computed set at `dst` (replacing any value and its expiry), or deletes `dst` when
 * the result is empty. Replies with the size.
 */
function store(c: CommandContext, dst: ByteString, members: ByteString[]): number {
  if (members.length === 0) c.delete(dst);
  else c.overwrite(dst, SetValue.from(members)!);
  return members.length;
}

/** SPOP key [count], when its result does not depend on chance. */
function spop(c: CommandContext, argv: ByteString[]): Reply {
  if (argv.length > 3) throw SYNTAX;
  const count = argv.length === 3 ? positiveArg(argv[2]) : -1;
  const s = c.set(argv[1]);
  if (s === undefined) return count === -1 ? null : EMPTY;
  if (count === 0) return EMPTY;
  if (count === -1 ? s.size > 1 : count < s.size) throw RANDOM_SPOP;
  const members = [...s];
  c.delete(argv[1]);
  return count === -1 ? members[0] : members;
}

/** SRANDMEMBER key [count], answered with the first members (no change). */
function srandmember(c: CommandContext, argv: ByteString[]): Reply {
  if (argv.length > 3) throw SYNTAX;
  const count = argv.length === 3 ? symmetricArg(argv[2]) : null;
  const s = c.set(argv[1]);
  if (count === null) return s === undefined ? null : (s.values().next().value ?? null);
  if (s === undefined || count === 0) return EMPTY;
  const members: ByteString[] = [];
  for (const m of s) {
    if (members.length >= Math.abs(count)) break;
    members.push(m);
  }
  if (count > 0) return members;
  if (-count > MAX_REPLY) throw argError('value is out of range');
  const out = new Array<ByteString>(-count);
  for (let i = 0; i < out.length; i++) out[i] = members[i % members.length];
  return out;
}

export const setsCommands: CommandTable = {
  sadd: {
    arity: -3,
    run(c, argv) {
      return c.setForWrite(argv[1]).addMany(argv, 2);
    },
  },
  srem: {
    arity: -3,
    run(c, argv) {
      const s = c.set(argv[1]);
      if (s === undefined) return 0;
      let removed = 0;
      for (let i = 2; i < argv.length && s.size > 0; i++) if (s.delete(argv[i])) removed++;
      c.dropIfEmpty(argv[1], s);
      return removed;
    },
  },
  smove: {
    arity: 4,
    run(c, argv) {
      if (c.get(argv[1]) === undefined) return 0;
      const from = c.set(argv[1])!;
      const to = c.set(argv[2]);
      if (from === to) return from.has(argv[3]) ? 1 : 0;
      if (!from.delete(argv[3])) return 0;
      c.dropIfEmpty(argv[1], from);
      (to ?? c.setForWrite(argv[2])).add(argv[3]);
      return 1;
    },
  },
  spop: { arity: -2, run: spop },
  srandmember: { arity: -2, run: srandmember },
  sismember: { arity: 3, run: (c, argv) => (c.set(argv[1])?.has(argv[2]) ? 1 : 0) },
  smismember: {
    arity: -3,
    run(c, argv) {
      const s = c.set(argv[1]);
      const out = new Array<Reply>(argv.length - 2);
      for (let i = 2; i < argv.length; i++) out[i - 2] = s?.has(argv[i]) ? 1 : 0;
      return out;
    },
  },
  scard: { arity: 2, run: (c, argv) => c.set(argv[1])?.size ?? 0 },
  smembers: {
    arity: 2,
    run(c, argv) {
      const s = c.set(argv[1]);
      return s === undefined ? EMPTY : sorted([...s]);
    },
  },
  sinter: { arity: -2, run: (c, argv) => sorted(intersect(c, argv.slice(1))) },
  sunion: { arity: -2, run: (c, argv) => sorted(union(c, argv.slice(1))) },
  sdiff: { arity: -2, run: (c, argv) => sorted(difference(c, argv.slice(1))) },
  sinterstore: { arity: -3, run: (c, argv) => store(c, argv[1], intersect(c, argv.slice(2))) },
  sunionstore: { arity: -3, run: (c, argv) => store(c, argv[1], union(c, argv.slice(2))) },
  sdiffstore: { arity: -3, run: (c, argv) => store(c, argv[1], difference(c, argv.slice(2))) },
  sintercard: {
    arity: -3,
    run(c, argv) {
      const numkeys = countArg(argv[1], NUMKEYS);
      if (numkeys > argv.length - 2) throw TOO_MANY_KEYS;
      let limit = 0;
      for (let j = 2 + numkeys; j < argv.length; j++) {
        if (j < argv.length - 1 && isWord(argv[j], 'limit')) limit = positiveArg(argv[++j], LIMIT_NEGATIVE);
        else throw SYNTAX;
      }
      return intersect(c, argv.slice(2, 2 + numkeys), limit).length;
    },
  },
};
