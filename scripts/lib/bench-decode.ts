/**
 * Child process of `npm run bench`: decodes every value of an RDB with the library's
 * `RdbDecoder` (`verify: 'deep'`, checksum on) and a handler that asks for every key and
 * ignores what it gets, so the number measures the decoder alone.
 *
 * Usage: `tsx scripts/lib/bench-decode.ts <file.rdb> [--lib <dir>] [--chunk-bytes N]`
 *
 * `--lib` is the directory holding the library modules (`rdb/decoder.js`, `io/source.js`);
 * the default is `src/` next to this script (so `tsx` runs the sources). The bench passes
 * `dist/` and runs a plain-JS copy of this file, so the decode runs the same compiled code
 * as the CLI and its peak RSS does not include tsx's loader.
 *
 * Prints one JSON line on stdout: `{ keys, elements, bytes, decodeMs, checksum, chunkBytes }`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RdbHandler } from '../../src/model/events.js';

type ScanModule = typeof import('../../src/pipeline/scan.js');
type SourceModule = typeof import('../../src/io/source.js');

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
  if (!file) throw new Error('usage: bench-decode.ts <file.rdb> [--lib <dir>] [--chunk-bytes N]');
  const libOption = option(args, '--lib');
  const libUrl = libOption ? pathToFileURL(path.resolve(libOption) + path.sep) : new URL('../../src/', import.meta.url);
  const { scanRdb } = (await import(new URL('pipeline/scan.js', libUrl).href)) as ScanModule;
  const { openSource, DEFAULT_CHUNK_BYTES } = (await import(new URL('io/source.js', libUrl).href)) as SourceModule;
  const chunkBytes = Number(option(args, '--chunk-bytes') ?? DEFAULT_CHUNK_BYTES);
  // Without --deliver: what a checker needs (every value decoded and validated, every LZF
  // string decompressed, nothing handed out). With it: every element also delivered as a view.
  const deliver = args.includes('--deliver');

  let keys = 0;
  let elements = 0;
  const noop = (): void => {};
  const handler: RdbHandler = {
    keyStart: () => deliver,
    stringValue: noop,
    stringPart: noop,
    item: noop,
    field: noop,
    member: noop,
    streamEntry: noop,
    streamMeta: noop,
    streamGroup: noop,
    streamIdmp: noop,
    arrayElement: noop,
    moduleValue: noop,
    keyEnd: (k) => {
      keys++;
      elements += k.elements;
    },
  };

  const started = performance.now();
  const source = await openSource(file, chunkBytes);
  // scanRdb is the library's driver: it verifies the checksum on a worker thread for big files.
  const summary = await scanRdb(source, handler, { verify: 'deep' });
  const bytes = summary.bytesRead;
  const decodeMs = performance.now() - started;
  process.stdout.write(
    JSON.stringify({ keys, elements, bytes, decodeMs, checksum: summary.end?.checksum ?? null, chunkBytes }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-decode: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
