/**
 * Whole-value operations on a HyperLogLog, over either encoding: add an element, count,
 * merge into a union of registers (the pieces PFADD, PFCOUNT and PFMERGE are made of).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { HllBuffer } from './buffer.js';
import { denseSet, HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS } from './layout.js';
import { patternOf } from './murmur.js';
import { sparseHistogram, sparseMergeInto, sparseSet } from './sparse.js';
import { denseHistogram, estimateFromHistogram } from './estimate.js';

/** A histogram of register values, reused. */
const histo = new Int32Array(64);

/**
 * Adds an element (`hllAdd`): 1 when a register rose, 0 when not, −1 when the sparse
 * opcodes are damaged. A sparse value may turn dense on the way.
 */
export function addElement(h: HllBuffer, ele: ByteString, sparseMaxBytes: number): number {
  const pat = patternOf(ele);
  const index = pat & (HLL_REGISTERS - 1);
  const count = Math.floor(pat / HLL_REGISTERS);
  return h.encoding === HLL_DENSE ? denseSet(h.bytes, index, count) : sparseSet(h, index, count, sparseMaxBytes);
}

/** The estimated cardinality of a value (`hllCount`), or null when its sparse opcodes are damaged. */
export function countOf(h: HllBuffer): number | null {
  histo.fill(0);
  if (h.encoding === HLL_DENSE) denseHistogram(h.bytes, histo);
  else if (!sparseHistogram(h.bytes, h.length, histo)) return null;
  return estimateFromHistogram(histo);
}

/**
 * Raises `max[i]` (one byte per register) to each register of a value (`hllMerge`).
 * @returns false when its sparse opcodes are damaged.
 */
export function mergeInto(max: Uint8Array, h: HllBuffer): boolean {
  if (h.encoding !== HLL_DENSE) return sparseMergeInto(max, h.bytes, h.length);
  const b = h.bytes;
  // Three bytes hold four registers.
  for (let p = HLL_HDR_SIZE, i = 0; i < HLL_REGISTERS; p += 3, i += 4) {
    const b0 = b[p];
    const b1 = b[p + 1];
    const b2 = b[p + 2];
    const r0 = b0 & 63;
    const r1 = ((b0 >>> 6) | (b1 << 2)) & 63;
    const r2 = ((b1 >>> 4) | (b2 << 4)) & 63;
    const r3 = b2 >>> 2;
    if (r0 > max[i]) max[i] = r0;
    if (r1 > max[i + 1]) max[i + 1] = r1;
    if (r2 > max[i + 2]) max[i + 2] = r2;
    if (r3 > max[i + 3]) max[i + 3] = r3;
  }
  return true;
}

/**
 * Writes `max` as the registers of a dense value whose own registers are all at most `max`
 * (PFMERGE's destination, merged into `max` first): raising each register one by one, as
 * Redis does, gives exactly these bytes.
 */
export function densePack(b: Uint8Array, max: Uint8Array): void {
  for (let p = HLL_HDR_SIZE, i = 0; i < HLL_REGISTERS; p += 3, i += 4) {
    const r0 = max[i];
    const r1 = max[i + 1];
    const r2 = max[i + 2];
    const r3 = max[i + 3];
    b[p] = r0 | (r1 << 6);
    b[p + 1] = (r1 >>> 2) | (r2 << 4);
    b[p + 2] = (r2 >>> 4) | (r3 << 2);
  }
}
