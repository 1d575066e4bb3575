/**
 * `npm run build:wasm`: re-assembles every `src/binary/wasm/*.wat` into the committed
 * `src/binary/wasm/<name>-module.ts` (scripts/lib/build-wasm.ts says how). Run it after
 * editing a `.wat`; the runtime never assembles anything.
 *
 * Options:
 *   --check   write nothing; exit 1 if any generated module differs from its source
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWasmModules } from './lib/build-wasm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} (the only option is --check)`);
  const check = args.includes('--check');
  let stale = 0;
  for (const m of await generateWasmModules(ROOT)) {
    const file = path.join(ROOT, m.target);
    const same = existsSync(file) && readFileSync(file, 'utf8') === m.text;
    if (check) {
      if (!same) {
        stale++;
        process.stderr.write(`build-wasm: ${m.target} is not what ${m.source} assembles to\n`);
      }
      continue;
    }
    if (!same) {
      // Through a temporary file and a rename: a reader never sees half a module.
      writeFileSync(file + '.tmp', m.text);
      renameSync(file + '.tmp', file);
    }
    process.stderr.write(`build-wasm: ${m.source} → ${m.target} (${m.bytes.length} bytes${same ? ', unchanged' : ''})\n`);
  }
  if (stale) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`build-wasm: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
