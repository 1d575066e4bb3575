/**
 * What a conversion writes through: one writer per output form, fed the header once, then
 * key records database by database, then ended. Writers write into a byte sink synchronously
 * and let the conversion await the sink between keys ({@link KeyWriter.maybeDrain}).
 */
import type { DatasetHeader, KeyRecord, StreamedKey, StreamedValue } from './key-record.js';

/** One output form's writer. */
export interface KeyWriter {
  /** Before any key: AUX fields, function libraries (already judged), module AUX records. */
  begin(h: DatasetHeader): void;
  /** Starts database `db` before its first key, with size hints when they are known. */
  selectDb(db: number, sizes?: { keys: number; expires: number }): void;
  key(rec: KeyRecord): void;
  /**
   * A key too large to hold, its value to follow piece by piece into the stream returned;
   * null (or no such method) when the writer takes the value only whole. Only a key that
   * passed the loss checks comes here.
   */
  streamKey?(head: StreamedKey): StreamedValue | null;
  /**
   * A string key whose value is given as the range `buf[start, end)` it was read into (valid
   * during the call only, as `head`); false (or no such method) when the writer takes it only as a key
   * record.
   */
  stringKey?(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean;
  /**
   * A small string key whose value the source decompresses where the writer says (see
   * rdb-keys.ts `KeySink.reserveString`): true after writing what comes before the value and
   * setting `out` to where its `length` bytes go; then {@link finishString}.
   */
  reserveString?(head: StreamedKey, length: number, out: { buf: Uint8Array; at: number }): boolean;
  finishString?(head: StreamedKey): void;
  /** Lets the sink catch up when enough was written since the last call. */
  maybeDrain(): Promise<void>;
  /** Writes what ends the output (module AUX records after the data, EOF and CRC, …); the sink is drained, not closed. */
  end(h: DatasetHeader): Promise<{ bytes: number; notes?: Readonly<Record<string, number>> }>;
}
