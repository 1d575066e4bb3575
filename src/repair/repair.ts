/**
 * `repair`: carries out a plan from {@link planRepair} (see `repair-plan.ts` for what is cut
 * and why). Safety rules, in order:
 *
 * 1. A refused plan is never applied.
 * 2. With `output`, the input is only read: the repaired copy (a file, or for a multi-part
 *    set a directory holding the manifest and every file, the last one cut) is written there
 *    atomically.
 * 3. In place, the file must be exactly as it was when planned (size, mtime, inode): a server
 *    still appending would otherwise lose what it wrote since.
 * 4. A backup is made first (a hard link when possible, otherwise a flushed copy); if it
 *    cannot be made nothing is changed (`UNSAFE_WRITE`). Going without one takes an explicit
 *    `backup: false`.
 * 5. Through a symbolic link, the file it points to is cut and backed up (next to it by
 *    default), and the link is left a link — never replaced by a regular file. A link that
 *    leaves its directory is only written through when the plan was made with
 *    `followSymlinks`, and only if it still points where it pointed when planned.
 * 6. The kept prefix is written to a temporary file beside the original, flushed, and renamed
 *    over it; the directory is flushed. A crash at any point leaves the old or the new file.
 * 7. The result is read back and must check clean.
 *
 * {@link plannedWrites} says beforehand what will be written where.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { scanPath } from '../pipeline/scan-input.js';
import { scanFile } from '../pipeline/scan-file.js';
import { openSource } from '../io/source.js';
import {
  baseBytes,
  describeFsError,
  dirOf,
  fileIdentity,
  fsErrorCode,
  joinPath,
  linkOrCopy,
  sameVersion,
  writeDirectoryAtomic,
  writePrefixAtomic,
  type BackupMethod,
  type DirectoryEntry,
  type FileIdentity,
  type FsPath,
} from '../io/atomic-write.js';
import { CorruptDataError, InputError, LimitError, RdbtoolError, UsageError } from '../errors.js';
import type { RepairDamage, RepairPlan } from './repair-plan.js';

export { planRepair, readTimestampAnnotation, describeDamage } from './repair-plan.js';
export type {
  RepairPlan,
  RepairPlanOptions,
  RepairAction,
  RepairRefusal,
  RepairTimestamp,
  RepairDamage,
  RepairTarget,
  RepairFileInfo,
  RepairInternal,
} from './repair-plan.js';

/** One thing {@link applyRepair} writes, as {@link plannedWrites} announces it. */
export interface RepairWrite {
  /**
   * `cut`: a file replaced in place by its kept bytes (through a temporary file beside it);
   * `backup`: the backup made first; `copy`: a new file; `directory`: a new directory holding
   * the manifest and every file of a multi-part set.
   */
  kind: 'cut' | 'backup' | 'copy' | 'directory';
  /** The path written; for `backup`, the directory the backup goes in. */
  path: string;
  /** For a `cut` through a symbolic link: the link's name, which is left as it is. */
  via: string | null;
}

/** Options of {@link applyRepair}. */
export interface ApplyRepairOptions {
  /**
   * Write the repaired copy here and leave the input untouched: a file for a single-file
   * input, a directory (new, or empty) for a multi-part set.
   */
  output?: string;
  /** Keep a backup before changing a file in place (default true). */
  backup?: boolean;
  /** Where backups go (created if needed); default: next to the file. */
  backupDir?: string;
  /** The time used in the backup's name (default now). */
  now?: Date;
}

/** The backup made before a file was changed. */
export interface RepairBackup {
  /** Its path. */
  path: string;
  /** `link`: a hard link to the original (same inode); `copy`: a byte copy, flushed. */
  method: BackupMethod;
}

/** The repaired result, read back. */
export interface RepairVerification {
  /** True when every file checks clean (ok or empty, none missing). */
  clean: boolean;
  /** Files read. */
  files: number;
  /** The first problem found, when not clean. */
  damage: RepairDamage | null;
}

/** What {@link applyRepair} did. */
export interface RepairResult {
  /** True when a file or directory was written. */
  changed: boolean;
  /** True when the input itself was changed. */
  inPlace: boolean;
  /** What was written: the repaired file (in place), the output file or directory; null when nothing. */
  written: string | null;
  /** The backup, when one was made. */
  backup: RepairBackup | null;
  /** Size of the cut file before and after (null when nothing was cut). */
  bytesBefore: number | null;
  bytesAfter: number | null;
  /** The result read back; null when nothing was written. */
  verified: RepairVerification | null;
}

/**
 * Applies a plan (see the module comment for the safety rules).
 * @throws for a refused plan: CorruptDataError (the damage's code), LimitError (`max-loss`) or
 *   UsageError (a timestamp cut that cannot be made); UsageError for contradictory options or
 *   an output that is the input; RdbtoolError `UNSAFE_WRITE` when the input changed since it
 *   was planned or the backup cannot be made; InputError when the output cannot be written.
 *   The input is unchanged whenever this throws.
 */
export async function applyRepair(plan: RepairPlan, opts: ApplyRepairOptions = {}): Promise<RepairResult> {
  if (plan.action === 'refuse') throw refusalError(plan);
  const output = outputOf(plan, opts);
  if (output !== undefined) {
    if (opts.backup === false || opts.backupDir !== undefined) throw new UsageError('backups apply to repairs in place, not to a copy written elsewhere');
    return plan.form === 'multipart' ? writeSetCopy(plan, output) : writeFileCopy(plan, output);
  }
  if (opts.backup === false && opts.backupDir !== undefined) throw new UsageError('a backup directory was given but backups are turned off');
  const none: RepairResult = { changed: false, inPlace: false, written: null, backup: null, bytesBefore: null, bytesAfter: null, verified: null };
  if (plan.action === 'none') return none;

  const t = plan.target!;
  const identity = plan.internal.parts[t.index].identity!;
  await assertUnchanged(t.path, identity, t.name);
  // Through a symbolic link, the file it points to is the one cut (the link stays a link).
  const file = await realFile(t.path, t.name);
  await assertLinkAsPlanned(plan, file);
  const backup = opts.backup === false ? null : await makeBackup(file, t.name, identity, opts);
  await writePrefixAtomic(file, file, plan.cutOffset!, {
    mode: identity.mode,
    uid: identity.uid,
    gid: identity.gid,
    beforeCommit: () => assertUnchanged(file, identity, t.name),
  });
  return {
    changed: true,
    inPlace: true,
    written: t.name,
    backup,
    bytesBefore: identity.size,
    bytesAfter: plan.cutOffset,
    // Only the cut file changed: it is the one read back (the others were read when planning).
    verified: await verifyFile(file, t.name, plan),
  };
}

/**
 * What applying `plan` with `opts` writes, in order: for a cut in place, the backup (unless
 * `backup: false`) and the file cut — through a symbolic link, the file it points to; for an
 * `output`, the new file or directory. Empty when nothing is written (a refused plan, or
 * nothing to cut in place).
 * @throws UsageError when `opts.output` contradicts the plan's.
 */
export function plannedWrites(plan: RepairPlan, opts: Pick<ApplyRepairOptions, 'output' | 'backup' | 'backupDir'> = {}): RepairWrite[] {
  if (plan.action === 'refuse') return [];
  const output = outputOf(plan, opts);
  if (output !== undefined) return [{ kind: plan.form === 'multipart' ? 'directory' : 'copy', path: output, via: null }];
  if (plan.action !== 'truncate') return [];
  const t = plan.target!;
  const file = t.link?.resolved ?? String(t.path);
  const cut: RepairWrite = { kind: 'cut', path: file, via: t.link ? t.name : null };
  if (opts.backup === false) return [cut];
  return [{ kind: 'backup', path: opts.backupDir ?? path.dirname(file), via: null }, cut];
}

/** The output of a repair: the option given to apply, or the one the plan was made for. */
function outputOf(plan: RepairPlan, opts: Pick<ApplyRepairOptions, 'output'>): string | undefined {
  if (opts.output !== undefined && plan.output !== null && path.resolve(opts.output) !== path.resolve(plan.output)) {
    throw new UsageError(`the plan was made for the output ${plan.output}, not ${opts.output}`);
  }
  return opts.output ?? plan.output ?? undefined;
}

/**
 * Refuses a cut in place that would not write where the plan said: through a link out of its
 * directory without `followSymlinks` (the plan refuses that itself; this guards a plan made
 * for a copy), through a link that now points elsewhere, or through a link that appeared since.
 * @throws RdbtoolError UNSAFE_WRITE.
 */
async function assertLinkAsPlanned(plan: RepairPlan, real: FsPath): Promise<void> {
  const t = plan.target!;
  const fail = (why: string) => new RdbtoolError('UNSAFE_WRITE', `${why}; nothing was changed`, { file: t.name });
  const link = t.link;
  if (link === null) {
    const st = await fsp.lstat(t.path).catch(() => null);
    if (st?.isSymbolicLink()) throw fail('the file became a symbolic link since it was planned');
    return;
  }
  if (link.leavesDirectory && !plan.followSymlinks) throw fail(`it is a symbolic link to ${link.resolved ?? link.target}, outside its directory, and following it was not allowed`);
  if (link.resolved === null || String(real) !== link.resolved) {
    throw fail(`the symbolic link now leads to ${String(real)}, not to ${link.resolved ?? link.target} as when it was planned`);
  }
}

/** A single file: the kept prefix (or the whole file when nothing is cut) written to `output`. */
async function writeFileCopy(plan: RepairPlan, output: string): Promise<RepairResult> {
  const index = plan.target?.index ?? 0;
  const { ref, identity } = plan.internal.parts[index];
  if (!identity) throw new InputError('the file is missing', { file: ref.name });
  await assertNotInput(output, ref.path, identity, ref.name);
  const keep = plan.action === 'truncate' ? plan.cutOffset! : identity.size;
  await writePrefixAtomic(output, ref.path, keep, { mode: identity.mode, beforeCommit: () => assertUnchanged(ref.path, identity, ref.name) });
  return {
    changed: true,
    inPlace: false,
    written: output,
    backup: null,
    bytesBefore: plan.action === 'truncate' ? identity.size : null,
    bytesAfter: plan.action === 'truncate' ? keep : null,
    verified: await verify(output, plan),
  };
}

/** A multi-part set: a new directory with the manifest and every file, the target cut. */
async function writeSetCopy(plan: RepairPlan, output: string): Promise<RepairResult> {
  const manifest = plan.manifestPath!;
  const manifestIdentity = plan.internal.manifestIdentity!;
  if (path.resolve(output) === path.resolve(path.dirname(manifest))) throw new UsageError(`the output directory ${output} is the input directory`);
  const entries: DirectoryEntry[] = [{ name: path.basename(manifest), source: manifest, length: manifestIdentity.size }];
  for (let i = 0; i < plan.internal.parts.length; i++) {
    const { ref, identity } = plan.internal.parts[i];
    if (!identity) throw new InputError('the file is missing', { file: ref.name });
    const cut = plan.action === 'truncate' && plan.target!.index === i;
    entries.push({ name: baseBytes(ref.path), source: ref.path, length: cut ? plan.cutOffset! : identity.size });
  }
  await writeDirectoryAtomic(output, entries, {
    beforeCommit: async () => {
      await assertUnchanged(manifest, manifestIdentity, manifest);
      for (const { ref, identity } of plan.internal.parts) await assertUnchanged(ref.path, identity!, ref.name);
    },
  });
  const t = plan.action === 'truncate' ? plan.target! : null;
  return {
    changed: true,
    inPlace: false,
    written: output,
    backup: null,
    bytesBefore: t ? t.bytes : null,
    bytesAfter: t ? plan.cutOffset : null,
    verified: await verify(output, plan),
  };
}

/**
 * Refuses to go on when a file is not the version that was planned.
 * @throws RdbtoolError UNSAFE_WRITE.
 */
async function assertUnchanged(file: FsPath, planned: FileIdentity, name: string): Promise<void> {
  let now: FileIdentity;
  try {
    now = await fileIdentity(file);
  } catch (e) {
    throw new RdbtoolError('UNSAFE_WRITE', 'the file is gone since it was planned; nothing was changed', { file: name, cause: e });
  }
  if (!sameVersion(planned, now)) {
    throw new RdbtoolError('UNSAFE_WRITE', 'the file changed since it was planned (is a server still writing to it?); nothing was changed', {
      file: name,
      expected: `${planned.size} bytes, unchanged`,
      found: `${now.size} bytes${now.size === planned.size ? ', modified' : ''}`,
    });
  }
}

/** The path with symbolic links resolved. @throws RdbtoolError UNSAFE_WRITE when that fails. */
async function realFile(file: FsPath, name: string): Promise<FsPath> {
  try {
    return typeof file === 'string' ? await fsp.realpath(file) : await fsp.realpath(file, { encoding: 'buffer' });
  } catch (e) {
    throw new RdbtoolError('UNSAFE_WRITE', `cannot resolve the path: ${describeFsError(e)}; nothing was changed`, { file: name, cause: e });
  }
}

/** @throws UsageError when `output` is the input file (same path, or the same inode). */
async function assertNotInput(output: string, input: FsPath, identity: FileIdentity, name: string): Promise<void> {
  const same = typeof input === 'string' && path.resolve(output) === path.resolve(input);
  const st = await fsp.stat(output, { bigint: true }).catch(() => null);
  if (same || (st && st.ino === identity.ino && st.dev === identity.dev)) {
    throw new UsageError(`the output ${output} is the input ${name}: leave out -o to repair in place (with a backup)`);
  }
}

/** `20250102T030405Z`: a UTC time for file names (sortable, no `:`). */
export function backupStamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * Makes `<backupDir or the file's dir>/<name>.<UTC stamp>.bak` (a numeric suffix is added if
 * that exists) and checks it holds the planned version.
 * @throws RdbtoolError UNSAFE_WRITE when it cannot be made.
 */
async function makeBackup(file: FsPath, name: string, identity: FileIdentity, opts: ApplyRepairOptions): Promise<RepairBackup> {
  const fail = (why: string, cause?: unknown) =>
    new RdbtoolError('UNSAFE_WRITE', `cannot make a backup, so nothing was changed: ${why}`, {
      file: name,
      cause,
      expected: 'a backup copy (use --backup-dir DIR to put it elsewhere)',
    });
  const dir: FsPath = opts.backupDir ?? dirOf(file);
  if (opts.backupDir !== undefined) {
    try {
      await fsp.mkdir(opts.backupDir, { recursive: true });
    } catch (e) {
      throw fail(`${opts.backupDir}: ${describeFsError(e)}`, e);
    }
  }
  const stem = Buffer.concat([baseBytes(file), Buffer.from(`.${backupStamp(opts.now ?? new Date())}`)]);
  for (let n = 0; n < 100; n++) {
    const fileName = Buffer.concat([stem, Buffer.from(n === 0 ? '.bak' : `.${n}.bak`)]);
    const target = joinPath(dir, typeof dir === 'string' && isUtf8(fileName) ? fileName.toString('utf8') : fileName);
    let method: BackupMethod;
    try {
      method = await linkOrCopy(file, target);
    } catch (e) {
      if (fsErrorCode(e) === 'EEXIST') continue;
      throw fail(`${String(target)}: ${describeFsError(e)}`, e);
    }
    const made = await fileIdentity(target).catch((e: unknown) => {
      throw fail(`${String(target)} cannot be read back`, e);
    });
    const exact = method === 'link' ? made.ino === identity.ino && made.dev === identity.dev : made.size === identity.size;
    if (!exact || !sameVersion(identity, await fileIdentity(file))) throw fail(`${String(target)} does not match the file (did it change?)`);
    return { path: String(target), method };
  }
  throw fail('too many backups with the same name');
}

function isUtf8(b: Buffer): boolean {
  return Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** Reads one repaired file back. */
async function verifyFile(file: FsPath, name: string, plan: RepairPlan): Promise<RepairVerification> {
  const s = await scanFile(await openSource(file, undefined, name), {}, { limits: plan.internal.limits });
  return { clean: s.problem === null, files: 1, damage: s.problem && { file: name, ...s.problem } };
}

/** Reads a written copy back (a file, or a whole multi-part set). */
async function verify(given: string, plan: RepairPlan): Promise<RepairVerification> {
  const scan = await scanPath(given, {}, { limits: plan.internal.limits });
  let damage: RepairDamage | null = null;
  for (const f of scan.files) {
    if (f.problem) {
      damage = { file: f.part.name, ...f.problem };
      break;
    }
  }
  return { clean: damage === null, files: scan.files.length, damage };
}

/** The error a refused plan is applied with. */
function refusalError(plan: RepairPlan): RdbtoolError {
  const d = plan.damage;
  const at = { file: d?.file ?? plan.target?.name ?? plan.input, offset: d?.offset };
  switch (plan.refusal) {
    case 'max-loss':
      return new LimitError(plan.reason, { file: plan.target?.name, offset: plan.cutOffset ?? undefined });
    case 'nothing-before-timestamp':
    case 'timestamp-not-last-file':
      return new UsageError(plan.reason, at);
    default:
      return new CorruptDataError(d?.code ?? 'TRUNCATED', plan.reason, { ...at, expected: d?.expected, found: d?.found });
  }
}
