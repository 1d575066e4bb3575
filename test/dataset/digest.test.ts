/**
 * The digest's hash is MurmurHash3 x86_128 (reference outputs computed with the `mmh3` Python
 * package, the reference C code), and a key's digest moves with every visible change — a
 * member, a score, an element's place in a list, a field TTL, a stream entry, group, PEL entry
 * or consumer time — but not with the order members, fields, groups or consumers were added.
 */
import { describe, expect, it } from 'vitest';
import { Hash128, lanesHex } from '../../src/dataset/hash128.js';
import { datasetDigest, keyDigest } from '../../src/dataset/digest.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey as k } from '../../src/dataset/stream-id.js';
import type { Value } from '../../src/dataset/value.js';

describe('MurmurHash3 x86_128', () => {
  // mmh3.hash_bytes(data, seed, x64arch=False).hex()
  const vectors: [Uint8Array, number, string][] = [
    [new Uint8Array(0), 0, '00000000000000000000000000000000'],
    [Buffer.from('abc'), 0, 'd1c6cd75a506b0a2a506b0a2a506b0a2'],
    [Buffer.from('hello world, this is a test of 128'), 42, '9dda82a10d6c0b13b8f15a3dfc61d43f'],
    [Uint8Array.from({ length: 200 }, (_, i) => i), 7, 'ef40fac3ba3497b104b28b0e92a4cf02'],
    [Buffer.from('0123456789abcdef'), 1, '4e1b467eb975cc18383949c7821c8ff8'],
    [Buffer.from('0123456789abcdefX'), 1, '3f531a4118992f65149bed21388d708b'],
  ];
  for (const [data, seed, hex] of vectors) {
    it(`${data.length} bytes, seed ${seed}`, () => {
      expect(lanesHex(new Hash128(seed).bytes(data).digest())).toBe(hex);
      // Fed as a byte string, in pieces, and digested midway: the same.
      const h = new Hash128(seed).chars(Buffer.from(data.subarray(0, 5)).toString('latin1'));
      h.digest();
      expect(lanesHex(h.bytes(data.subarray(5)).digest())).toBe(hex);
    });
  }
});

/** Builds the same collection twice, elements added in opposite orders. */
function both<T>(make: () => T, fill: (v: T, items: string[]) => void, items: string[]): [T, T] {
  const a = make();
  fill(a, items);
  const b = make();
  fill(b, [...items].reverse());
  return [a, b];
}

const d = (v: Value, exp: number | null = null) => keyDigest(v, exp);

describe('key digests', () => {
  const items = Array.from({ length: 30 }, (_, i) => `item-${i}`);

  it('sets, hashes and sorted sets: insertion order does not count, any change does', () => {
    const [sa, sb] = both(() => new SetValue(), (s, xs) => xs.forEach((x) => s.add(x)), items);
    expect(d(sa)).toBe(d(sb));
    sb.delete('item-3');
    expect(d(sa)).not.toBe(d(sb));
    sb.add('item-3x');
    expect(d(sa)).not.toBe(d(sb));

    const [ha, hb] = both(() => new HashValue(), (h, xs) => xs.forEach((x) => h.set(x, `v-${x}`)), items);
    expect(d(ha)).toBe(d(hb));
    hb.set('item-0', 'other');
    expect(d(ha)).not.toBe(d(hb));
    hb.set('item-0', 'v-item-0');
    hb.setFieldExpire('item-1', 123);
    expect(d(ha)).not.toBe(d(hb));
    expect(keyDigest(ha, null, { expiry: false })).toBe(keyDigest(hb, null, { expiry: false }));

    const za = new ZSetValue();
    items.forEach((x, i) => za.set(x, i % 4));
    const zc = new ZSetValue();
    [...items].reverse().forEach((x) => zc.set(x, za.score(x)!));
    expect(d(zc)).toBe(d(za));
    zc.set('item-4', 1000);
    expect(d(zc)).not.toBe(d(za));
    const zero = new ZSetValue();
    zero.set('m', 0);
    const negZero = new ZSetValue();
    negZero.set('m', -0);
    expect(d(zero)).not.toBe(d(negZero));
  });

  it('lists: element order counts', () => {
    const a = new ListValue();
    const b = new ListValue();
    for (const x of items) a.pushBack(x);
    for (const x of [...items].reverse()) b.pushFront(x);
    expect(d(a)).toBe(d(b));
    b.setAt(0, items[1]);
    b.setAt(1, items[0]);
    expect(d(a)).not.toBe(d(b));
  });

  it('types are told apart even where their elements agree', () => {
    const l = new ListValue();
    l.pushBack('x');
    const s = new SetValue();
    s.add('x');
    expect(new Set([d('x'), d(l), d(s)]).size).toBe(3);
    expect(d('x', 5)).not.toBe(d('x'));
    expect(d('ab')).not.toBe(d('a\0b'));
  });

  /** A stream with two consumers, alice and bob, in every group. */
  function stream(groupOrder: string[], consumerOrder: string[]): StreamValue {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) s.append(k(`1-${i}`), ['f', `v${i}`, 'g', 'w']);
    s.lastId = k('1-5');
    s.firstId = k('1-1');
    s.entriesAdded = 5;
    for (const name of groupOrder) {
      const g = s.addGroup(name, k('1-3'), 3);
      for (const c of consumerOrder) g.addConsumer(c, 1000, 1100);
      g.setPending(k('1-2'), 'bob', 500, 2);
      g.setPending(k('1-1'), 'alice', 400, 1);
    }
    return s;
  }

  it('streams: group and consumer order do not count; entries, PEL entries and consumer times do', () => {
    const a = stream(['g1', 'g2'], ['alice', 'bob']);
    const b = stream(['g2', 'g1'], ['bob', 'alice']);
    expect(d(b)).toBe(d(a));
    const changes: ((s: StreamValue) => void)[] = [
      (s) => {
        // The last entry again with another value (an append must come after the entries left).
        s.delete(k('1-5'));
        s.append(k('1-5'), ['f', 'changed', 'g', 'w']);
      },
      (s) => s.delete(k('1-4')),
      (s) => s.groups.get('g1')!.setPending(k('1-2'), 'bob', 501, 2),
      (s) => (s.groups.get('g2')!.entriesRead = 4),
      (s) => (s.groups.get('g1')!.consumers.get('alice')!.seenTimeMs = 1001),
      (s) => (s.groups.get('g1')!.nacked = new Set([k('1-1')])),
      (s) => (s.maxDeletedId = k('1-0')),
      (s) => (s.idmp = { durationSec: 10, maxEntries: 100, producers: [], iidsAdded: 0, iidsDuplicates: 0 }),
    ];
    for (const [i, change] of changes.entries()) {
      const c = b.clone();
      expect(d(c), `clone ${i}`).toBe(d(a));
      change(c);
      expect(d(c), `change ${i}`).not.toBe(d(a));
    }
    const seen = b.clone();
    seen.groups.get('g1')!.consumers.get('alice')!.seenTimeMs = 99;
    seen.groups.get('g2')!.consumers.get('bob')!.activeTimeMs = 99;
    expect(keyDigest(seen, null, { consumerTimes: false })).toBe(keyDigest(a, null, { consumerTimes: false }));
  });

  it('streams: an empty NACK zone and never-configured IDMP state digest as none', () => {
    const a = stream(['g1'], ['alice', 'bob']);
    const b = a.clone();
    b.groups.get('g1')!.nacked = new Set();
    b.idmp = { durationSec: 100, maxEntries: 100, producers: [], iidsAdded: 0, iidsDuplicates: 0 };
    expect(d(b)).toBe(d(a));
  });
});

describe('dataset digests', () => {
  it('cover every key with its database and the function libraries, in any order', () => {
    const make = (order: number[]) => {
      const ds = new Dataset();
      for (const i of order) ds.db(i % 3).set(`k${i}`, `v${i}`);
      return ds;
    };
    const a = make([0, 1, 2, 3, 4, 5]);
    const b = make([5, 4, 3, 2, 1, 0]);
    expect(datasetDigest(b)).toBe(datasetDigest(a));
    b.db(0).moveKey('k0', 'k0', b.db(1));
    expect(datasetDigest(b)).not.toBe(datasetDigest(a));
    const c = make([0, 1, 2, 3, 4, 5]);
    c.functions.load(Buffer.from('#!lua name=x\n'));
    expect(datasetDigest(c)).not.toBe(datasetDigest(a));
    expect(datasetDigest(new Dataset())).not.toBe(datasetDigest(a));
  });
});
