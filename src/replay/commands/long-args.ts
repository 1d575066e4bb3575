/**
 * Integer and timeout arguments with the refusals Redis words for them: a `long` read as
 * `getLongFromObjectOrReply` reads it, optionally within a range whose message replaces the
 * parse error too (Redis passes one message for both), and a blocking command's timeout in
 * seconds. Shared by the list and set families.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { parseInteger, toDouble } from '../args.js';
import { argError, NOT_INTEGER, type CommandError } from '../errors.js';

const POSITIVE = argError('value is out of range, must be positive');
const NOT_LONG_RANGE = argError('value is out of range, value must between -9223372036854775807 and 9223372036854775807');
const TIMEOUT_NOT_FLOAT = argError('timeout is not a float or out of range');
const TIMEOUT_NEGATIVE = argError('timeout is negative');
const LONG_MIN_TEXT = '-9223372036854775808';

/** A signed 64-bit integer argument (as a JS number). @throws CommandError `err` when it is not one. */
export function longArg(s: ByteString, err: CommandError = NOT_INTEGER): number {
  return parseInteger(s, err);
}

/**
 * An integer of 0 or more (`getPositiveLongFromObjectOrReply`); `err` is the refusal of a
 * negative number and of a non-number alike. @throws CommandError
 */
export function positiveArg(s: ByteString, err: CommandError = POSITIVE): number {
  const v = parseInteger(s, err);
  if (v < 0) throw err;
  return v;
}

/** An integer of 1 or more; `err` refuses anything else. @throws CommandError */
export function countArg(s: ByteString, err: CommandError): number {
  const v = parseInteger(s, err);
  if (v < 1) throw err;
  return v;
}

/**
 * An integer other than the smallest 64-bit one (Redis's −LONG_MAX … LONG_MAX range, used
 * where the sign is negated afterwards). @throws CommandError
 */
export function symmetricArg(s: ByteString): number {
  const v = parseInteger(s);
  if (s === LONG_MIN_TEXT) throw NOT_LONG_RANGE;
  return v;
}

/**
 * A blocking command's timeout in seconds (a float). While a file loads nothing blocks, so
 * only its validity matters: a value Redis turns into a negative millisecond count (a
 * negative number, or one too large for 64 bits) is refused as Redis refuses it.
 * @throws CommandError
 */
export function timeoutArg(s: ByteString): void {
  const v = s.length > 0 && s.charCodeAt(0) > 32 ? toDouble(s) : null;
  if (v === null) throw TIMEOUT_NOT_FLOAT;
  const ms = Math.ceil(v * 1000);
  if (!(ms >= 0 && ms < 2 ** 63)) throw TIMEOUT_NEGATIVE;
}
