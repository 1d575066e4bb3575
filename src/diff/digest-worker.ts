/**
 * Worker thread body for `diff` (diff.ts): digests one input and sends its records to the main
 * thread in batches (transferred, not copied). At most {@link MAX_IN_FLIGHT} batches wait
 * there (fewer than the matcher lets wait for the other input: the faster of two workers
 * waits for the slower one, see digest-matcher.ts); each comes back, empty, once the main
 * thread has taken its records, to be written into again. A typed error is sent as data; anything else is a bug and is marked so.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RdbtoolError } from '../errors.js';
import { BATCH_BYTES, RecordWriter, type BatchSink } from './digest-records.js';
import { digestInput } from './digest-input.js';
import { MAX_QUEUED } from './digest-matcher.js';
import type { DigestWorkerData, DigestWorkerMessage } from './diff.js';

/** Batches sent and not yet given back before the digest waits. */
const MAX_IN_FLIGHT = MAX_QUEUED / 2;

const port = parentPort!;
const data = workerData as DigestWorkerData;
const free: ArrayBuffer[] = [];
let inFlight = 0;
let wake: (() => void) | null = null;

port.on('message', (m: { buf: ArrayBuffer }) => {
  inFlight--;
  free.push(m.buf);
  const w = wake;
  wake = null;
  w?.();
});

const sink: BatchSink = {
  push(bytes, length) {
    const buf = bytes.buffer as ArrayBuffer;
    port.postMessage({ t: 'batch', buf, length } satisfies DigestWorkerMessage, [buf]);
    inFlight++;
    const next = free.pop();
    return next !== undefined ? new Uint8Array(next) : new Uint8Array(BATCH_BYTES);
  },
  async drain() {
    while (inFlight > MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
  },
};

const onProgress = (p: { bytesRead: number; totalBytes: number | undefined }) => {
  port.postMessage({ t: 'progress', bytesRead: p.bytesRead, totalBytes: p.totalBytes } satisfies DigestWorkerMessage);
};

digestInput(data.input, new RecordWriter(sink), data.opts, { onProgress }).then(
  (info) => port.postMessage({ t: 'done', info } satisfies DigestWorkerMessage),
  (e: unknown) => {
    const error =
      e instanceof RdbtoolError
        ? { code: e.code, reason: e.reason, file: e.file, offset: e.offset, expected: e.expected, found: e.found, context: e.context, internal: false }
        : { code: 'INTERNAL', reason: e instanceof Error ? e.message : String(e), internal: true, stack: e instanceof Error ? e.stack : undefined };
    port.postMessage({ t: 'error', error } satisfies DigestWorkerMessage);
  },
);
