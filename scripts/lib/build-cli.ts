/**
 * Builds the CLI bundle: `src/cli/main.ts` and every worker entry (src/io/worker.ts
 * `WORKER_ENTRIES`) bundled by esbuild into `dist/cli/`, one flat folder:
 *
 * - `main.js`: the `rdbtool` executable (`#!/usr/bin/env node`, mode 755), with yargs and
 *   the command modules; each command's implementation is loaded with `import()` when the
 *   command runs, so it lands in a chunk of its own;
 * - `<name>-worker.js`: each worker entry, self-contained, named by its base name (the name
 *   `workerUrl` looks for when `RDBTOOL_BUNDLE` is set);
 * - `chunk-<hash>.js`: code shared by the above or loaded on demand;
 * - `THIRD-PARTY-LICENSES.txt`: the license of every package copied into the bundle.
 *
 * One process start pays for parsing one file instead of resolving and loading some 130
 * modules. Outputs are written each through a temporary file and a rename, so a CLI that
 * runs while another build writes sees either the old or the new file, never half of one.
 *
 * One change is made to bundled third-party code ({@link lazySegmenters}): the copies of
 * `string-width` that yargs and its layout packages use create an `Intl.Segmenter` when
 * they load, which costs several milliseconds of every start (ICU data) although only help
 * text ever measures a string; the bundle creates it on first use instead.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundledWorkerName, WORKER_ENTRIES } from '../../src/io/worker.js';

/** Options of {@link buildCli}. */
export interface BuildCliOptions {
  /** The project root (holds `src/`, `package.json` and `node_modules/`). */
  root: string;
  /** Where the bundle goes; default `<root>/dist/cli`. */
  outDir?: string;
  /** Chunks of earlier builds that no output refers to are removed once older than this (default 10 minutes). */
  staleChunkMs?: number;
}

/** What {@link buildCli} wrote. */
export interface BuildCliResult {
  /** Output files, relative to the out dir. */
  files: string[];
  /** esbuild's warnings, formatted. */
  warnings: string[];
  /** Bytes of `main.js`. */
  mainBytes: number;
  /** The bundled `string-width` files whose `Intl.Segmenter` is created on first use. */
  lazySegmenters: string[];
}

const SHEBANG = '#!/usr/bin/env node';

/**
 * Bundles the CLI into `outDir`.
 * @throws Error with esbuild's messages when the bundle cannot be built, or when a worker
 *   entry's source is missing
 */
export async function buildCli(opts: BuildCliOptions): Promise<BuildCliResult> {
  const root = opts.root;
  const outDir = opts.outDir ?? path.join(root, 'dist', 'cli');
  const entryPoints: Record<string, string> = { main: path.join(root, 'src', 'cli', 'main.ts') };
  for (const entry of WORKER_ENTRIES) {
    const file = path.join(root, 'src', `${entry}.ts`);
    if (!existsSync(file)) throw new Error(`the worker entry src/${entry}.ts does not exist (listed in src/io/worker.ts WORKER_ENTRIES)`);
    entryPoints[bundledWorkerName(entry)] = file;
  }
  const lazied: string[] = [];
  const segmenterPlugin = lazySegmenters(lazied);
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ESM builds of dependencies where they ship one (binary-parser has both).
    mainFields: ['module', 'main'],
    define: { RDBTOOL_BUNDLE: 'true' },
    // Bundled CommonJS code that calls require() on a Node built-in needs a require().
    banner: { js: "import { createRequire as __rdbtoolCreateRequire } from 'node:module';\nconst require = __rdbtoolCreateRequire(import.meta.url);" },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    plugins: [segmenterPlugin],
    write: false,
    logLevel: 'silent',
  });
  await fs.mkdir(outDir, { recursive: true });
  const files: string[] = [];
  let mainBytes = 0;
  for (const out of result.outputFiles) {
    const name = path.relative(outDir, out.path);
    let bytes = out.contents;
    if (name === 'main.js') {
      // esbuild keeps the source's own hashbang line; make sure there is exactly one.
      if (!Buffer.from(bytes.subarray(0, 2)).equals(Buffer.from('#!'))) bytes = Buffer.concat([Buffer.from(SHEBANG + '\n'), bytes]);
      mainBytes = bytes.length;
    }
    await writeAtomically(out.path, bytes, name === 'main.js' ? 0o755 : 0o644);
    files.push(name);
  }
  const licenses = path.join(outDir, 'THIRD-PARTY-LICENSES.txt');
  await writeAtomically(licenses, Buffer.from(thirdPartyLicenses(root, result.metafile)), 0o644);
  files.push(path.basename(licenses));
  await removeStaleChunks(outDir, new Set(files), opts.staleChunkMs ?? 10 * 60_000);
  const warnings = result.warnings.map((w) => w.text);
  if (lazied.length === 0) warnings.push('no string-width module with an Intl.Segmenter was found: start-up may be slower (has yargs changed?)');
  return { files, warnings, mainBytes, lazySegmenters: lazied };
}

/** What replaces `new Intl.Segmenter()`: an object that makes the real one on first use. */
const LAZY_SEGMENTER =
  'let __rdbtoolSegmenter;\n' +
  'const __rdbtoolLazySegmenter = () => ({ segment: (s) => (__rdbtoolSegmenter ??= new Intl.Segmenter()).segment(s) });\n';

/**
 * An esbuild plugin that makes `string-width`'s `Intl.Segmenter` (created when the module
 * loads) be created when a width is first measured. Records each file it changed in `changed`.
 */
function lazySegmenters(changed: string[]): Plugin {
  return {
    name: 'lazy-segmenters',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/](?:.*[\\/])?string-width[\\/]index\.js$/ }, async (args) => {
        const text = await fs.readFile(args.path, 'utf8');
        const n = text.split('new Intl.Segmenter()').length - 1;
        if (n === 0) return undefined;
        changed.push(args.path);
        return { contents: LAZY_SEGMENTER + text.replaceAll('new Intl.Segmenter()', '__rdbtoolLazySegmenter()'), loader: 'js' };
      });
    },
  };
}

/** Writes `file` through a temporary file in the same folder and a rename. */
async function writeAtomically(file: string, bytes: Uint8Array, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, bytes, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

/**
 * Removes `chunk-*.js` files this build did not write, once they are older than `ageMs`: a
 * CLI started from an earlier build's `main.js` may still load them while it runs.
 */
async function removeStaleChunks(outDir: string, keep: ReadonlySet<string>, ageMs: number): Promise<void> {
  const now = Date.now();
  for (const name of readdirSync(outDir)) {
    if (!/^chunk-[A-Z0-9]+\.js$/.test(name) || keep.has(name)) continue;
    const file = path.join(outDir, name);
    if (now - statSync(file).mtimeMs > ageMs) await fs.rm(file, { force: true });
  }
}

/** The license texts of the packages under node_modules/ that went into the bundle. */
function thirdPartyLicenses(root: string, meta: Metafile): string {
  const packages = new Map<string, string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && !packages.has(m[1])) packages.set(m[1], path.join(root, m[1]));
  }
  const sections: string[] = [];
  for (const dir of [...packages.values()].sort()) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `License: ${pkg.license ?? 'unknown'}`;
    sections.push(`${pkg.name}@${pkg.version}\n${'='.repeat(pkg.name.length + pkg.version.length + 1)}\n${text}`);
  }
  return `The rdbtool CLI bundle (main.js and its chunks) contains code from these packages:\n\n${sections.join('\n\n')}\n`;
}
