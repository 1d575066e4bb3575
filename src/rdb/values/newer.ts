/**
 * Types added by Redis 8.8–8.10: ARRAY (type 28, FORMATS.md §2.20) and hash templates
 * (opcode 242 and types 29–32, §2.21). Read as documented; no real sample exists yet. ARRAY
 * values are also written (RDB 14 on); template hashes are written as plain hashes (the
 * writer may always use those), so only their reading is here.
 */
import type { RdbDecoder } from '../decoder.js';
import { RdbType } from '../constants.js';
import { walkListpack } from '../blobs/listpack.js';
import { intToBytes } from '../../binary/int-text.js';
import { copyBytes } from '../../io/bytes.js';
import { UsageError } from '../../errors.js';
import { readI64le, type ByteInput } from '../primitives.js';
import { unsupported, type RdbTarget, type ValueWriter } from '../target.js';

type Step<T = void> = Generator<void, T, void>;

/** Hash templates of one file: id → field names (copies). */
export type TemplateTable = Map<number, Uint8Array[]>;

/** ARRAY element tags. */
const ArrayTag = { Sds: 0, Int: 1, Float: 2, SmallStr: 3 } as const;

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Reads a type-28 ARRAY value. */
export function* readArray(d: RdbDecoder): Step {
  let count, flag;
  const at = d.offset;
  while ((count = d.tryCount('array length')) < 0) yield;
  if (count === 0) throw d.bad('BAD_VALUE', 'empty array', at, 'at least one element', '0');
  while ((flag = d.tryPlainLength()) < 0) yield;
  if (flag === 1) {
    while (d.tryPlainLength() < 0) yield;
  } else if (flag !== 0) throw d.bad('BAD_VALUE', 'invalid array insert-index flag', d.offset, '0 or 1', String(flag));
  const emit = d.want && d.h.arrayElement !== undefined;
  for (let i = 0; i < count; i++) {
    const idxAt = d.offset;
    let index, tag;
    while ((index = d.tryPlainLength()) < 0) yield;
    if (index === 2 ** 64) throw d.bad('BAD_VALUE', 'invalid array index', idxAt, 'an index below 2^64-1', String(index));
    const tagAt = d.offset;
    while ((tag = d.tryPlainLength()) < 0) yield;
    let value: Uint8Array;
    switch (tag) {
      case ArrayTag.Sds:
      case ArrayTag.SmallStr: {
        let s;
        while ((s = d.tryString()) === null) yield;
        if (tag === ArrayTag.SmallStr && s.length > 7) throw d.bad('BAD_VALUE', 'array small string longer than 7 bytes', tagAt, 'at most 7 bytes', String(s.length));
        value = s;
        break;
      }
      case ArrayTag.Int: {
        let raw;
        while ((raw = d.tryBytes(8)) === null) yield;
        value = intToBytes(readI64le(raw, 0));
        break;
      }
      case ArrayTag.Float: {
        let raw;
        while ((raw = d.tryBytes(8)) === null) yield;
        F64_BYTES.set(raw);
        value = new TextEncoder().encode(String(F64[0]));
        break;
      }
      default:
        throw d.bad('BAD_VALUE', 'unknown array element tag', tagAt, 'tag 0-3', String(tag));
    }
    if (emit) {
      d.inHandler = true;
      d.h.arrayElement!(index, value);
      d.inHandler = false;
    }
    d.count++;
  }
}

/** Reads a HASH_TEMPLATE record (opcode 242, already consumed) into the decoder's table. */
export function* readHashTemplateRecord(d: RdbDecoder, at: number): Step {
  let id, n;
  while ((id = d.tryPlainLength()) < 0) yield;
  while ((n = d.tryCount('template field count')) < 0) yield;
  if (n === 0) throw d.bad('BAD_VALUE', 'hash template without fields', at, 'at least one field', '0');
  const fields: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    let f;
    while ((f = d.tryString()) === null) yield;
    fields.push(copyBytes(f));
  }
  d.templates.set(id, fields);
  d.inHandler = true;
  d.h.hashTemplate?.(id, fields, at);
  d.inHandler = false;
}

/** Reads a template hash value (types 29–32). */
export function* readTemplateHash(d: RdbDecoder, t: number): Step {
  let names: Uint8Array[];
  if (t === RdbType.HashTmplLpRef || t === RdbType.HashTmplArrayRef) {
    names = [];
    if (t === RdbType.HashTmplArrayRef) {
      const at = d.offset;
      let id;
      while ((id = d.tryPlainLength()) < 0) yield;
      names = lookup(d, id, at);
    }
  } else {
    names = yield* readInlineNames(d);
  }
  if (t === RdbType.HashTmplLp || t === RdbType.HashTmplLpRef) {
    const at = d.offset;
    let blob;
    while ((blob = d.tryString()) === null) yield;
    const els: (Uint8Array | number | bigint)[] = [];
    walkListpack(blob, { file: d.file, offset: at }, (s, n) => {
      els.push(s ?? n);
    });
    const first = els[0];
    if (typeof first !== 'number') throw d.bad('BLOB_CORRUPT', 'template hash listpack does not start with a template id', at, 'an integer', 'another element');
    if (t === RdbType.HashTmplLpRef) names = lookup(d, first, at);
    if (els.length - 1 !== names.length) throw d.bad('BLOB_CORRUPT', 'template hash value count does not match its template', at, String(names.length), String(els.length - 1));
    for (let i = 0; i < names.length; i++) emitField(d, names[i], els[i + 1]);
    return;
  }
  for (let i = 0; i < names.length; i++) {
    let v;
    while ((v = d.tryString()) === null) yield;
    emitField(d, names[i], v);
  }
}

function emitField(d: RdbDecoder, name: Uint8Array, v: Uint8Array | number | bigint): void {
  d.count++;
  if (!d.want) return;
  const value = v instanceof Uint8Array ? v : intToBytes(v);
  d.inHandler = true;
  d.h.field?.(name, value, null);
  d.inHandler = false;
}

function lookup(d: RdbDecoder, id: number, at: number): Uint8Array[] {
  const names = d.templates.get(id);
  if (!names) throw d.bad('BAD_VALUE', 'hash references an unknown template', at, 'a template declared earlier in the file', String(id));
  return names;
}

function* readInlineNames(d: RdbDecoder): Step<Uint8Array[]> {
  const at = d.offset;
  let fmt;
  while ((fmt = d.tryPlainLength()) < 0) yield;
  const names: Uint8Array[] = [];
  if (fmt === 0) {
    let blob;
    const blobAt = d.offset;
    while ((blob = d.tryString()) === null) yield;
    walkListpack(blob, { file: d.file, offset: blobAt }, (s, n) => {
      names.push(s ? copyBytes(s) : intToBytes(n));
    });
  } else if (fmt === 1) {
    let n;
    while ((n = d.tryCount('template field count')) < 0) yield;
    for (let i = 0; i < n; i++) {
      let f;
      while ((f = d.tryString()) === null) yield;
      names.push(copyBytes(f));
    }
  } else throw d.bad('BAD_VALUE', 'unknown template field-name format', at, '0 or 1', String(fmt));
  return names;
}

// ---------------------------------------------------------------- the save side

/**
 * The record of an ARRAY value (type 28, FORMATS.md §2.20): the element count, insert-index
 * flag 0 (no insert index: rdbtool does not keep one), then per element its index, tag 0
 * (SDS) and the bytes as a string. Elements go in ascending index order, as Redis writes
 * them. Every element is written with tag 0, which a writer may always use: the dataset holds
 * elements as the text the decoder renders (an INT or FLOAT element as its decimal text), not
 * their tags.
 * @throws UnsupportedValueError before RDB 14; UsageError for an empty array or indexes not
 *   ascending non-negative integers below 2^64 − 1
 */
export function arrayWriter(entries: Iterable<readonly [number | bigint, ByteInput]>, length: number, target: RdbTarget): ValueWriter {
  if (!target.arrays) throw unsupported('ARRAY values', target);
  const all = [...entries];
  if (all.length !== length) throw new UsageError(`an ARRAY value announced ${length} elements and has ${all.length}`);
  if (all.length === 0) throw new UsageError('an ARRAY value needs at least one element (the loader refuses an empty one)');
  let prev = -1n;
  for (const [index] of all) {
    const i = BigInt(index);
    if ((typeof index === 'number' && !Number.isSafeInteger(index)) || i < 0n || i >= 0xffffffffffffffffn) {
      throw new UsageError(`an ARRAY index must be an integer from 0 to 2^64-2, got ${index}`);
    }
    if (i <= prev) throw new UsageError(`ARRAY indexes must ascend, got ${index} after ${prev}`);
    prev = i;
  }
  return {
    rdbType: RdbType.Array,
    encoding: 'array',
    elements: all.length,
    write: (out) => {
      out.writeLength(all.length);
      out.writeLength(0); // no insert index
      for (const [index, value] of all) {
        out.writeLength(index);
        out.writeLength(ArrayTag.Sds);
        out.writeString(value);
      }
    },
  };
}
