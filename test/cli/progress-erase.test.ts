/**
 * On a terminal the progress line is erased before anything else is written, on stdout or
 * stderr (issue 8, defect 6: `reading: 111.6 MiB of 111.6 MiB (100.0%)File: …`). The streams
 * here claim to be terminals and record every write, in order, as one terminal would see it.
 */
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/cli.js';
import { erasingProgressIo } from '../../src/cli/run.js';
import { ErasingWritable } from '../../src/cli/progress.js';
import { collector } from './capture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALL_TYPES = path.join(ROOT, 'fixtures', 'rdb', 'all-types.rdb');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-erase-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const ERASE = '\r\x1b[2K';

/** One terminal: stdout and stderr both write into one ordered list of writes. */
function terminal() {
  const writes: { stream: 'out' | 'err'; text: string }[] = [];
  const stream = (name: 'out' | 'err') =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        writes.push({ stream: name, text: Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk });
        cb();
      },
    });
  return { writes, stdout: stream('out'), stderr: stream('err') };
}

async function runOnTerminal(argv: string[]) {
  const t = terminal();
  const io: CliIo = { stdout: t.stdout, stderr: t.stderr, stdoutIsTty: true, stderrIsTty: true, stdinIsTty: false, env: { NO_COLOR: '1' }, columns: 100, exitCode: 0 };
  const code = await runCli(io, argv);
  await new Promise((r) => setImmediate(r));
  return { code, writes: t.writes, screen: t.writes.map((w) => w.text).join('') };
}

/** Every write that follows a drawn progress line is an erase, or the next drawing. */
function expectErasedBeforeOutput(writes: { stream: string; text: string }[]): void {
  let drawn = 0;
  for (let i = 0; i < writes.length; i++) {
    if (!writes[i].text.startsWith(ERASE + 'reading: ')) continue;
    drawn++;
    const next = writes[i + 1];
    expect(next, 'the progress line is the last thing written: nothing erases it').toBeDefined();
    expect(next.text.startsWith(ERASE), `written right after the progress line: ${JSON.stringify(next.text.slice(0, 60))}`).toBe(true);
  }
  expect(drawn, 'a progress line was drawn').toBeGreaterThan(0);
}

describe('the progress line on a terminal', () => {
  it('is erased before the report (inspect)', async () => {
    const r = await runOnTerminal(['inspect', ALL_TYPES]);
    expect(r.code).toBe(0);
    expectErasedBeforeOutput(r.writes);
    expect(r.screen).not.toMatch(/\(100\.0%\)[^\r]/);
    expect(r.screen).toContain(ERASE + 'File:');
  });

  it('is erased before the report (check) and before JSON', async () => {
    for (const argv of [['check', ALL_TYPES], ['inspect', ALL_TYPES, '--json']]) {
      const r = await runOnTerminal(argv);
      expect(r.code).toBe(0);
      expectErasedBeforeOutput(r.writes);
    }
  });

  it('is erased before exported records and before the warning that follows them', async () => {
    const trailing = path.join(TMP, 'trailing.rdb');
    writeFileSync(trailing, Buffer.concat([readFileSync(ALL_TYPES), Buffer.from('*1\r\n$4\r\nPING\r\n')]));
    const r = await runOnTerminal(['export', trailing]);
    expect(r.code).toBe(0);
    expectErasedBeforeOutput(r.writes);
    const err = r.writes.filter((w) => w.stream === 'err' && !w.text.startsWith(ERASE)).map((w) => w.text);
    expect(err.join('')).toMatch(/^rdbtool: .*follow the RDB's checksum trailer/);
    expect(r.writes.some((w) => w.stream === 'out' && w.text.includes('"db":'))).toBe(true);
  });

  it('is erased before an error', async () => {
    const cut = path.join(TMP, 'cut.rdb');
    writeFileSync(cut, readFileSync(ALL_TYPES).subarray(0, 20_000));
    const r = await runOnTerminal(['inspect', cut]);
    expect(r.code).toBe(1);
    expectErasedBeforeOutput(r.writes);
  });
});

describe('erasingProgressIo', () => {
  const base = (over: Partial<CliIo>): CliIo => ({ stdout: collector(), stderr: collector(), stdoutIsTty: false, stderrIsTty: false, env: {}, exitCode: 0, ...over });

  it('changes nothing when stderr is not a terminal (no progress line is ever drawn)', () => {
    const io = base({ stdoutIsTty: true });
    expect(erasingProgressIo(io)).toBe(io);
  });

  it('leaves stdout alone when only stderr is a terminal (piped output keeps its fast path)', () => {
    const io = base({ stderrIsTty: true });
    const e = erasingProgressIo(io);
    expect(e.stdout).toBe(io.stdout);
    expect(e.stderr).not.toBe(io.stderr);
    expect(e.stderr).toBeInstanceOf(ErasingWritable);
  });
});

describe('ErasingWritable', () => {
  it('erases, then writes, in order', async () => {
    const out = collector();
    const log: string[] = [];
    const w = new ErasingWritable(() => out, () => log.push('erase'));
    w.write('a');
    w.write(Buffer.from('b'));
    await new Promise<void>((r) => w.end(r));
    expect(log).toEqual(['erase', 'erase']);
    expect(out.text()).toBe('ab');
    expect(out.writableEnded).toBe(false); // ending it leaves the target open
  });

  it("fails a write with the target's error, without an unhandled 'error' event", async () => {
    const broken = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => {}); // the target reports it (main.ts ignores EPIPE on stdout)
    const w = new ErasingWritable(() => broken, () => {});
    const err = await new Promise<Error | null | undefined>((resolve) => w.write('x', resolve));
    expect((err as NodeJS.ErrnoException | undefined)?.code).toBe('EPIPE');
  });
});
