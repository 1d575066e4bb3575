/**
 * The `inspect` output of any input: the RDB or the AOF report (text, or JSON with `json`),
 * and the one line that says what is wrong with the input, for stderr.
 */
import type { InputInspection } from '../../analyze/aof-overview.js';
import { stringifyJson } from '../json.js';
import { formatAofVerdict, renderAofInspect } from './inspect-aof.js';
import { renderInspect, type RenderOptions } from './inspect.js';

/** Options of {@link renderInputInspection}. */
export interface InputRenderOptions extends RenderOptions {
  /** The whole report as JSON (indented) instead of text. Default false. */
  json?: boolean;
}

/** Renders what `inspectInput` found, as text or JSON (ends with a newline). */
export function renderInputInspection(result: InputInspection, opts: InputRenderOptions = {}): string {
  if (opts.json) return stringifyJson(result.report, 2) + '\n';
  return result.kind === 'rdb' ? renderInspect(result.report, opts) : renderAofInspect(result.report, opts);
}

/**
 * The problem with the input in one line (the error that stopped a partial report, a checksum
 * mismatch, the AOF verdict), or null when there is none.
 */
export function inspectProblem(result: InputInspection): string | null {
  if (result.kind === 'aof') {
    const v = result.report.verdict;
    if (v.status !== 'ok' && v.status !== 'empty') return formatAofVerdict(v);
    // A command the replay cannot apply: Redis would not have written it.
    return result.error !== null ? result.error.message.replace(/\s*\n\s*/g, ' ').trim() : null;
  }
  if (result.error !== null) return result.error.message.replace(/\s*\n\s*/g, ' ').trim();
  const r = result.report;
  if (r.checksum.status !== 'mismatch') return null;
  return `${r.file}: CRC-64 checksum mismatch: stored 0x${r.checksum.stored}, computed 0x${r.checksum.computed}`;
}
