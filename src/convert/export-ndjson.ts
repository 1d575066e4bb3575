/**
 * RDB → NDJSON (or one JSON array): one object per key, in file order, in the export schema
 * documented in the README:
 *
 *   {"db":0,"key":K,"type":T,"encoding":E,"expireAtMs":X,"value":V}
 *   + "lfuFreq":N, "lruIdleSec":N, "fieldExpireAtMs":[[field,ms],...] only when the file has them
 *
 * Text is produced incrementally, element by element, and handed to the sink in pieces of
 * about 64 KiB, so a key with millions of elements never exists as one string. Two things
 * are held per key: a string value delivered in parts (`stringPart`, values above
 * `limits.maxInlineValueBytes`) is collected whole, because whether it is written as text or
 * base64 depends on all its bytes; and the `fieldExpireAtMs` pairs of a hash, which come
 * after the value in the record.
 */
import { copyBytes } from '../io/bytes.js';
import type { ChecksumStatus, KeyInfo, ModuleBlob, RdbHandler, StreamGroup, StreamIdmp, StreamMeta, StreamPending } from '../model/events.js';
import type { ValueType } from '../model/redis-types.js';
import type { ByteSource } from '../io/source.js';
import type { Limits } from '../limits.js';
import { OutputClosedError, type ByteSink } from '../io/byte-sink.js';
import { scanRdb, type ScanProgress } from '../pipeline/scan.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../pipeline/filters.js';
import { jsonBytesText, jsonScoreText, LineBuilder, toBase64 } from '../format/json.js';

/** Output layout: one object per line, or one JSON array of the same objects. */
export type ExportFormat = 'ndjson' | 'json';

/** Options of {@link NdjsonExporter}. */
export interface ExporterOptions {
  format?: ExportFormat;
  /** Keys to export (others are skipped without decoding their values). */
  filter?: KeyPredicate | null;
}

/** How the value of the current key opens and closes. */
type Shape = 'array' | 'stream' | 'scalar' | 'none';

function shapeOf(t: ValueType): Shape {
  switch (t) {
    case 'list':
    case 'set':
    case 'zset':
    case 'hash':
    case 'array':
      return 'array';
    case 'stream':
      return 'stream';
    default:
      return 'scalar';
  }
}

const q = (s: string): string => JSON.stringify(s);

function pendingText(p: StreamPending, withConsumer: boolean): string {
  let s = '{"id":' + q(p.id);
  if (withConsumer && p.consumer !== undefined) s += ',"consumer":' + jsonBytesText(p.consumer);
  return s + ',"deliveryTimeMs":' + p.deliveryTimeMs + ',"deliveryCount":' + p.deliveryCount + '}';
}

/** A consumer group in the export schema (`entriesRead` -1, "unknown", is written as null). */
function groupText(g: StreamGroup): string {
  let s = '{"name":' + jsonBytesText(g.name) + ',"lastDeliveredId":' + q(g.lastDeliveredId);
  if (g.entriesRead !== undefined) s += ',"entriesRead":' + (g.entriesRead < 0 ? 'null' : g.entriesRead);
  s += ',"pending":[' + g.pending.map((p) => pendingText(p, true)).join(',') + ']';
  s += ',"consumers":[';
  s += g.consumers
    .map((c) => {
      let cs = '{"name":' + jsonBytesText(c.name) + ',"seenTimeMs":' + c.seenTimeMs;
      if (c.activeTimeMs !== undefined) cs += ',"activeTimeMs":' + c.activeTimeMs;
      return cs + ',"pending":[' + c.pending.map((p) => pendingText(p, false)).join(',') + ']}';
    })
    .join(',');
  s += ']';
  // Type 27 (RDB 14) only: IDs in the group's NACK zone.
  if (g.nacked !== undefined) s += ',"nacked":[' + g.nacked.map(q).join(',') + ']';
  return s + '}';
}

/** Stream metadata; fields the file's stream type does not carry are left out. */
function metaText(m: StreamMeta): string {
  let s = '],"length":' + m.length + ',"lastGeneratedId":' + q(m.lastGeneratedId);
  if (m.maxDeletedEntryId !== undefined) s += ',"maxDeletedEntryId":' + q(m.maxDeletedEntryId);
  if (m.entriesAdded !== undefined) s += ',"entriesAdded":' + m.entriesAdded;
  if (m.recordedFirstEntryId !== undefined) s += ',"recordedFirstEntryId":' + q(m.recordedFirstEntryId);
  return s + ',"groups":[';
}

/** Idempotent-producer state (stream types 26 and 27, RDB 13+). */
function idmpText(x: StreamIdmp): string {
  const producers = x.producers.map(
    (p) => '{"pid":' + jsonBytesText(p.pid) + ',"entries":[' + p.entries.map((e) => '{"iid":' + jsonBytesText(e.iid) + ',"id":' + q(e.id) + '}').join(',') + ']}',
  );
  return (
    ',"idmp":{"durationSec":' + x.durationSec + ',"maxEntries":' + x.maxEntries + ',"producers":[' + producers.join(',') + '],"iidsAdded":' + x.iidsAdded + ',"iidsDuplicates":' + x.iidsDuplicates + '}'
  );
}

/**
 * The decoder handler that writes the export schema. Call {@link begin} before the scan and
 * {@link finish} after it; `write` receives the text in order.
 */
export class NdjsonExporter implements RdbHandler {
  private readonly out: LineBuilder;
  private readonly json: boolean;
  private readonly filter: KeyPredicate | null;
  /** Keys written so far. */
  keys = 0;
  private active = false;
  private shape: Shape = 'none';
  private first = true;
  private valueWritten = false;
  private metaWritten = false;
  private tail = '';
  private idmp = '';
  private fieldTtls: string[] = [];
  private parts: Uint8Array[] = [];

  constructor(write: (s: string) => void, opts: ExporterOptions = {}) {
    this.out = new LineBuilder(write);
    this.json = opts.format === 'json';
    this.filter = opts.filter ?? null;
  }

  /** Writes what comes before the first record (`[` for the JSON format). */
  begin(): void {
    if (this.json) this.out.push('[');
  }

  /** Writes what comes after the last record and flushes. */
  finish(): void {
    if (this.json) this.out.push(this.keys > 0 ? '\n]\n' : ']\n');
    this.out.flush();
  }

  /** Hands the text built so far to the writer (call before awaiting the sink). */
  flush(): void {
    this.out.flush();
  }

  keyStart(k: KeyInfo): boolean {
    if (this.filter !== null && !this.filter(k)) {
      this.active = false;
      return false;
    }
    this.active = true;
    this.shape = shapeOf(k.valueType);
    this.first = true;
    this.valueWritten = false;
    this.metaWritten = false;
    this.idmp = '';
    this.tail = (k.lfuFreq !== undefined ? ',"lfuFreq":' + k.lfuFreq : '') + (k.lruIdleSec !== undefined ? ',"lruIdleSec":' + k.lruIdleSec : '');
    let s = this.json ? (this.keys > 0 ? ',\n' : '\n') : '';
    s += '{"db":' + k.db + ',"key":' + jsonBytesText(k.key) + ',"type":' + q(k.valueType) + ',"encoding":' + q(k.encoding);
    s += ',"expireAtMs":' + (k.expireAtMs === null ? 'null' : k.expireAtMs) + ',"value":';
    if (this.shape === 'array') s += '[';
    else if (this.shape === 'stream') s += '{"entries":[';
    this.out.push(s);
    this.keys++;
    return true;
  }

  private sep(): string {
    if (this.first) {
      this.first = false;
      return '';
    }
    return ',';
  }

  stringValue(v: Uint8Array): void {
    this.out.push(jsonBytesText(v));
    this.valueWritten = true;
  }

  stringPart(part: Uint8Array, last: boolean): void {
    this.parts.push(copyBytes(part));
    if (!last) return;
    const whole = Buffer.concat(this.parts);
    this.parts = [];
    this.out.push(jsonBytesText(whole));
    this.valueWritten = true;
  }

  item(v: Uint8Array): void {
    this.out.push(this.sep() + jsonBytesText(v));
  }

  member(m: Uint8Array, score: number): void {
    this.out.push(this.sep() + '[' + jsonBytesText(m) + ',' + jsonScoreText(score) + ']');
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null): void {
    const ft = jsonBytesText(f);
    this.out.push(this.sep() + '[' + ft + ',' + jsonBytesText(v) + ']');
    if (expireAtMs !== null) this.fieldTtls.push('[' + ft + ',' + expireAtMs + ']');
  }

  arrayElement(index: number, v: Uint8Array): void {
    this.out.push(this.sep() + '[' + index + ',' + jsonBytesText(v) + ']');
  }

  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    if (deleted) return;
    let s = this.sep() + '{"id":' + q(id) + ',"fields":[';
    for (let i = 0; i + 1 < fields.length; i += 2) s += (i > 0 ? ',[' : '[') + jsonBytesText(fields[i]) + ',' + jsonBytesText(fields[i + 1]) + ']';
    this.out.push(s + ']}');
  }

  streamMeta(m: StreamMeta): void {
    this.out.push(metaText(m));
    this.metaWritten = true;
    this.first = true;
  }

  streamGroup(g: StreamGroup): void {
    this.out.push(this.sep() + groupText(g));
  }

  streamIdmp(x: StreamIdmp): void {
    this.idmp = idmpText(x);
  }

  moduleValue(m: ModuleBlob): void {
    this.out.push('{"module":' + q(m.moduleName) + ',"encver":' + m.encver + ',"raw":{"b64":"' + toBase64(m.raw) + '"}}');
    this.valueWritten = true;
  }

  keyEnd(): void {
    if (!this.active) return;
    this.active = false;
    let s: string;
    switch (this.shape) {
      case 'array':
        s = ']';
        break;
      case 'stream':
        s = this.metaWritten ? ']' + this.idmp + '}' : ']}';
        break;
      default:
        s = this.valueWritten ? '' : 'null';
    }
    s += this.tail;
    if (this.fieldTtls.length > 0) {
      s += ',"fieldExpireAtMs":[' + this.fieldTtls.join(',') + ']';
      this.fieldTtls = [];
    }
    this.out.push(s + (this.json ? '}' : '}\n'));
  }
}

/** Options of {@link exportRdb}. */
export interface ExportOptions {
  /** Default `ndjson`. */
  format?: ExportFormat;
  /** Keys to export. */
  filter?: KeyFilterOptions;
  limits?: Partial<Limits>;
  /** Decoder verification of skipped values (default `shallow`: exported values are always fully decoded). */
  verify?: 'deep' | 'shallow';
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
}

/** Outcome of {@link exportRdb}. */
export interface ExportResult {
  /** Records written. */
  keys: number;
  bytesRead: number;
  elapsedMs: number;
  /** Checksum verdict (a mismatch throws CHECKSUM_MISMATCH after the last record). */
  checksum: ChecksumStatus | null;
  /** True when the reader of the output went away (`| head`): the export stopped early. */
  outputClosed: boolean;
}

/**
 * Exports an RDB source to `sink` in the export schema. The sink is flushed, not closed.
 * @throws RdbtoolError when the input is corrupt, truncated, unreadable, or its checksum
 * does not match (records read before the problem have been written).
 */
export async function exportRdb(source: ByteSource, sink: ByteSink, opts: ExportOptions = {}): Promise<ExportResult> {
  const exporter = new NdjsonExporter((s) => sink.write(s), {
    format: opts.format,
    filter: opts.filter ? createKeyFilter(opts.filter) : null,
  });
  exporter.begin();
  const started = performance.now();
  try {
    const res = await scanRdb(source, exporter, {
      verify: opts.verify ?? 'shallow',
      limits: opts.limits,
      onProgress: opts.onProgress,
      signal: opts.signal,
      drain: () => {
        exporter.flush();
        return sink.drain();
      },
    });
    exporter.finish();
    await sink.drain();
    return { keys: exporter.keys, bytesRead: res.bytesRead, elapsedMs: res.elapsedMs, checksum: res.end?.checksum ?? null, outputClosed: false };
  } catch (e) {
    if (!(e instanceof OutputClosedError)) {
      exporter.flush();
      throw e;
    }
    return { keys: exporter.keys, bytesRead: 0, elapsedMs: performance.now() - started, checksum: null, outputClosed: true };
  }
}
