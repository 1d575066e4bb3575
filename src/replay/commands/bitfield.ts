/**
 * BITFIELD and BITFIELD_RO: signed (i1…i64) and unsigned (u1…u63) integers at any bit offset
 * of a string, bit 0 being the most significant bit of the first byte; GET, SET and INCRBY
 * with OVERFLOW WRAP (default), SAT or FAIL, offsets in bits or, written `#n`, in units of
 * the field's width.
 *
 * Every operation is read and checked before anything runs. A command with a write grows
 * (or creates) the string to its farthest written bit first — even when an OVERFLOW FAIL
 * then writes nothing, as Redis does — and the operations then run in order on it. The
 * overflow rules are Redis's 64-bit C arithmetic, reproduced with BigInt.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { SYNTAX, WRONG_TYPE, argError } from '../errors.js';
import { parseInt64, toInt64, word } from '../args.js';
import { growForBits, parseBitOffset } from './bit-access.js';

const BAD_TYPE = argError('Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
const BAD_OVERFLOW = argError('Invalid OVERFLOW type specified');
const RO_WRITE = argError('BITFIELD_RO only supports the GET subcommand');

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;
const WRAP = 0;
const SAT = 1;
const FAIL = 2;

interface BitfieldOp {
  op: number;
  overflow: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment, as a signed 64-bit integer. */
  value: bigint;
}

/** A field type `i<1..64>` or `u<1..63>` (lower case only, as Redis reads it). */
function parseType(s: ByteString): { signed: boolean; bits: number } {
  const sign = s.charCodeAt(0);
  if (sign !== 0x69 && sign !== 0x75) throw BAD_TYPE;
  const n = toInt64(s.slice(1));
  const signed = sign === 0x69;
  if (n === null || n < 1n || n > (signed ? 64n : 63n)) throw BAD_TYPE;
  return { signed, bits: Number(n) };
}

/** Reads a field of `bits` bits at bit `offset` (bytes past the end read as zero), unsigned. */
function readField(buf: Uint8Array | ByteString, offset: number, bits: number): bigint {
  const str = typeof buf === 'string';
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let v = 0n;
  for (let i = first; i <= last; i++) {
    const b = i >= buf.length ? 0 : str ? buf.charCodeAt(i) : (buf as Uint8Array)[i];
    v = (v << 8n) | BigInt(b);
  }
  const tail = 7 - ((offset + bits - 1) % 8);
  return (v >> BigInt(tail)) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the low `bits` bits of `value` at bit `offset` (the buffer is long enough). */
function writeField(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  const tail = BigInt(7 - ((offset + bits - 1) % 8));
  const mask = ((1n << BigInt(bits)) - 1n) << tail;
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(buf[i]);
  v = (v & ~mask) | ((BigInt.asUintN(64, value) << tail) & mask);
  for (let i = last; i >= first; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

const asI64 = (v: bigint) => BigInt.asIntN(64, v);
const asU64 = (v: bigint) => BigInt.asUintN(64, v);

/**
 * Redis's unsigned overflow check of `value + incr` in `bits` bits: [direction, the value to
 * store under WRAP or SAT]; direction 0 when it fits.
 */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, overflow: number): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = asI64(max - value);
  const minIncr = asI64(-value);
  const wrap = () => asU64(value + incr) & max;
  if (value > max || (incr > 0n && incr > maxIncr)) return [1, overflow === WRAP ? wrap() : max];
  if (incr < 0n && incr < minIncr) return [-1, overflow === WRAP ? wrap() : 0n];
  return [0, 0n];
}

/** Redis's signed overflow check of `value + incr` in `bits` bits, as {@link unsignedOverflow}. */
function signedOverflow(value: bigint, incr: bigint, bits: number, overflow: number): [number, bigint] {
  const max = bits === 64 ? 2n ** 63n - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  // Both may wrap in C; they are only used where the comparison is meaningful.
  const maxIncr = asI64(max - value);
  const minIncr = asI64(min - value);
  const wrap = () => {
    const sum = asU64(value + incr);
    return bits === 64 ? asI64(sum) : BigInt.asIntN(bits, sum);
  };
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) {
    return [1, overflow === WRAP ? wrap() : max];
  }
  if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) {
    return [-1, overflow === WRAP ? wrap() : min];
  }
  return [0, 0n];
}

/** Parses every operation, as Redis does before running any. */
function parseOps(argv: ByteString[]): BitfieldOp[] {
  const ops: BitfieldOp[] = [];
  let overflow = WRAP;
  for (let j = 2; j < argv.length; j++) {
    const rest = argv.length - j - 1;
    const sub = word(argv[j]);
    let op: number;
    if (sub === 'get' && rest >= 2) op = OP_GET;
    else if (sub === 'set' && rest >= 3) op = OP_SET;
    else if (sub === 'incrby' && rest >= 3) op = OP_INCRBY;
    else if (sub === 'overflow' && rest >= 1) {
      const kind = word(argv[++j]);
      if (kind === 'wrap') overflow = WRAP;
      else if (kind === 'sat') overflow = SAT;
      else if (kind === 'fail') overflow = FAIL;
      else throw BAD_OVERFLOW;
      continue;
    } else throw SYNTAX;
    const { signed, bits } = parseType(argv[j + 1]);
    const offset = parseBitOffset(argv[j + 2], bits);
    const value = op === OP_GET ? 0n : parseInt64(argv[j + 3]);
    ops.push({ op, overflow, signed, bits, offset, value });
    j += op === OP_GET ? 2 : 3;
  }
  return ops;
}

/** BITFIELD (and, with `readOnly`, BITFIELD_RO). */
export function bitfieldCommand(c: CommandContext, argv: ByteString[], readOnly: boolean): Reply {
  const ops = parseOps(argv);
  let highest = -1;
  for (const o of ops) if (o.op !== OP_GET && o.offset + o.bits - 1 > highest) highest = o.offset + o.bits - 1;
  const key = argv[1];
  const out: Reply[] = new Array<Reply>(ops.length);
  if (highest < 0) {
    const v = c.get(key);
    if (v !== undefined && typeof v !== 'string') throw WRONG_TYPE;
    for (let i = 0; i < ops.length; i++) out[i] = getReply(v ?? '', ops[i]);
    return out;
  }
  if (readOnly) throw RO_WRITE;
  const buf = growForBits(c, key, highest);
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.op === OP_GET) {
      out[i] = getReply(buf, o);
      continue;
    }
    const raw = readField(buf, o.offset, o.bits);
    const old = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
    let next: bigint;
    let reply: bigint;
    let over: number;
    if (o.op === OP_INCRBY) {
      const [dir, limit] = o.signed ? signedOverflow(old, o.value, o.bits, o.overflow) : unsignedOverflow(old, o.value, o.bits, o.overflow);
      over = dir;
      next = dir !== 0 ? limit : old + o.value;
      reply = next;
    } else {
      const v = o.signed ? o.value : asU64(o.value);
      const [dir, limit] = o.signed ? signedOverflow(v, 0n, o.bits, o.overflow) : unsignedOverflow(v, 0n, o.bits, o.overflow);
      over = dir;
      next = dir !== 0 ? limit : v;
      reply = old;
    }
    if (over !== 0 && o.overflow === FAIL) {
      out[i] = null;
      continue;
    }
    writeField(buf, o.offset, o.bits, next);
    out[i] = Number(reply);
  }
  c.db.set(key, Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('latin1'));
  return out;
}

function getReply(buf: Uint8Array | ByteString, o: BitfieldOp): number {
  const raw = readField(buf, o.offset, o.bits);
  return Number(o.signed ? BigInt.asIntN(o.bits, raw) : raw);
}
