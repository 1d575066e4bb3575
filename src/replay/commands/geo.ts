/**
 * The geo commands. A geo set is a sorted set whose scores are 52-bit geohashes (geohash.ts).
 *
 * Since Redis 3.2 GEOADD reaches the AOF as the ZADD it turns into, but the searches that
 * store (GEORADIUS/GEORADIUSBYMEMBER with STORE or STOREDIST, GEOSEARCHSTORE) are logged
 * verbatim, and files written before Redis 5.0 hold Lua scripts verbatim, whose
 * `redis.call('geoadd', …)` and geo reads run here. Everything follows Redis 7.0: GEOADD with
 * NX, XX and CH and its coordinate checks, the searches with every option (geo-search.ts), and
 * the reads GEOPOS, GEODIST and GEOHASH with the server's number formats (geo-format.ts).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { SYNTAX } from '../errors.js';
import type { Reply } from '../reply.js';
import { applyZAdd, ZADD_CH, ZADD_NX, ZADD_XX } from './zsets.js';
import { decodeScore, geohashText, geoScore } from './geohash.js';
import { geoDistance } from './geohash-areas.js';
import { formatCoordinate, formatDistance } from './geo-format.js';
import {
  GEOSEARCH,
  GEOSEARCHSTORE,
  RADIUS_COORDS,
  RADIUS_MEMBER,
  RADIUS_NOSTORE,
  geoSearchGeneric,
  optionWord,
  parseLonLat,
  parseUnit,
} from './geo-search.js';

/**
 * GEOADD key [NX|XX] [CH] lon lat member …: every triple checked first, then the members
 * added as ZADD adds them, with the flags passed on.
 */
function geoadd(c: CommandContext, argv: ByteString[]): Reply {
  let flags = 0;
  let at = 2;
  for (; at < argv.length; at++) {
    const w = optionWord(argv[at]);
    if (w === 'nx') flags |= ZADD_NX;
    else if (w === 'xx') flags |= ZADD_XX;
    else if (w === 'ch') flags |= ZADD_CH;
    else break;
  }
  const left = argv.length - at;
  if (left % 3 !== 0 || (flags & ZADD_NX && flags & ZADD_XX)) throw SYNTAX;
  const n = left / 3;
  // The arguments of the ZADD it becomes: score, member, score, member …
  const scores = new Float64Array(n);
  const zaddArgs: ByteString[] = [];
  for (let j = 0; j < n; j++) {
    const [lon, lat] = parseLonLat(argv, at + 3 * j);
    scores[j] = geoScore(lon, lat);
    zaddArgs.push('', argv[at + 3 * j + 2]);
  }
  // ZADD refuses a command without pairs.
  if (n === 0) throw SYNTAX;
  return applyZAdd(c, argv[1], flags, scores, zaddArgs, 1, n);
}

/** GEOPOS key member …: each member's [longitude, latitude], or nil. */
function geopos(c: CommandContext, argv: ByteString[]): Reply {
  const z = c.zset(argv[1]);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    if (score === undefined) out.push(null);
    else {
      const [x, y] = decodeScore(score);
      out.push([formatCoordinate(x), formatCoordinate(y)]);
    }
  }
  return out;
}

/** GEODIST key m1 m2 [unit]: the distance between two members, or nil when one is missing. */
function geodist(c: CommandContext, argv: ByteString[]): Reply {
  let toMeter = 1;
  if (argv.length === 5) toMeter = parseUnit(argv[4]);
  else if (argv.length > 5) throw SYNTAX;
  const z = c.zset(argv[1]);
  if (z === undefined) return null;
  const s1 = z.score(argv[2]);
  const s2 = z.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return null;
  const [x1, y1] = decodeScore(s1);
  const [x2, y2] = decodeScore(s2);
  return formatDistance(geoDistance(x1, y1, x2, y2) / toMeter);
}

/** GEOHASH key member …: each member's 11-character geohash, or nil. */
function geohash(c: CommandContext, argv: ByteString[]): Reply {
  const z = c.zset(argv[1]);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    out.push(score === undefined ? null : geohashText(score));
  }
  return out;
}

export const geoCommands: CommandTable = {
  geoadd: { arity: -5, run: geoadd },
  georadius: { arity: -6, run: (c, argv) => geoSearchGeneric(c, argv, 1, RADIUS_COORDS) },
  georadiusbymember: { arity: -5, run: (c, argv) => geoSearchGeneric(c, argv, 1, RADIUS_MEMBER) },
  georadius_ro: { arity: -6, run: (c, argv) => geoSearchGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE) },
  georadiusbymember_ro: { arity: -5, run: (c, argv) => geoSearchGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE) },
  geosearch: { arity: -7, run: (c, argv) => geoSearchGeneric(c, argv, 1, GEOSEARCH) },
  geosearchstore: { arity: -8, run: (c, argv) => geoSearchGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE) },

  // Reads.
  geopos: { arity: -2, run: geopos },
  geodist: { arity: -4, run: geodist },
  geohash: { arity: -2, run: geohash },
};
