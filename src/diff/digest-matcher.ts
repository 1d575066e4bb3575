/**
 * Where the two inputs' digest records meet. Batches of records wait in one queue per input;
 * while both queues hold records, their heads are compared directly — two copies of the same
 * data in the same key order (a file and its copy, an RDB converted to another version) match
 * record by record and never touch the table. Heads that name different keys go through the
 * table (digest-table.ts), each to meet its match there or wait for it. When the table shows
 * one input running ahead (the other's head met a record it put in), mismatches start with
 * the lagging input's head, and when that head meets its match the ahead input's head waits:
 * an added or removed key puts the streams back in step at once instead of leaving them one
 * record apart for the rest of the file.
 *
 * A queue that grows while the other is empty (the other input not started, or read after
 * this one in the same thread) goes to the table batch by batch, so that memory never holds
 * more than {@link MAX_QUEUED} waiting batches per input; an input whose partner has ended
 * goes to the table as it comes.
 */
import { readRecord, RecordView, TYPE_OFF, NAME_AT } from './digest-records.js';
import type { DigestTable } from './digest-table.js';

/**
 * Batches a queue holds while the other is empty, before its oldest goes to the table. A
 * worker thread sends fewer than this before it waits for its batches to come back
 * (digest-worker.ts), so that the faster of two workers waits for the slower one rather
 * than fill the table.
 */
export const MAX_QUEUED = 16;

/** The same, while the other input has not given its first batch (an AOF being replayed): its partner goes on into the table. */
export const START_QUEUED = 4;

/** A batch in a queue, read up to `at`. */
interface Queued {
  bytes: Uint8Array;
  length: number;
  at: number;
  /** Called once its records are all taken (a worker's buffer goes back). */
  consumed: (() => void) | undefined;
}

/** See the module notes. */
export class DigestMatcher {
  private readonly queues: [Queued[], Queued[]] = [[], []];
  private readonly ended: [boolean, boolean] = [false, false];
  /** Whether each input has given a batch yet. */
  private readonly started: [boolean, boolean] = [false, false];
  /** The input whose head goes to the table first at a mismatch. */
  private lead: 0 | 1 = 0;
  private readonly va = new RecordView();
  private readonly vb = new RecordView();

  constructor(
    readonly table: DigestTable,
    /** The inputs' names, for errors. */
    private readonly names: readonly [string, string],
  ) {}

  /**
   * Queues a batch of input `side` and matches what can be matched. `consumed` is called once
   * all its records are taken (perhaps at once, perhaps later).
   * @throws CorruptDataError when an input brings a key twice (see DigestTable.put)
   */
  add(side: 0 | 1, bytes: Uint8Array, length: number, consumed?: () => void): void {
    if (length === 0) {
      consumed?.();
      return;
    }
    this.started[side] = true;
    this.queues[side].push({ bytes, length, at: 0, consumed });
    this.pump();
  }

  /** Input `side` has no more records: the other's go to the table from now on. */
  end(side: 0 | 1): void {
    this.ended[side] = true;
    this.pump();
  }

  private pump(): void {
    const [qa, qb] = this.queues;
    for (;;) {
      if (qa.length > 0 && qb.length > 0) {
        this.merge(qa[0], qb[0]);
        if (qa[0].at >= qa[0].length) this.release(qa);
        if (qb.length > 0 && qb[0].at >= qb[0].length) this.release(qb);
        continue;
      }
      if (qa.length === 0 && qb.length === 0) return;
      const side = qa.length > 0 ? 0 : 1;
      const q = side === 0 ? qa : qb;
      const other = 1 - side;
      if (!this.ended[other] && q.length <= (this.started[other] ? MAX_QUEUED : START_QUEUED)) return;
      this.drain(side, q[0]);
      this.release(q);
    }
  }

  private release(q: Queued[]): void {
    const done = q.shift()!;
    done.consumed?.();
  }

  /** Matches the heads of two batches until one of them is used up. */
  private merge(a: Queued, b: Queued): void {
    const table = this.table;
    const va = this.va;
    const vb = this.vb;
    const ab = a.bytes;
    const bb = b.bytes;
    const [nameA, nameB] = this.names;
    while (a.at < a.length && b.at < b.length) {
      const pa = a.at;
      const pb = b.at;
      readRecord(ab, pa, va);
      readRecord(bb, pb, vb);
      if (sameName(ab, pa, va, bb, pb, vb)) {
        a.at = va.partsEnd + 8;
        b.at = vb.partsEnd + 8;
        const what = table.compare(ab, pa, va, bb, pb, vb);
        if (what === 0) table.same++;
        else table.putChanged(ab, pa, va, what, ab[va.nameEnd + TYPE_OFF], bb[vb.nameEnd + TYPE_OFF]);
        continue;
      }
      // Different keys: each to the table, the lagging input's first. When the lagging
      // input's head meets its match there, the other input is ahead: its head waits.
      if (this.lead === 0) {
        a.at = va.partsEnd + 8;
        if (table.put(0, ab, pa, va, nameA)) continue;
        b.at = vb.partsEnd + 8;
        if (table.put(1, bb, pb, vb, nameB)) this.lead = 1;
      } else {
        b.at = vb.partsEnd + 8;
        if (table.put(1, bb, pb, vb, nameB)) continue;
        a.at = va.partsEnd + 8;
        if (table.put(0, ab, pa, va, nameA)) this.lead = 0;
      }
    }
  }

  /** The records left in batch `q` of input `side`, to the table. */
  private drain(side: 0 | 1, q: Queued): void {
    const v = this.va;
    const b = q.bytes;
    const name = this.names[side];
    while (q.at < q.length) {
      const at = q.at;
      readRecord(b, at, v);
      q.at = v.partsEnd + 8;
      this.table.put(side, b, at, v, name);
    }
  }
}

/** Whether two records (read into `va`, `vb`) name the same key. */
function sameName(a: Uint8Array, pa: number, va: RecordView, b: Uint8Array, pb: number, vb: RecordView): boolean {
  const n = va.nameEnd - pa;
  if (vb.nameEnd - pb !== n) return false;
  for (let k = NAME_AT; k < n; k++) if (a[pa + k] !== b[pb + k]) return false;
  return true;
}
