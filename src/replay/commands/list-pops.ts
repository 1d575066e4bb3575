/**
 * The list commands that take elements off an end: LPOP/RPOP (with a count since 6.2), LMOVE,
 * RPOPLPUSH, LMPOP, and the blocking forms BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
 *
 * Redis 2.6 and later log a blocking pop as the plain pop it became, but older files may hold
 * the blocking command itself. While a file loads nothing can block (Redis's loading client
 * may not block), so a blocking command acts as its non-blocking form on the keys as they are,
 * and does nothing when every list it names is absent. Its timeout is still checked.
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import type { ListValue } from '../../dataset/list.js';
import { isWord } from '../args.js';
import { argError, arityError, SYNTAX } from '../errors.js';
import type { Reply } from '../reply.js';
import { countArg, positiveArg, timeoutArg } from './long-args.js';

const NUMKEYS = argError('numkeys should be greater than 0');
const COUNT = argError('count should be greater than 0');
const EMPTY: Reply[] = [];

/** LEFT (true: the head) or RIGHT. @throws CommandError syntax error */
function side(s: ByteString): boolean {
  if (isWord(s, 'left')) return true;
  if (isWord(s, 'right')) return false;
  throw SYNTAX;
}

/**
 * Takes up to `count` elements off one end, in the order they come off, and deletes the key
 * when the list is left empty.
 */
function popMany(c: CommandContext, key: ByteString, l: ListValue, head: boolean, count: number): ByteString[] {
  let out: ByteString[];
  if (count >= l.length) {
    out = l.toArray();
    if (!head) out.reverse();
    l.clear();
  } else {
    out = new Array<ByteString>(count);
    for (let i = 0; i < count; i++) out[i] = (head ? l.popFront() : l.popBack())!;
  }
  c.dropIfEmpty(key, l);
  return out;
}

/** Takes one element off one end (the list is not empty), deleting the key when it empties. */
function popOne(c: CommandContext, key: ByteString, l: ListValue, head: boolean): ByteString {
  const v = (head ? l.popFront() : l.popBack())!;
  c.dropIfEmpty(key, l);
  return v;
}

/** LPOP/RPOP key [count]. */
function pop(c: CommandContext, argv: ByteString[], head: boolean): Reply {
  if (argv.length > 3) throw arityError(head ? 'lpop' : 'rpop');
  const count = argv.length === 3 ? positiveArg(argv[2]) : -1;
  const l = c.list(argv[1]);
  if (l === undefined) return null;
  if (count === -1) return popOne(c, argv[1], l, head);
  return count === 0 ? EMPTY : popMany(c, argv[1], l, head, count);
}

/**
 * Moves one element from an end of `src` to an end of `dst` (LMOVE, RPOPLPUSH and the
 * blocking forms). The destination's type is checked before anything moves; when both are the
 * same list the element goes round.
 */
function move(c: CommandContext, src: ByteString, dst: ByteString, fromHead: boolean, toHead: boolean): Reply {
  const from = c.list(src);
  if (from === undefined) return null;
  const to = c.list(dst);
  const v = (fromHead ? from.popFront() : from.popBack())!;
  const target = to ?? c.listForWrite(dst);
  if (toHead) target.pushFront(v);
  else target.pushBack(v);
  c.dropIfEmpty(src, from);
  return v;
}

/**
 * Pops from the first of `keys` that holds a list (LMPOP, BLMPOP; BLPOP/BRPOP with
 * `count` −1, replying with one element): absent keys are passed over, a key of another type
 * is refused.
 */
function popFirst(c: CommandContext, keys: ByteString[], head: boolean, count: number): Reply {
  for (const key of keys) {
    const l = c.list(key);
    if (l === undefined) continue;
    if (count === -1) return [key, popOne(c, key, l, head)];
    return [key, popMany(c, key, l, head, count)];
  }
  return null;
}

/** LMPOP numkeys key… LEFT|RIGHT [COUNT n], and BLMPOP (`first` = 2, the timeout before numkeys). */
function mpop(c: CommandContext, argv: ByteString[], first: number): Reply {
  const numkeys = countArg(argv[first], NUMKEYS);
  const whereAt = first + numkeys + 1;
  if (whereAt >= argv.length) throw SYNTAX;
  const head = side(argv[whereAt]);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && j < argv.length - 1 && isWord(argv[j], 'count')) count = countArg(argv[++j], COUNT);
    else throw SYNTAX;
  }
  if (first === 2) timeoutArg(argv[1]);
  return popFirst(c, argv.slice(first + 1, whereAt), head, count === -1 ? 1 : count);
}

/** BLPOP/BRPOP key… timeout. */
function bpop(c: CommandContext, argv: ByteString[], head: boolean): Reply {
  timeoutArg(argv[argv.length - 1]);
  return popFirst(c, argv.slice(1, -1), head, -1);
}

/** The list commands that pop, by lower-case name. */
export const listPopCommands: CommandTable = {
  lpop: { arity: -2, run: (c, argv) => pop(c, argv, true) },
  rpop: { arity: -2, run: (c, argv) => pop(c, argv, false) },
  lmove: {
    arity: 5,
    run(c, argv) {
      const fromHead = side(argv[3]);
      const toHead = side(argv[4]);
      return move(c, argv[1], argv[2], fromHead, toHead);
    },
  },
  rpoplpush: { arity: 3, run: (c, argv) => move(c, argv[1], argv[2], false, true) },
  lmpop: { arity: -4, run: (c, argv) => mpop(c, argv, 1) },
  blpop: { arity: -3, run: (c, argv) => bpop(c, argv, true) },
  brpop: { arity: -3, run: (c, argv) => bpop(c, argv, false) },
  blmove: {
    arity: 6,
    run(c, argv) {
      const fromHead = side(argv[3]);
      const toHead = side(argv[4]);
      timeoutArg(argv[5]);
      return move(c, argv[1], argv[2], fromHead, toHead);
    },
  },
  brpoplpush: {
    arity: 4,
    run(c, argv) {
      timeoutArg(argv[3]);
      return move(c, argv[1], argv[2], false, true);
    },
  },
  blmpop: { arity: -5, run: (c, argv) => mpop(c, argv, 2) },
};
