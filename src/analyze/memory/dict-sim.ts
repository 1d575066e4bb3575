/**
 * How many buckets a Redis 7.0 dict (dict.c) has once a known sequence of expansions and
 * insertions has run — what `MEMORY USAGE` counts as `dictSlots` (both tables while a rehash
 * is under way).
 *
 * A dict grows by starting a second table (`_dictExpand`) and moving one non-empty bucket of
 * the first into it at each later insertion (`_dictRehashStep`): a dict filled while loading
 * can end with two tables. Which buckets are empty depends on the seeded hash function, so
 * the move is modelled by the expected number of non-empty buckets, `size·(1 − (1 − 1/size)^used)`,
 * each holding `used / non-empty` entries; whether a rehash is still under way at the end
 * is decided by that count. Tables are powers of two, at least 4 (`DICT_HT_INITIAL_SIZE`).
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

  /** Forgets everything (an empty dict without tables, as `dictCreate` makes it). */
  reset(): void {
    this.size0 = this.used0 = this.size1 = this.used1 = this.left = 0;
  }

  /** Buckets of both tables. */
  get slots(): number {
    return this.size0 + this.size1;
  }

  /** Entries. */
  get used(): number {
    return this.used0 + this.used1;
  }

  /** True while a rehash is under way. */
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
    return true;
  }

  /** `dictAdd` of a new key: a rehash step, the growth check (`_dictExpandIfNeeded`), the insertion. */
  add(): void {
    if (this.size1 > 0) this.rehashStep();
    if (this.size1 === 0) {
      if (this.size0 === 0) this.expand(4);
      else if (this.used0 >= this.size0) this.expand(this.used0 + 1);
    }
    if (this.size1 > 0) this.used1++;
    else this.used0++;
  }

  /** `n` insertions (the same as calling {@link add} `n` times, faster when no rehash is near). */
  addMany(n: number): void {
    while (n > 0) {
      if (this.size1 === 0 && this.size0 > 0 && this.used0 + n <= this.size0) {
        this.used0 += n;
        return;
      }
      this.add();
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
