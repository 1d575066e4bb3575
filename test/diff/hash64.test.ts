/**
 * The hashes of `diff`: the 64-bit digest gives the same result for the same bytes however
 * they come (a byte range, a byte string, in parts, as 8-byte words), and tells apart inputs
 * that differ in a byte, a length or a seed; the name hash is MurmurHash3 x86_32 (the
 * reference test vectors of Austin Appleby's SMHasher, as published with the algorithm).
 */
import { describe, expect, it } from 'vitest';
import { Hash64, hashBytes, hashChars, hashName, hashWords, OUT } from '../../src/diff/hash64.js';
import { Rng } from '../helpers/random-dataset.js';

const digest = (): string => OUT.hi.toString(16).padStart(8, '0') + OUT.lo.toString(16).padStart(8, '0');

function randomBytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

describe('64-bit digest', () => {
  it('is the same from a byte range, a byte string and any split into parts', () => {
    const r = new Rng(11);
    for (let n = 0; n <= 80; n++) {
      const data = randomBytes(r, n);
      // In a larger buffer, at an odd offset: ranges are read in place.
      const host = new Uint8Array(n + 13);
      host.set(data, 5);
      hashBytes(host, 5, 5 + n, 3, 4);
      const want = digest();
      hashChars(Buffer.from(data).toString('latin1'), 3, 4);
      expect(digest(), `chars, ${n} bytes`).toBe(want);
      for (let trial = 0; trial < 5; trial++) {
        const h = new Hash64().reset(3, 4);
        for (let at = 0; at < n; ) {
          const next = Math.min(n, at + 1 + r.int(11));
          h.bytes(data, at, next);
          at = next;
        }
        h.digest();
        expect(digest(), `parts, ${n} bytes`).toBe(want);
      }
    }
  });

  it('8-byte words are their little-endian bytes, on and off the block boundary', () => {
    const r = new Rng(5);
    for (const lead of [0, 3, 8]) {
      const head = randomBytes(r, lead);
      const words = [r.int(2 ** 32), r.int(2 ** 32), r.int(2 ** 32), r.int(2 ** 32)];
      const bytes = Buffer.alloc(lead + 16);
      bytes.set(head, 0);
      words.forEach((w, i) => bytes.writeUInt32LE(w, lead + 4 * i));
      hashBytes(bytes, 0, bytes.length, 9, 10);
      const want = digest();
      new Hash64().reset(9, 10).bytes(head).words(words[0], words[1]).words(words[2], words[3]).digest();
      expect(digest()).toBe(want);
      if (lead === 0) {
        hashWords(9, 10, words[0], words[1], words[2], words[3]);
        expect(digest()).toBe(want);
      }
    }
  });

  it('tells apart a byte, a length, a seed; no collision among 200,000 random inputs', () => {
    const digests = new Set<string>();
    const inputs = new Set<string>();
    const add = (b: Uint8Array, s1 = 1, s2 = 2) => {
      hashBytes(b, 0, b.length, s1, s2);
      digests.add(digest());
      inputs.add(`${s1}/${s2}/${Buffer.from(b).toString('hex')}`);
    };
    add(new Uint8Array(0));
    add(new Uint8Array(1));
    add(new Uint8Array(2));
    add(new Uint8Array(0), 1, 3);
    add(new Uint8Array(0), 2, 2);
    add(Uint8Array.of(0x80));
    expect(digests.size).toBe(6);
    const r = new Rng(99);
    for (let i = 0; i < 200_000; i++) add(randomBytes(r, 1 + r.int(24)));
    // Equal inputs do occur among short random ones: as many digests as distinct inputs.
    expect(inputs.size).toBeGreaterThan(150_000);
    expect(digests.size).toBe(inputs.size);
  });
});

describe('name hash (MurmurHash3 x86_32)', () => {
  const vectors: [string, number, number][] = [
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\xff\xff\xff\xff', 0, 0x76293b50],
    ['!Ce\x87', 0, 0xf55b516b],
    ['!Ce\x87', 0x5082edee, 0x2362f9de],
    ['!Ce', 0, 0x7e4a8634],
    ['!C', 0, 0xa0f7b07a],
    ['!', 0, 0x72661cf4],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['\0\0\0', 0, 0x85f0b427],
    ['\0\0', 0, 0x30f4c306],
    ['\0', 0, 0x514e28b7],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ];
  for (const [text, seed, want] of vectors) {
    it(`${JSON.stringify(text)}, seed 0x${seed.toString(16)}`, () => {
      const b = Buffer.from(' ' + text + ' ', 'latin1');
      expect(hashName(b, 1, b.length - 1, seed)).toBe(want);
    });
  }
});
