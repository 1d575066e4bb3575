/**
 * A manifest listing one file twice is refused, naming the second line: the file would be
 * replayed twice. `check` reports it as a manifest problem (exit 1), not a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveInput } from '../../src/pipeline/detect.js';
import { checkPath } from '../../src/analyze/check.js';
import { ManifestError } from '../../src/aof/manifest.js';
import { FIXTURES } from '../helpers/files.js';

let dir = '';
const SRC = path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-dup-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function withManifest(name: string, text: string): Promise<string> {
  const d = path.join(dir, name);
  await fs.cp(SRC, d, { recursive: true });
  await fs.writeFile(path.join(d, 'appendonly.aof.manifest'), text);
  return d;
}

describe('manifest listing a file twice', () => {
  const base = 'file appendonly.aof.2.base.aof seq 2 type b\n';
  const incr = 'file appendonly.aof.2.incr.aof seq 2 type i\n';

  it('the intact manifest resolves', async () => {
    const r = await resolveInput(await withManifest('ok', base + incr));
    expect(r.parts.map((p) => p.role)).toEqual(['base', 'incr']);
  });

  for (const [name, text, line] of [
    ['incr twice', base + incr + 'file appendonly.aof.2.incr.aof seq 3 type i\n', 3],
    ['base as incr', base + 'file appendonly.aof.2.base.aof seq 3 type i\n', 2],
    ['incr as history', '# comment\n' + base + 'file appendonly.aof.2.incr.aof seq 1 type h\n' + incr, 4],
  ] as const) {
    it(`${name}: refused at line ${line}, and check reports it`, async () => {
      const d = await withManifest(name.replace(/ /g, '-'), text);
      const err = await resolveInput(d).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as ManifestError).line).toBe(line);
      expect((err as ManifestError).code).toBe('MANIFEST_INVALID');
      const report = await checkPath(d);
      expect(report.intact).toBe(false);
      expect(report.problems[0]).toMatchObject({ code: 'MANIFEST_INVALID', line });
    });
  }
});
