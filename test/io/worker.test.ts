/** Where a worker entry's file is, in each layout the library runs from (src/io/worker.ts). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledWorkerName, startWorker, workerUrl, WORKER_ENTRIES } from '../../src/io/worker.js';

describe('workerUrl', () => {
  it('under a TypeScript runner: the .ts source next to src/io/', () => {
    expect(workerUrl('binary/crc64-worker', 'file:///p/src/io/worker.ts', false).href).toBe('file:///p/src/binary/crc64-worker.ts');
  });

  it('in the compiled library: the .js file in dist/', () => {
    expect(workerUrl('analyze/check-worker', 'file:///p/dist/io/worker.js', false).href).toBe('file:///p/dist/analyze/check-worker.js');
  });

  it('in the CLI bundle: a file of its own named by its base name, in the folder of the code asking', () => {
    for (const here of ['file:///p/dist/cli/main.js', 'file:///p/dist/cli/check-worker.js']) {
      expect(workerUrl('binary/crc64-worker', here, true).href).toBe('file:///p/dist/cli/crc64-worker.js');
      expect(workerUrl('analyze/check-worker', here, true).href).toBe('file:///p/dist/cli/check-worker.js');
    }
  });

  it('gives every entry a different bundle name', () => {
    const names = WORKER_ENTRIES.map(bundledWorkerName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds the sources from here (tests run the TypeScript)', () => {
    expect(existsSync(fileURLToPath(workerUrl('binary/crc64-worker')))).toBe(true);
  });
});

describe('startWorker', () => {
  it('runs an entry from the sources under the test runner', async () => {
    const w = startWorker('binary/crc64-worker', { path: fileURLToPath(import.meta.url), step: 1 << 20 });
    const message = await new Promise<{ points: number[]; error: string | null }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(message.error).toBeNull();
    expect(message.points).toHaveLength(2);
  });
});
