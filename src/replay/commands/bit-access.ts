/**
 * What the bit commands share: reading a bit offset as Redis does (with BITFIELD's `#n` form)
 * and growing a string, zero-padded, so that a bit can be written.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandContext } from '../context.js';
import { argError } from '../errors.js';
import { toInt64 } from '../args.js';
import { MAX_BYTE_STRING } from '../../dataset/byte-string.js';
import { LimitError } from '../../errors.js';
import { PROTO_MAX_BULK_LEN } from './strings.js';

const BAD_OFFSET = argError('bit offset is not an integer or out of range');

/**
 * A bit offset: a 64-bit integer, not negative, addressing a byte below 512 MB (Redis's
 * `proto-max-bulk-len`). With `bits` > 0 (BITFIELD) `#n` means n fields of `bits` bits.
 * @throws CommandError "bit offset is not an integer or out of range".
 */
export function parseBitOffset(s: ByteString, bits = 0): number {
  const hash = bits > 0 && s.charCodeAt(0) === 0x23;
  let v = toInt64(hash ? s.slice(1) : s);
  if (v === null) throw BAD_OFFSET;
  // C multiplies in 64 bits; a product that wraps negative is refused below like any other.
  if (hash) v = BigInt.asIntN(64, v * BigInt(bits));
  if (v < 0n || v >> 3n >= BigInt(PROTO_MAX_BULK_LEN)) throw BAD_OFFSET;
  return Number(v);
}

/**
 * The key's string as a writable copy at least long enough to hold bit `maxBit`, zero-padded;
 * an absent key counts as empty. The caller stores the result.
 * @throws CommandError WRONGTYPE; LimitError when the dataset cannot hold the length.
 */
export function growForBits(c: CommandContext, key: ByteString, maxBit: number): Buffer {
  const old = c.string(key) ?? '';
  const need = Math.floor(maxBit / 8) + 1;
  if (need > old.length) checkHoldable(need);
  const buf = Buffer.alloc(Math.max(need, old.length));
  buf.write(old, 'latin1');
  return buf;
}

/**
 * Refuses a string longer than the dataset can hold (Redis itself checks only the offset).
 * @throws LimitError past {@link MAX_BYTE_STRING}.
 */
export function checkHoldable(length: number): void {
  if (length <= MAX_BYTE_STRING) return;
  throw new LimitError(`a string of ${length} bytes is longer than the in-memory dataset can hold`, {
    expected: `at most ${MAX_BYTE_STRING} bytes`,
    found: `${length} bytes`,
  });
}
