/**
 * latin1Text: the bytes of a range as a Latin-1 string, one char per byte, for every length
 * (the short ones are made another way than the long ones) and every byte value, at any
 * offset of a larger buffer.
 */
import { describe, expect, it } from 'vitest';
import { latin1Text } from '../../src/io/bytes.js';
import { rng } from '../helpers/bytes.js';

describe('latin1Text', () => {
  it('equals Node’s latin1 decoding for lengths 0 to 80 at several offsets, every byte value', () => {
    const rand = rng(5);
    const buf = new Uint8Array(4096);
    for (let i = 0; i < buf.length; i++) buf[i] = i < 256 ? i : Math.floor(rand() * 256);
    for (let n = 0; n <= 80; n++) {
      for (const start of [0, 1, 7, 250, 1000 + n]) {
        const text = latin1Text(buf, start, start + n);
        expect(text.length).toBe(n);
        expect(text).toBe(Buffer.from(buf.buffer, buf.byteOffset + start, n).toString('latin1'));
      }
    }
    // Every byte value through the short path.
    for (let c = 0; c < 256; c++) expect(latin1Text(Uint8Array.of(c, 255 - c), 0, 2)).toBe(String.fromCharCode(c, 255 - c));
  });
});
