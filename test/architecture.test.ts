/**
 * The layering rules of the project, read from the import lines: imports point downward
 * (cli → convert → analyze/export/repair/format → replay → dataset → pipeline → aof → rdb → io/binary/model →
 * errors/limits), and the
 * library never prints, exits or reads argv.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './helpers/files.js';

const SRC = path.join(PROJECT_ROOT, 'src');

/** Which top-level parts of src/ each part may import. */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  limits: [],
  io: ['errors', 'limits'],
  binary: ['errors', 'io'],
  model: [],
  rdb: ['io', 'binary', 'model', 'errors', 'limits'],
  aof: ['rdb', 'io', 'binary', 'model', 'errors', 'limits'],
  pipeline: ['rdb', 'aof', 'io', 'binary', 'model', 'errors', 'limits'],
  dataset: ['pipeline', 'rdb', 'model', 'io', 'binary', 'errors', 'limits'],
  replay: ['dataset', 'pipeline', 'rdb', 'aof', 'model', 'io', 'binary', 'errors', 'limits'],
  analyze: ['replay', 'dataset', 'pipeline', 'model', 'io', 'limits', 'errors'],
  format: ['analyze', 'model', 'io', 'errors'],
  export: ['replay', 'dataset', 'pipeline', 'format', 'analyze', 'model', 'io', 'limits', 'errors'],
  convert: ['export', 'replay', 'dataset', 'pipeline', 'rdb', 'aof', 'format', 'analyze', 'model', 'io', 'binary', 'limits', 'errors'],
  repair: ['pipeline', 'format', 'analyze', 'aof', 'model', 'io', 'limits', 'errors'],
  diff: ['convert', 'export', 'replay', 'dataset', 'pipeline', 'format', 'analyze', 'model', 'io', 'binary', 'limits', 'errors'],
  report: ['analyze', 'format', 'pipeline', 'dataset', 'replay', 'model', 'io', 'limits', 'errors'],
  cli: ['report', 'diff', 'convert', 'analyze', 'export', 'repair', 'format', 'replay', 'dataset', 'pipeline', 'rdb', 'aof', 'model', 'io', 'binary', 'errors', 'limits'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const partOf = (file: string) => path.relative(SRC, file).split(path.sep)[0].replace(/\.(ts|js)$/, '');

describe('architecture', () => {
  const all = files(SRC);
  it('finds the sources', () => expect(all.length).toBeGreaterThan(30));

  for (const file of all) {
    const part = partOf(file);
    if (part === 'index') continue;
    it(`${path.relative(SRC, file)} imports only downward`, () => {
      expect(ALLOWED[part], `unknown part ${part}`).toBeDefined();
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        // The package's own manifest (the CLI's --version) is not one of the layers.
        if (path.resolve(path.dirname(file), m[1]) === path.join(PROJECT_ROOT, 'package.json')) continue;
        const target = partOf(path.resolve(path.dirname(file), m[1]));
        if (target === part) continue;
        expect(ALLOWED[part], `${part} → ${target}`).toContain(target);
      }
      if (part !== 'cli') {
        expect(text).not.toMatch(/process\.exit\(|process\.argv|console\.(log|error|warn)/);
      }
    });
  }
});
