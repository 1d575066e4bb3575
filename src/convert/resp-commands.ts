/**
 * Key records as RESP commands to send to a live server (`redis-cli --pipe`): the commands of
 * an AOF rewrite (aof-rewrite.ts) for the target release, with two choices:
 *
 * - `replace`: `DEL key` before each key's commands, so a key the server already holds is
 *   replaced rather than merged into (and `FUNCTION LOAD REPLACE` for the libraries);
 * - `restore`: one `RESTORE key ttl payload [REPLACE] [ABSTTL]` per key instead, the payload a
 *   DUMP payload for the target's RDB version (rdb/dump-payload.ts): every value the RDB
 *   version holds travels whole — module values too (when the module is loaded on the
 *   server), and stream state commands cannot rebuild. A key with an expiry gets its absolute
 *   time with ABSTTL (Redis 5.0+; older targets get `RESTORE key 0 …` and a `PEXPIREAT`).
 *
 * Every key's database is selected (`SELECT n` before the first command of each database), so
 * the keys land in the databases they came from whatever the connection's database was.
 */
import type { ByteString } from '../dataset/byte-string.js';
import type { Dataset } from '../dataset/dataset.js';
import { valueLength } from '../dataset/value.js';
import type { ServerRelease } from '../model/server-releases.js';
import { DumpPayloadEncoder } from '../rdb/dump-payload.js';
import { UnsupportedValueError, type RdbWriteVersion } from '../rdb/target.js';
import type { DatasetSink } from '../rdb/write-dataset.js';
import { AofRewriteWriter, writeDatasetKeys, type AofRewriteOptions, type AofRewriteResult } from './aof-rewrite.js';
import type { KeyRecord, StreamedKey, StreamedValue } from './key-record.js';
import { writeVersionFor } from './target.js';

/** Options of {@link RespCommandsWriter}. */
export interface RespCommandsOptions extends Omit<AofRewriteOptions, 'timestampSec'> {
  /** `DEL key` before each key (`REPLACE` with `restore`), `FUNCTION LOAD REPLACE` for libraries. */
  replace?: boolean;
  /** One `RESTORE` per key with a DUMP payload, instead of the rewrite's commands. */
  restore?: boolean;
  /** The payloads' RDB version (default the one the target's own saves have). */
  rdbVersion?: RdbWriteVersion;
  /** LZF in payloads where it saves space (default true, as `rdbcompression`). */
  compression?: boolean;
  /** With `restore`: carry a key's LFU counter (`FREQ`) or else its idle time (`IDLETIME`); Redis 5.0+. */
  keepLru?: boolean;
}

/** The RDB version of a release's DUMP payloads: the one its saves have (as for an RDB output). */
export function payloadVersionFor(release: ServerRelease): RdbWriteVersion {
  return writeVersionFor(release);
}

/** Writes key records as RESP commands for a live server (see the file comment). */
export class RespCommandsWriter extends AofRewriteWriter {
  private readonly dump: DumpPayloadEncoder | null;
  private readonly replace: boolean;

  constructor(sink: DatasetSink, opts: RespCommandsOptions = {}) {
    // No annotation: a server reading a connection takes a `#` line for a command.
    // Scores in any exact form: the server reads the same double back (not an AOF to match).
    super(sink, { ...opts, timestampSec: undefined, scores: 'roundtrip' } as AofRewriteOptions);
    this.replace = opts.replace ?? false;
    this.dump = opts.restore ? new DumpPayloadEncoder({ rdbVersion: opts.rdbVersion ?? payloadVersionFor(this.style.release), compression: opts.compression }) : null;
  }

  private get ropts(): RespCommandsOptions {
    return this.opts as RespCommandsOptions;
  }

  /** `FUNCTION LOAD [REPLACE] <code>`. */
  protected override writeFunction(code: Uint8Array): void {
    const out = this.out;
    out.array(this.replace ? 4 : 3);
    out.bulk('FUNCTION');
    out.bulk('LOAD');
    if (this.replace) out.bulk('REPLACE');
    out.bulkBytes(code);
  }

  /**
   * Writes one key: its commands (after a `DEL` with `replace`), or its `RESTORE`.
   * @throws UnsupportedValueError (located at the key) for what the target cannot hold, unless skipped
   */
  override key(rec: KeyRecord): boolean {
    if (this.dump === null) return super.key(rec);
    const v = rec.value;
    if (typeof v !== 'string' && (v.type === 'list' || v.type === 'set' || v.type === 'zset' || v.type === 'hash') && valueLength(v) === 0) {
      // RESTORE refuses an empty collection (and Redis never holds one).
      this.result.skipped.push({ db: rec.db, key: rec.key, reason: 'an empty collection (Redis holds none)' });
      return false;
    }
    let payload: Uint8Array;
    try {
      payload = this.dump.encode(rec.value);
    } catch (e) {
      if (!(e instanceof UnsupportedValueError)) throw e;
      this.refuse(e, rec.db, rec.key);
      return false;
    }
    this.out.select(rec.db);
    this.writeRestore(rec, payload);
    this.result.keys++;
    return true;
  }

  protected override writeKey(rec: KeyRecord): boolean {
    this.beforeKey(rec.key);
    return super.writeKey(rec);
  }

  protected override beforeKey(key: ByteString): void {
    if (this.replace) this.out.command('DEL', key);
  }

  protected override writesBeforeKey(): boolean {
    return this.replace;
  }

  /** A string key as commands; false with `restore` (it goes as a payload). */
  override stringKey(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean {
    return this.dump === null ? super.stringKey(head, buf, start, end) : false;
  }

  /** A string's value where the writer wants it; not with `restore` (it goes as a payload). */
  override reserveString(head: StreamedKey, length: number, out: { buf: Uint8Array; at: number }): boolean {
    return this.dump === null ? super.reserveString(head, length, out) : false;
  }

  /** A large value as commands as it arrives; null with `restore` (a payload is made of the whole value). */
  override streamKey(head: StreamedKey): StreamedValue | null {
    return this.dump === null ? super.streamKey(head) : null;
  }

  /** `RESTORE key ttl payload [REPLACE] [ABSTTL] [FREQ n | IDLETIME n]` for the target's version. */
  private writeRestore(rec: KeyRecord, payload: Uint8Array): void {
    const out = this.out;
    const v = this.style.version;
    const server = this.style.release.server;
    // ABSTTL, IDLETIME and FREQ came with Redis 5.0, REPLACE with 3.0 (every Valkey has them).
    const modern = server === 'valkey' || v >= 500;
    const replaceFlag = this.replace && (server === 'valkey' || v >= 300);
    const at = rec.expireAtMs;
    const absTtl = at !== null && modern;
    const hint = modern && this.ropts.keepLru ? lruHint(rec) : null;
    if (this.replace && !replaceFlag) out.command('DEL', rec.key);
    out.array(4 + (replaceFlag ? 1 : 0) + (absTtl ? 1 : 0) + (hint ? 2 : 0));
    out.bulk('RESTORE');
    out.bulk(rec.key);
    out.bulk(absTtl ? String(at) : '0');
    out.bulkBytes(payload);
    if (replaceFlag) out.bulk('REPLACE');
    if (absTtl) out.bulk('ABSTTL');
    if (hint) {
      out.bulk(hint[0]);
      out.bulk(hint[1]);
    }
    if (at !== null && !absTtl) out.command('PEXPIREAT', rec.key, String(at));
  }
}

/** RESTORE's eviction hint for a key: its LFU counter, else its idle time (one of them: RESTORE takes one). */
function lruHint(rec: KeyRecord): [ByteString, ByteString] | null {
  if (rec.lfuFreq !== undefined) return ['FREQ', String(rec.lfuFreq)];
  if (rec.lruIdleSec !== undefined) return ['IDLETIME', String(rec.lruIdleSec)];
  return null;
}

/** Options of {@link writeDatasetResp}. */
export interface WriteDatasetRespOptions extends RespCommandsOptions {
  /** Key order within a database: `insertion` (default) or `sorted` (byte order). */
  keyOrder?: 'insertion' | 'sorted';
}

/**
 * Writes a whole dataset as RESP commands for a live server into `sink` (not closed):
 * function libraries, then every database in index order.
 * @throws UnsupportedValueError for what the target cannot hold (unless skipped); whatever the sink's drain throws
 */
export async function writeDatasetResp(ds: Dataset, sink: DatasetSink, opts: WriteDatasetRespOptions = {}): Promise<AofRewriteResult> {
  const w = new RespCommandsWriter(sink, opts);
  await writeDatasetKeys(ds, w, opts.keyOrder);
  return w.end();
}
