/**
 * The skiplist side of a sorted set (t_zset.c): a header node of 32 levels, and per member a
 * node of a random number of levels — level k with probability 0.75 · 0.25^(k−1)
 * (`zslRandomLevel`, p = 1/4, at most 32). A member's node costs the allocator's size for
 * 24 bytes plus 16 per level; the estimate uses that cost's expected value, the rounding to
 * size classes included.
 */
import { jemallocSize } from './jemalloc.js';
import { REDIS_7_0_SIZES } from './redis-7-0.js';

const S = REDIS_7_0_SIZES;

/** The allocation of a skiplist node of `levels` levels. */
function nodeBytes(levels: number): number {
  return jemallocSize(S.skiplistNode + S.skiplistLevel * levels);
}

/** The skiplist header node (every level). */
export const SKIPLIST_HEADER_BYTES = nodeBytes(S.skiplistMaxLevel);

/** The expected allocation of one member's skiplist node. */
export const SKIPLIST_NODE_EXPECTED_BYTES = ((): number => {
  let e = 0;
  let p = 0.75;
  for (let k = 1; k < S.skiplistMaxLevel; k++) {
    e += p * nodeBytes(k);
    p *= 0.25;
  }
  // What is left of the distribution is capped at the last level.
  return e + (p / 0.75) * nodeBytes(S.skiplistMaxLevel);
})();
