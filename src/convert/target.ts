/**
 * Which server a conversion writes for: `--target redis@X.Y | valkey@X.Y` names a release line
 * (its RDB version, the encodings it picks, the AOF forms and the data it can hold);
 * `--target-version N` names an RDB version alone, which stands for the oldest line writing it;
 * without either, the input's own RDB version (an AOF without a preamble and NDJSON: Redis 7.0).
 * The release table is model/server-releases.ts, the one `check --target` judges with.
 */
import { UsageError } from '../errors.js';
import { parseTarget } from '../analyze/compat.js';
import { SERVER_RELEASES, type RdbMagic, type ServerRelease } from '../model/server-releases.js';
import { RDB_WRITE_VERSIONS, type RdbWriteVersion } from '../rdb/target.js';

/** The server line an output is for, and the RDB version written for it. */
export interface ConvertTarget {
  release: ServerRelease;
  /** The RDB version the writer produces: the line's own. */
  rdbVersion: RdbWriteVersion;
  /** How it was chosen. */
  chosenBy: 'target' | 'target-version' | 'input' | 'default';
}

/** The line taken when neither the options nor the input name one. */
export const DEFAULT_TARGET = 'redis@7.0';

/**
 * Resolves the target of a conversion.
 * @param input the input's RDB magic and version (an RDB file, a preamble, a base), or null
 * @throws UsageError for an unknown line, an RDB version the writer cannot produce, or both options at once
 */
export function resolveTarget(opts: { target?: string; targetVersion?: number }, input: { magic: RdbMagic; version: number } | null): ConvertTarget {
  if (opts.target !== undefined && opts.targetVersion !== undefined) {
    throw new UsageError('give --target or --target-version, not both');
  }
  if (opts.target !== undefined) {
    const release = parseTarget(opts.target);
    return { release, rdbVersion: writeVersionFor(release), chosenBy: 'target' };
  }
  if (opts.targetVersion !== undefined) {
    const v = opts.targetVersion;
    if (!isWriteVersion(v)) {
      throw new UsageError(`--target-version must be one of ${RDB_WRITE_VERSIONS.join(', ')} (the RDB versions rdbtool writes; 80 and 81 are Valkey 9's)`, { found: String(v) });
    }
    const release = oldestWriting(v >= VALKEY_MIN ? 'VALKEY' : 'REDIS', v);
    // The line writes that version exactly (the table and the writer list the same versions).
    if (release.writes.rdbVersion !== v) throw new UsageError(`no release line in the table writes RDB ${v}`, { found: String(v) });
    return { release, rdbVersion: v, chosenBy: 'target-version' };
  }
  if (input !== null) {
    const release = oldestWriting(input.magic, input.version);
    return { release, rdbVersion: writeVersionFor(release), chosenBy: 'input' };
  }
  const release = parseTarget(DEFAULT_TARGET);
  return { release, rdbVersion: writeVersionFor(release), chosenBy: 'default' };
}

/** Versions from this one on carry the VALKEY magic (FORMATS.md §1.2). */
const VALKEY_MIN = 80;

function isWriteVersion(v: number): v is RdbWriteVersion {
  return (RDB_WRITE_VERSIONS as readonly number[]).includes(v);
}

/**
 * The RDB version written for a line: the one its own saves have (every line in the release
 * table writes a version the writer produces).
 * @throws UsageError for a line whose version the writer does not produce
 */
export function writeVersionFor(release: ServerRelease): RdbWriteVersion {
  const v = release.writes.rdbVersion;
  if (!isWriteVersion(v)) throw new UsageError(`cannot write RDB ${v}, the version ${release.id} writes: supported are ${RDB_WRITE_VERSIONS.join(', ')}`);
  return v;
}

/**
 * The oldest line whose saves have `magic` and at least `version` (the first that knows
 * everything such a file may hold); for versions newer than every line, the newest line.
 */
function oldestWriting(magic: RdbMagic, version: number): ServerRelease {
  const lines = SERVER_RELEASES.filter((r) => r.server === (magic === 'VALKEY' ? 'valkey' : 'redis') && r.writes.magic === magic);
  return lines.find((r) => r.writes.rdbVersion >= version) ?? lines[lines.length - 1];
}

/** `redis@7.0 (RDB 10)`: how reports name a target. */
export function describeTarget(t: ConvertTarget): string {
  return `${t.release.id} (RDB ${t.rdbVersion})`;
}
