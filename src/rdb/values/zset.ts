/**
 * Sorted sets, the save side (FORMATS.md §2.4, §2.6, §2.11, §2.13; the decoder reads them in
 * `decoder.ts`): a ziplist (up to RDB 9) or listpack (RDB 10 on) of member, score pairs in
 * (score, member) order while the set is small, its scores as that release's `zzlInsertAt`
 * stores them (values/score.ts); otherwise the plain form, members from the highest score to
 * the lowest as the skiplist is walked from its tail, with binary scores (type 5, RDB 8 on)
 * or text scores (type 3).
 */
import { RdbType } from '../constants.js';
import { encodeListpack, type ListpackInput } from '../blobs/listpack.js';
import { encodeZiplist } from '../blobs/ziplist.js';
import type { ByteInput } from '../primitives.js';
import { compareBytes, toBytes, type RdbTarget, type ValueWriter } from '../target.js';
import { scoreElement, writeTextDouble } from './score.js';
import { UsageError } from '../../errors.js';

/** The (score, member) order Redis keeps a sorted set in. */
function compareEntries(x: readonly [ByteInput, number], y: readonly [ByteInput, number]): number {
  if (x[1] < y[1]) return -1;
  if (x[1] > y[1]) return 1;
  return compareBytes(x[0], y[0]);
}

/**
 * The record of a sorted set of `size` distinct members with their scores (in any order).
 * @throws UsageError for a NaN score
 */
export function zsetWriter(entries: Iterable<readonly [ByteInput, number]>, size: number, target: RdbTarget): ValueWriter {
  const L = target.limits;
  const all = [...entries];
  for (const [, s] of all) if (Number.isNaN(s)) throw new UsageError('a sorted-set score cannot be NaN');
  all.sort(compareEntries);
  if (size <= L.zsetMaxEntries && all.every(([m]) => m.length <= L.zsetMaxValue)) {
    const elements: ListpackInput[] = [];
    for (const [m, s] of all) elements.push(toBytes(m), scoreElement(s, target.scores));
    if (target.compact === 'ziplist') {
      const blob = encodeZiplist(elements);
      return { rdbType: RdbType.ZsetZiplist, encoding: 'ziplist', elements: all.length, write: (out) => out.writeString(blob) };
    }
    const blob = encodeListpack(elements);
    return { rdbType: RdbType.ZsetListpack, encoding: 'listpack', elements: all.length, write: (out) => out.writeString(blob) };
  }
  const binary = target.zsetType === RdbType.Zset2;
  return {
    rdbType: binary ? RdbType.Zset2 : RdbType.Zset,
    encoding: 'skiplist',
    elements: all.length,
    write: (out) => {
      out.writeLength(all.length);
      for (let i = all.length - 1; i >= 0; i--) {
        out.writeString(all[i][0]);
        if (binary) out.writeBinaryDouble(all[i][1]);
        else writeTextDouble(out, all[i][1]);
      }
    },
  };
}
