/**
 * Digest records as tests read them: the records a digester writes, parsed back into plain
 * objects keyed by `db/key-hex`, for the RDB digester (over a file's bytes) and for a dataset.
 */
import { bytesSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { RdbDigester, type RdbDigesterOptions } from '../../src/diff/rdb-digests.js';
import { digestDataset } from '../../src/diff/dataset-digests.js';
import { FLAG_EXPIRY, FLAG_META, getOffset, getU32, readRecord, RecordView, RecordWriter, OPTIONAL_OFF, TYPE_OFF, ENC_OFF, VALUE_OFF, type BatchSink } from '../../src/diff/digest-records.js';
import { TYPE_OF_CODE, ENCODING_OF_CODE } from '../../src/diff/key-parts.js';

/** One record, parsed. */
export interface ParsedRecord {
  db: number;
  key: Buffer;
  type: string;
  encoding: string | undefined;
  value: string;
  expireAtMs: number | null;
  meta: string | null;
  offset: number;
}

/** The id of a key in the maps below. */
export const idOf = (db: number, key: Uint8Array | string): string => `${db}/${Buffer.from(typeof key === 'string' ? Buffer.from(key, 'latin1') : key).toString('hex')}`;

const hex = (b: Uint8Array, at: number) => getU32(b, at + 4).toString(16).padStart(8, '0') + getU32(b, at).toString(16).padStart(8, '0');

/** Parses every record of a batch. */
export function parseBatch(b: Uint8Array, length: number): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  const v = new RecordView();
  for (let at = 0; at < length; ) {
    readRecord(b, at, v);
    const flags = b[at];
    const p = v.nameEnd;
    const exp = (flags & FLAG_EXPIRY) !== 0 ? Buffer.from(b.subarray(p + OPTIONAL_OFF, p + OPTIONAL_OFF + 8)).readDoubleLE(0) : null;
    const metaAt = p + OPTIONAL_OFF + (exp !== null ? 8 : 0);
    out.push({
      db: v.db,
      key: Buffer.from(b.subarray(v.keyAt, v.keyAt + v.keyLen)),
      type: TYPE_OF_CODE[b[p + TYPE_OFF]]!,
      encoding: ENCODING_OF_CODE[b[p + ENC_OFF]],
      value: hex(b, p + VALUE_OFF),
      expireAtMs: exp,
      meta: (flags & FLAG_META) !== 0 ? hex(b, metaAt) : null,
      offset: getOffset(b, v.partsEnd),
    });
    at = v.partsEnd + 8;
  }
  return out;
}

/** A writer whose batches are parsed into `records` (in order). */
export function collectingWriter(): { writer: RecordWriter; records: ParsedRecord[] } {
  const records: ParsedRecord[] = [];
  const sink: BatchSink = {
    push(bytes, length) {
      records.push(...parseBatch(bytes, length));
      return bytes;
    },
    drain: () => undefined,
  };
  return { writer: new RecordWriter(sink), records };
}

/** Records by key id. */
export function byId(records: readonly ParsedRecord[]): Map<string, ParsedRecord> {
  return new Map(records.map((r) => [idOf(r.db, r.key), r]));
}

/** The records the RDB digester writes for an RDB file's bytes. */
export async function rdbRecords(bytes: Uint8Array, opts: RdbDigesterOptions = {}): Promise<{ records: ParsedRecord[]; digester: RdbDigester }> {
  const { writer, records } = collectingWriter();
  const digester = new RdbDigester(writer, opts);
  await scanRdb(bytesSource(bytes, 'test.rdb'), digester);
  writer.flush();
  return { records, digester };
}

/** The records a dataset's keys give. */
export async function datasetRecords(ds: Dataset, encodings = false): Promise<ParsedRecord[]> {
  const { writer, records } = collectingWriter();
  await digestDataset(ds, writer, { encodings });
  writer.flush();
  return records;
}

/** The parts of a record that {@link idOf} does not cover, for comparisons. */
export function partsOf(r: ParsedRecord, withEncoding = false): Record<string, unknown> {
  return { type: r.type, value: r.value, expireAtMs: r.expireAtMs, meta: r.meta, ...(withEncoding ? { encoding: r.encoding } : {}) };
}
