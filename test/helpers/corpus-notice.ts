/**
 * Vitest global setup: one line, before the run, when the corpus suites will be skipped (or
 * are required but the corpus is missing), so a skipped count never goes unexplained.
 */
import { CORPUS, CORPUS_ENV, CORPUS_REQUIRED, CORPUS_SKIP_REASON, HAVE_CORPUS } from './files.js';

/** Prints why the corpus suites are not run, or that they will fail. */
export default function setup(): void {
  if (CORPUS_SKIP_REASON) console.log(CORPUS_SKIP_REASON);
  else if (CORPUS_REQUIRED && !HAVE_CORPUS) console.log(`corpus suites will fail: ${CORPUS_ENV} names ${CORPUS}, which holds no corpus`);
}
