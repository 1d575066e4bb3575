/**
 * The stream commands: XADD, XDEL, XTRIM, XSETID and the reads XLEN, XRANGE, XREVRANGE and
 * XREAD here; the consumer-group commands in stream-groups.ts.
 *
 * A server logs XADD with the ID it generated (`*` and `ms-*` only reach a replay from a
 * file written by hand, and then take the replay's clock), and approximate trims as exact
 * ones (stream-trim.ts). The stream's bookkeeping follows Redis: XADD counts the entry in
 * `entriesAdded` and sets the last ID, and the first ID when the entry is the only one;
 * XDEL moves the largest deleted ID and, when the first entry went, the first ID; XSETID
 * sets the last ID, and the entries-added count and largest deleted ID when given. An empty
 * stream stays a key (unlike an empty list or set).
 *
 * A rewritten AOF rebuilds each stream as XADDs of its entries (or `XADD key MAXLEN 0 0-1 x y`
 * for an empty one), then `XSETID key last ENTRIESADDED n MAXDELETEDID id`, then its groups.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { MAX_STREAM_ID, MIN_STREAM_ID, nextStreamId, type StreamIdKey } from '../../dataset/stream-id.js';
import { StreamValue } from '../../dataset/stream.js';
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, arityError, SYNTAX } from '../errors.js';
import { isWord, parseInteger } from '../args.js';
import { OK, type Reply } from '../reply.js';
import { idAtMs, idReply, msPart, parseRangeId, parseStreamId, prevStreamId, rangeReply } from './stream-args.js';
import { parseTrimArgs, TrimStrategy, trimStream } from './stream-trim.js';
import { StreamNodes } from './stream-nodes.js';
import { readStreams, streamGroupCommands } from './stream-groups.js';

const TOO_SMALL = argError('The ID specified in XADD is equal or smaller than the target stream top item');
const SEQ_MAX = '\xff'.repeat(8);

/** The ID XADD gives a new entry after `last`: the one asked for, or one made from the clock. */
function newEntryId(c: CommandContext, last: StreamIdKey, asked: StreamIdKey | null, seqGiven: boolean): StreamIdKey {
  let id: StreamIdKey | null;
  if (asked !== null && seqGiven) id = asked;
  else if (asked !== null) {
    // ms-*: the next sequence number within the last ID's millisecond, or ms-0.
    if (msPart(last) === msPart(asked)) {
      if (last.slice(8) === SEQ_MAX) throw TOO_SMALL;
      id = nextStreamId(last);
    } else id = asked;
  } else {
    const now = idAtMs(c.now());
    id = msPart(now) > msPart(last) ? now : nextStreamId(last);
  }
  if (id === null || !(id > last)) throw TOO_SMALL;
  return id;
}

function xadd(c: CommandContext, argv: ByteString[]): Reply {
  const a = parseTrimArgs(argv, true);
  const fieldAt = a.idIndex + 1;
  const n = argv.length - fieldAt;
  if (n < 2 || n % 2 === 1) throw arityError('xadd');
  if (a.id === MIN_STREAM_ID && a.seqGiven) throw argError('The ID specified in XADD must be greater than 0-0');
  const key = argv[1];
  let s = c.stream(key);
  if (s === undefined && a.noMkStream) return null;
  const last = s?.lastId ?? MIN_STREAM_ID;
  if (last === MAX_STREAM_ID) throw argError('The stream has exhausted the last possible ID, unable to add more items');
  const id = newEntryId(c, last, a.id, a.seqGiven);
  if (s === undefined) {
    s = new StreamValue();
    c.overwrite(key, s);
  }
  const nodes = StreamNodes.of(s);
  const fields = argv.slice(fieldAt);
  s.append(id, fields);
  nodes?.append(id, fields);
  s.lastId = id;
  s.entriesAdded++;
  if (s.length === 1) s.firstId = id;
  if (a.strategy !== TrimStrategy.None) trimStream(s, a);
  return idReply(id);
}

function xdel(c: CommandContext, argv: ByteString[]): Reply {
  const s = c.stream(argv[1]);
  if (s === undefined) return 0;
  const ids = new Array<StreamIdKey>(argv.length - 2);
  for (let j = 2; j < argv.length; j++) ids[j - 2] = parseStreamId(argv[j], 'min', true);
  const nodes = StreamNodes.of(s);
  let deleted = 0;
  let firstGone = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    nodes?.remove(id);
    if (id === s.firstId) firstGone = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId = MIN_STREAM_ID;
    else if (firstGone) s.firstId = s.idAt(0) ?? MAX_STREAM_ID;
  }
  return deleted;
}

function xtrim(c: CommandContext, argv: ByteString[]): Reply {
  const a = parseTrimArgs(argv, false);
  const s = c.stream(argv[1]);
  return s === undefined ? 0 : trimStream(s, a);
}

function xsetid(c: CommandContext, argv: ByteString[]): Reply {
  const id = parseStreamId(argv[2], 'min', true);
  let entriesAdded = -1;
  let maxDeleted = MIN_STREAM_ID;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (more > 0 && isWord(argv[i], 'entriesadded')) {
      entriesAdded = parseInteger(argv[i + 1]);
      if (entriesAdded < 0) throw argError('entries_added must be positive');
    } else if (more > 0 && isWord(argv[i], 'maxdeletedid')) {
      maxDeleted = parseStreamId(argv[i + 1], 'min', true);
      if (id < maxDeleted) throw argError('The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
    } else throw SYNTAX;
  }
  const s = c.stream(argv[1]);
  if (s === undefined) throw argError('no such key');
  if (s.length > 0) {
    const top = s.entryCount > 0 ? s.idAt(s.entryCount - 1)! : MIN_STREAM_ID;
    if (id < top) throw argError('The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1 && s.length > entriesAdded) throw argError('The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted !== MIN_STREAM_ID) s.maxDeletedId = maxDeleted;
  return OK;
}

/** XRANGE (`rev` false) and XREVRANGE. */
function xrange(c: CommandContext, argv: ByteString[], rev: boolean): Reply {
  const start = parseRangeId(rev ? argv[3] : argv[2], 'min');
  let startId: StreamIdKey | null = start.id;
  if (start.exclusive && (startId = nextStreamId(startId)) === null) throw argError('invalid start ID for the interval');
  const end = parseRangeId(rev ? argv[2] : argv[3], 'max');
  let endId: StreamIdKey | null = end.id;
  if (end.exclusive && (endId = prevStreamId(endId)) === null) throw argError('invalid end ID for the interval');
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isWord(argv[j], 'count') && j < argv.length - 1) {
      count = Math.max(0, parseInteger(argv[++j]));
    } else throw SYNTAX;
  }
  const s = c.stream(argv[1]);
  if (s === undefined) return [];
  if (count === 0) return null;
  return rangeReply(s, startId, endId, Math.max(count, 0), rev);
}

/** The stream commands. */
export const streamsCommands: CommandTable = {
  xadd: { arity: -5, run: xadd },
  xdel: { arity: -3, run: xdel },
  xtrim: { arity: -4, run: xtrim },
  xsetid: { arity: -3, run: xsetid },
  xlen: { arity: 2, run: (c, argv) => c.stream(argv[1])?.length ?? 0 },
  xrange: { arity: -4, run: (c, argv) => xrange(c, argv, false) },
  xrevrange: { arity: -4, run: (c, argv) => xrange(c, argv, true) },
  xread: { arity: -4, run: readStreams },
  ...streamGroupCommands,
};
