/**
 * The geometry of a geo search as Redis does it: the great-circle distance (haversine on a
 * sphere of Redis's radius, 6372797.560856 m), the bounding box of a circle or a box around
 * the centre, the cell size (step) estimated from the radius, and the nine cells — the
 * centre's and its eight neighbours, some of them left out — whose score ranges the search
 * walks. A point inside the shape but outside those nine cells is not found, as on the server.
 *
 * The floating-point operations are the server's, in its order. The sine, cosine and arc sine
 * are JavaScript's (V8's are ports of fdlibm). The server's are its C library's: glibc's
 * (2.28 on) are neither fdlibm's nor correctly rounded, and on x86-64 they take FMA code paths
 * when the CPU has them, so up to about one distance in a hundred comes out an ulp or two away
 * from glibc's. That shows only where the exact double is kept — a distance STOREDIST stores —
 * and, in principle, for a point exactly on a search's edge; replies write distances with four
 * decimals and are not affected.
 */
import {
  LAT_RANGE,
  LONG_RANGE,
  ZERO_CELL,
  geohashDecode,
  geohashEncode,
  geohashNeighbors,
  type GeoHashArea,
  type GeoHashBits,
  type GeoHashNeighbors,
} from './geohash.js';

/** Degrees to radians (D_R, π/180). */
const D_R = Math.PI / 180;
/** The earth's radius Redis computes with (EARTH_RADIUS_IN_METERS). */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
/** Half the Mercator world's width, in metres (MERCATOR_MAX). */
const MERCATOR_MAX = 20037726.37;

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** A search's shape: a circle (`radius`) or a box (`width` × `height`), in units of `conversion` metres. */
export interface GeoShape {
  type: 'circle' | 'box';
  /** The centre, [longitude, latitude]. */
  xy: [number, number];
  /** Metres per unit (1, 1000, 0.3048, 1609.34). */
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

/** The distance along a meridian between two latitudes (geohashGetLatDistance). */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** The great-circle distance in metres between two points (geohashGetDistance). */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same longitude: the distance along the meridian, without the costly terms.
  if (v === 0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * The distance from the shape's centre to the point at (x, y), or null when the point is
 * outside the shape (geoWithinShape, the point already decoded).
 */
export function distanceWithin(shape: GeoShape, x: number, y: number): number | null {
  const [cx, cy] = shape.xy;
  if (shape.type === 'circle') {
    const d = geoDistance(cx, cy, x, y);
    return d > shape.radius * shape.conversion ? null : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(y, cy) > heightM / 2) return null;
  if (geoDistance(x, y, cx, y) > widthM / 2) return null;
  return geoDistance(cx, cy, x, y);
}

/**
 * The step whose cells are about the radius's size (geohashEstimateStepsByRadius): halve the
 * world until the radius no longer fits, back off two, and one or two more near the poles.
 */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/**
 * The shape's bounding box, [min lon, min lat, max lon, max lat] (geohashBoundingBox): the
 * longitude span taken at the edge nearer the pole (the top edge north of the equator, the
 * bottom one south of it).
 */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/** The cells a search walks: the centre's cell and its neighbours (left-out ones zero). */
export interface SearchCells {
  hash: GeoHashBits;
  area: GeoHashArea;
  neighbors: GeoHashNeighbors;
}

function cellsAt(longitude: number, latitude: number, steps: number): SearchCells {
  const hash = geohashEncode(LONG_RANGE, LAT_RANGE, longitude, latitude, steps)!;
  return { hash, neighbors: geohashNeighbors(hash), area: geohashDecode(hash) };
}

/**
 * The nine cells covering the shape (geohashCalculateAreasByShapeWGS84): the step estimated
 * from the radius (a box's half-diagonal), one step coarser when a neighbour does not reach
 * the bounding box's edge, and, from step 2 on, the neighbours beyond an edge of the bounding
 * box that the centre cell already passes left out.
 */
export function searchCells(shape: GeoShape): SearchCells {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.type === 'circle' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateSteps(radiusMeters, latitude);
  let cells = cellsAt(longitude, latitude, steps);
  const n = cells.neighbors;
  const decrease =
    geohashDecode(n.north).latitude.max < maxLat ||
    geohashDecode(n.south).latitude.min > minLat ||
    geohashDecode(n.east).longitude.max < maxLon ||
    geohashDecode(n.west).longitude.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    cells = cellsAt(longitude, latitude, steps);
  }
  if (steps >= 2) {
    const { area } = cells;
    const nb = cells.neighbors;
    if (area.latitude.min < minLat) nb.south = nb.southWest = nb.southEast = ZERO_CELL;
    if (area.latitude.max > maxLat) nb.north = nb.northEast = nb.northWest = ZERO_CELL;
    if (area.longitude.min < minLon) nb.west = nb.southWest = nb.northWest = ZERO_CELL;
    if (area.longitude.max > maxLon) nb.east = nb.southEast = nb.northEast = ZERO_CELL;
  }
  return cells;
}

/** The cells in the order the search walks them: centre, N, S, E, W, NE, NW, SE, SW. */
export function walkOrder(c: SearchCells): GeoHashBits[] {
  const n = c.neighbors;
  return [c.hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}
