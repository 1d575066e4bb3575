/**
 * The digest records of a dataset's keys (an AOF replayed into memory): every key of every
 * database, its parts from its value (value-parts.ts) and its expiry, and with `encodings`
 * the encoding a server gives the value when it loads it (what `export` reports for a
 * replayed key).
 */
import type { Dataset } from '../dataset/dataset.js';
import { fromByteString, type ByteString } from '../dataset/byte-string.js';
import { loadEncoding } from '../dataset/emit-events.js';
import { valueType } from '../dataset/value.js';
import type { KeyInfo } from '../model/events.js';
import type { KeyPredicate } from '../pipeline/filters.js';
import { ENCODING_CODE, KeyParts } from './key-parts.js';
import { functionDigest, valueParts } from './value-parts.js';
import type { RecordWriter } from './digest-records.js';

/** What {@link digestDataset} wrote. */
export interface DatasetDigestResult {
  keys: number;
  filtered: number;
  /** Digests (hex) of the function libraries. */
  functions: string[];
}

/** Keys between two waits for the sink. */
const KEYS_PER_DRAIN = 16384;

/**
 * Writes a record for every key of `ds` that `filter` keeps.
 * @param filter judged on the key's database, bytes, type and expiry
 */
export async function digestDataset(ds: Dataset, out: RecordWriter, opts: { filter?: KeyPredicate | null; encodings?: boolean } = {}): Promise<DatasetDigestResult> {
  const filter = opts.filter ?? null;
  const p = new KeyParts();
  const info = new FilterView();
  let keys = 0;
  let filtered = 0;
  let sinceDrain = 0;
  for (const db of ds.dbIndexes()) {
    const d = ds.peekDb(db)!;
    for (const [key, value] of d.values) {
      const expireAtMs = d.expireAt(key);
      if (filter !== null) {
        info.set(db, key, valueType(value), expireAtMs);
        if (!filter(info as unknown as KeyInfo)) {
          filtered++;
          continue;
        }
      }
      valueParts(value, p);
      p.expireAtMs = expireAtMs;
      p.encoding = opts.encodings ? ENCODING_CODE[loadEncoding(value).encoding] : 0;
      out.write(db, key, p, -1);
      keys++;
      if (++sinceDrain >= KEYS_PER_DRAIN) {
        sinceDrain = 0;
        await out.drain();
      }
    }
  }
  const functions: string[] = [];
  for (const [, code] of ds.functions.entries()) functions.push(functionDigest(code));
  return { keys, filtered, functions };
}

/** The fields of a key a filter reads (KeyInfo's), its bytes made only when read. */
class FilterView {
  db = 0;
  valueType: KeyInfo['valueType'] = 'string';
  expireAtMs: number | null = null;
  private text: ByteString = '';

  set(db: number, key: ByteString, type: KeyInfo['valueType'], expireAtMs: number | null): void {
    this.db = db;
    this.text = key;
    this.valueType = type;
    this.expireAtMs = expireAtMs;
  }

  get key(): Uint8Array {
    return fromByteString(this.text);
  }
}
