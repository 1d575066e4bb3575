/**
 * Module values and module AUX payloads (FORMATS.md §2.7, §3.8): the 64-bit module type id
 * and the self-describing opcode stream a generic reader can walk without the module.
 */
import type { RdbCursor } from '../primitives.js';
import { RdbModuleOpcode } from '../constants.js';

/** Module-name charset: index = 6-bit value. */
const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Decodes a 64-bit module type id into its 9-character name and 10-bit encoding version. */
export function decodeModuleId(id: bigint): { name: string; encver: number } {
  const encver = Number(id & 1023n);
  let rest = id >> 10n;
  let name = '';
  for (let i = 0; i < 9; i++) {
    name = CHARSET[Number(rest & 63n)] + name;
    rest >>= 6n;
  }
  return { name, encver };
}

/**
 * Interprets the length just read by the cursor as a module type id.
 * @throws CorruptDataError BAD_VALUE for the invalid id 0.
 */
export function readModuleId(c: RdbCursor, at: number): { name: string; encver: number; idText: string } {
  const id = c.lastLengthBig();
  if (id === 0n) throw c.bad('BAD_VALUE', 'invalid module type id 0', at, 'a non-zero module id', '0');
  const { name, encver } = decodeModuleId(id);
  return { name, encver, idText: id.toString() };
}

/**
 * Walks a module opcode stream up to and including its EOF opcode and returns it as one view,
 * or null (position unchanged) when it is not all in the window yet.
 * @throws CorruptDataError BAD_VALUE on an unknown module opcode.
 */
export function tryModulePayload(c: RdbCursor): Uint8Array | null {
  const r = c.r;
  const start = r.pos;
  for (;;) {
    const opAt = r.pos;
    const op = c.tryPlainLength();
    if (op < 0) return giveUp(c, start);
    switch (op) {
      case RdbModuleOpcode.Eof:
        return r.buf.subarray(start, r.pos);
      case RdbModuleOpcode.Sint:
      case RdbModuleOpcode.Uint:
        if (c.tryLength() < 0) return giveUp(c, start);
        break;
      case RdbModuleOpcode.Float:
        if (c.tryBytes(4) === null) return giveUp(c, start);
        break;
      case RdbModuleOpcode.Double:
        if (c.tryBytes(8) === null) return giveUp(c, start);
        break;
      case RdbModuleOpcode.String:
        if (c.tryString() === null) return giveUp(c, start);
        break;
      default:
        throw c.bad('BAD_VALUE', 'unknown module opcode', r.base + opAt, 'opcode 0-5', String(op));
    }
  }
}

function giveUp(c: RdbCursor, start: number): null {
  const r = c.r;
  r.wanted += r.pos - start;
  r.pos = start;
  return null;
}
