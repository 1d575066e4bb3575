/**
 * Quicklists (FORMATS.md §3.5, §2.12, §2.14): how a list's elements fall into nodes, and the
 * nodes written as RDB records. The decoder reads quicklists in `decoder.ts` (`readQuicklist`);
 * this file is the save side.
 *
 * Redis saves a list as it holds it in memory, node by node. A list built by pushing its
 * elements at the tail, one at a time, into an empty key has nodes that each release fills by
 * its own rule; the planners here apply those rules, so a written list has the nodes the
 * server would have built (and, since a blob encodes the same way, the same bytes):
 *
 * - 3.2–6.2 (ziplist nodes): an element goes into the tail node while the node's size, plus
 *   the element's length, plus an estimate of its ziplist overhead (prevlen 1 or 5 bytes,
 *   length header 1, 2 or 5 bytes) stays within the node limit;
 * - 7.0 (listpack nodes): the same with a flat 8-byte overhead estimate; only elements of
 *   1 GiB or more get a node of their own (PLAIN);
 * - 7.2 on: the list is first one listpack, kept while its size plus the element's length
 *   stays within the limit; once it outgrows it, it becomes the first node of a quicklist
 *   filled by the 7.0 rule, and an element longer than the node limit gets a PLAIN node.
 *
 * The node limit comes from `list-max-listpack-size` (`list-max-ziplist-size`): −1 … −5 mean
 * 4, 8, 16, 32 or 64 KiB; a positive value caps the element count (and the size at 8 KiB).
 */
import { UsageError } from '../../errors.js';
import { QuicklistContainer } from '../constants.js';
import type { RdbOutput } from '../primitives.js';
import { encodeListpack, listpackEntryBytes, LISTPACK_EMPTY_BYTES } from './listpack.js';
import { encodeZiplist, ziplistEntryBytes, ZIPLIST_EMPTY_BYTES } from './ziplist.js';

/** Node size limits for fill −1 … −5 (`optimization_level`). */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536] as const;
/** Size cap of a node whose limit is an element count (`SIZE_SAFETY_LIMIT`). */
const SIZE_SAFETY_LIMIT = 8192;
/** Overhead 7.0 on assume an element adds beyond its length (`SIZE_ESTIMATE_OVERHEAD`). */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Elements at least this long get a PLAIN node in 7.0 (`packed_threshold`, 1 GiB). */
const PACKED_THRESHOLD_7_0 = 1 << 30;

/** One node of a planned quicklist. */
export interface QuicklistNodePlan {
  /** PACKED (a ziplist or listpack of `items`) or PLAIN (one element stored raw). */
  container: typeof QuicklistContainer.Plain | typeof QuicklistContainer.Packed;
  items: Uint8Array[];
}

/** Which release's rule fills the nodes (see the file comment). */
export type QuicklistRule = '3.2' | '7.0' | '7.2';

/** Largest count limit a quicklist accepts (`FILL_MAX`); fills below −5 are −5. */
const FILL_MAX = 1 << 15;

/** The size limit of a node for a negative fill, or undefined for a count limit (positive fill). */
function sizeLimit(fill: number): number | undefined {
  return fill >= 0 ? undefined : OPTIMIZATION_LEVEL[-fill - 1];
}

/**
 * True when a node of `count` elements whose size would become `newSize` may take one more
 * (3.2–7.0 `_quicklistNodeAllowInsert` after its estimate).
 */
function allowInsertOld(newSize: number, count: number, fill: number): boolean {
  const limit = sizeLimit(fill);
  if (limit !== undefined && newSize <= limit) return true;
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** True when a node would exceed its limit at `newSize` bytes and `newCount` elements (7.2 `quicklistNodeExceedsLimit`). */
function exceeds72(newSize: number, newCount: number, fill: number): boolean {
  if (fill < 0) return newSize > sizeLimit(fill)!;
  if (newSize > SIZE_SAFETY_LIMIT) return true;
  return newCount > (fill === 0 ? 1 : fill);
}

/** True when 7.2 gives an element of `len` bytes a PLAIN node (`isLargeElement`). */
function large72(len: number, fill: number): boolean {
  if (fill >= 0) return len > SIZE_SAFETY_LIMIT;
  return len > sizeLimit(fill)!;
}

/**
 * Splits a list's elements into the nodes the server of `rule` builds when the elements are
 * pushed one by one at the tail of an empty list.
 * @param fill `list-max-listpack-size` (default −2)
 */
export function planQuicklist(items: Iterable<Uint8Array>, rule: QuicklistRule, fill = -2, state?: QuicklistPlanState): QuicklistNodePlan[] {
  if (!Number.isInteger(fill)) throw new UsageError(`list-max-listpack-size must be an integer, got ${fill}`);
  fill = Math.max(-OPTIMIZATION_LEVEL.length, Math.min(FILL_MAX, fill)); // as quicklistSetFill clamps it
  const nodes: QuicklistNodePlan[] = [];
  let tail: QuicklistNodePlan | null = null;
  let tailBytes = 0; // the tail node's blob size
  let lastEntry = 0; // 3.2: size of the tail node's last ziplist entry
  // 7.2: true while the list is still a single listpack (before its first conversion).
  let single = rule === '7.2' && (state?.single ?? true);
  for (const item of items) {
    const len = item.length;
    if (rule === '3.2') {
      const overhead = (len < 254 ? 1 : 5) + (len < 64 ? 1 : len < 16384 ? 2 : 5);
      if (tail !== null && allowInsertOld(tailBytes + len + overhead, tail.items.length, fill)) {
        const add = ziplistEntryBytes(item, lastEntry);
        tail.items.push(item);
        tailBytes += add;
        lastEntry = add;
      } else {
        tail = { container: QuicklistContainer.Packed, items: [item] };
        nodes.push(tail);
        lastEntry = ziplistEntryBytes(item, 0);
        tailBytes = ZIPLIST_EMPTY_BYTES + lastEntry;
      }
      continue;
    }
    if (single) {
      const size = tail === null ? LISTPACK_EMPTY_BYTES : tailBytes;
      const count = tail === null ? 0 : tail.items.length;
      if (!exceeds72(size + len, count + 1, fill)) {
        if (tail === null) {
          tail = { container: QuicklistContainer.Packed, items: [] };
          nodes.push(tail);
          tailBytes = LISTPACK_EMPTY_BYTES;
        }
        tail.items.push(item);
        tailBytes += listpackEntryBytes(item);
        continue;
      }
      // The listpack becomes the quicklist's first node (when it has elements).
      single = false;
    }
    const plain = rule === '7.0' ? len >= PACKED_THRESHOLD_7_0 : large72(len, fill);
    if (plain) {
      tail = { container: QuicklistContainer.Plain, items: [item] };
      nodes.push(tail);
      continue;
    }
    const newSize = tailBytes + len + SIZE_ESTIMATE_OVERHEAD;
    const fits =
      tail !== null &&
      tail.container === QuicklistContainer.Packed &&
      (rule === '7.0' ? allowInsertOld(newSize, tail.items.length, fill) : !exceeds72(newSize, tail.items.length + 1, fill));
    if (fits) {
      tail!.items.push(item);
      tailBytes += listpackEntryBytes(item);
    } else {
      tail = { container: QuicklistContainer.Packed, items: [item] };
      nodes.push(tail);
      tailBytes = LISTPACK_EMPTY_BYTES + listpackEntryBytes(item);
    }
  }
  if (state !== undefined) state.single = single;
  return nodes;
}

/**
 * Where a plan stopped, to plan a long list in pieces: each piece is planned starting with the
 * items of the previous piece's last node (a node's fill depends only on its own items), and
 * `single` carries whether 7.2's list is still one listpack.
 */
export interface QuicklistPlanState {
  single: boolean;
}

/**
 * Writes a version-1 quicklist value (type 14): the node count, then each node as a ziplist
 * blob string (FORMATS.md §2.12), as `rdbSaveObject` of 3.2–6.2 writes it.
 */
export function writeQuicklistV1(out: RdbOutput, nodes: readonly QuicklistNodePlan[]): void {
  out.writeLength(nodes.length);
  for (const node of nodes) out.writeString(encodeZiplist(node.items));
}

/**
 * Writes a version-2 quicklist value (type 18): the node count, then per node its container
 * and either a listpack blob (PACKED) or the element itself (PLAIN), each as an RDB string
 * (FORMATS.md §2.14).
 */
export function writeQuicklistV2(out: RdbOutput, nodes: readonly QuicklistNodePlan[]): void {
  out.writeLength(nodes.length);
  for (const node of nodes) {
    out.writeLength(node.container);
    out.writeString(node.container === QuicklistContainer.Plain ? node.items[0] : encodeListpack(node.items));
  }
}
