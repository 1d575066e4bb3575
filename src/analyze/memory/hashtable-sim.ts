/**
 * What Valkey 8.1's hash table (hashtable.c) takes once a known sequence of expansions and
 * insertions has run — what `MEMORY USAGE` counts as `hashtableMemUsage`: the 72-byte table
 * structure and 64 bytes for every bucket of both tables (while a rehash is under way) and for
 * every child bucket.
 *
 * A bucket is one cache line: a metadata word and 7 entry pointers. A key hashes to one
 * top-level bucket; when that bucket is full, its last slot becomes a pointer to a child
 * bucket (6 entries and the pointer, the last child of a chain 7), so a bucket chain of k
 * entries has ⌈(k − 7) / 6⌉ children. Which buckets fill depends on the seeded hash, so the
 * children are the expected number when the entries fall at random (Poisson) into the
 * buckets. Tables are powers of two of at least ⌈n · 5 / 32⌉ buckets for n entries (a fill of
 * at most 91%); an insertion that would put more than 7 entries a bucket on average starts a
 * rehash to a table for one more entry, and every later lookup (an insertion's included)
 * moves one top-level bucket (empty or not) into it.
 */

/** Bytes of a bucket (`sizeof(bucket)`). */
export const HASHTABLE_BUCKET_BYTES = 64;
/** Bytes of the table structure (`sizeof(hashtable)`, no metadata). */
export const HASHTABLE_BYTES = 72;
/** Entries a bucket holds. */
const ENTRIES_PER_BUCKET = 7;

/** Top-level buckets of a table made for `n` entries (`nextBucketExp`; 0 for none). */
export function hashtableBuckets(n: number): number {
  if (n <= 0) return 0;
  const min = Math.floor((n * 5 - 1) / 32) + 1;
  let b = 1;
  while (b < min) b *= 2;
  return b;
}

/** The expected child buckets of `buckets` top-level buckets holding `used` entries at random. */
export function expectedChildBuckets(buckets: number, used: number): number {
  if (buckets <= 0 || used <= ENTRIES_PER_BUCKET) return 0;
  if (buckets === 1) return Math.ceil((used - ENTRIES_PER_BUCKET) / (ENTRIES_PER_BUCKET - 1));
  // Per bucket, the entries are binomial(used, 1/buckets): sum P(k) · children(k) over k > 7.
  const p = 1 / buckets;
  const q = 1 - p;
  // P(k) by the recurrence P(k+1) = P(k) · (used − k)/(k + 1) · p/q, from P(0) = q^used (in logs for large tables).
  let logPk = used * Math.log(q);
  let e = 0;
  let mass = 0;
  const max = Math.min(used, 200);
  for (let k = 0; k <= max; k++) {
    const pk = Math.exp(logPk);
    mass += pk;
    if (k > ENTRIES_PER_BUCKET) e += pk * Math.ceil((k - ENTRIES_PER_BUCKET) / (ENTRIES_PER_BUCKET - 1));
    if (k > ENTRIES_PER_BUCKET && 1 - mass < 1e-12) break;
    logPk += Math.log((used - k) / (k + 1)) + Math.log(p / q);
  }
  return buckets * e;
}

/** What `hashtableMemUsage` counts for a table made for `n` entries and holding them. */
export function presizedHashtableBytes(n: number): number {
  const b = hashtableBuckets(n);
  return HASHTABLE_BYTES + HASHTABLE_BUCKET_BYTES * (b + expectedChildBuckets(b, n));
}

/** One simulated hash table; reusable (see {@link HashtableSim.reset}). */
export class HashtableSim {
  /** Top-level buckets of the first table (0: none) and its entries. */
  private buckets0 = 0;
  private used0 = 0;
  /** The rehash target (0: none), its entries, and the first table's buckets moved so far. */
  private buckets1 = 0;
  private used1 = 0;
  private rehashIdx = 0;

  /** Forgets everything (`hashtableCreate`: no tables). */
  reset(): void {
    this.buckets0 = this.used0 = this.buckets1 = this.used1 = this.rehashIdx = 0;
  }

  /** Entries. */
  get used(): number {
    return Math.round(this.used0 + this.used1);
  }

  /** True while a rehash is under way. */
  get rehashing(): boolean {
    return this.buckets1 > 0;
  }

  /** Buckets of both tables, child buckets (expected) included. */
  get buckets(): number {
    const left = this.buckets0 - this.rehashIdx;
    return this.buckets0 + this.buckets1 + expectedChildBuckets(left, this.used0) + expectedChildBuckets(this.buckets1, this.used1);
  }

  /** What `hashtableMemUsage` counts (the structure and every bucket). */
  get memUsage(): number {
    return HASHTABLE_BYTES + HASHTABLE_BUCKET_BYTES * this.buckets;
  }

  /** `hashtableExpand(ht, n)`: a table for `n` entries, unless it holds more or has that size already. */
  expand(n: number): boolean {
    if (n < this.used) return false;
    return this.resize(n);
  }

  /** `resize`: finishes a rehash under way, then starts one to a table for `minCapacity` (or takes it at once when empty). */
  private resize(minCapacity: number): boolean {
    const buckets = hashtableBuckets(Math.max(1, minCapacity));
    if (buckets === (this.buckets1 > 0 ? this.buckets1 : this.buckets0)) return false;
    while (this.buckets1 > 0) this.rehashStep();
    if (this.buckets0 === 0 || this.used0 === 0) {
      this.buckets0 = buckets;
      return true;
    }
    this.buckets1 = buckets;
    this.used1 = 0;
    this.rehashIdx = 0;
    return true;
  }

  /**
   * `hashtableAdd` of a new entry: `steps` lookups (each a rehash step while one is under way:
   * 1 for the insertion's own, 2 for a command that looks the key up first), the growth check
   * (`hashtableExpandIfNeeded`), the insertion.
   */
  add(steps = 1): void {
    if (this.used > 0) for (let i = 0; i < steps && this.buckets1 > 0; i++) this.rehashStep();
    const capacity = (this.buckets1 > 0 ? this.buckets1 : this.buckets0) * ENTRIES_PER_BUCKET;
    if (this.used + 1 > capacity) this.resize(this.used + 1);
    if (this.buckets1 > 0) this.used1++;
    else this.used0++;
  }

  /** `n` insertions (the same as calling {@link add} `n` times, faster when no resize is near). */
  addMany(n: number, steps = 1): void {
    while (n > 0) {
      if (this.buckets1 === 0 && this.buckets0 > 0 && this.used0 + n <= this.buckets0 * ENTRIES_PER_BUCKET) {
        this.used0 += n;
        return;
      }
      this.add(steps);
      n--;
    }
  }

  /** One `rehashStep`: moves the next top-level bucket (its entries, as expected) into the new table. */
  private rehashStep(): void {
    const left = this.buckets0 - this.rehashIdx;
    const moved = left <= 1 ? this.used0 : this.used0 / left;
    this.used0 -= moved;
    this.used1 += moved;
    this.rehashIdx++;
    if (this.rehashIdx >= this.buckets0) {
      this.buckets0 = this.buckets1;
      this.used0 = Math.round(this.used1);
      this.buckets1 = 0;
      this.used1 = 0;
      this.rehashIdx = 0;
    }
  }
}
