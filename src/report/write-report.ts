/**
 * `writeReport`: the whole `report` job — gather the input's figures, render the page, write
 * it. A file output appears under its name only once complete (written under a temporary
 * sibling name, flushed and renamed into place); a failure leaves whatever was there before.
 * A damaged input still gets its page, marked partial, and the error comes back beside it.
 */
import path from 'node:path';
import { UsageError, type RdbtoolError } from '../errors.js';
import type { ByteSink } from '../io/byte-sink.js';
import { PendingOutput } from '../io/pending-output.js';
import { loadChartLibrary } from './chart-library.js';
import { gatherReport } from './gather.js';
import type { GatherOptions } from './gather-options.js';
import { renderReportHtml } from './html-page.js';
import type { ReportData } from './report-data.js';

/** Options of {@link writeReport}. */
export interface WriteReportOptions extends GatherOptions {
  /** `name version` of the tool, shown on the page. */
  tool: string;
}

/** What {@link writeReport} wrote. */
export interface WriteReportResult {
  data: ReportData;
  /** The damage the page is marked with (see `gatherReport`); null when the input is sound. */
  error: RdbtoolError | null;
  /** Bytes of the page. */
  bytes: number;
}

/**
 * Writes the report page of `given` to `output`: a file path, or a sink (stdout).
 * @throws UsageError when the output is the input; InputError when the input cannot be read
 *   or the output written; what `gatherReport` throws (nothing is then left at `output`).
 */
export async function writeReport(given: string, output: string | ByteSink, opts: WriteReportOptions): Promise<WriteReportResult> {
  if (typeof output === 'string' && given !== '-' && path.resolve(output) === path.resolve(given)) {
    throw new UsageError(`the output file ${output} is the input file`);
  }
  const lib = await loadChartLibrary();
  const pending = typeof output === 'string' ? await PendingOutput.file(output) : null;
  try {
    const { data, error } = await gatherReport(given, opts, { tool: opts.tool, generatedAtMs: Date.now() });
    const html = renderReportHtml(data, lib);
    const sink = pending?.sink ?? (output as ByteSink);
    sink.write(html);
    if (pending) await pending.output.commit();
    else await sink.drain();
    return { data, error, bytes: Buffer.byteLength(html, 'utf8') };
  } catch (e) {
    await pending?.output.discard();
    throw e;
  }
}
