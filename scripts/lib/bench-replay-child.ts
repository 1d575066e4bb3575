/**
 * Child process of `npm run bench`: replays an input (a plain or hybrid AOF, a multi-part AOF
 * directory or its manifest) into an in-memory dataset with the library's `replayPath`, and
 * nothing else, so the number measures the replay alone (no report, no output).
 *
 * Usage: `tsx scripts/lib/bench-replay-child.ts <input> [--lib <dir> | --module <file>]`
 *
 * `--lib` is the directory holding the library modules (`replay/replay-input.js`); the
 * default is `src/` next to this script (so `tsx` runs the sources). `--module` is one file
 * exporting `replayPath`: the bench passes the replay entry bundled as the CLI is (one file
 * to load instead of some hundred modules, as `rdbtool` starts) and runs a plain-JS copy of
 * this file, so the replay runs the same compiled code as the CLI and its peak RSS does not
 * include tsx's loader.
 *
 * Prints one JSON line on stdout: `{ keys, applied, loadedKeys, bytes, replayMs,
 * heapUsedBytes, maxRssKb }` (the heap after the replay, the dataset still held). Exits 1
 * when the replay stopped at damage or a command it refused.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type ReplayModule = typeof import('../../src/replay/replay-input.js');

/** The replay's result, held until the process exits, so a heap profile written at exit (`--heap-prof`) shows the dataset. */
export let kept: unknown = null;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--lib');
  const mod = args.indexOf('--module');
  const input = args.find((a, i) => !a.startsWith('--') && (i === 0 || (args[i - 1] !== '--lib' && args[i - 1] !== '--module')));
  if (!input) throw new Error('usage: bench-replay-child.ts <input> [--lib <dir> | --module <file>]');
  const libUrl = at >= 0 ? pathToFileURL(path.resolve(args[at + 1]) + path.sep) : new URL('../../src/', import.meta.url);
  const entry = mod >= 0 ? pathToFileURL(path.resolve(args[mod + 1])).href : new URL('replay/replay-input.js', libUrl).href;
  const { replayPath } = (await import(entry)) as ReplayModule;

  const started = performance.now();
  const result = await replayPath(input);
  const replayMs = performance.now() - started;
  if (result.error) throw result.error;
  kept = result;
  process.stdout.write(
    JSON.stringify({
      keys: result.dataset.keyCount,
      applied: result.replay.applied,
      loadedKeys: result.load.keys,
      bytes: result.bytes,
      replayMs,
      heapUsedBytes: process.memoryUsage().heapUsed,
      maxRssKb: process.resourceUsage().maxRSS,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-replay-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
