/**
 * What a path given on the command line is (`resolveInput`): a manifest is recognised by its
 * text the way redis-check-aof recognises one, a directory through its one manifest (or its
 * `appendonlydir/`), and every way of getting it wrong is a typed error naming the path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isManifestText, resolveInput } from '../../src/pipeline/detect.js';
import { InputError, UsageError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';
import { runRedisCheckAof } from '../helpers/redis-check-aof.js';

const enc = (s: string) => new TextEncoder().encode(s);
const RESP_DIR = path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir');

let scratch = '';
beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-detect-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

describe('isManifestText', () => {
  const cases: [text: string, manifest: boolean][] = [
    ['file appendonly.aof.1.base.rdb seq 1 type b\n', true],
    ['# a comment\n#another\nfile x seq 1 type i\n', true],
    ['filexyz', true], // redis-check-aof only looks at the first four bytes
    ['# only comments\n', false],
    ['#no newline', false],
    ['', false],
    ['fil', false],
    ['*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n', false],
    ['REDIS0010\xfa', false],
    [' file x seq 1 type b\n', false],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${want}`, () => expect(isManifestText(enc(text))).toBe(want));
  }

  it('agrees with redis-check-aof on which inputs are manifests', async () => {
    const d = path.join(scratch, 'oracle');
    await fs.mkdir(d);
    await fs.cp(RESP_DIR, d, { recursive: true });
    // A comment line first: still a manifest for both.
    const m = await fs.readFile(path.join(d, 'appendonly.aof.manifest'), 'latin1');
    await fs.writeFile(path.join(d, 'commented.manifest'), '# written by hand\n' + m);
    expect(isManifestText(enc('# written by hand\n' + m))).toBe(true);
    const run = runRedisCheckAof(['commented.manifest'], d);
    expect(run.output).toContain('Start checking Multi Part AOF');
    expect(run.valid).toBe(true);
    // A plain AOF: not a manifest for either.
    const plain = runRedisCheckAof([path.join(FIXTURES, 'aof', 'plain.aof')], d);
    expect(plain.output).toContain('Start checking Old-Style AOF');
  });
});

describe('resolveInput', () => {
  it('a single file: one part, role file, last, with its size', async () => {
    const file = path.join(FIXTURES, 'aof', 'plain.aof');
    const r = await resolveInput(file);
    expect(r).toMatchObject({ given: file, form: 'file', history: [] });
    expect(r.parts).toEqual([{ path: file, name: file, role: 'file', last: true, size: (await fs.stat(file)).size }]);
  });

  it('stdin: one part of unknown size', async () => {
    const r = await resolveInput('-');
    expect(r.parts).toEqual([{ path: '-', name: '-', role: 'file', last: true, size: undefined }]);
  });

  it('a manifest: base then incr files, with seq, manifest line and size', async () => {
    const r = await resolveInput(path.join(RESP_DIR, 'appendonly.aof.manifest'));
    expect(r.form).toBe('multipart');
    expect(r.parts.map((p) => [path.basename(p.name), p.role, p.seq, p.manifestLine, p.last])).toEqual([
      ['appendonly.aof.2.base.aof', 'base', 2n, 1, false],
      ['appendonly.aof.2.incr.aof', 'incr', 2n, 2, true],
    ]);
    for (const p of r.parts) expect(p.size).toBe((await fs.stat(p.path)).size);
  });

  it('a missing path is an InputError naming it', async () => {
    const p = path.join(scratch, 'nope.aof');
    await expect(resolveInput(p)).rejects.toBeInstanceOf(InputError);
    await expect(resolveInput(p)).rejects.toMatchObject({ code: 'IO', file: p });
  });

  it('a directory without a manifest is an InputError', async () => {
    const d = path.join(scratch, 'no-manifest');
    await fs.mkdir(d);
    await fs.writeFile(path.join(d, 'appendonly.aof'), '*1\r\n$4\r\nPING\r\n');
    await expect(resolveInput(d)).rejects.toMatchObject({ code: 'IO', file: d });
    const empty = path.join(scratch, 'empty-dir');
    await fs.mkdir(empty);
    await expect(resolveInput(empty)).rejects.toMatchObject({ code: 'IO', found: 'an empty directory' });
  });

  it('a directory with two manifests is a UsageError; temp- manifests do not count', async () => {
    const d = path.join(scratch, 'two');
    await fs.cp(RESP_DIR, d, { recursive: true });
    await fs.copyFile(path.join(d, 'appendonly.aof.manifest'), path.join(d, 'temp-appendonly.aof.manifest'));
    expect((await resolveInput(d)).manifestPath).toBe(path.join(d, 'appendonly.aof.manifest'));
    await fs.copyFile(path.join(d, 'appendonly.aof.manifest'), path.join(d, 'other.manifest'));
    await expect(resolveInput(d)).rejects.toBeInstanceOf(UsageError);
  });

  it('a file listed by the manifest but missing has size null', async () => {
    const d = path.join(scratch, 'missing');
    await fs.cp(RESP_DIR, d, { recursive: true });
    await fs.rm(path.join(d, 'appendonly.aof.2.base.aof'));
    const r = await resolveInput(d);
    expect(r.parts.map((p) => p.size === null)).toEqual([true, false]);
  });

  it('a manifest Redis refuses throws MANIFEST_INVALID with the line', async () => {
    const d = path.join(scratch, 'bad-manifest');
    await fs.mkdir(d);
    await fs.writeFile(path.join(d, 'appendonly.aof.manifest'), 'file a.aof seq 1 type b\nfile b.aof seq 1 type q\n');
    await expect(resolveInput(d)).rejects.toMatchObject({ code: 'MANIFEST_INVALID', line: 2, offset: 24, file: path.join(d, 'appendonly.aof.manifest') });
  });
});
