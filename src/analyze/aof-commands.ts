/**
 * Statistics over the commands of AOF files (FORMATS.md §5): counts and bytes by command name
 * and by database, MULTI blocks, annotations and `#TS:` timestamps, and the biggest commands.
 * An {@link AofHandler} fed by the RESP decoder; the file being read is set by the caller.
 *
 * Memory is bounded whatever the input: at most {@link MAX_COMMAND_NAMES} distinct names and
 * {@link MAX_DATABASES} databases are told apart (the rest is counted in an "other" bucket),
 * and the top-N list keeps copies of at most N commands' first bytes.
 */
import { copyBytes } from '../io/bytes.js';
import type { AofAnnotation, AofArgPart, AofCommand, AofHandler } from '../model/aof-events.js';
import { TopN } from './biggest-keys.js';

/** Distinct command names told apart; further names are counted under `name: null`. */
export const MAX_COMMAND_NAMES = 1000;
/** Names longer than this are not Redis commands: they are counted under `name: null`. */
export const MAX_COMMAND_NAME_BYTES = 64;
/** Databases told apart; commands of further databases are counted under `db: -1`. */
export const MAX_DATABASES = 1024;
/** Bytes of a command's first argument kept for the biggest-commands list. */
export const FIRST_ARG_PREVIEW_BYTES = 64;

/** Commands of one name. */
export interface CommandStats {
  /**
   * The command name, upper-cased (ASCII letters only; other bytes as written). Null for the
   * "other" bucket: names past the first {@link MAX_COMMAND_NAMES}, names longer than
   * {@link MAX_COMMAND_NAME_BYTES} bytes, and names delivered in parts.
   */
  name: Uint8Array | null;
  commands: number;
  /** Bytes the commands take in the files (from `*` to the last CRLF). */
  bytes: number;
}

/** Commands that ran in one database (SELECT counted in the database it switches away from). */
export interface DbCommandStats {
  /** The database, or -1 for databases past the first {@link MAX_DATABASES}. */
  db: number;
  commands: number;
  bytes: number;
  /** By name, most commands first. */
  byName: CommandStats[];
}

/** MULTI … EXEC blocks that were closed. */
export interface MultiStats {
  /** Blocks closed by EXEC. */
  blocks: number;
  /** Commands inside them (MULTI and EXEC excluded). */
  commandsInside: number;
  /** The block with the most commands (the first one on a tie), or null when there is none. */
  largest: { commands: number; file: string; offset: number } | null;
}

/** Where a `#TS:` annotation was found. */
export interface TimestampMark {
  /** Unix time, seconds. */
  sec: number;
  /** The same instant as an ISO-8601 UTC date, or null when out of the Date range. */
  iso: string | null;
  file: string;
  /** Absolute offset of the `#` in that file. */
  offset: number;
}

/** One of the biggest commands. */
export interface BigCommand {
  file: string;
  /** Absolute offset of the command's `*`. */
  offset: number;
  /** Physical line (1-based) of the `*` in the file's RESP section. */
  line: number;
  db: number;
  /** The upper-cased name, or null when it was delivered in parts or is too long. */
  name: Uint8Array | null;
  /** Number of arguments, the name included. */
  argc: number;
  /** Bytes the command takes in the file. */
  byteLength: number;
  /** The first bytes (up to {@link FIRST_ARG_PREVIEW_BYTES}) of argument 1, or null when there is none or it came in parts. */
  firstArg: Uint8Array | null;
  /** The length of argument 1 in bytes, or null when there is none. */
  firstArgBytes: number | null;
  inMulti: boolean;
}

/** Everything {@link AofCommandStats} counted. */
export interface AofCommandSummary {
  /** Complete commands (MULTI, EXEC and SELECT included). */
  commands: number;
  bytes: number;
  /** By name, most commands first. */
  byName: CommandStats[];
  /** By database, in database order. */
  databases: DbCommandStats[];
  multi: MultiStats;
  /** `#` annotation lines. */
  annotations: number;
  timestamps: { count: number; first: TimestampMark | null; last: TimestampMark | null };
  /** Biggest first, ties in file order. */
  biggestCommands: BigCommand[];
}

interface NameEntry {
  name: Uint8Array | null;
  commands: number;
  bytes: number;
}

class DbEntry {
  commands = 0;
  bytes = 0;
  /** Per name id. */
  readonly counts: number[] = [];
  readonly sizes: number[] = [];
  constructor(readonly db: number) {}

  add(id: number, bytes: number): void {
    this.commands++;
    this.bytes += bytes;
    while (this.counts.length <= id) {
      this.counts.push(0);
      this.sizes.push(0);
    }
    this.counts[id]++;
    this.sizes[id] += bytes;
  }
}

/** The id of the "other" name bucket. */
const OTHER = 0;

/** Most commands first, then most bytes, then name order (the "other" bucket last). */
function byCount(a: CommandStats, b: CommandStats): number {
  if (a.name === null || b.name === null) return a.name === null ? (b.name === null ? 0 : 1) : -1;
  return b.commands - a.commands || b.bytes - a.bytes || Buffer.compare(a.name, b.name);
}

/** `#TS` seconds as an ISO date, or null when the Date range cannot hold it. */
export function isoFromSec(sec: number): string | null {
  const d = new Date(sec * 1000);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Counts what the RESP decoder delivers. Set {@link AofCommandStats.file} before each file;
 * call {@link AofCommandStats.summary} at the end.
 */
export class AofCommandStats implements AofHandler {
  /** Name of the file being read (stamped on marks and the biggest commands). */
  file = '';
  private total = 0;
  private totalBytes = 0;
  private readonly names: NameEntry[] = [{ name: null, commands: 0, bytes: 0 }];
  private readonly ids = new Map<string, number>();
  private readonly dbs = new Map<number, DbEntry>();
  private lastDb: DbEntry | null = null;
  private readonly top: TopN<BigCommand>;
  private multiOffset = -1;
  private readonly multiStats: MultiStats = { blocks: 0, commandsInside: 0, largest: null };
  private annotationCount = 0;
  private tsCount = 0;
  private firstTs: TimestampMark | null = null;
  private lastTs: TimestampMark | null = null;
  /** Length of argument 1 of the command being read, when it comes in parts. */
  private partedFirst: { commandOffset: number; argBytes: number } | null = null;

  /** @param topCommands length of the biggest-commands list (default 10). */
  constructor(topCommands = 10) {
    this.top = new TopN<BigCommand>(topCommands);
  }

  command(c: AofCommand): void {
    const parted = c.partedArgs;
    const id = parted !== null && parted[0] === 0 ? OTHER : this.nameId(c.argv[0]);
    const n = c.byteLength;
    this.total++;
    this.totalBytes += n;
    const e = this.names[id];
    e.commands++;
    e.bytes += n;
    let d = this.lastDb;
    if (d === null || d.db !== c.db) d = this.lastDb = this.db(c.db);
    d.add(id, n);
    if (this.top.accepts(n)) this.top.push(n, this.big(c, id));
  }

  argPart(_part: Uint8Array, where: AofArgPart): void {
    if (where.argIndex === 1) this.partedFirst = { commandOffset: where.commandOffset, argBytes: where.argBytes };
  }

  annotation(a: AofAnnotation): void {
    this.annotationCount++;
    if (a.timestampSec === undefined) return;
    this.tsCount++;
    const mark: TimestampMark = { sec: a.timestampSec, iso: isoFromSec(a.timestampSec), file: this.file, offset: a.offset };
    this.firstTs ??= mark;
    this.lastTs = mark;
  }

  multi(offset: number): void {
    this.multiOffset = offset;
  }

  exec(_offset: number, _line: number, commands: number): void {
    const m = this.multiStats;
    m.blocks++;
    m.commandsInside += commands;
    if (m.largest === null || commands > m.largest.commands) m.largest = { commands, file: this.file, offset: this.multiOffset };
    this.multiOffset = -1;
  }

  /** Everything counted so far. */
  summary(): AofCommandSummary {
    const named = (id: number, commands: number, bytes: number): CommandStats => ({ name: this.names[id].name, commands, bytes });
    const byName = this.names.map((e, id) => named(id, e.commands, e.bytes)).filter((s) => s.commands > 0);
    const databases = [...this.dbs.values()]
      .sort((a, b) => (a.db === -1 ? 1 : b.db === -1 ? -1 : a.db - b.db))
      .map((d) => ({
        db: d.db,
        commands: d.commands,
        bytes: d.bytes,
        byName: d.counts.map((count, id) => named(id, count, d.sizes[id])).filter((s) => s.commands > 0).sort(byCount),
      }));
    return {
      commands: this.total,
      bytes: this.totalBytes,
      byName: byName.sort(byCount),
      databases,
      multi: { ...this.multiStats, largest: this.multiStats.largest && { ...this.multiStats.largest } },
      annotations: this.annotationCount,
      timestamps: { count: this.tsCount, first: this.firstTs, last: this.lastTs },
      biggestCommands: this.top.sorted(),
    };
  }

  /** The id of a command name (upper-cased), adding it while there is room. */
  private nameId(b: Uint8Array): number {
    const len = b.length;
    if (len > MAX_COMMAND_NAME_BYTES) return OTHER;
    let key = '';
    for (let i = 0; i < len; i++) {
      const c = b[i];
      key += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
    }
    const id = this.ids.get(key);
    if (id !== undefined) return id;
    if (this.names.length > MAX_COMMAND_NAMES) return OTHER;
    const next = this.names.length;
    this.names.push({ name: Uint8Array.from(key, (ch) => ch.charCodeAt(0)), commands: 0, bytes: 0 });
    this.ids.set(key, next);
    return next;
  }

  private db(n: number): DbEntry {
    let d = this.dbs.get(n);
    if (d) return d;
    if (this.dbs.size >= MAX_DATABASES) {
      d = this.dbs.get(-1);
      if (!d) this.dbs.set(-1, (d = new DbEntry(-1)));
      return d;
    }
    this.dbs.set(n, (d = new DbEntry(n)));
    return d;
  }

  private big(c: AofCommand, id: number): BigCommand {
    const argc = c.argc;
    const firstParted = c.partedArgs !== null && c.partedArgs.includes(1);
    let firstArg: Uint8Array | null = null;
    let firstArgBytes: number | null = null;
    if (argc > 1) {
      if (firstParted) {
        const p = this.partedFirst;
        firstArgBytes = p !== null && p.commandOffset === c.offset ? p.argBytes : null;
      } else {
        const a = c.argv[1];
        firstArg = copyBytes(a.subarray(0, FIRST_ARG_PREVIEW_BYTES));
        firstArgBytes = a.length;
      }
    }
    return {
      file: this.file,
      offset: c.offset,
      line: c.line,
      db: c.db,
      name: this.names[id].name,
      argc,
      byteLength: c.byteLength,
      firstArg,
      firstArgBytes,
      inMulti: c.inMulti,
    };
  }
}
