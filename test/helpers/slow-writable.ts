/** A destination that takes its time, for tests of backpressure. */
import { Writable } from 'node:stream';

/** A writable with a 16 KiB high-water mark that acknowledges each write on the next turn; `bytes()` counts what it took. */
export function slowWritable(): Writable & { bytes(): number } {
  let bytes = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      setImmediate(cb);
    },
  });
  return Object.assign(out, { bytes: () => bytes });
}
