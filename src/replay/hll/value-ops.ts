/**
 * Whole-value operations on a HyperLogLog, over either encoding: add an element, count,
 * merge into a union of registers (the pieces PFADD, PFCOUNT and PFMERGE are made of).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { HllBuffer } from './buffer.js';
import { denseGet, denseSet, HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS } from './layout.js';
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
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const v = denseGet(b, HLL_HDR_SIZE, i);
    if (v > max[i]) max[i] = v;
  }
  return true;
}
