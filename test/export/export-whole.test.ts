/**
 * The export's output is always whole: when the input fails, every record of a key read to its
 * end is there, the record the input failed in is not, NDJSON ends with a whole line and the
 * JSON format is one closed array. Damaged inputs are the real-server fixtures cut at many
 * offsets (inside a large string, inside large collections, at record ends), read with the
 * default bound on unfinished records and with a bound small enough that large records pass
 * through the temporary file; the oracle is the export of the intact file.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { exportRdb, type ExportFormat, type ExportOptions } from '../../src/export/export-ndjson.js';
import { CommandExporter, exportCommands } from '../../src/export/export-commands.js';
import { RespWriter } from '../../src/aof/resp-encoder.js';
import { memorySink, streamSink } from '../../src/io/byte-sink.js';
import { RecordSink } from '../../src/io/record-sink.js';
import { bytesSource, openSource, type ByteSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { InputError, RdbtoolError, TruncatedError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';
import { openTempRecordFiles } from '../helpers/open-files.js';

const RDB = path.join(FIXTURES, 'rdb');
const AOF = path.join(FIXTURES, 'aof');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-export-whole-'));
/** Where the temporary record files go in these tests: it must be empty after every export. */
const SPILL_DIR = path.join(TMP, 'spill');
mkdirSync(SPILL_DIR);
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const openTempFiles = openTempRecordFiles;

function expectNoTempFile(): void {
  expect(readdirSync(SPILL_DIR)).toEqual([]);
  expect(openTempFiles()).toEqual([]);
}

/** Counts how often unfinished output moves to a temporary file. */
function countSpills() {
  return vi.spyOn(RecordSink.prototype as unknown as { spill(): void }, 'spill');
}
afterEach(() => {
  vi.restoreAllMocks();
});

/** End offsets of the key records of an RDB file, in file order. */
async function recordEnds(file: string): Promise<number[]> {
  const ends: number[] = [];
  await scanRdb(await openSource(file), { keyStart: () => false, keyEnd: (k) => void ends.push(k.offset + k.onDiskBytes) });
  return ends;
}

async function exportOf(source: ByteSource, opts: ExportOptions): Promise<{ text: string; error: unknown }> {
  const sink = memorySink();
  let error: unknown = null;
  try {
    await exportRdb(source, sink, { spillDir: SPILL_DIR, ...opts });
  } catch (e) {
    error = e;
  }
  return { text: sink.text(), error };
}

/** The NDJSON lines of `text`, each checked to be whole and to parse. */
function wholeLines(text: string): string[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  return lines;
}

/** The ways an RDB is read in these tests. */
interface Variant {
  name: string;
  opts: ExportOptions;
  /** Read from memory (large string parts held) instead of from the file (read back). */
  memory?: boolean;
  /** Input chunk size: the output is drained between chunks, so also in the middle of large records. */
  chunkBytes?: number;
}

const VARIANTS: Variant[] = [
  { name: 'default bound', opts: {} },
  // Every record above 4 KiB passes through the temporary file.
  { name: 'spill bound 4 KiB', opts: { spillBytes: 4096 }, chunkBytes: 16 * 1024 },
  // Strings above 64 bytes arrive in parts: raw ones are read back from the file.
  { name: 'spill bound 4 KiB, strings in parts', opts: { spillBytes: 4096, limits: { maxInlineValueBytes: 64 } }, chunkBytes: 5000 },
  { name: 'spill bound 4 KiB, strings in parts, from memory', opts: { spillBytes: 4096, limits: { maxInlineValueBytes: 64 } }, memory: true, chunkBytes: 16 * 1024 },
];

/** Cut offsets: every `step` bytes, plus the given ones. */
function cutsOf(size: number, step: number, extra: number[]): number[] {
  const cuts = new Set<number>(extra.filter((c) => c > 0 && c < size));
  for (let c = 1; c < size; c += step) cuts.add(c);
  return [...cuts].sort((a, b) => a - b);
}

describe('an RDB cut anywhere: whole records only, the complete ones, then the error', () => {
  const cases: { fixture: string; step: number; inside: (ends: number[]) => number[] }[] = [
    {
      // Keys in file order: big:set, big:string (300 KB, LZF), big:hash, big:list (20,000 items), big:zset.
      fixture: 'big-collections.rdb',
      step: 7919,
      inside: (ends) => {
        const at: number[] = [];
        for (let i = 0; i < ends.length; i++) {
          const start = i === 0 ? 85 : ends[i - 1];
          at.push(start + 1, start + 500, (start + ends[i]) >> 1, ends[i] - 1, ends[i], ends[i] + 1);
        }
        return at;
      },
    },
    {
      // 87 keys of every type and encoding, raw strings up to 1 KiB among them.
      fixture: 'all-types.rdb',
      step: 397,
      inside: (ends) => ends.flatMap((e) => [e - 1, e]),
    },
  ];

  for (const c of cases) {
    for (const format of ['ndjson', 'json'] as ExportFormat[]) {
      it(`${c.fixture}, --format ${format}`, async () => {
        const file = path.join(RDB, c.fixture);
        const bytes = readFileSync(file);
        const ends = await recordEnds(file);
        const intact = await exportOf(await openSource(file), { format });
        expect(intact.error).toBeNull();
        const intactRecords: unknown[] = format === 'json' ? (JSON.parse(intact.text) as unknown[]) : wholeLines(intact.text).map((l) => JSON.parse(l));
        expect(intactRecords).toHaveLength(ends.length);
        const cut = path.join(TMP, `cut-${c.fixture}`);
        let checked = 0;
        for (const at of cutsOf(bytes.length, c.step, c.inside(ends))) {
          writeFileSync(cut, bytes.subarray(0, at));
          const complete = ends.filter((e) => e <= at).length;
          for (const v of VARIANTS) {
            const source = v.memory ? bytesSource(bytes.subarray(0, at), cut, v.chunkBytes) : await openSource(cut, v.chunkBytes);
            const r = await exportOf(source, { format, ...v.opts });
            const where = `${v.name}, cut at ${at}`;
            expect(r.error, where).toBeInstanceOf(TruncatedError);
            expect((r.error as Error).message, where).toContain(`(${complete} key(s) exported)`);
            if (format === 'json') {
              const arr = JSON.parse(r.text) as unknown[];
              expect(arr, where).toEqual(intactRecords.slice(0, complete));
            } else {
              const lines = wholeLines(r.text);
              expect(lines.map((l) => JSON.parse(l)), where).toEqual(intactRecords.slice(0, complete));
            }
            expectNoTempFile();
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(40);
      }, 60_000);
    }
  }

  it('runs the temporary-file path with the lowered bound, and not with the default one', async () => {
    const file = path.join(RDB, 'big-collections.rdb');
    const bytes = readFileSync(file);
    const ends = await recordEnds(file);
    // Inside big:list, with the four records before it whole.
    const cut = path.join(TMP, 'cut-in-list.rdb');
    writeFileSync(cut, bytes.subarray(0, (ends[2] + ends[3]) >> 1));
    const spills = countSpills();
    // Input in 16 KiB chunks: drained between them, so the output goes back to memory between large records.
    const small = await exportOf(await openSource(cut, 16 * 1024), { spillBytes: 4096 });
    expect(spills.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(wholeLines(small.text)).toHaveLength(3);
    spills.mockClear();
    const normal = await exportOf(await openSource(cut), {});
    expect(spills).not.toHaveBeenCalled();
    expect(normal.text).toBe(small.text);
    expectNoTempFile();
  });

  it('a wrong checksum: every record, a closed array, then CHECKSUM_MISMATCH', async () => {
    const bytes = Buffer.from(readFileSync(path.join(RDB, 'big-collections.rdb')));
    bytes[bytes.length - 1] ^= 0xff;
    const file = path.join(TMP, 'bad-crc.rdb');
    writeFileSync(file, bytes);
    for (const spillBytes of [4096, undefined]) {
      const r = await exportOf(await openSource(file), { format: 'json', spillBytes });
      expect(r.error).toBeInstanceOf(RdbtoolError);
      expect((r.error as RdbtoolError).code).toBe('CHECKSUM_MISMATCH');
      expect(JSON.parse(r.text)).toHaveLength(5);
      expectNoTempFile();
    }
  });

  it('a reader that goes away while a spilled record is copied out: a quiet stop, no temporary file', async () => {
    let written = 0;
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        cb(written > 100_000 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const sink = streamSink(out, { name: '-', end: false, bufferBytes: 4096 });
    const res = await exportRdb(await openSource(path.join(RDB, 'big-collections.rdb')), sink, { spillBytes: 4096, spillDir: SPILL_DIR });
    expect(res.outputClosed).toBe(true);
    await sink.close();
    expectNoTempFile();
  });
});

// ---------------------------------------------------------------- the commands format

describe('--format commands: whole lines only', () => {
  const plain = readFileSync(path.join(AOF, 'plain.aof'));
  // Lines larger than the exporter's 1 MiB output buffer: handed over before they are finished.
  const big = Buffer.alloc(1_500_000, 0x78);
  const tail = new RespWriter().command('SET', 'big:one', big).command('SET', 'big:two', big).command('SET', 'after', '1').toBytes();
  const bigAof = Buffer.concat([plain, tail]);
  const LIMIT = { maxInlineValueBytes: 1024 };

  it('a 1.5 MB line through the temporary file is the same as through memory; a cut inside the next one drops only that one', async () => {
    const file = path.join(TMP, 'big-args.aof');
    writeFileSync(file, bigAof);
    const ref = memorySink();
    await exportCommands(file, ref, { limits: LIMIT });
    const refLines = wholeLines(ref.text());
    const offsets = refLines.map((l) => (JSON.parse(l) as { offset: number }).offset);
    const spills = countSpills();
    const viaFile = memorySink();
    await exportCommands(file, viaFile, { limits: LIMIT, spillBytes: 4096, spillDir: SPILL_DIR });
    expect(spills).toHaveBeenCalled();
    expect(viaFile.text()).toBe(ref.text());
    const secondAt = plain.length + Buffer.from(tail).indexOf('big:two');
    const cut = path.join(TMP, 'big-args-cut.aof');
    for (const at of [secondAt - 20, secondAt + 1000, secondAt + 1_200_000, bigAof.length - 3]) {
      writeFileSync(cut, bigAof.subarray(0, at));
      const sink = memorySink();
      const err = await exportCommands(cut, sink, { limits: LIMIT, spillBytes: 4096, spillDir: SPILL_DIR }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TruncatedError);
      const lines = wholeLines(sink.text());
      // A line is complete when the next command starts at or before the cut (no annotations follow plain.aof here).
      const expected = refLines.filter((_, i) => (i + 1 < offsets.length ? offsets[i + 1] : bigAof.length) <= at);
      expect(expected.length).toBeGreaterThan(50);
      expect(lines.map((l) => JSON.parse(l).argv), `cut at ${at}`).toEqual(expected.map((l) => JSON.parse(l).argv));
      expectNoTempFile();
    }
  });

  it('a failure in the middle of writing a line (the file changed under a large argument) drops that line only', async () => {
    const file = path.join(TMP, 'changed.aof');
    const changed = Buffer.from(bigAof);
    changed[plain.length + Buffer.from(tail).indexOf('big:two') + 1000] = 0x79;
    writeFileSync(file, changed);
    const mem = memorySink();
    const records = new RecordSink(mem, { spillBytes: 64 * 1024, spillDir: SPILL_DIR });
    // Small output pieces: most of a line has been handed over before the failure.
    const ex = new CommandExporter(records, { chunkBytes: 4096 });
    ex.fileStart({ path: file, name: file, role: 'file', last: true, size: bigAof.length });
    const err = await scanFile(bytesSource(bigAof, file, 64 * 1024), ex, { verify: 'shallow', limits: LIMIT, drain: () => (ex.flush(), records.drain()) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/changed while being read/);
    await records.endAfterFailure(() => ex.abandon());
    const lines = wholeLines(mem.text());
    // Every command of plain.aof and big:one; nothing of big:two.
    expect(lines.at(-1)).toContain('"big:one"');
    expect(mem.text()).not.toContain('big:two');
    expectNoTempFile();
  });
});
