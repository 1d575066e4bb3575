/**
 * `npm run build` (also run by `npm ci` through `prepare`): builds `dist/`.
 *
 * 1. removes `dist/`;
 * 2. compiles the library with `tsc -p tsconfig.build.json`: `dist/index.js` and `.d.ts`,
 *    what the package's `exports` point at, one `.js` per source module (src/cli is left to
 *    the next step); a type error fails the build;
 * 3. bundles the CLI with esbuild into `dist/cli/` (scripts/lib/build-cli.ts): `main.js`
 *    (the `bin`, holding every command) and the worker entries.
 *
 * Options:
 *   --cli   only step 3, without removing anything first (what the test suite's global
 *           setup runs: it takes well under a second and needs no type check)
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from './lib/build-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--cli');
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} (the only option is --cli)`);
  const cliOnly = args.includes('--cli');

  if (!cliOnly) {
    rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit code ${tsc.status ?? tsc.signal})`);
  }

  const started = performance.now();
  const res = await buildCli({ root: ROOT });
  for (const w of res.warnings) process.stderr.write(`build: esbuild warning: ${w}\n`);
  const ms = performance.now() - started;
  process.stderr.write(`build: dist/cli/ bundled in ${ms.toFixed(0)} ms (${res.files.length} files, main.js ${(res.mainBytes / 1024).toFixed(0)} KiB)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`build: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
