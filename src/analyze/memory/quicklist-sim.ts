/**
 * The nodes Redis builds when it pushes elements one by one at the tail of a quicklist
 * (`quicklistPushTail`, quicklist.c) — how it loads a linked list or a ziplist-encoded list
 * from an RDB, and how RPUSH fills a list: an element joins the tail node while the node's
 * size plus the element's length plus 8 stays within the node limit (8 KiB for
 * `list-max-listpack-size -2`); an element of 1 GiB or more gets a PLAIN node of its own.
 * Each node costs a `quicklistNode` and its listpack (or element), rounded to the allocator.
 */
import { LISTPACK_EMPTY_BYTES } from './encodings.js';
import type { MemoryModel } from './model.js';
import type { EncodingConfig } from './server-spec.js';

/** What `_quicklistNodeAllowInsert` adds to an element's length as its estimated overhead. */
const SIZE_ESTIMATE_OVERHEAD = 8;

/** One simulated quicklist; reusable (see {@link QuicklistSim.reset}). */
export class QuicklistSim {
  /** Nodes made so far. */
  nodes = 0;
  /** Bytes of the nodes before the tail one (node structures and allocations). */
  private closedBytes = 0;
  /** The tail node's size in bytes (its listpack, or a PLAIN element); -1: no node yet. */
  private tailBytes = -1;
  private tailPlain = false;

  constructor(
    private readonly model: MemoryModel,
    private readonly config: EncodingConfig,
  ) {}

  reset(): void {
    this.nodes = 0;
    this.closedBytes = 0;
    this.tailBytes = -1;
    this.tailPlain = false;
  }

  /** Pushes an element of `len` bytes whose listpack entry takes `entryBytes`. */
  push(len: number, entryBytes: number): void {
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

  /** The listpack bytes of the one node, when there is one node and it is not PLAIN; else -1. */
  singleNodeBytes(): number {
    return this.nodes === 1 && !this.tailPlain ? this.tailBytes : -1;
  }

  /** The quicklist's node bytes: every node's structure and allocation. */
  get bytes(): number {
    return this.closedBytes + (this.tailBytes >= 0 ? this.model.sizes.quicklistNode + this.model.alloc(this.tailBytes) : 0);
  }

  private closeTail(): void {
    if (this.tailBytes >= 0) this.closedBytes += this.model.sizes.quicklistNode + this.model.alloc(this.tailBytes);
  }
}
