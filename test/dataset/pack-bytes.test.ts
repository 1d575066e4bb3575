/**
 * packOfBytes makes from bytes the very pack packOf makes from byte strings (one-byte and
 * four-byte entry headers, empty entries, a buffer reused and grown between calls), and a
 * stream entry appended as a pack reads back as its fields.
 */
import { describe, expect, it } from 'vitest';
import { packOf, packOfBytes, unpack } from '../../src/dataset/pack.js';
import { toByteString } from '../../src/dataset/byte-string.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey } from '../../src/dataset/stream-id.js';
import { randomBytes, rng } from '../helpers/bytes.js';

describe('packOfBytes', () => {
  it('equals packOf of the same items, at every header size, over reused and grown buffers', () => {
    const rand = rng(5);
    const sizes = [0, 1, 31, 32, 127, 128, 129, 300, 5000, 70_000];
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(rand() * 12);
      const items = Array.from({ length: n }, () => randomBytes(sizes[Math.floor(rand() * sizes.length)], rand));
      const strings = items.map(toByteString);
      const pack = packOfBytes(items);
      expect(pack).toBe(packOf(strings));
      expect(unpack(pack)).toEqual(strings);
    }
  });

  it('makes a stream entry that reads back as its fields', () => {
    const s = new StreamValue();
    const fields = [Buffer.from('name'), Buffer.from('x'.repeat(200)), Buffer.from(''), Buffer.from([0, 255, 128])];
    s.appendPacked(streamIdKey('5-1'), packOfBytes(fields));
    s.append(streamIdKey('6-0'), ['a', 'b']);
    expect(s.length).toBe(2);
    expect([...s.entries()].map(([, f]) => f)).toEqual([fields.map(toByteString), ['a', 'b']]);
    expect(() => s.appendPacked(streamIdKey('6-0'), packOfBytes([]))).toThrow(/ascending/);
  });
});
