/**
 * The listpack nodes Redis builds when XADD appends entries one by one (t_stream.c
 * `streamAppendItem`): how a replayed AOF's streams are held. A node starts with a master
 * entry (live and deleted counts, the first entry's field names, a terminator) and takes
 * entries until it holds `stream-node-max-entries` or its bytes plus the new entry's
 * strings reach `stream-node-max-bytes`; an entry stores flags, its ID as deltas from the
 * master ID, the field names unless they are the master's, the values, and its element
 * count. A node is allocated at 4 KiB and grows past that only when it must; a node that
 * was left behind is shrunk to its size. Every node's master ID goes into the stream's rax.
 * Redis 6.0 allocates a node to size and counts it by its bytes (`lpBytes`).
 */
import { LISTPACK_EMPTY_BYTES, listpackEntryBytes, listpackIntEntryBytes } from './encodings.js';
import type { MemoryModel } from './model.js';
import type { EncodingConfig } from './server-spec.js';
import { streamIdBytes, type RaxSim } from './rax-sim.js';

/** What XADD preallocates for a new node (`STREAM_LISTPACK_MAX_PRE_ALLOCATE`). */
const PREALLOCATED_BYTES = 4096;
/** Entry flags: the entry uses the master entry's field names. */
const SAME_FIELDS = 2;

/** One simulated stream's nodes; reusable (see {@link StreamNodeSim.reset}). */
export class StreamNodeSim {
  /** Allocations of the nodes left behind. */
  private closedBytes = 0;
  /** The open node: its bytes without the live count, its live count, its master ID and field names. */
  private nodeBytes = -1;
  private nodeCount = 0;
  private masterMs = 0;
  private masterSeq = 0;
  private masterFields: Uint8Array[] = [];
  private readonly idBytes = new Uint8Array(16);
  /** 6.0: nodes grow from empty and are counted by their bytes. */
  private readonly byBytes: boolean;

  constructor(
    private readonly model: MemoryModel,
    private readonly config: EncodingConfig,
    private readonly rax: RaxSim,
    /** The last node keeps XADD's 4 KiB allocation (false: sized to fit, as when loaded from an RDB). */
    private readonly preallocatedTail = true,
  ) {
    this.byBytes = model.features.streamBlobSizes;
  }

  /** An empty stream (the rax is reset by its owner). */
  reset(): void {
    this.closedBytes = 0;
    this.nodeBytes = -1;
    this.nodeCount = 0;
    this.masterFields = [];
  }

  /** Bytes of the nodes and their rax, as `MEMORY USAGE` counts them. */
  get bytes(): number {
    let open = 0;
    if (this.nodeBytes >= 0) {
      const size = this.nodeBytes + listpackIntEntryBytes(this.nodeCount);
      open = this.byBytes ? size : this.preallocatedTail && size <= PREALLOCATED_BYTES ? PREALLOCATED_BYTES : this.model.alloc(size);
    }
    return this.closedBytes + open + this.rax.accountedBytes;
  }

  /** Appends an entry `id` (`ms-seq`) with `fields` = [f1, v1, f2, v2, …]. */
  append(id: string, fields: readonly Uint8Array[]): void {
    const dash = id.indexOf('-');
    const ms = Number(id.slice(0, dash));
    const seq = Number(id.slice(dash + 1));
    const pairs = fields.length >> 1;
    let strings = 0;
    for (let i = 0; i < fields.length; i++) strings += fields[i].length;
    if (this.nodeBytes >= 0) {
      const size = this.nodeBytes + listpackIntEntryBytes(this.nodeCount);
      if (size + strings >= this.config.streamNodeMaxBytes || this.nodeCount >= this.config.streamNodeMaxEntries) {
        this.closedBytes += this.byBytes ? size : this.model.alloc(size);
        this.nodeBytes = -1;
      }
    }
    if (this.nodeBytes < 0) this.openNode(id, ms, seq, fields, pairs);
    const same = this.sameFields(fields, pairs);
    let bytes = listpackIntEntryBytes(same ? SAME_FIELDS : 0) + listpackIntEntryBytes(ms - this.masterMs) + listpackIntEntryBytes(seq - this.masterSeq);
    if (!same) bytes += listpackIntEntryBytes(pairs);
    for (let i = 0; i < pairs; i++) {
      if (!same) bytes += listpackEntryBytes(fields[2 * i]);
      bytes += listpackEntryBytes(fields[2 * i + 1]);
    }
    bytes += listpackIntEntryBytes(pairs + 3 + (same ? 0 : pairs + 1));
    this.nodeBytes += bytes;
    this.nodeCount++;
  }

  private openNode(id: string, ms: number, seq: number, fields: readonly Uint8Array[], pairs: number): void {
    this.masterMs = ms;
    this.masterSeq = seq;
    this.masterFields = [];
    // Deleted count (0), field count, field names, terminator; the live count is added when sized.
    let bytes = LISTPACK_EMPTY_BYTES + listpackIntEntryBytes(0) + listpackIntEntryBytes(pairs) + listpackIntEntryBytes(0);
    for (let i = 0; i < pairs; i++) {
      bytes += listpackEntryBytes(fields[2 * i]);
      this.masterFields.push(fields[2 * i].slice());
    }
    this.nodeBytes = bytes;
    this.nodeCount = 0;
    streamIdBytes(id, this.idBytes);
    this.rax.insert(this.idBytes);
  }

  private sameFields(fields: readonly Uint8Array[], pairs: number): boolean {
    const master = this.masterFields;
    if (master.length !== pairs) return false;
    for (let i = 0; i < pairs; i++) {
      const a = master[i];
      const b = fields[2 * i];
      if (a.length !== b.length) return false;
      for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
    }
    return true;
  }
}
