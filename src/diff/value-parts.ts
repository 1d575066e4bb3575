/**
 * The parts of a key held in a dataset (key-parts.ts): its value read element by element, for
 * an AOF replayed into a dataset, and for the values the RDB digester has the dataset's loader
 * build (streams, module values, arrays, GCRA values, hashes that may carry field TTLs). The
 * element combinations are shared with the RDB digester (rdb-digests.ts), which computes the
 * same numbers from the decoder's events.
 *
 * Streams, module values, arrays and GCRA values — rare, and made of many kinds of fields —
 * are digested with the dataset's 128-bit hash (dataset/hash128.ts), keeping 64 bits:
 * - a stream's value covers its entries in ID order, its last, first and max-deleted IDs, its
 *   entries-added count and its IDMP state (never-configured state counting as none, as in
 *   dataset/digest.ts); its meta digest, the consumer groups, order-free: each group's name,
 *   last-delivered ID, entries-read, PEL (ID, owner, delivery time and count, order-free),
 *   consumer names (order-free) and NACK zone. Consumers' seen and active times are left out:
 *   a replay sets them to its own clock.
 */
import { Hash128, LANE_SEEDS, addLanes, type Lanes } from '../dataset/hash128.js';
import { addIdmpState, groupLanes } from '../dataset/digest.js';
import type { StreamValue } from '../dataset/stream.js';
import type { Value } from '../dataset/value.js';
import { doubleHigh, doubleLow, Hash64, hashBytes, hashChars, hashWords, OUT } from './hash64.js';
import { DigestSum, KeyParts, SEED, TYPE_CODE } from './key-parts.js';

/** Adds a sorted-set member (whose digest with {@link SEED}.zmember is `mLo`/`mHi`) and its score. */
export function addScored(sum: DigestSum, mLo: number, mHi: number, score: number): void {
  const sLo = doubleLow(score);
  hashWords(SEED.scored[0], SEED.scored[1], mLo, mHi, sLo, doubleHigh());
  sum.add(OUT.lo, OUT.hi);
}

/** Adds a hash field and its value (digests with {@link SEED}.field and .fieldValue). */
export function addPair(sum: DigestSum, fLo: number, fHi: number, vLo: number, vHi: number): void {
  hashWords(SEED.pair[0], SEED.pair[1], fLo, fHi, vLo, vHi);
  sum.add(OUT.lo, OUT.hi);
}

/** Adds a hash field's TTL (the field's digest with {@link SEED}.field). */
export function addFieldTtl(sum: DigestSum, fLo: number, fHi: number, expireAtMs: number): void {
  const tLo = doubleLow(expireAtMs);
  hashWords(SEED.fieldTtl[0], SEED.fieldTtl[1], fLo, fHi, tLo, doubleHigh());
  sum.add(OUT.lo, OUT.hi);
}

/** The digest of an order-free collection from its sum and count, into {@link OUT}. */
export function finishSum(seed: readonly [number, number], sum: DigestSum): void {
  hashWords(seed[0], seed[1], sum.lo, sum.hi, sum.count, 0);
}

/** The digest of a function library's code, as 16 hex digits (high 32 bits first). */
export function functionDigest(code: Uint8Array): string {
  hashBytes(code, 0, code.length, SEED.string[0], SEED.string[1]);
  return OUT.hi.toString(16).padStart(8, '0') + OUT.lo.toString(16).padStart(8, '0');
}

const LIST = new Hash64();
const SUM = new DigestSum();
const TTLS = new DigestSum();

/**
 * Sets `out`'s type, value digest and meta digest from `v` (expiry and encoding are the
 * caller's).
 */
export function valueParts(v: Value, out: KeyParts): void {
  out.hasMeta = false;
  out.m1 = out.m2 = 0;
  if (typeof v === 'string') {
    out.type = TYPE_CODE.string;
    hashChars(v, SEED.string[0], SEED.string[1]);
    out.v1 = OUT.lo;
    out.v2 = OUT.hi;
    return;
  }
  out.type = TYPE_CODE[v.type];
  switch (v.type) {
    case 'list': {
      const h = LIST.reset(SEED.list[0], SEED.list[1]);
      for (const item of v) {
        hashChars(item, SEED.item[0], SEED.item[1]);
        h.words(OUT.lo, OUT.hi);
      }
      h.digest();
      break;
    }
    case 'set':
      SUM.reset();
      for (const m of v) {
        hashChars(m, SEED.member[0], SEED.member[1]);
        SUM.add(OUT.lo, OUT.hi);
      }
      finishSum(SEED.set, SUM);
      break;
    case 'zset':
      SUM.reset();
      for (const [m, score] of v.entries()) {
        hashChars(m, SEED.zmember[0], SEED.zmember[1]);
        addScored(SUM, OUT.lo, OUT.hi, score);
      }
      finishSum(SEED.zset, SUM);
      break;
    case 'hash': {
      SUM.reset();
      TTLS.reset();
      const ttls = v.volatileFields > 0;
      for (const [f, x] of v.entries()) {
        hashChars(f, SEED.field[0], SEED.field[1]);
        const fLo = OUT.lo;
        const fHi = OUT.hi;
        hashChars(x, SEED.fieldValue[0], SEED.fieldValue[1]);
        addPair(SUM, fLo, fHi, OUT.lo, OUT.hi);
        if (ttls) {
          const t = v.fieldExpire(f);
          if (t !== null) addFieldTtl(TTLS, fLo, fHi, t);
        }
      }
      if (TTLS.count > 0) {
        finishSum(SEED.fieldTtls, TTLS);
        out.hasMeta = true;
        out.m1 = OUT.lo;
        out.m2 = OUT.hi;
      }
      finishSum(SEED.hash, SUM);
      break;
    }
    case 'stream': {
      const value = streamValueLanes(v);
      if (v.groups.size > 0) {
        const g = streamGroupsLanes(v);
        out.hasMeta = true;
        out.m1 = g[0];
        out.m2 = g[1];
      }
      OUT.lo = value[0];
      OUT.hi = value[1];
      break;
    }
    case 'module': {
      const l = BIG.reset(SEED128).framed(v.moduleName).u32(v.encver).u32(v.raw.length).bytes(v.raw).digest();
      OUT.lo = l[0];
      OUT.hi = l[1];
      break;
    }
    case 'array': {
      const h = BIG.reset(SEED128).u32(v.length);
      for (const [i, x] of v.entries()) h.f64(i).framed(x);
      const l = h.digest();
      OUT.lo = l[0];
      OUT.hi = l[1];
      break;
    }
    case 'gcra': {
      const l = BIG.reset(SEED128).framed(v.tat).digest();
      OUT.lo = l[0];
      OUT.hi = l[1];
      break;
    }
  }
  out.v1 = OUT.lo;
  out.v2 = OUT.hi;
}

const SEED128 = LANE_SEEDS as Lanes;
/** The hasher of a stream's value and groups. */
const BIG = new Hash128();

/** A stream's value: entries, IDs, entries-added, IDMP state (see the module notes). */
function streamValueLanes(s: StreamValue): Lanes {
  const h = BIG.reset(SEED128).u32(s.length);
  for (const [id, fields] of s.entries()) {
    h.chars(id).u32(fields.length);
    for (const f of fields) h.framed(f);
  }
  h.chars(s.lastId).chars(s.firstId).chars(s.maxDeletedId).f64(s.entriesAdded);
  addIdmpState(h, s.idmp);
  return h.digest();
}

/** A stream's consumer groups, order-free (see the module notes). */
function streamGroupsLanes(s: StreamValue): Lanes {
  const groups: Lanes = [0, 0, 0, 0];
  // Consumers' seen and active times are never compared (a replay sets them to its own clock).
  for (const g of s.groups.values()) addLanes(groups, groupLanes(g, false));
  return BIG.reset(SEED128).u32(s.groups.size).lanes(groups).digest();
}

