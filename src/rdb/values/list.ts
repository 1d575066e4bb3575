/**
 * Lists, the save side (FORMATS.md §2.2, §2.9, §2.12, §2.14; the decoder reads them in
 * `decoder.ts`): the record a server of the target version writes for a list pushed element
 * by element into an empty key — one ziplist or a plain list (RDB 6), or a quicklist whose
 * nodes are filled as that release fills them (blobs/quicklist.ts).
 */
import { RdbType } from '../constants.js';
import { encodeZiplist } from '../blobs/ziplist.js';
import { planQuicklist, writeQuicklistV1, writeQuicklistV2 } from '../blobs/quicklist.js';
import type { ByteInput } from '../primitives.js';
import { toBytes, type RdbTarget, type ValueWriter } from '../target.js';

/**
 * The record of a list of `length` elements (head to tail). `items` is read once.
 */
export function listWriter(items: Iterable<ByteInput>, length: number, target: RdbTarget): ValueWriter {
  const L = target.limits;
  switch (target.list) {
    case 'ziplist-or-linked': {
      // Redis 2.6–3.0: a ziplist while at most list-max-ziplist-entries elements of at most
      // list-max-ziplist-value bytes; a pushed element beyond either converts it for good.
      if (length <= L.listMaxZiplistEntries) {
        const all = [...items];
        if (all.every((e) => e.length <= L.listMaxZiplistValue)) {
          const blob = encodeZiplist(all.map(toBytes));
          return { rdbType: RdbType.ListZiplist, encoding: 'ziplist', elements: all.length, write: (out) => out.writeString(blob) };
        }
        items = all;
      }
      return {
        rdbType: RdbType.List,
        encoding: 'linkedlist',
        elements: length,
        write: (out) => {
          out.writeLength(length);
          for (const e of items) out.writeString(e);
        },
      };
    }
    case 'quicklist-ziplist': {
      const nodes = planQuicklist(mapBytes(items), '3.2', L.listMaxSize);
      return { rdbType: RdbType.ListQuicklist, encoding: 'quicklist', elements: length, write: (out) => writeQuicklistV1(out, nodes) };
    }
    default: {
      const nodes = planQuicklist(mapBytes(items), target.list === 'quicklist-listpack-7.0' ? '7.0' : '7.2', L.listMaxSize);
      return { rdbType: RdbType.ListQuicklist2, encoding: 'quicklist', elements: length, write: (out) => writeQuicklistV2(out, nodes) };
    }
  }
}

function* mapBytes(items: Iterable<ByteInput>): Generator<Uint8Array> {
  for (const e of items) yield toBytes(e);
}
