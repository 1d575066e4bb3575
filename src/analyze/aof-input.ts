/**
 * Helpers for the commands that take any persistence input (an RDB, a plain or hybrid AOF, a
 * multi-part AOF directory or manifest) and must choose what to do by content before reading
 * it all: look at the first bytes of a single file without losing them (stdin cannot be read
 * twice).
 */
import { openSource, type ByteSource } from '../io/source.js';
import { UsageError } from '../errors.js';
import { resolveInput } from '../pipeline/detect.js';
import { sniffStart } from '../pipeline/scan-file.js';
import { concatBytes } from '../io/bytes.js';

/**
 * What the first bytes of a file say: `rdb` (starts with `REDIS` or `VALKEY`), `resp` (starts
 * with `*` or `#`, the first byte of every AOF unit, FORMATS.md §5.1, §5.4), `empty`, or
 * `other` (anything else: neither format).
 */
export type FileStart = 'rdb' | 'resp' | 'empty' | 'other';

/** A source whose first bytes were looked at, and what they say. */
export interface PeekedSource {
  start: FileStart;
  /**
   * The same bytes as the original source, from the first one (the peeked chunks are handed
   * out again first). Its `chunks()` may be iterated once.
   */
  source: ByteSource;
  /** Closes the original source without reading it (when the caller decides not to). */
  discard(): Promise<void>;
}

/**
 * Reads the first chunk(s) of `source`, just enough to tell an RDB from an AOF, and returns a
 * source that yields every byte again. Works for stdin, which cannot be reopened.
 * @throws InputError when the source cannot be read.
 */
export async function peekSource(source: ByteSource): Promise<PeekedSource> {
  const it = source.chunks()[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let head: Uint8Array = new Uint8Array(0);
  let done = false;
  while (sniffStart(head, false) === 'more') {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (r.value.length === 0) continue;
    held.push(r.value);
    head = concatBytes(head, r.value);
  }
  const kind = sniffStart(head, true);
  const start: FileStart = kind === 'rdb' ? 'rdb' : head.length === 0 ? 'empty' : head[0] === 0x2a || head[0] === 0x23 ? 'resp' : 'other';
  let used = false;
  const replay: ByteSource = {
    name: source.name,
    size: source.size,
    path: source.path,
    ...(source.rawPath ? { rawPath: source.rawPath } : {}),
    async *chunks() {
      if (used) throw new UsageError('a peeked source can be read once', { file: source.name });
      used = true;
      try {
        for (const c of held.splice(0)) yield c;
        while (!done) {
          const r = await it.next();
          if (r.done) break;
          yield r.value;
        }
      } finally {
        // Stopped early (an error, or the reader had enough): close the underlying stream.
        await it.return?.();
      }
    },
  };
  const discard = async (): Promise<void> => {
    used = true;
    await it.return?.();
  };
  return { start, source: replay, discard };
}

/**
 * Opens an input that must be an RDB file (for the key export): resolves `given` and looks
 * at its first bytes. A file that starts with an RDB header is returned (a hybrid AOF too:
 * only its RDB part holds keys, and the reader learns about the rest from the bytes after
 * the RDB's trailer); so is anything that is not recognisably an AOF, for the RDB decoder to
 * judge. AOF inputs are refused up front, before any output is made.
 * @throws UsageError for a multi-part AOF, or a file whose first byte is that of an AOF unit
 *   (`*` or `#`); InputError when the input cannot be opened or read.
 */
export async function openRdbSource(given: string): Promise<ByteSource> {
  const input = await resolveInput(given);
  const hint = 'the key export reads RDB files; list the commands of an AOF with the commands format (--format commands)';
  if (input.form === 'multipart') {
    const base = input.parts.find((p) => p.role === 'base' && typeof p.size === 'number');
    let also = '';
    if (base) {
      const b = await peekSource(await openSource(base.path, undefined, base.name));
      await b.discard();
      if (b.start === 'rdb') also = ` (its RDB base ${base.name} can be exported on its own: the keys at the last rewrite, without the incr files)`;
    }
    throw new UsageError(`${given} is a multi-part AOF${also}; ${hint}`);
  }
  const peeked = await peekSource(await openSource(given));
  if (peeked.start === 'resp') {
    await peeked.discard();
    throw new UsageError(`${given} holds AOF commands, not an RDB; ${hint}`);
  }
  return peeked.source;
}
