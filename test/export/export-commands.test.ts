/**
 * `exportCommands` / `CommandExporter`: the commands format on the real-server AOF fixtures.
 * The oracle is the file itself: re-encoding every exported argv with the RESP encoder, with
 * the annotation lines between commands, must give back the file's RESP bytes exactly. Damaged
 * inputs and inputs with a 3 MB argument are derived from the fixtures in the test.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandExporter, exportCommands, type ExportCommandsOptions } from '../../src/export/export-commands.js';
import { encodeCommand, RespWriter } from '../../src/aof/resp-encoder.js';
import { memorySink, OutputClosedError, type ByteSink } from '../../src/io/byte-sink.js';
import type { ByteSource } from '../../src/io/source.js';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { jsonToBytes, type JsonBytes } from '../../src/format/json.js';
import { CorruptDataError, RdbtoolError, TruncatedError } from '../../src/errors.js';
import { CORPUS, FIXTURES, itCorpus } from '../helpers/files.js';
import { byteByByte, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { rng } from '../helpers/bytes.js';

const AOF = path.join(FIXTURES, 'aof');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-export-commands-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Line {
  file: string;
  offset: number;
  db: number;
  ts: number | null;
  argv: JsonBytes[];
}

async function exportText(given: string, opts: ExportCommandsOptions = {}): Promise<{ text: string; lines: Line[]; error: unknown }> {
  const sink = memorySink();
  let error: unknown = null;
  try {
    await exportCommands(given, sink, opts);
  } catch (e) {
    error = e;
  }
  const text = sink.text();
  return { text, lines: parseLines(text), error };
}

/** Parses NDJSON, checking the exact key order of every line and that nothing is cut. */
function parseLines(text: string): Line[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => {
      const o = JSON.parse(l) as Line;
      expect(Object.keys(o)).toEqual(['file', 'offset', 'db', 'ts', 'argv']);
      return o;
    });
}

const bytesOf = (v: JsonBytes): Buffer => Buffer.from(jsonToBytes(v));
const ANNOTATIONS = /^(#[^\n]*\n)*$/;

/**
 * Rebuilds a file's RESP section from its lines: each argv re-encoded, the bytes between
 * commands taken from the file and required to be whole annotation lines. Also checks `db`
 * and `ts` against SELECTs and `#TS:` lines seen on the way.
 */
function expectRoundTrip(file: Buffer, respFrom: number, lines: Line[]): void {
  let pos = respFrom;
  let db = 0;
  let ts: number | null = null;
  const rebuilt: Buffer[] = [];
  const gap = (to: number) => {
    const g = file.subarray(pos, to);
    expect(ANNOTATIONS.test(g.toString('latin1')), `bytes ${pos}-${to}`).toBe(true);
    for (const m of g.toString('latin1').matchAll(/^#TS:(\d+)\r\n/gm)) ts = Number(m[1]);
    rebuilt.push(g);
  };
  for (const l of lines) {
    gap(l.offset);
    const argv = l.argv.map(bytesOf);
    const enc = Buffer.from(encodeCommand(argv));
    expect(file.subarray(l.offset, l.offset + enc.length).equals(enc), `command at ${l.offset}`).toBe(true);
    expect(l.db).toBe(db);
    expect(l.ts).toBe(ts);
    if (argv[0].toString('latin1').toUpperCase() === 'SELECT') db = Number(argv[1].toString('latin1'));
    rebuilt.push(enc);
    pos = l.offset + enc.length;
  }
  gap(file.length);
  expect(Buffer.concat(rebuilt).equals(file.subarray(respFrom))).toBe(true);
}

const read = (p: string): Buffer => readFileSync(p);
const RDB_BASE_BYTES = read(path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb')).length;

/** Every way in: single files (also under misleading names), directories, manifests. */
function cases(): { label: string; given: string; files: { name: string; bytes: Buffer; respFrom: number }[] }[] {
  const out = [];
  for (const [fixture, respFrom] of [
    ['plain', 0],
    ['hybrid', RDB_BASE_BYTES],
  ] as const) {
    const src = path.join(AOF, `${fixture}.aof`);
    const renamed = path.join(TMP, `${fixture}.rdb`);
    cpSync(src, renamed);
    for (const given of [src, renamed]) out.push({ label: `${fixture} as ${path.basename(given)}`, given, files: [{ name: given, bytes: read(src), respFrom }] });
  }
  for (const fixture of ['resp-multipart', 'rdb-multipart']) {
    const dir = path.join(AOF, fixture, 'appendonlydir');
    const base = fixture === 'rdb-multipart' ? 'appendonly.aof.2.base.rdb' : 'appendonly.aof.2.base.aof';
    const files = [
      { name: path.join(dir, base), bytes: read(path.join(dir, base)), respFrom: fixture === 'rdb-multipart' ? RDB_BASE_BYTES : 0 },
      { name: path.join(dir, 'appendonly.aof.2.incr.aof'), bytes: read(path.join(dir, 'appendonly.aof.2.incr.aof')), respFrom: 0 },
    ];
    out.push({ label: `${fixture} by directory`, given: path.join(AOF, fixture), files });
    out.push({ label: `${fixture} by manifest`, given: path.join(dir, 'appendonly.aof.manifest'), files });
  }
  return out;
}

describe('exportCommands on the fixtures', () => {
  for (const c of cases()) {
    it(`${c.label}: re-encoding the lines gives back every file's RESP bytes, in load order`, async () => {
      const { lines, error } = await exportText(c.given);
      expect(error).toBeNull();
      expect([...new Set(lines.map((l) => l.file))]).toEqual(c.files.filter((f) => f.respFrom < f.bytes.length).map((f) => f.name));
      for (const f of c.files) expectRoundTrip(f.bytes, f.respFrom, lines.filter((l) => l.file === f.name));
      expect(lines.length).toBeGreaterThan(20);
    });
  }

  it('writes a binary argument as {"b64"} and text as a string (the export schema rule)', async () => {
    const { lines } = await exportText(path.join(AOF, 'plain.aof'));
    const fn = lines.find((l) => l.argv[0] === 'FUNCTION')!;
    expect(typeof fn.argv[2]).toBe('object'); // the library code holds newlines: control characters
    expect(bytesOf(fn.argv[2]).toString('utf8')).toMatch(/^#!lua name=aoflib\n/);
    const bin = lines.filter((l) => l.argv.some((a) => typeof a === 'object' && l.argv[0] !== 'FUNCTION'));
    expect(bin.length).toBeGreaterThan(0);
  });

  it('filters by database (--db), SELECT belonging to the database it leaves', async () => {
    const all = (await exportText(path.join(AOF, 'plain.aof'))).lines;
    for (const dbs of [[2], [0, 3], [9]]) {
      const { lines } = await exportText(path.join(AOF, 'plain.aof'), { dbs });
      expect(lines).toEqual(all.filter((l) => dbs.includes(l.db)));
    }
    expect(new Set(all.map((l) => l.db)).size).toBeGreaterThan(2);
  });

  it('an RDB file or an empty file gives no line', async () => {
    for (const f of [path.join(FIXTURES, 'rdb', 'all-types.rdb'), path.join(TMP, 'empty.aof')]) {
      writeFileSync(path.join(TMP, 'empty.aof'), '');
      const r = await exportText(f);
      expect(r).toEqual({ text: '', lines: [], error: null });
    }
  });

  itCorpus('the corpus AOFs round-trip too', async () => {
    for (const [rel, respFrom] of [
      ['rdb/memory.aof', 0],
      ['rdb/hash_with_hfe.aof', 0],
      ['redis/rdb-preamble.aof', 117],
    ] as const) {
      const file = path.join(CORPUS, rel);
      const { lines, error } = await exportText(file);
      expect(error).toBeNull();
      expectRoundTrip(read(file), respFrom, lines);
    }
  });

  it('stops quietly when the reader of the output goes away', async () => {
    const sink: ByteSink = { ...memorySink(), drain: async () => Promise.reject(new OutputClosedError()) };
    const res = await exportCommands(path.join(AOF, 'plain.aof'), sink);
    expect(res.outputClosed).toBe(true);
  });
});

// ---------------------------------------------------------------- chunking

function splitSource(bytes: Uint8Array, split: Splitter, name: string, filePath?: string): ByteSource {
  return {
    name,
    size: bytes.length,
    path: filePath,
    async *chunks() {
      for (const piece of split(bytes)) yield piece;
    },
  };
}

/** One file through scanFile with a chosen chunking; `readBack` makes the exporter read large arguments back from the file. */
async function exportSplit(file: string, split: Splitter, readBack: boolean, maxInline: number): Promise<{ text: string; error: RdbtoolError | null }> {
  const bytes = new Uint8Array(read(file));
  const sink = memorySink();
  const ex = new CommandExporter(sink, { chunkBytes: 4096 });
  ex.fileStart({ path: readBack ? file : '-', name: file, role: 'file', last: true, size: readBack ? bytes.length : undefined });
  const scan = await scanFile(splitSource(bytes, split, file), ex, { verify: 'shallow', limits: { maxInlineValueBytes: maxInline }, drain: () => ex.flush() });
  ex.finish();
  const p = scan.problem;
  return { text: sink.text(), error: p ? new RdbtoolError(p.code, p.reason, { offset: p.offset }) : null };
}

describe('the same lines under every chunking, with large arguments in parts', () => {
  for (const fixture of ['plain.aof', 'hybrid.aof']) {
    it(`${fixture}: whole, byte by byte, random splits; parts held or read back from the file`, async () => {
      const file = path.join(AOF, fixture);
      const ref = (await exportText(file)).text;
      expect(ref.length).toBeGreaterThan(1000);
      for (const readBack of [false, true]) {
        for (const split of [whole, byteByByte, randomSplits(3, 50), noisy(randomSplits(9, 7))]) {
          // 6: every argument longer than SELECT comes in parts (names must stay whole for MULTI/EXEC).
          for (const maxInline of [6, 1 << 20]) {
            const r = await exportSplit(file, split, readBack, maxInline);
            expect(r.error).toBeNull();
            expect(r.text).toBe(ref);
          }
        }
      }
    });
  }
});

// ---------------------------------------------------------------- a 3 MB argument

/** `n` pseudo-random bytes (seeded). */
function randomBytes(n: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

describe('a command with a 3 MB argument', () => {
  const plain = read(path.join(AOF, 'plain.aof'));
  const bin = randomBytes(3 * 1024 * 1024 + 1, 42); // 3 MiB + 1: a padded base64 end
  const textArg = Buffer.from('"quoted" \\ back-slashed, and é ü 🙂 — '.repeat(90_000).slice(0, 3 * 1024 * 1024 + 2), 'utf8');
  const tail = new RespWriter().timestamp(1_900_000_000).command('SET', 'big:bin', bin).command('SET', 'big:text', textArg, 'KEEPTTL').command('SET', 'after', '1').toBytes();
  const file = path.join(TMP, 'big.aof');
  const big = Buffer.concat([plain, tail]);
  writeFileSync(file, big);
  const LIMIT = { maxInlineValueBytes: 64 * 1024 };

  it('streams out whole and exact, in output pieces of at most 1 MiB, from a file and from a non-file source', async () => {
    const chunks: number[] = [];
    const mem = memorySink();
    const sink: ByteSink = { ...mem, write: (d, done) => (chunks.push(d.length), mem.write(d, done)) };
    await exportCommands(file, sink, { limits: LIMIT });
    const text = mem.text();
    const lines = parseLines(text);
    expectRoundTrip(big, 0, lines);
    const b = lines.find((l) => l.argv[1] === 'big:bin')!;
    expect(bytesOf(b.argv[2]).equals(bin)).toBe(true);
    expect(typeof b.argv[2]).toBe('object');
    const t = lines.find((l) => l.argv[1] === 'big:text')!;
    expect(t.argv[2]).toBe(textArg.toString('utf8'));
    expect(t.argv[3]).toBe('KEEPTTL');
    expect(t.ts).toBe(1_900_000_000);
    // The 4 MB base64 line went out in pieces: nothing held it whole.
    expect(Math.max(...chunks)).toBeLessThanOrEqual(1 << 20);
    expect(text.length).toBeGreaterThan(7 * 1024 * 1024);
    // A source that cannot be read back (stdin): the same bytes.
    for (const split of [whole, randomSplits(11, 300_000)]) {
      const r = await exportSplit(file, split, false, LIMIT.maxInlineValueBytes);
      expect(r.error).toBeNull();
      expect(r.text).toBe(text);
    }
    const back = await exportSplit(file, randomSplits(5, 200_000), true, LIMIT.maxInlineValueBytes);
    expect(back.text).toBe(text);
  });

  it('cut inside the large argument: every command before it, no line for it, TRUNCATED', async () => {
    const at = plain.length + Buffer.from(tail).indexOf('big:bin') + 1_000_000;
    const cut = path.join(TMP, 'big-cut.aof');
    writeFileSync(cut, big.subarray(0, at));
    const all = (await exportText(path.join(AOF, 'plain.aof'))).lines;
    const r = await exportText(cut, { limits: LIMIT });
    expect(r.error).toBeInstanceOf(TruncatedError);
    // A TruncatedError points at the start of the incomplete command.
    const command = plain.length + Buffer.from(tail).lastIndexOf('*', Buffer.from(tail).indexOf('big:bin'));
    expect(r.error).toMatchObject({ code: 'TRUNCATED', file: cut, offset: command });
    expect(r.lines).toEqual(all.map((l) => ({ ...l, file: cut })));
  });
});

// ---------------------------------------------------------------- damage

describe('damaged input: the complete commands before the problem, then the error', () => {
  const plainPath = path.join(AOF, 'plain.aof');
  const plain = read(plainPath);

  it('a plain AOF cut at every 11th byte', async () => {
    const all = (await exportText(plainPath)).lines;
    const ends = all.map((l) => l.offset + encodeCommand(l.argv.map(bytesOf)).length);
    for (let cut = 1; cut < plain.length; cut += 11) {
      const file = path.join(TMP, 'cut.aof');
      writeFileSync(file, plain.subarray(0, cut));
      const r = await exportText(file);
      const complete = all.filter((_, i) => ends[i] <= cut).map((l) => ({ ...l, file }));
      expect(r.lines, `cut ${cut}`).toEqual(complete);
      if (r.error === null) {
        // Only at a unit boundary, or inside a last annotation line (accepted without its end, as Redis does).
        const rest = plain.subarray(ends.filter((e) => e <= cut).at(-1) ?? 0, cut).toString('latin1');
        expect(/^(#[^\n]*\n)*(#[^\n]*)?$/.test(rest), `cut ${cut}`).toBe(true);
      } else {
        expect(r.error, `cut ${cut}`).toBeInstanceOf(TruncatedError);
        // At the incomplete command (the first one not exported), or at the MULTI left open.
        const multis = all.filter((l) => bytesOf(l.argv[0]).toString('latin1').toUpperCase() === 'MULTI').map((l) => l.offset);
        const pointsAt = [all[r.lines.length].offset, ...multis];
        expect(pointsAt, `cut ${cut}`).toContain((r.error as TruncatedError).offset);
        expect(r.error).toMatchObject({ file });
        expect((r.error as Error).message).toMatch(/valid up to byte \d+; \d+ command\(s\) exported/);
      }
    }
  }, 30_000);

  it('a corrupt byte: the commands before it, then RESP_SYNTAX', async () => {
    const all = (await exportText(plainPath)).lines;
    const victim = all[30];
    const bad = Buffer.from(plain);
    bad[victim.offset + 1] = 0x78; // the argument count
    const file = path.join(TMP, 'corrupt.aof');
    writeFileSync(file, bad);
    const r = await exportText(file);
    expect(r.error).toBeInstanceOf(CorruptDataError);
    expect(r.error).toMatchObject({ code: 'RESP_SYNTAX', offset: victim.offset + 1 });
    expect(r.lines).toEqual(all.slice(0, 30).map((l) => ({ ...l, file })));
  });

  it('multi-part: a cut incr file keeps the base; a damaged base stops before the incr file; a missing incr file is MISSING_FILE', async () => {
    const src = path.join(AOF, 'resp-multipart', 'appendonlydir');
    const full = (await exportText(src)).lines;
    const incrName = (d: string) => path.join(d, 'appendonly.aof.2.incr.aof');
    const baseName = (d: string) => path.join(d, 'appendonly.aof.2.base.aof');
    const rename = (d: string, ls: Line[]) => ls.map((l) => ({ ...l, file: l.file.replace(src, d) }));

    const cutIncr = path.join(TMP, 'mp-cut-incr');
    cpSync(src, cutIncr, { recursive: true });
    const incrLines = full.filter((l) => l.file === incrName(src));
    const cutAt = incrLines[10].offset + 7; // inside the 11th command of the incr file
    truncateSync(incrName(cutIncr), cutAt);
    const a = await exportText(cutIncr);
    expect(a.error).toMatchObject({ code: 'TRUNCATED', file: incrName(cutIncr), offset: incrLines[10].offset });
    expect(a.lines).toEqual(rename(cutIncr, full.slice(0, full.indexOf(incrLines[10]))));

    const cutBase = path.join(TMP, 'mp-cut-base');
    cpSync(src, cutBase, { recursive: true });
    const baseLines = full.filter((l) => l.file === baseName(src));
    const baseCut = baseLines[12].offset + 5;
    truncateSync(baseName(cutBase), baseCut);
    const b = await exportText(cutBase);
    expect(b.error).toMatchObject({ code: 'TRUNCATED', file: baseName(cutBase), offset: baseLines[12].offset });
    expect(b.lines).toEqual(rename(cutBase, baseLines.slice(0, 12)));

    const noIncr = path.join(TMP, 'mp-no-incr');
    cpSync(src, noIncr, { recursive: true });
    unlinkSync(incrName(noIncr));
    const c = await exportText(noIncr);
    expect(c.error).toBeInstanceOf(CorruptDataError);
    expect(c.error).toMatchObject({ code: 'MISSING_FILE', file: incrName(noIncr) });
    expect(c.lines).toEqual(rename(noIncr, full.filter((l) => l.file === baseName(src))));
  });
});
