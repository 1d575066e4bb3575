/**
 * The first bytes of a file, for deciding what it is before reading it as a stream.
 */
import { promises as fsp } from 'node:fs';
import { InputError } from '../errors.js';
import { describeFsError } from './fs-error.js';

/**
 * Reads at most `max` bytes from the start of `file` (fewer when the file is shorter).
 * @throws InputError when the file cannot be opened or read.
 */
export async function readHead(file: string | Buffer, max: number): Promise<Uint8Array> {
  let fh;
  try {
    fh = await fsp.open(file, 'r');
    const buf = new Uint8Array(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw new InputError(`cannot read: ${describeFsError(e)}`, { file: String(file), cause: e });
  } finally {
    await fh?.close();
  }
}
