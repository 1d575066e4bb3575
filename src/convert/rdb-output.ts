/**
 * The RDB form of a conversion: key records written by the RDB writer (rdb/write-dataset.ts
 * `KeyRdbWriter`) for the target's RDB version, with the encodings that server picks, and the
 * AUX fields a server writes: `redis-ver` (the target line; `valkey-ver` for a Valkey line, as
 * Valkey 7.2 on writes it), `redis-bits`, `ctime`, `used-mem` (the source's, else 0),
 * `aof-base` (RDB 10+: 1 when the file is an AOF's base or preamble) or `aof-preamble` (RDB
 * 8–9 preambles), and `rdbtool-ver`, which says what wrote the file. Redis 8.6–8.10 (RDB
 * 13–15) and Valkey 9 (RDB 80, 81) write the same fields as 7.x outside cluster mode
 * (FORMATS.md §1.1, §1.9, §10.7, §10.8).
 */
import { UsageError } from '../errors.js';
import type { ByteSink } from '../io/byte-sink.js';
import type { KeyMeta } from '../rdb/encoder.js';
import { KeyRdbWriter, type AuxField, type WriteDatasetResult } from '../rdb/write-dataset.js';
import type { RdbWriteVersion } from '../rdb/target.js';
import type { ServerRelease } from '../model/server-releases.js';
import type { DatasetHeader, KeyRecord, StreamedKey, StreamedValue } from './key-record.js';
import type { KeyWriter } from './key-writer.js';

/** Options of {@link RdbKeyWriter}. */
export interface RdbKeyWriterOptions {
  rdbVersion: RdbWriteVersion;
  release: ServerRelease;
  /** Write IDLE/FREQ hints (RDB 9+). */
  keepLru: boolean;
  /** The file is an AOF's RDB preamble or base (AUX `aof-base` 1). */
  aofBase: boolean;
  /** `ctime` (Unix ms; default now). */
  nowMs?: number;
  /** The value of the `rdbtool-ver` AUX field. */
  toolVersion?: string;
  signal?: AbortSignal;
}

/** Writes key records as an RDB file. */
export class RdbKeyWriter implements KeyWriter {
  private writer: KeyRdbWriter | null = null;

  constructor(
    private readonly sink: ByteSink,
    private readonly opts: RdbKeyWriterOptions,
  ) {}

  private get w(): KeyRdbWriter {
    if (this.writer === null) throw new UsageError('RdbKeyWriter: begin() first');
    return this.writer;
  }

  /** What was written so far. */
  get result(): WriteDatasetResult {
    return this.w.result;
  }

  begin(h: DatasetHeader): void {
    // The AUX fields take the source's used-mem, known once its header was read.
    const aux = this.opts.rdbVersion >= 7 ? auxFields(h, this.opts) : 'none';
    this.writer = new KeyRdbWriter(this.sink, { rdbVersion: this.opts.rdbVersion, unsupported: 'error', signal: this.opts.signal, aux });
    this.writer.begin({ aux: [], moduleAux: h.moduleAux, functions: { entries: () => h.functions.map((c, i) => [i, c] as [number, Uint8Array]) } });
  }

  selectDb(db: number, sizes?: { keys: number; expires: number }): void {
    this.w.selectDb(db, sizes ?? { keys: 0, expires: 0 });
  }

  key(rec: KeyRecord): void {
    this.w.key(rec.db, rec.key, rec.value, this.meta(rec));
  }

  /** A string key given as the bytes read. */
  stringKey(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean {
    this.w.stringKey(head.db, head.key, buf.subarray(start, end), this.meta(head));
    return true;
  }

  /** A large value written as it arrives (strings raw, not LZF-compressed: see `RdbWriter.streamString`). */
  streamKey(head: StreamedKey): StreamedValue | null {
    return this.w.streamKey(head.db, head.key, head, this.meta(head));
  }

  private meta(rec: Pick<KeyRecord, 'expireAtMs' | 'lruIdleSec' | 'lfuFreq'>): KeyMeta {
    const meta: KeyMeta = { expireAtMs: rec.expireAtMs };
    if (this.opts.keepLru && this.opts.rdbVersion >= 9) {
      if (rec.lruIdleSec !== undefined) meta.lruIdleSec = rec.lruIdleSec;
      if (rec.lfuFreq !== undefined) meta.lfuFreq = rec.lfuFreq;
    }
    return meta;
  }

  maybeDrain(): Promise<void> {
    return this.w.maybeDrain();
  }

  async end(h: DatasetHeader): Promise<{ bytes: number }> {
    const r = await this.w.end(h.moduleAux);
    return { bytes: r.bytes };
  }
}

/** The AUX fields written (see the module notes). */
function auxFields(h: DatasetHeader, o: RdbKeyWriterOptions): AuxField[] {
  const source = new Map(h.aux.map((a) => [a.name, a.value]));
  const out: AuxField[] = [
    { name: o.release.server === 'valkey' ? 'valkey-ver' : 'redis-ver', value: `${o.release.line}.0` },
    { name: 'redis-bits', value: '64' },
    { name: 'ctime', value: String(Math.floor((o.nowMs ?? Date.now()) / 1000)) },
    { name: 'used-mem', value: source.get('used-mem') ?? '0' },
  ];
  if (o.rdbVersion >= 10) out.push({ name: 'aof-base', value: o.aofBase ? '1' : '0' });
  else if (o.aofBase && o.rdbVersion >= 8) out.push({ name: 'aof-preamble', value: '1' });
  out.push({ name: 'rdbtool-ver', value: o.toolVersion ?? 'unknown' });
  return out;
}
