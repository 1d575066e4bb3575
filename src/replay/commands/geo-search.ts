/**
 * GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE: one
 * routine, as in Redis (georadiusGeneric), so that the forms share the order in which
 * arguments are read and refused.
 *
 * A search walks the score ranges of up to nine cells around the centre (geohash-areas.ts), in
 * the sorted set's order, keeping the points inside the shape; with COUNT … ANY it stops as soon
 * as it has enough. The points are then sorted by distance when asked (COUNT alone implies
 * ASC): in full with a stable sort when every point is returned (glibc's qsort is a merge
 * sort), with Redis's partial quicksort when COUNT cuts the list (its order of equal distances
 * is its own). The reply lists members, optionally with the distance (four decimals, in the
 * unit asked), the score as an integer and the coordinates; STORE writes the members with their
 * scores, STOREDIST with their distances, into a sorted set that replaces the destination —
 * or deletes it when nothing was found.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { ZSetValue } from '../../dataset/zset.js';
import type { CommandContext } from '../context.js';
import { argError, SYNTAX } from '../errors.js';
import { parseInt64 } from '../args.js';
import type { Reply } from '../reply.js';
import { parseScore } from './zset-args.js';
import { zsetOf } from './zset-algebra.js';
import { pqsort } from './pqsort.js';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, align52, decodeScore, isZeroCell, type GeoHashBits } from './geohash.js';
import { distanceWithin, searchCells, walkOrder, type GeoShape } from './geohash-areas.js';
import { formatCoordinate, formatDistance, printfFixed } from './geo-format.js';

/** Search around coordinates (GEORADIUS). */
export const RADIUS_COORDS = 1;
/** Search around a member (GEORADIUSBYMEMBER). */
export const RADIUS_MEMBER = 2;
/** STORE and STOREDIST refused (the _RO forms). */
export const RADIUS_NOSTORE = 4;
/** GEOSEARCH's arguments (FROM…/BY…). */
export const GEOSEARCH = 8;
/** GEOSEARCHSTORE (the destination first; STOREDIST a bare flag). */
export const GEOSEARCHSTORE = 16;

const U64 = (1n << 64n) - 1n;

/**
 * An option word as C's strcasecmp sees it: the argument up to its first NUL byte, lower-cased
 * (Latin-1 letters outside ASCII never lower-case into ASCII, so they cannot match).
 */
export function optionWord(s: ByteString): string {
  const nul = s.indexOf('\0');
  const w = nul >= 0 ? s.slice(0, nul) : s;
  return w.length > 16 ? '' : w.toLowerCase();
}

/**
 * A longitude and a latitude from `argv[at]` and `argv[at + 1]` (extractLongLatOrReply): both
 * read as floats first, then checked against the limits.
 * @throws CommandError "value is not a valid float", or the invalid pair with both values as `%f` writes them.
 */
export function parseLonLat(argv: ByteString[], at: number): [number, number] {
  const lon = parseScore(argv[at]);
  const lat = parseScore(argv[at + 1]);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw argError(`invalid longitude,latitude pair ${printfFixed(lon, 6)},${printfFixed(lat, 6)}`);
  }
  return [lon, lat];
}

const BAD_UNIT = argError('unsupported unit provided. please use M, KM, FT, MI');

/** Metres per unit (extractUnitOrReply). @throws CommandError for an unknown unit. */
export function parseUnit(s: ByteString): number {
  switch (optionWord(s)) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      throw BAD_UNIT;
  }
}

const NEED_RADIUS = argError('need numeric radius');
const NEGATIVE_RADIUS = argError('radius cannot be negative');
const NEED_WIDTH = argError('need numeric width');
const NEED_HEIGHT = argError('need numeric height');
const NEGATIVE_BOX = argError('height or width cannot be negative');
const NO_MEMBER = argError('could not decode requested zset member');
const COUNT_POSITIVE = argError('COUNT must be > 0');
const ANY_NEEDS_COUNT = argError('the ANY argument requires COUNT argument');

/** `radius unit` from `argv[at]` into the shape (extractDistanceOrReply). */
function parseRadius(argv: ByteString[], at: number, shape: GeoShape): void {
  const r = parseScore(argv[at], NEED_RADIUS);
  if (r < 0) throw NEGATIVE_RADIUS;
  const conversion = parseUnit(argv[at + 1]);
  shape.radius = r;
  shape.conversion = conversion;
}

/** `width height unit` from `argv[at]` into the shape (extractBoxOrReply). */
function parseBox(argv: ByteString[], at: number, shape: GeoShape): void {
  const w = parseScore(argv[at], NEED_WIDTH);
  const h = parseScore(argv[at + 1], NEED_HEIGHT);
  if (h < 0 || w < 0) throw NEGATIVE_BOX;
  const conversion = parseUnit(argv[at + 2]);
  shape.width = w;
  shape.height = h;
  shape.conversion = conversion;
}

/** A member's position. @throws CommandError when the member is not in the set. */
function memberPosition(z: ZSetValue, member: ByteString): [number, number] {
  const score = z.score(member);
  if (score === undefined) throw NO_MEMBER;
  return decodeScore(score);
}

/** A point found by a search. */
interface GeoPoint {
  member: ByteString;
  longitude: number;
  latitude: number;
  /** Metres from the centre (divided by the unit before it is replied or stored). */
  dist: number;
  score: number;
}

/**
 * Appends the points of one cell's score range that lie inside the shape
 * (geoGetPointsInRange); with a `limit`, stops once the list holds that many.
 */
function pointsInCell(z: ZSetValue, cell: GeoHashBits, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const min = Number(align52(cell));
  const max = Number(align52({ bits: (cell.bits + 1n) & U64, step: cell.step }));
  for (const [member, score] of z.ascending(z.rankOfScore(min))) {
    if (!(score < max)) break;
    const [x, y] = decodeScore(score);
    const dist = distanceWithin(shape, x, y);
    if (dist !== null) out.push({ member, longitude: x, latitude: y, dist, score });
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
  }
}

/**
 * The points of the nine cells (membersOfAllNeighbors): zero cells skipped, and a cell equal
 * to the last one walked (huge radii make neighbours coincide) skipped too.
 */
function pointsAround(z: ZSetValue, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = walkOrder(searchCells(shape));
  const out: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isZeroCell(cell)) continue;
    // Redis compares with the last cell walked only from the second one on (index 0 is falsy).
    if (last !== 0 && cell.bits === cells[last].bits && cell.step === cells[last].step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    pointsInCell(z, cell, shape, out, limit);
    last = i;
  }
  return out;
}

function byDistanceAsc(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function byDistanceDesc(a: GeoPoint, b: GeoPoint): number {
  return -byDistanceAsc(a, b);
}

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/**
 * Runs one of the search commands; `srcKeyIndex` is where the source key is (2 for
 * GEOSEARCHSTORE, 1 otherwise) and `flags` says which form it is.
 * @throws CommandError with Redis's text, in Redis's order of checks.
 */
export function geoSearchGeneric(c: CommandContext, argv: ByteString[], srcKeyIndex: number, flags: number): Reply {
  let storeKey: ByteString | null = null;
  let storeDist = false;
  const z = c.zset(argv[srcKeyIndex]);
  const shape: GeoShape = { type: 'circle', xy: [0, 0], conversion: 0, radius: 0, width: 0, height: 0 };
  let base: number;
  if (flags & RADIUS_COORDS) {
    base = 6;
    shape.xy = parseLonLat(argv, 2);
    parseRadius(argv, base - 2, shape);
  } else if (flags & RADIUS_MEMBER && z === undefined) {
    // No source: the arguments are still read, to know which empty reply to give.
    base = 5;
  } else if (flags & RADIUS_MEMBER) {
    base = 5;
    shape.xy = memberPosition(z!, argv[2]);
    parseRadius(argv, base - 2, shape);
  } else {
    base = 2;
    if (flags & GEOSEARCHSTORE) {
      base = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const at = base + i;
    const arg = optionWord(argv[at]);
    if (arg === 'withdist') withDist = true;
    else if (arg === 'withhash') withHash = true;
    else if (arg === 'withcoord') withCoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[at + 1]);
      if (n <= 0n) throw COUNT_POSITIVE;
      count = Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[at + 1];
      storeDist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & GEOSEARCH && !fromLoc) {
      // Without a source the member is not looked up; the reply will be empty anyway.
      if (z !== undefined) shape.xy = memberPosition(z, argv[at + 1]);
      fromMember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & GEOSEARCH && !fromMember) {
      shape.xy = parseLonLat(argv, at + 1);
      fromLoc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & GEOSEARCH && !byBox) {
      parseRadius(argv, at + 1, shape);
      shape.type = 'circle';
      byRadius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & GEOSEARCH && !byRadius) {
      parseBox(argv, at + 1, shape);
      shape.type = 'box';
      byBox = true;
      i += 3;
    } else throw SYNTAX;
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    throw argError(`${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & GEOSEARCH && !(fromMember || fromLoc)) throw argError(`exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
  if (flags & GEOSEARCH && !(byRadius || byBox)) throw argError(`exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
  if (any && count === 0) throw ANY_NEEDS_COUNT;

  if (z === undefined) {
    if (storeKey !== null) {
      c.delete(storeKey);
      return 0;
    }
    return [];
  }

  // COUNT needs the nearest points, so it sorts unless ANY asked for any points at all.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const points = pointsAround(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return [];
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistanceAsc : byDistanceDesc;
    if (returned === points.length) points.sort(cmp);
    else pqsort(points, cmp, 0, returned - 1);
  }

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    const out: Reply[] = [];
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (options === 0) {
        out.push(p.member);
        continue;
      }
      const item: Reply[] = [p.member];
      if (withDist) item.push(formatDistance(p.dist / shape.conversion));
      if (withHash) item.push(Math.trunc(p.score) + 0); // an integer reply has no −0
      if (withCoords) item.push([formatCoordinate(p.longitude), formatCoordinate(p.latitude)]);
      out.push(item);
    }
    return out;
  }

  if (returned === 0) {
    c.delete(storeKey);
    return 0;
  }
  // One score per member (the cells never overlap, so no member comes twice).
  const scores = new Map<ByteString, number>();
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    scores.set(p.member, storeDist ? p.dist / shape.conversion : p.score);
  }
  c.overwrite(storeKey, zsetOf({ members: [...scores.keys()], scores: [...scores.values()] })!);
  return returned;
}
