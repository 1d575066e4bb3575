/**
 * `rdbtool export` on damaged inputs, as a user runs it: stdout holds only whole records (every
 * line parses, `--format json` parses as one array), they are the records of the keys read to
 * their end, the error is one line on stderr, and the exit code is 1. The inputs are the
 * real-server fixtures cut at chosen offsets; the oracle is the export of the intact file.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { FIXTURES } from '../helpers/files.js';
import { run } from './capture.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-export-damaged-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Every line of `text` whole and parsed. */
function lines(text: string): unknown[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

function expectOneErrorLine(stderr: string): void {
  const l = stderr.split('\n').filter((x) => x !== '');
  expect(l).toHaveLength(1);
  expect(l[0]).toMatch(/^rdbtool: /);
}

describe('export of a cut RDB', () => {
  const file = path.join(FIXTURES, 'rdb', 'big-collections.rdb');
  const bytes = readFileSync(file);

  it('writes the whole records before the cut and nothing of the key it falls in, in both formats, to stdout and to a file', async () => {
    const ends: number[] = [];
    await scanRdb(await openSource(file), { keyStart: () => false, keyEnd: (k) => void ends.push(k.offset + k.onDiskBytes) });
    const intact = await run(['export', file]);
    expect(intact.code).toBe(ExitCode.Ok);
    const all = lines(intact.stdout);
    expect(all).toHaveLength(5);
    const cut = path.join(TMP, 'cut.rdb');
    // Inside big:string (300 KB), inside big:hash, inside big:list (20,000 items), in the checksum.
    for (const at of [ends[0] + 9000, (ends[1] + ends[2]) >> 1, ends[3] - 10, bytes.length - 4]) {
      writeFileSync(cut, bytes.subarray(0, at));
      const complete = all.slice(0, ends.filter((e) => e <= at).length);
      const nd = await run(['export', cut]);
      expect(nd.code, `cut at ${at}`).toBe(ExitCode.InputProblem);
      expectOneErrorLine(nd.stderr);
      expect(nd.stderr).toContain(`(${complete.length} key(s) exported)`);
      expect(lines(nd.stdout)).toEqual(complete);
      const js = await run(['export', cut, '--format', 'json']);
      expect(js.code).toBe(ExitCode.InputProblem);
      expectOneErrorLine(js.stderr);
      expect(JSON.parse(js.stdout)).toEqual(complete);
      const out = path.join(TMP, 'out.json');
      const toFile = await run(['export', cut, '--format', 'json', '-o', out]);
      expect(toFile.code).toBe(ExitCode.InputProblem);
      expect(toFile.stdout).toBe('');
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(complete);
    }
  });

  it('a file cut inside its first key gives an empty output: no line, or an empty array', async () => {
    const cut = path.join(TMP, 'cut-first.rdb');
    writeFileSync(cut, bytes.subarray(0, 2000));
    const nd = await run(['export', cut]);
    expect(nd.code).toBe(ExitCode.InputProblem);
    expect(nd.stdout).toBe('');
    const js = await run(['export', cut, '--format', 'json']);
    expect(js.code).toBe(ExitCode.InputProblem);
    expect(JSON.parse(js.stdout)).toEqual([]);
  });
});

describe('export --format commands of a cut AOF', () => {
  it('writes whole lines only: the complete commands before the cut', async () => {
    for (const name of ['plain.aof', 'hybrid.aof']) {
      const file = path.join(FIXTURES, 'aof', name);
      const bytes = readFileSync(file);
      const intact = await run(['export', file, '--format', 'commands']);
      expect(intact.code).toBe(ExitCode.Ok);
      const all = lines(intact.stdout) as { offset: number; argv: unknown[] }[];
      expect(all.length).toBeGreaterThan(20);
      const cut = path.join(TMP, `cut-${name}`);
      for (const k of [3, 10, all.length - 1]) {
        const at = all[k].offset + 5; // inside command k
        writeFileSync(cut, bytes.subarray(0, at));
        const r = await run(['export', cut, '--format', 'commands']);
        expect(r.code, `${name} cut at ${at}`).toBe(ExitCode.InputProblem);
        expectOneErrorLine(r.stderr);
        expect((lines(r.stdout) as { argv: unknown[] }[]).map((l) => l.argv)).toEqual(all.slice(0, k).map((l) => l.argv));
      }
    }
  });
});
