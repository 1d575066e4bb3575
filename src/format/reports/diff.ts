/**
 * What `rdbtool diff` prints: the report's types (the comparison in `src/diff` fills them),
 * the text summary, the one-line-per-key NDJSON records and the JSON report.
 *
 * NDJSON, one line per key that differs, sorted by database then key bytes:
 *
 *     {"db":0,"key":"user:1","change":"changed","what":["value","expiry"]}
 *
 * `key` is a byte string of the export schema (a JSON string when the bytes are valid UTF-8
 * without control characters, else `{"b64": …}`); `change` is `added` (only in the second
 * input), `removed` (only in the first) or `changed`; `what` lists the parts that differ —
 * `type`, `value`, `expiry`, `fieldExpiry`, `streamGroups`, `encoding` — empty for an added or
 * removed key.
 */
import type { ValueType } from '../../model/redis-types.js';
import { bytesToJson, type JsonBytes } from '../json.js';
import { formatCount, formatDuration } from '../bytes.js';
import { quoted } from '../printable.js';
import { renderTable, rightColumn, leftColumn, type CellValue } from '../table.js';

/** How a key differs. */
export type DiffChange = 'added' | 'removed' | 'changed';

/** A part of a key that differs. */
export type DiffPart = 'type' | 'value' | 'expiry' | 'fieldExpiry' | 'streamGroups' | 'encoding';

/** Every part, in the order `what` lists them. */
export const DIFF_PARTS: readonly DiffPart[] = ['type', 'value', 'expiry', 'fieldExpiry', 'streamGroups', 'encoding'];

/** One key that differs. */
export interface DiffKey {
  db: number;
  key: Uint8Array;
  change: DiffChange;
  /** The parts that differ (changed keys only; empty otherwise). */
  what: DiffPart[];
  /** The key's type: in the first input (removed, changed) or the second (added). */
  type: ValueType;
  /** The type in the second input, when it changed. */
  newType?: ValueType;
}

/** Counts of differing keys. */
export interface DiffTally {
  added: number;
  removed: number;
  changed: number;
}

/** One input of a comparison. */
export interface DiffInput {
  /** The input as given. */
  path: string;
  /** `rdb` (read as it streams) or the AOF form replayed: `aof`, `hybrid`, `multipart`. */
  form: 'rdb' | 'aof' | 'hybrid' | 'multipart';
  /** Keys compared (after the filters). */
  keys: number;
  /** Keys the filters left out. */
  filtered: number;
  bytes: number;
  /** Function libraries. */
  functions: number;
}

/** The report of a comparison. */
export interface DiffReport {
  schemaVersion: 1;
  /** True when no key differs and the function libraries agree. */
  identical: boolean;
  inputs: [DiffInput, DiffInput];
  options: { encodings: boolean; ignoreTtl: boolean; filter: { dbs?: readonly number[]; types?: readonly ValueType[]; match?: string } | null };
  /** Keys in both inputs and identical, and the differing ones. */
  totals: DiffTally & { same: number };
  /** Differing keys by database (databases with a difference only, ascending). */
  byDb: (DiffTally & { db: number })[];
  /** Differing keys by type (see {@link DiffKey.type}). */
  byType: (DiffTally & { type: ValueType })[];
  /** Whether the two inputs hold the same function libraries (compared by their code). */
  functionsIdentical: boolean;
  /** The first differing keys (database, then key bytes), at most `keysLimit`. */
  keys: DiffKey[];
  keysLimit: number;
  /** Remarks on the inputs (bytes not compared, commands a replay skipped). */
  notes: string[];
  elapsedMs: number;
}

/** Options of {@link renderDiff}. */
export interface DiffRenderOptions {
  json?: boolean;
  color?: boolean;
}

/** The report as text (a summary) or JSON, with a final newline. */
export function renderDiff(r: DiffReport, opts: DiffRenderOptions = {}): string {
  if (opts.json) return JSON.stringify(diffReportJson(r), null, 2) + '\n';
  return renderDiffText(r, opts.color ?? false);
}

/** The JSON form of the report: keys as export-schema byte strings, with their types. */
export function diffReportJson(r: DiffReport): Record<string, unknown> {
  return { ...r, keys: r.keys.map((k) => ({ ...diffKeyJson(k), type: k.type, ...(k.newType !== undefined ? { newType: k.newType } : {}) })) };
}

/** One key's NDJSON record (see the module notes). */
export function diffKeyJson(k: DiffKey): { db: number; key: JsonBytes; change: DiffChange; what: DiffPart[] } {
  return { db: k.db, key: bytesToJson(k.key), change: k.change, what: k.what };
}

/** One key's NDJSON line, with its newline. */
export function diffKeyLine(k: DiffKey): string {
  return JSON.stringify(diffKeyJson(k)) + '\n';
}

const FORM_TEXT: Readonly<Record<DiffInput['form'], string>> = {
  rdb: 'RDB',
  aof: 'AOF, replayed',
  hybrid: 'hybrid AOF, replayed',
  multipart: 'multi-part AOF, replayed',
};

function renderDiffText(r: DiffReport, color: boolean): string {
  const [a, b] = r.inputs;
  const lines: string[] = [];
  const side = (i: DiffInput) => `${i.path} (${FORM_TEXT[i.form]}, ${formatCount(i.keys)} key${i.keys === 1 ? '' : 's'}${i.filtered > 0 ? `, ${formatCount(i.filtered)} filtered out` : ''})`;
  lines.push(`first:  ${side(a)}`);
  lines.push(`second: ${side(b)}`);
  const t = r.totals;
  const differing = t.added + t.removed + t.changed;
  const compared: string[] = [];
  if (r.options.ignoreTtl) compared.push('expiries and field TTLs ignored');
  if (r.options.encodings) compared.push('encodings compared');
  const how = compared.length > 0 ? ` (${compared.join('; ')})` : '';
  if (r.identical) lines.push(`identical: ${formatCount(t.same)} key${t.same === 1 ? '' : 's'} in both, none differs${how}`);
  else {
    lines.push(
      `differ: ${formatCount(differing)} key${differing === 1 ? '' : 's'} — ${formatCount(t.added)} added, ${formatCount(t.removed)} removed, ${formatCount(t.changed)} changed; ${formatCount(t.same)} identical${how}`,
    );
  }
  if (!r.functionsIdentical) lines.push(`function libraries differ: ${a.functions} in the first, ${b.functions} in the second`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (differing > 0) {
    const cols = (name: string) => [name === 'db' ? rightColumn(name) : leftColumn(name), rightColumn('added'), rightColumn('removed'), rightColumn('changed')];
    const row = (name: string, x: DiffTally): CellValue[] => [name, x.added, x.removed, x.changed];
    lines.push('');
    lines.push(renderTable(cols('db'), r.byDb.map((x) => row(String(x.db), x)), { color }));
    lines.push(renderTable(cols('type'), r.byType.map((x) => row(x.type, x)), { color }));
    const shown = r.keys.length;
    if (shown > 0) {
      lines.push('');
      lines.push(shown < differing ? `The first ${shown} of ${formatCount(differing)} differing keys (by db, then key):` : 'Differing keys (by db, then key):');
      const rows = r.keys.map((k): CellValue[] => [k.change, String(k.db), quoted(k.key, 80), whatText(k)]);
      lines.push(renderTable([leftColumn('change'), rightColumn('db'), leftColumn('key'), leftColumn('type / what')], rows, { color }));
    }
  }
  lines.push(`(${formatDuration(r.elapsedMs)})`);
  return lines.join('\n') + '\n';
}

function whatText(k: DiffKey): string {
  if (k.change !== 'changed') return k.type;
  return k.what.map((w) => (w === 'type' && k.newType !== undefined ? `type ${k.type} → ${k.newType}` : w)).join(', ');
}
