/**
 * The cardinality a HyperLogLog's registers give, as Redis 5.0 and later compute it (and
 * cache it in the header on PFCOUNT): Otmar Ertl's estimator ("New cardinality estimation
 * algorithms for HyperLogLog sketches", arXiv:1702.01284) over the histogram of register
 * values, rounded half away from zero. The same double operations in the same order as
 * hyperloglog.c give the same bits; `pow(x, 2)` there is compiled to `x * x`.
 *
 * Older servers cached other numbers: 4.0 used LogLog-Beta with llroundl; 2.8.9–3.2 the raw
 * estimate with linear counting below 2.5·m and a polynomial bias correction below 72000,
 * truncated. A PFCOUNT in an AOF written by those versions caches their number, which this
 * estimator may not give.
 */
import { HLL_HDR_SIZE, HLL_Q, HLL_REGISTERS } from './layout.js';

const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln 2, the literal of hyperloglog.c

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * The estimate from a histogram of register values (index: value, 0–63; only 0–51 count, as
 * in Redis). A non-finite or too large estimate (impossible for registers an element set)
 * gives 2^63, what x86's conversion gives.
 */
export function estimateFromHistogram(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = Math.round((ALPHA_INF * m * m) / z);
  return Number.isFinite(e) && e < 2 ** 63 ? e : 2 ** 63;
}

/** Adds the dense registers of `b` (after the header) to a histogram. */
export function denseHistogram(b: Uint8Array, histo: Int32Array): void {
  // Three bytes hold four registers.
  for (let p = HLL_HDR_SIZE, end = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8; p < end; p += 3) {
    const b0 = b[p];
    const b1 = b[p + 1];
    const b2 = b[p + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

/** Adds one-byte-per-register values (PFCOUNT's union of several keys) to a histogram. */
export function rawHistogram(max: Uint8Array, histo: Int32Array): void {
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
}
