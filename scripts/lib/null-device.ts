/**
 * Where the bench sends the output it does not read. `/dev/null` when it is the null device;
 * on a machine where `/dev/null` has become a regular file (something deleted the device and
 * a later `> /dev/null` created a file in its place), every byte written there is stored, and
 * the commands that write gigabytes (convert, export) would be timed writing them into memory
 * while `redis-check-rdb` writes almost nothing. Then a null device of the bench's own is made
 * in its cache folder (`mknod`, which needs root), or, failing that, `/dev/null` is used with a
 * warning for the report.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** The path to write discarded output to, and a warning when it is not a null device. */
export interface NullDevice {
  path: string;
  warning: string | null;
}

function isCharDevice(p: string): boolean {
  try {
    return statSync(p).isCharacterDevice();
  } catch {
    return false;
  }
}

/** Finds or makes a null device (see the file comment), in `cacheDir` if need be. */
export function nullDevice(cacheDir: string): NullDevice {
  if (isCharDevice('/dev/null')) return { path: '/dev/null', warning: null };
  mkdirSync(cacheDir, { recursive: true });
  const own = path.join(cacheDir, 'null');
  if (!isCharDevice(own)) {
    try {
      rmSync(own, { force: true });
      // Major 1, minor 3: the memory devices' null.
      execFileSync('mknod', ['-m', '666', own, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      // Not root, or no mknod: fall through.
    }
  }
  if (isCharDevice(own)) return { path: own, warning: `/dev/null is not the null device on this machine (a regular file): output the bench discards went to ${path.relative(process.cwd(), own) || own}, a null device made for it` };
  return { path: '/dev/null', warning: '/dev/null is not the null device on this machine (a regular file) and none could be made (mknod needs root): commands that write much output were timed writing it into that file, so their rows are slower than on a normal machine' };
}
