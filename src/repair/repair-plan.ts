/**
 * What `repair` would do to an input, decided without touching it (FORMATS.md §5.7–§5.8).
 *
 * The rule is redis-check-aof's, so the bytes left are the ones `redis-check-aof --fix`
 * leaves: the damaged file is cut at its `okUpTo`, the end of the last complete command or
 * annotation outside MULTI. An unterminated MULTI is therefore dropped whole; a format error
 * in the middle of a file loses everything after it too (the tool does the same — the plan
 * says how many bytes were never read). Only the last file in load order may be cut: damage
 * in an earlier file of a multi-part set, in an RDB part (a hybrid preamble or an RDB base)
 * or a missing file is refused, as Redis refuses to load such a set.
 *
 * With `toTimestampSec` the plan is redis-check-aof's `--truncate-to-timestamp`: cut at the
 * first `#TS:` annotation whose value is greater than T, read the way the tool reads it
 * (C `strtol`, the line must end with CRLF). Refused, as the tool refuses, when that
 * annotation is at offset 0, is in a file that is not the last one, when a malformed `#TS:`
 * line comes first, or when damage comes before it. One deliberate difference: the tool cuts
 * at such an annotation even inside a MULTI block, leaving a MULTI without EXEC; here the cut
 * moves back to the MULTI, which is what Redis itself keeps when it loads that file (and what
 * `redis-check-aof --fix` makes of the tool's result).
 *
 * Two refusals go further than the tool, because its cut can destroy what was never an AOF:
 * a file that is not a Redis persistence file at all is never cut, and a cut that would keep
 * no command of a file in which not one complete command was read needs `allowEmptyResult`
 * (redis-check-aof cuts a PNG or a text file to 0 bytes, and a Markdown file to its title). And a cut in place never writes
 * through a symbolic link that leaves the AOF directory (or, for a single file, the directory
 * the link is in) unless `followSymlinks` says so: a backup archive from another machine can
 * point a part at any file the user can write.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { resolveInput, type PartLink, type PartRef } from '../pipeline/detect.js';
import { scanInput, type InputHandlers } from '../pipeline/scan-input.js';
import type { FileContent, FileProblem, FileScan, FileStatus } from '../pipeline/scan-file.js';
import type { ScanProgress } from '../pipeline/scan.js';
import type { AofAnnotation } from '../model/aof-events.js';
import { fileIdentity, sameVersion, type FileIdentity } from '../io/atomic-write.js';
import { InputError, UsageError } from '../errors.js';
import type { Limits } from '../limits.js';

/** Options of {@link planRepair}. */
export interface RepairPlanOptions {
  /**
   * Point-in-time mode: cut at the first `#TS:` annotation whose value is greater than this
   * Unix time in seconds (a positive integer), like `redis-check-aof --truncate-to-timestamp`.
   */
  toTimestampSec?: number;
  /** Refuse a plan that would cut more than this many bytes (default: no limit). */
  maxLossBytes?: number;
  /**
   * Allow a cut of a plain AOF file in which not one complete command was read, which keeps
   * no command of it (0 bytes, or annotations only). Default false: such a file may not be an
   * AOF at all. A file that is neither an RDB nor an AOF is never cut.
   */
  allowEmptyResult?: boolean;
  /**
   * Allow a cut in place through a symbolic link that leaves the AOF directory (for a single
   * file: the directory the link is in). The file the link points to is then cut, and backed
   * up beside it; the link stays a link. Default false.
   */
  followSymlinks?: boolean;
  /**
   * Where {@link applyRepair} will write a repaired copy (as its `output`): the input is then
   * only read, so links are not written through. Undefined: the repair is in place.
   */
  output?: string;
  /** Decoder limits (a declared size over a limit is refused, not cut). */
  limits?: Partial<Limits>;
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
}

/** `none`: nothing to cut; `truncate`: cut one file; `refuse`: damage that must not be cut away. */
export type RepairAction = 'none' | 'truncate' | 'refuse';

/** Why a plan was refused. */
export type RepairRefusal =
  /** The RDB part (a hybrid file's preamble, an RDB base, an RDB file) is damaged: cutting cannot save it. */
  | 'rdb-damaged'
  /** Damage in a file that is not the last one of a multi-part set: Redis only ever cuts the last. */
  | 'not-last-file'
  /** The manifest lists a file that does not exist. */
  | 'missing-file'
  /** A size declared in the file is over a decoder limit: raise the limit to read on. */
  | 'limit'
  /** The cut would lose more than `maxLossBytes`. */
  | 'max-loss'
  /** The first `#TS:` after T is at offset 0: nothing would be left. */
  | 'nothing-before-timestamp'
  /** The first `#TS:` after T is in a file that is not the last one of a multi-part set. */
  | 'timestamp-not-last-file'
  /** Damage comes before the first `#TS:` after T. */
  | 'damaged-before-timestamp'
  /** A `#TS:` annotation that redis-check-aof cannot read comes before the cut. */
  | 'invalid-timestamp'
  /** The file is not a Redis persistence file at all (neither an RDB nor an AOF): never cut. */
  | 'not-persistence-file'
  /** The cut would keep no command of a plain AOF file in which not one complete command was read (see `allowEmptyResult`). */
  | 'empty-result'
  /** The file to cut in place is a symbolic link leading out of its directory (see `followSymlinks`). */
  | 'link-leaves-directory';

/** One `#TS:` annotation. */
export interface RepairTimestamp {
  /** The file holding it (its name as shown). */
  file: string;
  /** Absolute offset of its `#`. */
  offset: number;
  /** Its value, Unix seconds. */
  sec: number;
}

/** The damage a plan is about, located. */
export interface RepairDamage extends FileProblem {
  /** The file holding it. */
  file: string;
}

/** The file a plan cuts. */
export interface RepairTarget {
  /** The name shown (the path as given, or `dir/name` for a part). */
  name: string;
  /** The path to open (bytes when the manifest names a file that is not UTF-8). */
  path: string | Buffer;
  /** `file`, or `base` / `incr` in a multi-part set. */
  role: PartRef['role'];
  /** Index in load order. */
  index: number;
  /** Its size when planned. */
  bytes: number;
  /** Set when it is a symbolic link: where it points (the file a cut in place writes). */
  link: PartLink | null;
}

/** One input file as the plan saw it. */
export interface RepairFileInfo {
  name: string;
  role: PartRef['role'];
  /** Manifest sequence number (multi-part only), as a decimal string. */
  seq: string | null;
  /** Size in bytes; null when missing. */
  bytes: number | null;
  /** What it holds; null when missing. */
  content: FileContent | null;
  status: FileStatus | 'missing';
  /** Where redis-check-aof would cut it; null when missing. */
  okUpTo: number | null;
  last: boolean;
  /** Set when the name is a symbolic link: its text, the file it resolves to, and whether that leaves the directory. */
  link: PartLink | null;
}

/** What {@link planRepair} decided. Plain data (`target.path` may be a Buffer; `internal` is hidden). */
export interface RepairPlan {
  /** The path as given. */
  input: string;
  /** One file, or a multi-part set (manifest + files). */
  form: 'file' | 'multipart';
  /** The manifest's path (multi-part only). */
  manifestPath: string | null;
  /** `fix` (cut the damage, like `--fix`) or `timestamp` (like `--truncate-to-timestamp`). */
  mode: 'fix' | 'timestamp';
  toTimestampSec: number | null;
  /** Where a repaired copy goes (`output` option); null for a repair in place. */
  output: string | null;
  /** The `allowEmptyResult` option as planned. */
  allowEmptyResult: boolean;
  /** The `followSymlinks` option as planned. */
  followSymlinks: boolean;
  action: RepairAction;
  refusal: RepairRefusal | null;
  /** The decision in one sentence. */
  reason: string;
  /** The first damage found (in load order), or null. */
  damage: RepairDamage | null;
  /** The file to cut (also kept for a `max-loss` refusal, to show what the cut would be). */
  target: RepairTarget | null;
  /** Bytes of the target kept: the new size. Null when nothing is cut. */
  cutOffset: number | null;
  /** Bytes removed from the target. */
  bytesLost: number;
  /** Commands lost: complete ones plus the incomplete one, if any. */
  commandsLost: number;
  /** Complete commands after the cut (MULTI/EXEC and the commands of an open MULTI included). */
  completeCommandsLost: number;
  /** True when a partly written (or damaged) command is cut away. */
  incompleteCommandLost: boolean;
  /** Bytes after a format error that were never decoded (they may hold more commands). */
  unreadBytesLost: number;
  /** The last `#TS:` annotation kept (in any file), or null. */
  lastKeptTimestamp: RepairTimestamp | null;
  /** The first `#TS:` annotation cut away, when one was read, or null. */
  firstLostTimestamp: RepairTimestamp | null;
  /** False when the cut differs from what redis-check-aof would leave (see `notes`). */
  matchesRedisCheckAof: boolean;
  /** Things the user should know (lost bytes never read, a cut to 0 bytes, …). */
  notes: string[];
  /** Every file in load order. */
  files: RepairFileInfo[];
  /** What applying the plan needs; not enumerable, so not part of `JSON.stringify(plan)`. */
  readonly internal: RepairInternal;
}

/** Bookkeeping that {@link applyRepair} needs. */
export interface RepairInternal {
  /** Every file in load order, with its identity when planned (null when missing). */
  parts: { ref: PartRef; identity: FileIdentity | null }[];
  /** The manifest's identity (multi-part only). */
  manifestIdentity: FileIdentity | null;
  limits?: Partial<Limits>;
}

/** `#TS:` in ASCII. */
const TS_PREFIX = [0x23, 0x54, 0x53, 0x3a];
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Reads a `#TS:` annotation the way redis-check-aof does: C `strtol` (base 10) on the text
 * after `#TS:`, which must stop at the line's `\r` (so the line must end with CRLF, and an
 * empty number reads as 0). Returns `null` for other annotations, `'invalid'` when the tool
 * would stop with "Invalid timestamp annotation".
 */
export function readTimestampAnnotation(a: Pick<AofAnnotation, 'raw' | 'byteLength' | 'terminated'>): bigint | 'invalid' | null {
  const raw = a.raw;
  for (let i = 0; i < TS_PREFIX.length; i++) if (raw[i] !== TS_PREFIX[i]) return null;
  const crlf = a.terminated && a.byteLength === raw.length + 2;
  if (!crlf) return 'invalid';
  const n = raw.length;
  let i = 4;
  while (i < n && (raw[i] === 0x20 || (raw[i] >= 0x09 && raw[i] <= 0x0d))) i++;
  let negative = false;
  if (i < n && (raw[i] === 0x2b || raw[i] === 0x2d)) negative = raw[i++] === 0x2d;
  const digitsStart = i;
  let v = 0n;
  for (; i < n && raw[i] >= 0x30 && raw[i] <= 0x39; i++) v = v * 10n + BigInt(raw[i] - 0x30);
  // No digits: strtol leaves the end pointer at the start, valid only when nothing follows.
  if (i === digitsStart) return n === 4 ? 0n : 'invalid';
  if (i !== n) return 'invalid';
  v = negative ? -v : v;
  return v > INT64_MAX || v < INT64_MIN ? 'invalid' : v;
}

/** Per-file facts gathered from the handlers. */
interface FileFacts {
  /** End of the last complete unit (command or annotation), or null when none was read. */
  lastUnitEnd: number | null;
  /** Complete commands read (inside MULTI or not). */
  commands: number;
}

/** Follows `#TS:` annotations across files, keeping apart the ones inside an open MULTI. */
class TimestampTracker {
  /** The last annotation outside MULTI, or in a MULTI that was closed: kept by any cut from here. */
  kept: RepairTimestamp | null = null;
  inMulti = false;
  multiOffset = -1;
  /** Commands of the open MULTI, the MULTI itself included. */
  commandsInMulti = 0;
  /** Annotations inside the open MULTI: lost if it never closes. */
  firstInMulti: RepairTimestamp | null = null;
  lastInMulti: RepairTimestamp | null = null;

  fileStart(): void {
    this.inMulti = false;
    this.firstInMulti = this.lastInMulti = null;
  }
  multi(offset: number): void {
    this.inMulti = true;
    this.multiOffset = offset;
    this.commandsInMulti = 1;
    this.firstInMulti = this.lastInMulti = null;
  }
  exec(): void {
    if (this.lastInMulti) this.kept = this.lastInMulti;
    this.inMulti = false;
    this.firstInMulti = this.lastInMulti = null;
  }
  timestamp(ts: RepairTimestamp): void {
    if (!this.inMulti) {
      this.kept = ts;
      return;
    }
    this.firstInMulti ??= ts;
    this.lastInMulti = ts;
  }
}

/** Where the first `#TS:` after T was found. */
interface TimestampCut {
  fileIndex: number;
  /** The cut: the annotation's offset, or the open MULTI's when it is inside one. */
  offset: number;
  annotation: RepairTimestamp;
  insideMulti: boolean;
  lastKept: RepairTimestamp | null;
  firstLost: RepairTimestamp;
  /** Complete commands at or after the cut (grows while the rest of the file is read). */
  commandsAfter: number;
}

/**
 * Reads the whole input (as `check` would) and decides what `repair` does. Touches nothing.
 * @throws UsageError for stdin or a bad `toTimestampSec`; InputError when the input cannot be
 *   read or changes while it is read; ManifestError for a manifest Redis would refuse.
 */
export async function planRepair(given: string, opts: RepairPlanOptions = {}): Promise<RepairPlan> {
  if (given === '-') throw new UsageError('repair needs a file, a directory or a manifest: stdin cannot be repaired (save it to a file first)');
  const T = opts.toTimestampSec;
  if (T !== undefined && (!Number.isSafeInteger(T) || T < 1)) {
    throw new UsageError(`invalid timestamp ${T}: expected Unix seconds, an integer >= 1`);
  }
  if (opts.maxLossBytes !== undefined && (!Number.isSafeInteger(opts.maxLossBytes) || opts.maxLossBytes < 0)) {
    throw new UsageError(`invalid maxLossBytes ${opts.maxLossBytes}: expected an integer >= 0`);
  }
  const input = await resolveInput(given);
  // A single file named through a link gets the same care as a part that is one.
  if (input.form === 'file' && input.parts[0].link === undefined) {
    const link = await singleFileLink(given);
    if (link) input.parts[0].link = link;
  }
  const manifestIdentity = input.manifestPath ? await fileIdentity(input.manifestPath) : null;
  const parts: RepairInternal['parts'] = [];
  for (const ref of input.parts) parts.push({ ref, identity: ref.size === null ? null : await fileIdentity(ref.path) });

  const facts: FileFacts[] = input.parts.map(() => ({ lastUnitEnd: null, commands: 0 }));
  const ts = new TimestampTracker();
  let fileIndex = 0;
  let cut: TimestampCut | null = null;
  let invalidTs: { fileIndex: number; offset: number; text: string } | null = null;
  const tsMode = T !== undefined;
  const bigT = tsMode ? BigInt(T) : 0n;

  const unitEnd = (end: number) => {
    const f = facts[fileIndex];
    if (f.lastUnitEnd === null || end > f.lastUnitEnd) f.lastUnitEnd = end;
  };
  const handlers: InputHandlers = {
    fileStart: (_part, index) => {
      fileIndex = index;
      ts.fileStart();
    },
    aof: {
      command: (c) => {
        unitEnd(c.offset + c.byteLength);
        facts[fileIndex].commands++;
        if (ts.inMulti) ts.commandsInMulti++;
        if (cut !== null && cut.fileIndex === fileIndex) cut.commandsAfter++;
      },
      multi: (offset) => {
        if (cut === null) ts.multi(offset);
      },
      exec: () => {
        if (cut === null) ts.exec();
      },
      annotation: (a) => {
        unitEnd(a.offset + a.byteLength);
        if (cut !== null || invalidTs !== null) return;
        const v = readTimestampAnnotation(a);
        if (v === null) return;
        const name = input.parts[fileIndex].name;
        if (v === 'invalid') {
          // Only point-in-time mode reads the value (and stops on a bad one, as the tool does).
          if (tsMode) invalidTs = { fileIndex, offset: a.offset, text: a.text };
          return;
        }
        const stamp: RepairTimestamp = { file: name, offset: a.offset, sec: Number(v) };
        if (tsMode && v > bigT) {
          const inside = ts.inMulti;
          cut = {
            fileIndex,
            offset: inside ? ts.multiOffset : a.offset,
            annotation: stamp,
            insideMulti: inside,
            lastKept: ts.kept,
            firstLost: inside ? (ts.firstInMulti ?? stamp) : stamp,
            commandsAfter: inside ? ts.commandsInMulti : 0,
          };
          return;
        }
        ts.timestamp(stamp);
      },
    },
  };

  const scanned = await scanInput(input, handlers, { keepArgs: 0, limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal });
  // A file that changed while it was read gives a plan about bytes that are gone.
  for (let i = 0; i < scanned.files.length; i++) {
    const f = scanned.files[i];
    const id = parts[i].identity;
    if (f.scan && id && (f.scan.bytes !== id.size || !sameVersion(id, await fileIdentity(f.part.path)))) {
      throw new InputError('the file changed while it was read: is a server still writing to it? Stop it (or copy the files) and retry', {
        file: f.part.name,
        expected: `${id.size} bytes, unchanged`,
        found: `${f.scan.bytes} bytes read`,
      });
    }
  }

  const plan: RepairPlan = {
    input: given,
    form: input.form,
    manifestPath: input.manifestPath ?? null,
    mode: tsMode ? 'timestamp' : 'fix',
    toTimestampSec: T ?? null,
    output: opts.output ?? null,
    allowEmptyResult: opts.allowEmptyResult === true,
    followSymlinks: opts.followSymlinks === true,
    action: 'none',
    refusal: null,
    reason: '',
    damage: null,
    target: null,
    cutOffset: null,
    bytesLost: 0,
    commandsLost: 0,
    completeCommandsLost: 0,
    incompleteCommandLost: false,
    unreadBytesLost: 0,
    lastKeptTimestamp: ts.kept,
    firstLostTimestamp: null,
    matchesRedisCheckAof: true,
    notes: [],
    files: scanned.files.map((f) => fileInfo(f.part, f.scan)),
    internal: undefined as unknown as RepairInternal,
  };
  // Not enumerable: JSON.stringify(plan) and object spreads leave it out (it holds bigints).
  Object.defineProperty(plan, 'internal', { value: { parts, manifestIdentity, limits: opts.limits } satisfies RepairInternal, enumerable: false });

  const refuse = (refusal: RepairRefusal, reason: string) => refusePlan(plan, refusal, reason);
  const damageOf = (i: number): RepairDamage | null => {
    const s = scanned.files[i].scan;
    return s?.problem ? { file: scanned.files[i].part.name, ...s.problem } : null;
  };
  const refuseDamage = (i: number, inTsMode: boolean): RepairPlan | null => {
    const f = scanned.files[i];
    if (f.missing) {
      plan.damage = { file: f.part.name, ...f.problem! };
      return refuse('missing-file', `${f.part.name} is listed in the manifest but missing: Redis cannot load the set, and cutting cannot bring the file back`);
    }
    const d = damageOf(i);
    if (d === null) return null;
    plan.damage = d;
    if (d.code === 'NOT_PERSISTENCE_FILE') {
      return refuse(
        'not-persistence-file',
        `${f.part.name}: ${d.reason}${d.found ? ` (${d.found})` : ''}; repair only cuts a damaged AOF, and leaves this file as it is`,
      );
    }
    if (d.section === 'rdb') {
      return refuse('rdb-damaged', `${f.part.name}: the RDB part is damaged (${describeDamage(d)}); cutting the file cannot repair an RDB, and redis-check-aof refuses too`);
    }
    if (d.code === 'LIMIT_EXCEEDED') {
      return refuse('limit', `${f.part.name}: ${describeDamage(d)}; raise the limit to read further instead of cutting here`);
    }
    if (inTsMode) {
      return refuse(
        'damaged-before-timestamp',
        `${f.part.name}: ${describeDamage(d)}, before any #TS annotation after ${T}; redis-check-aof refuses this too. Repair the damage first (without --truncate-to-timestamp)`,
      );
    }
    if (!f.part.last) {
      return refuse(
        'not-last-file',
        `${f.part.name}: ${describeDamage(d)}; only the last file of a multi-part AOF may be cut (Redis and redis-check-aof refuse the same): restore this file from a backup`,
      );
    }
    return null;
  };

  if (!tsMode) {
    for (let i = 0; i < scanned.files.length; i++) {
      const refused = refuseDamage(i, false);
      if (refused) return refused;
      const s = scanned.files[i].scan;
      if (s?.problem) {
        truncateAt(plan, scanned.files[i].part, i, s, s.okUpTo, facts[i], null);
        // Annotations inside the MULTI left open are cut with it.
        if (s.aof?.pendingMulti) plan.firstLostTimestamp = ts.firstInMulti;
        // A plain RESP file without one complete command: the cut would keep no command of a
        // file that may be anything that starts with '*' or '#' (a Markdown heading, say).
        if (s.respOffset === 0 && facts[i].commands === 0 && !plan.allowEmptyResult) {
          const kept = plan.cutOffset === 0 ? 'nothing would be left of it' : `only its first ${plan.cutOffset} bytes (annotations) would be left`;
          return refuse(
            'empty-result',
            `${scanned.files[i].part.name}: ${describeDamage(s.problem)}, and not one complete command comes before it: ${kept}, and it may not be an AOF at all. ` +
              'If it is one (its first command was cut short, say), pass --allow-empty-result',
          );
        }
        return guardWrite(plan, opts);
      }
    }
    plan.reason = input.form === 'multipart' ? 'every file checks clean: nothing to repair' : 'the file checks clean: nothing to repair';
    return plan;
  }

  const c = cut as TimestampCut | null;
  const bad = invalidTs as { fileIndex: number; offset: number; text: string } | null;
  for (let i = 0; i < scanned.files.length; i++) {
    const name = scanned.files[i].part.name;
    if (bad && bad.fileIndex === i) {
      plan.damage = { file: name, code: 'RESP_SYNTAX', section: 'aof', reason: 'invalid timestamp annotation', offset: bad.offset, found: JSON.stringify(bad.text) };
      return refuse('invalid-timestamp', `${name}: the annotation at byte ${bad.offset} (${JSON.stringify(bad.text)}) is not a timestamp redis-check-aof can read; it refuses too`);
    }
    if (c && c.fileIndex === i) {
      plan.lastKeptTimestamp = c.lastKept;
      plan.firstLostTimestamp = c.firstLost;
      if (c.offset === 0) {
        return refuse('nothing-before-timestamp', `${name} has nothing before timestamp ${T} (its first #TS after ${T} is at byte 0); redis-check-aof refuses too`);
      }
      if (!scanned.files[i].part.last) {
        return refuse(
          'timestamp-not-last-file',
          `${name}: the first #TS after ${T} (at byte ${c.offset}) is not in the last file; only the last file may be cut. Remove the later files from the manifest first (redis-check-aof refuses too)`,
        );
      }
      if (c.insideMulti) {
        plan.matchesRedisCheckAof = false;
        plan.notes.push(
          `the #TS annotation at byte ${c.annotation.offset} is inside a MULTI block: the cut moves back to the MULTI at byte ${c.offset}. ` +
            'redis-check-aof would cut at the annotation and leave a MULTI without EXEC, which Redis drops when it loads the file',
        );
      }
      const s = scanned.files[i].scan!;
      truncateAt(plan, scanned.files[i].part, i, s, c.offset, facts[i], c);
      return guardWrite(plan, opts);
    }
    const refused = refuseDamage(i, true);
    if (refused) return refused;
  }
  plan.reason = `no #TS annotation after ${T}: nothing to truncate`;
  return plan;
}

/** Fills in a `truncate` plan for file `index` cut at `cutOffset`. */
function truncateAt(
  plan: RepairPlan,
  part: PartRef,
  index: number,
  scan: FileScan,
  cutOffset: number,
  facts: FileFacts,
  tsCut: TimestampCut | null,
): RepairPlan {
  const p = scan.problem;
  const v = scan.aof;
  plan.action = 'truncate';
  plan.target = { name: part.name, path: part.path, role: part.role, index, bytes: scan.bytes, link: part.link ?? null };
  plan.cutOffset = cutOffset;
  plan.bytesLost = scan.bytes - cutOffset;
  plan.damage = p ? { file: part.name, ...p } : null;
  if (p) {
    // The bytes between the last complete unit and the problem are a command begun but not finished.
    const unitEnd = facts.lastUnitEnd ?? scan.respOffset ?? 0;
    plan.incompleteCommandLost = p.offset > unitEnd;
    plan.unreadBytesLost = p.code === 'TRUNCATED' ? 0 : scan.bytes - p.offset;
  }
  if (tsCut) {
    plan.completeCommandsLost = tsCut.commandsAfter;
    plan.reason = `${part.name}: the first #TS annotation after ${plan.toTimestampSec} is #TS:${tsCut.annotation.sec} at byte ${tsCut.annotation.offset}; everything from byte ${cutOffset} on is cut`;
  } else {
    plan.completeCommandsLost = v ? v.commands - v.okCommands : 0;
    plan.reason = `${part.name}: ${describeDamage(plan.damage!)}; cut after the last complete command outside MULTI, at byte ${cutOffset}`;
  }
  plan.commandsLost = plan.completeCommandsLost + (plan.incompleteCommandLost ? 1 : 0);
  if (p && !tsCut && p.code !== 'TRUNCATED' && plan.unreadBytesLost > 0) {
    plan.notes.push(
      `the damage at byte ${p.offset} is not at the end: the ${plan.unreadBytesLost} byte(s) after it were not read and are cut too ` +
        '(they may hold intact commands; redis-check-aof --fix cuts the same way). Keep the backup if you want to salvage them',
    );
  }
  if (cutOffset === 0) plan.notes.push(`nothing before the damage is valid: ${part.name} is cut to 0 bytes`);
  return plan;
}

/**
 * The refusals that are about what a `truncate` plan would write, not about the damage:
 * `max-loss`, then (in place only) a cut through a link out of the directory.
 */
function guardWrite(plan: RepairPlan, opts: RepairPlanOptions): RepairPlan {
  const t = plan.target!;
  if (opts.maxLossBytes !== undefined && plan.bytesLost > opts.maxLossBytes) {
    return refusePlan(plan, 'max-loss', `the cut would lose ${plan.bytesLost} bytes of ${t.name}, more than --max-loss-bytes ${opts.maxLossBytes}`);
  }
  if (plan.output !== null) return plan;
  const link = t.link;
  if (link?.leavesDirectory && !plan.followSymlinks) {
    const where = plan.form === 'multipart' ? 'the AOF directory' : 'the directory it is in';
    return refusePlan(
      plan,
      'link-leaves-directory',
      `${t.name} is a symbolic link to ${link.resolved ?? link.target}, outside ${where}: repair does not write there unless --follow-symlinks is given ` +
        '(the file it points to is then cut, and backed up beside it). Or write a repaired copy with -o',
    );
  }
  return plan;
}

/** Turns `plan` into a refusal (what a cut would do stays in it, to be shown). */
function refusePlan(plan: RepairPlan, refusal: RepairRefusal, reason: string): RepairPlan {
  plan.action = 'refuse';
  plan.refusal = refusal;
  plan.reason = reason;
  return plan;
}

/**
 * Where a single file named through a symbolic link leads, or undefined when it is not one.
 * "Leaving" is judged against the real path of the link's own directory.
 */
async function singleFileLink(given: string): Promise<PartLink | undefined> {
  const st = await fsp.lstat(given).catch(() => null);
  if (!st?.isSymbolicLink()) return undefined;
  const target = await fsp.readlink(given, 'utf8').catch(() => '');
  const resolved = await fsp.realpath(given).catch(() => null);
  const home = await fsp.realpath(path.dirname(given)).catch(() => path.resolve(path.dirname(given)));
  return { target, resolved, leavesDirectory: resolved === null || path.dirname(resolved) !== home };
}

/** `the input ends inside a command at byte 2650` */
export function describeDamage(d: FileProblem): string {
  return `${d.reason} at byte ${d.offset}`;
}

function fileInfo(part: PartRef, scan: FileScan | null): RepairFileInfo {
  return {
    name: part.name,
    role: part.role,
    seq: part.seq === undefined ? null : String(part.seq),
    bytes: scan ? scan.bytes : null,
    content: scan ? scan.content : null,
    status: scan ? scan.status : 'missing',
    okUpTo: scan ? scan.okUpTo : null,
    last: part.last,
    link: part.link ?? null,
  };
}
