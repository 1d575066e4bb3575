/**
 * Worker thread body for {@link startFileCrc}: reads a file on its own and records the
 * CRC-64 at every checkpoint (each `step` bytes), so the main thread can get the CRC of any
 * prefix cheaply while it spends its own core on decoding. The file is read straight into the
 * WebAssembly checksum's memory (src/binary/crc64-wasm.ts), or, without WebAssembly, into a
 * buffer folded by the JavaScript one: the same checksums either way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSync, readSync, closeSync } from 'node:fs';
import { createCrc64Buffer } from './crc64-wasm.js';

interface Job {
  path: string;
  step: number;
}

const { path, step } = workerData as Job;

/** Checkpoint k holds the CRC of bytes [0, k*step): hi at 2k, lo at 2k+1. */
const points: number[] = [0, 0];
let error: string | null = null;
let fd = -1;
try {
  const crc = createCrc64Buffer(step);
  const buf = crc.input;
  fd = openSync(path, 'r');
  for (;;) {
    let got = 0;
    while (got < step) {
      const n = readSync(fd, buf, got, step - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got === 0) break;
    crc.update(got);
    if (got < step) break;
    points.push(crc.hi, crc.lo);
  }
} catch (e) {
  error = String(e);
} finally {
  if (fd >= 0) closeSync(fd);
}
parentPort!.postMessage({ points, error });
