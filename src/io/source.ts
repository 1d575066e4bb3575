import { createReadStream, promises as fsp } from 'node:fs';
import { InputError } from '../errors.js';
import { describeFsError } from './fs-error.js';

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
  /** The bytes, in order, as fresh chunks (callers may keep views into them). */
  chunks(): AsyncIterable<Uint8Array>;
}

/**
 * Opens a file (or `-` for stdin) as a {@link ByteSource}.
 * @throws InputError when the path cannot be opened or is not a regular file.
 */
export async function openSource(path: string | Buffer, chunkBytes = DEFAULT_CHUNK_BYTES, name?: string): Promise<ByteSource> {
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
  return {
    name: shown,
    size,
    path: typeof path === 'string' ? path : undefined,
    rawPath: typeof path === 'string' ? undefined : path,
    chunks: () => fileChunks(path, chunkBytes, shown),
  };
}

async function* fileChunks(path: string | Buffer, chunkBytes: number, shown: string): AsyncIterable<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    // Plain Uint8Array views: their subarray() is cheaper than Buffer's, and the decoder
    // takes many views per chunk.
    for await (const chunk of stream) yield asUint8Array(chunk as Buffer);
  } catch (e) {
    throw new InputError(`cannot read: ${describeFsError(e)}`, { file: shown, cause: e });
  } finally {
    stream.destroy();
  }
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
