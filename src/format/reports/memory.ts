/**
 * The `memory` report's forms: the text report (totals next to the file's `used-mem`, memory
 * by database, type and encoding after load, the biggest keys, the prefix tree), its JSON,
 * and the per-key records as NDJSON lines or CSV rows. Every byte string from the input goes
 * through `printable` (text) or the export schema's byte-string rule (JSON, CSV).
 */
import type { KeyMemoryRecord, MemoryReport } from '../../analyze/memory/memory-analyzer.js';
import type { PrefixStats } from '../../analyze/memory/prefix-tree.js';
import { formatBytes, formatBytesExact, formatCount, formatPercent } from '../bytes.js';
import { bytesToJson, jsonBytesText, stringifyJson } from '../json.js';
import { printable, printableText } from '../printable.js';
import { leftColumn as left, renderTable, rightColumn as right } from '../table.js';
import { errorAt, plural } from './inspect.js';

/** Options of {@link renderMemoryReport}. */
export interface MemoryRenderOptions {
  /** The whole report as JSON instead of text. */
  json?: boolean;
  /** Color table headers and borders. */
  color?: boolean;
  /** Children shown per prefix (default 10). */
  prefixRows?: number;
}

/** The report as text (or JSON), ending with a newline. */
export function renderMemoryReport(r: MemoryReport, opts: MemoryRenderOptions = {}): string {
  if (opts.json) return stringifyJson(r, 2) + '\n';
  const t = { color: opts.color ?? false };
  const tot = r.totals;
  const out: string[] = [];
  if (r.partial) {
    const what = r.input === 'aof' ? 'the dataset of the commands before it' : `bytes 0-${formatCount(Math.max(0, r.partial.readUpTo - 1))}, ${plural(r.partial.keys, 'complete key')}`;
    out.push(`PARTIAL:   the input is damaged (${errorAt(r.error)}): the figures cover ${what}`);
  }
  out.push(`File:      ${printableText(r.file)}${r.input === 'aof' ? ' (AOF, replayed: the dataset its commands produce)' : ''}`);
  const writer = r.serverVersion !== null ? `written by ${printableText(r.serverVersion)}` : 'no server version stated';
  const server = `${r.target.server === 'valkey' ? 'Valkey' : 'Redis'} ${r.target.version}`;
  out.push(`Target:    ${server} with ${r.target.allocator} (MEMORY USAGE after loading the file); ${writer}${r.rdbVersion > 0 ? `, RDB ${r.rdbVersion}` : ''}`);
  out.push(`Chosen:    ${r.targetReason}`);
  if (!r.targetReadsFile) out.push(`Note:      ${server} cannot load RDB ${r.rdbVersion}: the figures are for the same data held as it holds data`);
  out.push(`Keys:      ${formatCount(tot.keys)}; ${formatCount(tot.keysWithTtl)} with a TTL, ${formatCount(tot.expiredKeys)} already expired (${formatBytes(tot.expiredBytes)}, dropped by a primary on load)${r.filtered ? ' (filtered)' : ''}`);
  out.push('', 'Memory');
  const rows: [string, string][] = [
    ['keys (MEMORY USAGE, summed)', formatBytesExact(tot.keysBytes)],
    ['correction to real allocations', (tot.uncountedBytes >= 0 ? '+' : '-') + formatBytesExact(Math.abs(tot.uncountedBytes))],
    ['key and expiry tables', formatBytesExact(tot.overheadBytes)],
    ['server without keys', formatBytesExact(tot.startupBytes)],
    ...(tot.expiredBytes > 0 ? [['keys already expired (not loaded)', '-' + formatBytesExact(tot.expiredBytes)] as [string, string]] : []),
    ['estimated used_memory', formatBytesExact(tot.datasetBytes)],
  ];
  if (r.usedMemBytes !== null) {
    const diff = r.usedMemBytes > 0 ? ` (estimate ${tot.datasetBytes >= r.usedMemBytes ? '+' : ''}${(((tot.datasetBytes - r.usedMemBytes) / r.usedMemBytes) * 100).toFixed(1)}%)` : '';
    rows.push([`used-mem in the file`, formatBytesExact(r.usedMemBytes) + diff]);
  }
  out.push(renderTable([left('what'), right('bytes')], rows, t));

  if (r.databases.length > 0) {
    out.push('', 'By database');
    out.push(
      renderTable(
        [right('db'), right('keys'), right('with TTL'), right('memory'), right('share'), right('tables')],
        r.databases.map((d) => [String(d.db), formatCount(d.keys), formatCount(d.keysWithTtl), formatBytes(d.memoryBytes), formatPercent(d.memoryBytes, tot.keysBytes), formatBytes(d.overheadBytes)]),
        t,
      ),
    );
  }
  if (r.types.length > 0) {
    out.push('', 'By type');
    out.push(renderTable([left('type'), right('keys'), right('memory'), right('share')], r.types.map((x) => [x.valueType, formatCount(x.keys), formatBytes(x.memoryBytes), formatPercent(x.memoryBytes, tot.keysBytes)]), t));
    out.push('', 'By encoding after load');
    out.push(
      renderTable(
        [left('type'), left('encoding'), right('keys'), right('memory'), right('share')],
        r.encodings.map((x) => [x.valueType, x.encoding, formatCount(x.keys), formatBytes(x.memoryBytes), formatPercent(x.memoryBytes, tot.keysBytes)]),
        t,
      ),
    );
  }
  if (r.topKeys.length > 0) {
    out.push('', `Biggest keys by memory (top ${r.topKeys.length})`);
    out.push(
      renderTable(
        [right('#'), right('db'), left('key'), left('type'), left('encoding'), right('elements'), right('memory')],
        r.topKeys.map((k, i) => [String(i + 1), String(k.db), printable(k.key, { maxBytes: 50 }), k.valueType, k.encoding, formatCount(k.elements), formatBytes(k.memoryBytes)]),
        t,
      ),
    );
  }
  const p = r.prefixes;
  if (p.roots.length > 0) {
    out.push('', `Prefixes (separator ${printable(p.separator)}, depth ${p.depth}; all databases)`);
    const shown = opts.prefixRows ?? 10;
    const prefixRows: string[][] = [];
    const walk = (nodes: readonly PrefixStats[], indent: string): void => {
      for (const n of nodes.slice(0, shown)) {
        const approx = n.errorBytes > 0 ? '≤ ' : '';
        const big = n.biggestKey === null ? '' : `${printable(n.biggestKey.key, { maxBytes: 40 })} (${formatBytes(n.biggestKey.memoryBytes)})`;
        prefixRows.push([indent + printable(n.prefix, { maxBytes: 40 }), approx + formatCount(n.keys), approx + formatBytes(n.memoryBytes), formatPercent(n.memoryBytes, p.memoryBytes), big]);
        walk(n.children, indent + '  ');
      }
      if (nodes.length > shown) prefixRows.push([indent + `(${formatCount(nodes.length - shown)} more)`, '', '', '', '']);
    };
    walk(p.roots, '');
    if (p.unprefixedKeys > 0) prefixRows.push([`(no ${printable(p.separator)})`, formatCount(p.unprefixedKeys), formatBytes(p.unprefixedBytes), formatPercent(p.unprefixedBytes, p.memoryBytes), '']);
    out.push(renderTable([left('prefix'), right('keys'), right('memory'), right('share'), left('biggest key')], prefixRows, t));
    if (p.approximate) out.push(`(more prefixes than the ${formatCount(p.capacity)} kept per level: figures marked ≤ are upper bounds)`);
  }
  return out.join('\n') + '\n';
}

/** One key's NDJSON line (with its newline): `{"db","key","type","encoding","memoryBytes","elements","expireAtMs"}`. */
export function memoryRecordNdjson(k: KeyMemoryRecord): string {
  return `{"db":${k.db},"key":${jsonBytesText(k.key)},"type":"${k.valueType}","encoding":"${k.encoding}","memoryBytes":${k.memoryBytes},"elements":${k.elements},"expireAtMs":${k.expireAtMs === null ? 'null' : k.expireAtMs}}\n`;
}

/** The CSV header line. */
export const MEMORY_CSV_HEADER = 'db,key,type,encoding,memoryBytes,elements,expireAtMs\r\n';

/**
 * One key's CSV row (with its line end). The key is the export schema's string, or for bytes
 * that are not printable UTF-8 the JSON text `{"b64":"…"}`; fields are quoted as RFC 4180
 * says (commas, quotes, line breaks), and an expiry is empty when there is none.
 */
export function memoryRecordCsv(k: KeyMemoryRecord): string {
  const j = bytesToJson(k.key);
  const key = typeof j === 'string' ? j : `{"b64":"${j.b64}"}`;
  return `${k.db},${csvField(key)},${k.valueType},${k.encoding},${k.memoryBytes},${k.elements},${k.expireAtMs === null ? '' : k.expireAtMs}\r\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
