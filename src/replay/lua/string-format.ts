/**
 * `string.format` as the Lua 5.1 in Redis runs it: each `%` item handed to the C library's
 * `sprintf` (glibc on the servers that write AOFs), so a script's formatted text — written into
 * a key by a script the AOF holds verbatim — comes out byte for byte as the server wrote it.
 * fengari's own `string.format` is Lua 5.3's over a JavaScript sprintf, which differs in
 * almost every conversion (`%f` of 1.5 is `1.5`, `%e` has one exponent digit, `%g` is
 * JavaScript's shortest form, `%E`, `%G`, `% d` and `#` are refused, `%x` of -1 is 32 bits).
 *
 * What Lua 5.1's `str_format` does, and so what this does:
 * - an item is `%`, up to five flags of `-+ #0`, a width of at most two digits, `.` and a
 *   precision of at most two digits, then the conversion; more flags or digits are errors;
 * - `d i` print the number cast to a C `long`, `o u x X` cast to `unsigned long`, `c` cast to
 *   `int` (x86-64's truncating conversions: a value out of range becomes the most negative
 *   one), `e E f g G` the double, with glibc's exact decimal rounding (ties to even);
 * - `s` prints a string shorter than 100 bytes through `%s` (so it ends at a zero byte), a
 *   longer one whole when no precision is given; `q` quotes (`"`, `\` and newline escaped,
 *   `\r` and `\0` written as `\r` and `\000`);
 * - what `sprintf` wrote is kept up to its first zero byte (`%c` of 0 adds nothing).
 */
import { asciiBytes, type LuaApi, type LuaState } from './fengari.js';

const PERCENT = 0x25;
const FLAG_CHARS = '-+ #0';
/** Lua 5.1's `sizeof(FLAGS)`: five flag characters and the terminating zero. */
const MAX_FLAGS = 6;
/** A string at least this long is added whole when no precision is given (5.1's `l >= 100`). */
const WHOLE_STRING_BYTES = 100;

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;
const INT64_MIN = -TWO_63;

/** One parsed `%` item. */
interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  /** -1 when not given. */
  precision: number;
  conv: string;
}

/**
 * Lua 5.1's `string.format(fmt, ...)` (see the file comment).
 * @throws a Lua error (through `luaL_error`/`luaL_argerror`) for a bad item or argument, with 5.1's words.
 */
export function luaStringFormat(lua: LuaApi, L: LuaState): number {
  const top = lua.lua_gettop(L);
  let arg = 1;
  const fmt = lua.luaL_checklstring(L, arg);
  const out: number[] = [];
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] !== PERCENT) {
      out.push(fmt[i++]);
      continue;
    }
    i++;
    if (fmt[i] === PERCENT) {
      out.push(PERCENT);
      i++;
      continue;
    }
    if (++arg > top) lua.luaL_argerror(L, arg, 'no value');
    const start = i;
    while (i < fmt.length && FLAG_CHARS.includes(String.fromCharCode(fmt[i]))) i++;
    if (i - start >= MAX_FLAGS) lua.luaL_error(L, 'invalid format (repeated flags)');
    const flags = String.fromCharCode(...fmt.subarray(start, i));
    let width = 0;
    for (let n = 0; n < 2 && isDigit(fmt[i]); n++) width = width * 10 + (fmt[i++] - 0x30);
    let precision = -1;
    if (fmt[i] === 0x2e) {
      i++;
      precision = 0;
      for (let n = 0; n < 2 && isDigit(fmt[i]); n++) precision = precision * 10 + (fmt[i++] - 0x30);
    }
    if (isDigit(fmt[i])) lua.luaL_error(L, 'invalid format (width or precision too long)');
    const code = i < fmt.length ? fmt[i] : 0;
    i++;
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      alt: flags.includes('#'),
      zero: flags.includes('0'),
      width,
      precision,
      conv: String.fromCharCode(code),
    };
    let piece: number[];
    switch (spec.conv) {
      case 'c':
        piece = pad(spec, '', [cvttInt32(lua.luaL_checknumber(L, arg)) & 0xff], false);
        break;
      case 'd':
      case 'i':
        piece = formatInteger(spec, cvttInt64(lua.luaL_checknumber(L, arg)));
        break;
      case 'o':
      case 'u':
      case 'x':
      case 'X':
        piece = formatInteger(spec, toUnsigned64(lua.luaL_checknumber(L, arg)));
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G':
        piece = ascii(formatDouble(spec, lua.luaL_checknumber(L, arg)));
        break;
      case 'q':
        addQuoted(out, lua.luaL_checklstring(L, arg));
        continue;
      case 's': {
        const s = lua.luaL_checklstring(L, arg);
        if (precision < 0 && s.length >= WHOLE_STRING_BYTES) {
          for (const b of s) out.push(b);
          continue;
        }
        let end = s.indexOf(0);
        if (end < 0) end = s.length;
        if (precision >= 0 && precision < end) end = precision;
        piece = pad(spec, '', Array.from(s.subarray(0, end)), false);
        break;
      }
      default: {
        const shown = code === 0 ? '' : String.fromCharCode(code);
        return lua.luaL_error(L, `invalid option '%%${shown === '%' ? '%%' : shown}' to 'format'`);
      }
    }
    // sprintf's text is taken up to its first zero byte.
    for (const b of piece) {
      if (b === 0) break;
      out.push(b);
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function ascii(s: string): number[] {
  return Array.from(asciiBytes(s));
}

/** x86-64's `cvttsd2si` to 64 bits: truncation, or INT64_MIN for NaN and values out of range. */
function cvttInt64(x: number): bigint {
  if (Number.isNaN(x) || x >= 2 ** 63 || x < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

/** x86-64's `cvttsd2si` to 32 bits, as C's `(int)` cast of a double compiles. */
function cvttInt32(x: number): number {
  if (Number.isNaN(x) || x >= 2 ** 31 || x < -(2 ** 31)) return -(2 ** 31);
  return Math.trunc(x);
}

/**
 * C's `(unsigned long)` cast of a double as gcc compiles it on x86-64: below 2^63 (NaN
 * included) the signed conversion, taken as unsigned; from 2^63 on, the signed conversion of
 * `x - 2^63` with the top bit flipped.
 */
function toUnsigned64(x: number): bigint {
  if (x >= 2 ** 63) return BigInt.asUintN(64, cvttInt64(x - 2 ** 63) ^ INT64_MIN);
  return BigInt.asUintN(64, cvttInt64(x));
}

/** `%d %i %o %u %x %X` of a value already cast (signed for d/i, unsigned otherwise). */
function formatInteger(spec: Spec, v: bigint): number[] {
  const neg = v < 0n;
  const mag = neg ? -v : v;
  const radix = spec.conv === 'o' ? 8 : spec.conv === 'x' || spec.conv === 'X' ? 16 : 10;
  let digits = spec.precision === 0 && mag === 0n ? '' : mag.toString(radix);
  if (spec.conv === 'X') digits = digits.toUpperCase();
  if (spec.precision > digits.length) digits = '0'.repeat(spec.precision - digits.length) + digits;
  let prefix = '';
  if (spec.conv === 'd' || spec.conv === 'i') prefix = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  else if (spec.alt && spec.conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
  else if (spec.alt && mag !== 0n && (spec.conv === 'x' || spec.conv === 'X')) prefix = spec.conv === 'x' ? '0x' : '0X';
  // The 0 flag is ignored when a precision is given.
  return pad(spec, prefix, ascii(digits), spec.precision < 0);
}

/** Width padding: spaces on the left, or on the right with `-`, or zeros after the sign and prefix. */
function pad(spec: Spec, prefix: string, body: number[], zeroAllowed: boolean): number[] {
  const len = prefix.length + body.length;
  const fill = spec.width > len ? spec.width - len : 0;
  if (fill === 0) return [...ascii(prefix), ...body];
  if (spec.minus) return [...ascii(prefix), ...body, ...new Array<number>(fill).fill(0x20)];
  if (spec.zero && zeroAllowed) return [...ascii(prefix), ...new Array<number>(fill).fill(0x30), ...body];
  return [...new Array<number>(fill).fill(0x20), ...ascii(prefix), ...body];
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function signBit(x: number): boolean {
  f64[0] = x;
  return (u32[1] & 0x80000000) !== 0;
}

/** `%e %E %f %g %G` of a double, as glibc prints it. */
function formatDouble(spec: Spec, x: number): string {
  const upper = spec.conv === 'E' || spec.conv === 'G';
  const sign = signBit(x) ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? 'nan' : 'inf';
    // The 0 flag does not apply to inf and nan.
    return String.fromCharCode(...pad(spec, sign, ascii(upper ? word.toUpperCase() : word), false));
  }
  const exact = exactDecimal(Math.abs(x));
  const p = spec.precision < 0 ? 6 : spec.precision;
  let body: string;
  switch (spec.conv) {
    case 'f':
      body = fixed(roundAt(exact, exact.point + p), p, spec.alt);
      break;
    case 'e':
    case 'E':
      body = scientific(roundAt(exact, p + 1), p, spec.alt);
      break;
    default: {
      const P = p === 0 ? 1 : p;
      const r = roundAt(exact, P);
      const X = isZero(r) ? 0 : r.point - 1;
      body = P > X && X >= -4 ? fixed(r, P - 1 - X, spec.alt) : scientific(r, P - 1, spec.alt);
      if (!spec.alt && body.includes('.')) body = body.replace(/\.?0*(e|$)/, '$1');
    }
  }
  if (upper) body = body.toUpperCase();
  return String.fromCharCode(...pad(spec, sign, ascii(body), true));
}

/** A non-negative decimal: `0.<digits> × 10^point` (no trailing zeros; zero is `0`, point 1). */
interface Decimal {
  digits: string;
  point: number;
}

const ZERO: Decimal = { digits: '0', point: 1 };

function isZero(d: Decimal): boolean {
  return d.digits === '0';
}

/** The exact decimal value of a finite non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return ZERO;
  f64[0] = x;
  const hi = u32[1];
  const lo = u32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  let digits: string;
  let point: number;
  if (e2 >= 0) {
    digits = (mantissa << BigInt(e2)).toString();
    point = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-e2)).toString();
    point = digits.length + e2;
  }
  return { digits: digits.replace(/0+$/, ''), point };
}

/** `d` rounded to its first `keep` digits (ties to even, on the exact value). */
function roundAt(d: Decimal, keep: number): Decimal {
  if (isZero(d) || keep >= d.digits.length) return d;
  if (keep < 0) return ZERO;
  const next = d.digits.charCodeAt(keep) - 0x30;
  const restNonZero = keep + 1 < d.digits.length; // no trailing zeros: anything after is non-zero
  const head = d.digits.slice(0, keep);
  const lastOdd = keep > 0 && (head.charCodeAt(keep - 1) - 0x30) % 2 === 1;
  const up = next > 5 || (next === 5 && (restNonZero || lastOdd));
  if (!up) return head === '' || /^0*$/.test(head) ? ZERO : { digits: head.replace(/0+$/, ''), point: d.point };
  const bumped = (BigInt(head === '' ? '0' : head) + 1n).toString();
  const point = d.point + (bumped.length > keep ? 1 : 0);
  return { digits: bumped.replace(/0+$/, '') || '0', point };
}

/** `d` with `p` digits after the point (`d` already rounded there). */
function fixed(d: Decimal, p: number, alt: boolean): string {
  let int: string;
  let frac: string;
  if (isZero(d)) {
    int = '0';
    frac = '';
  } else if (d.point > 0) {
    int = d.digits.slice(0, d.point).padEnd(d.point, '0');
    frac = d.digits.slice(d.point);
  } else {
    int = '0';
    frac = '0'.repeat(-d.point) + d.digits;
  }
  frac = frac.padEnd(p, '0').slice(0, p);
  return p > 0 || alt ? `${int}.${frac}` : int;
}

/** `d` as `m.mmm e±XX` with `p` digits after the point (`d` already rounded to p + 1 digits). */
function scientific(d: Decimal, p: number, alt: boolean): string {
  const exp = isZero(d) ? 0 : d.point - 1;
  const digits = d.digits.padEnd(p + 1, '0');
  const mant = p > 0 || alt ? `${digits[0]}.${digits.slice(1, p + 1)}` : digits[0];
  const ae = Math.abs(exp);
  return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
}

/** Lua 5.1's `%q`. */
function addQuoted(out: number[], s: Uint8Array): void {
  out.push(0x22);
  for (const b of s) {
    if (b === 0x22 || b === 0x5c || b === 0x0a) out.push(0x5c, b);
    else if (b === 0x0d) out.push(0x5c, 0x72);
    else if (b === 0) out.push(0x5c, 0x30, 0x30, 0x30);
    else out.push(b);
  }
  out.push(0x22);
}
