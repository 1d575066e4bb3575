/**
 * Zipmap blobs (FORMATS.md §3.1), the hash encoding of Redis ≤ 2.4.
 *
 * Layout, in short: one count byte (the number of pairs when below 254, otherwise
 * "unknown"), then for each pair the field length, field bytes, value length, one "free" byte
 * giving the number of unused bytes after the value, the value bytes and that many unused
 * bytes; then 0xFF. A length is one byte 0..253, or 0xFE followed by a u32 LE.
 */

import { UsageError, hexByte } from '../../errors.js';
import { blobCorrupt, u32le, type BlobLocation } from '../../binary/layouts.js';

/** Zipmap markers (names after the Redis macros). */
export const ZIPMAP = {
  /** ZIPMAP_BIGLEN: as a count, "unknown"; as a length byte, "a u32 LE length follows". */
  BIGLEN: 254,
  /** ZIPMAP_END: terminator. */
  END: 255,
} as const;

/** Up to this many pairs duplicates are found by direct comparison, above by hashing. */
const PAIRWISE_DUP_CHECK_MAX = 32;

/** Positions of the pairs found by the validation pass. */
interface ZipmapIndex {
  count: number;
  /** Position of each field's length byte (for error reports). */
  entryPos: number[];
  keyStart: number[];
  keyLen: number[];
  valStart: number[];
  valLen: number[];
}

function bytesEqual(b: Uint8Array, s1: number, s2: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[s1 + i] !== b[s2 + i]) return false;
  return true;
}

function truncated(at: BlobLocation, pos: number, what: string, need: number, end: number): Error {
  return blobCorrupt('zipmap', at, pos, `${what} runs past the terminator`,
    `${need} bytes`, `${Math.max(0, end - pos)} bytes before the terminator`);
}

/** First pass: structure, count and lengths; collects the positions of every pair. */
function indexZipmap(blob: Uint8Array, at: BlobLocation): ZipmapIndex {
  const n = blob.length;
  if (n < 2) {
    throw blobCorrupt('zipmap', at, 0, 'blob too short for count and terminator', 'at least 2 bytes', `${n} bytes`);
  }
  const end = n - 1;
  if (blob[end] !== ZIPMAP.END) {
    throw blobCorrupt('zipmap', at, end, 'missing terminator', hexByte(ZIPMAP.END), hexByte(blob[end]));
  }
  const idx: ZipmapIndex = { count: 0, entryPos: [], keyStart: [], keyLen: [], valStart: [], valLen: [] };
  let pos = 1;
  // Invariant: pos <= end, so blob[pos] is readable; blob[end] is the terminator.
  while (blob[pos] !== ZIPMAP.END) {
    const entryPos = pos;
    // Field length: 0..253, or 0xFE + u32 LE (0xFF here would be the terminator).
    let keyLen = blob[pos];
    if (keyLen === ZIPMAP.BIGLEN) {
      if (pos + 5 > end) throw truncated(at, pos, 'field length', 5, end);
      keyLen = u32le(blob, pos + 1);
      pos += 5;
    } else {
      pos += 1;
    }
    const keyStart = pos;
    if (pos + keyLen > end) {
      throw blobCorrupt('zipmap', at, entryPos, 'field runs past the terminator',
        `at most ${end - pos} bytes`, `${keyLen} bytes`);
    }
    pos += keyLen;
    // Value length, same forms; 0xFF is not a length.
    if (pos >= end) throw truncated(at, pos, 'value length', 1, end);
    const valLenPos = pos;
    let valLen = blob[pos];
    if (valLen === ZIPMAP.END) {
      throw blobCorrupt('zipmap', at, pos, 'invalid value length byte', `0x00-0xFD or 0xFE`, hexByte(valLen));
    }
    if (valLen === ZIPMAP.BIGLEN) {
      if (pos + 5 > end) throw truncated(at, pos, 'value length', 5, end);
      valLen = u32le(blob, pos + 1);
      pos += 5;
    } else {
      pos += 1;
    }
    // One "free" byte, then the value, then that many unused bytes.
    if (pos >= end) throw truncated(at, pos, 'free byte', 1, end);
    const free = blob[pos];
    pos += 1;
    const valStart = pos;
    if (pos + valLen + free > end) {
      throw blobCorrupt('zipmap', at, valLenPos, 'value and its free space run past the terminator',
        `at most ${end - pos} bytes`, `${valLen} value bytes + ${free} free bytes`);
    }
    pos += valLen + free;
    idx.entryPos.push(entryPos);
    idx.keyStart.push(keyStart);
    idx.keyLen.push(keyLen);
    idx.valStart.push(valStart);
    idx.valLen.push(valLen);
    idx.count++;
  }
  if (pos !== end) {
    throw blobCorrupt('zipmap', at, pos, 'terminator before the end of the blob',
      `a pair (terminator at position ${end})`, hexByte(ZIPMAP.END));
  }
  if (idx.count === 0) {
    throw blobCorrupt('zipmap', at, 0, 'empty zipmap', 'at least one pair', '0 pairs');
  }
  // A count byte of 254 means "unknown, count by walking"; any other value must be the real
  // count. 255 is the terminator, never a count: Redis refuses it (corpus zipmap_big_len.rdb).
  const declared = blob[0];
  if (declared !== ZIPMAP.BIGLEN && declared !== idx.count) {
    throw blobCorrupt('zipmap', at, 0, 'header count does not match the pairs', `${idx.count}`, `${declared}`);
  }
  return idx;
}

/** FNV-1a over a field, for the duplicate check of large zipmaps. */
function hashField(b: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[start + i], 0x01000193);
  return h >>> 0;
}

/**
 * Index of the first pair whose field repeats an earlier field, or -1.
 */
function firstDuplicate(blob: Uint8Array, idx: ZipmapIndex): number {
  const { count, keyStart, keyLen } = idx;
  if (count <= PAIRWISE_DUP_CHECK_MAX) {
    for (let i = 1; i < count; i++) {
      for (let j = 0; j < i; j++) {
        if (keyLen[i] === keyLen[j] && bytesEqual(blob, keyStart[i], keyStart[j], keyLen[i])) return i;
      }
    }
    return -1;
  }
  const hashes = new Float64Array(count);
  for (let i = 0; i < count; i++) hashes[i] = hashField(blob, keyStart[i], keyLen[i]);
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => hashes[a] - hashes[b] || a - b);
  let first = -1;
  for (let g = 0; g < count; ) {
    let h = g + 1;
    while (h < count && hashes[order[h]] === hashes[order[g]]) h++;
    // Same hash in order[g..h): compare each member with the earlier members of the run.
    for (let x = g + 1; x < h; x++) {
      const i = order[x];
      for (let y = g; y < x; y++) {
        const j = order[y];
        if (keyLen[i] === keyLen[j] && bytesEqual(blob, keyStart[i], keyStart[j], keyLen[i])) {
          if (first < 0 || i < first) first = i;
          break;
        }
      }
    }
    g = h;
  }
  return first;
}

/**
 * Validates a zipmap and calls `visit` with every (field, value) pair in stored order.
 *
 * Checks: the blob ends with 0xFF right after the last pair; every length is 0..253 or 0xFE +
 * u32 (a value length of 0xFF is rejected); every field, value and its free space ends before
 * the terminator; there is at least one pair; the count byte, when below 254, equals the number
 * of pairs; no field appears twice. Validation completes before the first `visit` call, so a
 * corrupt zipmap never produces partial output.
 *
 * @param blob the whole zipmap; may be a subarray at any byte offset
 * @param at absolute file location of the blob's first byte
 * @param visit optional callback; `field` and `value` are zero-copy views into the blob
 * @returns the number of pairs
 * @throws CorruptDataError (`BLOB_CORRUPT`) with `offset = at.offset + position in blob`
 */
export function walkZipmap(
  blob: Uint8Array,
  at: BlobLocation,
  visit?: (field: Uint8Array, value: Uint8Array) => void,
): number {
  const idx = indexZipmap(blob, at);
  const dup = firstDuplicate(blob, idx);
  if (dup >= 0) {
    throw blobCorrupt('zipmap', at, idx.entryPos[dup], 'duplicate field', 'unique fields',
      `a repeat of an earlier field (${idx.keyLen[dup]} bytes)`);
  }
  if (visit !== undefined) {
    for (let i = 0; i < idx.count; i++) {
      const ks = idx.keyStart[i];
      const vs = idx.valStart[i];
      visit(blob.subarray(ks, ks + idx.keyLen[i]), blob.subarray(vs, vs + idx.valLen[i]));
    }
  }
  return idx.count;
}

/**
 * Builds a zipmap (FORMATS.md §3.1) from (field, value) pairs, as Redis ≤ 2.4 wrote them:
 * count byte (254 when there are 254 or more pairs), 1-byte lengths below 254 and 0xFE + u32
 * LE otherwise, and `free` unused bytes (zeros) after each value.
 *
 * @param pairs fields and values as bytes, in the order to store them
 * @param opts.free unused bytes to leave after each value (0..255, default 0)
 * @returns a new zipmap blob
 * @throws UsageError if `free` is out of range
 */
export function encodeZipmap(
  pairs: readonly (readonly [Uint8Array, Uint8Array])[],
  opts?: { free?: number },
): Uint8Array {
  const free = opts?.free ?? 0;
  if (!Number.isInteger(free) || free < 0 || free > 255) {
    throw new UsageError(`encodeZipmap: free must be 0..255, got ${free}`);
  }
  const lenSize = (len: number): number => (len < ZIPMAP.BIGLEN ? 1 : 5);
  let total = 2;
  for (const [k, v] of pairs) total += lenSize(k.length) + k.length + lenSize(v.length) + 1 + v.length + free;
  const out = new Uint8Array(total);
  out[0] = Math.min(pairs.length, ZIPMAP.BIGLEN);
  let pos = 1;
  const writeLen = (len: number): void => {
    if (len < ZIPMAP.BIGLEN) {
      out[pos++] = len;
      return;
    }
    out[pos++] = ZIPMAP.BIGLEN;
    out[pos++] = len & 0xff;
    out[pos++] = (len >>> 8) & 0xff;
    out[pos++] = (len >>> 16) & 0xff;
    out[pos++] = (len >>> 24) & 0xff;
  };
  for (const [k, v] of pairs) {
    writeLen(k.length);
    out.set(k, pos);
    pos += k.length;
    writeLen(v.length);
    out[pos++] = free;
    out.set(v, pos);
    pos += v.length + free;
  }
  out[pos] = ZIPMAP.END;
  return out;
}
