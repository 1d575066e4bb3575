/**
 * How `check` verifies RDB values: a matching CRC-64 vouches for every byte, so values are
 * decoded only where no checksum does (an RDB saved with `rdbchecksum no`), or everywhere
 * with `verify: 'deep'`. Damage inside a value of a file without a checksum, which parsing
 * the records alone cannot see, must still be found; in a file with a checksum, the checksum
 * finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPath } from '../../src/analyze/check.js';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { bytesSource } from '../../src/io/source.js';
import type { KeyInfo } from '../../src/model/events.js';
import { FIXTURES } from '../helpers/files.js';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-check-verify-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rdb = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', name)));

/** Where the value bytes of the keys stored as listpacks are. */
async function listpackValues(bytes: Uint8Array): Promise<{ start: number; end: number }[]> {
  const out: { start: number; end: number }[] = [];
  await scanRdb(bytesSource(bytes), {
    keyStart: (k: Readonly<KeyInfo>) => {
      void k;
      return false;
    },
    keyEnd: (k: Readonly<KeyInfo>) => {
      // The record without its type byte: the key, then the value's blob.
      if (k.encoding === 'listpack') out.push({ start: k.offset + 1, end: k.offset + k.onDiskBytes });
    },
  });
  return out;
}

describe('check: how values are verified', () => {
  it('a file with a matching CRC-64 is verified by it; --deep decodes the values too', async () => {
    const file = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    const auto = await checkPath(file);
    const deep = await checkPath(file, { verify: 'deep' });
    expect(auto.intact && deep.intact).toBe(true);
    expect(auto.files[0].rdb!.checksum).toBe('ok');
    expect(auto.files[0].rdb!.verification).toBe('checksum');
    expect(deep.files[0].rdb!.verification).toBe('deep');
  });

  it('a file saved without a checksum has its values decoded, and damage inside a value is found', async () => {
    const bytes = rdb('nocompress-nochecksum.rdb');
    const clean = await checkPath(path.join(FIXTURES, 'rdb', 'nocompress-nochecksum.rdb'));
    expect(clean.intact).toBe(true);
    expect(clean.files[0].rdb!.checksum).toBe('disabled');
    expect(clean.files[0].rdb!.verification).toBe('deep');

    const values = await listpackValues(bytes);
    expect(values.length).toBeGreaterThan(0);
    // Put an end marker (0xFF) at every byte of the first listpack values: wherever parsing the
    // records alone misses it, the deep pass must find it.
    let missedByParsing = 0;
    let tried = 0;
    for (const v of values.slice(0, 3)) {
      for (let at = v.start; at < v.end - 1 && tried < 120; at++, tried++) {
        if (bytes[at] === 0xff) continue;
        const damaged = Uint8Array.from(bytes);
        damaged[at] = 0xff;
        const shallow = await scanFile(bytesSource(damaged, 'x.rdb'), {}, { verify: 'shallow' });
        const deep = await scanFile(bytesSource(damaged, 'x.rdb'), {}, { verify: 'deep' });
        if (deep.problem === null) continue; // the byte was data: nothing to find
        const file = path.join(dir, `lp-${at}.rdb`);
        await fs.writeFile(file, damaged);
        const report = await checkPath(file);
        expect(report.intact, `damage at byte ${at}`).toBe(false);
        // Damage parsing already sees is reported from that reading; the rest from the deep one.
        expect(report.problems[0].offset).toBe((shallow.problem ?? deep.problem).offset);
        if (shallow.problem === null) missedByParsing++;
      }
    }
    expect(missedByParsing).toBeGreaterThan(0);
  });

  it('in a file with a checksum, damage inside a value is a checksum mismatch', async () => {
    const bytes = rdb('all-types.rdb');
    const values = await listpackValues(bytes);
    const at = values[0].end - 4;
    const damaged = Uint8Array.from(bytes);
    damaged[at] ^= 0x01;
    const file = path.join(dir, 'crc.rdb');
    await fs.writeFile(file, damaged);
    const report = await checkPath(file);
    expect(report.intact).toBe(false);
    expect(report.problems.map((p) => p.code)).toContain('CHECKSUM_MISMATCH');
  });
});
