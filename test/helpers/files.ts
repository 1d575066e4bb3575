/** Locations of test inputs: the project's own fixtures and the shared corpus (read in place). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpus');
export const FIXTURES = path.join(PROJECT_ROOT, 'fixtures');

/** The RDB fixtures made by scripts/make-fixtures.ts. */
export function fixtureRdbs(): string[] {
  const dir = path.join(FIXTURES, 'rdb');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rdb'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Corpus RDBs that decode without error (the refused ones are listed in corpus.test.ts). */
export function goodCorpusRdbs(): string[] {
  const bad = new Set(['corrupt_ziplist.rdb', 'zipmap_big_len.rdb', 'future_v19.rdb', 'invalid_chksum_v8.rdb', 'redis_ent_opcode_ram_lru.rdb']);
  const out: string[] = [];
  for (const folder of ['redis', 'redis-rdb-tools', 'rdb', 'librdb']) {
    const dir = path.join(CORPUS, folder);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.rdb') && !bad.has(n)).sort()) out.push(path.join(dir, f));
  }
  return out;
}
