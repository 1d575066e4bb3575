/**
 * Builds the CLI bundle: `src/cli/main.ts` and every worker entry (src/io/worker.ts
 * `WORKER_ENTRIES`) bundled by esbuild into `dist/cli/`, one flat folder:
 *
 * - `main.js`: the `rdbtool` executable (`#!/usr/bin/env node`, mode 755): yargs, the command
 *   modules and, in the same file, every command's implementation, which the handlers
 *   `import()`: esbuild wraps those modules so that their top-level code runs only when the
 *   import happens;
 * - `<name>-worker.js`: each worker entry, self-contained, named by its base name (the name
 *   `workerUrl` looks for when `RDBTOOL_BUNDLE` is set);
 * - `THIRD-PARTY-LICENSES.txt`: the license of every package copied into the bundle.
 *
 * One process start pays for parsing one file instead of resolving and loading some 130
 * modules. One file rather than chunks loaded on demand (esbuild's code splitting): the
 * chunks made `check` of a small dump about 5% slower (some 15 more files to resolve, read
 * and compile, one after another) for a `--version` about 6% faster; the parse of the code a
 * command does not run is cheap, being functions V8 only pre-parses.
 *
 * Outputs are written each through a temporary file and a rename, so a CLI that runs while
 * another build writes sees either the old or the new file, never half of one.
 *
 * One change is made to how third-party code is bundled ({@link lazyStringWidths}): the
 * copies of `string-width` that yargs and its layout packages use cost some 10 ms when they
 * load (an `Intl.Segmenter`, Unicode property regexps), at every start, although only help
 * text ever measures a string; in the bundle they load on the first string that is not
 * printable ASCII.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
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
  /**
   * More entries bundled the same way, output name → source file relative to the root (the
   * bench bundles the replay's library entry so that its child loads as the CLI does).
   */
  extraEntries?: Record<string, string>;
  /** Keep the code's own names (the bench's `--profile`, so that a profile names functions); default false. */
  keepNames?: boolean;
}

/** What {@link buildCli} wrote. */
export interface BuildCliResult {
  /** Output files, relative to the out dir. */
  files: string[];
  /** esbuild's warnings, formatted. */
  warnings: string[];
  /** Bytes of `main.js`. */
  mainBytes: number;
  /** The bundled `string-width` modules loaded only for a string that is not printable ASCII. */
  lazyStringWidths: string[];
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
  for (const [name, file] of Object.entries(opts.extraEntries ?? {})) entryPoints[name] = path.join(root, file);
  const lazied: string[] = [];
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    splitting: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ESM builds of dependencies where they ship one (binary-parser has both).
    mainFields: ['module', 'main'],
    define: { RDBTOOL_BUNDLE: 'true' },
    minifyWhitespace: true,
    minifySyntax: true,
    // Short local names: about 25% less code to parse, some 5% off every start. Error classes
    // name themselves explicitly (src/errors.ts), so messages and --debug stacks keep them.
    minifyIdentifiers: opts.keepNames !== true,
    legalComments: 'none',
    metafile: true,
    plugins: [lazyStringWidths(lazied), lazyBuiltins()],
    // The require() that lazyBuiltins' modules call, one per output file.
    banner: { js: `import { createRequire as __rdbtoolCreateRequire } from 'node:module';\nconst ${BUILTIN_REQUIRE} = __rdbtoolCreateRequire(import.meta.url);` },
    write: false,
    logLevel: 'silent',
  });
  await fs.mkdir(outDir, { recursive: true });
  const files: string[] = [];
  let mainBytes = 0;
  for (const out of result.outputFiles) {
    const name = path.relative(outDir, out.path);
    let bytes = out.contents;
    // Bundled CommonJS code that requires a module esbuild left out (a Node built-in) would
    // need a require() in ESM, which the bundle does not define (defining one in every file
    // costs start-up time): refuse to build rather than fail at run time.
    const external = /\b__require\(\s*["'`]([^"'`]+)/.exec(out.text);
    if (external) throw new Error(`${name} calls require(${JSON.stringify(external[1])}) at run time; the bundle defines no require()`);
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
  await removeStale(outDir, new Set(files), opts.staleChunkMs ?? 10 * 60_000);
  const warnings = result.warnings.map((w) => w.text);
  if (lazied.length === 0) warnings.push('no string-width module was put behind its ASCII fast path: start-up may be slower (has yargs changed?)');
  return { files, warnings, mainBytes, lazyStringWidths: lazied };
}

/** The name of the `require()` the bundle's files define for {@link lazyBuiltins}. */
const BUILTIN_REQUIRE = '__rdbtoolRequire';

/**
 * yargs' own sanity checks (`notStrictEqual`, `strictEqual`), without loading `node:assert`
 * (some 3 ms of every start): the same comparisons, failing with an error of the same name
 * and code.
 */
const LIGHT_ASSERT = `
class AssertionError extends Error {
  constructor(message) { super(message); this.name = 'AssertionError'; this.code = 'ERR_ASSERTION'; }
}
const show = (v) => { try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } };
export function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) throw new AssertionError(message ?? \`expected \${show(actual)} to be \${show(expected)}\`);
}
export function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) throw new AssertionError(message ?? \`expected a value other than \${show(expected)}\`);
}
export default { strictEqual, notStrictEqual, AssertionError };
`;

/**
 * An esbuild plugin for the Node built-in modules the bundle imports. esbuild hoists every
 * import of a built-in to the top of the one output file, so all of them (crypto, worker
 * threads, streams …) would load at every start, whichever command runs. Instead each is a
 * small CommonJS module that `require()`s the built-in: it loads when the code that imports
 * it first runs, and a named import is read when it is used (so `import { promises } from
 * 'node:fs'` no longer loads fs/promises at start). `assert`, which only yargs imports, is
 * replaced by {@link LIGHT_ASSERT}. `node:module` stays an import (the banner needs it).
 */
function lazyBuiltins(): Plugin {
  const NS = 'rdbtool-builtin';
  const names = builtinModules.filter((m) => m !== 'module' && !m.startsWith('_'));
  const escaped = names.map((m) => m.replace(/[/]/g, '\\/'));
  const filter = new RegExp(`^(node:)?(${escaped.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path.replace(/^node:/, ''), namespace: NS }));
      b.onLoad({ filter: /.*/, namespace: NS }, (args) =>
        args.path === 'assert'
          ? { contents: LIGHT_ASSERT, loader: 'js' }
          : { contents: `module.exports = ${BUILTIN_REQUIRE}(${JSON.stringify(`node:${args.path}`)});`, loader: 'js' },
      );
    },
  };
}

/**
 * The module that stands in for a bundled `string-width`: printable ASCII is as wide as it is
 * long (what every version of string-width answers), anything else goes to the real module,
 * which esbuild initialises on the first `require`.
 */
function lazyStringWidth(realPath: string): string {
  return [
    'let real;',
    'const ASCII = /^[\\x20-\\x7e]*$/;',
    'export default function stringWidth(string, options) {',
    "  if (typeof string === 'string' && ASCII.test(string)) return string.length;",
    `  real ??= require(${JSON.stringify(realPath)}).default;`,
    '  return real(string, options);',
    '}',
    '',
  ].join('\n');
}

/**
 * An esbuild plugin that puts each bundled `string-width` behind {@link lazyStringWidth}:
 * loading one creates an `Intl.Segmenter` and compiles Unicode property regexps (the emoji
 * one alone takes several milliseconds), which every start paid for, while only help text
 * ever measures a string, and that text is ASCII. Records each real module in `lazied`.
 */
function lazyStringWidths(lazied: string[]): Plugin {
  const NS = 'rdbtool-lazy-string-width';
  return {
    name: 'lazy-string-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === NS) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: NS });
        if (real.errors.length) return { errors: real.errors };
        if (!lazied.includes(real.path)) lazied.push(real.path);
        return { path: real.path, namespace: NS };
      });
      b.onLoad({ filter: /.*/, namespace: NS }, (args) => ({ contents: lazyStringWidth(args.path), resolveDir: path.dirname(args.path), loader: 'js' }));
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
 * Removes what this build did not write from `outDir`: files of other builds (the compiled
 * CLI modules an older tsc build put there) at once, and `chunk-*.js` files (code-split builds
 * made them) once they are older than `ageMs`, as a CLI started from an earlier build's
 * `main.js` may still load them.
 */
async function removeStale(outDir: string, keep: ReadonlySet<string>, ageMs: number): Promise<void> {
  const now = Date.now();
  for (const name of readdirSync(outDir)) {
    if (keep.has(name) || name.endsWith('.tmp')) continue;
    const file = path.join(outDir, name);
    if (/^chunk-[A-Z0-9]+\.js$/.test(name) && now - statSync(file).mtimeMs <= ageMs) continue;
    await fs.rm(file, { recursive: true, force: true });
  }
}

/** The license texts of the packages under node_modules/ that went into the bundle. */
function thirdPartyLicenses(root: string, meta: Metafile): string {
  const packages = new Map<string, string>();
  for (const input of Object.keys(meta.inputs)) {
    // A module a plugin loaded is named `<namespace>:<absolute path>`.
    const file = input.replace(/^[a-z-]+:(?=\/)/, '');
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path.resolve(root, file));
    if (m) packages.set(m[1], m[1]);
  }
  const sections: string[] = [];
  for (const dir of [...packages.values()].sort()) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `License: ${pkg.license ?? 'unknown'}`;
    sections.push(`${pkg.name}@${pkg.version}\n${'='.repeat(pkg.name.length + pkg.version.length + 1)}\n${text}`);
  }
  return `The rdbtool CLI bundle (main.js and the worker files) contains code from these packages:\n\n${sections.join('\n\n')}\n`;
}
