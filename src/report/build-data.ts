/**
 * The page's data ({@link ReportData}) from the analyzers' reports: plain numbers and the
 * export schema's byte strings, nothing the page has to interpret beyond drawing it.
 */
import type { RdbtoolError } from '../errors.js';
import { bytesToJson } from '../format/json.js';
import type { InspectReport } from '../analyze/overview.js';
import type { AofInspectReport } from '../analyze/aof-overview.js';
import type { MemoryReport } from '../analyze/memory/memory-analyzer.js';
import type { PrefixStats } from '../analyze/memory/prefix-tree.js';
import type { InputScan } from '../pipeline/scan-input.js';
import type { RdbFigures } from './gather-rdb.js';
import type { AofFigures } from './gather-aof.js';
import {
  REPORT_DATA_VERSION,
  type ReportCommands,
  type ReportData,
  type ReportFile,
  type ReportFileEncodingRow,
  type ReportInput,
  type ReportPartial,
  type ReportPrefix,
  type ReportPrefixes,
  type ReportSummary,
} from './report-data.js';

/** Command names listed by name; the rest are summed in one row. */
export const COMMAND_NAMES_SHOWN = 15;

/** What the page says about its maker and the time. */
export interface ReportStamp {
  /** `name version` of the tool. */
  tool: string;
  generatedAtMs: number;
}

/** The page's data for an RDB file. */
export function rdbReportData(f: RdbFigures, stamp: ReportStamp): ReportData {
  const ov = f.overview;
  const status = f.error === null ? 'ok' : f.error.code === 'TRUNCATED' ? 'truncated' : 'corrupt';
  const input: ReportInput = {
    name: ov.file,
    form: 'rdb',
    bytes: ov.bytesRead,
    ...rdbFacts(ov),
    files: [{ name: ov.file, role: 'file', content: 'rdb', bytes: ov.bytesRead, status }],
  };
  const notes: string[] = [];
  if (ov.trailingBytes > 0) notes.push(`${ov.trailingBytes} bytes follow the RDB's checksum and were not read (a hybrid AOF? --replay replays its commands)`);
  const partial = f.error === null ? null : partialOf(f.error, ov.partial?.readUpTo ?? null, f.error.code === 'CHECKSUM_MISMATCH');
  return {
    ...common(f.memory, f.ttl, stamp, input, partial, notes),
    summary: summaryOf(f.memory, ov.totals.onDiskBytes),
    fileEncodings: fileEncodingsOf(ov),
    writes: null,
    commands: null,
  };
}

/** The page's data for an AOF input. */
export function aofReportData(f: AofFigures, stamp: ReportStamp): ReportData {
  const a = f.aof;
  const rdbPart = a.parts.find((p) => p.rdb !== null)?.rdb ?? null;
  const input: ReportInput = {
    name: a.input,
    form: a.form === 'multipart' ? 'multipart' : a.parts[0]?.content === 'hybrid' ? 'hybrid' : 'aof',
    bytes: a.bytesRead,
    ...(rdbPart ? rdbFacts(rdbPart) : { rdbVersion: null, serverVersion: null, createdAt: null, checksum: null }),
    files: filesOf(f.scan, a),
  };
  const partial = f.error === null ? null : partialOf(f.error, a.partial?.readUpTo ?? null, false, a.partial?.file ?? null);
  const notes = ['the figures are those of the dataset the commands produce once replayed'];
  return {
    ...common(f.memory, f.ttl, stamp, input, partial, notes),
    // The RDB part's used-mem is that of the server at the rewrite, not after the commands.
    summary: { ...summaryOf(f.memory, null), usedMemBytes: null },
    fileEncodings: null,
    writes: f.writes,
    commands: commandsOf(a),
  };
}

/** The facts an RDB (or an AOF's RDB part) states about itself. */
function rdbFacts(ov: InspectReport): Pick<ReportInput, 'rdbVersion' | 'serverVersion' | 'createdAt' | 'checksum'> {
  return {
    rdbVersion: ov.rdbVersion > 0 ? ov.rdbVersion : null,
    serverVersion: ov.server.version ?? null,
    createdAt: ov.server.createdAt ?? null,
    checksum: ov.rdbVersion > 0 ? ov.checksum.status : null,
  };
}

/** Keys and bytes per (type, encoding) as stored, over all databases, most bytes first. */
function fileEncodingsOf(ov: InspectReport): ReportFileEncodingRow[] {
  const rows = new Map<string, ReportFileEncodingRow>();
  for (const d of ov.databases) {
    for (const e of d.encodings) {
      const id = `${e.valueType}\0${e.encoding}`;
      let row = rows.get(id);
      if (row === undefined) rows.set(id, (row = { type: e.valueType, encoding: e.encoding, keys: 0, onDiskBytes: 0 }));
      row.keys += e.keys;
      row.onDiskBytes += e.onDiskBytes;
    }
  }
  return [...rows.values()].sort((a, b) => b.onDiskBytes - a.onDiskBytes || b.keys - a.keys);
}

/** An AOF's commands: the first names by count, the rest summed under a null name. */
function commandsOf(a: AofInspectReport): ReportCommands {
  const named = a.byName.filter((c) => c.name !== null);
  const shown = named.slice(0, COMMAND_NAMES_SHOWN);
  const rest = a.byName.filter((c) => !shown.includes(c));
  const byName: ReportCommands['byName'] = shown.map((c) => ({ name: bytesToJson(c.name!), commands: c.commands, bytes: c.bytes }));
  if (rest.length > 0) byName.push({ name: null, commands: rest.reduce((s, c) => s + c.commands, 0), bytes: rest.reduce((s, c) => s + c.bytes, 0) });
  return { commands: a.commands, bytes: a.bytes, byName, multiBlocks: a.multi.blocks, verdict: a.verdict.status };
}

/** The files of an AOF input, in load order (a file after a damaged one is `not read`). */
function filesOf(scan: InputScan, a: AofInspectReport): ReportFile[] {
  return a.parts.map((p, i) => {
    const f = scan.files[i];
    const notRead = f !== undefined && f.scan === null && !f.missing;
    return { name: p.name, role: p.role, content: notRead ? null : p.content, bytes: p.bytes, status: notRead ? 'not read' : p.status };
  });
}

function partialOf(e: RdbtoolError, readUpTo: number | null, complete: boolean, file: string | null = e.file ?? null): ReportPartial {
  return { code: e.code, message: e.message, file, readUpTo, complete };
}

function summaryOf(m: MemoryReport, onDiskBytes: number | null): ReportSummary {
  return {
    ...m.totals,
    usedMemBytes: m.usedMemBytes,
    onDiskBytes,
    target: `${m.target.server === 'valkey' ? 'Valkey' : 'Redis'} ${m.target.version}, ${m.target.allocator}`,
  };
}

/** The parts every input has, from the memory report. */
function common(m: MemoryReport, ttl: RdbFigures['ttl'], stamp: ReportStamp, input: ReportInput, partial: ReportPartial | null, notes: string[]) {
  const prefixes = prefixesOf(m.prefixes);
  if (prefixes.approximate) notes.push(`more distinct prefixes than the ${prefixes.capacity} kept per level: the smaller prefixes' figures are upper bounds`);
  return {
    version: REPORT_DATA_VERSION,
    tool: stamp.tool,
    generatedAtMs: stamp.generatedAtMs,
    nowMs: m.nowMs,
    input,
    partial,
    filtered: m.filtered,
    notes,
    byType: m.types.map((t) => ({ type: t.valueType, keys: t.keys, bytes: t.memoryBytes })),
    byDb: m.databases.map((d) => ({ db: d.db, keys: d.keys, keysWithTtl: d.keysWithTtl, bytes: d.memoryBytes, overheadBytes: d.overheadBytes })),
    encodings: m.encodings.map((e) => ({ type: e.valueType, encoding: e.encoding, keys: e.keys, bytes: e.memoryBytes })),
    prefixes,
    topKeys: m.topKeys.map((k) => ({ db: k.db, key: bytesToJson(k.key), type: k.valueType, encoding: k.encoding, bytes: k.memoryBytes, elements: k.elements, expireAtMs: k.expireAtMs })),
    ttl,
  } satisfies Partial<ReportData>;
}

/** The prefix tree in the page's form. */
function prefixesOf(p: MemoryReport['prefixes']): ReportPrefixes {
  const node = (s: PrefixStats): ReportPrefix => ({
    prefix: bytesToJson(s.prefix),
    keys: s.keys,
    bytes: s.memoryBytes,
    errorBytes: s.errorBytes,
    biggest: s.biggestKey === null ? null : { db: s.biggestKey.db, key: bytesToJson(s.biggestKey.key), bytes: s.biggestKey.memoryBytes },
    children: s.children.map(node),
  });
  return {
    separator: bytesToJson(p.separator),
    depth: p.depth,
    capacity: p.capacity,
    approximate: p.approximate,
    keys: p.keys,
    bytes: p.memoryBytes,
    unprefixedKeys: p.unprefixedKeys,
    unprefixedBytes: p.unprefixedBytes,
    roots: p.roots.map(node),
  };
}
