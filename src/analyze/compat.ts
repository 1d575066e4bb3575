/**
 * Which servers load an input: the judgement of facts gathered in one read (magic, version,
 * the type and opcode bytes met, module types, the AOF form) against the release table of
 * `model/server-releases.ts`. Pure functions over plain data; no I/O.
 *
 * Three questions are answered: does one target load it, and if not, what blocks it, grouped
 * with counts ({@link judge}); which is the oldest Redis and the oldest Valkey line that loads
 * it ({@link oldestLoaders}); and which lines load it at all ({@link loadingReleases}).
 */
import { UsageError } from '../errors.js';
import {
  rdbOpcodeEntry,
  rdbTypeEntry,
  SERVER_RELEASES,
  UNLISTED_RELEASES,
  type RdbMagic,
  type RdbVersionRange,
  type ServerName,
  type ServerRelease,
} from '../model/server-releases.js';

/** What one read of an RDB (a whole file, an AOF preamble or a multi-part base) found. */
export interface RdbFacts {
  magic: RdbMagic;
  version: number;
  /** Raw RDB type byte (decimal string) → number of keys. */
  types: Record<string, number>;
  /** Opcode byte → occurrences (every non-type byte the decoder met, EOF excluded). */
  opcodes: Record<string, number>;
  /** Module type name (9 characters) → keys holding a value of that module type. */
  modules: Record<string, number>;
}

/** What one read of a whole input found, file by file in load order. */
export interface InputFacts {
  /** The input as given (a multi-part AOF's directory or manifest); used to name input-wide blockers. */
  name?: string;
  /** A manifest with a base and incr files (Redis 7.0+). */
  multipart: boolean;
  files: InputFileFacts[];
}

/** One file of an input. */
export interface InputFileFacts {
  name: string;
  /** What the file holds; null when it is not a persistence file (judged elsewhere). */
  content: 'rdb' | 'hybrid' | 'aof' | 'empty' | null;
  /** The RDB part (an RDB file, a hybrid's preamble, a base); null when there is none or it was not reached. */
  rdb: RdbFacts | null;
  /** `#` annotation lines in the RESP part. */
  annotations: number;
}

/** What a blocker is about. */
export type CompatBlockerCode = 'MAGIC' | 'RDB_VERSION' | 'TYPE' | 'OPCODE' | 'MULTIPART' | 'RDB_PREAMBLE' | 'ANNOTATIONS';

/** One reason a target does not load the input, with how many things it concerns. */
export interface CompatBlocker {
  /** The file it is in (the input's name for input-wide blockers). */
  file: string;
  code: CompatBlockerCode;
  /** The thing itself: `type set, listpack`, `RDB version 12`, `opcode FUNCTION_PRE_GA (246)`. */
  what: string;
  count: number;
  unit: 'file' | 'input' | 'keys' | 'records' | 'lines';
  /** What loads it: `RDB 11 (Redis 7.2+, Valkey 7.2+)`, `Redis 7.0`. */
  needs: string;
  /** The whole sentence, e.g. `12 keys of type set, listpack need RDB 11 (Redis 7.2+, Valkey 7.2+)`. */
  message: string;
  /** The type or opcode byte, for TYPE and OPCODE. */
  byte?: number;
}

/** Something the target must have besides its own code (a module). */
export interface CompatRequirement {
  file: string;
  /** The module type name (`ReJSON-RL`); null when the file does not name it (module AUX data, type 6 values). */
  module: string | null;
  count: number;
  unit: 'keys' | 'records';
  message: string;
}

/** The verdict for one configuration of a target. */
export interface CompatVerdict {
  loads: boolean;
  blockers: CompatBlocker[];
  requires: CompatRequirement[];
  /** Caveats that do not block the line as a whole (a patch release that differs). */
  notes: string[];
}

/** The verdict for a target: default configuration, and `rdb-version-check relaxed` where the line has it. */
export interface CompatJudgement extends CompatVerdict {
  /** `redis@7.0`. */
  target: string;
  /** Valkey 8.1+: the verdict with `rdb-version-check relaxed`. */
  relaxed?: CompatVerdict;
}

/** The oldest lines that load an input. */
export interface OldestLoaders {
  /** The oldest Redis line, e.g. `redis@7.0`; null when none does. */
  redis: string | null;
  /** The oldest Valkey line with its default configuration. */
  valkey: string | null;
  /** The oldest Valkey line with `rdb-version-check relaxed` where the line has it (never newer than `valkey`). */
  valkeyRelaxed: string | null;
}

const TARGET_FORM = /^(redis|valkey)@(\d+)\.(\d+)(?:\.\d+)?$/i;

/**
 * Reads a `--target`: `redis@7.0`, `valkey@8.1`, or a patch release such as `redis@7.0.15`,
 * which maps to its line.
 * @throws UsageError for another form or a line not in the table, listing the known ones.
 */
export function parseTarget(text: string): ServerRelease {
  const m = TARGET_FORM.exec(text.trim());
  const known = `known: ${SERVER_RELEASES.map((r) => r.id).join(', ')}`;
  if (!m) throw new UsageError(`--target must be redis@X.Y or valkey@X.Y (a patch version such as redis@7.0.15 also works); ${known}`, { found: text });
  const id = `${m[1].toLowerCase()}@${Number(m[2])}.${Number(m[3])}`;
  const release = SERVER_RELEASES.find((r) => r.id === id);
  if (!release) {
    const why = UNLISTED_RELEASES[id];
    throw new UsageError(`unknown release line ${id}${why ? ` (${why})` : ''}; ${known}`, { found: text });
  }
  return release;
}

/**
 * Judges whether `target` loads the input. Every blocker is listed, not only the first the
 * server would stop at, so a report can say all that stands in the way.
 * @param facts the whole input, or one RDB (then named `file`)
 * @param target a release from {@link parseTarget}, or its id
 * @param file the name blockers carry when `facts` is one RDB (default `input`)
 * @throws UsageError for an unknown target id
 */
export function judge(facts: InputFacts | RdbFacts, target: ServerRelease | string, file = 'input'): CompatJudgement {
  const release = typeof target === 'string' ? parseTarget(target) : target;
  const input = asInput(facts, file);
  const verdict = verdictFor(input, release, false);
  const out: CompatJudgement = { target: release.id, ...verdict };
  if (release.readsRelaxed) out.relaxed = verdictFor(input, release, true);
  return out;
}

/** Every release line that loads the input with its default configuration, in table order. */
export function loadingReleases(facts: InputFacts | RdbFacts): string[] {
  const input = asInput(facts, 'input');
  return SERVER_RELEASES.filter((r) => verdictFor(input, r, false).loads).map((r) => r.id);
}

/** The oldest Redis and Valkey lines that load the input (null where none does). */
export function oldestLoaders(facts: InputFacts | RdbFacts): OldestLoaders {
  const input = asInput(facts, 'input');
  const first = (server: ServerName, relaxed: boolean): string | null =>
    SERVER_RELEASES.find((r) => r.server === server && verdictFor(input, r, relaxed && r.readsRelaxed !== null).loads)?.id ?? null;
  return { redis: first('redis', false), valkey: first('valkey', false), valkeyRelaxed: first('valkey', true) };
}

// ---------------------------------------------------------------- the rules

function asInput(facts: InputFacts | RdbFacts, file: string): InputFacts {
  if ('files' in facts) return facts;
  return { name: file, multipart: false, files: [{ name: file, content: 'rdb', rdb: facts, annotations: 0 }] };
}

function verdictFor(input: InputFacts, release: ServerRelease, relaxed: boolean): CompatVerdict {
  const blockers: CompatBlocker[] = [];
  const requires: CompatRequirement[] = [];
  const notes: string[] = [];
  const inputName = input.name ?? input.files[0]?.name ?? 'input';
  if (input.multipart && !release.aof.multipart) {
    const needs = describeLoaders((r) => r.aof.multipart);
    blockers.push({ file: inputName, code: 'MULTIPART', what: 'multi-part AOF', count: 1, unit: 'input', needs, message: `a multi-part AOF needs ${needs}` });
  }
  for (const f of input.files) {
    if (f.content === 'hybrid' && !release.aof.rdbPreamble) {
      const needs = describeLoaders((r) => r.aof.rdbPreamble);
      blockers.push({ file: f.name, code: 'RDB_PREAMBLE', what: 'RDB preamble in an AOF', count: 1, unit: 'file', needs, message: `an RDB preamble in an AOF needs ${needs}` });
    }
    if (f.annotations > 0 && !release.aof.annotations) {
      const needs = describeLoaders((r) => r.aof.annotations);
      const lines = f.annotations === 1 ? 'annotation line (#…) needs' : 'annotation lines (#…) need';
      blockers.push({
        file: f.name,
        code: 'ANNOTATIONS',
        what: 'annotation lines (#…)',
        count: f.annotations,
        unit: 'lines',
        needs,
        message: `${f.annotations} ${lines} ${needs}; older releases refuse the file at the first one`,
      });
    }
    if (f.rdb) {
      judgeRdb(f.name, f.rdb, release, relaxed, blockers, requires);
      const inAof = f.content === 'hybrid' || (input.multipart && f.content === 'rdb');
      if (inAof && f.rdb.magic === 'VALKEY' && release.aof.valkeyMagicInAofSince && acceptsVersion(release, f.rdb, relaxed)) {
        notes.push(
          `${f.name}: ${release.server === 'valkey' ? 'Valkey' : 'Redis'} ${release.line} releases before ${release.aof.valkeyMagicInAofSince} do not take an RDB with the VALKEY magic at the start of an AOF file`,
        );
      }
    }
  }
  return { loads: blockers.length === 0, blockers, requires, notes };
}

function rangesOf(release: ServerRelease, relaxed: boolean): readonly RdbVersionRange[] {
  return relaxed && release.readsRelaxed ? release.readsRelaxed : release.reads;
}

function inRange(ranges: readonly RdbVersionRange[], magic: RdbMagic, version: number): boolean {
  return ranges.some((a) => a.magic === magic && version >= a.min && (a.max === null || version <= a.max));
}

function acceptsVersion(release: ServerRelease, rdb: RdbFacts, relaxed: boolean): boolean {
  return inRange(rangesOf(release, relaxed), rdb.magic, rdb.version);
}

function judgeRdb(file: string, rdb: RdbFacts, release: ServerRelease, relaxed: boolean, blockers: CompatBlocker[], requires: CompatRequirement[]): void {
  const name = serverLabel(release);
  if (!acceptsVersion(release, rdb, relaxed)) blockers.push(versionBlocker(file, rdb, release, relaxed));
  // A server that does not read the magic at all stops there: its bytes mean nothing to it.
  if (release.types[rdb.magic].length === 0) return;

  for (const [key, count] of sortedEntries(rdb.types)) {
    const byte = Number(key);
    if (count <= 0) continue;
    const entry = rdbTypeEntry(byte, rdb.magic);
    const subject = `${count} ${count === 1 ? 'key' : 'keys'} of type ${entry?.label ?? `byte ${byte}`}`;
    if (release.types[rdb.magic].includes(byte)) {
      if (byte === 6) requires.push({ file, module: null, count, unit: 'keys', message: `${subject} load only while the module that wrote them is loaded` });
      continue;
    }
    const blocker = byteBlocker(subject, count, (r) => r.types[rdb.magic].includes(byte), entry?.sinceRdb ?? null);
    blocker.message += foreignRemark(release, rdb.magic, byte, 'type');
    blockers.push({ file, code: 'TYPE', what: `type ${entry?.label ?? byte}`, count, unit: 'keys', ...blocker, byte });
  }

  for (const [key, count] of sortedEntries(rdb.opcodes)) {
    const byte = Number(key);
    if (count <= 0 || byte === 255) continue;
    const entry = rdbOpcodeEntry(byte, rdb.magic);
    const subject = `${count} ${entry ? entry.noun[count === 1 ? 0 : 1] : count === 1 ? `record with opcode ${byte}` : `records with opcode ${byte}`}`;
    if (release.opcodes[rdb.magic].includes(byte)) {
      if (byte === 247) requires.push({ file, module: null, count, unit: 'records', message: `${subject}: the modules that wrote them must be loaded in ${name}` });
      continue;
    }
    const blocker = byteBlocker(subject, count, (r) => r.opcodes[rdb.magic].includes(byte), entry?.sinceRdb ?? null);
    blocker.message += foreignRemark(release, rdb.magic, byte, 'opcode');
    const what = entry ? `opcode ${entry.macro.replace(/^RDB_OPCODE_/, '')} (${byte})` : `opcode ${byte}`;
    blockers.push({ file, code: 'OPCODE', what, count, unit: 'records', ...blocker, byte });
  }

  for (const [module, count] of sortedEntries(rdb.modules)) {
    if (count <= 0) continue;
    const keys = count === 1 ? 'key holds a value' : 'keys hold values';
    requires.push({ file, module, count, unit: 'keys', message: `${count} ${keys} of module type ${module}: the module must be loaded in ${name}` });
  }
}

/** `needs` and the sentence for `count` things (`subject`) that the lines where `loads` holds know. */
function byteBlocker(subject: string, count: number, loads: (r: ServerRelease) => boolean, sinceRdb: number | null): { needs: string; message: string } {
  const { needs, only } = needsOf(loads, sinceRdb);
  const one = count === 1;
  if (needs === NOBODY) return { needs, message: `${subject} ${one ? 'is' : 'are'} loaded by ${NOBODY}` };
  if (only) return { needs, message: `${subject} load only in ${needs}` };
  return { needs, message: `${subject} ${one ? 'needs' : 'need'} ${needs}` };
}

/** Why a byte that another server knows is refused here, when the reason is Valkey's foreign range. */
function foreignRemark(release: ServerRelease, magic: RdbMagic, byte: number, kind: 'type' | 'opcode'): string {
  const range = release.foreignBytesInRedisMagic;
  if (magic !== 'REDIS' || !range || byte < range[0] || byte > range[1]) return '';
  return `; ${serverLabel(release)} refuses ${kind} byte ${byte} in a REDIS-magic file (bytes ${range[0]}–${range[1]} mean other things in Redis 7.4+ files)`;
}

function versionBlocker(file: string, rdb: RdbFacts, release: ServerRelease, relaxed: boolean): CompatBlocker {
  const { magic, version } = rdb;
  const name = serverLabel(release);
  const ranges = rangesOf(release, relaxed).filter((a) => a.magic === magic);
  const needs = versionNeeds(magic, version);
  const base = { file, count: 1, unit: 'file' as const, needs };
  const tail = needs === NOBODY ? `; ${NOBODY} reads it` : `; it needs ${needs}`;
  // Whether the relaxed check would let it in (said in the default verdict), or does not either.
  const mode =
    release.readsRelaxed && !relaxed && inRange(release.readsRelaxed, magic, version)
      ? ' unless rdb-version-check is relaxed'
      : relaxed
        ? ' even with rdb-version-check relaxed'
        : '';
  if (ranges.length === 0) {
    return { ...base, code: 'MAGIC', what: `${magic} magic`, message: `${name} does not read an RDB with the ${magic} magic${mode}${tail}` };
  }
  const what = `RDB version ${version}`;
  const foreign = release.foreignVersions;
  if (magic === 'REDIS' && foreign && version >= foreign[0] && version <= foreign[1]) {
    return {
      ...base,
      code: 'RDB_VERSION',
      what,
      message: `${name} refuses RDB version ${version}${mode}: versions ${foreign[0]}–${foreign[1]} are Redis's formats from 7.4 on${tail}`,
    };
  }
  const newest = Math.max(...ranges.map((a) => a.max ?? Infinity));
  const oldest = Math.min(...ranges.map((a) => a.min));
  const withMagic = magic === 'VALKEY' ? ' with the VALKEY magic' : '';
  const message =
    version < oldest
      ? `the RDB version ${version} is older than ${oldest}, the oldest ${name} reads${withMagic}${tail}`
      : `the RDB version ${version} is newer than ${newest}, the newest ${name} reads${withMagic}${mode}${tail}`;
  return { ...base, code: 'RDB_VERSION', what, message };
}

/** `Redis 7.4+; Valkey 9.0+ with rdb-version-check relaxed` for a magic and version. */
function versionNeeds(magic: RdbMagic, version: number): string {
  const plain = (r: ServerRelease) => inRange(r.reads, magic, version);
  const relaxedOnly = (r: ServerRelease) => !plain(r) && r.readsRelaxed !== null && inRange(r.readsRelaxed, magic, version);
  const parts: string[] = [];
  const a = describeLoaders(plain);
  if (a !== NOBODY) parts.push(a);
  const b = describeLoaders(relaxedOnly);
  if (b !== NOBODY) parts.push(`${b} with rdb-version-check relaxed`);
  return parts.length ? parts.join('; ') : NOBODY;
}

const NOBODY = 'no Redis or Valkey release rdbtool knows';

/** `RDB 11 (Redis 7.2+, Valkey 7.2+)`, and whether no newest line loads it (`only`). */
function needsOf(loads: (r: ServerRelease) => boolean, sinceRdb: number | null): { needs: string; only: boolean } {
  const who = describeLoaders(loads);
  if (who === NOBODY) return { needs: NOBODY, only: false };
  const newest = (['redis', 'valkey'] as const).some((s) => {
    const lines = SERVER_RELEASES.filter((r) => r.server === s);
    return loads(lines[lines.length - 1]);
  });
  if (!newest) return { needs: who, only: true };
  return { needs: sinceRdb === null ? who : `RDB ${sinceRdb} (${who})`, only: false };
}

/**
 * The lines for which `loads` holds, as ranges per server: `Redis 7.2+, Valkey 7.2+`,
 * `Redis 4.0–7.0`, `Redis 7.0`.
 */
function describeLoaders(loads: (r: ServerRelease) => boolean): string {
  const parts: string[] = [];
  for (const server of ['redis', 'valkey'] as const) {
    const lines = SERVER_RELEASES.filter((r) => r.server === server);
    const runs: string[] = [];
    let start = -1;
    for (let i = 0; i <= lines.length; i++) {
      const ok = i < lines.length && loads(lines[i]);
      if (ok && start < 0) start = i;
      if (!ok && start >= 0) {
        const first = lines[start].line;
        const last = lines[i - 1].line;
        runs.push(i === lines.length ? `${first}+` : first === last ? first : `${first}–${last}`);
        start = -1;
      }
    }
    if (runs.length) parts.push(`${server === 'redis' ? 'Redis' : 'Valkey'} ${runs.join(', ')}`);
  }
  return parts.length ? parts.join(', ') : NOBODY;
}

function serverLabel(r: ServerRelease): string {
  return `${r.server === 'redis' ? 'Redis' : 'Valkey'} ${r.line}`;
}

function sortedEntries(m: Record<string, number>): [string, number][] {
  return Object.entries(m).sort((a, b) => (Number(a[0]) - Number(b[0])) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** What a conversion may need a target to hold, judged from the same release table as {@link judge}. */
export type HeldFeature = 'streams' | 'modules' | 'functions' | 'field-ttl' | 'arrays' | 'gcra' | 'stream-idmp' | 'stream-nack' | 'rdb-preamble' | 'multipart';

/**
 * Whether `release` loads data of kind `feature` in files of its own magic: streams (a stream
 * type byte), module values (MODULE_2), function libraries (FUNCTION2), hash field TTLs
 * (Redis 7.4's types 24/25, or Valkey's HASH_2 under its magic), ARRAY values (type 28), GCRA
 * values (type 33), a stream's idempotent-producer state (type 26) and NACK zones (type 27),
 * an RDB preamble in an AOF, a multi-part AOF directory.
 */
export function releaseHolds(release: ServerRelease, feature: HeldFeature): boolean {
  const magic = release.writes.magic;
  const types = release.types[magic];
  switch (feature) {
    case 'streams':
      return types.includes(15);
    case 'modules':
      return types.includes(7);
    case 'functions':
      return release.opcodes[magic].includes(245);
    case 'field-ttl':
      return magic === 'VALKEY' ? types.includes(22) : types.includes(24) || types.includes(25);
    case 'arrays':
      return types.includes(28);
    case 'gcra':
      return types.includes(33);
    case 'stream-idmp':
      return types.includes(26);
    case 'stream-nack':
      return types.includes(27);
    case 'rdb-preamble':
      return release.aof.rdbPreamble;
    case 'multipart':
      return release.aof.multipart;
  }
}
