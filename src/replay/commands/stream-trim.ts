/**
 * The options XADD and XTRIM share (`MAXLEN [=|~] n`, `MINID [=|~] id`, `LIMIT n`, and for
 * XADD `NOMKSTREAM` and the ID), and trimming itself.
 *
 * A file replayed is read the way Redis reads it from its AOF client: LIMIT is ignored (the
 * server logged the exact result of an approximate trim as `=` with the resulting length or
 * first ID, and kept the client's LIMIT, which would be a syntax error from a normal client).
 * A `~` that is still in a file (a file written by hand; servers since 5.0 rewrite it) trims
 * whole nodes only, as Redis does; the node layout comes from {@link StreamNodes}.
 *
 * Trimming removes entries from the head; the stream's first ID follows (0-0 when the stream
 * is left empty), while its largest deleted ID does not (only XDEL moves it).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { MIN_STREAM_ID, type StreamIdKey } from '../../dataset/stream-id.js';
import type { StreamValue } from '../../dataset/stream.js';
import { argError, SYNTAX } from '../errors.js';
import { isWord, parseInteger } from '../args.js';
import { parseStreamId, seqGiven } from './stream-args.js';
import { StreamNodes } from './stream-nodes.js';

/** No trimming, trim to a length, trim below an ID. */
export const TrimStrategy = { None: 0, MaxLen: 1, MinId: 2 } as const;
export type TrimStrategy = (typeof TrimStrategy)[keyof typeof TrimStrategy];

/** What XADD / XTRIM options said. */
export interface TrimArgs {
  strategy: TrimStrategy;
  /** `~` given: only whole nodes go. */
  approx: boolean;
  /** MAXLEN's count. */
  maxLen: number;
  /** MINID's ID. */
  minId: StreamIdKey;
  /** XADD: NOMKSTREAM given. */
  noMkStream: boolean;
  /** XADD: index of the ID argument. */
  idIndex: number;
  /** XADD: the ID given, or null for `*`. */
  id: StreamIdKey | null;
  /** XADD: false for an `ms-*` ID. */
  seqGiven: boolean;
}

const BOTH = argError('syntax error, MAXLEN and MINID options at the same time are not compatible');

/** True for `*` as C reads it (the text ends at a NUL). */
function isStar(s: ByteString): boolean {
  return s.length > 0 && s.charCodeAt(0) === 0x2a && (s.length === 1 || s.charCodeAt(1) === 0);
}

/**
 * Reads the options of XADD (from argument 2 up to the ID) or XTRIM (all arguments after the
 * key), as Redis does for its AOF client.
 * @throws CommandError for every refusal Redis gives.
 */
export function parseTrimArgs(argv: ByteString[], xadd: boolean): TrimArgs {
  const a: TrimArgs = { strategy: TrimStrategy.None, approx: false, maxLen: 0, minId: MIN_STREAM_ID, noMkStream: false, idIndex: argv.length, id: null, seqGiven: true };
  let limit = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && isStar(opt)) break;
    const maxlen = more > 0 && isWord(opt, 'maxlen');
    if (maxlen || (more > 0 && isWord(opt, 'minid'))) {
      if (a.strategy !== TrimStrategy.None) throw BOTH;
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (maxlen) {
        a.maxLen = parseInteger(argv[i + 1]);
        if (a.maxLen < 0) throw argError('The MAXLEN argument must be >= 0.');
        a.strategy = TrimStrategy.MaxLen;
      } else {
        a.minId = parseStreamId(argv[i + 1], 'min', true);
        a.strategy = TrimStrategy.MinId;
      }
      i++;
    } else if (more > 0 && isWord(opt, 'limit')) {
      limit = parseInteger(argv[i + 1]);
      if (limit < 0) throw argError('The LIMIT argument must be >= 0.');
      i++;
    } else if (xadd && isWord(opt, 'nomkstream')) {
      a.noMkStream = true;
    } else if (xadd) {
      a.id = parseStreamId(opt, 'min', true, true);
      a.seqGiven = seqGiven;
      break;
    } else throw SYNTAX;
  }
  a.idIndex = i;
  if (limit !== 0 && a.strategy === TrimStrategy.None) throw argError('syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && a.strategy === TrimStrategy.None) throw argError('syntax error, XTRIM must be called with a trimming strategy');
  return a;
}

/**
 * Trims `s` as the options say and returns how many entries went. Keeps the first ID as
 * Redis does; a node layout kept for the stream follows.
 */
export function trimStream(s: StreamValue, a: TrimArgs): number {
  if (a.strategy === TrimStrategy.None) return 0;
  let nodes = StreamNodes.of(s);
  if (a.approx && nodes === undefined) nodes = StreamNodes.track(s);
  let deleted: number;
  if (nodes !== undefined) deleted = nodes.trim(s, a.strategy === TrimStrategy.MaxLen, a.maxLen, a.minId, a.approx);
  else {
    deleted = 0;
    if (a.strategy === TrimStrategy.MaxLen) {
      while (s.length > a.maxLen && s.entryCount > 0) {
        s.shift();
        deleted++;
      }
    } else {
      while (s.entryCount > 0 && s.idAt(0)! < a.minId) {
        s.shift();
        deleted++;
      }
    }
  }
  if (s.length === 0) s.firstId = MIN_STREAM_ID;
  else if (deleted > 0) s.firstId = s.idAt(0) ?? s.firstId;
  return deleted;
}
