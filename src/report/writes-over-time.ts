/**
 * Writes over time from an AOF's `#TS:<unix seconds>` annotations (FORMATS.md §5.4: Redis
 * writes one before the commands of a second when `aof-timestamp-enabled` is on): every
 * command after an annotation is counted in the time bucket of that annotation, until the
 * next one; commands of a file before its first annotation are counted apart (`untimed`).
 * MULTI, EXEC and SELECT are not writes and are not counted.
 *
 * Memory is bounded: at most {@link MAX_TIME_BUCKETS} buckets are kept. Buckets start one
 * second wide; when more would be needed the width grows to the next of
 * {@link BUCKET_WIDTHS_SEC} (each a multiple of the one before, so buckets merge exactly)
 * and the buckets are merged, whatever order the timestamps come in.
 */
import type { AofAnnotation, AofCommand, AofHandler } from '../model/aof-events.js';
import type { ReportWrites } from './report-data.js';

/** Buckets kept at most. */
export const MAX_TIME_BUCKETS = 500;

/** Bucket widths in seconds, each a multiple of the one before; past the last, widths double. */
export const BUCKET_WIDTHS_SEC: readonly number[] = [1, 10, 60, 600, 3600, 21_600, 86_400, 604_800, 2_419_200];

interface Bucket {
  commands: number;
  bytes: number;
}

/** An {@link AofHandler} counting commands per span of time; call {@link fileStart} before each file. */
export class WritesOverTime implements AofHandler {
  private widthIndex = 0;
  private width = BUCKET_WIDTHS_SEC[0];
  private buckets = new Map<number, Bucket>();
  /** The bucket of the last annotation, or null before the file's first. */
  private current: Bucket | null = null;
  private readonly untimed: Bucket = { commands: 0, bytes: 0 };
  private timestamps = 0;

  /** A file starts: its commands are untimed until its first annotation. */
  fileStart(): void {
    this.current = null;
  }

  annotation(a: AofAnnotation): void {
    if (a.timestampSec === undefined) return;
    this.timestamps++;
    this.current = this.bucketAt(a.timestampSec);
  }

  command(c: AofCommand): void {
    if (c.control !== null) return;
    const b = this.current ?? this.untimed;
    b.commands++;
    b.bytes += c.byteLength;
  }

  /** The bucket holding second `sec`, made (and the buckets widened) when needed. */
  private bucketAt(sec: number): Bucket {
    let b = this.buckets.get(Math.floor(sec / this.width));
    if (b !== undefined) return b;
    while (this.buckets.size >= MAX_TIME_BUCKETS) this.widen();
    const slot = Math.floor(sec / this.width);
    b = this.buckets.get(slot);
    if (b === undefined) this.buckets.set(slot, (b = { commands: 0, bytes: 0 }));
    return b;
  }

  /** Moves to the next width, merging the buckets that now share a slot. */
  private widen(): void {
    const old = this.width;
    this.widthIndex++;
    this.width = this.widthIndex < BUCKET_WIDTHS_SEC.length ? BUCKET_WIDTHS_SEC[this.widthIndex] : old * 2;
    const merged = new Map<number, Bucket>();
    for (const [slot, b] of this.buckets) {
      const to = Math.floor((slot * old) / this.width);
      const m = merged.get(to);
      if (m === undefined) {
        merged.set(to, b);
        continue;
      }
      m.commands += b.commands;
      m.bytes += b.bytes;
      // The current bucket object now lives on in the one it merged into.
      if (this.current === b) this.current = m;
    }
    this.buckets = merged;
  }

  /** What was counted: the buckets with commands, oldest first. */
  result(): ReportWrites {
    const buckets = [...this.buckets.entries()]
      .filter(([, b]) => b.commands > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([slot, b]) => ({ t: slot * this.width, commands: b.commands, bytes: b.bytes }));
    return { bucketSec: this.width, buckets, untimed: { ...this.untimed }, timestamps: this.timestamps };
  }
}
