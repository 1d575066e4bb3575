/**
 * Seeded random datasets for property tests of the writers: every type Redis 7.0 holds, in
 * small and large forms (so writers pick listpacks, intsets, quicklists and hash tables),
 * binary and integer-looking strings, scores with infinities, expiries, function libraries,
 * and streams with groups, consumers and pending entries; hash field TTLs when asked.
 */
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey } from '../../src/dataset/stream-id.js';

/** A small seeded generator (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Options of {@link randomDataset}. */
export interface RandomDatasetOptions {
  keys?: number;
  /** Hashes may get field TTLs (RDB 12 / Redis 7.4 and later). */
  fieldTtls?: boolean;
  /** Function libraries (RDB 10 / Redis 7.0 and later). */
  functions?: boolean;
  /** Expiries are all in the future (a server loading the file keeps every key). */
  nowMs?: number;
}

/** A random byte string: text, an integer's text, binary bytes, or a long run. */
export function randomBytes(r: Rng, maxLen = 40): string {
  switch (r.int(6)) {
    case 0:
      return String(r.int(2_000_000) - 1_000_000);
    case 1:
      return String(r.int(100));
    case 2: {
      let s = '';
      const n = r.int(maxLen);
      for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256));
      return s;
    }
    case 3:
      return 'x'.repeat(r.chance(0.2) ? 100 + r.int(3000) : r.int(80));
    default: {
      let s = '';
      const n = 1 + r.int(maxLen);
      for (let i = 0; i < n; i++) s += String.fromCharCode(97 + r.int(26));
      return s;
    }
  }
}

function count(r: Rng): number {
  // Mostly small (listpacks), sometimes past the default limits (128 entries, 64-byte values).
  return r.chance(0.15) ? 129 + r.int(400) : 1 + r.int(20);
}

function randomScore(r: Rng): number {
  switch (r.int(8)) {
    case 0:
      return Infinity;
    case 1:
      return -Infinity;
    case 2:
      return r.int(1000) - 500;
    case 3:
      return (r.next() - 0.5) * 1e20;
    default:
      // Never -0: a score written as a command into a small sorted set becomes 0 on 7.0 (a listpack keeps integers).
      return Math.round((r.next() - 0.5) * 1e6) / 1000 + 0;
  }
}

/** A seeded random dataset (see the module notes). */
export function randomDataset(seed: number, opts: RandomDatasetOptions = {}): Dataset {
  const r = new Rng(seed);
  const ds = new Dataset();
  const now = opts.nowMs ?? Date.now();
  const n = opts.keys ?? 60;
  for (let i = 0; i < n; i++) {
    const db = r.chance(0.8) ? 0 : r.pick([1, 3, 15]);
    const key = r.chance(0.1) ? randomBytes(r) + `#${i}` : `k:${i}:${randomBytes(r, 8)}`;
    const d = ds.db(db);
    if (d.has(key)) continue;
    const expire = r.chance(0.2) ? now + 3_600_000 + r.int(1e9) : null;
    switch (r.int(6)) {
      case 0:
        d.add(key, randomBytes(r, 200), expire);
        break;
      case 1: {
        const items: string[] = [];
        for (let j = count(r); j > 0; j--) items.push(randomBytes(r));
        d.add(key, ListValue.from(items), expire);
        break;
      }
      case 2: {
        const ints = r.chance(0.4);
        const set = new Set<string>();
        for (let j = count(r); j > 0; j--) set.add(ints ? String(r.int(1e6) - 5e5) : randomBytes(r));
        d.add(key, SetValue.from([...set])!, expire);
        break;
      }
      case 3: {
        const z = new Map<string, number>();
        for (let j = count(r); j > 0; j--) z.set(randomBytes(r), randomScore(r));
        d.add(key, ZSetValue.from([...z.keys()], [...z.values()])!, expire);
        break;
      }
      case 4: {
        const h = new HashValue();
        for (let j = count(r); j > 0; j--) h.set(randomBytes(r, 30), randomBytes(r, 90));
        if (opts.fieldTtls && r.chance(0.4)) for (const [f] of [...h.entries()]) if (r.chance(0.5)) h.setFieldExpire(f, now + 3_600_000 + r.int(1e9));
        d.add(key, h, expire);
        break;
      }
      default:
        d.add(key, randomStream(r, now), expire);
    }
  }
  if (opts.functions) {
    for (let i = 0; i < 1 + r.int(3); i++) {
      ds.functions.load(Buffer.from(`#!lua name=lib${seed}_${i}\nredis.register_function('f${seed}_${i}', function() return ${i} end)`), false);
    }
  }
  return ds;
}

function randomStream(r: Rng, now: number): StreamValue {
  const s = new StreamValue();
  let ms = 1_700_000_000_000 + r.int(1e6);
  const ids: string[] = [];
  const entries = r.chance(0.1) ? 0 : 1 + r.int(r.chance(0.1) ? 300 : 15);
  for (let i = 0; i < entries; i++) {
    ms += r.int(3);
    const id = streamIdKey(`${ms}-${i}`);
    const fields: string[] = [];
    for (let f = 1 + r.int(3); f > 0; f--) fields.push(r.pick(['name', 'n', 'payload', randomBytes(r, 6)]), randomBytes(r, 20));
    s.append(id, fields);
    ids.push(id);
  }
  s.lastId = ids.length > 0 ? ids[ids.length - 1] : streamIdKey(`${ms}-0`);
  s.firstId = ids.length > 0 ? ids[0] : streamIdKey('0-0');
  s.entriesAdded = entries + r.int(3);
  if (s.entriesAdded > entries) s.maxDeletedId = streamIdKey(`${ms - 1000}-0`);
  if (s.entriesAdded > entries && ids.length === 0) s.maxDeletedId = s.lastId;
  for (let g = r.int(3); g > 0; g--) {
    const last = ids.length > 0 ? r.pick(ids) : s.lastId;
    const read = ids.length > 0 ? ids.indexOf(last) + 1 : 0;
    const group = s.addGroup(`g${g}`, last, read);
    const consumers = ['alice', 'bob', 'c' + randomBytes(r, 4)].slice(0, 1 + r.int(3));
    for (const c of consumers) group.addConsumer(c, now - r.int(1e6), now - r.int(1e6));
    for (const id of ids.slice(0, ids.indexOf(last) + 1)) {
      if (r.chance(0.3)) group.setPending(id, r.pick(consumers), now - r.int(1e6), 1 + r.int(5));
    }
  }
  return s;
}
