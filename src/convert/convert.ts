/**
 * `convert`: any input form to any output form, for a chosen target server.
 *
 * Inputs: an RDB file is read key by key (memory holds one key, and not even that for a
 * string or a large collection, which go to the writer as they are read: rdb-keys.ts); an AOF
 * — plain, hybrid, or a multi-part directory or manifest — is replayed into a dataset first;
 * an NDJSON export is read back. Outputs: an RDB file of the target's version, an AOF in
 * Redis's rewrite style, a hybrid AOF (an RDB preamble, as Redis's rewrite writes it), a
 * multi-part AOF directory (manifest, base, empty incr file), RESP commands for
 * `redis-cli --pipe`, or NDJSON in the export schema.
 *
 * What the target cannot hold is refused unless a drop flag allows it (losses.ts): nothing is
 * written under the output's name then. A file output is written under a temporary name,
 * flushed and renamed into place only once complete (io/pending-output.ts): a conversion that
 * fails or is aborted leaves no partial file, and the input is only read.
 */
import { promises as fsp } from 'node:fs';
import { RdbtoolError, UsageError, type ErrorInit } from '../errors.js';
import type { ByteSink } from '../io/byte-sink.js';
import { openSource, withRelease, type ByteSource } from '../io/source.js';
import { PendingOutput } from '../io/pending-output.js';
import type { Limits } from '../limits.js';
import type { KeyInfo, RdbHeader } from '../model/events.js';
import type { RdbMagic } from '../model/server-releases.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../pipeline/filters.js';
import { resolveInput } from '../pipeline/detect.js';
import type { ScanProgress } from '../pipeline/scan.js';
import { peekSource } from '../analyze/aof-input.js';
import type { Dataset } from '../dataset/dataset.js';
import { valueType } from '../dataset/value.js';
import { streamRdbKeys, type KeySink, type StreamThresholds } from './rdb-keys.js';
import { RdbKeyWriter } from './rdb-output.js';
import { NdjsonKeyWriter } from './ndjson-output.js';
import { AofRewriteWriter } from './aof-rewrite.js';
import { RespCommandsWriter } from './resp-commands.js';
import { LossTracker, type LossCount, type LossKind, type LossOutput } from './losses.js';
import { describeTarget, resolveTarget, type ConvertTarget } from './target.js';
import type { DatasetHeader, KeyRecord, StreamedKey, StreamedValue } from './key-record.js';

/** Takes a streamed value's pieces and writes nothing (once the conversion was refused). */
const DISCARD: StreamedValue = { part() {}, item() {}, field() {}, member() {}, end() {} };
import type { KeyWriter } from './key-writer.js';

/** The output forms. */
export type ConvertTo = 'rdb' | 'aof' | 'hybrid' | 'aof-dir' | 'resp' | 'ndjson';

/** Every output form, for option lists. */
export const CONVERT_FORMS: readonly ConvertTo[] = ['rdb', 'aof', 'hybrid', 'aof-dir', 'resp', 'ndjson'];

/** Options of {@link convert}. */
export interface ConvertOptions {
  to: ConvertTo;
  /** `redis@7.0`, `valkey@9.0`, …: the server the output is for. */
  target?: string;
  /** An RDB version alone (6–12, 80). */
  targetVersion?: number;
  /** Keys to keep (`--db`, `--type`, `--match`). */
  filter?: Omit<KeyFilterOptions, 'expiredAt'>;
  /** Database renumbering (`--map-db FROM:TO`). Two databases may not end in one. */
  mapDb?: ReadonlyMap<number, number>;
  /** Leave out keys expired at this Unix time in ms (`--drop-expired [--now MS]`). */
  dropExpiredAt?: number;
  /** Kinds of data the target cannot hold that may be dropped (the `--drop-…` flags). */
  drop?: readonly LossKind[];
  /** Keep LRU/LFU hints (RDB 9+ outputs). */
  keepLru?: boolean;
  /** RESP output: a DEL before each key. */
  replace?: boolean;
  /** RESP output: RESTORE commands with DUMP payloads instead of data commands. */
  restore?: boolean;
  /** Multi-part output: the base as an RDB (default, as Redis writes it with aof-use-rdb-preamble yes) or as RESP commands. */
  aofBase?: 'rdb' | 'aof';
  /** The input's form when its content cannot tell: `ndjson`; `replay` for a file starting with an RDB that is a hybrid AOF not named *.aof. */
  from?: 'ndjson' | 'replay';
  /** Replay: count commands it cannot apply instead of stopping. */
  skipUnknown?: boolean;
  limits?: Partial<Limits>;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** `ctime` of the RDB outputs and `#TS` of the AOF ones (Unix ms; default now). */
  nowMs?: number;
  /** The `rdbtool-ver` AUX field. */
  toolVersion?: string;
  /**
   * RDB input: values larger than this are written as they are read, never held whole
   * (rdb-keys.ts `STREAM_ABOVE`: more than 65,536 elements or 8 MiB), into every output form
   * but NDJSON and `--restore`. Such a value's set members, sorted-set members and hash fields
   * are not checked for duplicates, and a string is written without LZF compression. The AOF
   * and RESP commands take every list, set, sorted set and hash as it is read, whatever its
   * size (checked for duplicates up to these limits).
   */
  streamAbove?: Partial<StreamThresholds>;
}

/** What a conversion wrote. */
export interface ConvertResult {
  target: ConvertTarget;
  to: ConvertTo;
  /** The input's form. */
  from: 'rdb' | 'aof' | 'hybrid' | 'multipart' | 'ndjson';
  keys: number;
  functions: number;
  /** Bytes written (all files of a directory). */
  bytes: number;
  /** The files written, relative to the output for a directory. */
  files: string[];
  /** Keys left out by the filters and by `--drop-expired`. */
  filtered: number;
  /** What was dropped knowingly, by flag. */
  dropped: LossCount[];
  /** Bookkeeping the target has no place for, dropped (text → keys). */
  notes: { text: string; count: number }[];
}

/** The target cannot hold part of the input, and no flag allows dropping it: nothing was written. */
export class ConvertRefusedError extends RdbtoolError {
  static readonly errorName: string = 'ConvertRefusedError';
  constructor(
    reason: string,
    /** Every kind the target cannot hold, refused ones first. */
    readonly losses: LossCount[],
    init: ErrorInit = {},
  ) {
    super('TARGET_CANNOT_HOLD', reason, init);
  }
}

/** The base file name Redis gives a multi-part AOF's files (`appendfilename`'s default). */
export const AOF_FILENAME = 'appendonly.aof';

/**
 * Converts `input` (a path; `-` for stdin) into `output` (a path, or a sink for the stream forms).
 * @throws ConvertRefusedError when the target cannot hold something no flag drops;
 *   UsageError for bad options; RdbtoolError for damaged input (nothing is left under the output's name)
 */
export async function convert(input: string, output: string | ByteSink, opts: ConvertOptions): Promise<ConvertResult> {
  checkOptions(output, opts);
  const plan = await planInput(input, opts.from);
  const filterOpts: KeyFilterOptions = { ...opts.filter, ...(opts.dropExpiredAt !== undefined ? { expiredAt: opts.dropExpiredAt } : {}) };
  const filter = createKeyFilter(filterOpts);

  if (plan.kind === 'rdb' || plan.kind === 'ndjson') {
    // The target is known once the file's header was read, before the first key.
    const out = await openOutput(output, opts);
    try {
      const run = new Run(opts, out, filter);
      const keyFilter = filter === null ? null : (k: KeyInfo) => filter(k);
      if (plan.kind === 'ndjson') {
        const { readNdjson } = await import('./ndjson-input.js');
        const empty: DatasetHeader = { aux: [], functions: [], moduleAux: [] };
        run.header(empty, null);
        const res = await readNdjson(plan.source, (rec) => run.key(rec), {
          limits: opts.limits,
          signal: opts.signal,
          onProgress: opts.onProgress,
          filter: keyFilter,
          drain: () => run.drain(),
        });
        run.filtered += res.filtered;
        return await run.finish(empty, 'ndjson');
      }
      const res = await streamRdbKeys(plan.source, run, {
        limits: opts.limits,
        signal: opts.signal,
        onProgress: opts.onProgress,
        filter: keyFilter,
        drain: () => run.drain(),
        streamAbove: opts.streamAbove,
      });
      run.filtered += res.filtered;
      return await run.finish(res.header, 'rdb');
    } catch (e) {
      await out.discard();
      throw e;
    }
  }

  // A dataset first (replayed or read back), then written.
  const { dataset, from } = await loadDataset(plan, opts);
  const out = await openOutput(output, opts);
  try {
    const run = new Run(opts, out, filter);
    const header: DatasetHeader = { aux: dataset.aux, functions: [...dataset.functions.entries()].map(([, c]) => c), moduleAux: dataset.moduleAux };
    const src = dataset.source;
    run.header(header, src ? ({ magic: src.magic, version: src.version } as RdbHeader) : null);
    const info = { db: 0, key: new Uint8Array(0), valueType: 'string', expireAtMs: null as number | null } as unknown as KeyInfo;
    for (const index of dataset.dbIndexes()) {
      const db = dataset.peekDb(index)!;
      if (db.size === 0) continue;
      run.dbSizes(index, db.size, db.volatileKeys);
      for (const key of db.keys()) {
        const value = db.get(key)!;
        const expireAtMs = db.expireAt(key);
        if (filter !== null) {
          info.db = index;
          info.key = Buffer.from(key, 'latin1');
          info.valueType = valueType(value);
          info.expireAtMs = expireAtMs;
          if (!filter(info)) {
            run.filtered++;
            continue;
          }
        }
        const rec: KeyRecord = { db: index, key, value, expireAtMs };
        const idle = db.lruIdleSec(key);
        if (idle !== undefined) rec.lruIdleSec = idle;
        const freq = db.lfuFreq(key);
        if (freq !== undefined) rec.lfuFreq = freq;
        run.key(rec);
        await run.drain();
      }
    }
    return await run.finish(header, from);
  } catch (e) {
    await out.discard();
    throw e;
  }
}

// ---------------------------------------------------------------- input

type InputPlan = { kind: 'rdb'; source: ByteSource } | { kind: 'replay'; form: 'aof' | 'hybrid' | 'multipart'; given: string; source: ByteSource | null } | { kind: 'ndjson'; source: ByteSource };

async function planInput(given: string, from: ConvertOptions['from']): Promise<InputPlan> {
  const input = await resolveInput(given);
  if (input.form === 'multipart') {
    if (from === 'ndjson') throw new UsageError(`${given} is a multi-part AOF, not NDJSON`);
    return { kind: 'replay', form: 'multipart', given, source: null };
  }
  const part = input.parts[0];
  // Read into reused buffers: an RDB input gives back what its decoder copied (see below);
  // the other readers never do, and get a new buffer per chunk, as from any file source.
  const opened = await openSource(part.path, undefined, part.name, { reuseBuffers: true });
  const peeked = await peekSource(opened);
  if (from === 'ndjson' || (peeked.start === 'other' && (await looksLikeJson(part.path)))) return { kind: 'ndjson', source: peeked.source };
  if (peeked.start === 'resp') return { kind: 'replay', form: 'aof', given, source: peeked.source };
  if (peeked.start === 'rdb' && (from === 'replay' || /\.aof$/i.test(part.name))) return { kind: 'replay', form: 'hybrid', given, source: peeked.source };
  // The scan driver and the key stream give chunks back (pipeline/scan-driver.ts, rdb-keys.ts).
  return { kind: 'rdb', source: withRelease(peeked.source, opened) };
}

/** True when a regular file starts (after white space) with `{` or `[`. */
async function looksLikeJson(file: string | Buffer | null): Promise<boolean> {
  if (file === null) return false;
  const fh = await fsp.open(file, 'r').catch(() => null);
  if (fh === null) return false;
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    for (let i = 0; i < bytesRead; i++) {
      const c = buf[i];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
      return c === 0x7b || c === 0x5b;
    }
    return false;
  } finally {
    await fh.close();
  }
}

async function loadDataset(plan: Extract<InputPlan, { kind: 'replay' }>, opts: ConvertOptions): Promise<{ dataset: Dataset; from: ConvertResult['from'] }> {
  const { replayPath, replaySource } = await import('../replay/replay-input.js');
  const ropts = { skipUnknown: opts.skipUnknown, limits: opts.limits, signal: opts.signal, onProgress: opts.onProgress, dropExpiredAt: opts.dropExpiredAt };
  const r = plan.source !== null ? await replaySource(plan.source, ropts) : await replayPath(plan.given, ropts);
  // A damaged input is not converted: the dataset would be what came before the damage.
  if (r.error !== null) throw r.error;
  return { dataset: r.dataset, from: plan.form };
}

// ---------------------------------------------------------------- output

/** Where a conversion writes: a pending file or directory, or a caller's sink. */
interface Output {
  /** The sink of a single-file output (the base file of a directory). */
  sink: ByteSink;
  pending: PendingOutput | null;
  /** Names of the files written, for the result. */
  files: string[];
  commit(): Promise<void>;
  discard(): Promise<void>;
}

async function openOutput(output: string | ByteSink, opts: ConvertOptions): Promise<Output> {
  if (typeof output !== 'string') {
    return { sink: output, pending: null, files: [output.name], commit: async () => {}, discard: async () => {} };
  }
  if (opts.to === 'aof-dir') {
    const dir = await PendingOutput.directory(output);
    const base = `${AOF_FILENAME}.1.base.${opts.aofBase === 'aof' ? 'aof' : 'rdb'}`;
    const incr = `${AOF_FILENAME}.1.incr.aof`;
    const manifest = `${AOF_FILENAME}.manifest`;
    const sink = await dir.addFile(base);
    return {
      sink,
      pending: dir,
      files: [base, incr, manifest],
      commit: async () => {
        (await dir.addFile(incr)).write(new Uint8Array(0));
        (await dir.addFile(manifest)).write(`file ${base} seq 1 type b\nfile ${incr} seq 1 type i\n`);
        await dir.commit();
      },
      discard: () => dir.discard(),
    };
  }
  const { output: file, sink } = await PendingOutput.file(output);
  return { sink, pending: file, files: [output], commit: () => file.commit(), discard: () => file.discard() };
}

function checkOptions(output: string | ByteSink, opts: ConvertOptions): void {
  if (opts.to === 'aof-dir' && typeof output !== 'string') throw new UsageError('--to aof-dir writes a directory: name one (not -)');
  if ((opts.replace || opts.restore) && opts.to !== 'resp') throw new UsageError('--replace and --restore apply to --to resp');
  if (opts.aofBase !== undefined && opts.to !== 'aof-dir') throw new UsageError('--aof-base applies to --to aof-dir');
  if (opts.mapDb) {
    const seen = new Map<number, number>();
    for (const [from, to] of opts.mapDb) {
      for (const n of [from, to]) if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--map-db: database numbers are integers >= 0, got ${n}`);
      const other = seen.get(to);
      if (other !== undefined) throw new UsageError(`--map-db: databases ${other} and ${from} both map to ${to}`);
      seen.set(to, from);
    }
  }
}

/** What the losses are judged against for each output form. */
function lossOutput(opts: ConvertOptions): LossOutput {
  if (opts.to === 'ndjson') return 'ndjson';
  if (opts.to === 'resp') return opts.restore ? 'restore' : 'commands';
  if (opts.to === 'aof' || (opts.to === 'aof-dir' && opts.aofBase === 'aof')) return 'commands';
  return 'rdb';
}

/** One conversion's state: the target and writer (chosen at the input's header), losses, counts. */
class Run implements KeySink {
  target: ConvertTarget | null = null;
  filtered = 0;
  private writer: KeyWriter | null = null;
  private losses: LossTracker | null = null;
  private keys = 0;
  private functions = 0;
  private db = -1;
  private readonly sizes = new Map<number, { keys: number; expires: number }>();
  /** Output database → the input database mapped to it, to refuse two in one. */
  private readonly outDbs = new Map<number, number>();

  /** A writer of commands writes every collection's elements as they are read (see KeySink). */
  readonly streamsEvery: boolean;

  constructor(
    private readonly opts: ConvertOptions,
    private readonly out: Output,
    private readonly filter: KeyPredicate | null,
  ) {
    this.streamsEvery = lossOutput(opts) === 'commands';
  }

  header(h: DatasetHeader, rdb: Pick<RdbHeader, 'magic' | 'version'> | null): void {
    const input = rdb === null ? null : { magic: (rdb.magic === 'VALKEY' ? 'VALKEY' : 'REDIS') as RdbMagic, version: rdb.version };
    const t = resolveTarget({ target: this.opts.target, targetVersion: this.opts.targetVersion }, input);
    this.target = t;
    if (this.opts.to === 'hybrid' && !t.release.aof.rdbPreamble) throw new UsageError(`${t.release.id} does not load an AOF with an RDB preamble (Redis 4.0+ does); use --to aof`);
    if (this.opts.to === 'aof-dir' && !t.release.aof.multipart) throw new UsageError(`${t.release.id} does not load a multi-part AOF directory (Redis 7.0+ and Valkey do); use --to aof or --to hybrid`);
    this.losses = new LossTracker(t.release, lossOutput(this.opts), new Set(this.opts.drop ?? []), t.rdbVersion, this.opts.keepLru ?? false);
    const writeFunctions = this.losses.functions(h.functions.length);
    this.functions = writeFunctions ? h.functions.length : 0;
    this.writer = this.makeWriter(t);
    this.writer.begin(writeFunctions ? h : { ...h, functions: [] });
  }

  private makeWriter(t: ConvertTarget): KeyWriter {
    const o = this.opts;
    const sink = this.out.sink;
    const rdb = (aofBase: boolean) =>
      new RdbKeyWriter(sink, { rdbVersion: t.rdbVersion, release: t.release, keepLru: o.keepLru ?? false, aofBase, nowMs: o.nowMs, toolVersion: o.toolVersion, signal: o.signal });
    switch (o.to) {
      case 'rdb':
        return rdb(false);
      case 'hybrid':
        return rdb(true);
      case 'aof-dir':
        return o.aofBase === 'aof' ? new AofRewriteWriter(sink, { target: t.release, signal: o.signal }) : rdb(true);
      case 'aof':
        return new AofRewriteWriter(sink, { target: t.release, signal: o.signal });
      case 'resp':
        return new RespCommandsWriter(sink, { target: t.release, signal: o.signal, replace: o.replace, restore: o.restore, rdbVersion: t.rdbVersion, keepLru: o.keepLru });
      case 'ndjson':
        return new NdjsonKeyWriter(sink);
    }
  }

  dbSizes(db: number, keys: number, expires: number): void {
    this.sizes.set(db, { keys, expires });
  }

  key(rec: KeyRecord): void {
    rec.db = this.outDb(rec.db);
    if (!this.losses!.key(rec)) return;
    this.select(rec.db);
    this.writer!.key(rec);
    this.keys++;
  }

  /**
   * A key too large to hold, streamed into the writer when it can take it so (a value that
   * no target lacks: only its LRU/LFU hints are judged); null to have it built after all.
   */
  streamKey(head: StreamedKey): StreamedValue | null {
    const w = this.writer!;
    if (w.streamKey === undefined) return null;
    head.db = this.outDb(head.db);
    // Once something was refused, keys are only counted.
    if (this.losses!.refused) return DISCARD;
    this.select(head.db);
    const s = w.streamKey(head);
    if (s === null) return null;
    this.losses!.streamedKey(head);
    this.keys++;
    return s;
  }

  /** A string key read whole, written at once when the writer takes it so. */
  stringKey(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean {
    const w = this.writer!;
    if (w.stringKey === undefined) return false;
    head.db = this.outDb(head.db);
    // Once something was refused, keys are only counted.
    if (this.losses!.refused) return true;
    this.select(head.db);
    if (!w.stringKey(head, buf, start, end)) return false;
    this.losses!.streamedKey(head);
    this.keys++;
    return true;
  }

  /** A string key whose value goes straight where the writer wants it (see KeySink.reserveString). */
  reserveString(head: StreamedKey, length: number, out: { buf: Uint8Array; at: number }): boolean {
    const w = this.writer!;
    if (w.reserveString === undefined) return false;
    // Once something was refused, keys are only counted (by stringKey).
    if (this.losses!.refused) return false;
    head.db = this.outDb(head.db);
    this.select(head.db);
    return w.reserveString(head, length, out);
  }

  finishString(head: StreamedKey): void {
    this.writer!.finishString!(head);
    this.losses!.streamedKey(head);
    this.keys++;
  }

  /** The input database of the last key, and where it went. */
  private lastIn = -1;
  private lastOut = -1;

  /** The database a key of input database `db` goes to (`--map-db`); two input databases may not end in one. */
  private outDb(db: number): number {
    if (db === this.lastIn) return this.lastOut;
    this.lastOut = this.mapDb(db);
    this.lastIn = db;
    return this.lastOut;
  }

  private mapDb(db: number): number {
    const mapped = this.opts.mapDb?.get(db);
    const to = mapped ?? db;
    const other = this.outDbs.get(to);
    if (other !== undefined && other !== db) throw new UsageError(`--map-db: databases ${other} and ${db} would both end in ${to}`);
    this.outDbs.set(to, db);
    return to;
  }

  /** Starts output database `db` before its first key. */
  private select(db: number): void {
    if (db === this.db) return;
    this.db = db;
    // Size hints only when every key of the database is written.
    const unfiltered = this.filter === null && this.opts.mapDb === undefined;
    this.writer!.selectDb(db, unfiltered ? this.sizes.get(db) : undefined);
  }

  async drain(): Promise<void> {
    if (this.writer !== null && !this.losses!.refused) await this.writer.maybeDrain();
  }

  async finish(h: DatasetHeader, from: ConvertResult['from']): Promise<ConvertResult> {
    if (this.writer === null) this.header(h, null);
    const t = this.target!;
    const losses = this.losses!;
    if (losses.refused) {
      const list = losses.losses();
      const refused = list.filter((l) => !(this.opts.drop ?? []).includes(l.kind));
      throw new ConvertRefusedError(`${describeTarget(t)} cannot hold part of the input: ${refused.map((l) => l.message).join('; ')}; nothing was written`, list);
    }
    const { bytes, notes } = await this.writer!.end(h);
    for (const [text, count] of Object.entries(notes ?? {})) losses.note(text, count);
    await this.out.commit();
    return {
      target: t,
      to: this.opts.to,
      from,
      keys: this.keys,
      functions: this.functions,
      bytes,
      files: this.out.files,
      filtered: this.filtered,
      dropped: losses.losses(),
      notes: [...losses.notes].map(([text, count]) => ({ text, count })),
    };
  }
}
