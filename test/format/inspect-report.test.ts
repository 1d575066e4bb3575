import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectRdb, type InspectReport } from '../../src/analyze/overview.js';
import { openSource } from '../../src/io/source.js';
import { renderInspect } from '../../src/format/reports/inspect.js';
import { CORPUS, itCorpus } from '../helpers/files.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function report(file: string): Promise<InspectReport> {
  return inspectRdb(await openSource(file));
}

describe('renderInspect', () => {
  it('has every section for a file with keys, functions and AUX fields', async () => {
    const r = await report(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    const text = renderInspect(r);
    for (const heading of ['AUX fields', 'Databases', 'Types', 'Encodings', 'Function libraries', 'Biggest keys by on-disk size', 'Biggest keys by element count']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('RDB version 10, REDIS magic (redis dialect)');
    expect(text).toMatch(/Keys: +87 in 4 database\(s\); 9 with a TTL, 0 already expired/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('never writes raw control bytes from the file', async () => {
    const r = await report(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    // Force a hostile key into the top list.
    r.biggestKeys.bySize.unshift({ ...r.biggestKeys.bySize[0], key: Uint8Array.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0xff]) });
    const text = renderInspect(r);
    expect(text).toContain('\\x1b[2J\\x07\\xff');
    expect(/[\x00-\x09\x0b-\x1f\x7f]/.test(text)).toBe(false);
  });

  itCorpus('marks a checksum mismatch and trailing bytes', async () => {
    const bad = renderInspect(await report(path.join(CORPUS, 'librdb', 'invalid_chksum_v8.rdb')));
    expect(bad).toContain('Checksum:  MISMATCH: stored 0xb477e446e98e5402, computed 0xa609bb6465990fe1');
    const tail = renderInspect(await report(path.join(CORPUS, 'redis', 'rdb-preamble.aof')));
    expect(tail).toMatch(/Trailing: +52 bytes after the checksum/);
    const old = renderInspect(await report(path.join(CORPUS, 'redis', 'encodings.rdb')));
    expect(old).toContain('absent (RDB version 4 has no checksum)');
  });

  itCorpus('lists module types', async () => {
    const text = renderInspect(await report(path.join(CORPUS, 'redis-rdb-tools', 'redis_40_with_module.rdb')));
    expect(text).toContain('Module types');
    expect(text).toMatch(/ReJSON-RL +│ +0 │ +1 │ +0 │/);
  });
});
