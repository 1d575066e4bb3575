/**
 * Buffered output for writers: text and bytes are collected into a ~1 MiB buffer and handed
 * to a Node writable stream (a file, stdout, anything) in large writes. Big byte arrays go
 * through without being copied. The producer is synchronous; between input chunks the
 * driver awaits {@link ByteSink.drain}, which is where backpressure and output errors
 * surface.
 *
 * A closed pipe (`EPIPE`, e.g. `rdbtool export x | head`) is not an error: the sink turns
 * into a no-op and `drain()` throws {@link OutputClosedError}, which the export stops on
 * quietly.
 */
import { promises as fsp, WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { InputError } from '../errors.js';

/** Default buffer size: 1 MiB. */
export const DEFAULT_SINK_BUFFER_BYTES = 1 << 20;

/** Written buffers kept for reuse. */
const MAX_SPARE_BUFFERS = 2;

/** Byte arrays at least this large are written through instead of being copied. */
const PASS_THROUGH_BYTES = 64 * 1024;

/**
 * Thrown by {@link ByteSink.drain} once the reader of the output went away (`EPIPE`). It is
 * not an `RdbtoolError`: it means "stop producing", not "something is wrong".
 */
export class OutputClosedError extends Error {
  constructor() {
    super('output closed by the reader');
    this.name = 'OutputClosedError';
  }
}

/** Somewhere output goes. */
export interface ByteSink {
  /** Name used in messages (the path, `-` for stdout). */
  readonly name: string;
  /**
   * Appends text (UTF-8) or bytes. Never blocks; the data may stay buffered. Byte arrays of
   * 64 KiB or more are handed to the destination as they are (not copied): don't modify
   * them until `done` is called. `done` (optional) is called once the sink no longer needs
   * `data`: at once when it was copied or dropped, otherwise when the destination has
   * written it, if the destination is known to be done with a chunk then (see
   * `StreamSinkOptions.reuseBuffers`); never for other destinations.
   */
  write(data: string | Uint8Array, done?: () => void): void;
  /**
   * Flushes the buffer when it is worth it and waits while the destination is saturated.
   * @throws OutputClosedError when the reader went away.
   * @throws InputError when the destination failed.
   */
  drain(): Promise<void>;
  /** Flushes everything and closes the destination (stdout is flushed, not closed). */
  close(): Promise<void>;
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
  /** True once the reader went away (`EPIPE`); later writes are dropped. */
  readonly closedByReader: boolean;
}

/** Options of {@link streamSink}. */
export interface StreamSinkOptions {
  /** Name used in messages. */
  name?: string;
  /** End the stream on `close()` (true for files, false for stdout). Default true. */
  end?: boolean;
  /** Buffer size in bytes. Default 1 MiB. */
  bufferBytes?: number;
  /**
   * Reuse a buffer once the stream has written it (its write callback ran, or the write
   * completed synchronously), and report that through `write`'s `done`. Only safe when the
   * stream keeps no reference to a chunk after that: files, sockets and pipes, stdout and
   * stderr do not (the default for them), other streams may (a collector, a PassThrough), so
   * the default for them is false.
   */
  reuseBuffers?: boolean;
}

/** Streams that are done with a chunk once it is written (it went to the OS). */
function writesThrough(stream: Writable): boolean {
  return stream === process.stdout || stream === process.stderr || stream instanceof WriteStream || stream instanceof Socket;
}

class StreamSink implements ByteSink {
  readonly name: string;
  bytesWritten = 0;
  closedByReader = false;
  private buf: Buffer;
  private pos = 0;
  /** Buffers the stream has written, ready for reuse. */
  private readonly spare: Buffer[] = [];
  private readonly reuse: boolean;
  private error: Error | null = null;
  private readonly endOnClose: boolean;
  private readonly size: number;

  constructor(
    private readonly stream: Writable,
    opts: StreamSinkOptions,
  ) {
    this.name = opts.name ?? '<stream>';
    this.endOnClose = opts.end ?? true;
    this.size = opts.bufferBytes ?? DEFAULT_SINK_BUFFER_BYTES;
    this.reuse = opts.reuseBuffers ?? writesThrough(stream);
    this.buf = Buffer.allocUnsafe(this.size);
    stream.on('error', this.onError);
  }

  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closedByReader = true;
    else if (!this.error) this.error = e;
  };

  write(data: string | Uint8Array, done?: () => void): void {
    if (this.closedByReader || this.error) {
      done?.();
      return;
    }
    if (typeof data === 'string') {
      // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
      if (data.length * 3 > this.size - this.pos) {
        this.flush();
        if (data.length * 3 > this.size) {
          const bytes = Buffer.from(data, 'utf8');
          this.bytesWritten += bytes.length;
          this.stream.write(bytes);
          return;
        }
      }
      const n = this.buf.write(data, this.pos, 'utf8');
      this.pos += n;
      this.bytesWritten += n;
      return;
    }
    this.bytesWritten += data.length;
    if (data.length >= PASS_THROUGH_BYTES) {
      this.flush();
      if (done && this.reuse) this.handOver(data, done);
      else this.stream.write(data);
      return;
    }
    if (data.length > this.size - this.pos) {
      this.flush();
      if (data.length > this.size) {
        // Larger than the whole buffer (a small buffer): a copy of its own.
        this.stream.write(Buffer.from(data));
        done?.();
        return;
      }
    }
    this.buf.set(data, this.pos);
    this.pos += data.length;
    done?.();
  }

  /** Hands the buffered bytes to the stream (which keeps them: a new buffer is started). */
  private flush(): void {
    if (this.pos === 0) return;
    const full = this.buf;
    const out = full.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.size);
    this.pos = 0;
    if (this.closedByReader || this.error) return;
    // The buffer comes back for reuse once the stream has written it.
    if (this.reuse) {
      this.handOver(out, () => {
        if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(full);
      });
    } else this.stream.write(out);
  }

  /**
   * Writes `data` and calls `done` (once) when the stream no longer holds it: at once when
   * the stream wrote it synchronously (stdout to a file or /dev/null, most pipe writes: its
   * `writableLength` is back to 0), otherwise from the write callback. Without the first
   * case, a burst of writes within one synchronous stretch (one decoder chunk) would keep
   * every buffer alive until the next tick.
   */
  private handOver(data: Uint8Array, done: () => void): void {
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      done();
    };
    this.stream.write(data, once);
    if (this.stream.writableLength === 0) once();
  }

  private check(): void {
    if (this.error) {
      const e = this.error as NodeJS.ErrnoException;
      throw new InputError(`cannot write ${this.name}: ${e.code ?? e.message}`, { file: this.name, cause: e });
    }
    if (this.closedByReader) throw new OutputClosedError();
  }

  async drain(): Promise<void> {
    this.check();
    if (this.pos >= this.size / 2) this.flush();
    const s = this.stream;
    if (s.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          s.off('drain', done);
          s.off('error', done);
          s.off('close', done);
          resolve();
        };
        s.on('drain', done);
        s.on('error', done);
        s.on('close', done);
      });
    }
    this.check();
  }

  async close(): Promise<void> {
    this.flush();
    const s = this.stream;
    if (!this.closedByReader && !this.error) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          s.off('error', done);
          resolve();
        };
        s.on('error', done);
        if (this.endOnClose) s.end(done);
        else if (s.writableNeedDrain) s.once('drain', done);
        else s.write('', () => done());
      });
    }
    s.off('error', this.onError);
    // Keep swallowing late EPIPEs from this stream (stdout may report them after we are done).
    s.on('error', () => {});
    if (this.error) this.check();
  }
}

/** A sink over any Node writable stream. */
export function streamSink(stream: Writable, opts: StreamSinkOptions = {}): ByteSink {
  return new StreamSink(stream, opts);
}

/**
 * Opens (creates or truncates) a file for writing.
 * @throws InputError when the file cannot be created.
 */
export async function openFileSink(path: string, opts: Omit<StreamSinkOptions, 'name' | 'end'> = {}): Promise<ByteSink> {
  let handle;
  try {
    handle = await fsp.open(path, 'w');
  } catch (e) {
    throw new InputError(`cannot create ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: path, cause: e });
  }
  const stream = handle.createWriteStream({ highWaterMark: opts.bufferBytes ?? DEFAULT_SINK_BUFFER_BYTES });
  return new StreamSink(stream, { ...opts, name: path, end: true });
}

/** A sink over the process's stdout (flushed, never closed). */
export function stdoutSink(opts: Omit<StreamSinkOptions, 'name' | 'end'> = {}): ByteSink {
  return new StreamSink(process.stdout, { ...opts, name: '-', end: false });
}

/** A sink that keeps everything in memory (tests, small library uses). */
export interface MemorySink extends ByteSink {
  /** Everything written, as bytes. */
  bytes(): Uint8Array;
  /** Everything written, decoded as UTF-8. */
  text(): string;
}

/** Creates a {@link MemorySink}. */
export function memorySink(name = '<memory>'): MemorySink {
  const parts: Buffer[] = [];
  let total = 0;
  return {
    name,
    closedByReader: false,
    get bytesWritten() {
      return total;
    },
    write(data, done) {
      const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
      parts.push(b);
      total += b.length;
      done?.();
    },
    async drain() {},
    async close() {},
    bytes() {
      return Buffer.concat(parts);
    },
    text() {
      return Buffer.concat(parts).toString('utf8');
    },
  };
}
