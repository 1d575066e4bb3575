/**
 * `checkPath`: every fixture and the corpus AOFs check intact; damaged variants derived here
 * from the real-server fixtures give the verdict the real `redis-check-aof` gives on the same
 * bytes (valid or not, `ok_up_to`, `ok_up_to_line`, `diff`), a located problem, and a
 * "would Redis start" verdict that follows Redis's load rules, computed independently in the
 * test from the intact file's command boundaries. A handful of those verdicts are confirmed
 * on a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPath, CHECK_SCHEMA_VERSION, type CheckReport } from '../../src/analyze/check.js';
import { decodeResp } from '../../src/aof/resp-decoder.js';
import { CORPUS, corpusNames, corpusPath, describeCorpus, FIXTURES, fixtureRdbs } from '../helpers/files.js';
import { checkAofDir, runRedisCheckAof, type CheckAofRun } from '../helpers/redis-check-aof.js';

const AOF = path.join(FIXTURES, 'aof');
const MANIFEST = 'appendonly.aof.manifest';
const dirOf = (name: string) => path.join(AOF, name, 'appendonlydir');
const read = (p: string) => new Uint8Array(readFileSync(p));
const PLAIN = read(path.join(AOF, 'plain.aof'));
const HYBRID = read(path.join(AOF, 'hybrid.aof'));
const BASE_RDB = read(path.join(dirOf('rdb-multipart'), 'appendonly.aof.2.base.rdb'));
/** Where the incr file starts inside plain.aof (plain = RESP base + incr). */
const PLAIN_INCR_AT = readFileSync(path.join(dirOf('resp-multipart'), 'appendonly.aof.2.base.aof')).length;
const HYBRID_TAIL_AT = BASE_RDB.length;

let scratch = '';
let serial = 0;
beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-check-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** Writes bytes to a scratch file (named by content-neutral `x-N.bin`), checks it, and runs redis-check-aof on the same file. */
async function both(bytes: Uint8Array): Promise<{ report: CheckReport; tool: CheckAofRun; file: string }> {
  // Named as an AOF: these cases are about AOF semantics (a 0-byte file named otherwise is an empty RDB).
  const file = path.join(scratch, `x-${serial++}.aof`);
  await fs.writeFile(file, bytes);
  const report = await checkPath(file);
  const tool = runRedisCheckAof([path.basename(file)], scratch);
  return { report, tool, file };
}

/** A scratch copy of a fixture directory, changed by `edit`. */
async function copyDir(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const d = path.join(scratch, `dir-${serial++}`);
  await fs.cp(dirOf(name), d, { recursive: true });
  await edit(d);
  return d;
}

/** redis-check-aof's `AOF analyzed` line for a file compared with the report's file entry. */
function expectSameAnalysis(report: CheckReport, tool: CheckAofRun, index = 0): void {
  const f = report.files[index];
  const a = tool.allAnalyzed.find((x) => x.filename === path.basename(f.name)) ?? tool.analyzed;
  expect(a, tool.output).toBeDefined();
  expect(f.redisCheckAof).toEqual({ okUpTo: a!.okUpTo, okUpToLine: a!.okUpToLine, diff: a!.diff });
  expect(f.okUpTo).toBe(a!.okUpTo);
  expect(f.lostBytes).toBe(a!.diff);
  expect(f.size).toBe(a!.size);
}

/** The counts of "[info] N keys read" lines redis-check-aof prints for RDB parts. */
const keysRead = (out: string) => [...out.matchAll(/\[info\] (\d+) keys read/g)].map((m) => Number(m[1]));

const ANALYZED = /AOF analyzed: filename=(.*?), size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=(\d+)/g;

// ---------------------------------------------------------------- command boundaries, independently

interface Unit {
  offset: number;
  end: number;
  control: 'multi' | 'exec' | 'select' | null;
}

/** The commands of an intact RESP section, in order (offsets absolute). */
function commandsOf(bytes: Uint8Array, from: number): Unit[] {
  const out: Unit[] = [];
  decodeResp(bytes.subarray(from), { command: (c) => void out.push({ offset: from + c.offset, end: from + c.offset + c.byteLength, control: c.control }) });
  return out;
}

/**
 * What Redis's loader does with the first `cut` bytes (FORMATS.md §5.7, and the loader's
 * `valid_up_to` bookkeeping): a command cut short → truncate to the end of the last complete
 * command (0 when there is none in the RESP section); the end of input inside MULTI →
 * truncate to where the last complete command before the MULTI ended.
 */
function redisReference(units: Unit[], cut: number): { truncated: boolean; toOffset: number; inMulti: boolean } {
  let last = 0;
  let beforeMulti = 0;
  let inMulti = false;
  for (const u of units) {
    if (u.end <= cut) {
      if (u.control === 'multi') {
        beforeMulti = last;
        inMulti = true;
      } else if (u.control === 'exec') inMulti = false;
      last = u.end;
      continue;
    }
    if (u.offset < cut) return { truncated: true, toOffset: last, inMulti };
    break;
  }
  return { truncated: inMulti, toOffset: inMulti ? beforeMulti : cut, inMulti };
}

// ---------------------------------------------------------------- intact inputs

describe('check: every fixture is intact', () => {
  const truthAnalyzed = (name: string) => {
    const out = (JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as { redisCheckAof: { output: string } }).redisCheckAof.output;
    return { lines: [...out.matchAll(ANALYZED)].map((m) => ({ file: path.basename(m[1]), okUpTo: Number(m[3]), okUpToLine: Number(m[4]), diff: Number(m[5]) })), keys: keysRead(out) };
  };

  const inputs: [label: string, given: string, truth: string][] = [
    ['plain.aof', path.join(AOF, 'plain.aof'), 'plain'],
    ['hybrid.aof', path.join(AOF, 'hybrid.aof'), 'hybrid'],
    ['rdb-multipart directory', dirOf('rdb-multipart'), 'rdb-multipart'],
    ['rdb-multipart manifest', path.join(dirOf('rdb-multipart'), MANIFEST), 'rdb-multipart'],
    ['rdb-multipart parent of appendonlydir', path.join(AOF, 'rdb-multipart'), 'rdb-multipart'],
    ['resp-multipart directory', dirOf('resp-multipart'), 'resp-multipart'],
    ['resp-multipart manifest', path.join(dirOf('resp-multipart'), MANIFEST), 'resp-multipart'],
  ];
  for (const [label, given, truth] of inputs) {
    it(`${label}: intact, Redis starts, and the per-file redis-check-aof lines match what the tool printed`, async () => {
      const r = await checkPath(given);
      expect(r.schemaVersion).toBe(CHECK_SCHEMA_VERSION);
      expect(r.intact).toBe(true);
      expect(r.problems).toEqual([]);
      expect(r.redisWouldStart).toEqual({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: true, reason: 'every file loads as it is', truncation: null, asRdbSnapshot: null });
      const t = truthAnalyzed(truth);
      expect(r.files.map((f) => ({ file: path.basename(f.name), ...f.redisCheckAof }))).toEqual(t.lines);
      expect(r.files.filter((f) => f.rdb).map((f) => f.rdb!.keys)).toEqual(t.keys);
      for (const f of r.files) {
        expect(f.status).toBe('ok');
        expect(f.lostBytes).toBe(0);
        expect(f.okUpTo).toBe(f.size);
        if (f.rdb) expect(f.rdb).toMatchObject({ magic: 'REDIS', version: 10, checksum: 'ok' });
      }
      expect(r.input.form).toBe(label.includes('multipart') ? 'multipart' : 'file');
      expect(r.totals.bytes).toBe(r.files.reduce((n, f) => n + f.size!, 0));
    });
  }

  for (const file of fixtureRdbs()) {
    it(`${path.basename(file)}: intact, loads as dump.rdb and as an AOF`, async () => {
      const r = await checkPath(file);
      expect(r.intact).toBe(true);
      expect(r.files).toHaveLength(1);
      const f = r.files[0];
      expect(f).toMatchObject({ content: 'rdb', status: 'ok', respOffset: f.size, commands: 0 });
      const truthKeys = readFileSync(file.replace(/\.rdb$/, '.truth.ndjson'), 'utf8').split('\n').filter(Boolean).length;
      expect(f.rdb!.keys).toBe(truthKeys);
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: true, asRdbSnapshot: { loads: true, reason: 'the RDB is intact' } });
      if (file.includes('nochecksum')) {
        expect(f.rdb!.checksum).toBe('disabled');
        expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['NO_CHECKSUM', 'warning']]);
      } else {
        expect(f.rdb!.checksum).toBe('ok');
        expect(f.rdb!.storedChecksum).toBe(f.rdb!.computedChecksum);
        expect(r.problems).toEqual([]);
      }
    });
  }
});

describeCorpus('check: corpus AOFs', () => {
  const files = [corpusPath('redis', 'rdb-preamble.aof'), ...corpusNames('rdb', '.aof').map((f) => corpusPath('rdb', f))];

  it('finds the corpus AOFs (the HDT3213 ones and the redis preamble sample)', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of files) {
    it(`${path.relative(CORPUS, file)}: intact, as redis-check-aof says`, async () => {
      const r = await checkPath(file);
      const tool = runRedisCheckAof([file], scratch);
      expect(tool.valid).toBe(true);
      expect(r.intact).toBe(true);
      expect(r.problems).toEqual([]);
      expectSameAnalysis(r, tool);
      expect(r.redisWouldStart.withAofLoadTruncatedNo).toBe(true);
      if (file.endsWith('rdb-preamble.aof')) {
        // k1, k2 in the RDB preamble and k3 in the tail (corpus README).
        expect(r.files[0]).toMatchObject({ content: 'hybrid', rdb: { keys: 2, checksum: 'ok' } });
        expect(r.files[0].commands).toBeGreaterThan(0);
      } else {
        expect(r.files[0].content).toBe('aof');
      }
    });
  }
});

// ---------------------------------------------------------------- damage, against the real tool

describe('check: truncation, against redis-check-aof and Redis load rules', () => {
  const plainUnits = commandsOf(PLAIN, 0);

  /** Cut points: every command's start, one byte in, and its middle; plus inside each annotation. */
  function cutsOf(units: Unit[], bytes: Uint8Array, from: number, to: number): number[] {
    const cuts = new Set<number>();
    for (const u of units) {
      if (u.offset < from || u.offset >= to) continue;
      cuts.add(u.offset);
      cuts.add(u.offset + 1);
      cuts.add(Math.floor((u.offset + u.end) / 2));
      cuts.add(u.end - 1);
    }
    // Annotations: `#` at a unit boundary.
    for (let i = from; i < to; i++) if (bytes[i] === 0x23 && (i === 0 || bytes[i - 1] === 0x0a)) cuts.add(i + 3);
    return [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  }

  it('plain.aof cut inside its last part (MULTI blocks, annotations, SELECTs): every cut agrees with the tool', async () => {
    const cuts = cutsOf(plainUnits, PLAIN, PLAIN_INCR_AT, PLAIN.length);
    expect(cuts.length).toBeGreaterThan(80);
    let truncatedInMulti = 0;
    let openMultiAtEnd = 0;
    for (const cut of cuts) {
      const { report: r, tool } = await both(PLAIN.subarray(0, cut));
      const ref = redisReference(plainUnits, cut);
      const msg = `cut at ${cut}`;
      expect(r.intact, msg).toBe(tool.valid);
      expect(r.intact, msg).toBe(!ref.truncated);
      expectSameAnalysis(r, tool);
      const f = r.files[0];
      if (!ref.truncated) {
        expect(r.redisWouldStart, msg).toMatchObject({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: true, truncation: null });
        continue;
      }
      // One located problem: truncation at the end of the file, on the physical line of that offset.
      expect(r.problems, msg).toHaveLength(1);
      const p = r.problems[0];
      expect(p, msg).toMatchObject({ code: 'TRUNCATED', severity: 'error', section: 'aof', offset: cut, file: f.name });
      expect(p.line, msg).toBe(1 + PLAIN.subarray(0, cut).filter((b) => b === 0x0a).length);
      expect(f.status).toBe('truncated');
      expect(f.pendingMulti, msg).toBe(ref.inMulti);
      // The last file may be truncated: Redis starts with the default, not with `no`.
      expect(r.redisWouldStart.withAofLoadTruncatedYes, msg).toBe(true);
      expect(r.redisWouldStart.withAofLoadTruncatedNo, msg).toBe(false);
      expect(r.redisWouldStart.truncation, msg).toEqual({
        file: f.name,
        toOffset: ref.toOffset,
        lostBytes: cut - ref.toOffset,
        leavesOpenMulti: ref.inMulti && ref.toOffset > f.multiOffset!,
        dropsRdbPreamble: false,
      });
      if (ref.inMulti) truncatedInMulti++;
      if (r.redisWouldStart.truncation!.leavesOpenMulti) openMultiAtEnd++;
    }
    // The cuts did exercise both MULTI cases.
    expect(truncatedInMulti).toBeGreaterThan(5);
    expect(openMultiAtEnd).toBeGreaterThan(2);
  });

  it('plain.aof cut at a spread of points in its first part agrees with the tool', async () => {
    for (let cut = 1; cut < PLAIN_INCR_AT; cut += 97) {
      const { report: r, tool } = await both(PLAIN.subarray(0, cut));
      expect(r.intact, `cut at ${cut}`).toBe(tool.valid);
      expectSameAnalysis(r, tool);
      expect(r.redisWouldStart.truncation?.toOffset ?? cut).toBe(redisReference(plainUnits, cut).toOffset);
    }
  });

  it('an unterminated MULTI at the end: truncated, cut before the MULTI by both', async () => {
    const exec = plainUnits.findIndex((u, i) => u.control === 'exec' && i > 0 && plainUnits[i - 2].control !== 'multi');
    const cut = plainUnits[exec].offset; // just before the EXEC: every command of the block is complete
    const multi = [...plainUnits.slice(0, exec)].reverse().find((u) => u.control === 'multi')!;
    const { report: r, tool } = await both(PLAIN.subarray(0, cut));
    expect(tool.valid).toBe(false);
    expect(tool.output).toContain('Reached EOF before reading EXEC for MULTI');
    expect(r.intact).toBe(false);
    expectSameAnalysis(r, tool);
    expect(r.files[0]).toMatchObject({ okUpTo: multi.offset, pendingMulti: true, multiOffset: multi.offset, status: 'truncated' });
    expect(r.problems[0]).toMatchObject({ code: 'TRUNCATED', offset: cut, expected: 'EXEC', found: 'end of input' });
    expect(r.redisWouldStart.truncation).toMatchObject({ toOffset: multi.offset, leavesOpenMulti: false });
  });

  it('hybrid.aof cut in its RESP tail: the preamble is fine, and a cut before the first complete command drops it', async () => {
    const units = commandsOf(HYBRID, HYBRID_TAIL_AT);
    const first = units[0];
    for (const cut of [HYBRID_TAIL_AT + 5, first.offset + 3, first.end + 2, Math.floor((HYBRID_TAIL_AT + HYBRID.length) / 2), HYBRID.length - 1]) {
      const { report: r, tool } = await both(HYBRID.subarray(0, cut));
      const ref = redisReference(units, cut);
      expect(r.intact, `cut at ${cut}`).toBe(tool.valid);
      expect(r.intact).toBe(!ref.truncated);
      expectSameAnalysis(r, tool);
      expect(r.files[0]).toMatchObject({ content: 'hybrid', respOffset: HYBRID_TAIL_AT, rdb: { checksum: 'ok', keys: keysRead(tool.output)[0] } });
      if (!ref.truncated) continue;
      expect(r.redisWouldStart.truncation).toMatchObject({ toOffset: ref.toOffset, dropsRdbPreamble: ref.toOffset < HYBRID_TAIL_AT });
      if (cut <= first.end) expect(r.redisWouldStart.truncation!.toOffset).toBe(0);
    }
  });

  it('hybrid.aof cut inside its RDB preamble: refused whatever aof-load-truncated says', async () => {
    for (const cut of [9, 100, 500, HYBRID_TAIL_AT - 1]) {
      const { report: r, tool } = await both(HYBRID.subarray(0, cut));
      expect(tool.valid, `cut at ${cut}`).toBe(false);
      expect(r.intact).toBe(false);
      const p = r.problems[0];
      expect(p, `cut at ${cut}`).toMatchObject({ code: 'TRUNCATED', section: 'rdb', severity: 'error' });
      expect(r.files[0]).toMatchObject({ okUpTo: 0, lostBytes: cut, redisCheckAof: null });
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false, truncation: null });
      expect(r.redisWouldStart.asRdbSnapshot).toEqual({ loads: false, reason: expect.stringContaining('TRUNCATED') });
    }
    // Too short to hold the magic but the start of one: an RDB cut short (invalid for the tool too).
    const { report: r, tool } = await both(HYBRID.subarray(0, 3));
    expect(tool.valid).toBe(false);
    expect(r.files[0].content).toBe('rdb');
    expect(r.problems[0]).toMatchObject({ code: 'TRUNCATED', section: 'rdb', offset: 0 });
  });

  it('the incr file of a multi-part set cut at a spread of points: the last file, so Redis truncates it', async () => {
    const incr = read(path.join(dirOf('resp-multipart'), 'appendonly.aof.2.incr.aof'));
    const units = commandsOf(incr, 0);
    for (const cut of [1, 17, 120, 333, 600, 846 + 20, incr.length - 2]) {
      const d = await copyDir('resp-multipart', (dir) => fs.writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), incr.subarray(0, cut)));
      const r = await checkPath(d);
      const tool = runRedisCheckAof([MANIFEST], d);
      const ref = redisReference(units, cut);
      expect(r.intact, `cut at ${cut}`).toBe(tool.valid);
      expect(tool.allAnalyzed).toHaveLength(2);
      expectSameAnalysis(r, tool, 0);
      expectSameAnalysis(r, tool, 1);
      expect(r.files[0].status).toBe('ok');
      if (ref.truncated) {
        expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: false });
        expect(r.redisWouldStart.truncation).toMatchObject({ file: path.join(d, 'appendonly.aof.2.incr.aof'), toOffset: ref.toOffset, lostBytes: cut - ref.toOffset });
      }
    }
  });

  it('a truncated base (not the last file) is refused even with aof-load-truncated yes', async () => {
    const base = read(path.join(dirOf('resp-multipart'), 'appendonly.aof.2.base.aof'));
    for (const cut of [50, 1000, base.length - 3]) {
      const d = await copyDir('resp-multipart', (dir) => fs.truncate(path.join(dir, 'appendonly.aof.2.base.aof'), cut));
      const r = await checkPath(d);
      const tool = runRedisCheckAof([MANIFEST], d);
      expect(tool.valid).toBe(false);
      expect(r.intact).toBe(false);
      expectSameAnalysis(r, tool, 0);
      expect(r.files.map((f) => f.status)).toEqual(['truncated', 'ok']);
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false, truncation: null });
      expect(r.redisWouldStart.reason).toContain('is not the last file');
    }
  });
});

describe('check: corruption, against redis-check-aof', () => {
  it('garbage appended to plain and hybrid AOFs: a format error at the first garbage byte', async () => {
    for (const [name, bytes] of [
      ['plain', PLAIN],
      ['hybrid', HYBRID],
    ] as const) {
      for (const junk of ['garbage', '\r\n', '$3\r\nabc\r\n', '*2\r\n$3\r\nSET\r\n*']) {
        const { report: r, tool } = await both(Buffer.concat([bytes, Buffer.from(junk, 'latin1')]));
        const msg = `${name} + ${JSON.stringify(junk)}`;
        expect(tool.valid, msg).toBe(false);
        expect(r.intact, msg).toBe(false);
        expectSameAnalysis(r, tool);
        expect(r.files[0].okUpTo).toBe(bytes.length);
        const p = r.problems[0];
        expect(p.severity).toBe('error');
        expect(p.offset!, msg).toBeGreaterThanOrEqual(bytes.length);
        expect(r.redisWouldStart.withAofLoadTruncatedYes, msg).toBe(false);
        if (junk === 'garbage') expect(p).toMatchObject({ code: 'RESP_SYNTAX', offset: bytes.length, found: "'g'" });
      }
    }
  });

  it('an RDB with bytes after its checksum: TRAILING_DATA, refused as an AOF, loaded as dump.rdb', async () => {
    const rdb = read(path.join(FIXTURES, 'rdb', 'lfu.rdb'));
    const { report: r, tool } = await both(Buffer.concat([rdb, Buffer.from('hello')]));
    expect(tool.valid).toBe(false);
    expect(tool.output).toContain('RDB preamble is OK');
    expect(r.intact).toBe(false);
    expectSameAnalysis(r, tool);
    expect(r.files[0]).toMatchObject({ content: 'rdb', status: 'corrupt', okUpTo: rdb.length, lostBytes: 5 });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'TRAILING_DATA', severity: 'error', offset: rdb.length, reason: 'the 5 byte(s) after the RDB checksum trailer are not AOF commands' }),
    ]);
    expect(r.redisWouldStart).toMatchObject({
      withAofLoadTruncatedYes: false,
      withAofLoadTruncatedNo: false,
      asRdbSnapshot: { loads: true, reason: expect.stringContaining('ignores the 5 byte(s)') },
    });
  });

  it('an RDB with a damaged checksum trailer: CHECKSUM_MISMATCH with both values, refused both ways', async () => {
    const rdb = Uint8Array.from(read(path.join(FIXTURES, 'rdb', 'empty.rdb')));
    rdb[rdb.length - 1] ^= 0xff;
    const { report: r, tool } = await both(rdb);
    expect(tool.valid).toBe(false);
    expect(r.intact).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'CHECKSUM_MISMATCH', section: 'rdb', offset: rdb.length - 8 });
    const c = r.files[0].rdb!;
    expect(c.checksum).toBe('mismatch');
    expect(c.storedChecksum).toBe(Buffer.from(rdb.subarray(rdb.length - 8)).reverse().toString('hex'));
    expect(c.computedChecksum).toMatch(/^[0-9a-f]{16}$/);
    expect(c.computedChecksum).not.toBe(c.storedChecksum);
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, asRdbSnapshot: { loads: false } });
  });

  it('an RDB cut short: refused as dump.rdb and as an AOF', async () => {
    const rdb = read(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    const { report: r, tool } = await both(rdb.subarray(0, 10_000));
    expect(tool.valid).toBe(false);
    expect(r.intact).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'TRUNCATED', section: 'rdb', offset: expect.any(Number) });
    expect(r.files[0].rdb).toMatchObject({ version: expect.any(Number), checksum: 'not-reached' });
    expect(r.files[0].rdb!.keys).toBeGreaterThan(0);
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false, asRdbSnapshot: { loads: false } });
  });

  const FLIPS = [20, 100, 300, 500, 700, BASE_RDB.length - 12, BASE_RDB.length - 3];

  it('a flipped byte in the RDB preamble of a hybrid file: damaged, refused', async () => {
    for (const at of FLIPS) {
      const bytes = Uint8Array.from(HYBRID);
      bytes[at] ^= 0x5a;
      const { report: r, tool } = await both(bytes);
      expect(tool.valid, `flip at ${at}`).toBe(false);
      expect(r.intact, `flip at ${at}`).toBe(false);
      const p = r.problems[0];
      expect(p.section, `flip at ${at}`).toBe('rdb');
      expect(p.offset!).toBeLessThanOrEqual(HYBRID_TAIL_AT);
      expect(r.files[0]).toMatchObject({ okUpTo: 0, redisCheckAof: null });
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false });
      expect(r.redisWouldStart.reason).toMatch(/^the RDB preamble of .* is damaged/);
    }
  });

  it('a flipped byte in the base .rdb of a multi-part set: damaged, refused; the incr file is still read', async () => {
    for (const at of FLIPS) {
      const d = await copyDir('rdb-multipart', async (dir) => {
        const f = path.join(dir, 'appendonly.aof.2.base.rdb');
        const b = await fs.readFile(f);
        b[at] ^= 0x5a;
        await fs.writeFile(f, b);
      });
      const r = await checkPath(d);
      const tool = runRedisCheckAof([MANIFEST], d);
      expect(tool.valid, `flip at ${at}`).toBe(false);
      expect(r.intact).toBe(false);
      expect(['corrupt', 'truncated']).toContain(r.files[0].status);
      expect(r.files[1].status).toBe('ok');
      expect(r.problems[0]).toMatchObject({ section: 'rdb', file: path.join(d, 'appendonly.aof.2.base.rdb') });
      expect(r.files[1].commands).toBeGreaterThan(0);
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false });
      expect(r.redisWouldStart.reason).toContain('RDB base file');
    }
  });

  it('an EXEC without MULTI: UNBALANCED_MULTI, refused', async () => {
    const exec = Buffer.from('*1\r\n$4\r\nEXEC\r\n');
    const { report: r, tool } = await both(Buffer.concat([PLAIN, exec]));
    expect(tool.valid).toBe(false);
    expect(r.intact).toBe(false);
    expectSameAnalysis(r, tool);
    expect(r.problems[0]).toMatchObject({ code: 'UNBALANCED_MULTI', offset: PLAIN.length });
    expect(r.redisWouldStart.withAofLoadTruncatedYes).toBe(false);
  });

  it('a missing incr file: MISSING_FILE, refused; the base is still checked', async () => {
    const d = await copyDir('rdb-multipart', (dir) => fs.rm(path.join(dir, 'appendonly.aof.2.incr.aof')));
    const r = await checkPath(d);
    const tool = runRedisCheckAof([MANIFEST], d);
    expect(tool.valid).toBe(false);
    expect(tool.output).toContain('No such file or directory');
    expect(r.intact).toBe(false);
    expect(r.files.map((f) => [f.status, f.size, f.content])).toEqual([
      ['ok', BASE_RDB.length, 'rdb'],
      ['missing', null, null],
    ]);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'MISSING_FILE', severity: 'error', file: path.join(d, 'appendonly.aof.2.incr.aof'), offset: null, section: 'file' }),
    ]);
    expect(r.files[1].problems).toBe(1);
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false });
    expect(r.redisWouldStart.reason).toContain('does not exist');
  });

  const BAD_MANIFESTS: [label: string, text: string, line: number][] = [
    ['an unknown file type', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type x\n', 2],
    ['a non-monotonic incr seq', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 3 type i\nfile appendonly.aof.2.incr.aof seq 3 type i\n', 3],
    ['a second base', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.base.rdb seq 3 type b\n', 2],
    ['a path as file name', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile ../appendonly.aof.2.incr.aof seq 2 type i\n', 2],
    ['an empty line', 'file appendonly.aof.2.base.rdb seq 2 type b\n\nfile appendonly.aof.2.incr.aof seq 2 type i\n', 2],
    ['a last line without newline', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i', 2],
    ['an odd number of tokens', 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type\n', 2],
  ];
  for (const [label, text, line] of BAD_MANIFESTS) {
    it(`a manifest with ${label}: MANIFEST_INVALID at the line Redis names, refused, not thrown`, async () => {
      const d = await copyDir('rdb-multipart', (dir) => fs.writeFile(path.join(dir, MANIFEST), text));
      const r = await checkPath(d);
      const tool = runRedisCheckAof([MANIFEST], d);
      expect(tool.valid).toBe(false);
      // Redis names the line, except for the "too long line" family (which covers a missing newline).
      const named = /at line (\d+)/.exec(tool.output);
      if (label.includes('without newline')) expect(named).toBeNull();
      else expect(Number(named?.[1])).toBe(line);
      expect(r.intact).toBe(false);
      expect(r.files).toEqual([]);
      expect(r.input).toMatchObject({ form: 'multipart', manifest: path.join(d, MANIFEST) });
      const offset = text.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      expect(r.problems).toEqual([
        expect.objectContaining({ code: 'MANIFEST_INVALID', section: 'manifest', severity: 'error', line, offset, file: path.join(d, MANIFEST) }),
      ]);
      expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false });
      // The reason quotes the loader's own message, the one redis-check-aof printed.
      const redisMessage = /Redis refuses the manifest .*: (.*) \(line \d+\)$/.exec(r.redisWouldStart.reason)?.[1];
      expect(redisMessage).toBeDefined();
      expect(tool.output).toContain(redisMessage);
    });
  }
});

describe('check: empty inputs', () => {
  it('an empty file: intact (as redis-check-aof says) with an EMPTY_INPUT warning; Redis starts empty', async () => {
    const { report: r, tool } = await both(new Uint8Array(0));
    expect(tool.exitCode).toBe(0);
    expect(tool.output).toMatch(/AOF \S+ is empty/);
    expect(r.intact).toBe(true);
    expect(r.files[0]).toMatchObject({ content: 'empty', status: 'empty', size: 0, okUpTo: 0, lostBytes: 0 });
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['EMPTY_INPUT', 'warning']]);
    expect(r.totals).toMatchObject({ errors: 0, warnings: 1 });
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: true, reason: expect.stringContaining('empty dataset') });
  });

  it('a multi-part set whose files are all empty: intact, one warning', async () => {
    const d = await copyDir('resp-multipart', async (dir) => {
      await fs.writeFile(path.join(dir, 'appendonly.aof.2.base.aof'), '');
      await fs.writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), '');
    });
    const r = await checkPath(d);
    expect((await checkAofDir(d, MANIFEST)).run.valid).toBe(true);
    expect(r.intact).toBe(true);
    expect(r.files.map((f) => f.status)).toEqual(['empty', 'empty']);
    expect(r.problems.map((p) => [p.code, p.file])).toEqual([['EMPTY_INPUT', path.join(d, MANIFEST)]]);
  });

  it('an empty incr file after a base is normal: no warning', async () => {
    const d = await copyDir('resp-multipart', (dir) => fs.writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), ''));
    const r = await checkPath(d);
    expect(r.intact).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.files[1].status).toBe('empty');
  });
});

describe('check: options and errors', () => {
  it('a value over a limit is an error naming the option; the verdict says it could not be verified', async () => {
    const r = await checkPath(path.join(AOF, 'plain.aof'), { limits: { maxArgs: 3 } });
    expect(r.intact).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: expect.stringContaining('--max-args') });
    expect(r.redisWouldStart.reason).toContain('could not be verified');
  });

  it('an unreadable path throws an InputError (exit 2 in the CLI)', async () => {
    await expect(checkPath(path.join(scratch, 'nope'))).rejects.toMatchObject({ code: 'IO' });
  });

  it('progress is reported, ending at the total', async () => {
    const seen: { bytesRead: number; totalBytes?: number }[] = [];
    await checkPath(dirOf('rdb-multipart'), { onProgress: (p) => seen.push(p) });
    const total = BASE_RDB.length + readFileSync(path.join(dirOf('rdb-multipart'), 'appendonly.aof.2.incr.aof')).length;
    expect(seen.at(-1)).toEqual({ bytesRead: total, totalBytes: total });
  });
});
