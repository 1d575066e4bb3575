/**
 * The exit-code table: the single source for what `rdbtool` returns, shown in `--help`.
 */
import { RdbtoolError, type ErrorCode } from '../errors.js';

/** Exit codes. */
export const ExitCode = {
  /** Done; the input is fine. */
  Ok: 0,
  /** A problem was found in the input: corrupt, truncated, checksum mismatch, a size over a limit. */
  InputProblem: 1,
  /** Usage error, I/O error (cannot read the input or write the output), or internal error. */
  UsageOrIo: 2,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table as shown to users. */
export const EXIT_CODE_TABLE: readonly { code: ExitCode; meaning: string }[] = [
  { code: ExitCode.Ok, meaning: 'success' },
  { code: ExitCode.InputProblem, meaning: 'problem in the input: corrupt, truncated, checksum mismatch, limit' },
  { code: ExitCode.UsageOrIo, meaning: 'usage error, I/O error, or internal error' },
];

/** Error codes that are about how the tool was run, not about the input's content. */
const NOT_INPUT_PROBLEMS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['USAGE', 'IO', 'UNSAFE_WRITE']);

/** Maps any thrown value to its exit code: typed input problems → 1, everything else → 2. */
export function exitCodeFor(e: unknown): ExitCode {
  if (e instanceof RdbtoolError) return NOT_INPUT_PROBLEMS.has(e.code) ? ExitCode.UsageOrIo : ExitCode.InputProblem;
  return ExitCode.UsageOrIo;
}

/** The `--help` epilogue listing the exit codes. */
export function exitCodeEpilogue(): string {
  return 'Exit codes:\n' + EXIT_CODE_TABLE.map((r) => `  ${r.code}  ${r.meaning}`).join('\n');
}
