/**
 * Module values and module AUX payloads (FORMATS.md §2.7, §3.8): the 64-bit module type id
 * and the self-describing opcode stream a generic reader can walk without the module; read,
 * and written back as they were read.
 */
import type { RdbCursor, RdbOutput } from '../primitives.js';
import { RdbModuleOpcode, RdbOpcode, RdbType } from '../constants.js';
import { UsageError } from '../../errors.js';
import { unsupported, type RdbTarget, type ValueWriter } from '../target.js';

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

// ---------------------------------------------------------------- the save side

/**
 * The 64-bit module type id of a 9-character name and a 10-bit encoding version (FORMATS.md
 * §3.8), the inverse of {@link decodeModuleId}.
 * @throws UsageError for a name that is not 9 characters of the module charset, or an encver outside 0 … 1023
 */
export function encodeModuleId(name: string, encver: number): bigint {
  if (name.length !== 9) throw new UsageError(`a module type name has 9 characters, got ${JSON.stringify(name)}`);
  if (!Number.isInteger(encver) || encver < 0 || encver > 1023) throw new UsageError(`a module encoding version is 0-1023, got ${encver}`);
  let id = 0n;
  for (const ch of name) {
    const v = CHARSET.indexOf(ch);
    if (v < 0) throw new UsageError(`module type name ${JSON.stringify(name)} has a character outside A-Z a-z 0-9 - _`);
    id = (id << 6n) | BigInt(v);
  }
  return (id << 10n) | BigInt(encver);
}

/**
 * The record of a module value (type 7, MODULE_2; FORMATS.md §2.7): the module type id, then
 * the module's opcode stream as the file had it (`raw`, ending with its EOF opcode).
 * @throws UnsupportedValueError before RDB 8
 */
export function moduleWriter(moduleId: bigint, raw: Uint8Array, target: RdbTarget): ValueWriter {
  if (!target.modules) throw unsupported('module values', target);
  checkModulePayload(raw);
  return {
    rdbType: RdbType.Module2,
    encoding: 'module',
    elements: 1,
    write: (out) => {
      out.writeLength(moduleId);
      out.writeBytes(raw);
    },
  };
}

/**
 * Writes a MODULE_AUX record (opcode 247; FORMATS.md §3.8): the module type id, the UINT
 * opcode and `when` (1 before the data, 2 after it), then the module's opcode stream.
 */
export function writeModuleAux(out: RdbOutput, moduleId: bigint, when: number, raw: Uint8Array): void {
  checkModulePayload(raw);
  out.writeByte(RdbOpcode.ModuleAux);
  out.writeLength(moduleId);
  out.writeLength(RdbModuleOpcode.Uint);
  out.writeLength(when);
  out.writeBytes(raw);
}

/** A module payload must end with its EOF opcode (a zero length byte). */
function checkModulePayload(raw: Uint8Array): void {
  if (raw.length === 0 || raw[raw.length - 1] !== RdbModuleOpcode.Eof) {
    throw new UsageError('a module payload must be the opcode stream up to and including its EOF opcode');
  }
}
