/**
 * The human form of the `inspect` report: a few short header lines, then one table per
 * section. Every byte string from the file goes through `printable`.
 */
import type { InspectReport } from '../../analyze/overview.js';
import type { BigKey } from '../../analyze/biggest-keys.js';
import { formatBytes, formatBytesExact, formatCount, formatDuration, formatPercent } from '../bytes.js';
import { printable, printableText } from '../printable.js';
import { leftColumn as left, renderTable, rightColumn as right } from '../table.js';

/** Options of {@link renderInspect}. */
export interface RenderOptions {
  /** Color table headers and borders. Default false. */
  color?: boolean;
}


function checksumLine(r: InspectReport): string {
  const c = r.checksum;
  switch (c.status) {
    case 'ok':
      return `ok (CRC-64 0x${c.stored})`;
    case 'mismatch':
      return `MISMATCH: stored 0x${c.stored}, computed 0x${c.computed}`;
    case 'disabled':
      return 'disabled (the writer stored 0: rdbchecksum no)';
    case 'absent':
      return r.rdbVersion < 5 ? `absent (RDB version ${r.rdbVersion} has no checksum)` : 'not checked';
  }
}

function serverLine(r: InspectReport): string {
  const s = r.server;
  const parts: string[] = [];
  if (s.version !== undefined) parts.push(`${s.versionField === 'valkey-ver' ? 'Valkey' : 'Redis'} ${printableText(s.version)}`);
  if (s.bits !== undefined) parts.push(`${s.bits}-bit`);
  if (s.createdAt !== undefined) parts.push(`written ${s.createdAt}`);
  if (s.usedMemBytes !== undefined) parts.push(`used-mem ${formatBytes(s.usedMemBytes)}`);
  if (s.aofBase !== undefined) parts.push(s.aofBase ? 'AOF base' : 'not an AOF base');
  return parts.length ? parts.join(', ') : '(no server AUX fields)';
}

function bigKeyRows(keys: readonly BigKey[]): string[][] {
  return keys.map((k, i) => [
    String(i + 1),
    String(k.db),
    printable(k.key, { maxBytes: 60 }),
    k.valueType,
    k.encoding,
    formatBytes(k.onDiskBytes),
    formatCount(k.elements),
  ]);
}

/** Renders an {@link InspectReport} as text for a terminal (ends with a newline). */
export function renderInspect(r: InspectReport, opts: RenderOptions = {}): string {
  const t = { color: opts.color ?? false };
  const out: string[] = [];
  const size = r.fileBytes !== undefined ? `, ${formatBytesExact(r.fileBytes)}` : '';
  out.push(`File:      ${printableText(r.file)}${size}`);
  out.push(`Format:    RDB version ${r.rdbVersion}, ${r.magic} magic (${r.dialect} dialect)`);
  out.push(`Server:    ${serverLine(r)}`);
  out.push(`Checksum:  ${checksumLine(r)}`);
  out.push(`Read:      ${formatCount(r.bytesRead)} bytes in ${formatDuration(r.elapsedMs)}`);
  if (r.trailingBytes > 0) out.push(`Trailing:  ${formatCount(r.trailingBytes)} bytes after the checksum (an AOF tail, or junk)`);
  const tot = r.totals;
  out.push(
    `Keys:      ${formatCount(tot.keys)} in ${r.databases.length} database(s); ${formatCount(tot.keysWithTtl)} with a TTL, ${formatCount(tot.expiredKeys)} already expired; ${formatBytes(tot.onDiskBytes)} of key records` +
      (r.filtered ? ' (filtered)' : ''),
  );

  if (r.aux.length > 0) {
    out.push('', 'AUX fields');
    out.push(renderTable([left('name'), left('value')], r.aux.map((a) => [printable(a.name), printable(a.value, { maxBytes: 80 })]), t));
  }

  if (r.databases.length > 0) {
    out.push('', 'Databases');
    out.push(
      renderTable(
        [right('db'), right('keys'), right('with TTL'), right('expired'), right('elements'), right('on disk')],
        r.databases.map((d) => [String(d.db), formatCount(d.keys), formatCount(d.keysWithTtl), formatCount(d.expiredKeys), formatCount(d.elements), formatBytes(d.onDiskBytes)]),
        t,
      ),
    );
    out.push('', 'Types');
    const typeRows: string[][] = [];
    for (const d of r.databases) {
      for (const ty of d.types) {
        typeRows.push([String(d.db), ty.valueType, formatCount(ty.keys), formatCount(ty.elements), formatBytes(ty.onDiskBytes), formatPercent(ty.onDiskBytes, d.onDiskBytes)]);
      }
    }
    out.push(renderTable([right('db'), left('type'), right('keys'), right('elements'), right('on disk'), right('share')], typeRows, t));
    out.push('', 'Encodings');
    const encRows: string[][] = [];
    for (const d of r.databases) {
      for (const e of d.encodings) {
        encRows.push([String(d.db), e.valueType, e.encoding, formatCount(e.keys), formatBytes(e.onDiskBytes), formatPercent(e.onDiskBytes, d.onDiskBytes)]);
      }
    }
    out.push(renderTable([right('db'), left('type'), left('encoding'), right('keys'), right('on disk'), right('share')], encRows, t));
  }

  if (r.functions.length > 0) {
    out.push('', 'Function libraries');
    out.push(
      renderTable(
        [left('library'), left('engine'), right('code bytes')],
        r.functions.map((f) => [f.name === null ? '(no name)' : printableText(f.name), f.engine === null ? '?' : printableText(f.engine), formatCount(f.codeBytes)]),
        t,
      ),
    );
  }

  if (r.modules.length > 0) {
    out.push('', 'Module types');
    out.push(
      renderTable(
        [left('module'), right('encver'), right('keys'), right('aux records')],
        r.modules.map((m) => [printableText(m.name), String(m.encver), formatCount(m.keys), formatCount(m.auxRecords)]),
        t,
      ),
    );
  }

  const cols = [right('#'), right('db'), left('key'), left('type'), left('encoding'), right('on disk'), right('elements')];
  if (r.biggestKeys.bySize.length > 0) {
    out.push('', `Biggest keys by on-disk size (top ${r.biggestKeys.bySize.length})`);
    out.push(renderTable(cols, bigKeyRows(r.biggestKeys.bySize), t));
    out.push('', `Biggest keys by element count (top ${r.biggestKeys.byElements.length})`);
    out.push(renderTable(cols, bigKeyRows(r.biggestKeys.byElements), t));
  }
  return out.join('\n') + '\n';
}
