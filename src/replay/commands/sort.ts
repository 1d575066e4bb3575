/**
 * SORT and SORT_RO with Redis's full semantics: BY (a pattern with `*` naming weight keys or
 * hash fields, or a constant that means "do not sort"), GET patterns (`#` for the element
 * itself), LIMIT, ASC/DESC, ALPHA, and STORE, which writes the result as a list (replacing the
 * destination and its expiry) or deletes the destination when the result is empty. A
 * `SORT … STORE` is logged verbatim, so its result must come out exactly as the server's:
 *
 * - numbers compare as C's `strtod` reads the values (a weight key that is absent counts as 0);
 *   equal numbers fall back to the elements' bytes, so the order is total;
 * - ALPHA compares bytes for STORE and C strings (`strcoll` in the C locale) for a reply;
 *   with BY, an absent weight sorts first and equal weights stay equal;
 * - equal elements keep their input order under the C library's stable merge sort (glibc),
 *   except when BY and a LIMIT narrowing the range are both given: then Redis's own partial
 *   quicksort runs (pqsort.ts), which moves them its own way;
 * - the input order is the list's order, the sorted set's rank order, and for a set the order
 *   of its small encodings: ascending numbers when every member is an integer (an intset),
 *   otherwise the dataset's insertion order (a listpack, Redis 7.2+). A set in a hash table
 *   (or a sorted set SORT reads through its dictionary) has an order no replay can know, so
 *   ALPHA with BY over such a set gives ties in an order Redis may not have used: that one case
 *   cannot be exact.
 * - BY with a constant skips sorting; for a set with STORE Redis sorts ALPHA instead, so that
 *   the result does not depend on the hash table, and does the same for a script. A reply is
 *   only read by a script during a replay, so that rule applies to every SORT of a set here.
 */
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import { ListValue } from '../../dataset/list.js';
import type { SetValue } from '../../dataset/set.js';
import type { Value } from '../../dataset/value.js';
import { isWord, toInt64 } from '../args.js';
import { argError, SYNTAX, WRONG_TYPE } from '../errors.js';
import type { Reply } from '../reply.js';
import { longArg } from './long-args.js';
import { pqsort } from './pqsort.js';
import { compareBytes, compareC, patternValue, sortScore } from './sort-lookup.js';

const NOT_DOUBLE = argError("One or more scores can't be converted into double");
/** Most members a set keeps as an intset (`set-max-intset-entries`'s default). */
const INTSET_MAX = 512;

/** What the options asked for. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  start: number;
  count: number;
  /** The BY pattern, null without one. */
  by: ByteString | null;
  /** A BY without `*` was given (Redis keeps this even when a later BY has one). */
  dontSort: boolean;
  get: ByteString[];
  store: ByteString | null;
}

/** One element being sorted: itself, and the number or string it sorts by. */
interface Item {
  obj: ByteString;
  score: number;
  cmp: ByteString | null;
}

function parseOptions(argv: ByteString[], readonly: boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, start: 0, count: -1, by: null, dontSort: false, get: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (isWord(a, 'asc')) o.desc = false;
    else if (isWord(a, 'desc')) o.desc = true;
    else if (isWord(a, 'alpha')) o.alpha = true;
    else if (left >= 2 && isWord(a, 'limit')) {
      o.start = longArg(argv[j + 1]);
      o.count = longArg(argv[j + 2]);
      j += 2;
    } else if (!readonly && left >= 1 && isWord(a, 'store')) o.store = argv[++j];
    else if (left >= 1 && isWord(a, 'by')) {
      o.by = argv[++j];
      // A C string: a `*` after a NUL byte does not count.
      const star = o.by.indexOf('*');
      if (star < 0 || o.by.lastIndexOf('\0', star) >= 0) o.dontSort = true;
    } else if (left >= 1 && isWord(a, 'get')) o.get.push(argv[++j]);
    else throw SYNTAX;
  }
  return o;
}

/** The set's members in the order of its small encodings (see the file's notes). */
function setOrder(s: SetValue): ByteString[] {
  const members = [...s];
  if (members.length > INTSET_MAX) return members;
  const nums = new Array<bigint>(members.length);
  for (let i = 0; i < members.length; i++) {
    const n = toInt64(members[i]);
    if (n === null) return members;
    nums[i] = n;
  }
  const idx = members.map((_, i) => i).sort((a, b) => (nums[a] < nums[b] ? -1 : nums[a] > nums[b] ? 1 : 0));
  return idx.map((i) => members[i]);
}

/** The elements to sort, in input order. */
function elements(v: Value | undefined): ByteString[] {
  if (v === undefined) return [];
  if (typeof v !== 'string') {
    if (v.type === 'list') return v.toArray();
    if (v.type === 'set') return setOrder(v);
    if (v.type === 'zset') return [...v.ascending()].map((e) => e[0]);
  }
  throw WRONG_TYPE;
}

function sortCommand(c: CommandContext, argv: ByteString[], readonly: boolean): Reply {
  const o = parseOptions(argv, readonly);
  const source = c.get(argv[1]);
  const all = elements(source);
  let { dontSort, alpha, by } = o;
  if (dontSort && source !== undefined && typeof source !== 'string' && source.type === 'set') {
    dontSort = false;
    alpha = true;
    by = null;
  }
  // LIMIT resolved as Redis resolves it: start clamped to 0 … n, a negative count meaning all.
  const n = all.length;
  let start = Math.min(Math.max(o.start, 0), n);
  const count = Math.min(Math.max(o.count, -1), n);
  let end = count < 0 ? n - 1 : start + count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;

  let out: ByteString[];
  if (dontSort) {
    // The source's own order (a list or sorted set), DESC reading it from the tail.
    out = [];
    if (o.desc) for (let i = n - 1 - start; i >= n - 1 - end; i--) out.push(all[i]);
    else for (let i = start; i <= end; i++) out.push(all[i]);
  } else {
    const items = all.map((obj): Item => ({ obj, score: 0, cmp: null }));
    let bad = false;
    for (const it of items) {
      const val = by === null ? it.obj : patternValue(c.db, by, it.obj);
      if (val === null) continue;
      if (alpha) {
        if (by !== null) it.cmp = val;
      } else {
        const score = sortScore(val);
        if (score === null) bad = true;
        else it.score = score;
      }
    }
    if (bad) throw NOT_DOUBLE;
    const cmp = comparator(alpha, by !== null, o.store !== null, o.desc);
    if (by !== null && (start !== 0 || end !== n - 1)) pqsort(items, cmp, start, end);
    else items.sort(cmp);
    out = [];
    for (let i = start; i <= end; i++) out.push(items[i].obj);
  }
  return o.store === null ? reply(c, out, o.get) : store(c, o.store, out, o.get);
}

/** SORT's comparison of two items, as Redis's `sortCompare` with these options. */
function comparator(alpha: boolean, byPattern: boolean, storing: boolean, desc: boolean): (a: Item, b: Item) => number {
  let f: (a: Item, b: Item) => number;
  if (!alpha) f = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.obj, b.obj));
  else if (byPattern) {
    const text = storing ? compareBytes : compareC;
    f = (a, b) => (a.cmp === null || b.cmp === null ? (a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1) : text(a.cmp, b.cmp));
  } else {
    const text = storing ? compareBytes : compareC;
    f = (a, b) => text(a.obj, b.obj);
  }
  return desc ? (a, b) => -f(a, b) : f;
}

/** The reply without STORE: the elements, or per element the values of the GET patterns. */
function reply(c: CommandContext, out: ByteString[], get: ByteString[]): Reply {
  if (get.length === 0) return out;
  const r: Reply[] = [];
  for (const e of out) for (const p of get) r.push(patternValue(c.db, p, e));
  return r;
}

/** STORE: the result as a list at `dst` (GET values missing stored as empty strings). */
function store(c: CommandContext, dst: ByteString, out: ByteString[], get: ByteString[]): number {
  let items = out;
  if (get.length > 0) {
    items = [];
    for (const e of out) for (const p of get) items.push(patternValue(c.db, p, e) ?? '');
  }
  if (items.length === 0) c.delete(dst);
  else c.overwrite(dst, ListValue.from(items));
  return items.length;
}

export const sortCommands: CommandTable = {
  sort: { arity: -2, run: (c, argv) => sortCommand(c, argv, false) },
  sort_ro: { arity: -2, run: (c, argv) => sortCommand(c, argv, true) },
};
