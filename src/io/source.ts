import { promises as fsp } from 'node:fs';
import { InputError } from '../errors.js';
import { describeFsError } from './fs-error.js';
import { markHeadroom } from './reader.js';

/** Default read size: 1 MiB chunks (the async cost is paid once per chunk). */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Somewhere bytes come from: a file, stdin or memory. */
export interface ByteSource {
  /** Name used in messages and errors (the path, `-` for stdin). */
  readonly name: string;
  /** Total size in bytes when known (files), for progress. */
  readonly size: number | undefined;
  /** The file path when the source is a regular file (lets the checksum run in a worker). */
  readonly path: string | undefined;
  /** The path to open when it is not valid UTF-8 (a manifest may name such a file); `path` is then undefined. */
  readonly rawPath?: Buffer;
  /**
   * The bytes, in order. Fresh chunks (callers may keep views into them), unless the source
   * was opened with `reuseBuffers` (see {@link ByteSource.release}).
   */
  chunks(): AsyncIterable<Uint8Array>;
  /**
   * Present only on a source opened with `reuseBuffers`: gives back a chunk it handed out (one
   * of the last two read: the source reads one chunk ahead), whole, once nothing will look at
   * its bytes after the consumer has taken the chunk after the next one. Until then it may
   * still read them: a decoder's window holds a chunk it adopted until the next one arrives,
   * and folds the checksum of bytes it consumed when it takes the next one. Its memory is then
   * read into again for the third chunk after it, whose reading starts when the consumer takes
   * the second. A view that is not the whole of such a chunk is ignored, and so is a chunk
   * never given back: its memory is left alone and the source reads into a new buffer instead.
   */
  release?(chunk: Uint8Array): void;
}

/** Options of {@link openSource}. */
export interface OpenSourceOptions {
  /**
   * Read a file into a few reused buffers instead of a fresh buffer per chunk, for a consumer
   * that gives back the chunks nothing refers to any more ({@link ByteSource.release}): the
   * memory of a long read then stays a few chunks, instead of a trail of dead chunks for the
   * garbage collector. Ignored for stdin. Default false.
   */
  reuseBuffers?: boolean;
}

/**
 * Opens a file (or `-` for stdin) as a {@link ByteSource}.
 * @throws InputError when the path cannot be opened or is not a regular file.
 */
export async function openSource(path: string | Buffer, chunkBytes = DEFAULT_CHUNK_BYTES, name?: string, opts: OpenSourceOptions = {}): Promise<ByteSource> {
  if (path === '-') return stdinSource(chunkBytes);
  const shown = name ?? String(path);
  let st;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    throw new InputError(`cannot open: ${describeFsError(e)}`, { file: shown, cause: e });
  }
  if (st.isDirectory()) throw new InputError(`is a directory, expected a file`, { file: shown });
  const size = st.size;
  const source: ByteSource = {
    name: shown,
    size,
    path: typeof path === 'string' ? path : undefined,
    rawPath: typeof path === 'string' ? undefined : path,
    chunks: () => fileChunks(path, chunkBytes, shown),
  };
  if (opts.reuseBuffers) {
    const pool = new ChunkPool(chunkBytes);
    source.chunks = () => pooledFileChunks(path, pool, shown);
    source.release = (chunk) => pool.release(chunk);
  }
  return source;
}

/**
 * Free bytes in front of every chunk of a file source: a decoder's byte window copies the
 * unread end of the previous chunk there (markHeadroom) rather than copying the whole chunk
 * after it.
 */
export const CHUNK_HEADROOM = 64 * 1024;

/**
 * A file read with `fs.read`, each chunk into a fresh buffer of its own, after CHUNK_HEADROOM
 * free bytes; the next chunk is read while the consumer works on the current one.
 */
async function* fileChunks(path: string | Buffer, chunkBytes: number, shown: string): AsyncIterable<Uint8Array> {
  const fh = await openFile(path, shown);
  let offset = 0;
  yield* readAhead(fh, chunkBytes, async () => {
    // Plain Uint8Array views: their subarray() is cheaper than Buffer's, and the decoder
    // takes many views per chunk. Not zero-filled: every byte handed out is read first.
    const raw = Buffer.allocUnsafeSlow(CHUNK_HEADROOM + chunkBytes);
    const buf = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    const got = await readFull(fh, buf, CHUNK_HEADROOM, chunkBytes, offset, shown);
    if (got === 0) return null;
    offset += got;
    markHeadroom(buf.buffer as ArrayBuffer, CHUNK_HEADROOM);
    return buf.subarray(CHUNK_HEADROOM, CHUNK_HEADROOM + got);
  });
}

/** Opens `path` for reading. @throws InputError naming `shown` */
async function openFile(path: string | Buffer, shown: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(path, 'r');
  } catch (e) {
    throw new InputError(`cannot open: ${describeFsError(e)}`, { file: shown, cause: e });
  }
}

/**
 * Reads the file's bytes from `position` into `buf[at, at + n)`, up to `n` of them (fewer only
 * at the end of the file); returns how many.
 * @throws InputError naming `shown` and the offset that could not be read
 */
async function readFull(fh: fsp.FileHandle, buf: Uint8Array, at: number, n: number, position: number, shown: string): Promise<number> {
  let got = 0;
  while (got < n) {
    let r: number;
    try {
      ({ bytesRead: r } = await fh.read(buf, at + got, n - got, position + got));
    } catch (e) {
      throw new InputError(`cannot read: ${describeFsError(e)}`, { file: shown, offset: position + got, cause: e });
    }
    if (r === 0) break;
    got += r;
  }
  return got;
}

/**
 * The chunks `readChunk` reads in turn, each read while the consumer works on the one before;
 * a chunk shorter than `chunkBytes`, or null, is the last. Closes `fh` at the end, once a read
 * under way has ended (its error, when the consumer stopped early, is of no interest).
 */
async function* readAhead(fh: fsp.FileHandle, chunkBytes: number, readChunk: () => Promise<Uint8Array | null>): AsyncIterable<Uint8Array> {
  let next = ahead(readChunk());
  try {
    for (;;) {
      const chunk = await next;
      if (chunk === null) return;
      const full = chunk.length === chunkBytes;
      next = full ? ahead(readChunk()) : Promise.resolve(null);
      yield chunk;
      if (!full) return;
    }
  } finally {
    await next.catch(() => null);
    await fh.close();
  }
}

/**
 * A read started ahead of its use: its failure is handled (awaiting it still throws), so one
 * that fails while the consumer awaits something else is not an unhandled rejection.
 */
function ahead<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** Most buffers a {@link ChunkPool} keeps for reuse. */
const POOL_BUFFERS = 4;

/**
 * The buffers of a source read with `reuseBuffers`. Chunk number `n` (counted from 0) is read
 * into a buffer given back as chunk `n - 3` or before, else into a new one. The source reads
 * one chunk ahead: chunk `n` is read while the consumer works on chunk `n - 1`, so a buffer is
 * read into again only once its consumer has finished with the chunk after it, which may still
 * look back at it (see {@link ByteSource.release}).
 */
class ChunkPool {
  /** Buffers given back, with the number of the first chunk that may be read into each. */
  private readonly free: { buf: Uint8Array; from: number }[] = [];
  /** The chunks read and not given back, the last two at most, with their numbers. */
  private readonly lent: { chunk: Uint8Array; no: number }[] = [];
  /** Chunks read so far. */
  private count = 0;

  constructor(readonly chunkBytes: number) {}

  /** A buffer to read chunk number {@link count} into. */
  take(): Uint8Array {
    const n = this.count;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].from <= n) return this.free.splice(i, 1)[0].buf;
    }
    return new Uint8Array(this.chunkBytes);
  }

  /** Records `chunk` (a view from the start of a buffer from {@link take}) as the chunk read last. */
  lend(chunk: Uint8Array): void {
    this.lent.push({ chunk, no: this.count++ });
    // One read a chunk ahead: older chunks never given back are left to the garbage collector.
    if (this.lent.length > 2) this.lent.shift();
  }

  release(chunk: Uint8Array): void {
    const lent = this.lent;
    for (let i = 0; i < lent.length; i++) {
      const c = lent[i].chunk;
      if (chunk.buffer !== c.buffer || chunk.byteOffset !== c.byteOffset || chunk.length !== c.length) continue;
      const no = lent[i].no;
      lent.splice(i, 1);
      if (this.free.length < POOL_BUFFERS) this.free.push({ buf: new Uint8Array(c.buffer, 0, this.chunkBytes), from: no + 3 });
      return;
    }
  }
}

/**
 * A file read with `fs.read` into the buffers of `pool`; the next chunk is read while the
 * consumer works on the current one.
 */
async function* pooledFileChunks(path: string | Buffer, pool: ChunkPool, shown: string): AsyncIterable<Uint8Array> {
  const fh = await openFile(path, shown);
  let offset = 0;
  yield* readAhead(fh, pool.chunkBytes, async () => {
    const buf = pool.take();
    const got = await readFull(fh, buf, 0, buf.length, offset, shown);
    if (got === 0) return null;
    const chunk = buf.subarray(0, got);
    pool.lend(chunk);
    offset += got;
    return chunk;
  });
}

function stdinSource(chunkBytes: number): ByteSource {
  return {
    name: '-',
    size: undefined,
    path: undefined,
    async *chunks() {
      const stream = process.stdin;
      stream.setMaxListeners?.(0);
      for await (const chunk of stream) yield asUint8Array(chunk as Buffer);
      void chunkBytes;
    },
  };
}

/**
 * `source` (a wrapper over `pooled`, such as a peek that hands out its first bytes again) with
 * `pooled`'s {@link ByteSource.release}, for a consumer that gives chunks back: a chunk is only
 * taken back while it is the one `pooled` read last, so one the wrapper hands out again is never
 * reused under a later one. `source` as it is when `pooled` reuses no buffers.
 */
export function withRelease(source: ByteSource, pooled: ByteSource): ByteSource {
  const release = pooled.release;
  return release === undefined ? source : { ...source, release: (chunk) => release.call(pooled, chunk) };
}

/** A source over bytes already in memory, split into chunks of `chunkBytes`. */
export function bytesSource(bytes: Uint8Array, name = '<memory>', chunkBytes = DEFAULT_CHUNK_BYTES): ByteSource {
  return {
    name,
    size: bytes.length,
    path: undefined,
    async *chunks() {
      for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, Math.min(bytes.length, i + chunkBytes));
    },
  };
}

function asUint8Array(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
