/**
 * Tables for bounded results (summaries, top-N lists) over cli-table3, which sizes columns
 * from every row in memory: never use it for listings that grow with the input.
 *
 * Colors only when asked for (see {@link shouldUseColor}); numeric cells are right-aligned.
 * Cells are text: escape file-derived bytes with `format/printable.ts` before passing them.
 */
import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';

type TableConstructor = typeof CliTable;
let tableClass: TableConstructor | null = null;

/**
 * cli-table3, loaded when the first table is rendered: a run that prints no table (JSON
 * output, `check`, `export`, `--version`) does not pay for loading it. It is a CommonJS
 * package, so it can be loaded synchronously where it is needed; the CLI bundle leaves it in
 * node_modules.
 */
function loadTable(): TableConstructor {
  return (tableClass ??= createRequire(import.meta.url)('cli-table3') as TableConstructor);
}

/** One column of a table. */
export interface Column {
  header: string;
  /** Alignment of the column; numbers are right-aligned even when this is unset. */
  align?: 'left' | 'right';
}

/** A right-aligned column. */
export const rightColumn = (header: string): Column => ({ header, align: 'right' });
/** A left-aligned column. */
export const leftColumn = (header: string): Column => ({ header });

/** A cell: text, or a number (right-aligned and shown with thousands separators by the caller). */
export type CellValue = string | number;

const CYAN = '\x1b[36m';
const RESET = '\x1b[39m';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Color the header and borders. Default false. */
  color?: boolean;
}

/**
 * Colors are used only when stdout is a terminal and `NO_COLOR` is unset or empty
 * (https://no-color.org).
 */
export function shouldUseColor(stdoutIsTty: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return stdoutIsTty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Renders rows under a header row; returns the table text without a trailing newline. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly CellValue[])[], opts: TableOptions = {}): string {
  // Colors are applied here rather than through cli-table3's style option: that one goes
  // through a color library that switches itself off when it guesses there is no terminal
  // (CI, pipes), which would override the caller's decision.
  const Table = loadTable();
  const table = new Table({
    head: columns.map((c) => (opts.color ? CYAN + c.header + RESET : c.header)),
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push(
      row.map((cell, i) =>
        typeof cell === 'number' ? { content: String(cell), hAlign: 'right' as const } : { content: cell, hAlign: columns[i]?.align ?? 'left' },
      ),
    );
  }
  return table.toString();
}

/**
 * Renders name/value pairs as a two-column table without a header (for report sections such
 * as the file header).
 */
export function renderPairs(pairs: readonly (readonly [string, CellValue])[], opts: TableOptions = {}): string {
  const Table = loadTable();
  const table = new Table({ style: { head: [], border: [], compact: true } });
  for (const [k, v] of pairs) table.push([opts.color ? CYAN + k + RESET : k, typeof v === 'number' ? { content: String(v), hAlign: 'right' as const } : v]);
  return table.toString();
}
