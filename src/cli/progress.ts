/**
 * A one-line progress indicator on stderr: only when stderr is a terminal, redrawn at most
 * every 250 ms, showing bytes read and, when the input size is known, a percentage. stdout
 * is never touched, so piped output stays clean.
 *
 * Anything else written to the terminal must erase the line first, or it is glued to its end
 * (`reading: 111.6 MiB of 111.6 MiB (100.0%)File: …`): {@link ErasingWritable} does that for
 * every write of the streams the commands are given (see `erasingProgressIo` in run.ts).
 */
import { Writable } from 'node:stream';
import type { ScanProgress } from '../pipeline/scan.js';
import { formatBytes, formatPercent } from '../format/bytes.js';

/** Redraw interval. */
export const PROGRESS_INTERVAL_MS = 250;

/** A progress line. */
export interface Progress {
  /** Reports progress (throttled; safe to call often). */
  update(p: ScanProgress): void;
  /** Erases the line (call before printing anything else to stderr). */
  done(): void;
}

/** The text of one progress line: `reading 12.0 MiB of 100.0 MiB (12.0%)`. */
export function formatProgress(p: ScanProgress): string {
  if (p.totalBytes === undefined) return `reading: ${formatBytes(p.bytesRead)}`;
  return `reading: ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)} (${formatPercent(p.bytesRead, p.totalBytes)})`;
}

/**
 * Creates a progress line on `stderr`, or null when stderr is not a terminal.
 * `now` is the clock in ms (injectable for tests).
 */
export function createProgress(stderr: { write(s: string): unknown }, stderrIsTty: boolean, now: () => number = () => performance.now()): Progress | null {
  if (!stderrIsTty) return null;
  let last = -Infinity;
  let shown = false;
  return {
    update(p) {
      const t = now();
      if (t - last < PROGRESS_INTERVAL_MS) return;
      last = t;
      shown = true;
      stderr.write('\r\x1b[2K' + formatProgress(p));
    },
    done() {
      if (shown) stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/**
 * A writable that erases the progress line (calls `erase`) before it passes each write on to
 * `target`. Ending it does not end the target (stdout and stderr stay open). A write error
 * of the target fails the write as it would on the target itself; the target also reports
 * it, so the `'error'` event this stream then emits is not one more unhandled error.
 */
export class ErasingWritable extends Writable {
  /**
   * @param target the stream written to (a function, so that stream is created only when written to)
   * @param erase erases the progress line, if one is showing
   */
  constructor(
    private readonly target: () => Writable,
    private readonly erase: () => void,
  ) {
    super({ decodeStrings: false });
    this.on('error', () => {});
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.erase();
    this.target().write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }
}
