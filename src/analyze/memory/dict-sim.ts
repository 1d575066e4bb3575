/**
 * How many buckets a Redis dict (dict.c, 6.0 to 8.0 and Valkey 8.0 alike) has once a known sequence of expansions and
 * insertions has run — what `MEMORY USAGE` counts as `dictSlots` (both tables while a rehash
 * is under way).
 *
 * A dict grows by starting a second table (`_dictExpand`) and moving one non-empty bucket of
 * the first into it at each later insertion (`_dictRehashStep`): a dict filled while loading
 * can end with two tables. Which buckets are empty depends on the seeded hash function, so
 * the move is modelled by the expected number of non-empty buckets, `size·(1 − (1 − 1/size)^used)`,
 * each holding `used / non-empty` entries; the bucket count reported at the end weighs the
 * last rehash's two outcomes (done or not) by their probability. Tables are powers of two, at
 * least 4 (`DICT_HT_INITIAL_SIZE`).
 */

/** The smallest power of two ≥ `n`, at least 4 (`_dictNextExp`). */
export function dictTableSize(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/** The expected number of non-empty buckets of `size` buckets holding `used` entries. */
function nonEmptyBuckets(size: number, used: number): number {
  return size * (1 - Math.pow(1 - 1 / size, used));
}

/**
 * The probability that more than `steps` buckets are non-empty when `used` entries fall at
 * random into `size` buckets: exactly (occupancy recurrence) for small tables, by the normal
 * approximation of the count's distribution beyond.
 */
export function moreNonEmptyThan(size: number, used: number, steps: number): number {
  if (steps >= used || steps >= size) return 0;
  if (size * Math.min(used, size) <= 8192) {
    // p[j]: probability that j buckets are non-empty after the entries so far.
    let p = new Float64Array(Math.min(used, size) + 1);
    p[0] = 1;
    for (let i = 0; i < used; i++) {
      const q = new Float64Array(p.length);
      for (let j = 0; j <= Math.min(i, size); j++) {
        if (p[j] === 0) continue;
        q[j] += (p[j] * j) / size;
        if (j + 1 < q.length) q[j + 1] += (p[j] * (size - j)) / size;
      }
      p = q;
    }
    let tail = 0;
    for (let j = steps + 1; j < p.length; j++) tail += p[j];
    return Math.min(1, tail);
  }
  const a = Math.pow(1 - 1 / size, used);
  const mean = size * (1 - a);
  const variance = Math.max(1e-9, size * (size - 1) * Math.pow(1 - 2 / size, used) + size * a - size * size * a * a);
  const z = (steps + 0.5 - mean) / Math.sqrt(variance);
  return 1 - normalCdf(z);
}

/** Φ(z), the standard normal distribution function (Abramowitz–Stegun 26.2.17, error < 1e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}

/** One simulated dict; reusable (see {@link DictSim.reset}). */
export class DictSim {
  /** Buckets of the first table (0: none yet) and its entries. */
  private size0 = 0;
  private used0 = 0;
  /** Buckets of the table being filled by a rehash (0: none) and its entries. */
  private size1 = 0;
  private used1 = 0;
  /** Non-empty buckets of the first table not moved yet (while rehashing). */
  private left = 0;
  /**
   * The last rehash: the table it empties (buckets and entries when it started), the table
   * it fills, and the insertions since it started (each one a step while it runs). The
   * simulation ends it when the expected steps are done; {@link slots} weighs both outcomes.
   */
  private lastOldSize = 0;
  private lastOldUsed = 0;
  private lastNewSize = 0;
  private stepsSinceLast = 0;

  /** Forgets everything (an empty dict without tables, as `dictCreate` makes it). */
  reset(): void {
    this.size0 = this.used0 = this.size1 = this.used1 = this.left = 0;
    this.lastOldSize = this.lastOldUsed = this.lastNewSize = this.stepsSinceLast = 0;
  }

  /**
   * Buckets of both tables, as expected: the newest table, plus the one the last rehash
   * empties weighted by the chance that its steps so far did not move all of its non-empty
   * buckets.
   */
  get slots(): number {
    if (this.lastNewSize === 0) return this.size0;
    const notDone = this.stepsSinceLast === 0 ? 1 : moreNonEmptyThan(this.lastOldSize, this.lastOldUsed, this.stepsSinceLast);
    return this.lastNewSize + this.lastOldSize * notDone;
  }

  /**
   * The expected number of non-empty buckets over both tables: those of the first table a
   * rehash has not moved yet, and those the entries of the other fill.
   */
  get filledBuckets(): number {
    if (this.size1 > 0) return Math.max(0, this.left) + nonEmptyBuckets(this.size1, this.used1);
    return this.size0 === 0 ? 0 : nonEmptyBuckets(this.size0, this.used0);
  }

  /** Entries. */
  get used(): number {
    return Math.round(this.used0 + this.used1);
  }

  /** True while the simulated rehash is under way. */
  get rehashing(): boolean {
    return this.size1 > 0;
  }

  /**
   * `dictExpand(d, n)` / `dictTryExpand`: a first table of the size for `n` entries, or a
   * rehash to it; nothing while a rehash runs, when the dict holds more than `n`, or when the
   * table already has that size. Returns true when it did something.
   */
  expand(n: number): boolean {
    if (this.size1 > 0 || this.used0 > n) return false;
    const size = dictTableSize(n);
    if (size === this.size0) return false;
    if (this.size0 === 0) {
      this.size0 = size;
      return true;
    }
    this.size1 = size;
    this.used1 = 0;
    this.left = nonEmptyBuckets(this.size0, this.used0);
    this.lastOldSize = this.size0;
    this.lastOldUsed = this.used0;
    this.lastNewSize = size;
    this.stepsSinceLast = 0;
    return true;
  }

  /**
   * `dictAdd` of a new key: a rehash step, the growth check (`_dictExpandIfNeeded`), the
   * insertion. `steps` 2 for a command that looks the key up first (`dictFind` steps too:
   * HSET, ZADD).
   */
  add(steps = 1): void {
    for (let i = 0; i < steps; i++) {
      if (this.lastNewSize > 0) this.stepsSinceLast++;
      if (this.size1 > 0) this.rehashStep();
    }
    if (this.size1 === 0) {
      if (this.size0 === 0) this.expand(4);
      else if (this.used0 >= this.size0) this.expand(this.used0 + 1);
    }
    if (this.size1 > 0) this.used1++;
    else this.used0++;
  }

  /** `n` insertions (the same as calling {@link add} `n` times, faster when no rehash is near). */
  addMany(n: number, steps = 1): void {
    while (n > 0) {
      if (this.size1 === 0 && this.size0 > 0 && this.used0 + n <= this.size0) {
        this.used0 += n;
        if (this.lastNewSize > 0) this.stepsSinceLast += n * steps;
        return;
      }
      this.add(steps);
      n--;
    }
  }

  /** One `dictRehash(d, 1)`: moves one non-empty bucket; swaps the tables when the first is empty. */
  private rehashStep(): void {
    if (this.used0 > 0) {
      const moved = this.left <= 1 ? this.used0 : this.used0 / this.left;
      this.used0 -= moved;
      this.used1 += moved;
      this.left -= 1;
      if (this.left <= 0) {
        this.used1 += this.used0;
        this.used0 = 0;
      }
    }
    if (this.used0 <= 0) {
      this.size0 = this.size1;
      this.used0 = Math.round(this.used1);
      this.size1 = 0;
      this.used1 = 0;
      this.left = 0;
    }
  }
}
