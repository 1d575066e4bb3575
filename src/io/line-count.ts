/**
 * Physical line numbers found after the fact: counting `\n` bytes costs a look at every
 * byte, so a check-only pass skips it and, when it has something to report, reads the
 * file again up to the offsets it needs to name.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { describeFsError } from './fs-error.js';

/**
 * The 1-based line of each offset, counting `\n` bytes from `from` (line 1) up to it.
 * Offsets below `from` get 1. Reads the file once, up to the largest offset.
 * @throws InputError when the file cannot be read.
 */
export async function linesAt(path: string | Buffer, from: number, offsets: readonly number[]): Promise<number[]> {
  const wanted = [...new Set(offsets.filter((o) => o > from))].sort((a, b) => a - b);
  const lines = new Map<number, number>();
  if (wanted.length > 0) {
    let line = 1;
    let pos = from;
    let next = 0;
    const stream = createReadStream(path, { start: from, end: wanted[wanted.length - 1] - 1, highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        let i = 0;
        while (i < chunk.length) {
          const stop = next < wanted.length ? Math.min(chunk.length, i + (wanted[next] - pos)) : chunk.length;
          let j = chunk.indexOf(0x0a, i);
          while (j >= 0 && j < stop) {
            line++;
            j = chunk.indexOf(0x0a, j + 1);
          }
          pos += stop - i;
          i = stop;
          while (next < wanted.length && wanted[next] === pos) lines.set(wanted[next++], line);
        }
      }
    } catch (e) {
      throw new InputError(`cannot read: ${describeFsError(e)}`, { file: String(path), cause: e });
    } finally {
      stream.destroy();
    }
    // Offsets past the end of the file: the line where the file ends.
    for (; next < wanted.length; next++) lines.set(wanted[next], line);
  }
  return offsets.map((o) => (o <= from ? 1 : lines.get(o)!));
}
