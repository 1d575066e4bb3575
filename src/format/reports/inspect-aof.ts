/**
 * The human form of the AOF `inspect` report. By default it fits one screen: header lines
 * (input, verdict, a partial report's extent, symbolic-link warnings, totals, MULTI blocks,
 * `#TS` dates in UTC), the files, the most used commands, the biggest commands and two lines
 * per RDB part; a last line names what `--all` adds. With `all`: every column of the files
 * table, every command name, commands by database, and each RDB part in full, exactly as
 * `inspect --all` shows an RDB file. Every byte string and name from the input goes through
 * `printable`.
 */
import path from 'node:path';
import type { AofInputVerdict, AofInspectReport, AofPartReport } from '../../analyze/aof-overview.js';
import type { BigCommand, CommandStats, TimestampMark } from '../../analyze/aof-commands.js';
import { formatBytes, formatBytesExact, formatCount, formatDuration, formatPercent } from '../bytes.js';
import { printable, printableText } from '../printable.js';
import { leftColumn as left, renderTable, rightColumn as right } from '../table.js';
import { biggestKeyTables, databaseTables, errorAt, keysText, partialText as rdbPartialText, plural, renderInspect, type RenderOptions } from './inspect.js';
import type { InspectReport } from '../../analyze/overview.js';


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
    case 'foreign':
      return 'not Redis';
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

/** The line that marks a partial AOF report: how far the damaged file was counted. */
function partialText(r: AofInspectReport): string {
  const p = r.partial!;
  const file = printableText(p.file);
  if (p.readUpTo === null) return `${file} is missing: none of its commands are counted`;
  const rest = r.parts.length > 1 ? '; every other file is counted whole' : '';
  const upTo = p.readUpTo > 0 ? `bytes 0-${formatCount(p.readUpTo - 1)} of ${file}` : `none of the bytes of ${file}`;
  return `the counts stop at the problem: they cover ${upTo}, ${plural(p.commands, 'command')}${rest}`;
}

/** A warning about a file of the set that is a symbolic link; null for a plain file. */
function linkText(p: AofPartReport): string | null {
  const l = p.link;
  if (l === null) return null;
  const name = printableText(path.basename(p.name));
  const to = `a symbolic link to ${printableText(l.target)}`;
  if (l.resolved === null) return `${name} is ${to}, which resolves to no file (dangling, or a loop)`;
  const resolved = l.resolved === l.target ? '' : ` (${printableText(l.resolved)})`;
  if (l.leavesDirectory) return `${name} is ${to}${resolved}, outside the AOF directory`;
  return `${name} is ${to}, inside the AOF directory`;
}

/** An RDB part in one line: its version, writer and checksum verdict. */
function rdbBrief(r: InspectReport): string {
  const parts = [r.rdbVersion === 0 ? 'RDB header not read whole' : `RDB version ${r.rdbVersion}${r.magic === 'VALKEY' ? ' (VALKEY magic)' : ''}`];
  const s = r.server;
  if (s.version !== undefined) parts.push(`${s.versionField === 'valkey-ver' ? 'Valkey' : 'Redis'} ${printableText(s.version, 40)}`);
  const c = r.checksum.status;
  parts.push(`checksum ${c === 'mismatch' ? 'MISMATCH' : c === 'absent' ? (r.partial ? 'not reached' : 'absent') : c}`);
  return parts.join(', ');
}

/** The manifest's path as the Input line shows it: relative to the directory given, or omitted when it is the input. */
function manifestText(r: AofInspectReport): string {
  const m = r.manifestPath ?? '?';
  if (m === r.input) return '';
  const rel = path.relative(r.input, m);
  return `manifest ${printableText(rel.startsWith('..') || path.isAbsolute(rel) ? m : rel)}, `;
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
  const all = opts.all ?? false;
  const out: string[] = [];
  const more: string[] = [];
  const ds = r.dataset?.report;
  // With a dataset to show, the one-screen form shortens the command lists to make room for it.
  const compact = !all && opts.topGiven !== true && ds !== undefined && ds !== null && ds.totals.keys > 0;
  const multi = r.form === 'multipart';
  // A part of a multi-part set is named by its file name: the Input line names the directory.
  const shortName = (name: string, max?: number): string => printableText(multi ? path.basename(name) : name, max);
  const only = r.parts.length === 1 ? r.parts[0] : null;
  const form = multi ? `multi-part AOF, ${manifestText(r)}${plural(r.parts.length, 'file')}` : `single file, ${only ? contentText(only) : '?'}${only?.bytes != null ? `, ${plural(only.bytes, 'byte')}` : ''}`;
  out.push(`Input:       ${printableText(r.input)} (${form})`);
  out.push(`Verdict:     ${formatAofVerdict(r.verdict)}`);
  if (r.partial) out.push(`PARTIAL:     ${partialText(r)}`);
  for (const p of r.parts) {
    const warning = linkText(p);
    if (warning !== null) out.push(`${(p.link!.leavesDirectory || p.link!.resolved === null ? 'Warning:' : 'Link:').padEnd(13)}${warning}`);
  }
  out.push(`Commands:    ${formatCount(r.commands)} (${formatBytes(r.bytes)}) in ${r.databases.length} database(s)`);
  const m = r.multi;
  const largest = m.largest ? `; largest ${formatCount(m.largest.commands)} command(s), at byte ${formatCount(m.largest.offset)}${multi ? ` of ${shortName(m.largest.file)}` : ''}` : '';
  out.push(`MULTI:       ${formatCount(m.blocks)} block(s) with ${formatCount(m.commandsInside)} command(s) inside${largest}`);
  // The count of annotations tells little when they are all #TS marks (their dates follow).
  if (all || r.annotations > r.timestamps.count) out.push(`Annotations: ${formatCount(r.annotations)}, ${formatCount(r.timestamps.count)} of them #TS`);
  if (r.timestamps.first && r.timestamps.last) out.push(`Timestamps:  first ${markText(r.timestamps.first)}, last ${markText(r.timestamps.last)} (UTC)`);
  if (all) out.push(`Read:        ${formatBytesExact(r.bytesRead)} in ${formatDuration(r.elapsedMs)}`);
  if (r.filtered) out.push('Filters:     applied to the keys of the RDB parts and of the replayed dataset (commands are never filtered)');
  out.push(`Dataset:     ${datasetLine(r)}`);

  // One file: the Input, Verdict and Commands lines already say what its row would.
  if (all || multi) {
    out.push('', 'Files (in load order)');
    const fileCols = [right('#'), left('file'), left('role'), right('seq'), left('content'), right('size'), left('status'), right('valid up to'), right('commands')];
    if (all) fileCols.splice(4, 0, right('manifest line'));
    if (all) fileCols.push(right('RESP from'), right('annotations'));
    out.push(
      renderTable(
        fileCols,
        r.parts.map((p, i) => {
          const row = [String(i + 1), shortName(p.name, 80), p.role, p.seq ?? '', contentText(p), p.bytes === null ? '' : formatCount(p.bytes), p.status, p.okUpTo === null ? '' : formatCount(p.okUpTo), formatCount(p.commands)];
          if (all) row.splice(4, 0, p.manifestLine === null ? '' : String(p.manifestLine));
          if (all) row.push(p.respOffset === null ? '' : formatCount(p.respOffset), formatCount(p.annotations));
          return row;
        }),
        t,
      ),
    );
  }
  if (!all) more.push(multi ? 'every column of the files table' : 'the files table');
  if (r.history.length > 0) {
    out.push('', 'History files (named by the manifest, not read)');
    out.push(renderTable([left('file'), right('seq'), right('manifest line')], r.history.map((h) => [printableText(h.name, 80), h.seq, String(h.manifestLine)]), t));
  }

  if (r.byName.length > 0) {
    // The one-screen form lists the most used names only, as many as a top list holds.
    const names = all ? r.byName : r.byName.slice(0, compact ? Math.min(opts.top ?? 10, COMPACT_ROWS) : (opts.top ?? 10));
    if (names.length > 0) {
      out.push('', names.length < r.byName.length ? `Commands by name (top ${names.length} of ${r.byName.length})` : 'Commands by name');
      out.push(renderTable([left('command'), right('count'), right('bytes'), right('share')], nameRows(names, r.bytes), t));
    }
    if (names.length < r.byName.length) more.push('every command name');
    if (all) {
      out.push('', 'Commands by database (SELECT counted in the database it leaves)');
      const rows: string[][] = [];
      for (const d of r.databases) {
        for (const s of d.byName) rows.push([d.db < 0 ? 'other' : String(d.db), nameText(s.name), formatCount(s.commands), formatBytes(s.bytes), formatPercent(s.bytes, d.bytes)]);
      }
      out.push(renderTable([right('db'), left('command'), right('count'), right('bytes'), right('share of db')], rows, t));
    } else more.push('commands by database');
  }

  if (r.biggestCommands.length > 0 && compact) more.push('the biggest commands');
  else if (r.biggestCommands.length > 0) {
    out.push('', `Biggest commands (top ${r.biggestCommands.length})`);
    const cols = [right('#'), right('offset'), right('db'), left('command'), left('first argument'), right('args'), right('size')];
    if (r.parts.length > 1) cols.splice(1, 0, right('file #'));
    out.push(renderTable(cols, bigRows(r.biggestCommands, r.parts), t));
  }

  for (const p of r.parts) {
    if (p.rdb === null) continue;
    const rdb = p.rdb;
    const what = p.content === 'hybrid' ? 'RDB preamble' : 'RDB';
    const extent = p.rdbComplete ? `bytes 0-${formatCount(rdb.bytesRead - rdb.trailingBytes - 1)}` : 'incomplete: read up to the problem';
    const title = `${what} of ${shortName(p.name)} (${extent})`;
    if (all) {
      out.push('', title, '', renderInspect(rdb, opts).trimEnd());
      continue;
    }
    out.push('', `${title}: ${rdbBrief(rdb)}`);
    if (rdb.partial) out.push(`  PARTIAL: ${rdbPartialText(rdb)}`);
    out.push(`  Keys: ${keysText(rdb)}${rdb.functions.length > 0 ? `; ${plural(rdb.functions.length, 'function library', 'function libraries')}` : ''}`);
    more.push(`the tables of the ${what}`);
  }
  if (ds && ds.totals.keys > 0) {
    out.push('', 'Dataset after replay (what Redis holds once it has loaded these files)');
    const opts2 = { color: t.color, all, sizeLabel: 'data', sizeTitle: 'data size' };
    const dsMore: string[] = [];
    if (all) databaseTables(ds, out, dsMore, opts2);
    else {
      // One line each for the databases and the types; their tables with --all.
      out.push(`  Keys per database: ${listLine(ds.databases.map((d) => `db ${d.db}: ${formatCount(d.keys)}`))}`);
      out.push(`  Keys per type:     ${listLine(typeCounts(ds).map(([type, n]) => `${type} ${formatCount(n)}`))}`);
      dsMore.push('the databases and types tables');
    }
    const shown = all ? ds : { ...ds, biggestKeys: { ...ds.biggestKeys, bySize: ds.biggestKeys.bySize.slice(0, compact ? Math.min(opts.top ?? 10, COMPACT_ROWS) : (opts.top ?? 10)) } };
    biggestKeyTables(shown, out, dsMore, opts2);
    if (dsMore.length > 0) more.push(`the dataset's ${dsMore.join(' and ')}`);
  }
  if (more.length > 0) out.push('', ...wrapLine(`More with --all: ${[...new Set(more)].join(', ')}.`, REPORT_WIDTH));
  return out.join('\n') + '\n';
}

/** Columns the one-screen form keeps within. */
const REPORT_WIDTH = 120;

/** `text` cut at spaces into lines of at most `width` columns. */
function wrapLine(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}

/** Rows of the top lists in the one-screen form when the dataset shares the screen. */
const COMPACT_ROWS = 5;
/** Items a one-line list shows before counting the rest. */
const LINE_ITEMS = 8;

/** `a, b, c` with the items past {@link LINE_ITEMS} counted. */
function listLine(items: string[]): string {
  return items.length > LINE_ITEMS ? `${items.slice(0, LINE_ITEMS).join(', ')}, and ${items.length - LINE_ITEMS} more` : items.join(', ');
}

/** Keys per type over every database, most keys first. */
function typeCounts(r: InspectReport): [string, number][] {
  const m = new Map<string, number>();
  for (const d of r.databases) for (const t of d.types) m.set(t.valueType, (m.get(t.valueType) ?? 0) + t.keys);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** The Dataset line: the replayed dataset in one line, or why there is none. */
function datasetLine(r: AofInspectReport): string {
  const d = r.dataset;
  if (d === null) return r.input === '-' ? 'not replayed (stdin can be read only once; give the file to see its dataset)' : 'not replayed (--no-replay)';
  if (d.report === null) {
    const e = d.error;
    const at = typeof e?.offset === 'number' ? ` at byte ${formatCount(e.offset)}${typeof e.file === 'string' ? ` of ${e.file}` : ''}` : '';
    return typeof e?.message === 'string' ? `replay stopped${at}: ${e.message}` : `replay stopped: ${errorAt(e)}`;
  }
  const s = d.replay!;
  const notes: string[] = [];
  if (d.partial) notes.push('of the commands before the damage');
  const skipped = Object.values(s.skipped).reduce((n, c) => n + (c ?? 0), 0);
  if (skipped > 0) notes.push(`${formatCount(skipped)} command(s) skipped`);
  if (s.discardedBlocks > 0) notes.push(`${formatCount(s.discardedBlocks)} open MULTI block(s) discarded`);
  const fn = d.report.functions.length > 0 ? `; ${plural(d.report.functions.length, 'function library', 'function libraries')}` : '';
  return `${keysText(d.report).replace(/ of key records/, ' of data')}${fn}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}
