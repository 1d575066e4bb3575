/**
 * `rdbtool inspect` output size and shape, in-process: the default report of every fixture fits
 * one screen, `--all` shows every table, `--top N` sets the length of the top lists (text and
 * JSON), and `--json` keeps the whole report whatever the text shows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureRdbs } from '../helpers/files.js';
import { run } from './capture.js';

const AOF = path.join(FIXTURES, 'aof');
const ALL_TYPES = path.join(FIXTURES, 'rdb', 'all-types.rdb');
const AOF_INPUTS = [path.join(AOF, 'plain.aof'), path.join(AOF, 'hybrid.aof'), path.join(AOF, 'resp-multipart'), path.join(AOF, 'rdb-multipart', 'appendonlydir')];

/** One screen: at most this many lines, none wider than this (a 120 × 50 terminal). */
const SCREEN_LINES = 50;
const SCREEN_COLUMNS = 120;

const linesOf = (s: string): string[] => s.replace(/\n$/, '').split('\n');
/** The data rows of the table under `heading` (the lines between its header rule and its bottom rule). */
function tableRows(text: string, heading: string): string[] {
  const lines = linesOf(text);
  const at = lines.indexOf(heading);
  if (at < 0) return [];
  const rows: string[] = [];
  for (let i = at + 4; i < lines.length && lines[i].startsWith('│'); i++) rows.push(lines[i]);
  return rows;
}

describe('inspect: the default report fits one screen', () => {
  for (const absolute of [...fixtureRdbs(), ...AOF_INPUTS]) {
    // Relative, as typed in the checkout: the report repeats the path, which is not the report's width.
    const file = path.relative(process.cwd(), absolute);
    const name = path.relative(FIXTURES, absolute);
    it(`${name}: at most ${SCREEN_LINES} lines of at most ${SCREEN_COLUMNS} columns, and --all shows more`, async () => {
      const r = await run(['inspect', file]);
      expect(r.code).toBe(0);
      const lines = linesOf(r.stdout);
      expect(lines.length).toBeLessThanOrEqual(SCREEN_LINES);
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(SCREEN_COLUMNS);
      const every = await run(['inspect', file, '--all']);
      expect(every.code).toBe(0);
      if (r.stdout.includes('More with --all')) expect(linesOf(every.stdout).length).toBeGreaterThan(lines.length);
      else expect(every.stdout.replace(/^Read: .*\n/m, '')).toBe(r.stdout);
    });
  }

  it('all-types.rdb, the largest fixture report, was 114 lines before and shows what an SRE needs first', async () => {
    const r = await run(['inspect', ALL_TYPES]);
    const lines = linesOf(r.stdout);
    expect(lines.slice(0, 6).map((l) => l.split(':')[0])).toEqual(['File', 'Format', 'Server', 'Checksum', 'Keys', 'Functions']);
    expect(lines.filter((l) => /^[A-Z][a-z].*[a-z)]$/.test(l) && !l.includes(':'))).toEqual(['Databases', 'Types (all databases)', 'Biggest keys by on-disk size (top 10)']);
    expect(tableRows(r.stdout, 'Databases')).toHaveLength(4);
    expect(tableRows(r.stdout, 'Types (all databases)')).toHaveLength(6);
    expect(tableRows(r.stdout, 'Biggest keys by on-disk size (top 10)')).toHaveLength(10);
  });
});

describe('inspect --top N', () => {
  it('sets the length of the biggest-keys lists, in text and in JSON', async () => {
    const t = await run(['inspect', ALL_TYPES, '--top', '3']);
    expect(t.code).toBe(0);
    expect(tableRows(t.stdout, 'Biggest keys by on-disk size (top 3)')).toHaveLength(3);
    const all = await run(['inspect', ALL_TYPES, '--top', '25', '--all']);
    expect(tableRows(all.stdout, 'Biggest keys by on-disk size (top 25)')).toHaveLength(25);
    expect(tableRows(all.stdout, 'Biggest keys by element count (top 25)')).toHaveLength(25);
    const j = JSON.parse((await run(['inspect', ALL_TYPES, '--json', '--top', '3'])).stdout) as { biggestKeys: { bySize: { key: string }[]; byElements: unknown[] } };
    expect(j.biggestKeys.bySize).toHaveLength(3);
    expect(j.biggestKeys.byElements).toHaveLength(3);
    // The same three keys as the first three of the default list.
    const ten = JSON.parse((await run(['inspect', ALL_TYPES, '--json'])).stdout) as typeof j;
    expect(j.biggestKeys.bySize).toEqual(ten.biggestKeys.bySize.slice(0, 3));
  });

  it('--top 0: no top lists, in text and in JSON', async () => {
    const t = await run(['inspect', ALL_TYPES, '--top', '0', '--all']);
    expect(t.code).toBe(0);
    expect(t.stdout).not.toContain('Biggest keys');
    const j = JSON.parse((await run(['inspect', ALL_TYPES, '--json', '--top', '0'])).stdout) as { biggestKeys: { bySize: unknown[]; byElements: unknown[] }; totals: { keys: number } };
    expect(j.biggestKeys).toEqual({ bySize: [], byElements: [] });
    expect(j.totals.keys).toBe(87);
  });

  it('sets the biggest commands and the commands by name of an AOF; --json keeps every name', async () => {
    const plain = path.join(AOF, 'plain.aof');
    const t = await run(['inspect', plain, '--top', '4']);
    expect(t.code).toBe(0);
    const j = JSON.parse((await run(['inspect', plain, '--json', '--top', '4'])).stdout) as { byName: unknown[]; biggestCommands: unknown[] };
    expect(j.biggestCommands).toHaveLength(4);
    expect(j.byName.length).toBeGreaterThan(4);
    expect(tableRows(t.stdout, 'Biggest commands (top 4)')).toHaveLength(4);
    expect(tableRows(t.stdout, `Commands by name (top 4 of ${j.byName.length})`)).toHaveLength(4);
    expect(tableRows((await run(['inspect', plain, '--top', '4', '--all'])).stdout, 'Commands by name')).toHaveLength(j.byName.length);
    const none = await run(['inspect', plain, '--top', '0']);
    expect(none.stdout).not.toMatch(/^(Biggest commands|Commands by name)/m);
  });

  for (const bad of ['-1', '1.5', 'ten']) {
    it(`refuses --top ${bad}: one usage line, exit 2`, async () => {
      const r = await run(['inspect', ALL_TYPES, '--top', bad]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(linesOf(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^rdbtool: invalid --top\b/);
    });
  }
});

describe('inspect --json keeps the whole report', () => {
  it('every table the text leaves out, and partial/error null for a whole file', async () => {
    const j = JSON.parse((await run(['inspect', ALL_TYPES, '--json'])).stdout) as Record<string, unknown> & {
      aux: unknown[];
      databases: { encodings: unknown[]; types: unknown[] }[];
      functions: unknown[];
      biggestKeys: { byElements: unknown[] };
    };
    expect(j.aux).toHaveLength(5);
    expect(j.databases.every((d) => d.encodings.length > 0 && d.types.length > 0)).toBe(true);
    expect(j.functions).toHaveLength(2);
    expect(j.biggestKeys.byElements).toHaveLength(10);
    expect(j).toMatchObject({ partial: null, error: null, fileBytes: readFileSync(ALL_TYPES).length });
    // --all changes the text only.
    expect((await run(['inspect', ALL_TYPES, '--json', '--all'])).stdout.replace(/"elapsedMs": [\d.]+/, '').replace(/"nowMs": \d+/, '')).toBe(
      (await run(['inspect', ALL_TYPES, '--json'])).stdout.replace(/"elapsedMs": [\d.]+/, '').replace(/"nowMs": \d+/, ''),
    );
  });
});
