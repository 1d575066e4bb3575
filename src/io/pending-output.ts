/**
 * Output that appears under its name only once it is complete: a file or a directory of files
 * is written under a hidden temporary sibling name, flushed to disk, and renamed into place by
 * {@link PendingOutput.commit}. Until then nothing exists under the target name; a failed or
 * aborted write ({@link PendingOutput.discard}) removes the temporary and leaves the target as
 * it was. The sibling lives in the target's directory, so the rename never crosses file systems.
 *
 * A file target may exist (it is replaced, as `mv` would); a directory target must not exist
 * or be empty (a directory is not merged into). A target that is a symbolic link is refused.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { describeFsError, fsErrorCode, fsyncDirectory, refuseLink, tempSibling } from './atomic-write.js';
import { openFileSink, type ByteSink } from './byte-sink.js';

/** A file or directory being written under a temporary name. */
export class PendingOutput {
  private readonly sinks: { path: string; sink: ByteSink }[] = [];
  private settled = false;

  private constructor(
    /** The name the output gets on commit. */
    readonly target: string,
    /** The temporary name it is written under. */
    readonly temp: string,
    readonly kind: 'file' | 'directory',
  ) {}

  /**
   * Starts a file output: `sink` writes the temporary file.
   * @throws InputError when the target is a symbolic link or a directory, or the temporary file cannot be created
   */
  static async file(target: string): Promise<{ output: PendingOutput; sink: ByteSink }> {
    await refuseLink(target);
    const st = await fsp.stat(target).catch(() => null);
    if (st?.isDirectory()) throw new InputError('the output is a directory; name a file', { file: target, expected: 'a file name', found: 'a directory' });
    const out = new PendingOutput(target, tempSibling(target, 'rdbtool-tmp') as string, 'file');
    const sink = await out.open(out.temp);
    return { output: out, sink };
  }

  /**
   * Starts a directory output; files are added with {@link addFile}.
   * @throws InputError when the target exists and is not an empty directory, or the temporary directory cannot be made
   */
  static async directory(target: string): Promise<PendingOutput> {
    await refuseLink(target);
    let st = null;
    try {
      st = await fsp.stat(target);
    } catch (e) {
      if (fsErrorCode(e) !== 'ENOENT') throw new InputError(`cannot use as the output directory: ${describeFsError(e)}`, { file: target, cause: e });
    }
    if (st && !st.isDirectory()) throw new InputError('the output exists and is not a directory', { file: target, expected: 'a new or empty directory', found: 'a file' });
    if (st && (await fsp.readdir(target)).length > 0) {
      throw new InputError('the output directory exists and is not empty', { file: target, expected: 'a new or empty directory', found: 'a directory with files' });
    }
    const out = new PendingOutput(target, tempSibling(target, 'rdbtool-tmpdir') as string, 'directory');
    await step(target, () => fsp.mkdir(out.temp, { mode: 0o755 }));
    return out;
  }

  /** A sink writing file `name` (no `/`) of a directory output. */
  async addFile(name: string): Promise<ByteSink> {
    if (this.kind !== 'directory') throw new InputError('a file output holds one file', { file: this.target });
    return this.open(path.join(this.temp, name));
  }

  private async open(file: string): Promise<ByteSink> {
    const sink = await openFileSink(file);
    this.sinks.push({ path: file, sink });
    return sink;
  }

  /**
   * Closes every sink, flushes the files and their directory to disk, and renames the output
   * into place. On failure the temporary is removed and the error thrown.
   * @throws InputError on any I/O failure, or when the target became a symbolic link meanwhile
   */
  async commit(): Promise<void> {
    if (this.settled) throw new InputError('the output was already committed or discarded', { file: this.target });
    try {
      for (const { path: p, sink } of this.sinks) {
        await sink.close();
        await step(this.target, async () => {
          const fh = await fsp.open(p, 'r+');
          try {
            await fh.sync();
          } finally {
            await fh.close();
          }
        });
      }
      if (this.kind === 'directory') await fsyncDirectory(this.temp);
      await refuseLink(this.target);
      if (this.kind === 'directory') {
        // An empty directory may stand at the target: rename replaces it only when empty.
        await fsp.rmdir(this.target).catch(() => undefined);
      }
      await step(this.target, () => fsp.rename(this.temp, this.target));
      this.settled = true;
      await fsyncDirectory(path.dirname(path.resolve(this.target)));
    } catch (e) {
      await this.discard();
      throw e;
    }
  }

  /** Closes what is open and removes the temporary (the target is left as it was). Never throws. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const { sink } of this.sinks) await sink.close().catch(() => undefined);
    await fsp.rm(this.temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function step<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write: ${describeFsError(e)}`, { file, cause: e });
  }
}
