/**
 * CRC-64 of a file prefix computed on a second core. The RDB trailer covers every byte up
 * to the EOF opcode; the decoder learns where that is only at the end, so a worker thread
 * reads the same file in parallel and records checkpoints, and the last partial step is
 * folded in here. On a 2-core machine this takes the checksum (about a fifth of an inspect)
 * off the decoding thread.
 */
import { open } from 'node:fs/promises';
import { Crc64 } from './crc64.js';
import { InputError } from '../errors.js';
import { startWorker } from '../io/worker.js';

/** Checkpoint spacing: 4 MiB (1 GB file = 250 checkpoints). */
const STEP = 4 << 20;

/** A running checksum job over one file. */
export interface FileCrcJob {
  /** CRC-64 of the file's first `n` bytes, as unsigned 32-bit halves. */
  prefix(n: number): Promise<{ hi: number; lo: number }>;
  /** Stops the worker if it is still running. */
  cancel(): void;
}

/**
 * Starts checksumming `path` in a worker thread.
 * @throws InputError (on `prefix`) when the worker cannot read the file or it shrank.
 */
export function startFileCrc(path: string): FileCrcJob {
  const worker = startWorker('binary/crc64-worker', { path, step: STEP });
  const failed = (reason: string, cause?: unknown) => new InputError(`cannot compute the checksum: ${reason}`, { file: path, cause });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (m: { points: number[]; error: string | null }) => (m.error ? reject(failed(m.error)) : resolve(m.points)));
    worker.once('error', (e) => reject(failed(e instanceof Error ? e.message : String(e), e)));
    worker.once('exit', (code) => {
      if (code !== 0) reject(failed(`the checksum worker exited with code ${code}`));
    });
  });
  done.catch(() => {});
  return {
    async prefix(n: number) {
      const points = await done;
      const k = Math.min(Math.floor(n / STEP), points.length / 2 - 1);
      const crc = new Crc64().restore(points[2 * k], points[2 * k + 1]);
      const from = k * STEP;
      if (n > from) {
        const fh = await open(path, 'r');
        try {
          const buf = new Uint8Array(n - from);
          let got = 0;
          while (got < buf.length) {
            const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
            if (bytesRead === 0) throw new InputError('the file shrank while it was being read', { file: path, offset: from + got, expected: `${n} bytes`, found: `${from + got} bytes` });
            got += bytesRead;
          }
          crc.update(buf);
        } finally {
          await fh.close();
        }
      }
      return { hi: crc.hi, lo: crc.lo };
    },
    cancel() {
      void worker.terminate();
    },
  };
}
