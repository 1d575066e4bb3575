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
  it('fits one screen by default: header, databases, types over all databases, biggest keys by size', async () => {
    const r = await report(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    const text = renderInspect(r);
    for (const heading of ['Databases', 'Types (all databases)', 'Biggest keys by on-disk size (top 10)']) expect(text).toMatch(new RegExp(`^${heading.replace(/[()]/g, '\\$&')}$`, 'm'));
    for (const heading of ['AUX fields', 'Encodings per database', 'Types per database', 'Function libraries', 'Biggest keys by element count \\(top 10\\)', 'Read:.*']) expect(text).not.toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(text).toContain('RDB version 10, REDIS magic (redis dialect)');
    expect(text).toMatch(/Keys: +87 in 4 database\(s\); 9 with a TTL, 0 already expired/);
    expect(text).toMatch(/^Functions: 2 libraries: rdbtool_ro, rdbtool_lib$/m);
    expect(text).toMatch(/^More with --all: AUX fields, types and encodings per database, function libraries, biggest keys by element count\.$/m);
    expect(text.split('\n').length).toBeLessThanOrEqual(50);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('sums each type over the databases, with its encodings', async () => {
    const r = await report(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    const text = renderInspect(r);
    for (const type of ['string', 'list', 'set', 'zset', 'hash', 'stream']) {
      const keys = r.databases.flatMap((d) => d.types).filter((t) => t.valueType === type).reduce((n, t) => n + t.keys, 0);
      const elements = r.databases.flatMap((d) => d.types).filter((t) => t.valueType === type).reduce((n, t) => n + t.elements, 0);
      const encodings = new Set(r.databases.flatMap((d) => d.encodings).filter((e) => e.valueType === type).map((e) => e.encoding));
      const row = text.split('\n').find((l) => l.startsWith(`│ ${type} `));
      expect(row, type).toBeDefined();
      const cells = row!.split('│').map((c) => c.trim());
      expect(Number(cells[2].replace(/,/g, '')), type).toBe(keys);
      expect(Number(cells[3].replace(/,/g, '')), type).toBe(elements);
      expect(new Set(cells[6].split(', ').map((e) => e.split(' ')[0])), type).toEqual(encodings);
    }
  });

  it('shows every table with all', async () => {
    const r = await report(path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb'));
    const text = renderInspect(r, { all: true });
    for (const heading of ['AUX fields', 'Databases', 'Types (all databases)', 'Types per database', 'Encodings per database', 'Function libraries', 'Biggest keys by on-disk size (top 10)', 'Biggest keys by element count (top 10)']) {
      expect(text).toMatch(new RegExp(`^${heading.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
    expect(text).toMatch(/^Read: +27,050 bytes in /m);
    expect(text).not.toContain('More with --all');
    expect(text).not.toContain('Functions:');
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
    const r = await report(path.join(CORPUS, 'redis-rdb-tools', 'redis_40_with_module.rdb'));
    expect(renderInspect(r)).toMatch(/^Modules: +ReJSON-RL \(encver 0, 1 key, 0 aux records\)$/m);
    const text = renderInspect(r, { all: true });
    expect(text).toContain('Module types');
    expect(text).toMatch(/ReJSON-RL +│ +0 │ +1 │ +0 │/);
  });
});
