/**
 * Starts a worker thread on one of the library's own modules. Every worker entry goes
 * through here, so there is one place that knows how a module path maps to a file: next to
 * this module's folder in the compiled `dist/` (`.js`), or the TypeScript source under a
 * TypeScript runner (tests, `tsx`), where the worker needs the same loader registered first.
 */
import { Worker } from 'node:worker_threads';

/** The modules that run as worker threads, named by their path under `src/` without extension. */
export type WorkerEntry = 'binary/crc64-worker' | 'analyze/check-worker';

/** The file URL of a worker entry, for the layout this module was loaded from. */
export function workerUrl(entry: WorkerEntry): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  return new URL(`../${entry}${ts ? '.ts' : '.js'}`, here);
}

/** Starts `entry` in a new worker thread with `workerData`. */
export function startWorker(entry: WorkerEntry, workerData: unknown): Worker {
  const url = workerUrl(entry);
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(url, { workerData });
}
