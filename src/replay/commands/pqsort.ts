/**
 * Redis's partial quicksort (`pqsort.c`: the NetBSD libc qsort of Bentley and McIlroy, which
 * skips the partitions that lie wholly outside the wanted range). SORT uses it when a BY
 * pattern and a LIMIT narrow the result; it is not stable, so the order it leaves equal
 * elements in is part of SORT's result, and replaying a `SORT … STORE` exactly needs the same
 * steps: the same pivots (median of three, or of three medians from 41 elements up), the same
 * three-way partition with equal elements swapped to the ends and back, insertion sort below
 * seven elements, and the same left-then-right order of recursion.
 */

/** A comparison: negative, zero or positive. */
export type Compare<T> = (a: T, b: T) => number;

/**
 * Sorts `v` in place far enough that positions `lrange` … `rrange` (inclusive) hold what a
 * full sort would put there, exactly as Redis's `pqsort` arranges them.
 */
export function pqsort<T>(v: T[], cmp: Compare<T>, lrange: number, rrange: number): void {
  sortPart(v, 0, v.length, cmp, lrange, rrange);
}

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** Swaps the `n` elements from `i` with the `n` from `j`. */
function swapRun<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

function med3<T>(v: T[], a: number, b: number, c: number, cmp: Compare<T>): number {
  return cmp(v[a], v[b]) < 0
    ? cmp(v[b], v[c]) < 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? c
        : a
    : cmp(v[b], v[c]) > 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? a
        : c;
}

/** True when the partition `a` … `a + n − 1` overlaps the wanted range. */
function wanted(a: number, n: number, lrange: number, rrange: number): boolean {
  const last = a + n - 1;
  return !((lrange < a && rrange < a) || (lrange > last && rrange > last));
}

/** Sorts the `n` elements from index `a`. */
function sortPart<T>(v: T[], a: number, n: number, cmp: Compare<T>, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = a + 1; m < a + n; m++) for (let l = m; l > a && cmp(v[l - 1], v[l]) > 0; l--) swap(v, l, l - 1);
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(v, pm - d, pm, pm + d, cmp);
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(v, pl, pm, pn, cmp);
    }
    swap(v, a, pm);
    // v[a] is the pivot; equal elements gather at both ends (a+1 … pa−1 and pd+1 … end).
    let pa = a + 1;
    let pb = pa;
    let pc = a + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb], v[a])) <= 0) {
        if (r === 0) swap(v, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc], v[a])) >= 0) {
        if (r === 0) swap(v, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb++, pc--);
    }
    const end = a + n;
    let r = Math.min(pa - a, pb - pa);
    swapRun(v, a, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRun(v, pb, end - r, r);
    r = pb - pa;
    if (r > 1 && wanted(a, r, lrange, rrange)) sortPart(v, a, r, cmp, lrange, rrange);
    r = pd - pc;
    if (r > 1) {
      a = end - r;
      n = r;
      if (wanted(a, n, lrange, rrange)) continue;
    }
    return;
  }
}
