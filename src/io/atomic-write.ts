/**
 * Crash-safe file replacement, for tools that change persistence files (`repair`).
 *
 * A file is never rewritten where it lies: the new content goes to a temporary file in the
 * same directory, which is flushed to disk (`fsync`) and then renamed over the old name, and
 * the directory is flushed so the rename itself survives a crash. At every moment the name
 * points at either the complete old file or the complete new one. A directory of files is
 * written the same way: into a temporary sibling directory, renamed into place at the end.
 *
 * Backups are hard links when possible (an exact copy that costs nothing, since the old
 * inode survives the rename), otherwise byte copies flushed to disk.
 *
 * A target that is a symbolic link is refused: the rename would silently put a regular file
 * in the link's place (and leave the file it points to as it was). Callers that mean the file
 * behind the link resolve it first.
 *
 * Paths may be strings or raw bytes (`Buffer`): a manifest may name files that are not UTF-8.
 */
import { constants as fsc, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InputError } from '../errors.js';
import { describeFsError, fsErrorCode } from './fs-error.js';

export { describeFsError, fsErrorCode };

/** A path as the file system takes it: text, or raw bytes. */
export type FsPath = string | Buffer;

/** Bytes copied per read/write. */
const COPY_CHUNK_BYTES = 1 << 20;

/** What identifies one version of a file: if any of these change, the file was touched. */
export interface FileIdentity {
  /** Size in bytes. */
  size: number;
  /** Last modification, in nanoseconds since the epoch. */
  mtimeNs: bigint;
  /** Inode and device: a file replaced under the same name has another inode. */
  ino: bigint;
  dev: bigint;
  /** Permission bits and owner, carried over to a replacement. */
  mode: number;
  uid: number;
  gid: number;
}

/** Reads the identity of a file. @throws InputError when it cannot be stat'ed. */
export async function fileIdentity(file: FsPath): Promise<FileIdentity> {
  let st;
  try {
    st = await fsp.stat(file, { bigint: true });
  } catch (e) {
    throw new InputError(`cannot stat: ${describeFsError(e)}`, { file: String(file), cause: e });
  }
  return { size: Number(st.size), mtimeNs: st.mtimeNs, ino: st.ino, dev: st.dev, mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid) };
}

/** True when both identities describe the same, unchanged file (size, mtime, inode, device). */
export function sameVersion(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino && a.dev === b.dev;
}

/** The directory part of a path (`.` for a bare name); works on raw byte paths too. */
export function dirOf(p: FsPath): FsPath {
  if (typeof p === 'string') return path.dirname(p);
  const i = p.lastIndexOf(0x2f);
  return i < 0 ? '.' : i === 0 ? '/' : p.subarray(0, i);
}

/** The last component of a path, as bytes. */
export function baseBytes(p: FsPath): Buffer {
  if (typeof p === 'string') return Buffer.from(path.basename(p));
  const i = p.lastIndexOf(0x2f);
  return i < 0 ? p : p.subarray(i + 1);
}

/** `dir/name` for text or byte paths; the result is text when both parts are. */
export function joinPath(dir: FsPath, name: FsPath): FsPath {
  if (typeof dir === 'string' && typeof name === 'string') return path.join(dir, name);
  return Buffer.concat([Buffer.from(dir), Buffer.from('/'), Buffer.from(name)]);
}

/** `dir/.<base>.<tag>-<pid>-<random>`: a hidden sibling that cannot collide with a real file. */
export function tempSibling(target: FsPath, tag: string): FsPath {
  const suffix = `.${tag}-${process.pid}-${randomBytes(6).toString('hex')}`;
  const name = Buffer.concat([Buffer.from('.'), baseBytes(target), Buffer.from(suffix)]);
  const dir = dirOf(target);
  return typeof target === 'string' ? path.join(dir as string, name.toString()) : joinPath(dir, name);
}

/** Flushes a directory's entries to disk (file systems that cannot do that are ignored). */
export async function fsyncDirectory(dir: FsPath): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, fsc.O_RDONLY);
    await fh.sync();
  } catch (e) {
    const code = fsErrorCode(e);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'ENOTSUP') {
      throw new InputError(`cannot flush the directory: ${describeFsError(e)}`, { file: String(dir), cause: e });
    }
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Copies bytes `[0, length)` of `src` to the current position of `dst`.
 * @throws InputError when the source is shorter than `length`.
 */
async function copyPrefix(src: FileHandle, dst: FileHandle, length: number, srcName: string): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(COPY_CHUNK_BYTES, length)));
  let pos = 0;
  while (pos < length) {
    const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, length - pos), pos);
    if (bytesRead === 0) {
      throw new InputError('the file became shorter while it was copied', { file: srcName, offset: pos, expected: `${length} bytes`, found: `${pos} bytes` });
    }
    let done = 0;
    while (done < bytesRead) done += (await dst.write(buf, done, bytesRead - done)).bytesWritten;
    pos += bytesRead;
  }
}

/** What {@link writePrefixAtomic} and {@link writeDirectoryAtomic} accept. */
export interface AtomicWriteOptions {
  /** Permission bits for the new file (default: 0o644 minus the umask). */
  mode?: number;
  /** Owner for the new file; a failure to change it (not root) is ignored. */
  uid?: number;
  gid?: number;
  /**
   * Awaited once the new content is complete and on disk, just before it is renamed into
   * place. Throwing aborts: the temporary file is removed and the target is left as it was.
   */
  beforeCommit?: () => Promise<void> | void;
}

/**
 * Refuses a target that is a symbolic link (see the module comment).
 * @throws InputError.
 */
export async function refuseLink(target: FsPath): Promise<void> {
  const st = await fsp.lstat(target).catch(() => null);
  if (st?.isSymbolicLink()) {
    throw new InputError('is a symbolic link: writing here would replace the link by a regular file; name the file it points to instead', {
      file: String(target),
      expected: 'a regular file, a directory or a new name',
      found: 'a symbolic link',
    });
  }
}

/**
 * Replaces `target` with the first `length` bytes of `source` (which may be `target` itself):
 * write to a temporary file beside `target`, fsync it, rename it over `target`, fsync the
 * directory. On any failure the temporary file is removed and `target` is untouched.
 * @throws InputError when `target` is a symbolic link (checked first, and again just before
 *   the rename), or when anything cannot be read or written; whatever `beforeCommit` throws.
 */
export async function writePrefixAtomic(target: FsPath, source: FsPath, length: number, opts: AtomicWriteOptions = {}): Promise<void> {
  await refuseLink(target);
  const temp = tempSibling(target, 'rdbtool-tmp');
  const shown = String(target);
  let src: FileHandle | undefined;
  let dst: FileHandle | undefined;
  let committed = false;
  try {
    try {
      src = await fsp.open(source, 'r');
    } catch (e) {
      throw new InputError(`cannot open: ${describeFsError(e)}`, { file: String(source), cause: e });
    }
    try {
      dst = await fsp.open(temp, 'wx', opts.mode ?? 0o644);
    } catch (e) {
      throw new InputError(`cannot create a file next to it: ${describeFsError(e)}`, { file: shown, cause: e });
    }
    await ioStep(shown, async () => {
      await copyPrefix(src!, dst!, length, String(source));
      if (opts.mode !== undefined) await dst!.chmod(opts.mode & 0o7777);
      if (opts.uid !== undefined && opts.gid !== undefined) await dst!.chown(opts.uid, opts.gid).catch(() => undefined);
      await dst!.sync();
    });
    await dst.close();
    dst = undefined;
    await opts.beforeCommit?.();
    await refuseLink(target);
    await ioStep(shown, () => fsp.rename(temp, target));
    committed = true;
    await fsyncDirectory(dirOf(target));
  } finally {
    await src?.close().catch(() => undefined);
    await dst?.close().catch(() => undefined);
    if (!committed) await fsp.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** One file of a directory written by {@link writeDirectoryAtomic}. */
export interface DirectoryEntry {
  /** The file name inside the directory (no `/`). */
  name: FsPath;
  /** Where its bytes come from. */
  source: FsPath;
  /** How many bytes of `source` to take, from its start. */
  length: number;
}

/**
 * Creates directory `dir` holding `entries`, atomically: everything is written and flushed
 * into a temporary sibling directory, which is then renamed to `dir`. `dir` must not exist or
 * be an empty directory.
 * @throws InputError when `dir` exists and is not an empty directory (a symbolic link to one
 *   included), or on any I/O failure (the temporary directory is then removed); whatever
 *   `beforeCommit` throws.
 */
export async function writeDirectoryAtomic(dir: string, entries: readonly DirectoryEntry[], opts: Pick<AtomicWriteOptions, 'beforeCommit'> = {}): Promise<void> {
  await refuseLink(dir);
  let existing: Stats | null = null;
  try {
    existing = await fsp.stat(dir);
  } catch (e) {
    if (fsErrorCode(e) !== 'ENOENT') throw new InputError(`cannot use as the output directory: ${describeFsError(e)}`, { file: dir, cause: e });
  }
  if (existing && !existing.isDirectory()) throw new InputError('the output exists and is not a directory', { file: dir });
  if (existing && (await fsp.readdir(dir)).length > 0) throw new InputError('the output directory exists and is not empty', { file: dir });
  const temp = tempSibling(dir, 'rdbtool-tmpdir') as string;
  let committed = false;
  try {
    await ioStep(dir, () => fsp.mkdir(temp, { mode: 0o755 }));
    for (const e of entries) {
      const to = joinPath(temp, e.name);
      let src: FileHandle | undefined;
      let dst: FileHandle | undefined;
      try {
        try {
          src = await fsp.open(e.source, 'r');
        } catch (err) {
          throw new InputError(`cannot open: ${describeFsError(err)}`, { file: String(e.source), cause: err });
        }
        await ioStep(dir, async () => {
          dst = await fsp.open(to, 'wx', 0o644);
          await copyPrefix(src!, dst, e.length, String(e.source));
          await dst.sync();
        });
      } finally {
        await src?.close().catch(() => undefined);
        await dst?.close().catch(() => undefined);
      }
    }
    await fsyncDirectory(temp);
    await opts.beforeCommit?.();
    await ioStep(dir, () => fsp.rename(temp, dir));
    committed = true;
    await fsyncDirectory(path.dirname(dir));
  } finally {
    if (!committed) await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** How {@link linkOrCopy} made the copy. */
export type BackupMethod = 'link' | 'copy';

/**
 * Makes `dst` an exact copy of `src`, which must not exist yet: a hard link when both are on
 * the same file system (the same inode: exact and free), otherwise a byte copy, fsync'ed. The
 * directory of `dst` is flushed either way.
 * @throws the file-system error (code `EEXIST` when `dst` exists), so callers can pick
 *   another name or report.
 */
export async function linkOrCopy(src: FsPath, dst: FsPath): Promise<BackupMethod> {
  let method: BackupMethod = 'link';
  try {
    await fsp.link(src, dst);
  } catch (e) {
    const code = fsErrorCode(e);
    // Cross-device, or a file system without hard links: copy instead.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'ENOSYS') throw e;
    method = 'copy';
    await copyExclusive(src, dst);
  }
  await fsyncDirectory(dirOf(dst));
  return method;
}

/** A byte copy of `src` into a new file `dst` (exclusive create), with the same mode, fsync'ed. */
async function copyExclusive(src: FsPath, dst: FsPath): Promise<void> {
  const st = await fsp.stat(src);
  const from = await fsp.open(src, 'r');
  let to: FileHandle | undefined;
  let ok = false;
  try {
    to = await fsp.open(dst, 'wx', st.mode & 0o7777);
    await copyPrefix(from, to, st.size, String(src));
    await to.sync();
    ok = true;
  } finally {
    await from.close().catch(() => undefined);
    await to?.close().catch(() => undefined);
    if (!ok && to) await fsp.rm(dst, { force: true }).catch(() => undefined);
  }
}

/** Runs a file-system step; errors that are not already typed become InputErrors on `file`. */
async function ioStep<T>(file: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write: ${describeFsError(e)}`, { file, cause: e });
  }
}
