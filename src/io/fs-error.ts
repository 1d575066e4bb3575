/**
 * File-system errors in words, for the messages of typed errors.
 */

const KNOWN: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  EXDEV: 'not on the same file system',
  EMFILE: 'too many open files',
};

/** A node error code (`ENOENT`, `EXDEV`, …) or undefined. */
export function fsErrorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** A short description of a file-system error: `no such file or directory (ENOENT)`. */
export function describeFsError(e: unknown): string {
  const code = fsErrorCode(e);
  if (code && KNOWN[code]) return `${KNOWN[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}
