/**
 * The bit commands on strings: SETBIT, BITOP (AND, OR, XOR, NOT, and Redis 8.2's DIFF,
 * DIFF1, ANDOR and ONE), BITFIELD — and the read-only GETBIT, BITCOUNT, BITPOS and
 * BITFIELD_RO. Bit 0 is the most significant bit of the first byte; a string is read as
 * zero-padded past its end; writing past the end grows it with zero bytes (a new key is
 * created that way, without expiry; an existing one keeps its expiry). BITOP's destination
 * is replaced like SET replaces a key (its expiry goes), or deleted when every source is
 * empty.
 *
 * Strings are immutable here, so a write costs a copy of the string: cheap for the bitmaps
 * of ordinary size, linear in the length for very long ones.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandContext } from '../context.js';
import type { CommandTable } from '../command.js';
import type { Reply } from '../reply.js';
import { SYNTAX, WRONG_TYPE, argError } from '../errors.js';
import { parseInt64, parseInteger, word } from '../args.js';
import { checkHoldable, parseBitOffset } from './bit-access.js';
import { bitfieldCommand } from './bitfield.js';

const BAD_BIT = argError('bit is not an integer or out of range');

/** Set bits of every byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** SETBIT key offset 0|1: the bit's previous value. */
function setbit(c: CommandContext, argv: ByteString[]): Reply {
  const offset = parseBitOffset(argv[2]);
  const on = parseInteger(argv[3], BAD_BIT);
  if (on !== 0 && on !== 1) throw BAD_BIT;
  const key = argv[1];
  const s = c.string(key) ?? '';
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  if (byte >= s.length) {
    checkHoldable(byte + 1);
    c.db.set(key, s + '\0'.repeat(byte - s.length) + String.fromCharCode(on ? mask : 0));
    return 0;
  }
  const cur = s.charCodeAt(byte);
  const old = cur & mask ? 1 : 0;
  if (old !== on) c.db.set(key, s.slice(0, byte) + String.fromCharCode(cur ^ mask) + s.slice(byte + 1));
  return old;
}

/** GETBIT key offset. */
function getbit(c: CommandContext, argv: ByteString[]): Reply {
  const offset = parseBitOffset(argv[2]);
  const s = c.string(argv[1]);
  const byte = Math.floor(offset / 8);
  if (s === undefined || byte >= s.length) return 0;
  return s.charCodeAt(byte) & (1 << (7 - (offset % 8))) ? 1 : 0;
}

/**
 * A start/end pair (bytes, or bits with BIT) turned into an inclusive bit range of a string
 * of `len` bytes, negative indexes counting from the end, clamped as Redis clamps them;
 * `end` defaults to the last bit. Empty when start > end.
 */
function bitRange(len: number, start: number, end: number | undefined, inBits: boolean): [number, number] {
  const total = inBits ? len * 8 : len;
  let e = end ?? total - 1;
  let s = start;
  if (s < 0) s += total;
  if (e < 0) e += total;
  if (s < 0) s = 0;
  if (e < 0) e = 0;
  if (e >= total) e = total - 1;
  return inBits ? [s, e] : [s * 8, e * 8 + 7];
}

/** The BIT/BYTE word of BITCOUNT and BITPOS. @throws CommandError syntax error. */
function unitIsBit(s: ByteString): boolean {
  const w = word(s);
  if (w === 'bit') return true;
  if (w === 'byte') return false;
  throw SYNTAX;
}

/** Set bits of `s` in the inclusive bit range [from, to]. */
function countBits(s: ByteString, from: number, to: number): number {
  if (from > to) return 0;
  const first = Math.floor(from / 8);
  const last = Math.floor(to / 8);
  let n = 0;
  for (let i = first; i <= last; i++) n += POPCOUNT[s.charCodeAt(i)];
  n -= POPCOUNT[s.charCodeAt(first) & (0xff00 >> (from % 8))];
  n -= POPCOUNT[s.charCodeAt(last) & (0xff >> ((to % 8) + 1))];
  return n;
}

/** BITCOUNT key [start end [BYTE|BIT]] — arguments read after the key, as Redis 7.0 does. */
function bitcount(c: CommandContext, argv: ByteString[]): Reply {
  const s = c.string(argv[1]);
  if (s === undefined) return 0;
  if (argv.length === 2) return countBits(s, 0, s.length * 8 - 1);
  if (argv.length !== 4 && argv.length !== 5) throw SYNTAX;
  const start = Number(parseInt64(argv[2]));
  const end = Number(parseInt64(argv[3]));
  if (start < 0 && end < 0 && start > end) return 0;
  const inBits = argv.length === 5 && unitIsBit(argv[4]);
  const [from, to] = bitRange(s.length, start, end, inBits);
  return countBits(s, from, to);
}

/** The first bit equal to `bit` in the inclusive bit range [from, to] of `s`, or -1. */
function findBit(s: ByteString, bit: number, from: number, to: number): number {
  const skip = bit ? 0 : 0xff;
  for (let i = Math.floor(from / 8), last = Math.floor(to / 8); i <= last; i++) {
    const b = s.charCodeAt(i);
    if (b === skip) continue;
    for (let p = Math.max(i * 8, from), end = Math.min(i * 8 + 7, to); p <= end; p++) {
      if (((b >> (7 - (p % 8))) & 1) === bit) return p;
    }
  }
  return -1;
}

/** BITPOS key bit [start [end [BYTE|BIT]]]. */
function bitpos(c: CommandContext, argv: ByteString[]): Reply {
  const bit = parseInteger(argv[2]);
  if (bit !== 0 && bit !== 1) throw argError('The bit argument must be 1 or 0.');
  const s = c.string(argv[1]);
  if (s === undefined) return bit ? -1 : 0;
  if (argv.length > 6) throw SYNTAX;
  let from = 0;
  let to = s.length * 8 - 1;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    const start = Number(parseInt64(argv[3]));
    const inBits = argv.length === 6 && unitIsBit(argv[5]);
    const end = endGiven ? Number(parseInt64(argv[4])) : undefined;
    [from, to] = bitRange(s.length, start, end, inBits);
  }
  if (from > to) return -1;
  const found = findBit(s, bit, from, to);
  // Looking for a 0 with no end given, the string counts as followed by zero bits.
  if (found < 0 && bit === 0 && !endGiven) return to + 1;
  return found;
}

const BITOPS = ['and', 'or', 'xor', 'not', 'diff', 'diff1', 'andor', 'one'] as const;
type BitOp = (typeof BITOPS)[number];

/** BITOP op destkey key [key …]: the result's length. */
function bitop(c: CommandContext, argv: ByteString[]): Reply {
  const op = word(argv[1]) as BitOp;
  if (!BITOPS.includes(op)) throw SYNTAX;
  if (op === 'not' && argv.length !== 4) throw argError('BITOP NOT must be called with a single source key.');
  if ((op === 'diff' || op === 'diff1' || op === 'andor') && argv.length < 5) {
    throw argError(`BITOP ${op.toUpperCase()} must be called with at least two source keys.`);
  }
  const n = argv.length - 3;
  const src: Buffer[] = new Array<Buffer>(n);
  let maxLen = 0;
  for (let j = 0; j < n; j++) {
    const v = c.get(argv[j + 3]);
    if (v !== undefined && typeof v !== 'string') throw WRONG_TYPE;
    src[j] = Buffer.from(v ?? '', 'latin1');
    if (src[j].length > maxLen) maxLen = src[j].length;
  }
  const dest = argv[2];
  if (maxLen === 0) {
    c.delete(dest);
    return 0;
  }
  const res = Buffer.alloc(maxLen);
  for (let i = 0; i < maxLen; i++) res[i] = combine(op, src, i);
  c.overwrite(dest, res.toString('latin1'));
  return maxLen;
}

/** One byte of a BITOP result: sources shorter than `i` count as zero. */
function combine(op: BitOp, src: Buffer[], i: number): number {
  const at = (j: number) => (i < src[j].length ? src[j][i] : 0);
  let out = at(0);
  switch (op) {
    case 'not':
      return ~out & 0xff;
    case 'and':
      for (let j = 1; j < src.length; j++) out &= at(j);
      return out;
    case 'or':
      for (let j = 1; j < src.length; j++) out |= at(j);
      return out;
    case 'xor':
      for (let j = 1; j < src.length; j++) out ^= at(j);
      return out;
    case 'one': {
      // Bits set in exactly one source.
      let seen2 = 0;
      for (let j = 1; j < src.length; j++) {
        const b = at(j);
        seen2 |= out & b;
        out ^= b;
      }
      return out & ~seen2 & 0xff;
    }
    default: {
      // DIFF, DIFF1, ANDOR: the first source against the union of the others.
      let others = 0;
      for (let j = 1; j < src.length; j++) others |= at(j);
      if (op === 'diff') return out & ~others & 0xff;
      if (op === 'diff1') return ~out & others & 0xff;
      return out & others;
    }
  }
}

export const bitsCommands: CommandTable = {
  setbit: { arity: 4, run: setbit },
  getbit: { arity: 3, run: getbit },
  bitcount: { arity: -2, run: bitcount },
  bitpos: { arity: -3, run: bitpos },
  bitop: { arity: -4, run: bitop },
  bitfield: { arity: -2, run: (c, argv) => bitfieldCommand(c, argv, false) },
  bitfield_ro: { arity: -2, run: (c, argv) => bitfieldCommand(c, argv, true) },
};
