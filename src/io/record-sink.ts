/**
 * Output that only ever lets whole records out. A writer hands it chunks of text as its
 * buffer fills, with no regard for where its records end, and tells it, at the end of each
 * record, how many bytes from the start of the output are whole ({@link RecordSink.commit}).
 * Bytes up to that mark go on to the {@link ByteSink}; bytes after it (the record still being
 * written) are held until the record is finished, or dropped when the input fails inside it
 * ({@link RecordSink.abandon}). So a reader of the output never sees a record cut in half.
 *
 * Memory stays flat however large one record is: the unfinished record is held in memory up
 * to `spillBytes` (default 4 MiB); past that, it and everything after it go to a temporary
 * file, which is copied to the sink piece by piece, waiting on the sink's backpressure, at
 * the next {@link RecordSink.drain} after the record is finished. The temporary file is
 * removed from its directory as soon as it is created (only the open descriptor refers to
 * it), so nothing is left behind even when the process is killed; where the system refuses
 * that (Windows), it is removed by {@link RecordSink.dispose}.
 *
 * The common path (records far smaller than the writer's chunks) costs one comparison per
 * chunk and one per record: a chunk whose bytes are all whole is passed on as it is; only
 * the unfinished record at the end of a chunk is copied.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { ByteSink } from './byte-sink.js';
import { describeFsError } from './fs-error.js';

/** Default size an unfinished record may reach in memory before it moves to a file: 4 MiB. */
export const DEFAULT_SPILL_BYTES = 4 << 20;

/** Pieces a finished record is copied from the temporary file to the sink in. */
const COPY_PIECE_BYTES = 1 << 20;

/** Options of {@link RecordSink}. */
export interface RecordSinkOptions {
  /**
   * Bytes of unfinished output held in memory; beyond this they are kept in a temporary file
   * until they are whole. Default {@link DEFAULT_SPILL_BYTES}.
   */
  spillBytes?: number;
  /** Directory of the temporary file. Default `os.tmpdir()`. */
  spillDir?: string;
}

/**
 * What a writer that marks its record ends needs of its output (a {@link RecordSink}).
 */
export interface RecordOutput {
  /** Bytes received so far (the writer's own buffer holds what comes after). */
  readonly received: number;
  /** Appends bytes; `done` is called once they are no longer needed (see {@link ByteSink.write}). */
  write(chunk: Uint8Array, done?: () => void): void;
  /** The first `upTo` bytes of the output, counted from its start, are whole records. */
  commit(upTo: number): void;
  /** Drops what came after the last commit (the writer has handed over all it built). */
  abandon(): void;
}

/** See the module notes. */
export class RecordSink implements RecordOutput {
  /** Bytes received from the writer (absolute, from the start of the output). */
  received = 0;
  /** Bytes known to be whole. */
  private committed = 0;
  /** Bytes passed on to the sink (or dropped by {@link abandon}); `[out, received)` is held. */
  private out = 0;
  /** Held bytes, in order, when they are in memory (own copies). */
  private held: Uint8Array[] = [];
  /** True while the held bytes are in the temporary file. */
  private spilling = false;
  /** Absolute offset of the temporary file's first byte. */
  private fileBase = 0;
  private fd: number | null = null;
  /** The temporary file's path while it still has a name (not yet removed). */
  private named: string | null = null;
  private readonly spillBytes: number;
  private readonly spillDir: string;
  /** How many times unfinished output moved to the temporary file (for tests and reports). */
  spills = 0;

  constructor(
    private readonly sink: ByteSink,
    opts: RecordSinkOptions = {},
  ) {
    this.spillBytes = Math.max(1, opts.spillBytes ?? DEFAULT_SPILL_BYTES);
    this.spillDir = opts.spillDir ?? os.tmpdir();
  }

  /** Bytes of unfinished output held in memory now (at most about `spillBytes`). */
  get heldBytes(): number {
    return this.spilling ? 0 : this.received - this.out;
  }

  /** Name of the sink, for messages. */
  get name(): string {
    return this.sink.name;
  }

  write(chunk: Uint8Array, done?: () => void): void {
    const start = this.received;
    const end = start + chunk.length;
    this.received = end;
    // The common case: nothing held and every byte of the chunk is whole.
    if (end <= this.committed && this.out === start && !this.spilling) {
      this.out = end;
      this.sink.write(chunk, done);
      return;
    }
    if (this.spilling) {
      this.fileWrite(chunk, start);
      done?.();
      return;
    }
    if (this.out < start) {
      // Something is held already, so nothing after it can go out yet.
      this.hold(chunk);
      done?.();
      return;
    }
    // Some bytes at the end are not whole (the fast path took the rest).
    const whole = Math.max(0, this.committed - start);
    this.out = start + whole;
    // The unfinished end is copied before the chunk is handed on (its buffer may be reused then).
    this.hold(chunk.subarray(whole));
    if (whole > 0) this.sink.write(chunk.subarray(0, whole), done);
    else done?.();
  }

  commit(upTo: number): void {
    if (upTo <= this.committed) return;
    this.committed = upTo;
    if (!this.spilling && this.out < this.received) this.release(Math.min(upTo, this.received));
  }

  /**
   * Drops what is not whole (the record the input failed inside). Call it once the writer has
   * handed over everything it built; what is written afterwards follows the last whole record.
   */
  abandon(): void {
    const keep = Math.min(this.committed, this.received);
    if (this.spilling) {
      this.received = keep;
      this.committed = keep;
      if (this.fd !== null) this.fileTruncate(keep - this.fileBase);
      return;
    }
    this.release(keep);
    this.held = [];
    this.received = keep;
    this.committed = keep;
    this.out = keep;
  }

  /**
   * Passes on what is whole, copying it from the temporary file with the sink's backpressure,
   * then waits on the sink (call it between input chunks, instead of the sink's `drain`).
   * @throws OutputClosedError when the reader went away (from the sink).
   * @throws InputError when the sink or the temporary file failed.
   */
  async drain(): Promise<void> {
    if (this.spilling) await this.copyOut();
    await this.sink.drain();
  }

  /**
   * Passes on what is whole, drops the rest and removes the temporary file. The sink is
   * drained, not closed.
   */
  async end(): Promise<void> {
    try {
      if (this.spilling) await this.copyOut();
      this.abandon();
      await this.sink.drain();
    } finally {
      this.dispose();
    }
  }

  /**
   * Ends the output after the input failed: `finishWriter` hands over what the writer built
   * and drops its unfinished record (calling {@link abandon}), possibly writing a closing
   * text after it; then whatever is whole is passed on as by {@link end}. A failure of the
   * output at this point (its reader went away, a full disk) is not reported: the input's
   * problem is the one the caller goes on to throw.
   */
  async endAfterFailure(finishWriter: () => void): Promise<void> {
    try {
      finishWriter();
      await this.end();
    } catch {
      this.dispose();
    }
  }

  /** Closes and removes the temporary file, if there is one (safe to call more than once). */
  dispose(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Nothing more can be done with it.
      }
      this.fd = null;
    }
    if (this.named !== null) {
      try {
        unlinkSync(this.named);
      } catch {
        // Already gone.
      }
      this.named = null;
    }
    this.held = [];
    this.spilling = false;
  }

  /** Passes held bytes from memory to the sink up to the absolute offset `to`. */
  private release(to: number): void {
    const held = this.held;
    let i = 0;
    while (this.out < to && i < held.length) {
      const h = held[i];
      const take = Math.min(h.length, to - this.out);
      if (take === h.length) {
        this.sink.write(h);
        i++;
      } else {
        this.sink.write(h.subarray(0, take));
        held[i] = h.subarray(take);
      }
      this.out += take;
    }
    if (i > 0) this.held = held.slice(i);
  }

  /** Keeps a copy of `bytes` (just received), moving everything held to the file when it is too much. */
  private hold(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    this.held.push(copy);
    if (this.received - this.out > this.spillBytes) this.spill();
  }

  /** Moves the held bytes to the temporary file; later bytes go there too until it is copied out. */
  private spill(): void {
    if (this.fd === null) this.openFile();
    this.fileBase = this.out;
    this.fileTruncate(0);
    let at = this.out;
    for (const h of this.held) {
      this.fileWrite(h, at);
      at += h.length;
    }
    this.held = [];
    this.spilling = true;
    this.spills++;
  }

  /** Copies whole bytes from the file to the sink; empties the file once all of it is out. */
  private async copyOut(): Promise<void> {
    const to = Math.min(this.committed, this.received);
    // A piece buffer is reused once the sink says it is done with it; until then (or for a
    // sink that never says so) the next piece gets a new one.
    let spare: Buffer | null = null;
    while (this.out < to) {
      const len = Math.min(COPY_PIECE_BYTES, to - this.out);
      const buf: Buffer = spare ?? Buffer.allocUnsafe(COPY_PIECE_BYTES);
      spare = null;
      const piece = buf.subarray(0, len);
      this.fileRead(piece, this.out - this.fileBase);
      this.out += len;
      this.sink.write(piece, () => {
        spare = buf;
      });
      await this.sink.drain();
    }
    // What is left (an unfinished record) goes back to memory when it is small, so that
    // later output takes the memory path again.
    const left = this.received - this.out;
    if (left <= this.spillBytes) {
      if (left > 0) {
        const tail = Buffer.allocUnsafe(left);
        this.fileRead(tail, this.out - this.fileBase);
        this.held = [tail];
      }
      this.spilling = false;
      this.fileBase = this.out;
      this.fileTruncate(0);
    }
  }

  private openFile(): void {
    const file = path.join(this.spillDir, `rdbtool-record-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    try {
      this.fd = openSync(file, 'wx+', 0o600);
    } catch (e) {
      throw new InputError(`cannot create a temporary file for an output record larger than ${this.spillBytes} bytes in ${this.spillDir}: ${describeFsError(e)}`, { file, cause: e });
    }
    try {
      unlinkSync(file);
    } catch {
      // Removed by dispose() instead.
      this.named = file;
    }
  }

  private fileError(e: unknown, what: string): InputError {
    return new InputError(`cannot ${what} the temporary file holding an unfinished output record (in ${this.spillDir}): ${describeFsError(e)}`, { file: this.spillDir, cause: e });
  }

  /** Writes `bytes` at the absolute output offset `at`. */
  private fileWrite(bytes: Uint8Array, at: number): void {
    const fd = this.fd!;
    let pos = at - this.fileBase;
    try {
      for (let done = 0; done < bytes.length; ) {
        const n = writeSync(fd, bytes, done, bytes.length - done, pos);
        done += n;
        pos += n;
      }
    } catch (e) {
      throw this.fileError(e, 'write');
    }
  }

  private fileRead(buf: Uint8Array, pos: number): void {
    const fd = this.fd!;
    try {
      for (let got = 0; got < buf.length; ) {
        const n = readSync(fd, buf, got, buf.length - got, pos + got);
        if (n === 0) throw Object.assign(new Error('the file is shorter than what was written to it'), { code: 'EIO' });
        got += n;
      }
    } catch (e) {
      throw this.fileError(e, 'read');
    }
  }

  private fileTruncate(length: number): void {
    try {
      ftruncateSync(this.fd!, length);
    } catch (e) {
      throw this.fileError(e, 'shorten');
    }
  }
}
