/**
 * Worker thread body for `check` over many inputs (`check-run.ts`): takes one input at a time
 * from the main thread, checks it, and sends the report back. A typed error (the input cannot
 * be read) is sent as data; anything else is a bug and is marked so.
 */
import { parentPort } from 'node:worker_threads';
import { RdbtoolError } from '../errors.js';
import { checkPath, type CheckOptions } from './check.js';
import type { CheckWorkerReply } from './check-run.js';

const port = parentPort!;
port.on('message', (m: { id: number; path: string; opts: CheckOptions }) => {
  void checkPath(m.path, m.opts).then(
    (report) => port.postMessage({ id: m.id, report } satisfies CheckWorkerReply),
    (e: unknown) => {
      const typed = e instanceof RdbtoolError;
      const error = typed
        ? { code: e.code, reason: e.reason, file: e.file, offset: e.offset, expected: e.expected, found: e.found, internal: false }
        : { code: 'INTERNAL', reason: e instanceof Error ? e.message : String(e), internal: true, stack: e instanceof Error ? e.stack : undefined };
      port.postMessage({ id: m.id, error } satisfies CheckWorkerReply);
    },
  );
});
