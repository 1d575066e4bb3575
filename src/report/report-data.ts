/**
 * What the HTML report page is built from: one plain, JSON-able object, gathered in bounded
 * memory (aggregates, the top keys and a bounded prefix tree, never every key). It goes into
 * the page as JSON and the page's script draws everything from it, so this type is the
 * contract between the gathering and the page.
 *
 * Every byte string from the input (keys, prefixes, command names, the separator) is in the
 * export schema's form (`JsonBytes`): a JSON string when the bytes are UTF-8 text without
 * control characters, otherwise `{ b64 }` of the raw bytes; the page shows the latter as such.
 */
import type { JsonBytes } from '../format/json.js';
import type { MemoryReport } from '../analyze/memory/memory-analyzer.js';

/** Version of this structure, for readers of a page's data. */
export const REPORT_DATA_VERSION = 1;

/** What kind of input the report is about. */
export type ReportForm = 'rdb' | 'aof' | 'hybrid' | 'multipart';

/** One file of the input (an AOF's files in load order; an RDB is one file). */
export interface ReportFile {
  name: string;
  /** `file`, or `base` / `incr` in a multi-part AOF. */
  role: string;
  /** What the file holds by content (`rdb`, `hybrid`, `aof`, `empty`), or null when not read. */
  content: string | null;
  bytes: number | null;
  /** `ok`, `empty`, `truncated`, `corrupt`, `missing`, or `not read` (after a damaged file). */
  status: string;
}

/** The input and what it says about itself. */
export interface ReportInput {
  /** The path as given (`-` for stdin). */
  name: string;
  form: ReportForm;
  /** Bytes read, all files together. */
  bytes: number;
  /** RDB version of the (first) RDB part, or null when there is none. */
  rdbVersion: number | null;
  /** `redis-ver` / `valkey-ver` of the server that wrote it, when stated. */
  serverVersion: string | null;
  /** `ctime` of the RDB part, ISO-8601, when stated. */
  createdAt: string | null;
  /** The RDB checksum's status (`ok`, `mismatch`, `disabled`, `absent`), or null without an RDB part. */
  checksum: string | null;
  files: ReportFile[];
}

/** Set when the input is damaged: the figures cover what came before the damage. */
export interface ReportPartial {
  /** The stable error code (`TRUNCATED`, `CHECKSUM_MISMATCH`, …). */
  code: string;
  /** The error's message (file, offset, what was expected). */
  message: string;
  /** The file the damage is in. */
  file: string | null;
  /** Everything before this offset of that file was counted (null when not known). */
  readUpTo: number | null;
  /** True when the figures are whole anyway (a checksum mismatch: every key was read). */
  complete: boolean;
}

/** Totals over the keys counted: the memory estimate's (see `MemoryReport.totals`), and what the page adds. */
export interface ReportSummary extends MemoryTotals {
  /** `used-mem` of the server that wrote the file, when stated. */
  usedMemBytes: number | null;
  /** Bytes the keys' records take in the file (RDB inputs), or null. */
  onDiskBytes: number | null;
  /** The server and allocator the estimate is for, in words. */
  target: string;
}

type MemoryTotals = MemoryReport['totals'];

/** Keys and memory of one value type. */
export interface ReportTypeRow {
  type: string;
  keys: number;
  bytes: number;
}

/** Keys and memory of one database. */
export interface ReportDbRow {
  db: number;
  keys: number;
  keysWithTtl: number;
  bytes: number;
  overheadBytes: number;
}

/** Keys and memory of one (type, encoding) pair: the encoding a server gives the value once loaded. */
export interface ReportEncodingRow {
  type: string;
  encoding: string;
  keys: number;
  bytes: number;
}

/** Keys and bytes of one (type, encoding) pair as stored in the file. */
export interface ReportFileEncodingRow {
  type: string;
  encoding: string;
  keys: number;
  onDiskBytes: number;
}

/** One prefix of the tree. */
export interface ReportPrefix {
  /** The whole prefix, separator included. */
  prefix: JsonBytes;
  keys: number;
  bytes: number;
  /** How much of `bytes` may belong to other prefixes (0: exact; see the prefix tree's bound). */
  errorBytes: number;
  /** The biggest key seen under it. */
  biggest: { db: number; key: JsonBytes; bytes: number } | null;
  /** Prefixes one level down, most memory first. */
  children: ReportPrefix[];
}

/** Memory by key prefix. */
export interface ReportPrefixes {
  separator: JsonBytes;
  depth: number;
  /** Prefixes kept per level. */
  capacity: number;
  /** True when some level's table was full (the figures of some prefixes are upper bounds). */
  approximate: boolean;
  keys: number;
  bytes: number;
  /** Keys without the separator. */
  unprefixedKeys: number;
  unprefixedBytes: number;
  roots: ReportPrefix[];
}

/** One of the biggest keys by memory. */
export interface ReportKey {
  db: number;
  key: JsonBytes;
  type: string;
  encoding: string;
  bytes: number;
  elements: number;
  expireAtMs: number | null;
}

/** Ids of the TTL buckets, in display order. */
export const TTL_BUCKET_IDS = ['expired', 'hour', 'day', 'week', 'later', 'never'] as const;
export type TtlBucketId = (typeof TTL_BUCKET_IDS)[number];

/** Keys (and their memory) whose expiry falls in one span from the report's `nowMs`. */
export interface ReportTtlBucket {
  id: TtlBucketId;
  keys: number;
  bytes: number;
}

/** Commands per span of time, from an AOF's `#TS:` annotations. */
export interface ReportWrites {
  /** Width of a bucket, seconds. */
  bucketSec: number;
  /** Buckets with commands, oldest first: `t` is the bucket's start (Unix seconds). */
  buckets: { t: number; commands: number; bytes: number }[];
  /** Commands before any `#TS:` annotation of their file (not placed in time). */
  untimed: { commands: number; bytes: number };
  /** `#TS:` annotations read. */
  timestamps: number;
}

/** An AOF's commands. */
export interface ReportCommands {
  commands: number;
  bytes: number;
  /** By name, most commands first (the rest summed in a `null` name). */
  byName: { name: JsonBytes | null; commands: number; bytes: number }[];
  multiBlocks: number;
  /** The input's verdict (`ok`, `empty`, `truncated`, `corrupt`, `missing`). */
  verdict: string;
}

/** Everything the page shows. */
export interface ReportData {
  version: typeof REPORT_DATA_VERSION;
  /** The tool that made the report, as `name version`. */
  tool: string;
  /** When the report was made (Unix ms). */
  generatedAtMs: number;
  /** The instant expiries were compared with (Unix ms). */
  nowMs: number;
  input: ReportInput;
  partial: ReportPartial | null;
  /** True when key filters left keys out. */
  filtered: boolean;
  /** Remarks on how to read the figures. */
  notes: string[];
  summary: ReportSummary;
  byType: ReportTypeRow[];
  byDb: ReportDbRow[];
  encodings: ReportEncodingRow[];
  /** As stored in the file (RDB inputs); null for an AOF, whose dataset has only load encodings. */
  fileEncodings: ReportFileEncodingRow[] | null;
  prefixes: ReportPrefixes;
  topKeys: ReportKey[];
  ttl: ReportTtlBucket[];
  /** AOF inputs: writes over time; null otherwise. */
  writes: ReportWrites | null;
  /** AOF inputs: the commands; null otherwise. */
  commands: ReportCommands | null;
}
