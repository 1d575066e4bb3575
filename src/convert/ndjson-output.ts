/**
 * The NDJSON form of a conversion: key records in the export schema (README, "Export schema"),
 * written by the exporter `rdbtool export` uses, through a record sink that lets only whole
 * lines out and keeps a record too large for memory in a temporary file until it is complete.
 */
import type { ByteSink } from '../io/byte-sink.js';
import { RecordSink } from '../io/record-sink.js';
import { NdjsonExporter } from '../export/export-ndjson.js';
import { KeyEmitter } from '../dataset/emit-events.js';
import type { DatasetHeader, KeyRecord } from './key-record.js';
import type { KeyWriter } from './key-writer.js';

/** Writes key records as NDJSON lines. */
export class NdjsonKeyWriter implements KeyWriter {
  private readonly records: RecordSink;
  private readonly exporter: NdjsonExporter;
  private readonly emitter: KeyEmitter;
  private sinceDrain = 0;

  constructor(private readonly sink: ByteSink) {
    this.records = new RecordSink(sink);
    this.exporter = new NdjsonExporter(this.records, { format: 'ndjson' });
    this.emitter = new KeyEmitter(this.exporter);
  }

  begin(_h: DatasetHeader): void {
    this.exporter.begin();
  }

  selectDb(): void {
    // Every record names its database.
  }

  key(rec: KeyRecord): void {
    this.sinceDrain += 1 + this.emitter.key(rec.db, rec.key, rec.value, rec.expireAtMs, rec.lruIdleSec, rec.lfuFreq);
  }

  async maybeDrain(): Promise<void> {
    if (this.sinceDrain < 4096) return;
    this.sinceDrain = 0;
    this.exporter.flush();
    await this.records.drain();
  }

  async end(_h: DatasetHeader): Promise<{ bytes: number }> {
    this.exporter.finish();
    await this.records.end();
    this.records.dispose();
    return { bytes: this.sink.bytesWritten };
  }
}
