/**
 * The nodes Redis builds when it pushes elements one by one at the tail of a quicklist
 * (`quicklistPushTail`, quicklist.c) — how it loads a linked list or a ziplist-encoded list
 * from an RDB, and how RPUSH fills a list. From 7.0 a node is a listpack: an element joins the
 * tail node while the node's size plus the element's length plus 8 stays within the node limit
 * (8 KiB for `list-max-listpack-size -2`); an element of 1 GiB or more gets a PLAIN node of its
 * own. In 6.x a node is a ziplist: the element joins while the node's size plus its length plus
 * the entry overhead the ziplist may add (1 or 5 bytes of previous length, 1, 2 or 5 of
 * header) stays within the limit; no element gets a node of its own unless it is too large
 * for the tail. Each node costs a `quicklistNode` and its listpack or ziplist (or element),
 * rounded to the allocator — in 6.x `MEMORY USAGE` counts a node's ziplist by its bytes.
 */
import { LISTPACK_EMPTY_BYTES, listpackEntryBytes, ZIPLIST_EMPTY_BYTES, ziplistEntryBytes } from './encodings.js';
import type { MemoryModel } from './model.js';
import type { EncodingConfig } from './server-spec.js';

/** What `_quicklistNodeAllowInsert` adds to an element's length as its estimated overhead (7.0+). */
const SIZE_ESTIMATE_OVERHEAD = 8;

/** One simulated quicklist; reusable (see {@link QuicklistSim.reset}). */
export class QuicklistSim {
  /** Nodes made so far. */
  nodes = 0;
  /** Bytes `MEMORY USAGE` counts for the nodes before the tail one (node structures and listpacks). */
  private closedBytes = 0;
  /** What the allocator gives those nodes' ziplists beyond their bytes (6.x). */
  private closedSlack = 0;
  /** The tail node's size in bytes (its listpack or ziplist, or a PLAIN element); -1: no node yet. */
  private tailBytes = -1;
  private tailPlain = false;
  /** The tail ziplist's last entry, in bytes (6.x: the next entry stores its length). */
  private lastEntry = 0;
  private readonly ziplists: boolean;

  constructor(
    private readonly model: MemoryModel,
    private readonly config: EncodingConfig,
  ) {
    this.ziplists = model.features.ziplists;
  }

  reset(): void {
    this.nodes = 0;
    this.closedBytes = 0;
    this.closedSlack = 0;
    this.tailBytes = -1;
    this.tailPlain = false;
    this.lastEntry = 0;
  }

  /** Pushes the element `v` at the tail. */
  push(v: Uint8Array): void {
    if (this.ziplists) {
      this.pushZiplist(v);
      return;
    }
    const len = v.length;
    const entryBytes = listpackEntryBytes(v);
    const large = len >= this.config.listPackedThreshold;
    if (this.tailBytes >= 0 && !this.tailPlain && !large && this.tailBytes + len + SIZE_ESTIMATE_OVERHEAD <= this.config.listNodeMaxBytes) {
      this.tailBytes += entryBytes;
      return;
    }
    this.closeTail();
    this.nodes++;
    this.tailPlain = large;
    this.tailBytes = large ? len : LISTPACK_EMPTY_BYTES + entryBytes;
  }

  /** 6.x: `_quicklistNodeAllowInsert` with a size limit, then `ziplistPush`. */
  private pushZiplist(v: Uint8Array): void {
    const len = v.length;
    const overhead = (len < 254 ? 1 : 5) + (len < 64 ? 1 : len < 16384 ? 2 : 5);
    if (this.tailBytes >= 0 && this.tailBytes + len + overhead <= this.config.listNodeMaxBytes) {
      this.lastEntry = ziplistEntryBytes(v, this.lastEntry);
      this.tailBytes += this.lastEntry;
      return;
    }
    this.closeTail();
    this.nodes++;
    this.lastEntry = ziplistEntryBytes(v, 0);
    this.tailBytes = ZIPLIST_EMPTY_BYTES + this.lastEntry;
  }

  /** The listpack bytes of the one node, when there is one node and it is not PLAIN; else -1. */
  singleNodeBytes(): number {
    return this.nodes === 1 && !this.tailPlain ? this.tailBytes : -1;
  }

  /** What `MEMORY USAGE` counts for the quicklist's nodes: every node's structure and allocation (6.x: its ziplist's bytes). */
  get bytes(): number {
    return this.closedBytes + (this.tailBytes >= 0 ? this.nodeBytes(this.tailBytes) : 0);
  }

  /** What the allocator gives the nodes' ziplists beyond what {@link bytes} counts (6.x; 0 from 7.0). */
  get slack(): number {
    return this.closedSlack + (this.tailBytes >= 0 && this.ziplists ? this.model.alloc(this.tailBytes) - this.model.blob(this.tailBytes) : 0);
  }

  private nodeBytes(bytes: number): number {
    return this.model.sizes.quicklistNode + (this.ziplists ? this.model.blob(bytes) : this.model.alloc(bytes));
  }

  private closeTail(): void {
    if (this.tailBytes < 0) return;
    this.closedBytes += this.nodeBytes(this.tailBytes);
    if (this.ziplists) this.closedSlack += this.model.alloc(this.tailBytes) - this.model.blob(this.tailBytes);
  }
}
