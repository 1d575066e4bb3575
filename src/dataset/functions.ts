/**
 * The function libraries of a dataset (Redis 7.0+), by library name: the source exactly as
 * `FUNCTION LOAD` takes it. The name comes from the source's first line, which Redis reads as
 * `#!<engine> name=<name>` (FORMATS.md §3.10).
 */
import { CorruptDataError } from '../errors.js';
import type { ByteString } from './byte-string.js';
import { toByteString } from './byte-string.js';
import { copyBytes } from '../io/bytes.js';

/** A library's header line, as Redis reads it. */
export interface LibraryHeader {
  /** The engine named after `#!` (`lua` in every Redis release so far). */
  engine: string;
  /** The library name. */
  name: ByteString;
}

/**
 * Reads the header line of a library's source: `#!` then the engine, then space-separated
 * arguments of which `name=` (any case) is the only one Redis accepts, exactly once; the name
 * is letters, digits and underscores.
 * @throws CorruptDataError (code BAD_VALUE) when the header is not one Redis accepts.
 */
export function parseLibraryHeader(code: Uint8Array | ByteString): LibraryHeader {
  const text = typeof code === 'string' ? code : toByteString(code);
  const bad = (reason: string, found?: string) => new CorruptDataError('BAD_VALUE', `function library: ${reason}`, { expected: '#!<engine> name=<name>', found });
  if (!text.startsWith('#!')) throw bad('the source does not start with #!', JSON.stringify(text.slice(0, 20)));
  const eol = text.indexOf('\n');
  if (eol < 0) throw bad('the header line has no line end');
  const parts = text.slice(0, eol).split(/[ \t\r]+/).filter((p) => p.length > 0);
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() !== 'name=') throw bad('unknown header argument', part);
    if (name !== null) throw bad('the name is given twice', part);
    name = part.slice(5);
  }
  if (name === null) throw bad('the header gives no name');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw bad('a name holds only letters, digits and underscores', name);
  return { engine, name };
}

/** The libraries, in the order they were loaded. */
export class FunctionLibraries {
  private readonly libs = new Map<ByteString, Uint8Array>();

  /** Number of libraries. */
  get size(): number {
    return this.libs.size;
  }

  /**
   * Adds a library from its source (copied). With `replace`, a library of the same name is
   * replaced; otherwise that is refused.
   * @returns the library's name.
   * @throws CorruptDataError when the header is not valid or the name is taken (without `replace`).
   */
  load(code: Uint8Array, replace = false): ByteString {
    const { name } = parseLibraryHeader(code);
    if (!replace && this.libs.has(name)) throw new CorruptDataError('BAD_VALUE', `function library ${JSON.stringify(name)} already exists`);
    this.libs.delete(name);
    this.libs.set(name, copyBytes(code));
    return name;
  }

  /** The source of a library, or undefined. */
  get(name: ByteString): Uint8Array | undefined {
    return this.libs.get(name);
  }

  /** Removes a library; true when it was there. */
  delete(name: ByteString): boolean {
    return this.libs.delete(name);
  }

  /** Removes every library. */
  clear(): void {
    this.libs.clear();
  }

  /** [name, source] pairs in load order. */
  entries(): IterableIterator<[ByteString, Uint8Array]> {
    return this.libs.entries();
  }

  /** Library names in byte order. */
  names(): ByteString[] {
    return [...this.libs.keys()].sort();
  }
}
