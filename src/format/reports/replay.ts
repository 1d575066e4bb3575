/**
 * What a replay did that a user should hear about, in one line each: commands skipped under
 * `--skip-unknown` (by kind, with the first one located), MULTI blocks left open at the end of
 * a file and discarded.
 */
import type { ReplayStats } from '../../analyze/dataset-overview.js';

const CODE_TEXT: Readonly<Record<string, string>> = {
  REPLAY_UNKNOWN_COMMAND: 'unknown',
  REPLAY_ARITY: 'with a wrong number of arguments',
  REPLAY_WRONG_TYPE: 'against a key of another type',
  REPLAY_BAD_ARGUMENT: 'with an argument Redis refuses',
  REPLAY_BAD_PAYLOAD: 'with a bad DUMP payload',
  REPLAY_SCRIPT_ERROR: 'in scripts that failed',
  REPLAY_UNBALANCED_MULTI: 'MULTI/EXEC out of order',
};

/** The warnings of a replay (none when everything applied). */
export function replayWarnings(r: { replay: ReplayStats }): string[] {
  const s = r.replay;
  const out: string[] = [];
  const skipped = Object.entries(s.skipped);
  if (skipped.length > 0) {
    const total = skipped.reduce((n, [, c]) => n + (c ?? 0), 0);
    const parts = skipped.map(([code, n]) => `${n} ${CODE_TEXT[code] ?? code}`);
    const first = s.skippedSamples[0];
    const where = first ? `; the first: ${first.command} at byte ${first.offset ?? '?'}${first.line ? ` (line ${first.line})` : ''}${first.file ? ` of ${first.file}` : ''}: ${first.reply}` : '';
    out.push(`skipped ${total} command(s) the replay cannot apply (${parts.join(', ')})${where}`);
  }
  if (s.discardedBlocks > 0) {
    out.push(`${s.discardedBlocks} MULTI block(s) with ${s.discardedCommands} command(s) were left open at the end of a file and discarded, as Redis discards them`);
  }
  return out;
}
