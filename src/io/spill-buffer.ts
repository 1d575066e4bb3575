/**
 * Bytes held to be written later, when what comes before them is not known yet (a quicklist's
 * node count precedes its nodes, but is known only once the last item is encoded): in memory
 * up to a bound, and past it in a temporary file, so that a list of any size costs no more
 * memory than the bound.
 *
 * The file is made in the system's temporary directory and unlinked as soon as it is open
 * where the system allows it (its space is freed when it is closed, even if the process is
 * killed); elsewhere it is removed by {@link SpillBuffer.close}. Reads and writes are
 * synchronous: they happen inside one value's encoding, between two chunks of the input.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError, UsageError } from '../errors.js';
import { describeFsError } from './fs-error.js';

/** Bytes a {@link SpillBuffer} keeps in memory before it starts its file (default). */
export const SPILL_MEMORY_BYTES = 4 * 1024 * 1024;
/** Size of the pieces the file is read back in. */
const READ_BYTES = 1024 * 1024;

/** Bytes kept for later: in memory up to a bound, then in a temporary file. */
export class SpillBuffer {
  private readonly held: Uint8Array[] = [];
  private heldBytes = 0;
  private fd = -1;
  /** The file's path while it is linked (it could not be unlinked while open), else null. */
  private linked: string | null = null;
  private fileBytes = 0;
  private closed = false;

  /**
   * @param memoryBytes bytes kept in memory before the rest goes to a file
   * @param dir where the temporary file is made (default the system's temporary directory)
   */
  constructor(
    private readonly memoryBytes = SPILL_MEMORY_BYTES,
    private readonly dir = os.tmpdir(),
  ) {}

  /** Bytes held in all. */
  get bytes(): number {
    return this.heldBytes + this.fileBytes;
  }

  /** True once some bytes went to the file. */
  get spilled(): boolean {
    return this.fd >= 0;
  }

  /**
   * Adds bytes at the end. The array is kept as it is while in memory: the caller must not
   * change it afterwards.
   * @throws InputError when the temporary file cannot be made or written
   */
  write(b: Uint8Array): void {
    if (this.closed) throw new UsageError('SpillBuffer: write after close');
    if (b.length === 0) return;
    if (this.fd < 0 && this.heldBytes + b.length <= this.memoryBytes) {
      this.held.push(b);
      this.heldBytes += b.length;
      return;
    }
    if (this.fd < 0) this.open();
    this.append(b);
  }

  /**
   * The bytes, in order, in pieces: the ones in memory, then the file's in fresh arrays of up to
   * 1 MiB (the caller may keep them).
   * @throws InputError when the file cannot be read back
   */
  *pieces(): Generator<Uint8Array> {
    yield* this.held;
    if (this.fd < 0) return;
    for (let at = 0; at < this.fileBytes; ) {
      const buf = new Uint8Array(Math.min(READ_BYTES, this.fileBytes - at));
      let got = 0;
      while (got < buf.length) {
        const n = this.io('read', () => readSync(this.fd, buf, got, buf.length - got, at + got));
        if (n === 0) throw new InputError('cannot read: the temporary file ended early', { file: this.shown(), offset: at + got });
        got += n;
      }
      at += got;
      yield buf;
    }
  }

  /** Drops the bytes and the file. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held.length = 0;
    this.heldBytes = 0;
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // Nothing is lost: the bytes were only for this writer.
      }
      this.fd = -1;
    }
    if (this.linked !== null) {
      try {
        unlinkSync(this.linked);
      } catch {
        // Already gone.
      }
      this.linked = null;
    }
  }

  private open(): void {
    const file = path.join(this.dir, `rdbtool-spill-${process.pid}-${randomBytes(6).toString('hex')}`);
    this.fd = this.io('create', () => openSync(file, 'wx+', 0o600), file);
    try {
      unlinkSync(file);
    } catch {
      // A system that cannot unlink an open file: removed on close.
      this.linked = file;
    }
    // What was in memory goes first.
    for (const b of this.held) this.append(b);
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private append(b: Uint8Array): void {
    for (let done = 0; done < b.length; ) {
      done += this.io('write', () => writeSync(this.fd, b, done, b.length - done, this.fileBytes + done));
    }
    this.fileBytes += b.length;
  }

  private shown(file?: string): string {
    return file ?? this.linked ?? path.join(this.dir, 'rdbtool-spill-*');
  }

  private io<T>(what: 'create' | 'write' | 'read', f: () => T, file?: string): T {
    try {
      return f();
    } catch (e) {
      throw new InputError(`cannot ${what} a temporary file: ${describeFsError(e)}`, { file: this.shown(file), cause: e });
    }
  }
}
