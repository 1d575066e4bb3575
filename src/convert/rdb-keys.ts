/**
 * An RDB file as a stream of key records: the decoder's events build one key at a time with
 * the dataset's own loader (the same values `loadRdb` builds), and each key is handed over as
 * soon as it is complete and then let go — memory holds one key, however large the file.
 *
 * What comes before the keys (AUX fields, module AUX records, function libraries) is handed
 * over once, before the first key (or at the end of a file without keys); module AUX records
 * written after the data come with the end.
 */
import type { ByteSource } from '../io/source.js';
import type { KeyInfo, RdbHandler, RdbHeader } from '../model/events.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader } from '../dataset/load-rdb.js';
import { toByteString } from '../dataset/byte-string.js';
import { scanRdb, type ScanOptions, type ScanResult } from '../pipeline/scan.js';
import type { KeyPredicate } from '../pipeline/filters.js';
import type { DatasetHeader, KeyRecord } from './key-record.js';

/** Where the keys go. */
export interface KeySink {
  /** Once, before the first key (the file's header: magic and version are in `rdb`). */
  header(h: DatasetHeader, rdb: RdbHeader | null): void;
  /** A database's size hints (RESIZEDB), before its keys, when the file has them. */
  dbSizes?(db: number, keys: number, expires: number): void;
  key(rec: KeyRecord): void;
}

/** Options of {@link streamRdbKeys}. */
export interface RdbKeysOptions extends Pick<ScanOptions, 'limits' | 'signal' | 'onProgress' | 'drain' | 'verify' | 'checksumWorker'> {
  /** Keys to leave out, judged before their value is read. */
  filter?: KeyPredicate | null;
}

/** What {@link streamRdbKeys} read. */
export interface RdbKeysResult {
  scan: ScanResult;
  /** The header handed over (module AUX records after the data included). */
  header: DatasetHeader;
  /** Keys handed over. */
  keys: number;
  /** Keys the filter left out. */
  filtered: number;
  /** Empty collections left out, as Redis leaves them out. */
  emptyKeysSkipped: number;
}

const HANDLER_METHODS = [
  'header',
  'aux',
  'function',
  'moduleAux',
  'keyStart',
  'stringValue',
  'stringPart',
  'item',
  'field',
  'member',
  'streamEntry',
  'streamMeta',
  'streamGroup',
  'streamIdmp',
  'arrayElement',
  'moduleValue',
  'keyEnd',
  'end',
] as const satisfies readonly (keyof RdbHandler)[];

/**
 * Reads `source` to its end, handing every key to `sink` as it completes.
 * @throws RdbtoolError on damaged, truncated or unreadable input (keys before it were handed over);
 *   whatever the sink throws, unchanged.
 */
export async function streamRdbKeys(source: ByteSource, sink: KeySink, opts: RdbKeysOptions = {}): Promise<RdbKeysResult> {
  const scratch = new Dataset();
  const loader = createDatasetLoader(scratch, { file: source.name });
  const filter = opts.filter ?? null;
  let rdbHeader: RdbHeader | null = null;
  let headerSent = false;
  let keys = 0;
  let filtered = 0;
  let keyName: string | null = null;
  const header: DatasetHeader = { aux: scratch.aux, functions: [], moduleAux: [] };
  const sendHeader = (): void => {
    if (headerSent) return;
    headerSent = true;
    header.functions = [...scratch.functions.entries()].map(([, code]) => code);
    header.moduleAux = [...scratch.moduleAux];
    sink.header(header, rdbHeader);
  };

  let currentDb = 0;
  const h: RdbHandler = {};
  const target = h as Record<string, unknown>;
  const from = loader as unknown as Record<string, unknown>;
  for (const name of HANDLER_METHODS) {
    const fn = from[name];
    if (typeof fn === 'function') target[name] = fn.bind(loader);
  }
  h.header = (hd: RdbHeader, offset: number) => {
    rdbHeader = { ...hd };
    loader.header?.(hd, offset);
  };
  h.resizeDb = (k: number, e: number) => {
    if (sink.dbSizes && keyName === null) sink.dbSizes(currentDb, k, e);
  };
  const keyStart = loader.keyStart!.bind(loader);
  const keyEnd = loader.keyEnd!.bind(loader);
  h.selectDb = (db: number) => {
    sendHeader();
    currentDb = db;
  };
  h.keyStart = (k: KeyInfo) => {
    if (filter !== null && !filter(k)) {
      filtered++;
      keyName = null;
      return false;
    }
    keyName = toByteString(k.key);
    return keyStart(k);
  };
  h.keyEnd = (k: KeyInfo) => {
    if (keyName === null) return;
    const key = keyName;
    keyName = null;
    keyEnd(k);
    const db = scratch.peekDb(k.db);
    const value = db?.get(key);
    if (db === undefined || value === undefined) return; // an empty collection, left out
    sendHeader();
    const rec: KeyRecord = { db: k.db, key, value, expireAtMs: db.expireAt(key) };
    const idle = db.lruIdleSec(key);
    if (idle !== undefined) rec.lruIdleSec = idle;
    const freq = db.lfuFreq(key);
    if (freq !== undefined) rec.lfuFreq = freq;
    db.delete(key);
    keys++;
    sink.key(rec);
  };
  const scan = await scanRdb(source, h, {
    limits: opts.limits,
    signal: opts.signal,
    onProgress: opts.onProgress,
    drain: opts.drain,
    verify: opts.verify,
    checksumWorker: opts.checksumWorker,
  });
  // Module AUX records after the data arrive after the last key.
  sendHeader();
  header.moduleAux = [...scratch.moduleAux];
  return { scan, header, keys, filtered, emptyKeysSkipped: loader.stats.emptyKeysSkipped };
}
