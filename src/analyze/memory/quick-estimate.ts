/**
 * A rougher memory estimate for a reading that looks at no value (`inspect`'s fast path):
 * from what the key's record states — its type, element count, the size of a blob, the size
 * of each quicklist and stream node (`valueNode`), the bytes on disk — without the elements.
 *
 * Exact where the record says enough: int and short strings up to the integer test (a string
 * of up to 20 bytes that reads as an integer is taken as an embstr), strings, listpacks and
 * intsets a server keeps as they are, quicklists of listpacks. Elsewhere — hash tables and
 * skiplists, whose cost depends on each element's length, and values converted on load — the
 * elements are taken as all of the average length their bytes on disk suggest (compressed
 * bytes count as they are stored). Stream consumer groups are not counted. `rdbtool memory`
 * reads what this leaves out.
 */
import type { KeyInfo } from '../../model/events.js';
import { dictTableSize } from './dict-sim.js';
import { presizedHashtableBytes } from './hashtable-sim.js';
import { RaxSim } from './rax-sim.js';
import { defaultMemoryModel, type MemoryModel } from './model.js';

/** Follows a key's record through `keyStart` and `valueNode`, then estimates it at `keyEnd`. */
export class QuickMemoryEstimator {
  private blobBytes: number | undefined;
  private nodes = 0;
  private nodeBytes = 0;
  /** The last node's bytes, and whether it is a PLAIN node (one large element as it is). */
  private lastNodeBytes = 0;
  private lastNodePlain = false;
  private readonly rax: RaxSim;

  /** `model`: the target (default Redis 7.0 with jemalloc). */
  constructor(private readonly model: MemoryModel = defaultMemoryModel()) {
    this.rax = new RaxSim(model.sizes, (n) => model.alloc(n), model.features.valkeyHashtables);
  }

  /** A key starts: what its record states up front. */
  keyStart(k: Readonly<KeyInfo>): void {
    this.blobBytes = k.blobBytes;
    this.nodes = 0;
    this.nodeBytes = 0;
    if (k.valueType === 'stream') this.rax.reset();
  }

  /** A quicklist or stream node of the current key. */
  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    this.nodes++;
    this.lastNodeBytes = bytes;
    this.lastNodePlain = container === 1;
    // 6.x counts a quicklist node's ziplist by its bytes (and 6.0 a stream node's listpack).
    this.nodeBytes += this.model.features.blobSizes && (nodeKey === null || this.model.features.streamBlobSizes) ? bytes : this.model.alloc(bytes);
    if (nodeKey !== null) this.rax.insert(nodeKey);
  }

  /** The estimate of the key that just ended (`keyEnd`'s record). */
  estimate(k: Readonly<KeyInfo>): number {
    return this.model.keyBytes(k.key.length) + this.value(k);
  }

  private value(k: Readonly<KeyInfo>): number {
    const m = this.model;
    const S = m.sizes;
    const L = m.defaults;
    const n = k.elements;
    const blob = this.blobBytes;
    switch (k.rdbType) {
      case 0:
        if (k.encoding === 'int') return S.robj;
        if (m.features.valkeyHashtables) {
          // 8.1+: an embstr only while robj, key, expiry and string fit in 64 bytes.
          const embstr = k.valueBytes <= m.strings.embstrMaxBytes ? m.embstrWithKey(k.valueBytes, k.key.length, k.expireAtMs !== null) : -1;
          return embstr >= 0 ? embstr : S.robj + m.sdsAlloc(k.valueBytes);
        }
        return k.valueBytes <= m.strings.embstrMaxBytes ? m.embstr(k.valueBytes) : S.robj + m.sdsAlloc(k.valueBytes);
      case 14:
      case 18:
        // 7.2+: one listpack node within the node limit is a plain listpack once loaded.
        if (this.nodes === 1 && k.rdbType === 18 && m.features.listpackLists && !this.lastNodePlain && this.lastNodeBytes <= L.listNodeMaxBytes) return S.robj + m.alloc(this.lastNodeBytes);
        if (this.nodes > 0) return S.robj + S.quicklist + this.nodes * S.quicklistNode + this.nodeBytes;
        return this.list(k);
      case 1:
      case 10:
        return this.list(k);
      case 11:
        if (blob !== undefined && n <= L.setMaxIntsetEntries) return S.robj + m.blob(blob);
        return this.table(n, 1, this.averageLength(k, n, 1), 0);
      case 16:
      case 13:
      case 9:
        if (blob !== undefined && n <= L.hashMaxListpackEntries) return S.robj + m.blob(blob);
        return this.table(n, 2, this.averageLength(k, 2 * n, 2), 0);
      case 17:
      case 12:
        if (blob !== undefined && n <= L.zsetMaxListpackEntries) return S.robj + m.blob(blob);
        return this.skiplist(n, this.averageLength(k, 2 * n, 2));
      case 2:
      case 20:
        return this.table(n, 1, this.averageLength(k, n, 1), 0);
      case 4:
      case 22:
      case 24:
      case 25:
        // A plain hash or sorted set was too big for the small encoding where it was saved
        // (whose limits are 7.0's since 2.6): it is taken as one again on load.
        return this.table(n, 2, this.averageLength(k, 2 * n, 1), 0);
      case 3:
      case 5: {
        // Each member is followed by its score (8 bytes in ZSET_2, text in the old form).
        const len = Math.max(0, (this.payload(k) - 9 * n) / Math.max(1, n) - 1);
        return this.skiplist(n, len);
      }
      case 15:
      case 19:
      case 21:
      case 26:
      case 27:
        return S.robj + (m.features.streamBlobSizes ? 0 : S.stream) + this.nodeBytes + this.rax.accountedBytes;
      default:
        return S.robj + Math.max(0, this.payload(k));
    }
  }

  /** Bytes of the record that are values (the key and record framing taken out). */
  private payload(k: Readonly<KeyInfo>): number {
    return k.onDiskBytes - k.key.length - 2;
  }

  /** The average length of `strings` strings: a blob's size shared out (less `perString` framing each), or the record's. */
  private averageLength(k: Readonly<KeyInfo>, strings: number, perString: number): number {
    const bytes = this.blobBytes ?? this.payload(k);
    return strings <= 0 ? 0 : Math.max(0, bytes / strings - perString);
  }

  /** A list of `k.elements` elements pushed into listpack nodes, their lengths the average. */
  private list(k: Readonly<KeyInfo>): number {
    const S = this.model.sizes;
    const n = k.elements;
    if (n === 0) return S.robj + S.quicklist;
    const bytes = Math.max(n, this.blobBytes ?? this.payload(k));
    const nodes = Math.max(1, Math.ceil(bytes / this.model.defaults.listNodeMaxBytes));
    const node = Math.ceil(bytes / nodes) + (this.model.features.ziplists ? 11 : 7);
    // 7.2+: a list of one node within the limit is a plain listpack (not one loaded from a ziplist).
    if (nodes === 1 && this.model.features.listpackLists && k.rdbType !== 10 && node <= this.model.defaults.listNodeMaxBytes) return S.robj + this.model.alloc(node);
    return S.robj + S.quicklist + nodes * (S.quicklistNode + this.model.blob(node));
  }

  /** A hash table of `n` entries of `strings` strings of `len` bytes each (plus `extra` per entry). */
  private table(n: number, strings: number, len: number, extra: number): number {
    const m = this.model;
    const S = m.sizes;
    if (m.features.valkeyHashtables) {
      // 8.1+: hashtable.c; a hash's field and value in one allocation while small.
      const l = Math.round(len);
      return S.robj + presizedHashtableBytes(n) + n * ((strings === 2 ? m.hashEntryBytes(l, l) : m.sdsAlloc(l)) + extra);
    }
    return S.robj + S.dict + S.bucket * dictTableSize(n) + n * (S.dictEntry + strings * m.sdsAlloc(Math.round(len)) + extra);
  }

  private skiplist(n: number, len: number): number {
    const m = this.model;
    const S = m.sizes;
    if (m.features.valkeyHashtables) return S.robj + S.zset + S.zskiplist + presizedHashtableBytes(n) + m.skiplistHeaderBytes + n * (m.sdsAlloc(Math.round(len)) + m.skiplistNodeExpectedBytes);
    return S.robj + S.zset + S.zskiplist + S.dict + S.bucket * dictTableSize(n) + m.skiplistHeaderBytes + n * (S.dictEntry + m.sdsAlloc(Math.round(len)) + m.skiplistNodeExpectedBytes);
  }
}
