/**
 * Vitest global setup: builds the CLI bundle (`dist/cli/`) once before the suite, with the
 * same esbuild step `npm run build` runs, so the tests that spawn `dist/cli/main.js`
 * (test/cli/bin.test.ts) run exactly what users run. It takes well under a second.
 *
 * A failed build does not stop the other suites: its message is handed to the tests
 * (`inject('cliBuild')`), and the ones that need the bundle fail with it.
 */
import type { TestProject } from 'vitest/node';
import { buildCli } from '../../scripts/lib/build-cli.js';
import { PROJECT_ROOT } from './files.js';

/** What the tests learn about the bundle. */
export interface CliBuild {
  /** Why the bundle could not be built, or null when it was. */
  error: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliBuild: CliBuild;
  }
}

/** Builds dist/cli/ and tells the tests how that went. */
export default async function setup(project: TestProject): Promise<void> {
  let result: CliBuild;
  try {
    await buildCli({ root: PROJECT_ROOT });
    result = { error: null };
  } catch (e) {
    result = { error: `building dist/cli/ failed: ${e instanceof Error ? e.message : String(e)}` };
    console.log(result.error);
  }
  project.provide('cliBuild', result);
}
