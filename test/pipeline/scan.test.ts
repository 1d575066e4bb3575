/**
 * scanRdb over real files, with the checksum computed inline and in a worker thread: both
 * give the same verdicts, including a real mismatch.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { RdbtoolError } from '../../src/errors.js';
import { CORPUS, fixtureRdbs, itCorpus } from '../helpers/files.js';

describe('scanRdb', () => {
  for (const mode of ['never', 'always'] as const) {
    it(`verifies every fixture's checksum (${mode === 'always' ? 'worker' : 'inline'})`, async () => {
      for (const file of fixtureRdbs()) {
        let keys = 0;
        const r = await scanRdb(await openSource(file), { keyEnd: () => void keys++ }, { checksumWorker: mode });
        expect(r.end!.checksum, file).toBe(file.includes('nochecksum') ? 'disabled' : 'ok');
        if (r.end!.checksum === 'ok') expect(r.end!.computedChecksum).toBe(r.end!.storedChecksum);
        expect(r.bytesRead).toBeGreaterThan(0);
        expect(r.trailingBytes).toBe(0);
        if (!file.includes('empty')) expect(keys).toBeGreaterThan(0);
      }
    });

    itCorpus(`reports a CRC mismatch (${mode})`, async () => {
      const file = path.join(CORPUS, 'librdb', 'invalid_chksum_v8.rdb');
      await expect(scanRdb(await openSource(file), {}, { checksumWorker: mode })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', file });
      const r = await scanRdb(await openSource(file), {}, { checksumWorker: mode, strictChecksum: false });
      expect(r.end!.checksum).toBe('mismatch');
      expect(r.end!.computedChecksum).toBe('a609bb6465990fe1');
      expect(r.end!.storedChecksum).toBe('b477e446e98e5402');
    });
  }

  it('names the file in I/O errors', async () => {
    await expect(openSource('does/not/exist.rdb')).rejects.toBeInstanceOf(RdbtoolError);
    await expect(openSource('does/not/exist.rdb')).rejects.toMatchObject({ code: 'IO', file: 'does/not/exist.rdb' });
  });
});
