/**
 * The TTL distribution: keys and their memory by when they expire, counted from an instant
 * (`nowMs`): already expired, within an hour, a day, a week, later, or never (no TTL). Six
 * counters whatever the number of keys.
 */
import { TTL_BUCKET_IDS, type ReportTtlBucket } from './report-data.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** Counts keys into the TTL buckets of {@link TTL_BUCKET_IDS}. */
export class TtlBuckets {
  private readonly keys = new Float64Array(TTL_BUCKET_IDS.length);
  private readonly bytes = new Float64Array(TTL_BUCKET_IDS.length);

  constructor(readonly nowMs: number) {}

  /** Counts one key: its absolute expiry (Unix ms, or null for none) and memory. */
  add(expireAtMs: number | null, memoryBytes: number): void {
    const i = this.bucketOf(expireAtMs);
    this.keys[i]++;
    this.bytes[i] += memoryBytes;
  }

  /** The index in {@link TTL_BUCKET_IDS} of an expiry. */
  bucketOf(expireAtMs: number | null): number {
    if (expireAtMs === null) return 5;
    const left = expireAtMs - this.nowMs;
    // Expired means before the instant, as the analyzers count it (`expireAtMs < nowMs`).
    if (left < 0) return 0;
    if (left < HOUR_MS) return 1;
    if (left < DAY_MS) return 2;
    if (left < WEEK_MS) return 3;
    return 4;
  }

  /** The buckets in display order, empty ones included. */
  result(): ReportTtlBucket[] {
    return TTL_BUCKET_IDS.map((id, i) => ({ id, keys: this.keys[i], bytes: this.bytes[i] }));
  }
}
