/**
 * The AOF `inspect` analyzer on the real-server fixtures (plain, hybrid, both multi-part sets,
 * reached by directory, by manifest and under names that say nothing), cross-checked against
 * an independent walk of the RESP bytes written here, the fixtures' truth files (what
 * redis-check-aof printed when they were made) and the real redis-check-aof on damaged copies
 * derived in the test.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectAof, inspectInput, AofOverviewAnalyzer, type AofInspectReport } from '../../src/analyze/aof-overview.js';
import { AofCommandStats, MAX_COMMAND_NAMES } from '../../src/analyze/aof-commands.js';
import { peekSource } from '../../src/analyze/aof-input.js';
import { inspectRdb, type InspectReport } from '../../src/analyze/overview.js';
import { RespWriter } from '../../src/aof/resp-encoder.js';
import { bytesSource, openSource, type ByteSource } from '../../src/io/source.js';
import { resolveInput } from '../../src/pipeline/detect.js';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { CorruptDataError, TruncatedError } from '../../src/errors.js';
import { CORPUS, describeCorpus, FIXTURES, itCorpus } from '../helpers/files.js';
import { byteByByte, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { checkAofBytes, checkAofDir, requireRedisCheckAof } from '../helpers/redis-check-aof.js';

const AOF = path.join(FIXTURES, 'aof');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-aof-overview-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const NOW = Date.UTC(2030, 0, 1);

// ---------------------------------------------------------------- an independent RESP walk

interface Unit {
  kind: 'cmd' | 'ann';
  offset: number;
  end: number;
  argv: Buffer[];
  text: string;
}

/** Walks RESP units the plain way (lengths read with Number, CRLFs checked by eye), from `start`. */
function walk(b: Buffer, start = 0): Unit[] {
  const out: Unit[] = [];
  let p = start;
  while (p < b.length) {
    if (b[p] === 0x23) {
      const nl = b.indexOf(0x0a, p);
      out.push({ kind: 'ann', offset: p, end: nl + 1, argv: [], text: b.toString('latin1', p, nl - 1) });
      p = nl + 1;
      continue;
    }
    if (b[p] !== 0x2a) throw new Error(`not a unit at ${p}`);
    let e = b.indexOf('\r\n', p);
    const n = Number(b.toString('latin1', p + 1, e));
    let q = e + 2;
    const argv: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      if (b[q] !== 0x24) throw new Error(`not a bulk at ${q}`);
      e = b.indexOf('\r\n', q);
      const len = Number(b.toString('latin1', q + 1, e));
      argv.push(b.subarray(e + 2, e + 2 + len));
      if (b.toString('latin1', e + 2 + len, e + 4 + len) !== '\r\n') throw new Error(`no CRLF after the bulk at ${q}`);
      q = e + 4 + len;
    }
    out.push({ kind: 'cmd', offset: p, end: q, argv, text: '' });
    p = q;
  }
  return out;
}

/** What the report should say, counted from the walk of every file. */
function expected(files: { name: string; bytes: Buffer; respFrom: number }[]) {
  const byName = new Map<string, { commands: number; bytes: number }>();
  const byDb = new Map<string, number>();
  const lengths: number[] = [];
  let commands = 0;
  let bytes = 0;
  let annotations = 0;
  const ts: { sec: number; file: string; offset: number }[] = [];
  let blocks = 0;
  let inside = 0;
  let largest = 0;
  for (const f of files) {
    let db = 0;
    let open = -1;
    for (const u of walk(f.bytes, f.respFrom)) {
      if (u.kind === 'ann') {
        annotations++;
        const m = /^#TS:(\d+)$/.exec(u.text);
        if (m) ts.push({ sec: Number(m[1]), file: f.name, offset: u.offset });
        continue;
      }
      const name = u.argv[0].toString('latin1').toUpperCase();
      const len = u.end - u.offset;
      commands++;
      bytes += len;
      lengths.push(len);
      const e = byName.get(name) ?? { commands: 0, bytes: 0 };
      e.commands++;
      e.bytes += len;
      byName.set(name, e);
      byDb.set(`${db}/${name}`, (byDb.get(`${db}/${name}`) ?? 0) + 1);
      if (name === 'SELECT') db = Number(u.argv[1].toString('latin1'));
      else if (name === 'MULTI') open = 0;
      else if (name === 'EXEC') {
        blocks++;
        inside += open;
        largest = Math.max(largest, open);
        open = -1;
      } else if (open >= 0) open++;
    }
  }
  return { byName, byDb, lengths: lengths.sort((a, b) => b - a).slice(0, 10), commands, bytes, annotations, ts, blocks, inside, largest };
}

const nameOf = (b: Uint8Array | null): string => (b === null ? '(other)' : Buffer.from(b).toString('latin1'));

/** Compares a report's command statistics with the walk. */
function expectCounts(r: AofInspectReport, files: { name: string; bytes: Buffer; respFrom: number }[]): void {
  const x = expected(files);
  expect(r.commands).toBe(x.commands);
  expect(r.bytes).toBe(x.bytes);
  expect(new Map(r.byName.map((s) => [nameOf(s.name), { commands: s.commands, bytes: s.bytes }]))).toEqual(x.byName);
  const byDb = new Map<string, number>();
  for (const d of r.databases) for (const s of d.byName) byDb.set(`${d.db}/${nameOf(s.name)}`, s.commands);
  expect(byDb).toEqual(x.byDb);
  for (const d of r.databases) expect(d.commands).toBe(d.byName.reduce((n, s) => n + s.commands, 0));
  expect(r.annotations).toBe(x.annotations);
  expect(r.timestamps.count).toBe(x.ts.length);
  expect(r.timestamps.first).toEqual(x.ts.length ? { ...x.ts[0], iso: new Date(x.ts[0].sec * 1000).toISOString() } : null);
  expect(r.timestamps.last).toEqual(x.ts.length ? { ...x.ts.at(-1)!, iso: new Date(x.ts.at(-1)!.sec * 1000).toISOString() } : null);
  expect(r.multi.blocks).toBe(x.blocks);
  expect(r.multi.commandsInside).toBe(x.inside);
  expect(r.multi.largest?.commands ?? 0).toBe(x.largest);
  expect(r.biggestCommands.map((c) => c.byteLength)).toEqual(x.lengths);
  // Each listed command is really there, with its name and first argument.
  for (const c of r.biggestCommands) {
    const f = files.find((g) => g.name === c.file)!;
    const u = walk(f.bytes, f.respFrom).find((v) => v.offset === c.offset)!;
    expect(u.end - u.offset).toBe(c.byteLength);
    expect(nameOf(c.name)).toBe(u.argv[0].toString('latin1').toUpperCase());
    expect(Buffer.from(c.firstArg!).equals(u.argv[1].subarray(0, 64))).toBe(true);
    expect(c.argc).toBe(u.argv.length);
  }
}

// ---------------------------------------------------------------- the fixtures

interface Truth {
  files: { path: string; bytes: number }[];
  keysPerDb: Record<string, number>;
  redisCheckAof: { output: string };
}
const truth = (name: string): Truth => JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as Truth;
/** redis-check-aof's `ok_up_to_line` per file, in the order it printed them. */
const checkLines = (name: string): number[] => [...truth(name).redisCheckAof.output.matchAll(/ok_up_to_line=(\d+)/g)].map((m) => Number(m[1]));
const read = (p: string): Buffer => readFileSync(p);
const RDB_BASE = path.join(AOF, 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb');
const RDB_BASE_BYTES = truth('rdb-multipart').files.find((f) => f.path.endsWith('.base.rdb'))!.bytes;

/** A single file (copied under names that say nothing) or a multi-part set (directory, manifest, renamed copy). */
interface Case {
  label: string;
  given: string;
  fixture: string;
  files: { name: string; bytes: Buffer; respFrom: number; content: string }[];
  form: 'file' | 'multipart';
}

function singleCases(fixture: 'plain' | 'hybrid'): Case[] {
  const src = path.join(AOF, `${fixture}.aof`);
  const respFrom = fixture === 'hybrid' ? RDB_BASE_BYTES : 0;
  const content = fixture === 'hybrid' ? 'hybrid' : 'aof';
  const out: Case[] = [];
  for (const name of [`${fixture}.aof`, `${fixture}-backup.bin`, `${fixture}-dump.rdb`]) {
    const given = name === `${fixture}.aof` ? src : path.join(TMP, name);
    if (given !== src) copyFileSync(src, given);
    out.push({ label: `${fixture} as ${name}`, given, fixture, form: 'file', files: [{ name: given, bytes: read(src), respFrom, content }] });
  }
  return out;
}

function multipartCases(fixture: 'resp-multipart' | 'rdb-multipart'): Case[] {
  const dir = path.join(AOF, fixture, 'appendonlydir');
  const ext = fixture === 'rdb-multipart' ? 'rdb' : 'aof';
  const base = read(path.join(dir, `appendonly.aof.2.base.${ext}`));
  const incr = read(path.join(dir, 'appendonly.aof.2.incr.aof'));
  const baseContent = fixture === 'rdb-multipart' ? 'rdb' : 'aof';
  const filesIn = (d: string, b: string, i: string) => [
    { name: path.join(d, b), bytes: base, respFrom: baseContent === 'rdb' ? base.length : 0, content: baseContent },
    { name: path.join(d, i), bytes: incr, respFrom: 0, content: 'aof' },
  ];
  const std = filesIn(dir, `appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof');
  // A copy whose manifest and files have names that say nothing: found by content only.
  const copy = path.join(TMP, `${fixture}-renamed`);
  mkdirSync(copy, { recursive: true });
  writeFileSync(path.join(copy, 'part-one.dat'), base);
  writeFileSync(path.join(copy, 'part-two.txt'), incr);
  writeFileSync(path.join(copy, 'listing.txt'), 'file part-one.dat seq 2 type b\nfile part-two.txt seq 2 type i\n');
  return [
    { label: `${fixture} by its parent directory`, given: path.join(AOF, fixture), fixture, form: 'multipart', files: std },
    { label: `${fixture} by appendonlydir`, given: dir, fixture, form: 'multipart', files: std },
    { label: `${fixture} by its manifest`, given: path.join(dir, 'appendonly.aof.manifest'), fixture, form: 'multipart', files: std },
    { label: `${fixture} renamed`, given: path.join(copy, 'listing.txt'), fixture, form: 'multipart', files: filesIn(copy, 'part-one.dat', 'part-two.txt') },
  ];
}

const CASES: Case[] = [...singleCases('plain'), ...singleCases('hybrid'), ...multipartCases('resp-multipart'), ...multipartCases('rdb-multipart')];

describe('inspectInput on the AOF fixtures', () => {
  for (const c of CASES) {
    it(`${c.label}: files, counts and verdict agree with the bytes and with redis-check-aof`, async () => {
      const res = await inspectInput(c.given, { nowMs: NOW });
      expect(res.kind).toBe('aof');
      const r = res.report as AofInspectReport;
      expect(r).toMatchObject({ format: 'aof', input: c.given, form: c.form, history: [], filtered: false, nowMs: NOW });
      expect(r.manifestPath === null).toBe(c.form === 'file');
      expect(r.parts.map((p) => p.name)).toEqual(c.files.map((f) => f.name));
      const lines = checkLines(c.fixture);
      r.parts.forEach((p, i) => {
        const f = c.files[i];
        const units = walk(f.bytes, f.respFrom);
        expect(p).toMatchObject({
          content: f.content,
          bytes: f.bytes.length,
          status: 'ok',
          okUpTo: f.bytes.length,
          respOffset: f.content === 'rdb' ? null : f.respFrom,
          commands: units.filter((u) => u.kind === 'cmd').length,
          okCommands: units.filter((u) => u.kind === 'cmd').length,
          annotations: units.filter((u) => u.kind === 'ann').length,
          redisCheckAofLine: lines[i],
          pendingMulti: false,
          problem: null,
          last: i === c.files.length - 1,
        });
        if (c.form === 'multipart') expect(p).toMatchObject({ role: i === 0 ? 'base' : 'incr', seq: '2', manifestLine: i + 1 });
        else expect(p).toMatchObject({ role: 'file', seq: null, manifestLine: null });
      });
      expect(r.verdict).toEqual({
        status: 'ok',
        file: c.files.at(-1)!.name,
        okUpTo: c.files.at(-1)!.bytes.length,
        okUpToLine: r.parts.at(-1)!.okUpToLine,
        redisCheckAofLine: lines.at(-1),
        bytesAfterOkUpTo: 0,
        problem: null,
        pendingMulti: false,
        multiOffset: null,
      });
      expect(r.bytesRead).toBe(c.files.reduce((n, f) => n + f.bytes.length, 0));
      expectCounts(r, c.files);
    });
  }

  it('the RDB part of hybrid.aof and of the rdb-multipart base read as inspectRdb reads the base, with the keys redis-check-aof counted', async () => {
    const alone = await inspectRdb(await openSource(RDB_BASE), { nowMs: NOW });
    const keysRead = Number(/\[info\] (\d+) keys read/.exec(truth('rdb-multipart').redisCheckAof.output)![1]);
    expect(alone.totals.keys).toBe(keysRead);
    for (const given of [path.join(AOF, 'hybrid.aof'), path.join(AOF, 'rdb-multipart')]) {
      const r = (await inspectInput(given, { nowMs: NOW })).report as AofInspectReport;
      const part = r.parts[0];
      expect(part.rdbComplete).toBe(true);
      const rdb = part.rdb!;
      expect(rdb.totals.keys).toBe(keysRead);
      const { elapsedMs: _a, file: _b, trailingBytes, bytesRead, fileBytes, ...same } = rdb;
      const { elapsedMs: _c, file: _d, trailingBytes: _e, bytesRead: _f, fileBytes: _g, ...want } = alone;
      expect(fileBytes).toBe(part.bytes);
      expect(same).toEqual(want);
      expect(bytesRead).toBe(part.bytes);
      expect(trailingBytes).toBe(part.bytes! - RDB_BASE_BYTES);
      expect(rdb.checksum.status).toBe('ok');
    }
    // The incr file holds no RDB.
    const multi = (await inspectInput(path.join(AOF, 'rdb-multipart'))).report as AofInspectReport;
    expect(multi.parts[1].rdb).toBeNull();
  });

  it('key filters restrict the RDB part only', async () => {
    const r = (await inspectInput(path.join(AOF, 'hybrid.aof'), { filter: { dbs: [5] } })).report as AofInspectReport;
    expect(r.filtered).toBe(true);
    expect(r.parts[0].rdb!.databases.map((d) => d.db)).toEqual([5]);
    expect(r.commands).toBe(expected([{ name: 'x', bytes: read(path.join(AOF, 'hybrid.aof')), respFrom: RDB_BASE_BYTES }]).commands);
  });

  it('gives the RDB report, as inspectRdb does, for an RDB file whatever its name', async () => {
    const src = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    const renamed = path.join(TMP, 'all-types.aof');
    copyFileSync(src, renamed);
    for (const given of [src, renamed]) {
      const res = await inspectInput(given, { nowMs: NOW });
      expect(res.kind).toBe('rdb');
      const want = await inspectRdb(await openSource(given), { nowMs: NOW });
      expect({ ...res.report, elapsedMs: 0 }).toEqual({ ...want, elapsedMs: 0 });
    }
  });

  it('an RDB followed by junk keeps the RDB report (as inspectRdb); followed by the start of a command it is a hybrid AOF', async () => {
    const rdb = read(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    const padded = path.join(TMP, 'padded.rdb');
    writeFileSync(padded, Buffer.concat([rdb, Buffer.alloc(100)]));
    const res = await inspectInput(padded, { nowMs: NOW });
    expect(res.kind).toBe('rdb');
    const want = await inspectRdb(await openSource(padded), { nowMs: NOW });
    expect(want.trailingBytes).toBe(100);
    expect({ ...res.report, elapsedMs: 0 }).toEqual({ ...want, elapsedMs: 0 });
    const tail = path.join(TMP, 'rdb-then-cut-command.aof');
    writeFileSync(tail, Buffer.concat([rdb, Buffer.from('*2\r\n$3\r\nGET')]));
    const h = await inspectInput(tail, { nowMs: NOW });
    expect(h.kind).toBe('aof');
    const r = h.report as AofInspectReport;
    expect(r.parts[0]).toMatchObject({ content: 'hybrid', respOffset: rdb.length, status: 'truncated', rdbComplete: true });
    expect(r.verdict).toMatchObject({ status: 'truncated', okUpTo: rdb.length, bytesAfterOkUpTo: 11 });
    expect(r.parts[0].rdb!.totals.keys).toBe(want.totals.keys);
  });

  itCorpus('a damaged RDB file: a checksum mismatch leaves the report whole (as inspectRdb), other damage gives the partial report with the error', async () => {
    const mismatch = path.join(CORPUS, 'librdb', 'invalid_chksum_v8.rdb');
    const res = await inspectInput(mismatch);
    expect(res.kind).toBe('rdb');
    expect(res.kind === 'rdb' && res.report.checksum.status).toBe('mismatch');
    expect(res.error).toBeNull();
    const want = await inspectRdb(await openSource(mismatch), { nowMs: NOW });
    const got = (await inspectInput(mismatch, { nowMs: NOW })).report;
    expect({ ...got, elapsedMs: 0 }).toEqual({ ...want, elapsedMs: 0 });
    const corrupt = path.join(CORPUS, 'librdb', 'redis_ent_opcode_ram_lru.rdb');
    const thrown = await inspectRdb(await openSource(corrupt)).catch((e: unknown) => e);
    const c = await inspectInput(corrupt);
    expect(c.kind).toBe('rdb');
    expect(c.error).toMatchObject({ code: 'UNKNOWN_TYPE', offset: 280, file: corrupt });
    expect(c.report.error).toEqual((thrown as CorruptDataError).toJSON());
    expect((c.report as InspectReport).partial).toMatchObject({ keys: 0 });
    expect((c.report as InspectReport).partial!.readUpTo).toBeLessThanOrEqual(280);
  });

  it('a cut RDB file: the partial report of what came before the cut, with the error inspectRdb throws', async () => {
    const cut = path.join(TMP, 'cut.rdb');
    writeFileSync(cut, read(RDB_BASE).subarray(0, 500));
    const thrown = await inspectRdb(await openSource(cut)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TruncatedError);
    const res = await inspectInput(cut);
    expect(res.kind).toBe('rdb');
    expect(res.error).toBeInstanceOf(TruncatedError);
    const r = res.report as InspectReport;
    expect(r.error).toEqual((thrown as TruncatedError).toJSON());
    expect(r.partial!.readUpTo).toBeLessThanOrEqual(500);
    expect(r.partial!.keys).toBe(r.totals.keys);
    expect(r.checksum.status).toBe('absent');
  });

  it('reports an empty file as empty, and an empty incr file as fine', async () => {
    const empty = path.join(TMP, 'empty.aof');
    writeFileSync(empty, '');
    const r = (await inspectInput(empty)).report as AofInspectReport;
    expect(r.parts[0]).toMatchObject({ content: 'empty', status: 'empty', commands: 0 });
    expect(r.verdict).toMatchObject({ status: 'empty', file: empty, okUpTo: 0, problem: null });
    const dir = path.join(TMP, 'empty-incr');
    cpSync(path.join(AOF, 'resp-multipart', 'appendonlydir'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'appendonly.aof.2.incr.aof'), '');
    const m = (await inspectInput(dir)).report as AofInspectReport;
    expect(m.parts.map((p) => p.status)).toEqual(['ok', 'empty']);
    expect(m.verdict.status).toBe('ok');
  });
});

// ---------------------------------------------------------------- damage

describe('inspectAof on damaged copies, against redis-check-aof', () => {
  const plain = read(path.join(AOF, 'plain.aof'));
  const units = walk(plain);

  it('finds redis-check-aof', () => {
    expect(() => requireRedisCheckAof()).not.toThrow();
  });

  // Cuts inside and at the edges of a spread of units (annotations, commands, MULTI blocks).
  const cuts = new Set<number>();
  units.forEach((u, i) => {
    if (i % 7 === 0 || u.argv[0]?.toString() === 'MULTI' || u.argv[0]?.toString() === 'EXEC') {
      cuts.add(u.offset + 1);
      cuts.add(Math.floor((u.offset + u.end) / 2));
      cuts.add(u.end);
    }
  });
  cuts.delete(plain.length);

  it(`a plain AOF cut at ${cuts.size} points: the verdict says where, and where it is valid up to, as redis-check-aof does`, async () => {
    for (const cut of cuts) {
      const file = path.join(TMP, `cut-${cut}.aof`);
      const bytes = plain.subarray(0, cut);
      writeFileSync(file, bytes);
      const [r, tool] = await Promise.all([inspectAof(await resolveInput(file)), checkAofBytes(bytes)]);
      const v = r.verdict;
      // redis-check-aof decides; a cut at a command boundary outside MULTI must be valid.
      if (units.some((u) => u.end === cut && u.kind === 'cmd') && !/EOF before reading EXEC/.test(tool.output)) expect(tool.valid, `cut ${cut}`).toBe(true);
      if (tool.valid) {
        expect(v.status, `cut ${cut}`).toBe('ok');
      } else {
        expect(v.status, `cut ${cut}`).toBe('truncated');
        expect(v.problem).toMatchObject({ code: 'TRUNCATED', section: 'aof', offset: cut });
      }
      expect(v.file).toBe(file);
      expect(v.okUpTo, `cut ${cut}`).toBe(tool.analyzed!.okUpTo);
      expect(v.redisCheckAofLine, `cut ${cut}`).toBe(tool.analyzed!.okUpToLine);
      expect(v.bytesAfterOkUpTo).toBe(tool.analyzed!.diff);
      // Inside a MULTI: a MULTI complete before the cut whose EXEC is not.
      const open = units.filter((u) => u.end <= cut && u.kind === 'cmd').reduce((o, u) => (u.argv[0].toString() === 'MULTI' ? true : u.argv[0].toString() === 'EXEC' ? false : o), false);
      expect(v.pendingMulti, `cut ${cut}`).toBe(open);
      if (/EOF before reading EXEC/.test(tool.output)) expect(open).toBe(true);
      // What was read is still counted: every command complete before the cut.
      expect(r.commands).toBe(units.filter((u) => u.kind === 'cmd' && u.end <= cut).length);
    }
  }, 30_000);

  it('a MULTI left open: pendingMulti, the MULTI offset, valid up to the MULTI', async () => {
    const exec = units.find((u) => u.argv[0]?.toString() === 'EXEC')!;
    const multi = [...units].reverse().find((u) => u.offset < exec.offset && u.argv[0]?.toString() === 'MULTI')!;
    const file = path.join(TMP, 'open-multi.aof');
    writeFileSync(file, plain.subarray(0, exec.offset));
    const r = await inspectAof(await resolveInput(file));
    expect(r.verdict).toMatchObject({ status: 'truncated', pendingMulti: true, multiOffset: multi.offset, okUpTo: multi.offset, bytesAfterOkUpTo: exec.offset - multi.offset });
    expect(r.parts[0]).toMatchObject({ pendingMulti: true, multiOffset: multi.offset });
  });

  it('a corrupt byte: corrupt verdict at that byte, valid up to the command holding it', async () => {
    const u = units.filter((x) => x.kind === 'cmd')[20];
    const bad = Buffer.from(plain);
    const at = u.offset + 4; // the '$' of the first argument
    bad[at] = 0x21;
    const file = path.join(TMP, 'corrupt.aof');
    writeFileSync(file, bad);
    const [r, tool] = await Promise.all([inspectAof(await resolveInput(file)), checkAofBytes(bad)]);
    expect(r.verdict).toMatchObject({ status: 'corrupt', okUpTo: u.offset, problem: { code: 'RESP_SYNTAX', section: 'aof', offset: at, found: "'!'" } });
    expect(r.verdict.okUpTo).toBe(tool.analyzed!.okUpTo);
    expect(r.verdict.bytesAfterOkUpTo).toBe(tool.analyzed!.diff);
  });

  it('a multi-part set cut in its incr file, and in its base: the first problem in load order', async () => {
    const src = path.join(AOF, 'resp-multipart', 'appendonlydir');
    for (const [victim, keep] of [
      ['appendonly.aof.2.incr.aof', 900],
      ['appendonly.aof.2.base.aof', 1000],
    ] as const) {
      const dir = path.join(TMP, `mp-${victim}`);
      cpSync(src, dir, { recursive: true });
      truncateSync(path.join(dir, victim), keep);
      const [r, tool] = await Promise.all([
        inspectAof(await resolveInput(dir)),
        checkAofDir(src, 'appendonly.aof.manifest', async (d) => truncateSync(path.join(d, victim), keep)),
      ]);
      expect(r.verdict.file).toBe(path.join(dir, victim));
      expect(r.verdict.status).toBe('truncated');
      const analyzed = tool.run.allAnalyzed.find((a) => a.filename === victim)!;
      expect(r.verdict.okUpTo).toBe(analyzed.okUpTo);
      expect(r.verdict.redisCheckAofLine).toBe(analyzed.okUpToLine);
      expect(r.verdict.bytesAfterOkUpTo).toBe(analyzed.diff);
      // Every file is still listed and read.
      expect(r.parts.map((p) => p.status)).toEqual(victim.includes('incr') ? ['ok', 'truncated'] : ['truncated', 'ok']);
    }
  });

  it('a damaged RDB base: corrupt in its RDB section, the summary of what was read, no throw', async () => {
    const dir = path.join(TMP, 'bad-base');
    cpSync(path.join(AOF, 'rdb-multipart', 'appendonlydir'), dir, { recursive: true });
    const base = path.join(dir, 'appendonly.aof.2.base.rdb');
    const b = read(base);
    b[b.length - 1] ^= 0xff; // the checksum trailer
    writeFileSync(base, b);
    const r = await inspectAof(await resolveInput(dir));
    expect(r.verdict).toMatchObject({ status: 'corrupt', file: base, okUpTo: 0, problem: { code: 'CHECKSUM_MISMATCH', section: 'rdb' } });
    // Read to its end: the summary is whole, the checksum is what is wrong.
    expect(r.parts[0]).toMatchObject({ rdbComplete: true, content: 'rdb' });
    expect(r.parts[0].rdb!.checksum.status).toBe('mismatch');
    expect(r.parts[0].rdb!.totals.keys).toBe(21);
    expect(r.parts[1].status).toBe('ok');
  });

  it('a file the manifest lists but that does not exist: missing', async () => {
    const dir = path.join(TMP, 'no-incr');
    cpSync(path.join(AOF, 'resp-multipart', 'appendonlydir'), dir, { recursive: true });
    unlinkSync(path.join(dir, 'appendonly.aof.2.incr.aof'));
    const r = await inspectAof(await resolveInput(dir));
    expect(r.parts[1]).toMatchObject({ status: 'missing', content: null, bytes: null });
    expect(r.verdict).toMatchObject({ status: 'missing', file: path.join(dir, 'appendonly.aof.2.incr.aof'), okUpTo: null, problem: { code: 'MISSING_FILE', section: 'file', offset: null } });
  });
});

// ---------------------------------------------------------------- the corpus

describeCorpus('the corpus AOF files, read in place', () => {
  const files = ['rdb/hash_as_listpack_with_hfe.aof', 'rdb/hash_with_hfe.aof', 'rdb/memory.aof', 'rdb/memory_regex.aof', 'rdb/valkey_hash2_with_hfe.aof', 'redis/rdb-preamble.aof'];
  for (const rel of files) {
    it(`${rel} inspects without problems`, async () => {
      const file = path.join(CORPUS, rel);
      expect(statSync(file).isFile()).toBe(true);
      const res = await inspectInput(file);
      expect(res.kind).toBe('aof');
      const r = res.report as AofInspectReport;
      const hybrid = rel === 'redis/rdb-preamble.aof';
      const respFrom = hybrid ? 117 : 0; // where redis-check-rdb said the RDB ends (corpus README)
      expect(r.verdict.status).toBe('ok');
      expect(r.parts[0]).toMatchObject({ content: hybrid ? 'hybrid' : 'aof', respOffset: respFrom, status: 'ok' });
      expectCounts(r, [{ name: file, bytes: read(file), respFrom }]);
      if (hybrid) expect(r.parts[0].rdb!.totals.keys).toBe(2); // k1 and k2 (k3 comes from the tail)
    });
  }
});

// ---------------------------------------------------------------- pieces

/** A source over `bytes` cut by `split` (optionally claiming a file path). */
function splitSource(bytes: Uint8Array, split: Splitter, name = 'mem', filePath?: string): ByteSource {
  return {
    name,
    size: bytes.length,
    path: filePath,
    async *chunks() {
      for (const piece of split(bytes)) yield piece;
    },
  };
}

describe('the command statistics under every chunking', () => {
  for (const fixture of ['plain.aof', 'hybrid.aof']) {
    it(`${fixture}: the same summary whole, byte by byte and at random splits, with large arguments in parts`, async () => {
      const bytes = new Uint8Array(read(path.join(AOF, fixture)));
      const run = async (split: Splitter) => {
        const a = new AofOverviewAnalyzer({ nowMs: NOW });
        const part = { path: fixture, name: fixture, role: 'file' as const, last: true, size: bytes.length };
        a.fileStart(part, 0);
        const scan = await scanFile(splitSource(bytes, split, fixture), a, { verify: 'shallow', limits: { maxInlineValueBytes: 8 } });
        a.fileEnd();
        expect(scan.status).toBe('ok');
        const { elapsedMs: _e, ...rdb } = a.rdbReport(0, scan) ?? { elapsedMs: 0 };
        return { summary: a.aof.summary(), rdb };
      };
      const ref = await run(whole);
      expect(ref.summary.commands).toBeGreaterThan(20);
      for (const split of [byteByByte, randomSplits(7, 40), noisy(randomSplits(3, 9))]) expect(await run(split)).toEqual(ref);
    });
  }
});

describe('AofCommandStats limits', () => {
  it('tells apart at most MAX_COMMAND_NAMES names; longer names and the rest go to the "other" bucket', async () => {
    const w = new RespWriter();
    for (let i = 0; i < MAX_COMMAND_NAMES + 3; i++) w.command(`cmd${i}`, 'k');
    w.command('x'.repeat(65), 'k');
    w.command('cmd0', 'again');
    const s = new AofCommandStats();
    s.file = 'mem';
    const scan = await scanFile(bytesSource(w.toBytes(), 'mem'), { aof: s });
    expect(scan.status).toBe('ok');
    const sum = s.summary();
    expect(sum.byName).toHaveLength(MAX_COMMAND_NAMES + 1);
    expect(sum.byName.at(-1)).toMatchObject({ name: null, commands: 4 });
    expect(sum.byName[0]).toMatchObject({ commands: 2 });
    expect(nameOf(sum.byName[0].name)).toBe('CMD0');
    expect(sum.commands).toBe(MAX_COMMAND_NAMES + 5);
  });

  it('lists a command whose first argument came in parts with its size and no preview', async () => {
    const big = new Uint8Array(100_000).fill(0x61);
    const bytes = new RespWriter().command('SET', big, 'v').command('set', 'a', 'b').toBytes();
    const file = path.join(TMP, 'big-first.aof');
    writeFileSync(file, bytes);
    const r = await inspectAof(await resolveInput(file), { limits: { maxInlineValueBytes: 1024 } });
    expect(r.biggestCommands[0]).toMatchObject({ name: Uint8Array.from(Buffer.from('SET')), firstArg: null, firstArgBytes: 100_000, argc: 3, offset: 0 });
    expect(r.biggestCommands[1]).toMatchObject({ firstArg: Uint8Array.from(Buffer.from('a')), firstArgBytes: 1 });
    expect(r.byName).toEqual([{ name: Uint8Array.from(Buffer.from('SET')), commands: 2, bytes: bytes.length }]);
  });
});

describe('peekSource', () => {
  const cases: [string, Uint8Array, string][] = [
    ['an RDB', new Uint8Array(read(RDB_BASE)), 'rdb'],
    ['a Valkey RDB magic', new Uint8Array(Buffer.from('VALKEY080')), 'rdb'],
    ['an AOF', new Uint8Array(read(path.join(AOF, 'plain.aof'))), 'resp'],
    ['a command first', new Uint8Array(Buffer.from('*1\r\n$4\r\nPING\r\n')), 'resp'],
    ['nothing', new Uint8Array(0), 'empty'],
    // A whole file that is the start of a magic is an RDB cut short: the RDB decoder reports it.
    ['a lone R', new Uint8Array(Buffer.from('R')), 'rdb'],
    ['REDI then junk', new Uint8Array(Buffer.from('REDIX....')), 'other'],
  ];
  for (const [label, bytes, start] of cases) {
    it(`${label}: says ${start} and hands every byte back, whatever the chunking`, async () => {
      for (const split of [whole, byteByByte, randomSplits(5, 4)]) {
        const p = await peekSource(splitSource(bytes, split, 'x', '/some/path'));
        expect(p.start).toBe(start);
        expect(p.source).toMatchObject({ name: 'x', size: bytes.length, path: '/some/path' });
        const got: Uint8Array[] = [];
        for await (const c of p.source.chunks()) got.push(c);
        expect(Buffer.concat(got).equals(Buffer.from(bytes))).toBe(true);
        await expect(async () => {
          for await (const _ of p.source.chunks()) void _;
        }).rejects.toThrow(/once/);
      }
    });
  }

  it('discard closes the source without reading it', async () => {
    let closed = false;
    const src: ByteSource = {
      name: 'x',
      size: undefined,
      path: undefined,
      async *chunks() {
        try {
          yield new Uint8Array(Buffer.from('*1\r\n'));
          yield new Uint8Array(Buffer.from('$4\r\nPING\r\n'));
        } finally {
          closed = true;
        }
      },
    };
    const p = await peekSource(src);
    expect(p.start).toBe('resp');
    await p.discard();
    expect(closed).toBe(true);
  });

  it('works on a real file source', async () => {
    const p = await peekSource(await openSource(RDB_BASE));
    expect(p.start).toBe('rdb');
    const r = await inspectRdb(p.source);
    expect(r.totals.keys).toBe(21);
  });
});

describe('the typed error a scan keeps', () => {
  it('is the decoder\'s own: an RDB error keeps its key, a cut AOF gives TRUNCATED at the incomplete command', async () => {
    // A byte inside the first key's value of the RDB base, made an invalid listpack/ziplist
    // entry, fails with the key being decoded in the error.
    const rdb = read(RDB_BASE);
    const keys: { offset: number; end: number }[] = [];
    await scanFile(bytesSource(rdb, 'base.rdb'), { rdb: { keyStart: () => false, keyEnd: (k) => void keys.push({ offset: k.offset, end: k.offset + k.onDiskBytes }) } });
    let withKey = 0;
    for (const k of keys.slice(0, 8)) {
      const damaged = Uint8Array.from(rdb);
      damaged[k.end - 2] = 0xfe;
      const s = await scanFile(bytesSource(damaged, 'base.rdb'), {}, { verify: 'deep' });
      if (s.problem === null || s.problem.code === 'CHECKSUM_MISMATCH') continue;
      expect(s.error).toBeInstanceOf(CorruptDataError);
      expect(s.error).toMatchObject({ code: s.problem.code, offset: s.problem.offset, file: 'base.rdb' });
      if (s.error!.context?.key !== undefined) withKey++;
    }
    expect(withKey).toBeGreaterThan(0);

    const plain = read(path.join(AOF, 'plain.aof'));
    const cut = await scanFile(bytesSource(plain.subarray(0, 1500), 'cut.aof'), {});
    expect(cut.error).toBeInstanceOf(TruncatedError);
    expect(cut.error).toMatchObject({ code: 'TRUNCATED', offset: cut.problem!.unitOffset, file: 'cut.aof' });
    expect(cut.error!.note('valid up to byte 5').message).toContain('(valid up to byte 5)');
    expect((await scanFile(bytesSource(plain, 'ok.aof'), {})).error).toBeNull();
  });
});
