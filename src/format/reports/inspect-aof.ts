/**
 * The human form of the AOF `inspect` report: header lines (input, verdict, totals, MULTI
 * blocks, `#TS` dates in UTC), then tables (files, commands by name and by database, biggest
 * commands), then the summary of each RDB part exactly as `inspect` shows an RDB file. Every
 * byte string and name from the input goes through `printable`.
 */
import type { AofInputVerdict, AofInspectReport, AofPartReport } from '../../analyze/aof-overview.js';
import type { BigCommand, CommandStats, TimestampMark } from '../../analyze/aof-commands.js';
import { formatBytes, formatBytesExact, formatCount, formatDuration, formatPercent } from '../bytes.js';
import { printable, printableText } from '../printable.js';
import { leftColumn as left, renderTable, rightColumn as right } from '../table.js';
import { renderInspect, type RenderOptions } from './inspect.js';


/** A command name for display; `(other)` for the bucket of names not told apart. */
function nameText(name: Uint8Array | null): string {
  return name === null ? '(other)' : printable(name, { maxBytes: 40 });
}

function contentText(p: AofPartReport): string {
  switch (p.content) {
    case 'rdb':
      return 'RDB';
    case 'hybrid':
      return 'RDB + AOF';
    case 'aof':
      return 'AOF';
    case 'empty':
      return 'empty';
    default:
      return '-';
  }
}

function markText(m: TimestampMark): string {
  return `${m.iso ?? 'out of range'} (${m.sec})`;
}

const at = (offset: number | null | undefined, line: number | null | undefined): string =>
  offset === null || offset === undefined ? '' : ` at byte ${formatCount(offset)}${line ? ` (line ${formatCount(line)})` : ''}`;

/**
 * The verdict in one line: `ok: …` or the first problem, where it is, and where the input is
 * valid up to. Used as the report's verdict line and as the CLI's warning.
 */
export function formatAofVerdict(v: AofInputVerdict): string {
  if (v.status === 'ok') return `ok: every file is valid (the last one up to byte ${formatCount(v.okUpTo ?? 0)})`;
  if (v.status === 'empty') return 'empty: no file holds any byte';
  const p = v.problem!;
  const file = printableText(v.file ?? '?');
  if (v.status === 'missing') return `MISSING: ${file}: ${p.reason}`;
  let s = `${v.status.toUpperCase()}: ${file}: ${p.reason}${at(p.offset, p.line)}`;
  if (p.expected !== undefined) s += `; expected ${p.expected}`;
  if (p.found !== undefined) s += `${p.expected !== undefined ? ', found' : '; found'} ${p.found}`;
  const c = p.context;
  if (c && typeof c.key === 'string') {
    const what = typeof c.what === 'string' ? ` (${c.what})` : '';
    const db = typeof c.db === 'number' ? ` in db ${c.db}` : '';
    s += `; while reading key "${printableText(c.key, 80)}"${what}${db}`;
  }
  if (v.pendingMulti && v.multiOffset !== null) s += `; the MULTI at byte ${formatCount(v.multiOffset)} is not closed`;
  if (v.okUpTo !== null) {
    s += `; valid up to byte ${formatCount(v.okUpTo)}${v.okUpToLine ? ` (line ${formatCount(v.okUpToLine)})` : ''}`;
    if (v.bytesAfterOkUpTo !== null) s += `, ${formatCount(v.bytesAfterOkUpTo)} byte(s) after it`;
  }
  return s;
}

function nameRows(stats: readonly CommandStats[], totalBytes: number): string[][] {
  return stats.map((s) => [nameText(s.name), formatCount(s.commands), formatBytes(s.bytes), formatPercent(s.bytes, totalBytes)]);
}

/** Rows of the biggest commands; with several files, the file is its number in the files table. */
function bigRows(list: readonly BigCommand[], parts: readonly AofPartReport[]): string[][] {
  const many = parts.length > 1;
  return list.map((c, i) => {
    const preview =
      c.firstArg === null
        ? c.firstArgBytes === null
          ? ''
          : `(${formatCount(c.firstArgBytes)} bytes)`
        : printable(c.firstArg, { maxBytes: 40 }) + (c.firstArgBytes! > c.firstArg.length ? '…' : '');
    const row = [String(i + 1), formatCount(c.offset), String(c.db), nameText(c.name), preview, formatCount(c.argc), formatBytes(c.byteLength)];
    if (many) row.splice(1, 0, String(parts.findIndex((p) => p.name === c.file) + 1));
    return row;
  });
}

/** Renders an {@link AofInspectReport} as text for a terminal (ends with a newline). */
export function renderAofInspect(r: AofInspectReport, opts: RenderOptions = {}): string {
  const t = { color: opts.color ?? false };
  const out: string[] = [];
  const form =
    r.form === 'multipart'
      ? `multi-part AOF, manifest ${printableText(r.manifestPath ?? '?')}, ${r.parts.length} file(s)`
      : `single file, ${r.parts[0] ? contentText(r.parts[0]) : '?'}`;
  out.push(`Input:       ${printableText(r.input)} (${form})`);
  out.push(`Verdict:     ${formatAofVerdict(r.verdict)}`);
  out.push(`Commands:    ${formatCount(r.commands)} (${formatBytes(r.bytes)}) in ${r.databases.length} database(s)`);
  const m = r.multi;
  const largest = m.largest ? `; largest ${formatCount(m.largest.commands)} command(s), at byte ${formatCount(m.largest.offset)} of ${printableText(m.largest.file)}` : '';
  out.push(`MULTI:       ${formatCount(m.blocks)} block(s) with ${formatCount(m.commandsInside)} command(s) inside${largest}`);
  out.push(`Annotations: ${formatCount(r.annotations)}, ${formatCount(r.timestamps.count)} of them #TS`);
  if (r.timestamps.first && r.timestamps.last) out.push(`Timestamps:  first ${markText(r.timestamps.first)}, last ${markText(r.timestamps.last)} (UTC)`);
  out.push(`Read:        ${formatBytesExact(r.bytesRead)} in ${formatDuration(r.elapsedMs)}`);
  if (r.filtered) out.push('Filters:     applied to the keys of the RDB parts only (commands are never filtered)');

  out.push('', 'Files (in load order)');
  out.push(
    renderTable(
      [right('#'), left('file'), left('role'), right('seq'), right('manifest line'), left('content'), right('size'), left('status'), right('valid up to'), right('RESP from'), right('commands'), right('annotations')],
      r.parts.map((p, i) => [
        String(i + 1),
        printableText(p.name, 80),
        p.role,
        p.seq ?? '',
        p.manifestLine === null ? '' : String(p.manifestLine),
        contentText(p),
        p.bytes === null ? '' : formatCount(p.bytes),
        p.status,
        p.okUpTo === null ? '' : formatCount(p.okUpTo),
        p.respOffset === null ? '' : formatCount(p.respOffset),
        formatCount(p.commands),
        formatCount(p.annotations),
      ]),
      t,
    ),
  );
  if (r.history.length > 0) {
    out.push('', 'History files (named by the manifest, not read)');
    out.push(renderTable([left('file'), right('seq'), right('manifest line')], r.history.map((h) => [printableText(h.name, 80), h.seq, String(h.manifestLine)]), t));
  }

  if (r.byName.length > 0) {
    out.push('', 'Commands by name');
    out.push(renderTable([left('command'), right('count'), right('bytes'), right('share')], nameRows(r.byName, r.bytes), t));
    out.push('', 'Commands by database (SELECT counted in the database it leaves)');
    const rows: string[][] = [];
    for (const d of r.databases) {
      for (const s of d.byName) rows.push([d.db < 0 ? 'other' : String(d.db), nameText(s.name), formatCount(s.commands), formatBytes(s.bytes), formatPercent(s.bytes, d.bytes)]);
    }
    out.push(renderTable([right('db'), left('command'), right('count'), right('bytes'), right('share of db')], rows, t));
  }

  if (r.biggestCommands.length > 0) {
    out.push('', `Biggest commands (top ${r.biggestCommands.length})`);
    const cols = [right('#'), right('offset'), right('db'), left('command'), left('first argument'), right('args'), right('size')];
    if (r.parts.length > 1) cols.splice(1, 0, right('file #'));
    out.push(renderTable(cols, bigRows(r.biggestCommands, r.parts), t));
  }

  for (const p of r.parts) {
    if (p.rdb === null) continue;
    const what = p.content === 'hybrid' ? 'RDB preamble' : 'RDB';
    const extent = p.rdbComplete ? `bytes 0-${formatCount(p.rdb.bytesRead - p.rdb.trailingBytes - 1)}` : 'incomplete: read up to the problem';
    out.push('', `${what} of ${printableText(p.name)} (${extent})`, '');
    out.push(renderInspect(p.rdb, opts).trimEnd());
  }
  return out.join('\n') + '\n';
}
