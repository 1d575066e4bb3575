import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../src/binary/crc64.js';
import { UsageError } from '../../src/errors.js';
import { fromHex, randomBytes, rng, text } from '../helpers/bytes.js';

/** Bit-at-a-time reference (FORMATS.md §1.11), BigInt, deliberately unrelated to the tables. */
function referenceCrc(bytes: Uint8Array, init = 0n): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = init;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
  'ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat ' +
  'nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit ' +
  'anim id est laborum.';

describe('crc64 test vectors (FORMATS.md §1.11)', () => {
  it.each([
    ['empty', '', 0x0000000000000000n],
    ['123456789', '123456789', 0xe9c6d914c4b8d9can],
    ['a', 'a', 0x5fb354025b277b14n],
    ['REDIS0011', 'REDIS0011', 0xddf881e71bd6a1abn],
    ['lorem (445 chars, no NUL)', LOREM, 0x912d89c65cd3c415n],
    ['lorem with trailing NUL', LOREM + '\0', 0xc7794709e69683b3n],
  ])('%s', (_name, input, want) => {
    expect(crc64(text(input))).toBe(want);
    const c = new Crc64();
    c.update(text(input));
    expect(c.value()).toBe(want);
    expect(c.hi).toBe(Number(want >> 32n));
    expect(c.lo).toBe(Number(want & 0xffffffffn));
  });

  it('the Lorem vector is the 445-character sentence', () => {
    expect(LOREM.length).toBe(445);
  });

  it('single bytes give the table entries listed in FORMATS', () => {
    expect(crc64(Uint8Array.of(1))).toBe(0x7ad870c830358979n);
    expect(crc64(Uint8Array.of(128))).toBe(0x95ac9329ac4bc9b5n);
    expect(crc64(Uint8Array.of(255))).toBe(0x29b7d047efec8728n);
  });

  it('chains: crc of "12345" then "6789" equals crc of "123456789"', () => {
    const c = new Crc64();
    c.update(text('12345'));
    c.update(text('6789'));
    expect(c.value()).toBe(0xe9c6d914c4b8d9can);
  });

  it('§10.1 minimal RDB 9 file: trailer equals the CRC of everything before it', () => {
    const file = fromHex(
      '524544495330303039 fe00 fb0101 fc0068e5cf8b010000 00 03666f6f 03626172 ff 1ea834d5bd17a46b',
    );
    const body = file.length - 8;
    expect(crc64(file, 0, body)).toBe(0x6ba417bdd534a81en);
    expect(Buffer.from(file.subarray(body)).readBigUInt64LE()).toBe(0x6ba417bdd534a81en);
  });

  it('§10.2 real Redis 7.4.1 dump: trailer matches', () => {
    const file = fromHex(
      '524544495330303132fa0972656469732d76657205372e342e31fa0a72656469732d62697473c040fa056374696d65c252cd056b' +
        'fa08757365642d6d656dc288371100fa08616f662d62617365c000fe00fb040012026c6901020c0c00000002008161020101ff' +
        '1402736c0f0f00000003008161028162020101ff1802686800d8c32cbb03000002010162c002000161c0011902686c6051c22c' +
        'bb030000353500000009008266330382763303f46051c22cbb030000098266320382763203f400d8c32cbb030000098266310382' +
        '7631030001ffff09f8be88b9f515b7',
    );
    const body = file.length - 8;
    expect(crc64(file, 0, body)).toBe(0xb715f5b988bef809n);
    // Fed in odd pieces, as a streaming reader would.
    const c = new Crc64();
    for (let i = 0; i < body; i += 7) c.update(file, i, Math.min(body, i + 7));
    expect(c.value()).toBe(0xb715f5b988bef809n);
  });
});

describe('crc64 against the bit-at-a-time reference', () => {
  it('every length 0..300 at every alignment 0..7', () => {
    const rand = rng(1);
    const backing = randomBytes(320, rand);
    for (let align = 0; align < 8; align++) {
      for (let n = 0; n <= 300; n += align === 0 ? 1 : 13) {
        const view = backing.subarray(align, align + n);
        expect(crc64(view)).toBe(referenceCrc(view));
      }
    }
  });

  it('large random buffers, split at random points, match the one-shot value', () => {
    const rand = rng(2);
    for (let round = 0; round < 6; round++) {
      const n = 1 + Math.floor(rand() * 100_000);
      const data = randomBytes(n, rand);
      const want = round < 2 ? referenceCrc(data) : crc64(data);
      if (round < 2) expect(crc64(data)).toBe(want);
      const c = new Crc64();
      let pos = 0;
      while (pos < n) {
        const step = Math.min(n - pos, Math.floor(rand() * 5000));
        c.update(data, pos, pos + step);
        pos += step;
      }
      expect(c.value()).toBe(want);
    }
  });

  it('subarrays at odd byte offsets give the same value as a copy', () => {
    const rand = rng(3);
    const big = randomBytes(10_000, rand);
    for (const off of [1, 2, 3, 5, 4093]) {
      const view = big.subarray(off, off + 4000);
      expect(crc64(view)).toBe(crc64(view.slice()));
      expect(crc64(big, off, off + 4000)).toBe(crc64(view.slice()));
    }
  });
});

describe('Crc64 state handling', () => {
  it('reset returns to zero', () => {
    const c = new Crc64();
    c.update(text('abc'));
    expect(c.value()).not.toBe(0n);
    c.reset();
    expect(c.value()).toBe(0n);
    expect(c.lo).toBe(0);
    expect(c.hi).toBe(0);
    c.update(text('123456789'));
    expect(c.value()).toBe(0xe9c6d914c4b8d9can);
  });

  it('empty updates change nothing', () => {
    const c = new Crc64();
    c.update(text('a'));
    c.update(new Uint8Array(0));
    c.update(text('xyz'), 2, 2);
    expect(c.value()).toBe(0x5fb354025b277b14n);
  });

  it('rejects ranges outside the input with UsageError', () => {
    const c = new Crc64();
    const b = new Uint8Array(4);
    expect(() => c.update(b, -1, 2)).toThrow(UsageError);
    expect(() => c.update(b, 3, 2)).toThrow(UsageError);
    expect(() => c.update(b, 0, 5)).toThrow(UsageError);
    expect(() => crc64(b, 0.5, 2)).toThrow(UsageError);
  });
});
