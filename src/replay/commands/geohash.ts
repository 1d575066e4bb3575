/**
 * Redis's geohash, at the bit level: a point's longitude and latitude are each scaled to a
 * fraction of their range and cut to `step` bits, and the two are interleaved (latitude bits
 * at the even positions, longitude bits at the odd ones) into one integer. At step 26 that
 * integer, 52 bits wide, is the member's score in the sorted set. Redis's latitude range is
 * the Web-Mercator one, ±85.05112878 degrees; GEOHASH re-encodes with the usual ±90.
 *
 * Everything here repeats the server's arithmetic to the bit, edge cases included: a
 * coordinate on the upper edge of its range scales to 2^step, one bit above the others, and
 * the bit is kept (a point at longitude 180 gets a score above 2^53); a score read back is
 * first converted to a 64-bit unsigned integer as C converts a double on x86-64, so the
 * coordinates of any score, even one ZADD wrote by hand, decode as the server decodes them.
 * Cells are `{ bits, step }` with `bits` a 64-bit unsigned bigint (operations wrap modulo
 * 2^64 as C's do); the score path, run once per candidate of a search, works on two 32-bit
 * halves instead.
 */

/** Bits per coordinate of a stored score (GEO_STEP_MAX): 26 × 2 = 52. */
export const GEO_STEP_MAX = 26;
/** Latitude limits (GEO_LAT_MIN/MAX, the EPSG:900913 ones). */
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
/** Longitude limits (GEO_LONG_MIN/MAX). */
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

/** A cell: `step` bits of each coordinate interleaved in `bits` (a uint64). */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

/** A range of one coordinate. */
export interface CoordRange {
  min: number;
  max: number;
}

/** A cell's extent. */
export interface GeoHashArea {
  longitude: CoordRange;
  latitude: CoordRange;
}

/** The ranges Redis encodes scores in. */
export const LONG_RANGE: CoordRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const LAT_RANGE: CoordRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The ranges of the standard geohash (GEOHASH's text). */
export const STD_LONG_RANGE: CoordRange = { min: -180, max: 180 };
export const STD_LAT_RANGE: CoordRange = { min: -90, max: 90 };

const U64 = (1n << 64n) - 1n;
const EVEN_MASK = 0x5555555555555555n;
const ODD_MASK = 0xaaaaaaaaaaaaaaaan;
const TWO32 = 4294967296;

/** Spreads the low 16 bits of `v` to the even positions of a 32-bit word. */
function spread16(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function compactEven(w: number): number {
  let x = w & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** A double cut to a uint32 as C converts it (truncation; the values here are in 0 … 2^32). */
function toUint32(v: number): number {
  return Math.trunc(v) >>> 0;
}

/** Interleaves two uint32s: `even`'s bits at the even positions, `odd`'s at the odd ones. */
export function interleave(even: number, odd: number): bigint {
  const lo = (spread16(even) | (spread16(odd) << 1)) >>> 0;
  const hi = (spread16(even >>> 16) | (spread16(odd >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The two halves of a uint64 split back: [even bits, odd bits] as uint32s. */
function deinterleaveHalves(hi: number, lo: number): [number, number] {
  const even = ((compactEven(hi) << 16) | compactEven(lo)) >>> 0;
  const odd = ((compactEven(hi >>> 1) << 16) | compactEven(lo >>> 1)) >>> 0;
  return [even, odd];
}

/** A uint64's [even bits, odd bits]. */
export function deinterleave(bits: bigint): [number, number] {
  return deinterleaveHalves(Number(bits >> 32n), Number(bits & 0xffffffffn));
}

/**
 * Encodes a point at `step` bits per coordinate in the given ranges (geohashEncode); null
 * when the point lies outside Redis's limits or the ranges.
 */
export function geohashEncode(longRange: CoordRange, latRange: CoordRange, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  return { bits: interleave(toUint32(latOffset), toUint32(longOffset)), step };
}

/** A cell's bits moved to the top of 52 bits (geohashAlign52Bits), modulo 2^64. */
export function align52(h: GeoHashBits): bigint {
  return (h.bits << BigInt(52 - h.step * 2)) & U64;
}

/**
 * The score GEOADD stores for a point already checked to be within the limits: the 52-bit
 * hash as a double (a hash above 2^53 rounds to nearest, as the server's decimal text of it
 * does when ZADD reads it back).
 */
export function geoScore(longitude: number, latitude: number): number {
  return Number(align52(geohashEncode(LONG_RANGE, LAT_RANGE, longitude, latitude, GEO_STEP_MAX)!));
}

/** The extent of cell `(lat, lon)` at `step` in the given ranges (geohashDecode). */
function areaOf(lat: number, lon: number, step: number, longRange: CoordRange, latRange: CoordRange): GeoHashArea {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const cells = 2 ** step;
  return {
    latitude: {
      min: latRange.min + (lat / cells) * latScale,
      max: latRange.min + (((lat + 1) >>> 0) / cells) * latScale,
    },
    longitude: {
      min: longRange.min + (lon / cells) * longScale,
      max: longRange.min + (((lon + 1) >>> 0) / cells) * longScale,
    },
  };
}

/** The extent of a cell in Redis's ranges. */
export function geohashDecode(h: GeoHashBits): GeoHashArea {
  const [lat, lon] = deinterleave(h.bits);
  return areaOf(lat, lon, h.step, LONG_RANGE, LAT_RANGE);
}

/** A cell's centre, clamped to the limits (geohashDecodeAreaToLongLat): [longitude, latitude]. */
export function areaCentre(a: GeoHashArea): [number, number] {
  let x = (a.longitude.min + a.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latitude.min + a.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/**
 * A score as C's `(uint64_t)` conversion leaves it on x86-64, as two uint32 halves [hi, lo]:
 * truncated toward zero; a negative value wraps modulo 2^64; 2^64 and more (and +inf) give 0;
 * −2^63 and less (and −inf, NaN) give 2^63 — the "integer indefinite" of the conversion.
 */
export function scoreToUint64Halves(score: number): [number, number] {
  if (score >= 0 && score < 18446744073709551616) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  if (score >= 18446744073709551616) return [0, 0];
  if (score > -9223372036854775808) {
    const v = BigInt.asUintN(64, BigInt(Math.trunc(score)));
    return [Number(v >> 32n), Number(v & 0xffffffffn)];
  }
  return [0x80000000, 0];
}

/**
 * The point a score stands for (decodeGeohash): the centre of its step-26 cell, clamped to
 * the limits, as [longitude, latitude].
 */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = scoreToUint64Halves(score);
  const [lat, lon] = deinterleaveHalves(hi, lo);
  return areaCentre(areaOf(lat, lon, GEO_STEP_MAX, LONG_RANGE, LAT_RANGE));
}

/** One cell over along the longitude (odd bits), wrapping, as geohash_move_x. */
function moveX(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  const shift = BigInt(64 - h.step * 2);
  let x = h.bits & ODD_MASK;
  const y = h.bits & EVEN_MASK;
  const zz = EVEN_MASK >> shift;
  if (d > 0) x = (x + (zz + 1n)) & U64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & U64;
  }
  x &= ODD_MASK >> shift;
  return { bits: x | y, step: h.step };
}

/** One cell over along the latitude (even bits), wrapping, as geohash_move_y. */
function moveY(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  const shift = BigInt(64 - h.step * 2);
  const x = h.bits & ODD_MASK;
  let y = h.bits & EVEN_MASK;
  const zz = ODD_MASK >> shift;
  if (d > 0) y = (y + (zz + 1n)) & U64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & U64;
  }
  y &= EVEN_MASK >> shift;
  return { bits: x | y, step: h.step };
}

/** The eight cells around a cell. */
export interface GeoHashNeighbors {
  north: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  south: GeoHashBits;
  northEast: GeoHashBits;
  southEast: GeoHashBits;
  northWest: GeoHashBits;
  southWest: GeoHashBits;
}

/** The neighbours of a cell (geohashNeighbors). */
export function geohashNeighbors(h: GeoHashBits): GeoHashNeighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

/** The empty cell that marks a neighbour left out of a search (GZERO). */
export const ZERO_CELL: GeoHashBits = { bits: 0n, step: 0 };

/** True for {@link ZERO_CELL}. */
export function isZeroCell(h: GeoHashBits): boolean {
  return h.bits === 0n && h.step === 0;
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11 characters for a score: the point decoded, re-encoded at 26 bits in the
 * standard ±90/±180 ranges, written five bits a character; the 11th character stands for
 * bits the score does not have and is always `0`.
 */
export function geohashText(score: number): string {
  const [lon, lat] = decodeScore(score);
  const bits = geohashEncode(STD_LONG_RANGE, STD_LAT_RANGE, lon, lat, GEO_STEP_MAX)!.bits;
  let out = '';
  for (let i = 0; i < 10; i++) out += BASE32[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return out + '0';
}
