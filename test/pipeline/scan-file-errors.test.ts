/**
 * scanFile tells the input's damage (returned as the file's problem) from an error thrown by
 * a caller's command handler (thrown on), even when the handler throws one of the library's
 * own typed errors. (The RDB decoder cannot tell them apart: an RdbtoolError thrown by an RDB
 * handler is taken as damage of the RDB part.)
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { bytesSource } from '../../src/io/source.js';
import { LimitError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';

const read = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, 'aof', name)));
const refusal = () => new LimitError('the handler has seen enough');

describe('scanFile: handler errors are not damage', () => {
  for (const name of ['plain.aof', 'hybrid.aof']) {
    it(`${name}: a command handler's typed error propagates (first chunk and later ones)`, async () => {
      for (const chunk of [1 << 20, 64]) {
        const s = scanFile(bytesSource(read(name), name, chunk), { aof: { command: () => { throw refusal(); } } });
        await expect(s).rejects.toThrow('the handler has seen enough');
      }
    });
  }

  it('damage is still returned, not thrown', async () => {
    const s = await scanFile(bytesSource(read('plain.aof').subarray(0, 1500), 'cut.aof'), { aof: { command: () => undefined } });
    expect(s.problem).toMatchObject({ code: 'TRUNCATED' });
  });
});
