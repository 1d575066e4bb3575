/**
 * The list commands that push, insert, replace, remove and read: LPUSH/RPUSH and their X
 * forms, LINSERT, LSET, LREM, LTRIM, and LRANGE, LLEN, LINDEX, LPOS. The pops and moves
 * (LPOP/RPOP with a count, LMOVE, RPOPLPUSH, LMPOP and the blocking forms) are in
 * list-pops.ts; this table includes them.
 *
 * Arguments are checked in Redis's order, which decides which refusal a bad command gets:
 * LINSERT's BEFORE/AFTER, LRANGE's, LTRIM's and LREM's numbers before the key; LINDEX's and
 * LSET's index after it.
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import type { ListValue } from '../../dataset/list.js';
import { isWord } from '../args.js';
import { argError, SYNTAX } from '../errors.js';
import { OK, type Reply } from '../reply.js';
import { longArg, positiveArg, symmetricArg } from './long-args.js';
import { listPopCommands } from './list-pops.js';

const NO_SUCH_KEY = argError('no such key');
const OUT_OF_RANGE = argError('index out of range');
const RANK_ZERO = argError('RANK can\'t be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list');
const COUNT_NEGATIVE = argError('COUNT can\'t be negative');
const MAXLEN_NEGATIVE = argError('MAXLEN can\'t be negative');
const EMPTY: Reply[] = [];

/** LPUSH/RPUSH (`xx`: only onto an existing list, as LPUSHX/RPUSHX). Replies with the new length. */
function push(c: CommandContext, argv: ByteString[], head: boolean, xx: boolean): number {
  const l = xx ? c.list(argv[1]) : c.listForWrite(argv[1]);
  if (l === undefined) return 0;
  if (head) for (let i = 2; i < argv.length; i++) l.pushFront(argv[i]);
  else for (let i = 2; i < argv.length; i++) l.pushBack(argv[i]);
  return l.length;
}

/**
 * An inclusive index range resolved as LRANGE and LTRIM resolve it (negative indexes count
 * from the tail), or null when it selects nothing.
 */
function resolveRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  return [start, Math.min(end, length - 1)];
}

/** A negative index counted from the tail. */
function fromTail(index: number, length: number): number {
  return index < 0 ? length + index : index;
}

function lpos(c: CommandContext, argv: ByteString[]): Reply {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    if (more && isWord(argv[j], 'rank')) {
      rank = symmetricArg(argv[++j]);
      if (rank === 0) throw RANK_ZERO;
    } else if (more && isWord(argv[j], 'count')) count = positiveArg(argv[++j], COUNT_NEGATIVE);
    else if (more && isWord(argv[j], 'maxlen')) maxlen = positiveArg(argv[++j], MAXLEN_NEGATIVE);
    else throw SYNTAX;
  }
  const l = c.list(argv[1]);
  if (l === undefined) return count !== -1 ? EMPTY : null;
  const items = l.toArray();
  const n = items.length;
  const backwards = rank < 0;
  if (backwards) rank = -rank;
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < n && (maxlen === 0 || scanned < maxlen); scanned++) {
    const index = backwards ? n - scanned - 1 : scanned;
    if (items[index] !== argv[2]) continue;
    matches++;
    if (matches < rank) continue;
    if (count === -1) return index;
    found.push(index);
    if (count !== 0 && matches - rank + 1 >= count) break;
  }
  return count === -1 ? null : found;
}

const basicCommands: CommandTable = {
  lpush: { arity: -3, run: (c, argv) => push(c, argv, true, false) },
  rpush: { arity: -3, run: (c, argv) => push(c, argv, false, false) },
  lpushx: { arity: -3, run: (c, argv) => push(c, argv, true, true) },
  rpushx: { arity: -3, run: (c, argv) => push(c, argv, false, true) },
  linsert: {
    arity: 5,
    run(c, argv) {
      let after: boolean;
      if (isWord(argv[2], 'after')) after = true;
      else if (isWord(argv[2], 'before')) after = false;
      else throw SYNTAX;
      const l = c.list(argv[1]);
      if (l === undefined) return 0;
      const at = l.indexOf(argv[3]);
      if (at < 0) return -1;
      l.insertAt(after ? at + 1 : at, argv[4]);
      return l.length;
    },
  },
  lset: {
    arity: 4,
    run(c, argv) {
      const l = c.list(argv[1]);
      if (l === undefined) throw NO_SUCH_KEY;
      const index = longArg(argv[2]);
      if (!l.setAt(fromTail(index, l.length), argv[3])) throw OUT_OF_RANGE;
      return OK;
    },
  },
  lrem: {
    arity: 4,
    run(c, argv) {
      // Any 64-bit count: Redis 7.0 took the smallest one too (negated, it still means "all").
      const count = longArg(argv[2]);
      const l = c.list(argv[1]);
      if (l === undefined) return 0;
      const removed = l.removeValue(argv[3], count);
      c.dropIfEmpty(argv[1], l);
      return removed;
    },
  },
  ltrim: {
    arity: 4,
    run(c, argv) {
      const start = longArg(argv[2]);
      const end = longArg(argv[3]);
      const l = c.list(argv[1]);
      if (l === undefined) return OK;
      const r = resolveRange(start, end, l.length);
      if (r === null) l.clear();
      else if (r[0] > 0 || r[1] < l.length - 1) l.keepRange(r[0], r[1]);
      c.dropIfEmpty(argv[1], l);
      return OK;
    },
  },
  lrange: {
    arity: 4,
    run(c, argv) {
      const start = longArg(argv[2]);
      const end = longArg(argv[3]);
      const l = c.list(argv[1]);
      if (l === undefined) return EMPTY;
      const r = resolveRange(start, end, l.length);
      return r === null ? EMPTY : [...l.range(r[0], r[1] + 1)];
    },
  },
  llen: { arity: 2, run: (c, argv) => c.list(argv[1])?.length ?? 0 },
  lindex: {
    arity: 3,
    run(c, argv) {
      const l: ListValue | undefined = c.list(argv[1]);
      if (l === undefined) return null;
      return l.at(fromTail(longArg(argv[2]), l.length)) ?? null;
    },
  },
  lpos: { arity: -3, run: lpos },
};

/** Every list command, by lower-case name. */
export const listsCommands: CommandTable = { ...basicCommands, ...listPopCommands };
