/**
 * Packs: a sequence of byte strings held as one {@link ByteString}, each entry a length then
 * its bytes — the dataset's counterpart of Redis's listpack. A JavaScript string costs 16–24
 * bytes of header besides its bytes, so a 5-field hash whose ten fields and values are ten
 * strings costs about 520 bytes with its key, and about 215 as one pack (Redis 7.0: 185);
 * small lists, sets, sorted sets and hashes are held as packs and stream entries always are.
 *
 * Entry layout: one char with the length when it is below 0x80; otherwise 4 chars, the length
 * big-endian with the top bit of the first set. Reading an entry is a scan from the start (as
 * in a listpack), so packs stay small: the collections switch to their large form beyond
 * {@link PACK_MAX_ITEMS} elements or an element longer than {@link PACK_MAX_ITEM_BYTES}.
 *
 * A pack built by concatenation is a tree of string pieces until read, and a piece cut from
 * a string may be a view of it: {@link settle} and {@link detach} make V8 copy a new pack or
 * element into a string of its own, so that old packs are freed.
 */
import { toByteString, type ByteString } from './byte-string.js';

/** Most elements a collection keeps in a pack (list items, set or sorted-set members, hash fields). */
export const PACK_MAX_ITEMS = 128;
/** Longest element (or hash value) a collection keeps in a pack, in bytes. */
export const PACK_MAX_ITEM_BYTES = 64;

/** The entry for `s`: its length header, then its bytes. */
export function packEntry(s: ByteString): string {
  const n = s.length;
  if (n < 0x80) return String.fromCharCode(n) + s;
  return String.fromCharCode(0x80 | (n >>> 24), (n >>> 16) & 255, (n >>> 8) & 255, n & 255) + s;
}

/** A pack of `items`, in order. */
export function packOf(items: readonly ByteString[]): ByteString {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = packEntry(items[i]);
  return parts.join('');
}

/** The buffer {@link packOfBytes} assembles a pack in (reused). */
let bytesBuf = new Uint8Array(1 << 12);

/**
 * The pack of `items` given as bytes (views the caller may reuse afterwards): the same string
 * {@link packOf} makes of their byte strings, without a string per item first.
 */
export function packOfBytes(items: readonly Uint8Array[]): ByteString {
  let size = 0;
  for (let i = 0; i < items.length; i++) size += (items[i].length < 0x80 ? 1 : 4) + items[i].length;
  if (size > bytesBuf.length) bytesBuf = new Uint8Array(Math.max(size, bytesBuf.length * 2));
  const buf = bytesBuf;
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const n = item.length;
    if (n < 0x80) buf[at++] = n;
    else {
      buf[at] = 0x80 | (n >>> 24);
      buf[at + 1] = (n >>> 16) & 255;
      buf[at + 2] = (n >>> 8) & 255;
      buf[at + 3] = n & 255;
      at += 4;
    }
    if (n < 32) for (let k = 0; k < n; k++) buf[at + k] = item[k];
    else buf.set(item, at);
    at += n;
  }
  return toByteString(buf.subarray(0, at));
}

/** Length of the entry whose header starts at `pos`. */
export function itemLength(p: ByteString, pos: number): number {
  const c = p.charCodeAt(pos);
  if (c < 0x80) return c;
  return (((c & 0x7f) << 24) | (p.charCodeAt(pos + 1) << 16) | (p.charCodeAt(pos + 2) << 8) | p.charCodeAt(pos + 3)) >>> 0;
}

/** Where the bytes of the entry whose header starts at `pos` begin. */
export function itemStart(p: ByteString, pos: number): number {
  return p.charCodeAt(pos) < 0x80 ? pos + 1 : pos + 4;
}

/** Where the entry after the one at `pos` starts. */
export function nextItem(p: ByteString, pos: number): number {
  return itemStart(p, pos) + itemLength(p, pos);
}

/** The bytes of the entry at `pos`, as a string of its own (see {@link detach}). */
export function itemAt(p: ByteString, pos: number): ByteString {
  const start = itemStart(p, pos);
  return detach(p.slice(start, start + itemLength(p, pos)));
}

/**
 * A copy of `s` that holds no reference to a larger string. V8 returns a slice of 13 chars or
 * more as a view that keeps its whole parent alive: an element kept from a pack would keep the
 * pack. Joining the first char to the rest and reading the result makes V8 copy it.
 */
export function detach(s: ByteString): ByteString {
  if (s.length < 13) return s;
  return settle(s.charAt(0) + s.slice(1));
}

/** True when the entry at `pos` holds exactly `s` (no allocation). */
export function itemIs(p: ByteString, pos: number, s: ByteString): boolean {
  const n = p.charCodeAt(pos);
  if (n < 0x80) {
    if (n !== s.length) return false;
    // The last byte first, without a call: entries of one length mostly differ at their end
    // (member:1041, member:1042 …).
    return n === 0 || (p.charCodeAt(pos + n) === s.charCodeAt(n - 1) && p.startsWith(s, pos + 1));
  }
  return itemLength(p, pos) === s.length && p.startsWith(s, itemStart(p, pos));
}

/** Byte order of the entry at `pos` against `s` (negative: the entry comes first), without allocating. */
export function itemCompare(p: ByteString, pos: number, s: ByteString): number {
  const start = itemStart(p, pos);
  const n = itemLength(p, pos);
  const m = Math.min(n, s.length);
  for (let i = 0; i < m; i++) {
    const d = p.charCodeAt(start + i) - s.charCodeAt(i);
    if (d !== 0) return d;
  }
  return n - s.length;
}

/** Position of the entry with index `index` (or `p.length` past the end). */
export function positionOf(p: ByteString, index: number): number {
  let pos = 0;
  for (let i = 0; i < index && pos < p.length; i++) pos = nextItem(p, pos);
  return pos;
}

/** Every entry, in order. */
export function unpack(p: ByteString): ByteString[] {
  const out: ByteString[] = [];
  for (let pos = 0; pos < p.length; pos = nextItem(p, pos)) out.push(itemAt(p, pos));
  return out;
}

/** `p` with the characters from `start` to `end` replaced by `insert`: a new string of its own. */
export function splice(p: ByteString, start: number, end: number, insert = ''): ByteString {
  // One piece of `p` alone would be a view of it: copied.
  if (insert === '' && (start === 0 || end === p.length)) return detach(start === 0 ? p.slice(end) : p.slice(0, start));
  // Otherwise a concatenation, which V8 copies into a new string when it is read (one copy,
  // where detaching it would make two).
  return settle(p.slice(0, start) + insert + p.slice(end));
}

/**
 * Reads one char of `s` so that V8 flattens a string built by concatenation into one piece,
 * freeing the pieces (and the old pack they were cut from). Returns `s`.
 */
export function settle(s: ByteString): ByteString {
  if (s.length > 0) s.charCodeAt(0);
  return s;
}

/** True when an element fits in a pack. */
export function fitsPack(s: ByteString): boolean {
  return s.length <= PACK_MAX_ITEM_BYTES;
}

/** True when some string appears twice in `items` (a nested scan for a few, a Set beyond). */
export function hasDuplicate(items: readonly ByteString[]): boolean {
  const n = items.length;
  if (n > 16) return new Set(items).size !== n;
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (items[i] === items[j]) return true;
  return false;
}
