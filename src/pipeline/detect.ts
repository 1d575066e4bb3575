/**
 * Works out what a path given on the command line is, by content and not by name
 * (FORMATS.md §5.5–§5.6): a multi-part AOF (a directory holding a manifest, or the manifest
 * itself) or a single file (an RDB, a plain AOF or a hybrid AOF — which of these is only known
 * once the file is read, see `scan-file.ts`).
 *
 * A manifest is recognised the way redis-check-aof recognises one: skipping `#` lines, the
 * first line starts with `file`. Its files are resolved next to it, in load order (base, then
 * incr files by manifest order); history files are listed apart and never read.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError, LimitError, UsageError } from '../errors.js';
import { describeFsError } from '../io/fs-error.js';
import { readHead } from '../io/read-head.js';
import { loadOrder, ManifestError, parseManifest, type Manifest, type ManifestEntry } from '../aof/manifest.js';

/** The manifest error, for layers above this one (they do not import the aof layer). */
export { ManifestError };

/** Bytes read from the start of a file to tell a manifest from data. */
const SNIFF_BYTES = 64 * 1024;
/** Largest manifest read (a real one lists a handful of files: a few hundred bytes). */
export const MANIFEST_MAX_BYTES = 16 << 20;

/** One file to read, in load order. */
export interface PartRef {
  /** The path to open (a Buffer when the manifest names a file that is not UTF-8). */
  path: string | Buffer;
  /** The name shown in reports and errors (the path as given, or `dir/name` for a part). */
  name: string;
  /** `file` for a single input, `base` / `incr` for the parts of a multi-part AOF. */
  role: 'file' | 'base' | 'incr';
  /** Sequence number from the manifest. */
  seq?: bigint;
  /** The manifest line listing this file (1-based). */
  manifestLine?: number;
  /** True for the last file in load order: the only one Redis (and `repair`) may truncate. */
  last: boolean;
  /** Size in bytes; null when the file is missing, undefined for stdin. */
  size: number | null | undefined;
  /**
   * Set when the manifest's entry is a symbolic link (multi-part only): where it points, and
   * whether that place is outside the AOF directory. A backup archive from another machine
   * can point a part at any file, so writers refuse to follow such a link unless told to.
   */
  link?: PartLink;
}

/** A part of a multi-part AOF that is a symbolic link. */
export interface PartLink {
  /** The link's text, as `readlink` gives it. */
  target: string;
  /** The file it resolves to (all links followed); null when it dangles or loops. */
  resolved: string | null;
  /** True when `resolved` is not inside the AOF directory (or cannot be resolved). */
  leavesDirectory: boolean;
}

/** What {@link resolveInput} found. */
export interface ResolvedInput {
  /** The path as given. */
  given: string;
  /** `file`: one file (or stdin); `multipart`: a manifest and the files it lists. */
  form: 'file' | 'multipart';
  /** The manifest's path (multipart only). */
  manifestPath?: string;
  /** The parsed manifest (multipart only). */
  manifest?: Manifest;
  /** The files to read, in load order (for multipart: base, then incr files). */
  parts: PartRef[];
  /** History files named by the manifest (never read). */
  history: ManifestEntry[];
}

/**
 * Resolves a path (`-` for stdin) into the files to read.
 * @throws InputError when the path cannot be opened, or a directory holds no manifest.
 * @throws ManifestError (MANIFEST_INVALID) for a manifest Redis would refuse.
 * @throws UsageError when a directory holds several manifests.
 */
export async function resolveInput(given: string): Promise<ResolvedInput> {
  if (given === '-') return single(given, undefined);
  const st = await statOrThrow(given);
  if (st.isDirectory()) return fromManifest(given, await findManifest(given));
  if (!st.isFile()) throw new InputError('is not a regular file or a directory', { file: given });
  if (await looksLikeManifest(given)) return fromManifest(given, given);
  return single(given, st.size);
}

/** Reads and parses a manifest file (bounded). */
export async function readManifest(file: string): Promise<Manifest> {
  const st = await statOrThrow(file);
  if (st.size > MANIFEST_MAX_BYTES) {
    throw new LimitError(`a manifest of ${st.size} bytes is larger than ${MANIFEST_MAX_BYTES} bytes`, {
      file,
      offset: 0,
      expected: `at most ${MANIFEST_MAX_BYTES} bytes`,
      found: `${st.size} bytes`,
    });
  }
  const bytes = await readOrThrow(file);
  return parseManifest(bytes, file);
}

/**
 * True when the start of the file reads as a manifest: the first line that does not start
 * with `#` starts with `file` (redis-check-aof's rule).
 */
export function isManifestText(head: Uint8Array): boolean {
  let i = 0;
  while (i < head.length) {
    if (head[i] !== 0x23) return startsWithFile(head, i);
    const nl = head.indexOf(0x0a, i);
    if (nl < 0) return false;
    i = nl + 1;
  }
  return false;
}

function startsWithFile(b: Uint8Array, i: number): boolean {
  return b[i] === 0x66 && b[i + 1] === 0x69 && b[i + 2] === 0x6c && b[i + 3] === 0x65; // "file"
}

function single(given: string, size: number | undefined): ResolvedInput {
  return { given, form: 'file', parts: [{ path: given, name: given, role: 'file', last: true, size }], history: [] };
}

async function fromManifest(given: string, manifestPath: string): Promise<ResolvedInput> {
  const manifest = await readManifest(manifestPath);
  refuseDuplicates(manifest, manifestPath);
  const dir = path.dirname(manifestPath);
  const order = loadOrder(manifest);
  const parts: PartRef[] = [];
  for (let i = 0; i < order.length; i++) {
    const e = order[i];
    const utf8Ok = Buffer.from(e.name, 'utf8').equals(Buffer.from(e.nameBytes));
    const file: string | Buffer = utf8Ok ? path.join(dir, e.name) : Buffer.concat([Buffer.from(dir + path.sep), Buffer.from(e.nameBytes)]);
    parts.push({
      path: file,
      name: path.join(dir, e.name),
      role: e.type === 'b' ? 'base' : 'incr',
      seq: e.seq,
      manifestLine: e.line,
      last: i === order.length - 1,
      size: await sizeOrNull(file),
      ...(await linkOf(file, dir)),
    });
  }
  return { given, form: 'multipart', manifestPath, manifest, parts, history: manifest.history };
}

/**
 * A file listed twice would be replayed twice (or deleted as history while loaded). Redis
 * 7.0's loader does not look for this, so the error has no Redis text of its own.
 * @throws ManifestError naming the second line that lists the file.
 */
function refuseDuplicates(m: Manifest, file: string): void {
  const seen = new Map<string, ManifestEntry>();
  const entries = [...(m.base ? [m.base] : []), ...m.history, ...m.incrs].sort((a, b) => a.line - b.line);
  for (const e of entries) {
    const key = Buffer.from(e.nameBytes).toString('latin1');
    const first = seen.get(key);
    if (first) {
      throw new ManifestError(`${e.name} is listed twice (lines ${first.line} and ${e.line})`, e.line, '', {
        file,
        offset: e.offset,
        expected: 'each file listed once',
        found: `a second entry for ${e.name}`,
      });
    }
    seen.set(key, e);
  }
}

/** The manifest of a directory: its one `*.manifest` (temp files excluded), or that of `appendonlydir/`. */
async function findManifest(dir: string): Promise<string> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    throw new InputError(`cannot list the directory: ${describeFsError(e)}`, { file: dir, cause: e });
  }
  const manifests = names.filter((n) => n.endsWith('.manifest') && !n.startsWith('temp-')).sort();
  if (manifests.length === 1) return path.join(dir, manifests[0]);
  if (manifests.length > 1) {
    throw new UsageError(`${dir} holds several manifests (${manifests.join(', ')}); name the one to read`);
  }
  if (names.includes('appendonlydir')) {
    const sub = path.join(dir, 'appendonlydir');
    if ((await fsp.stat(sub).catch(() => null))?.isDirectory()) return findManifest(sub);
  }
  throw new InputError('no AOF manifest (*.manifest) in this directory', {
    file: dir,
    expected: 'a directory holding appendonly.aof.manifest (or an appendonlydir/ holding one)',
    found: names.length === 0 ? 'an empty directory' : `${names.length} other file(s)`,
  });
}

async function looksLikeManifest(file: string): Promise<boolean> {
  return isManifestText(await readHead(file, SNIFF_BYTES));
}

async function statOrThrow(file: string) {
  try {
    return await fsp.stat(file);
  } catch (e) {
    throw new InputError(`cannot open: ${describeFsError(e)}`, { file, cause: e });
  }
}

async function readOrThrow(file: string): Promise<Uint8Array> {
  try {
    const b = await fsp.readFile(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new InputError(`cannot read: ${describeFsError(e)}`, { file, cause: e });
  }
}

/**
 * `{ link }` when `file` is a symbolic link, else `{}`. The AOF directory is compared by its
 * real path, so a directory that is itself a link (a common way to move data to another
 * disk) does not make its files "outside".
 */
async function linkOf(file: string | Buffer, dir: string): Promise<{ link?: PartLink }> {
  const st = await fsp.lstat(file).catch(() => null);
  if (!st?.isSymbolicLink()) return {};
  const target = await fsp.readlink(file, 'utf8').catch(() => '');
  const resolved = await fsp.realpath(file).catch(() => null);
  const home = await fsp.realpath(dir).catch(() => path.resolve(dir));
  const inside = resolved !== null && path.dirname(resolved) === home;
  return { link: { target, resolved, leavesDirectory: !inside } };
}

async function sizeOrNull(file: string | Buffer): Promise<number | null> {
  const st = await fsp.stat(file).catch(() => null);
  return st && st.isFile() ? st.size : null;
}
