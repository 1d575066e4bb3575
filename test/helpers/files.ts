/**
 * Locations of test inputs: the project's own fixtures and the third-party corpus (read in place).
 *
 * The corpus (real files from other projects' test suites, with a README of what each holds) is
 * not part of the repository. It is looked for in `$RDBTOOL_CORPUS`, else in `../shared/corpus`
 * beside the checkout. When it is absent the corpus suites are reported as skipped (and
 * test/helpers/corpus-notice.ts prints one line saying why); when `RDBTOOL_CORPUS` names it
 * explicitly they always run, so a missing corpus fails them instead of skipping them.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(PROJECT_ROOT, 'fixtures');

/** The environment variable that names the corpus folder (and makes the corpus suites required). */
export const CORPUS_ENV = 'RDBTOOL_CORPUS';

const named = process.env[CORPUS_ENV];

/** The corpus folder: `$RDBTOOL_CORPUS`, else `../shared/corpus` beside the checkout. */
export const CORPUS = named ? path.resolve(named) : path.resolve(PROJECT_ROOT, '..', 'shared', 'corpus');

/** The corpus is there (its README marks the folder). */
export const HAVE_CORPUS = existsSync(path.join(CORPUS, 'README.md'));

/** `RDBTOOL_CORPUS` is set: the corpus suites must run, and fail if it is missing. */
export const CORPUS_REQUIRED = Boolean(named);

/** Whether the corpus suites run: the corpus is there, or it was asked for by name. */
export const RUN_CORPUS = HAVE_CORPUS || CORPUS_REQUIRED;

/** Why the corpus suites do not run, or null when they do. */
export const CORPUS_SKIP_REASON = RUN_CORPUS
  ? null
  : `corpus suites not run: no corpus at ${CORPUS} (set ${CORPUS_ENV} to the corpus folder to run them)`;

/** A `describe` that is run only when the corpus suites run (skipped, not passed, otherwise). */
export const describeCorpus: ReturnType<typeof describe.skipIf> = describe.skipIf(!RUN_CORPUS);

/** An `it` that is run only when the corpus suites run (skipped, not passed, otherwise). */
export const itCorpus: ReturnType<typeof it.skipIf> = it.skipIf(!RUN_CORPUS);

/** A path inside the corpus. */
export function corpusPath(...parts: string[]): string {
  return path.join(CORPUS, ...parts);
}

/**
 * Sorted names in a corpus folder ending in `suffix`, for building a suite's cases when it is
 * collected. Empty when the corpus suites do not run; when they must run and the folder is
 * missing, the error says so.
 */
export function corpusNames(folder: string, suffix: string): string[] {
  if (!RUN_CORPUS) return [];
  const dir = corpusPath(folder);
  if (!existsSync(dir)) throw new Error(`the corpus folder ${dir} is missing (${CORPUS_ENV}=${named ?? ''})`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

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
    for (const f of corpusNames(folder, '.rdb').filter((n) => !bad.has(n))) out.push(corpusPath(folder, f));
  }
  return out;
}
