/**
 * The sparse encoding's edits, step for step as hyperloglog.c makes them, so that the bytes
 * come out the same: raising one register splits the opcode that covers it into at most
 * three (ZERO/XZERO before, the VAL, ZERO/XZERO after — a run longer than 64 zeros takes an
 * XZERO), then up to five opcodes from the one before it are scanned to join neighbouring
 * VALs of equal value; a value that would need a register above 32, or grow past
 * `hll-sparse-max-bytes`, turns dense first.
 */
import type { HllBuffer } from './buffer.js';
import { denseSet, denseSetRaw, HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE_VAL_MAX_LEN, HLL_SPARSE_VAL_MAX_VALUE, HLL_SPARSE_ZERO_MAX_LEN, invalidateCache } from './layout.js';

/** A VAL opcode: `count` registers of `value`. */
function valOp(value: number, count: number): number {
  return 0x80 | ((value - 1) << 2) | (count - 1);
}

/** Registers a ZERO, XZERO or VAL opcode at `p` covers. */
function spanAt(b: Uint8Array, p: number): number {
  const op = b[p];
  if ((op & 0xc0) === 0) return (op & 0x3f) + 1;
  if (op & 0x80) return (op & 3) + 1;
  return (((op & 0x3f) << 8) | b[p + 1]) + 1;
}

/** Writes a run of `len` zero registers at `p` (ZERO up to 64, else XZERO); returns the next offset. */
function zeroRun(seq: Uint8Array, p: number, len: number): number {
  if (len > HLL_SPARSE_ZERO_MAX_LEN) {
    seq[p] = ((len - 1) >>> 8) | 0x40;
    seq[p + 1] = (len - 1) & 0xff;
    return p + 2;
  }
  seq[p] = len - 1;
  return p + 1;
}

const seq = new Uint8Array(5);

/**
 * Turns a sparse value dense (`hllSparseToDense`), keeping its header (the cache too).
 * @returns false, the value unchanged, when the opcodes do not cover exactly 16384 registers.
 */
export function sparseToDense(h: HllBuffer): boolean {
  if (h.encoding === HLL_DENSE) return true;
  const b = h.bytes;
  const end = h.length;
  const d = h.startDense();
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      idx += (((op & 0x3f) << 8) | b[p + 1]) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const value = ((op >>> 2) & 0x1f) + 1;
      if (run + idx > HLL_REGISTERS) break;
      while (run-- > 0) denseSetRaw(d, HLL_HDR_SIZE, idx++, value);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.adoptSpare();
  return true;
}

/**
 * Raises register `index` of a sparse value to `count` when it is lower (`hllSparseSet`).
 * @returns 1 when the register changed (the value may have turned dense), 0 when not, −1
 *   when the opcodes are damaged.
 */
export function sparseSet(h: HllBuffer, index: number, count: number, maxBytes: number): number {
  if (count > HLL_SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  h.reserve(h.length + 3);
  const b = h.bytes;
  let end = h.length;

  // Find the opcode covering the register.
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | b[p + 1]) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  const isXzero = (op & 0xc0) === 0x40;
  const isZero = (op & 0xc0) === 0;
  const isVal = !isXzero && !isZero;
  let next = isXzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runlen = spanAt(b, p);

  let inPlace = false;
  if (isVal) {
    if (((op >>> 2) & 0x1f) + 1 >= count) return 0;
    if (runlen === 1) {
      b[p] = valOp(count, 1);
      inPlace = true;
    }
  }
  if (!inPlace && isZero && runlen === 1) {
    b[p] = valOp(count, 1);
    inPlace = true;
  }

  if (!inPlace) {
    // Split the opcode into what comes before the register, the register, and what follows.
    const last = first + span - 1;
    let n = 0;
    if (isZero || isXzero) {
      if (index !== first) n = zeroRun(seq, n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = zeroRun(seq, n, last - index);
    } else {
      const cur = ((op >>> 2) & 0x1f) + 1;
      if (index !== first) seq[n++] = valOp(cur, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(cur, last - index);
    }
    const delta = n - (isXzero ? 2 : 1);
    if (delta > 0 && h.length + delta > maxBytes) return promote(h, index, count);
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    h.setLength(h.length + delta);
    for (let i = 0; i < n; i++) b[p + i] = seq[i];
    end += delta;
  }

  // Join equal neighbouring VALs, scanning at most five opcodes from the one before.
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p];
    if ((o & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && b[p + 1] & 0x80) {
      const v1 = ((o >>> 2) & 0x1f) + 1;
      const v2 = ((b[p + 1] >>> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (b[p + 1] & 3) + 1;
        if (len <= HLL_SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end);
          h.setLength(h.length - 1);
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

/** Turns the value dense and raises the register there (a change is certain). */
function promote(h: HllBuffer, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  denseSet(h.bytes, index, count);
  return 1;
}

/**
 * Raises `max[i]` to each register of a sparse value (`hllMerge`).
 * @returns false when the opcodes do not cover exactly 16384 registers.
 */
export function sparseMergeInto(max: Uint8Array, b: Uint8Array, end: number): boolean {
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | b[p + 1]) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const value = ((op >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) break;
      while (run-- > 0) {
        if (value > max[i]) max[i] = value;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/**
 * Adds a sparse value's registers to a histogram of register values (`hllSparseRegHisto`).
 * @returns false when the opcodes do not cover exactly 16384 registers.
 */
export function sparseHistogram(b: Uint8Array, end: number, histo: Int32Array): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      idx += run;
      histo[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | b[p + 1]) + 1;
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      idx += run;
      histo[((op >>> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** PFDEBUG DECODE's text of a sparse value: `z:N`, `Z:N`, `v:value,N`, space-separated. */
export function sparseDecodeText(b: Uint8Array, end: number): string {
  const out: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      out.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      out.push(`Z:${(((op & 0x3f) << 8) | b[p + 1]) + 1}`);
      p += 2;
    } else {
      out.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return out.join(' ');
}
