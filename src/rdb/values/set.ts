/**
 * Sets, the save side (FORMATS.md §2.3, §2.10, §2.13, §3.3; the decoder reads them in
 * `decoder.ts`): an intset while every member is a canonical 64-bit integer and there are at
 * most `set-max-intset-entries` of them; from RDB 11 (7.2) a listpack while small; otherwise
 * the plain set, members one by one.
 */
import { RdbType } from '../constants.js';
import { encodeIntset } from '../blobs/intset.js';
import { encodeListpack } from '../blobs/listpack.js';
import { parseCanonicalIntValue } from '../../binary/int-text.js';
import type { ByteInput } from '../primitives.js';
import { toBytes, type RdbTarget, type ValueWriter } from '../target.js';

const INT_TEXT_MAX = 20;
const scratch = new Uint8Array(INT_TEXT_MAX);

/** The member as an int64 when it is one's canonical text (what an intset may hold), else null. */
function asInt(m: ByteInput): number | bigint | null {
  if (m.length > INT_TEXT_MAX || m.length === 0) return null;
  if (typeof m !== 'string') return parseCanonicalIntValue(m);
  for (let i = 0; i < m.length; i++) scratch[i] = m.charCodeAt(i);
  return parseCanonicalIntValue(scratch.subarray(0, m.length));
}

/**
 * The record of a set of `size` distinct members. `members` is read once when the size alone
 * rules out the compact encodings, else up to twice.
 */
export function setWriter(members: Iterable<ByteInput>, size: number, target: RdbTarget): ValueWriter {
  const L = target.limits;
  if (size <= L.setMaxIntsetEntries) {
    const ints: (number | bigint)[] = [];
    let allInts = true;
    for (const m of members) {
      const v = asInt(m);
      if (v === null) {
        allInts = false;
        break;
      }
      ints.push(v);
    }
    if (allInts && ints.length > 0) {
      const blob = encodeIntset(ints);
      return { rdbType: RdbType.SetIntset, encoding: 'intset', elements: ints.length, write: (out) => out.writeString(blob) };
    }
  }
  if (target.setListpack && size <= L.setMaxListpackEntries) {
    const all = [...members];
    if (all.every((m) => m.length <= L.setMaxListpackValue)) {
      const blob = encodeListpack(all.map(toBytes));
      return { rdbType: RdbType.SetListpack, encoding: 'listpack', elements: all.length, write: (out) => out.writeString(blob) };
    }
    members = all;
  }
  return {
    rdbType: RdbType.Set,
    encoding: 'hashtable',
    elements: size,
    write: (out) => {
      out.writeLength(size);
      for (const m of members) out.writeString(m);
    },
  };
}
