/**
 * The pieces of the memory estimate, each against what tells the truth: jemalloc's size
 * classes and the sds header types as a live 7.0 server's MEMORY USAGE shows them for strings
 * of every length band, the integer test as its OBJECT ENCODING decides, the `%.17g` score text
 * as its ZSCORE writes it, the rax node count as MEMORY USAGE counts a PEL's tree; the dict
 * simulation and Valkey 8.1's hashtable.c simulation against their defining rules (the child
 * buckets against tables filled at random); the rax's allocations on hand-counted trees; and the prefix tree on a hand-made set of keys whose
 * totals are known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jemallocSize } from '../../src/analyze/memory/jemalloc.js';
import { libcSize } from '../../src/analyze/memory/libc.js';
import { formatG17Length, parseRedisInt } from '../../src/analyze/memory/encodings.js';
import { memoryModel } from '../../src/analyze/memory/model.js';

/** Debian's redis-server 7.0, the live server here: it links the system's jemalloc. */
const debian70 = () => memoryModel({ server: 'redis', version: '7.0', allocator: 'jemalloc-system' });
import { DictSim, dictTableSize, moreNonEmptyThan } from '../../src/analyze/memory/dict-sim.js';
import { RaxSim, streamIdBytes } from '../../src/analyze/memory/rax-sim.js';
import { expectedChildBuckets, HashtableSim, hashtableBuckets } from '../../src/analyze/memory/hashtable-sim.js';
import { PrefixTree } from '../../src/analyze/memory/prefix-tree.js';
import { asNumber, asText, requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';
import { Rng } from '../helpers/random-dataset.js';

describe('against a live redis-server 7.0', () => {
  requireRedisServer();
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('strings of every length band cost what jemalloc classes and sds headers say', async () => {
    const lengths: number[] = [];
    for (let n = 0; n <= 300; n++) lengths.push(n);
    for (let n = 300; n < 70_000; n = Math.ceil(n * 1.07) + 1) lengths.push(n, n + 1);
    lengths.push(65535, 65536, 1 << 20, (1 << 20) + 1, 5_000_000);
    const key = 'k';
    const m = debian70();
    const keyCost = 24 + m.sdsAlloc(1);
    for (const n of lengths) {
      // Not an integer (a leading letter), so embstr up to 44 bytes, raw beyond.
      await redis.client.call('SET', key, 'x'.repeat(n));
      const usage = asNumber(await redis.client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const value = n === 0 ? m.embstr(0) : n <= 44 ? m.embstr(n) : 16 + m.sdsAlloc(n);
      expect(usage, `length ${n}`).toBe(keyCost + value);
    }
  });

  it('jemalloc classes: at least the request, a class of its own, never 25% above the request past 128 bytes', () => {
    let prev = 0;
    for (let n = 1; n < 1 << 22; n = n < 4096 ? n + 1 : n + 37) {
      const c = jemallocSize(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c).toBeGreaterThanOrEqual(prev);
      expect(jemallocSize(c)).toBe(c);
      if (n > 128) expect(c / n).toBeLessThanOrEqual(1.25 + 1e-9);
      prev = c;
    }
  });

  it('the integer test agrees with the server\'s int encoding', async () => {
    const rng = new Rng(7);
    const values = ['0', '-0', '00', '01', '1', '-1', '+1', ' 1', '1 ', '9999', '10000', '-10000', '2147483647', '2147483648', '-2147483648', '-2147483649',
      '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '99999999999999999999', '18446744073709551616', '1e3', '0x10', '12345678901234567890', '-', '', '١'];
    for (let i = 0; i < 200; i++) {
      const digits = 1 + rng.int(20);
      let s = rng.chance(0.3) ? '-' : '';
      for (let j = 0; j < digits; j++) s += String(j === 0 ? 1 + rng.int(9) : rng.int(10));
      values.push(s);
    }
    for (const v of values) {
      await redis.client.call('SET', 'i', v);
      const enc = asText(await redis.client.call('OBJECT', 'ENCODING', 'i'));
      expect(!Number.isNaN(parseRedisInt(Buffer.from(v))), JSON.stringify(v)).toBe(enc === 'int');
    }
  });

  it('a fractional score\'s text has the length ZSCORE gives it (%.17g)', async () => {
    const rng = new Rng(11);
    const scores = [0.1, 1.5, -2.25, 1e-5, 1.0000000000000001e-5, 123456789.123, 1e16 + 0.5, 1e17, 1.7976931348623157e308, 5e-324, -1e-300, 0.30000000000000004, 1 / 3, Math.PI * 1e20];
    for (let i = 0; i < 300; i++) scores.push((rng.next() - 0.5) * 10 ** (rng.int(40) - 20));
    for (const s of scores) {
      if (Number.isInteger(s)) continue;
      await redis.client.call('ZADD', 'z', String(s), 'm');
      const text = asText(await redis.client.call('ZSCORE', 'z', 'm'));
      expect(formatG17Length(s), `${s} -> ${text}`).toBe(text.length);
    }
  });
});

describe('glibc sizes (MALLOC=libc builds)', () => {
  it('a chunk of the request and its 8-byte size field rounded up to 16, at least 32; usable: the chunk less the size field', () => {
    let prev = 0;
    for (let n = 0; n < 1 << 20; n = n < 4096 ? n + 1 : n + 61) {
      const u = libcSize(n);
      expect(u, `n ${n}`).toBeGreaterThanOrEqual(Math.max(n, 24));
      expect(u).toBeGreaterThanOrEqual(prev);
      if (n < 128 * 1024 - 24) {
        expect((u + 8) % 16, `n ${n}`).toBe(0);
        expect(u - n, `n ${n}`).toBeLessThan(n <= 24 ? 25 : 16);
      } else {
        // A mapped chunk: whole pages, less the two size fields.
        expect((u + 16) % 4096, `n ${n}`).toBe(0);
      }
      prev = u;
    }
    expect([0, 1, 24, 25, 40, 41, 56].map(libcSize)).toEqual([24, 24, 24, 40, 40, 56, 56]);
  });

  it('a listpack shrunk in a larger block keeps it when less than 32 bytes would be split off (glibc) and never with jemalloc', () => {
    const libc = memoryModel({ server: 'redis', version: '7.0', allocator: 'libc' });
    const je = debian70();
    for (let cap = 7; cap < 600; cap += 3) {
      for (let size = 7; size < 700; size += 5) {
        expect(je.shrunkAlloc(cap, size)).toBe(jemallocSize(size));
        const got = libc.shrunkAlloc(cap, size);
        if (size > libcSize(cap)) expect(got).toBe(libcSize(size));
        else expect(got).toBe(libcSize(cap) - libcSize(size) >= 32 ? libcSize(size) : libcSize(cap));
      }
    }
  });
});

describe('dict simulation', () => {
  it('a dict presized for n and given n entries has the power of two at or above n (at least 4)', () => {
    for (const n of [1, 3, 4, 5, 8, 9, 100, 512, 513, 70_000]) {
      const d = new DictSim();
      d.expand(n);
      d.addMany(n);
      expect(d.slots).toBe(dictTableSize(n));
      expect(d.slots).toBeGreaterThanOrEqual(Math.max(4, n));
      expect(d.slots / 2).toBeLessThan(Math.max(4, n));
    }
  });

  it('a dict grown one entry at a time doubles when full and ends between one and three tables of its last size', () => {
    for (const n of [1, 4, 5, 9, 16, 17, 100, 1000, 5000]) {
      const d = new DictSim();
      d.addMany(n);
      const top = dictTableSize(n);
      expect(d.used).toBe(n);
      expect(d.slots).toBeGreaterThanOrEqual(top);
      expect(d.slots).toBeLessThanOrEqual(top * 1.5 + 1e-9);
    }
  });

  it('non-empty buckets: those of a table filled at random; during a rehash, those not moved yet plus those the new table fills', () => {
    for (const n of [1, 10, 100, 512, 5000]) {
      const d = new DictSim();
      d.expand(n);
      d.addMany(n);
      const size = dictTableSize(n);
      expect(d.filledBuckets).toBeCloseTo(size * (1 - Math.pow(1 - 1 / size, n)), 6);
      expect(d.filledBuckets).toBeLessThanOrEqual(n);
    }
    // Grown past 512 one entry at a time: a rehash to 1024 starts at the 513th and moves one
    // non-empty bucket per insertion, so 88 insertions later it is still running.
    const d = new DictSim();
    d.addMany(600);
    expect(d.rehashing).toBe(true);
    const left = 512 * (1 - Math.pow(1 - 1 / 512, 512)) - 88;
    expect(d.filledBuckets).toBeGreaterThan(left);
    expect(d.filledBuckets).toBeLessThan(600);
    expect(d.used).toBe(600);
  });

  it('the chance a rehash is unfinished falls as its steps grow, exact and approximated alike', () => {
    for (const [size, used] of [[4, 3], [8, 8], [64, 64], [4096, 4096]]) {
      let prev = 1;
      for (let steps = 0; steps <= used; steps++) {
        const p = moreNonEmptyThan(size, used, steps);
        expect(p).toBeLessThanOrEqual(prev + 1e-9);
        expect(p).toBeGreaterThanOrEqual(0);
        prev = p;
      }
      expect(moreNonEmptyThan(size, used, used)).toBe(0);
    }
    // One entry always fills exactly one bucket.
    expect(moreNonEmptyThan(16, 1, 0)).toBeCloseTo(1);
    expect(moreNonEmptyThan(16, 1, 1)).toBe(0);
  });
});

describe('hashtable.c simulation (Valkey 8.1)', () => {
  it('a table for n entries has the power of two at or above ⌈n · 5 / 32⌉ buckets of 7 entries', () => {
    expect([0, 1, 6, 7, 13, 14, 51, 52, 512, 513].map(hashtableBuckets)).toEqual([0, 1, 1, 2, 4, 4, 8, 16, 128, 128]);
    for (const n of [1, 7, 100, 513, 70_000]) {
      const b = hashtableBuckets(n);
      expect(b * 7).toBeGreaterThanOrEqual(n);
      expect(b / 2).toBeLessThan(Math.ceil((n * 5) / 32));
    }
  });

  it('child buckets: what entries thrown at random into the buckets need, ⌈(k − 7) / 6⌉ for a bucket of k', () => {
    const rng = new Rng(81);
    for (const [buckets, used] of [[1, 20], [4, 28], [16, 100], [64, 448], [128, 600]] as const) {
      let children = 0;
      const trials = 400;
      for (let t = 0; t < trials; t++) {
        const k = new Int32Array(buckets);
        for (let i = 0; i < used; i++) k[rng.int(buckets)]++;
        for (const c of k) if (c > 7) children += Math.ceil((c - 7) / 6);
      }
      const mean = children / trials;
      expect(Math.abs(expectedChildBuckets(buckets, used) - mean), `${used} entries in ${buckets} buckets`).toBeLessThan(Math.max(0.1, mean * 0.06));
    }
    expect(expectedChildBuckets(8, 7)).toBe(0);
  });

  it('a table grown one entry at a time resizes past 7 entries a bucket and counts both tables until every old bucket has moved', () => {
    const h = new HashtableSim();
    h.addMany(7);
    expect(h.memUsage).toBe(72 + 64 * (1 + expectedChildBuckets(1, 7)));
    // The 8th entry starts a rehash to 2 buckets; the next lookup moves the old bucket.
    h.add();
    expect(h.rehashing).toBe(true);
    expect(h.memUsage).toBeCloseTo(72 + 64 * (1 + 2), 6);
    h.add();
    expect(h.rehashing).toBe(false);
    expect(h.used).toBe(9);
    // Presized, it never grows.
    const p = new HashtableSim();
    p.expand(1000);
    p.addMany(1000);
    expect(p.rehashing).toBe(false);
    expect(p.memUsage).toBeCloseTo(72 + 64 * (256 + expectedChildBuckets(256, 1000)), 6);
  });
});

describe('rax simulation against the server', () => {
  requireRedisServer();
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Random ascending stream IDs: runs of sequence numbers, small and large jumps of the time part. */
  function ids(rng: Rng, n: number): string[] {
    const out: string[] = [];
    let ms = BigInt(1_700_000_000_000 + rng.int(1e6));
    let seq = 0n;
    for (let i = 0; i < n; i++) {
      if (i > 0 && rng.chance(0.5)) {
        ms += BigInt(1 + rng.int(rng.chance(0.1) ? 1e9 : rng.chance(0.3) ? 70_000 : 300));
        seq = 0n;
      } else if (i > 0) seq += BigInt(1 + rng.int(rng.chance(0.05) ? 1e6 : 3));
      out.push(`${ms}-${seq}`);
    }
    return out;
  }

  it('a PEL\'s radix tree has the nodes MEMORY USAGE counts for it', async () => {
    const rng = new Rng(3);
    for (let round = 0; round < 30; round++) {
      const list = ids(rng, 1 + rng.int(round < 10 ? 20 : 600));
      await redis.client.call('DEL', 's');
      for (let i = 0; i < list.length; i += 500) await redis.client.callAll(list.slice(i, i + 500).map((id) => ['XADD', 's', id, 'f', 'v']));
      await redis.client.call('XGROUP', 'CREATE', 's', 'g', '0');
      await redis.client.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
      const before = asNumber(await redis.client.call('MEMORY', 'USAGE', 's', 'SAMPLES', '0'));
      await redis.client.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
      const after = asNumber(await redis.client.call('MEMORY', 'USAGE', 's', 'SAMPLES', '0'));
      // The group's PEL and the consumer's hold the same IDs: two trees, plus a NACK per entry.
      const empty = new RaxSim(debian70().sizes).accountedBytes;
      const tree = (after - before - 24 * list.length) / 2 + empty;
      const rax = new RaxSim(debian70().sizes);
      const key = new Uint8Array(16);
      for (const id of list) {
        streamIdBytes(id, key);
        rax.insert(key);
      }
      expect(rax.elements).toBe(list.length);
      expect(rax.accountedBytes, `round ${round}: ${list.length} IDs`).toBe(tree);
    }
  });

  it('adds up its nodes\' allocations (Valkey 8.1\'s raxAllocSize) on hand-counted trees', () => {
    const rax = new RaxSim({ raxNode: 244, raxElement: 16 }, (n) => n, true);
    // The rax (32) and its empty root (8).
    expect(rax.accountedBytes).toBe(40);
    const id = new Uint8Array(16);
    rax.insert(id);
    // The root compressed over 16 bytes (4 + 16 padded to 24, one child pointer) and a 16-byte leaf.
    expect(rax.accountedBytes).toBe(32 + 32 + 16);
    id[15] = 1;
    rax.insert(id);
    // Split at the last byte: a compressed head of 15 (24 + 8), a branch of 2 (8 + 16), two leaves.
    expect(rax.accountedBytes).toBe(32 + 32 + 24 + 16 + 16);
    id[15] = 2;
    rax.insert(id);
    // The branch gets a third child (8 + 24) and a leaf.
    expect(rax.accountedBytes).toBe(32 + 32 + 32 + 3 * 16);
    expect(rax.nodes).toBe(5);
  });

  it('reads stream IDs as 16 big-endian bytes', () => {
    const out = new Uint8Array(16);
    streamIdBytes('18446744073709551615-1', out);
    expect(Buffer.from(out).toString('hex')).toBe('ffffffffffffffff0000000000000001');
    streamIdBytes('1700000000000-258', out);
    expect(Buffer.from(out).toString('hex')).toBe(BigInt(1700000000000).toString(16).padStart(16, '0') + '0000000000000102');
  });
});

describe('prefix tree', () => {
  const enc = (s: string) => Buffer.from(s, 'utf8');

  it('counts keys and memory per prefix exactly while every prefix fits', () => {
    const tree = new PrefixTree({ depth: 3 });
    const keys: [string, number][] = [
      ['session:a1', 100],
      ['session:a2', 300],
      ['session:b:x', 50],
      ['user:1:profile', 1000],
      ['user:1:tags', 200],
      ['user:2:profile', 700],
      ['plain', 10],
      ['a::b', 5],
    ];
    for (const [k, b] of keys) tree.add(0, enc(k), b);
    const r = tree.result();
    expect(r.keys).toBe(keys.length);
    expect(r.memoryBytes).toBe(2365);
    expect(r.unprefixedKeys).toBe(1);
    expect(r.unprefixedBytes).toBe(10);
    expect(r.approximate).toBe(false);
    const show = (n: { prefix: Uint8Array; keys: number; memoryBytes: number; errorBytes: number; children: unknown[] }): unknown => [Buffer.from(n.prefix).toString(), n.keys, n.memoryBytes, n.errorBytes, (n.children as typeof n[]).map(show)];
    expect(r.roots.map(show)).toEqual([
      ['user:', 3, 1900, 0, [['user:1:', 2, 1200, 0, []], ['user:2:', 1, 700, 0, []]]],
      ['session:', 3, 450, 0, [['session:b:', 1, 50, 0, []]]],
      ['a:', 1, 5, 0, [['a::', 1, 5, 0, []]]],
    ]);
    expect(Buffer.from(r.roots[0].biggestKey!.key).toString()).toBe('user:1:profile');
    expect(r.roots[0].biggestKey!.memoryBytes).toBe(1000);
  });

  it('a multi-byte separator', () => {
    const tree = new PrefixTree({ separator: enc('::'), depth: 2 });
    tree.add(0, enc('a::b::c'), 10);
    tree.add(1, enc('a::b:c'), 20);
    tree.add(0, enc('a:b'), 1);
    const r = tree.result();
    expect(r.roots.map((n) => [Buffer.from(n.prefix).toString(), n.keys, n.memoryBytes, n.children.map((c) => Buffer.from(c.prefix).toString())])).toEqual([['a::', 2, 30, ['a::b::']]]);
    expect(r.unprefixedKeys).toBe(1);
  });

  it('keeps heavy prefixes among many light ones in bounded tables, its figures upper bounds within their error', () => {
    const rng = new Rng(5);
    const tree = new PrefixTree({ depth: 1, capacity: 16 });
    const truth = new Map<string, { keys: number; bytes: number }>();
    for (let i = 0; i < 20_000; i++) {
      // A few heavy prefixes and many light ones.
      const heavy = rng.chance(0.5);
      const p = heavy ? `heavy${rng.int(4)}` : `light${rng.int(5000)}`;
      const bytes = heavy ? 1000 + rng.int(1000) : 10 + rng.int(50);
      const t = truth.get(p) ?? { keys: 0, bytes: 0 };
      t.keys++;
      t.bytes += bytes;
      truth.set(p, t);
      tree.add(0, enc(`${p}:${i}`), bytes);
    }
    const r = tree.result();
    expect(r.approximate).toBe(true);
    expect(r.roots.length).toBe(16);
    for (let h = 0; h < 4; h++) {
      const node = r.roots.find((n) => Buffer.from(n.prefix).toString() === `heavy${h}:`);
      expect(node, `heavy${h}`).toBeDefined();
    }
    for (const n of r.roots) {
      const t = truth.get(Buffer.from(n.prefix).toString().slice(0, -1))!;
      expect(n.memoryBytes).toBeGreaterThanOrEqual(t.bytes);
      expect(n.memoryBytes - n.errorBytes).toBeLessThanOrEqual(t.bytes);
      expect(n.keys).toBeGreaterThanOrEqual(t.keys);
      expect(n.keys - n.errorKeys).toBeLessThanOrEqual(t.keys);
    }
  });
});
