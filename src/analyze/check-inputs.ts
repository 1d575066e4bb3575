/**
 * Turns the paths given to `check` into the inputs to check, in a stable order. A file, a
 * manifest, `-` (stdin) or a multi-part AOF directory (one holding a manifest, or an
 * `appendonlydir/` holding one) is one input, as every command reads it. Any other directory
 * is searched, recursively, for persistence files: by name (`*.rdb`, `*.aof`, directories
 * holding a manifest) and, with `sniff`, every file by its first bytes. A multi-part
 * directory found on the way is one input and is not searched further; the files it holds
 * belong to it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../io/fs-error.js';
import { readHead } from '../io/read-head.js';
import { isManifestText } from '../pipeline/detect.js';
import { sniffStart } from '../pipeline/scan-file.js';

/** One input to check, and where it came from. */
export interface FoundInput {
  /** The path to give to `checkPath`. */
  path: string;
  /** The argument it was found under. */
  given: string;
}

/** An argument that gave nothing to check. */
export interface InputSearchProblem {
  given: string;
  /** Why, in words (a missing path, a directory without persistence files). */
  reason: string;
}

/** Options of {@link findInputs}. */
export interface FindInputsOptions {
  /** Also look inside files whose names say nothing, by their first bytes. */
  sniff?: boolean;
}

/** Bytes read from a file to sniff it. */
const SNIFF_BYTES = 64;

/**
 * Expands `given` into inputs, keeping the order of the arguments (each directory's finds in
 * path order). A path that does not exist is kept as an input, so its error is reported in
 * its place; a directory in which nothing is found is a problem of its own.
 */
export async function findInputs(given: readonly string[], opts: FindInputsOptions = {}): Promise<{ inputs: FoundInput[]; problems: InputSearchProblem[] }> {
  const inputs: FoundInput[] = [];
  const problems: InputSearchProblem[] = [];
  const seen = new Set<string>();
  const add = (p: string, g: string) => {
    const key = p === '-' ? '-' : path.resolve(p);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push({ path: p, given: g });
  };
  for (const g of given) {
    if (g === '-') {
      add(g, g);
      continue;
    }
    const st = await fsp.stat(g).catch(() => null);
    if (!st?.isDirectory() || (await isMultipartDir(g))) {
      add(g, g); // a file, a multi-part directory, or a path whose error the check reports
      continue;
    }
    const found: string[] = [];
    const searched = { files: 0, unreadable: [] as string[] };
    await search(g, found, searched, opts.sniff === true);
    if (found.length === 0) {
      const why = searched.unreadable.length > 0 ? `; ${searched.unreadable.length} folder(s) could not be read (${searched.unreadable[0]})` : '';
      const hint = opts.sniff ? '' : ' (add --sniff to look inside files whose names do not say)';
      problems.push({ given: g, reason: `no persistence files found among ${searched.files} file(s)${hint}${why}` });
    }
    for (const f of found) add(f, g);
  }
  return { inputs, problems };
}

/** True when `dir` is read as one multi-part AOF: it holds a manifest, or an `appendonlydir/` that does. */
async function isMultipartDir(dir: string): Promise<boolean> {
  if (await holdsManifest(dir)) return true;
  const sub = path.join(dir, 'appendonlydir');
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  // A directory holding appendonlydir/ and other persistence files (a Redis `dir`) is searched.
  const others = names.some((n) => n !== 'appendonlydir' && looksPersistent(n));
  return !others && names.includes('appendonlydir') && (await holdsManifest(sub));
}

async function holdsManifest(dir: string): Promise<boolean> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  return names.some((n) => n.endsWith('.manifest') && !n.startsWith('temp-'));
}

/** Names that say "persistence file". */
function looksPersistent(name: string): boolean {
  return /\.(rdb|aof)$/i.test(name);
}

async function search(dir: string, found: string[], searched: { files: number; unreadable: string[] }, sniff: boolean): Promise<void> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    searched.unreadable.push(`${dir}: ${describeFsError(e)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.some((e) => e.isFile() && e.name.endsWith('.manifest') && !e.name.startsWith('temp-'))) {
    found.push(dir); // a multi-part AOF: one input, its files are its own
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    // Links to directories are not followed (they can loop); links to files are read.
    if (e.isDirectory()) {
      await search(p, found, searched, sniff);
      continue;
    }
    const isFile = e.isFile() || (e.isSymbolicLink() && (await fsp.stat(p).catch(() => null))?.isFile() === true);
    if (!isFile) continue;
    searched.files++;
    if (looksPersistent(e.name) || (sniff && (await sniffsPersistent(p)))) found.push(p);
  }
}

/** True when the file's first bytes are those of an RDB, an AOF or a manifest. */
async function sniffsPersistent(file: string): Promise<boolean> {
  // An unreadable file is not one that can be checked: it is passed over.
  const head = await readHead(file, SNIFF_BYTES).catch(() => null);
  if (head === null) return false;
  const kind = sniffStart(head, head.length < SNIFF_BYTES);
  return kind === 'rdb' || kind === 'resp' || isManifestText(head);
}
