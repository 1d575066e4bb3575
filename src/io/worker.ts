/**
 * Starts a worker thread on one of the library's own modules. Every worker entry goes
 * through here, so there is one place that knows where an entry's file is. Three layouts:
 * - the compiled library in `dist/` (tsc): `dist/<entry>.js`, one folder up from this module;
 * - the CLI bundle (esbuild, `scripts/build.ts`): every entry is a bundled file of its own,
 *   named by its base name, in the same folder as all the bundle's files (`dist/cli/`);
 * - the TypeScript sources under a TypeScript runner (tests, `tsx`): `src/<entry>.ts`, where
 *   the worker needs the same loader registered first.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';

/**
 * `node:worker_threads`, loaded when the first worker starts: a run that starts none (one
 * small input) does not pay for loading it.
 */
function workerThreads(): typeof import('node:worker_threads') {
  return createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
}

/** The modules that run as worker threads, named by their path under `src/` without extension. */
export const WORKER_ENTRIES = ['binary/crc64-worker', 'analyze/check-worker', 'diff/digest-worker'] as const;

/** One of {@link WORKER_ENTRIES}. */
export type WorkerEntry = (typeof WORKER_ENTRIES)[number];

// Replaced by `true` when the CLI bundle is built (esbuild `define`); not declared anywhere
// else, so `typeof` finds it undefined in the compiled library and under tsx.
declare const RDBTOOL_BUNDLE: boolean | undefined;

/** True in the CLI bundle. */
const inBundle = typeof RDBTOOL_BUNDLE !== 'undefined' && RDBTOOL_BUNDLE;

/** The bundle's output name of a worker entry, without `.js`: its base name (`crc64-worker`). */
export function bundledWorkerName(entry: WorkerEntry): string {
  return entry.slice(entry.lastIndexOf('/') + 1);
}

/**
 * The file URL of a worker entry, for the layout this module was loaded from.
 * @param here the URL of the module asking (default: this module's own URL)
 */
export function workerUrl(entry: WorkerEntry, here: string = import.meta.url, bundle: boolean = inBundle): URL {
  // In the bundle this module's code sits in `main.js` or a worker file, all in one folder.
  if (bundle) return new URL(`./${bundledWorkerName(entry)}.js`, here);
  const ts = here.endsWith('.ts');
  return new URL(`../${entry}${ts ? '.ts' : '.js'}`, here);
}

/** Starts `entry` in a new worker thread with `workerData`. */
export function startWorker(entry: WorkerEntry, workerData: unknown): Worker {
  const { Worker } = workerThreads();
  const url = workerUrl(entry);
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(url, { workerData });
}
