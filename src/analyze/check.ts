/**
 * The `check` report: every file of an input (an RDB, a plain or hybrid AOF, or a multi-part
 * AOF given as a directory or a manifest) read to its end with every record parsed, every
 * CRC-64 compared, and values decoded where no checksum vouches for them (every LZF string
 * decompressed, every blob walked; see {@link CheckOptions.verify}), and judged twice:
 *
 * - as `redis-check-aof` judges it (FORMATS.md §5.8): `intact` is its "valid", and each file
 *   carries the `ok_up_to` / `ok_up_to_line` the tool prints for it;
 * - as Redis's loader judges it at start-up (FORMATS.md §5.5–§5.7): whether the server comes
 *   up with `aof-load-truncated yes` (the default) and with `no`, and what it cuts off.
 *
 * Redis's own truncation point is not redis-check-aof's `ok_up_to`: the loader remembers the
 * end of the last complete *command* (annotations do not count, and nothing before the first
 * command of the RESP section does, not even an RDB preamble), and for a command cut short
 * inside MULTI it keeps the commands of the open block. Both were seen on a real 7.0.15
 * server: a hybrid file cut in its first RESP command is truncated to 0 bytes, and a cut
 * inside MULTI leaves a file ending in an open MULTI (refused at the next start once Redis has
 * added an incr file after it). {@link RedisTruncation} reports both facts.
 *
 * What the verdict does not model: Redis executes the commands (an unknown command name is
 * fatal there; here it is not looked at), and the server does not check the CRLF after an
 * argument where redis-check-aof does. The verdict follows redis-check-aof's structure rules,
 * so it errs on the side of "would not start".
 */
import { promises as fsp } from 'node:fs';
import { CorruptDataError, LimitError, type ErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ChecksumStatus, RdbHeader } from '../model/events.js';
import { ManifestError, resolveInput, type PartRef, type ResolvedInput } from '../pipeline/detect.js';
import type { FileContent, FileProblem, FileScan, FileStatus } from '../pipeline/scan-file.js';
import { scanFile } from '../pipeline/scan-file.js';
import { scanInput, type InputHandlers } from '../pipeline/scan-input.js';
import { openSource } from '../io/source.js';
import type { ScanProgress } from '../pipeline/scan.js';
import { emptyFacts, factHandlers, type FactThresholds, type FileFacts } from './check-facts.js';
import type { CheckCompat } from './check-compat.js';
import { isTrailingJunk, namedAof, namedRdb, redisVerdict } from './check-verdict.js';

/** Version of the report layout (the `--json` contract); raised on incompatible changes. */
export const CHECK_SCHEMA_VERSION = 1;

/**
 * Problem codes: the library's error codes (`MISSING_FILE`, `NOT_PERSISTENCE_FILE` among
 * them), plus those only `check` reports: `EMPTY_FILE` (a 0-byte file named or placed as an
 * RDB: Redis refuses it as a snapshot), `POLICY` (a backup policy rule is broken, see
 * `check-policy.ts`), and the warnings `EMPTY_INPUT` (no bytes at all where Redis starts
 * empty), `NO_CHECKSUM` (an RDB written without a CRC-64) and `SYMLINK` (a part of a
 * multi-part AOF is a symbolic link).
 */
export type CheckProblemCode = ErrorCode | 'EMPTY_FILE' | 'EMPTY_INPUT' | 'NO_CHECKSUM' | 'POLICY' | 'SYMLINK';

/** `error`: the input is damaged (exit 1). `warning`: worth knowing, not damage (exit 0). */
export type Severity = 'error' | 'warning';

/** One problem, located. */
export interface CheckProblem {
  /** The file the offset is in (a data file, or the manifest). */
  file: string;
  /** Absolute offset of the first bad byte; for truncation, the end of the file. Null when not about a byte. */
  offset: number | null;
  /** Physical line of `offset` (1-based) in the RESP section, or the manifest line; null when not known. */
  line: number | null;
  code: CheckProblemCode;
  severity: Severity;
  /** Which reading found it: the RDB part, the RESP commands, the manifest, the file as a whole, or a policy rule. */
  section: 'rdb' | 'aof' | 'manifest' | 'file' | 'policy';
  /** For `POLICY` problems: the rule's option name (`min-keys`, `max-age`, …); null otherwise. */
  rule: string | null;
  /** The problem in words, without the location. */
  reason: string;
  expected: string | null;
  found: string | null;
  /** For RDB problems: what was being decoded (`doing`, `db`, `key`, `rdbType`, `what`). */
  context: Record<string, unknown> | null;
}

/** The RDB part of a file (a whole RDB, a hybrid file's preamble, a multi-part base). */
export interface CheckedRdb {
  magic: RdbHeader['magic'] | null;
  /** RDB version from the header; null when the header could not be read. */
  version: number | null;
  /** The CRC-64 verdict; `not-reached` when damage stopped the reading before the trailer. */
  checksum: ChecksumStatus | 'not-reached';
  /** Stored trailer, 16 hex digits, when read. */
  storedChecksum: string | null;
  /** Computed CRC-64, 16 hex digits, when computed. */
  computedChecksum: string | null;
  /** Keys read (all of them when the RDB is intact). */
  keys: number;
  /** Offset just after the checksum trailer; null when not reached. */
  endOffset: number | null;
  /**
   * How the values were verified: `checksum` — the records and blob headers were parsed and
   * the CRC-64 matched, which vouches for every byte as Redis wrote it; `deep` — every value
   * was also decoded (every LZF string decompressed, every blob walked), as happens when the
   * file has no checksum to vouch for it, with `verify: 'deep'` (`--deep`), or from stdin.
   */
  verification: 'checksum' | 'deep';
}

/** What redis-check-aof prints for a file on its `AOF analyzed:` line. */
export interface RedisCheckAofLine {
  /** `ok_up_to`: where `--fix` would cut the file. */
  okUpTo: number;
  /** `ok_up_to_line`: the tool's own line counter, carried across the files of a multi-part set. */
  okUpToLine: number;
  /** `diff`: size − ok_up_to. */
  diff: number;
}

/** One file of the input and its verdict. */
export interface CheckedFile {
  /** The path as shown (the path given, or `dir/name` for a part of a multi-part AOF). */
  name: string;
  /** `file` for a single input; `base` / `incr` for the parts of a multi-part AOF. */
  role: PartRef['role'];
  /** The manifest line listing the file (multi-part only). */
  manifestLine: number | null;
  /** Sequence number from the manifest (multi-part only). */
  seq: bigint | null;
  /** True for the last file in load order: the only one Redis may truncate. */
  last: boolean;
  /** What the file holds, by content (`foreign`: not a persistence file at all); null when it is missing. */
  content: FileContent | null;
  /** Size in bytes; null when missing. */
  size: number | null;
  /** Last modification time (Unix ms); null when missing or stdin. */
  mtimeMs: number | null;
  /** Where a part that is a symbolic link points (multi-part only); null otherwise. */
  link: { target: string; resolved: string | null; leavesDirectory: boolean } | null;
  status: FileStatus | 'missing';
  /** Offset up to which the file is valid (redis-check-aof's `ok_up_to`; 0 when the RDB part is damaged). */
  okUpTo: number | null;
  /** Bytes after `okUpTo`: what `redis-check-aof --fix` would remove. */
  lostBytes: number | null;
  /** Where the RESP commands start (0 for a plain AOF, the RDB's end for a hybrid); null when not reached. */
  respOffset: number | null;
  /** Complete commands read (MULTI/EXEC included). */
  commands: number;
  /** `#` annotation lines read. */
  annotations: number;
  /** True when the file ends inside a MULTI block. */
  pendingMulti: boolean;
  /** Offset of the open MULTI when `pendingMulti`. */
  multiOffset: number | null;
  /** The RDB part, when the file starts with one. */
  rdb: CheckedRdb | null;
  /**
   * What redis-check-aof prints for this file when it gets to it; null when it would not print
   * the line (damaged RDB part: the tool stops in its RDB check) or the file is missing. The
   * tool stops at the first damaged file of a multi-part set; this is what it would print if
   * it went on.
   */
  redisCheckAof: RedisCheckAofLine | null;
  /** Problems about this file in {@link CheckReport.problems}. */
  problems: number;
  /** What was learned about the file besides its integrity (compatibility and policy facts). */
  facts: FileFacts;
}

/** What Redis cuts off when it loads a truncated last file with `aof-load-truncated yes`. */
export interface RedisTruncation {
  file: string;
  /** The size Redis truncates the file to. */
  toOffset: number;
  /** Bytes removed from the file. */
  lostBytes: number;
  /**
   * True when the cut is inside an open MULTI block (a command cut short inside MULTI): the
   * file keeps a MULTI without EXEC, which the next start treats as truncated again (fatal
   * once it is no longer the last file).
   */
  leavesOpenMulti: boolean;
  /**
   * True when the cut falls before the end of the file's RDB preamble (no complete command
   * after it): the preamble's keys are loaded this time but the file is left without them.
   */
  dropsRdbPreamble: boolean;
}

/** Whether a Redis server would start on the input as it is (FORMATS.md §5.5–§5.7). */
export interface RedisStartVerdict {
  /** With `aof-load-truncated yes` (the default): a truncated last file is cut and loading goes on. */
  withAofLoadTruncatedYes: boolean;
  /** With `aof-load-truncated no`: any truncation is fatal. */
  withAofLoadTruncatedNo: boolean;
  /** Why, in one sentence (the first fatal problem in load order, or what Redis cuts). */
  reason: string;
  /** What `aof-load-truncated yes` removes, when it applies. */
  truncation: RedisTruncation | null;
  /**
   * For a single file holding an RDB: whether Redis loads it as its snapshot (`dump.rdb`),
   * which stops reading at the checksum trailer. Null for AOF and multi-part inputs.
   */
  asRdbSnapshot: { loads: boolean; reason: string } | null;
}

/** The whole report (see the README for the JSON form). */
export interface CheckReport {
  /** {@link CHECK_SCHEMA_VERSION}. */
  schemaVersion: number;
  input: {
    /** The path as given. */
    path: string;
    form: ResolvedInput['form'];
    /** The manifest's path (multi-part only). */
    manifest: string | null;
    /** History files named by the manifest (never read, never loaded). */
    history: string[];
  };
  /** Every file in load order (base, then incr files), missing ones included. */
  files: CheckedFile[];
  /** Every problem, in load order. */
  problems: CheckProblem[];
  /** No problem of severity `error`: what redis-check-aof calls valid. */
  intact: boolean;
  redisWouldStart: RedisStartVerdict;
  /** Which servers load the input (set by `judgeReport`, check-compat.ts); null until judged. */
  compat: CheckCompat | null;
  totals: {
    files: number;
    bytes: number;
    commands: number;
    annotations: number;
    keys: number;
    errors: number;
    warnings: number;
  };
  elapsedMs: number;
}

/** Options of {@link checkPath} and {@link checkInput}. */
export interface CheckOptions {
  limits?: Partial<Limits>;
  /**
   * `auto` (default): values are decoded only where no CRC-64 vouches for them (an RDB saved
   * without a checksum, or stdin, which cannot be read twice): a matching checksum already
   * proves the bytes are those Redis wrote, and skipping the decoding makes an RDB part as
   * fast to check as to inspect. `deep`: decode every value of every RDB part.
   */
  verify?: 'auto' | 'deep';
  /** Where the RDB CRC-64 runs (see ScanOptions.checksumWorker). Default `auto`. */
  checksumWorker?: 'auto' | 'always' | 'never';
  /** Key sizes to count keys against (the backup policy's `--max-key-bytes` / `--max-elements`). */
  thresholds?: FactThresholds;
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Checks a path: a file, `-` (stdin), a directory holding a manifest (or an `appendonlydir/`),
 * or a manifest. A manifest Redis would refuse is reported as a problem, not thrown.
 * @throws InputError when the path cannot be read or a directory holds no manifest;
 *   UsageError when a directory holds several manifests.
 */
export async function checkPath(given: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const started = performance.now();
  let input: ResolvedInput;
  try {
    input = await resolveInput(given);
  } catch (e) {
    // A manifest that fails to parse (ManifestError) or is too large to be one (LimitError).
    if ((e instanceof CorruptDataError && e.code === 'MANIFEST_INVALID') || e instanceof LimitError) return manifestReport(given, e, started);
    throw e;
  }
  return checkInput(input, opts);
}

/**
 * Checks an input already resolved with `resolveInput`: reads every file (none is skipped
 * after a damaged one) and builds the report.
 * @throws InputError when a file cannot be read.
 */
export async function checkInput(input: ResolvedInput, opts: CheckOptions = {}): Promise<CheckReport> {
  const started = performance.now();
  const seen: Tracker[] = [];
  let cur = newTracker();
  // Stdin cannot be read twice, so its values are decoded in the first (and only) pass.
  const stdin = input.parts.some((p) => p.path === '-');
  const gather = factHandlers(() => cur.facts, opts.thresholds);
  const handlers: InputHandlers = {
    fileStart: () => {
      cur = newTracker();
    },
    fileEnd: () => {
      seen.push(cur);
    },
    rdb: {
      ...gather.rdb,
      header: (h) => {
        cur.header = h;
        gather.rdb.header!(h, 0);
      },
      keyStart: (k) => {
        cur.keys++;
        gather.rdb.keyStart!(k);
        return false; // values are not delivered (a deep pass still decodes and checks them)
      },
    },
    aof: gather.aof,
  };
  const deepFirst = opts.verify === 'deep' || stdin;
  const scan = await scanInput(input, handlers, {
    verify: deepFirst ? 'deep' : 'shallow',
    limits: opts.limits,
    checksumWorker: opts.checksumWorker,
    onProgress: opts.onProgress,
    progressIntervalMs: opts.progressIntervalMs,
    signal: opts.signal,
  });

  // An RDB part no checksum vouches for is read again with every value decoded; damage found
  // then replaces the first reading of that file.
  const deep = new Set<number>();
  for (const [i, f] of scan.files.entries()) {
    const c = f.scan?.rdb?.end?.checksum;
    if (deepFirst) deep.add(i);
    else if (f.scan !== null && (c === 'disabled' || c === 'absent')) {
      const again = await scanFile(await openSource(f.part.path, undefined, f.part.name), {}, {
        verify: 'deep',
        limits: opts.limits,
        checksumWorker: 'never',
        signal: opts.signal,
      });
      if (again.problem?.section === 'rdb') f.scan = again;
      deep.add(i);
    }
  }

  const files: CheckedFile[] = [];
  const problems: CheckProblem[] = [];
  for (const [i, f] of scan.files.entries()) {
    const before = problems.length;
    let file: CheckedFile;
    if (f.scan === null) {
      file = missingFile(f.part);
      // Not about a byte: no offset.
      if (f.problem) problems.push({ ...problemOf(f.part.name, f.problem, null), offset: null });
    } else {
      file = checkedFile(f.part, f.scan, seen[i] ?? newTracker(), problems, deep.has(i));
      file.mtimeMs = await mtimeOf(f.part.path);
      emptyFileProblem(input, file, problems);
    }
    symlinkProblem(file, problems);
    file.problems = problems.length - before;
    files.push(file);
  }

  const totalBytes = files.reduce((n, f) => n + (f.size ?? 0), 0);
  const emptyFile = problems.some((p) => p.code === 'EMPTY_FILE');
  if (totalBytes === 0 && !emptyFile && files.every((f) => f.status !== 'missing')) {
    problems.push({
      file: input.manifestPath ?? input.given,
      offset: null,
      line: null,
      code: 'EMPTY_INPUT',
      severity: 'warning',
      section: 'file',
      rule: null,
      reason:
        files.length === 0
          ? 'the manifest lists no base or incr file: there is no data (Redis starts with an empty dataset)'
          : input.form === 'multipart'
            ? 'every file of the set is empty: there is no data (Redis starts with an empty dataset)'
            : 'the AOF holds no bytes: there is no data (Redis starts with an empty dataset on an empty AOF)',
      expected: null,
      found: null,
      context: null,
    });
  }

  const scans = scan.files.map((f) => f.scan);
  return finish(
    {
      path: input.given,
      form: input.form,
      manifest: input.manifestPath ?? null,
      history: input.history.map((h) => h.name),
    },
    files,
    problems,
    redisVerdict(input, files, scans),
    started,
  );
}

// ---------------------------------------------------------------- per file

/** What the handlers learn about one file while it is read. */
interface Tracker {
  header: RdbHeader | null;
  keys: number;
  facts: FileFacts;
}

function newTracker(): Tracker {
  return { header: null, keys: 0, facts: emptyFacts() };
}

async function mtimeOf(p: string | Buffer): Promise<number | null> {
  if (p === '-') return null;
  const st = await fsp.stat(p).catch(() => null);
  return st ? st.mtimeMs : null;
}

/**
 * A 0-byte file is read as an empty AOF (Redis starts empty on one, FORMATS.md §5.6), unless
 * it is named or placed as an RDB: Redis refuses a 0-byte `dump.rdb` ("Short read or OOM
 * loading DB", seen on 7.0.15), and a base `.rdb` that Redis wrote is never empty (an empty
 * dataset still gives the header and AUX fields). A single file named neither way (or stdin)
 * counts as a snapshot: a backup gate must not pass it.
 */
function emptyFileProblem(input: ResolvedInput, f: CheckedFile, problems: CheckProblem[]): void {
  if (f.size !== 0) return;
  const asRdb = input.form === 'file' ? !namedAof(f.name) : f.role === 'base' && namedRdb(f.name);
  if (!asRdb) return;
  const reason =
    input.form === 'file'
      ? 'the file is empty (0 bytes): Redis refuses it as an RDB snapshot ("Short read or OOM loading DB")' +
        (namedRdb(f.name) ? '' : '; only as an AOF (a name ending in .aof) would Redis start on it, with an empty dataset')
      : 'the RDB base file is empty (0 bytes): Redis writes at least a header and AUX fields, even for an empty dataset; it starts on this set with only what the incr files hold';
  problems.push({
    file: f.name,
    offset: 0,
    line: null,
    code: 'EMPTY_FILE',
    severity: 'error',
    section: 'file',
    rule: null,
    reason,
    expected: 'an RDB: "REDIS" and the version digits',
    found: 'end of file at byte 0',
    context: null,
  });
}

/** A part of a multi-part AOF that is a symbolic link is mentioned (writers refuse to follow one that leaves the directory). */
function symlinkProblem(f: CheckedFile, problems: CheckProblem[]): void {
  const l = f.link;
  if (!l) return;
  const where = l.resolved === null ? 'which does not resolve to a file' : l.leavesDirectory ? 'outside the AOF directory' : 'inside the AOF directory';
  problems.push({
    file: f.name,
    offset: null,
    line: null,
    code: 'SYMLINK',
    severity: 'warning',
    section: 'file',
    rule: null,
    reason: `is a symbolic link to ${l.target}, ${where}${l.resolved !== null && l.resolved !== l.target ? ` (${l.resolved})` : ''}`,
    expected: null,
    found: null,
    context: null,
  });
}

/** What a report says of a file whatever it holds: its name and place in the input. */
function partFields(part: PartRef): Pick<CheckedFile, 'name' | 'role' | 'manifestLine' | 'seq' | 'last' | 'link'> {
  return { name: part.name, role: part.role, manifestLine: part.manifestLine ?? null, seq: part.seq ?? null, last: part.last, link: part.link ?? null };
}

function missingFile(part: PartRef): CheckedFile {
  return {
    ...partFields(part),
    content: null,
    size: null,
    mtimeMs: null,
    status: 'missing',
    okUpTo: null,
    lostBytes: null,
    respOffset: null,
    commands: 0,
    annotations: 0,
    pendingMulti: false,
    multiOffset: null,
    rdb: null,
    redisCheckAof: null,
    problems: 0,
    facts: emptyFacts(),
  };
}

function checkedFile(part: PartRef, s: FileScan, t: Tracker, problems: CheckProblem[], deep: boolean): CheckedFile {
  const size = part.size ?? s.bytes;
  const v = s.aof;
  const junk = isTrailingJunk(s);
  const p = s.problem;
  if (p !== null) problems.push(problemOf(s.name, p, junk ? s.bytes - (s.respOffset ?? 0) : null));
  const rdb = rdbOf(s, t, deep);
  if (rdb !== null && (rdb.checksum === 'disabled' || rdb.checksum === 'absent')) {
    problems.push({
      file: s.name,
      offset: s.rdb?.end ? s.rdb.end.eofOffset + 1 : null,
      line: null,
      code: 'NO_CHECKSUM',
      severity: 'warning',
      section: 'rdb',
      rule: null,
      reason:
        rdb.checksum === 'disabled'
          ? 'the RDB was written without a checksum (rdbchecksum no): only its structure could be verified'
          : `RDB version ${rdb.version} has no checksum: only its structure could be verified`,
      expected: null,
      found: null,
      context: null,
    });
  }
  const okUpTo = s.okUpTo;
  return {
    ...partFields(part),
    content: junk ? 'rdb' : s.content,
    size,
    mtimeMs: null,
    status: s.status,
    okUpTo,
    lostBytes: size - okUpTo,
    respOffset: s.respOffset,
    commands: v?.commands ?? 0,
    annotations: v?.annotations ?? 0,
    pendingMulti: v?.pendingMulti ?? false,
    multiOffset: v?.multiOffset ?? null,
    rdb,
    redisCheckAof: v !== null && p?.section !== 'rdb' ? { okUpTo: v.okUpTo, okUpToLine: v.redisCheckAofLine, diff: size - v.okUpTo } : null,
    problems: 0,
    facts: t.facts,
  };
}

function problemOf(file: string, p: FileProblem, junkAfter: number | null): CheckProblem {
  if (junkAfter !== null) {
    const n = junkAfter;
    return {
      file,
      offset: p.offset,
      line: p.line ? p.line : null,
      code: 'TRAILING_DATA',
      severity: 'error',
      section: 'aof',
      rule: null,
      reason: `the ${n} byte(s) after the RDB checksum trailer are not AOF commands`,
      expected: "the end of the file, or AOF commands ('*' or '#')",
      found: p.found ?? null,
      context: null,
    };
  }
  return {
    file,
    offset: p.offset,
    line: p.line ? p.line : null,
    code: p.code,
    severity: 'error',
    section: p.section,
    rule: null,
    reason: p.reason,
    expected: p.expected ?? null,
    found: p.found ?? null,
    context: p.context ?? null,
  };
}

function rdbOf(s: FileScan, t: Tracker, deep: boolean): CheckedRdb | null {
  if (t.header === null && s.rdb === null && s.problem?.section !== 'rdb') return null;
  const end = s.rdb?.end ?? null;
  const header = s.rdb?.header ?? t.header;
  const checksum: CheckedRdb['checksum'] = end ? end.checksum : 'not-reached';
  const stored = end?.storedChecksum ?? null;
  const computed = end?.computedChecksum ?? null;
  return {
    magic: header?.magic ?? null,
    version: header?.version ?? null,
    checksum,
    storedChecksum: stored,
    computedChecksum: computed,
    keys: t.keys,
    endOffset: end?.endOffset ?? null,
    verification: deep ? 'deep' : 'checksum',
  };
}

// ---------------------------------------------------------------- assembly

function finish(
  input: CheckReport['input'],
  files: CheckedFile[],
  problems: CheckProblem[],
  redisWouldStart: RedisStartVerdict,
  started: number,
): CheckReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    input,
    files,
    problems,
    intact: errors === 0,
    redisWouldStart,
    compat: null,
    totals: {
      files: files.length,
      bytes: files.reduce((n, f) => n + (f.size ?? 0), 0),
      commands: files.reduce((n, f) => n + f.commands, 0),
      annotations: files.reduce((n, f) => n + f.annotations, 0),
      keys: files.reduce((n, f) => n + (f.rdb?.keys ?? 0), 0),
      errors,
      warnings: problems.length - errors,
    },
    elapsedMs: performance.now() - started,
  };
}

/** The report for a manifest Redis refuses: nothing else is read (Redis reads nothing else either). */
function manifestReport(given: string, e: CorruptDataError | LimitError, started: number): CheckReport {
  // A ManifestError adds the line and the loader's own message.
  const line = e instanceof ManifestError ? e.line : null;
  const redisError = e instanceof ManifestError && e.redisError !== '' ? e.redisError : null;
  const file = e.file ?? given;
  const problem: CheckProblem = {
    file,
    offset: e.offset ?? null,
    line,
    code: e.code,
    severity: 'error',
    section: 'manifest',
    rule: null,
    reason: e.reason,
    expected: e.expected ?? null,
    found: e.found ?? null,
    context: null,
  };
  const why = redisError ? `${redisError}${line !== null ? ` (line ${line})` : ''}` : e.reason;
  return finish(
    { path: given, form: 'multipart', manifest: file, history: [] },
    [],
    [problem],
    {
      withAofLoadTruncatedYes: false,
      withAofLoadTruncatedNo: false,
      reason: `Redis refuses the manifest ${file}: ${why}`,
      truncation: null,
      asRdbSnapshot: null,
    },
    started,
  );
}
