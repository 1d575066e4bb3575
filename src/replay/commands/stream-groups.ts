/**
 * Consumer groups: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER), XACK,
 * XCLAIM, XAUTOCLAIM, XREADGROUP and XPENDING.
 *
 * What a server logs for group reads and claims is XCLAIM with explicit delivery time and
 * count (`XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last`);
 * XREADGROUP with NOACK becomes `XGROUP SETID … ENTRIESREAD n` (plus CREATECONSUMER), and
 * from 7.2 every delivering XREADGROUP ends with that SETID too. An entry that XCLAIM or
 * XAUTOCLAIM finds deleted while still pending is dropped from the PEL and logged as the
 * same XCLAIM form naming its old owner: replayed, that XCLAIM finds the entry missing and
 * drops the pending entry again.
 *
 * Redis 7.0 logs no ENTRIESREAD for XREADGROUP: its XCLAIM's LASTID moves the group's last
 * ID but not its read counter, so a server loading the file would hold a different counter
 * than the one that wrote it. To hold what that server saved, an XCLAIM of the logged form
 * (one ID, LASTID equal to it, ahead of the group) counts the read as XREADGROUP did.
 *
 * Claims follow 7.0: the named consumer is created only when something is claimed. Times
 * that a command takes relative to now (IDLE, the delivery time of a read) use the replay's
 * clock; consumers' seen and active times are the replay's too.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { MAX_STREAM_ID, MIN_STREAM_ID, nextStreamId, type StreamIdKey } from '../../dataset/stream-id.js';
import { StreamValue, UNKNOWN_ENTRIES_READ, type StreamGroupState } from '../../dataset/stream.js';
import { arityOk, type CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, arityError, CommandError, SYNTAX } from '../errors.js';
import { isWord, parseInteger, word } from '../args.js';
import { OK, type Reply } from '../reply.js';
import { entryReply, idReply, parseRangeId, parseStreamId, prevStreamId, tryStreamId } from './stream-args.js';

/** Redis 7.0's test for a deleted entry at or after `start` (`streamRangeHasTombstones` to the end). */
function tombstonesFrom(s: StreamValue, start: StreamIdKey): boolean {
  if (s.length === 0 || s.maxDeletedId === MIN_STREAM_ID) return false;
  if (s.firstId > s.maxDeletedId) return false;
  return start <= s.maxDeletedId;
}

/** Redis 7.0's `streamEstimateDistanceFromFirstEverEntry`. */
export function estimateEntriesRead70(s: StreamValue, id: StreamIdKey): number {
  if (s.entriesAdded === 0) return 0;
  if (s.length === 0 && id <= s.lastId) return s.entriesAdded;
  if (id === s.lastId) return s.entriesAdded;
  if (id > s.lastId) return UNKNOWN_ENTRIES_READ;
  if (s.maxDeletedId === MIN_STREAM_ID || s.maxDeletedId < s.firstId) {
    if (id < s.firstId) return s.entriesAdded - s.length;
    if (id === s.firstId) return s.entriesAdded - s.length + 1;
  }
  return UNKNOWN_ENTRIES_READ;
}

/** A group read reaches entry `id`: the read counter and last ID move as 7.0's XREADGROUP moves them. */
function advanceGroup(s: StreamValue, g: StreamGroupState, id: StreamIdKey): void {
  if (g.entriesRead !== UNKNOWN_ENTRIES_READ && !tombstonesFrom(s, id)) g.entriesRead++;
  else if (s.entriesAdded !== 0) g.entriesRead = estimateEntriesRead70(s, id);
  g.lastDeliveredId = id;
}

/** The stream and group a command names; NOGROUP (with `suffix`) when either is missing. */
function streamGroup(c: CommandContext, key: ByteString, name: ByteString, suffix = ''): [StreamValue, StreamGroupState] {
  const s = c.stream(key);
  const g = s?.groups.get(name);
  if (s === undefined || g === undefined) throw new CommandError('argument', `NOGROUP No such key '${key}' or consumer group '${name}'${suffix}`);
  return [s, g];
}

/** The consumer of that name, created when missing; its seen time is now either way. */
function touchConsumer(c: CommandContext, g: StreamGroupState, name: ByteString): void {
  const now = c.now();
  const existing = g.consumers.get(name);
  if (existing === undefined) g.addConsumer(name, now, -1);
  else existing.seenTimeMs = now;
}

/** The fields of a live entry as a reply, or null. */
function entryOrNull(s: StreamValue, id: StreamIdKey): Reply {
  const f = s.get(id);
  return f === undefined ? null : entryReply(id, f);
}

// ---- XGROUP ----

const SUBCOMMAND_ARITY: Readonly<Record<string, number>> = { create: -5, setid: -5, destroy: 4, createconsumer: 5, delconsumer: 5, help: 2 };

function subcommandSyntax(sub: ByteString): CommandError {
  return argError(`unknown subcommand or wrong number of arguments for '${sub}'. Try XGROUP HELP.`);
}

function xgroup(c: CommandContext, argv: ByteString[]): Reply {
  const sub = word(argv[1]);
  const arity = Object.prototype.hasOwnProperty.call(SUBCOMMAND_ARITY, sub) ? SUBCOMMAND_ARITY[sub] : undefined;
  if (arity === undefined) throw argError(`unknown subcommand '${argv[1].slice(0, 128)}'. Try XGROUP HELP.`);
  if (!arityOk(arity, argv.length)) throw arityError(`xgroup|${sub}`);
  if (sub === 'help') return ['XGROUP <subcommand> [<arg> ...]. Subcommands are: CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP'];
  let mkstream = false;
  let entriesRead = UNKNOWN_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (sub === 'create' && isWord(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((sub === 'create' || sub === 'setid') && isWord(argv[i], 'entriesread') && i + 1 < argv.length) {
      entriesRead = parseInteger(argv[i + 1]);
      if (entriesRead < 0 && entriesRead !== UNKNOWN_ENTRIES_READ) throw argError('value for ENTRIESREAD must be positive or -1');
      i += 2;
    } else throw subcommandSyntax(argv[1]);
  }
  const key = argv[2];
  const name = argv[3];
  let s = c.stream(key);
  let g = s?.groups.get(name);
  if (!mkstream) {
    if (s === undefined)
      throw argError('The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
    if (g === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer'))
      throw new CommandError('argument', `NOGROUP No such consumer group '${name}' for key name '${key}'`);
  }
  switch (sub) {
    case 'create': {
      if (argv.length > 8) throw subcommandSyntax(argv[1]);
      const id = argv[4] === '$' ? (s?.lastId ?? MIN_STREAM_ID) : parseStreamId(argv[4], 'min', true);
      if (s === undefined) {
        s = new StreamValue();
        c.overwrite(key, s);
      }
      if (s.groups.has(name)) throw new CommandError('argument', 'BUSYGROUP Consumer Group name already exists');
      s.addGroup(name, id, entriesRead);
      return OK;
    }
    case 'setid': {
      if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntax(argv[1]);
      const id = argv[4] === '$' ? s!.lastId : parseStreamId(argv[4], 'min', false);
      g!.lastDeliveredId = id;
      g!.entriesRead = entriesRead;
      return OK;
    }
    case 'destroy':
      if (g === undefined) return 0;
      s!.groups.delete(name);
      return 1;
    case 'createconsumer':
      if (g!.consumers.has(argv[4])) return 0;
      g!.addConsumer(argv[4], c.now(), -1);
      return 1;
    default: {
      const pending = g!.deleteConsumer(argv[4]);
      return pending < 0 ? 0 : pending;
    }
  }
}

// ---- XACK ----

function xack(c: CommandContext, argv: ByteString[]): Reply {
  const s = c.stream(argv[1]);
  const g = s?.groups.get(argv[2]);
  if (g === undefined) return 0;
  const ids = new Array<StreamIdKey>(argv.length - 3);
  for (let j = 3; j < argv.length; j++) ids[j - 3] = parseStreamId(argv[j], 'min', true);
  let acked = 0;
  for (const id of ids) if (g.deletePending(id)) acked++;
  return acked;
}

// ---- XCLAIM ----

/** Reads an option's integer with XCLAIM's own error text. */
function claimInt(arg: ByteString, what: string): number {
  return parseInteger(arg, argError(`Invalid ${what} option argument for XCLAIM`));
}

function xclaim(c: CommandContext, argv: ByteString[]): Reply {
  const [s, g] = streamGroup(c, argv[1], argv[2]);
  let minIdle = parseInteger(argv[4], argError('Invalid min-idle-time argument for XCLAIM'));
  if (minIdle < 0) minIdle = 0;
  const ids: StreamIdKey[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = tryStreamId(argv[j]);
    if (id === null) break;
    ids.push(id);
  }
  const now = c.now();
  let retryCount = -1;
  let deliveryTime = -1;
  let force = false;
  let justId = false;
  let lastId: StreamIdKey = MIN_STREAM_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = word(argv[j]);
    if (opt === 'force') force = true;
    else if (opt === 'justid') justId = true;
    else if (opt === 'idle' && more > 0) deliveryTime = now - claimInt(argv[++j], 'IDLE');
    else if (opt === 'time' && more > 0) deliveryTime = claimInt(argv[++j], 'TIME');
    else if (opt === 'retrycount' && more > 0) retryCount = claimInt(argv[++j], 'RETRYCOUNT');
    else if (opt === 'lastid' && more > 0) lastId = parseStreamId(argv[++j], 'min', true);
    else throw argError(`Unrecognized XCLAIM option '${argv[j]}'`);
  }
  if (lastId > g.lastDeliveredId) {
    // The form XREADGROUP logs: the read it stands for moved the read counter too.
    if (ids.length === 1 && ids[0] === lastId && s.indexOf(lastId) >= 0) advanceGroup(s, g, lastId);
    else g.lastDeliveredId = lastId;
  }
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const name = argv[3];
  let consumerReady = false;
  const out: Reply[] = [];
  for (const id of ids) {
    const p = g.pending.get(id);
    if (s.indexOf(id) < 0) {
      if (p !== undefined) g.deletePending(id);
      continue;
    }
    let count: number;
    if (p === undefined) {
      if (!force) continue;
      count = 1;
    } else {
      if (p.consumer !== null && minIdle > 0 && now - p.deliveryTimeMs < minIdle) continue;
      count = p.deliveryCount;
    }
    if (!consumerReady) {
      touchConsumer(c, g, name);
      consumerReady = true;
    }
    if (retryCount >= 0) count = retryCount;
    else if (!justId) count++;
    g.setPending(id, name, deliveryTime, count);
    g.consumers.get(name)!.activeTimeMs = now;
    out.push(justId ? idReply(id) : entryOrNull(s, id));
  }
  return out;
}

// ---- XAUTOCLAIM ----

function xautoclaim(c: CommandContext, argv: ByteString[]): Reply {
  let minIdle = parseInteger(argv[4], argError('Invalid min-idle-time argument for XAUTOCLAIM'));
  if (minIdle < 0) minIdle = 0;
  const start = parseRangeId(argv[5], 'min');
  let startId = start.id;
  if (start.exclusive) {
    const next = nextStreamId(startId);
    if (next === null) throw argError('invalid start ID for the interval');
    startId = next;
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    if (isWord(argv[j], 'count') && j < argv.length - 1) {
      count = parseInteger(argv[j + 1], argError('COUNT must be > 0'));
      if (count < 1 || count >= 2 ** 59) throw argError('COUNT must be > 0');
      j++;
    } else if (isWord(argv[j], 'justid')) justId = true;
    else throw SYNTAX;
  }
  const [s, g] = streamGroup(c, argv[1], argv[2]);
  const now = c.now();
  const name = argv[3];
  let consumerReady = false;
  let attempts = count * 10;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  const pel = g.pendingInOrder();
  let i = 0;
  while (i < pel.length && pel[i][0] < startId) i++;
  while (attempts-- > 0 && count > 0 && i < pel.length) {
    const [id, p] = pel[i++];
    if (s.indexOf(id) < 0) {
      g.deletePending(id);
      deleted.push(idReply(id));
      count--;
      continue;
    }
    if (minIdle > 0 && now - p.deliveryTimeMs < minIdle) continue;
    if (!consumerReady) {
      touchConsumer(c, g, name);
      consumerReady = true;
    }
    g.setPending(id, name, now, justId ? p.deliveryCount : p.deliveryCount + 1);
    g.consumers.get(name)!.activeTimeMs = now;
    claimed.push(justId ? idReply(id) : entryOrNull(s, id));
    count--;
  }
  const cursor = i < pel.length ? pel[i][0] : MIN_STREAM_ID;
  return [idReply(cursor), claimed, deleted];
}

// ---- XREADGROUP / XREAD ----

/** The parsed form of XREAD / XREADGROUP. */
interface ReadArgs {
  count: number;
  noack: boolean;
  group: ByteString | null;
  consumer: ByteString;
  keys: ByteString[];
  /** Per key: read after this ID; MAX_STREAM_ID for `>`. */
  after: StreamIdKey[];
  groups: (StreamGroupState | undefined)[];
}

/** Reads XREAD / XREADGROUP arguments and resolves keys, IDs and groups (every check before any change). */
export function parseRead(c: CommandContext, argv: ByteString[], group: boolean): ReadArgs {
  const a: ReadArgs = { count: 0, noack: false, group: null, consumer: '', keys: [], after: [], groups: [] };
  let streamsAt = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = word(argv[i]);
    if (o === 'block' && more > 0) {
      const t = parseInteger(argv[++i], argError('timeout is not an integer or out of range'));
      if (t < 0) throw argError('timeout is negative');
    } else if (o === 'count' && more > 0) {
      a.count = Math.max(0, parseInteger(argv[++i]));
    } else if (o === 'streams' && more > 0) {
      streamsAt = i + 1;
      if ((argv.length - streamsAt) % 2 !== 0) throw argError("Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      break;
    } else if (o === 'group' && more >= 2) {
      if (!group) throw argError('The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      a.group = argv[i + 1];
      a.consumer = argv[i + 2];
      i += 2;
    } else if (o === 'noack') {
      if (!group) throw argError('The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      a.noack = true;
    } else throw SYNTAX;
  }
  if (streamsAt === 0) throw SYNTAX;
  if (group && a.group === null) throw argError('Missing GROUP option for XREADGROUP');
  const n = (argv.length - streamsAt) / 2;
  for (let k = 0; k < n; k++) {
    const key = argv[streamsAt + k];
    const idArg = argv[streamsAt + n + k];
    const s = c.stream(key);
    let g: StreamGroupState | undefined;
    if (a.group !== null) {
      g = s?.groups.get(a.group);
      if (g === undefined) throw new CommandError('argument', `NOGROUP No such key '${key}' or consumer group '${a.group}' in XREADGROUP with GROUP option`);
    }
    let after: StreamIdKey;
    if (idArg === '$') {
      if (group)
        throw argError(
          'The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      after = s?.lastId ?? MIN_STREAM_ID;
    } else if (idArg === '>') {
      if (!group) throw argError('The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      after = MAX_STREAM_ID;
    } else after = parseStreamId(idArg, 'min', true);
    a.keys.push(key);
    a.after.push(after);
    a.groups.push(g);
  }
  return a;
}

/** The newest live entry's ID, or undefined. */
function lastLiveId(s: StreamValue): StreamIdKey | undefined {
  return s.entryCount > 0 ? s.idAt(s.entryCount - 1) : undefined;
}

/** Serves XREADGROUP for one stream: new entries (after `>`) or the consumer's history. */
function readGroup(c: CommandContext, s: StreamValue, g: StreamGroupState, a: ReadArgs, after: StreamIdKey): Reply[] | null {
  const history = after !== MAX_STREAM_ID;
  if (!history) {
    const max = lastLiveId(s);
    if (s.length === 0 || max === undefined || !(max > g.lastDeliveredId)) return null;
  }
  touchConsumer(c, g, a.consumer);
  const consumer = g.consumers.get(a.consumer)!;
  const now = c.now();
  const out: Reply[] = [];
  if (history) {
    const start = nextStreamId(after);
    const mine = start === null ? [] : [...consumer.pending].filter((id) => id >= start).sort();
    for (const id of mine) {
      if (a.count > 0 && out.length >= a.count) break;
      const f = s.get(id);
      if (f === undefined) out.push([idReply(id), null]);
      else {
        const p = g.pending.get(id)!;
        p.deliveryTimeMs = now;
        p.deliveryCount++;
        out.push(entryReply(id, f));
      }
    }
    return out;
  }
  for (let i = s.lowerBound(nextStreamId(g.lastDeliveredId) ?? MAX_STREAM_ID); i < s.entryCount; i++) {
    const [id, fields] = s.entryAt(i)!;
    if (id > g.lastDeliveredId) advanceGroup(s, g, id);
    out.push(entryReply(id, fields));
    if (!a.noack) {
      g.setPending(id, a.consumer, now, 1);
      consumer.activeTimeMs = now;
    }
    if (a.count > 0 && out.length === a.count) break;
  }
  return out;
}

function xreadgroup(c: CommandContext, argv: ByteString[]): Reply {
  const a = parseRead(c, argv, true);
  const out: Reply[] = [];
  for (let k = 0; k < a.keys.length; k++) {
    const s = c.stream(a.keys[k]);
    if (s === undefined) continue;
    const served = readGroup(c, s, a.groups[k]!, a, a.after[k]);
    if (served !== null) out.push([a.keys[k], served]);
  }
  return out.length > 0 ? out : null;
}

// ---- XPENDING ----

function xpending(c: CommandContext, argv: ByteString[]): Reply {
  let minIdle = 0;
  let at = 3;
  if (argv.length > 3 && isWord(argv[3], 'idle')) {
    if (argv.length < 6) throw SYNTAX;
    minIdle = parseInteger(argv[4]);
    at = 5;
  }
  const extended = argv.length > 3;
  if (extended && (argv.length - at < 3 || argv.length - at > 4)) throw SYNTAX;
  let start = MIN_STREAM_ID;
  let end = MAX_STREAM_ID;
  let count = 0;
  if (extended) {
    const s0 = parseRangeId(argv[at], 'min');
    const e0 = parseRangeId(argv[at + 1], 'max');
    start = s0.exclusive ? (nextStreamId(s0.id) ?? MAX_STREAM_ID) : s0.id;
    end = e0.exclusive ? (prevStreamId(e0.id) ?? MIN_STREAM_ID) : e0.id;
    count = Math.max(0, parseInteger(argv[at + 2]));
  }
  const [, g] = streamGroup(c, argv[1], argv[2]);
  const pel = g.pendingInOrder();
  if (!extended) {
    if (pel.length === 0) return [0, null, null, null];
    const per = new Map<ByteString, number>();
    for (const [, p] of pel) if (p.consumer !== null) per.set(p.consumer, (per.get(p.consumer) ?? 0) + 1);
    const names = [...per.keys()].sort();
    return [pel.length, idReply(pel[0][0]), idReply(pel[pel.length - 1][0]), names.map((n) => [n, String(per.get(n))])];
  }
  const now = c.now();
  const only = argv.length - at === 4 ? argv[at + 3] : null;
  const out: Reply[] = [];
  for (const [id, p] of pel) {
    if (out.length >= count || id > end) break;
    if (id < start || (only !== null && p.consumer !== only)) continue;
    const idle = Math.max(0, now - p.deliveryTimeMs);
    if (minIdle > 0 && idle < minIdle) continue;
    out.push([idReply(id), p.consumer ?? '', idle, p.deliveryCount]);
  }
  return out;
}

/** The group commands. */
export const streamGroupCommands: CommandTable = {
  xgroup: { arity: -2, run: xgroup },
  xack: { arity: -4, run: xack },
  xclaim: { arity: -6, run: xclaim },
  xautoclaim: { arity: -6, run: xautoclaim },
  xreadgroup: { arity: -7, run: xreadgroup },
  xpending: { arity: -3, run: xpending },
};

/** The read side of XREAD (a read-only command: nothing changes). */
export function readStreams(c: CommandContext, argv: ByteString[]): Reply {
  const a = parseRead(c, argv, false);
  const out: Reply[] = [];
  for (let k = 0; k < a.keys.length; k++) {
    const s = c.stream(a.keys[k]);
    const start = nextStreamId(a.after[k]);
    if (s === undefined || start === null) continue;
    const served: Reply[] = [];
    for (let i = s.lowerBound(start); i < s.entryCount; i++) {
      const [id, fields] = s.entryAt(i)!;
      served.push(entryReply(id, fields));
      if (a.count > 0 && served.length === a.count) break;
    }
    if (served.length > 0) out.push([a.keys[k], served]);
  }
  return out.length > 0 ? out : null;
}
