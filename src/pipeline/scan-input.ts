/**
 * The one entry point for every persistence input: resolves the path (`detect.ts`) and reads
 * each file in load order (`scan-file.ts`) — an RDB, a plain or hybrid AOF, or every file of
 * a multi-part AOF (base, then incr files). redis-check-aof's line counter is carried from
 * one file to the next, as the tool does. A missing file is reported, not thrown, so a
 * checker can still read the others.
 */
import { openSource } from '../io/source.js';
import { CorruptDataError, type RdbtoolError } from '../errors.js';
import { resolveInput, type PartRef, type ResolvedInput } from './detect.js';
import { scanFile, type FileHandlers, type FileProblem, type FileScan, type FileScanOptions } from './scan-file.js';

/** Callbacks of {@link scanInput}: the per-section handlers plus file boundaries. */
export interface InputHandlers extends FileHandlers {
  /** Before a file is read (also for a missing one). */
  fileStart?(part: PartRef, index: number): void;
  /** After a file was read; `scan` is null when the file is missing. */
  fileEnd?(part: PartRef, scan: FileScan | null, index: number): void;
}

/** Options of {@link scanInput}. */
export type InputScanOptions = Omit<FileScanOptions, 'startRedisCheckAofLine' | 'progressBase' | 'progressTotal'> & {
  /** Stop after the first file with a problem (default false: read every file). */
  stopAtFirstProblem?: boolean;
};

/** One file of the input and what reading it gave. */
export interface InputFile {
  part: PartRef;
  /** Null when the file is missing (or was not read because an earlier one failed). */
  scan: FileScan | null;
  /** True when the manifest lists the file but it does not exist. */
  missing: boolean;
  /** The file's problem: its scan's, or `MISSING_FILE` when it is missing; null when fine (or not read). */
  problem: FileProblem | null;
  /** The typed error of `problem`, for callers that report damage by throwing. */
  error: RdbtoolError | null;
}

/** The outcome of {@link scanInput}. */
export interface InputScan {
  input: ResolvedInput;
  files: InputFile[];
  /** Total bytes read. */
  bytes: number;
  elapsedMs: number;
}

/**
 * Resolves `given` (a file, `-`, a directory or a manifest) and reads it all.
 * @throws InputError (unreadable path), ManifestError (a manifest Redis would refuse),
 *   UsageError, and whatever a handler throws. Damage inside files is returned, not thrown.
 */
export async function scanPath(given: string, handlers: InputHandlers = {}, opts: InputScanOptions = {}): Promise<InputScan> {
  return scanInput(await resolveInput(given), handlers, opts);
}

/** Reads every file of a resolved input in load order (see {@link scanPath}). */
export async function scanInput(input: ResolvedInput, handlers: InputHandlers = {}, opts: InputScanOptions = {}): Promise<InputScan> {
  const started = performance.now();
  const total = input.parts.every((p) => typeof p.size === 'number') ? input.parts.reduce((s, p) => s + (p.size ?? 0), 0) : undefined;
  const files: InputFile[] = [];
  let line = 1;
  let done = 0;
  let stop = false;
  for (let i = 0; i < input.parts.length; i++) {
    const part = input.parts[i];
    const missing = part.size === null;
    if (stop || missing) {
      handlers.fileStart?.(part, i);
      const problem = missing ? missingFileProblem(part) : null;
      files.push({ part, scan: null, missing, problem, error: problem && missingFileError(part, problem) });
      handlers.fileEnd?.(part, null, i);
      if (missing && opts.stopAtFirstProblem) stop = true;
      continue;
    }
    handlers.fileStart?.(part, i);
    const source = await openSource(part.path, undefined, part.name);
    const scan = await scanFile(source, handlers, { ...opts, startRedisCheckAofLine: line, progressBase: done, progressTotal: total });
    if (scan.aof) line = scan.aof.redisCheckAofLine;
    done += scan.bytes;
    files.push({ part, scan, missing: false, problem: scan.problem, error: scan.error });
    handlers.fileEnd?.(part, scan, i);
    if (scan.problem && opts.stopAtFirstProblem) stop = true;
  }
  return { input, files, bytes: done, elapsedMs: performance.now() - started };
}

/** The problem of a file the manifest lists but that does not exist (Redis refuses to start). */
export function missingFileProblem(part: PartRef): FileProblem {
  const line = part.manifestLine ? ` (line ${part.manifestLine})` : '';
  return { code: 'MISSING_FILE', section: 'file', reason: `listed in the manifest${line} but does not exist`, offset: 0, expected: 'a readable file', found: 'no such file' };
}

function missingFileError(part: PartRef, p: FileProblem): RdbtoolError {
  return new CorruptDataError('MISSING_FILE', p.reason, { file: part.name, expected: p.expected, found: p.found });
}
