/**
 * The human form of the `inspect` report. By default it fits one screen for a typical dump:
 * header lines (a partial report says so first), keys per database, keys per type over all
 * databases, and the biggest keys by size; a last line names what `--all` adds. With `all`,
 * every table: AUX fields, types and encodings per database, function libraries, module
 * types and the biggest keys by element count. Every byte string from the file goes through
 * `printable`.
 */
import type { DbStats, InspectReport } from '../../analyze/overview.js';
import type { BigKey } from '../../analyze/biggest-keys.js';
import { formatBytes, formatBytesExact, formatCount, formatDuration, formatPercent } from '../bytes.js';
import { printable, printableText } from '../printable.js';
import { leftColumn as left, renderTable, rightColumn as right } from '../table.js';

/** Options of {@link renderInspect} and of the AOF report. */
export interface RenderOptions {
  /** Color table headers and borders. Default false. */
  color?: boolean;
  /** Every table instead of the one-screen summary. Default false. */
  all?: boolean;
  /**
   * Rows of the lists the one-screen summary cuts from a whole table (an AOF's commands by
   * name); the top lists themselves come cut from the analysis. Default 10.
   */
  top?: number;
  /** True when the user chose `top` (--top): the one-screen form then keeps that length for every list. */
  topGiven?: boolean;
}

/** Library names listed on the summary's `Functions:` line before the rest is counted. */
const FUNCTION_NAMES_SHOWN = 5;

/** `n thing` or `n things`. */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A `{ code, offset }` error (its JSON form) as `CODE at byte N`. */
export function errorAt(error: Record<string, unknown> | null): string {
  if (error === null) return 'damage';
  const offset = typeof error.offset === 'number' ? ` at byte ${formatCount(error.offset)}` : '';
  return `${String(error.code)}${offset}`;
}

/** The line that marks a partial report: where the read stopped and what the counts cover. */
export function partialText(r: InspectReport): string {
  const p = r.partial!;
  const covered = p.readUpTo > 0 ? `the counts cover bytes 0-${formatCount(p.readUpTo - 1)}, ${plural(p.keys, 'complete key')}` : 'no record before it was read whole';
  return `the file is damaged (${errorAt(r.error)}): ${covered}`;
}

/** The `Checksum:` line's text. */
export function checksumText(r: InspectReport): string {
  const c = r.checksum;
  switch (c.status) {
    case 'ok':
      return `ok (CRC-64 0x${c.stored})`;
    case 'mismatch':
      return `MISMATCH: stored 0x${c.stored}, computed 0x${c.computed}`;
    case 'disabled':
      return 'disabled (the writer stored 0: rdbchecksum no)';
    case 'absent':
      if (r.partial) return 'not reached (the read stopped before the end of the file)';
      return r.rdbVersion < 5 ? `absent (RDB version ${r.rdbVersion} has no checksum)` : 'not checked';
  }
}

/** The `Format:` line's text. */
export function formatText(r: InspectReport): string {
  if (r.rdbVersion === 0) return 'RDB (the header was not read whole)';
  return `RDB version ${r.rdbVersion}, ${r.magic} magic (${r.dialect} dialect)`;
}

/** The `Server:` line's text, from the well-known AUX fields. */
export function serverText(r: InspectReport): string {
  const s = r.server;
  const parts: string[] = [];
  if (s.version !== undefined) parts.push(`${s.versionField === 'valkey-ver' ? 'Valkey' : 'Redis'} ${printableText(s.version)}`);
  if (s.bits !== undefined) parts.push(`${s.bits}-bit`);
  if (s.createdAt !== undefined) parts.push(`written ${s.createdAt}`);
  if (s.usedMemBytes !== undefined) parts.push(`used-mem ${formatBytes(s.usedMemBytes)}`);
  if (s.aofBase !== undefined) parts.push(s.aofBase ? 'AOF base' : 'not an AOF base');
  return parts.length ? parts.join(', ') : '(no server AUX fields)';
}

/** The `Keys:` line's text: totals over all databases. */
export function keysText(r: InspectReport): string {
  const tot = r.totals;
  return (
    `${formatCount(tot.keys)} in ${r.databases.length} database(s); ${formatCount(tot.keysWithTtl)} with a TTL, ${formatCount(tot.expiredKeys)} already expired; ${formatBytes(tot.onDiskBytes)} of key records` +
    (r.filtered ? ' (filtered)' : '')
  );
}

function functionsText(r: InspectReport): string {
  const names = r.functions.slice(0, FUNCTION_NAMES_SHOWN).map((f) => (f.name === null ? '(no name)' : printableText(f.name, 40)));
  const more = r.functions.length > FUNCTION_NAMES_SHOWN ? `, and ${formatCount(r.functions.length - FUNCTION_NAMES_SHOWN)} more` : '';
  return `${plural(r.functions.length, 'library', 'libraries')}: ${names.join(', ')}${more}`;
}

function modulesText(r: InspectReport): string {
  return r.modules.map((m) => `${printableText(m.name)} (encver ${m.encver}, ${plural(m.keys, 'key')}, ${plural(m.auxRecords, 'aux record')})`).join(', ');
}

function bigKeyRows(keys: readonly BigKey[], keyBytes: number): string[][] {
  return keys.map((k, i) => [
    String(i + 1),
    String(k.db),
    printable(k.key, { maxBytes: keyBytes }),
    k.valueType,
    k.encoding,
    formatBytes(k.onDiskBytes),
    k.memoryBytes === undefined ? '-' : '≈' + formatBytes(k.memoryBytes),
    formatCount(k.elements),
  ]);
}

/** Keys, elements and bytes per type over all databases, with the encodings seen, most bytes first. */
function typeTotalRows(dbs: readonly DbStats[], totalBytes: number): string[][] {
  const types = new Map<string, { keys: number; elements: number; bytes: number; enc: Map<string, { keys: number; bytes: number }> }>();
  for (const d of dbs) {
    for (const t of d.types) {
      const a = types.get(t.valueType) ?? { keys: 0, elements: 0, bytes: 0, enc: new Map() };
      a.keys += t.keys;
      a.elements += t.elements;
      a.bytes += t.onDiskBytes;
      types.set(t.valueType, a);
    }
    for (const e of d.encodings) {
      const enc = types.get(e.valueType)!.enc;
      const x = enc.get(e.encoding) ?? { keys: 0, bytes: 0 };
      x.keys += e.keys;
      x.bytes += e.onDiskBytes;
      enc.set(e.encoding, x);
    }
  }
  return [...types]
    .sort((a, b) => b[1].bytes - a[1].bytes || b[1].keys - a[1].keys)
    .map(([type, a]) => {
      const encodings = [...a.enc].sort((x, y) => y[1].bytes - x[1].bytes || y[1].keys - x[1].keys).map(([name, x]) => `${name} ${formatCount(x.keys)}`);
      return [type, formatCount(a.keys), formatCount(a.elements), formatBytes(a.bytes), formatPercent(a.bytes, totalBytes), encodings.join(', ')];
    });
}

/** Renders an {@link InspectReport} as text for a terminal (ends with a newline). */
export function renderInspect(r: InspectReport, opts: RenderOptions = {}): string {
  const t = { color: opts.color ?? false };
  const all = opts.all ?? false;
  const out: string[] = [];
  const more: string[] = [];
  if (r.partial) out.push(`PARTIAL:   ${partialText(r)}`);
  const size = r.fileBytes !== undefined ? `, ${formatBytesExact(r.fileBytes)}` : '';
  out.push(`File:      ${printableText(r.file)}${size}`);
  out.push(`Format:    ${formatText(r)}`);
  out.push(`Server:    ${serverText(r)}`);
  out.push(`Checksum:  ${checksumText(r)}`);
  if (all) out.push(`Read:      ${formatCount(r.bytesRead)} bytes in ${formatDuration(r.elapsedMs)}`);
  if (r.trailingBytes > 0) out.push(`Trailing:  ${formatCount(r.trailingBytes)} bytes after the checksum (an AOF tail, or junk)`);
  out.push(`Keys:      ${keysText(r)}`);
  if (!all && r.functions.length > 0) out.push(`Functions: ${functionsText(r)}`);
  if (!all && r.modules.length > 0) out.push(`Modules:   ${modulesText(r)}`);

  if (r.aux.length > 0) {
    if (all) {
      out.push('', 'AUX fields');
      out.push(renderTable([left('name'), left('value')], r.aux.map((a) => [printable(a.name), printable(a.value, { maxBytes: 80 })]), t));
    } else more.push('AUX fields');
  }

  databaseTables(r, out, more, { color: t.color, all });

  if (r.functions.length > 0) {
    if (all) {
      out.push('', 'Function libraries');
      out.push(
        renderTable(
          [left('library'), left('engine'), right('code bytes')],
          r.functions.map((f) => [f.name === null ? '(no name)' : printableText(f.name), f.engine === null ? '?' : printableText(f.engine), formatCount(f.codeBytes)]),
          t,
        ),
      );
    } else more.push('function libraries');
  }

  if (r.modules.length > 0) {
    if (all) {
      out.push('', 'Module types');
      out.push(
        renderTable(
          [left('module'), right('encver'), right('keys'), right('aux records')],
          r.modules.map((m) => [printableText(m.name), String(m.encver), formatCount(m.keys), formatCount(m.auxRecords)]),
          t,
        ),
      );
    } else more.push('module types');
  }

  biggestKeyTables(r, out, more, { color: t.color, all });
  if (more.length > 0) out.push('', `More with --all: ${more.join(', ')}.`);
  return out.join('\n') + '\n';
}

/** How the key tables are drawn. */
export interface KeyTableOptions {
  color: boolean;
  all: boolean;
  /** The size column's header (default `on disk`). */
  sizeLabel?: string;
  /** What the biggest keys are ranked by (default `on-disk size`). */
  sizeTitle?: string;
}

/** The Databases and Types tables (and with `all`, types and encodings per database), appended to `out`; what `all` would add, to `more`. */
export function databaseTables(r: InspectReport, out: string[], more: string[], opts: KeyTableOptions): void {
  const t = { color: opts.color };
  const all = opts.all;
  if (r.databases.length > 0) {
    out.push('', 'Databases');
    out.push(
      renderTable(
        [right('db'), right('keys'), right('with TTL'), right('expired'), right('elements'), right(opts.sizeLabel ?? 'on disk')],
        r.databases.map((d) => [String(d.db), formatCount(d.keys), formatCount(d.keysWithTtl), formatCount(d.expiredKeys), formatCount(d.elements), formatBytes(d.onDiskBytes)]),
        t,
      ),
    );
    out.push('', r.databases.length > 1 ? 'Types (all databases)' : 'Types');
    out.push(renderTable([left('type'), right('keys'), right('elements'), right(opts.sizeLabel ?? 'on disk'), right('share'), left('encodings (keys)')], typeTotalRows(r.databases, r.totals.onDiskBytes), t));
    if (all) {
      if (r.databases.length > 1) {
        out.push('', 'Types per database');
        const rows = r.databases.flatMap((d) => d.types.map((ty) => [String(d.db), ty.valueType, formatCount(ty.keys), formatCount(ty.elements), formatBytes(ty.onDiskBytes), formatPercent(ty.onDiskBytes, d.onDiskBytes)]));
        out.push(renderTable([right('db'), left('type'), right('keys'), right('elements'), right(opts.sizeLabel ?? 'on disk'), right('share')], rows, t));
      }
      out.push('', 'Encodings per database');
      const rows = r.databases.flatMap((d) => d.encodings.map((e) => [String(d.db), e.valueType, e.encoding, formatCount(e.keys), formatBytes(e.onDiskBytes), formatPercent(e.onDiskBytes, d.onDiskBytes)]));
      out.push(renderTable([right('db'), left('type'), left('encoding'), right('keys'), right(opts.sizeLabel ?? 'on disk'), right('share')], rows, t));
    } else more.push(r.databases.length > 1 ? 'types and encodings per database' : 'encodings');
  }
}

/** The biggest-keys tables, appended to `out`; what `all` would add, to `more`. */
export function biggestKeyTables(r: InspectReport, out: string[], more: string[], opts: KeyTableOptions): void {
  const t = { color: opts.color };
  const all = opts.all;
  // memory: what Redis 7.0 would take for the key once loaded, estimated from its record (≈).
  const cols = [right('#'), right('db'), left('key'), left('type'), left('encoding'), right(opts.sizeLabel ?? 'on disk'), right('memory'), right('elements')];
  const keyBytes = all ? 60 : 36;
  if (r.biggestKeys.bySize.length > 0) {
    out.push('', `Biggest keys by ${opts.sizeTitle ?? 'on-disk size'} (top ${r.biggestKeys.bySize.length})`);
    out.push(renderTable(cols, bigKeyRows(r.biggestKeys.bySize, keyBytes), t));
  }
  if (r.biggestKeys.byElements.length > 0) {
    if (all) {
      out.push('', `Biggest keys by element count (top ${r.biggestKeys.byElements.length})`);
      out.push(renderTable(cols, bigKeyRows(r.biggestKeys.byElements, keyBytes), t));
    } else more.push('biggest keys by element count');
  }
}
