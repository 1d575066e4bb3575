/**
 * The charting library the page inlines: Apache ECharts' browser build (`dist/echarts.min.js`,
 * Apache-2.0, its licence header kept), read from the installed package at run time — it is a
 * runtime dependency, not bundled into the CLI, so commands other than `report` never load it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError } from '../errors.js';

/** The library's code and version. */
export interface ChartLibrary {
  name: string;
  version: string;
  code: string;
}

let cached: Promise<ChartLibrary> | null = null;

/**
 * Reads ECharts' browser build (once per process).
 * @throws InputError when the package is not installed or cannot be read
 */
export function loadChartLibrary(): Promise<ChartLibrary> {
  cached ??= read().catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}

async function read(): Promise<ChartLibrary> {
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve('echarts/dist/echarts.min.js');
  } catch (e) {
    throw new InputError('the charting library (the echarts package) is not installed; reinstall rdbtool with its dependencies', { file: 'echarts/dist/echarts.min.js', cause: e });
  }
  try {
    const [code, pkg] = await Promise.all([readFile(file, 'utf8'), readFile(path.join(path.dirname(file), '..', 'package.json'), 'utf8')]);
    const version = (JSON.parse(pkg) as { version?: unknown }).version;
    return { name: 'Apache ECharts', version: typeof version === 'string' ? version : 'unknown', code };
  } catch (e) {
    throw new InputError(`cannot read the charting library: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  }
}
