/**
 * `gatherReport`: the HTML report's data for any input, chosen by content as `memory` chooses:
 * a file that starts with an RDB is read as an RDB in one streaming pass (unless it is named
 * `*.aof` or `replay` is set: a hybrid AOF); anything else — a plain AOF, a hybrid AOF, a
 * multi-part AOF directory or manifest, an empty file — is replayed in one read of its files.
 */
import type { RdbtoolError } from '../errors.js';
import { openSource, withRelease } from '../io/source.js';
import { resolveInput } from '../pipeline/detect.js';
import { peekSource } from '../analyze/aof-input.js';
import { gatherRdb } from './gather-rdb.js';
import { gatherAofInput, gatherAofSource } from './gather-aof.js';
import { aofReportData, rdbReportData, type ReportStamp } from './build-data.js';
import type { GatherOptions } from './gather-options.js';
import type { ReportData } from './report-data.js';

/** What {@link gatherReport} found. */
export interface GatheredReport {
  data: ReportData;
  /**
   * The damage that ended the read early (the data covers what came before it, and says so in
   * `partial`), or a checksum mismatch (the data is whole); null when the input is sound.
   */
  error: RdbtoolError | null;
}

/**
 * Gathers the report's data for `given` (a file, `-` for stdin, a multi-part AOF directory or
 * manifest).
 * @throws InputError when the input cannot be read; CorruptDataError or TruncatedError when
 *   it is not a persistence file at all (no RDB header, not AOF commands); ManifestError;
 *   ReplayError for a command the replay cannot apply (without `skipUnknown`).
 */
export async function gatherReport(given: string, opts: GatherOptions, stamp: ReportStamp): Promise<GatheredReport> {
  const input = await resolveInput(given);
  if (input.form === 'multipart') {
    const f = await gatherAofInput(input, opts);
    return { data: aofReportData(f, stamp), error: f.error };
  }
  const part = input.parts[0];
  // Read into reused buffers: the scan gives back the chunks its decoder is done with.
  const opened = await openSource(part.path, undefined, part.name, { reuseBuffers: true });
  const peeked = await peekSource(opened);
  const hybrid = peeked.start === 'rdb' && (opts.replay === true || /\.aof$/i.test(part.name));
  if (peeked.start === 'resp' || peeked.start === 'empty' || hybrid) {
    const f = await gatherAofSource(peeked.source, opts);
    return { data: aofReportData(f, stamp), error: f.error };
  }
  const f = await gatherRdb(withRelease(peeked.source, opened), opts);
  return { data: rdbReportData(f, stamp), error: f.error };
}
