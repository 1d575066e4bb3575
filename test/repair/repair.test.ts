/**
 * `planRepair` / `applyRepair` against the real `redis-check-aof` (Debian 7.0.15): on damaged
 * variants of the real-server fixtures, the bytes left must be exactly the bytes
 * `redis-check-aof --fix` (or `--truncate-to-timestamp`) leaves, and where the tool refuses,
 * repair refuses too. Then the safety rules: backups, `output`, `maxLossBytes`, a file that
 * changes after planning, failed writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyRepair, planRepair, readTimestampAnnotation, type RepairPlan, type RepairPlanOptions } from '../../src/repair/repair.js';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { LimitError, RdbtoolError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';
import { checkAofDir, fixAofBytes, requireRedisCheckAof, truncateAofBytes } from '../helpers/redis-check-aof.js';

const AOF = path.join(FIXTURES, 'aof');
const PLAIN = readFileSync(path.join(AOF, 'plain.aof'));
const HYBRID = readFileSync(path.join(AOF, 'hybrid.aof'));
const RDB_SET = path.join(AOF, 'rdb-multipart', 'appendonlydir');
const RESP_SET = path.join(AOF, 'resp-multipart', 'appendonlydir');
const MANIFEST = 'appendonly.aof.manifest';
const RDB_BASE = 'appendonly.aof.2.base.rdb';
const RESP_BASE = 'appendonly.aof.2.base.aof';
const INCR = 'appendonly.aof.2.incr.aof';
/** Where the RDB preamble of hybrid.aof ends: it is the rdb-multipart base, byte for byte. */
const PREAMBLE_BYTES = readFileSync(path.join(RDB_SET, RDB_BASE)).length;

const cat = (...parts: (Uint8Array | string)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One complete unit of a RESP byte string, found by the decoder. */
interface Unit {
  kind: 'cmd' | 'ann';
  offset: number;
  end: number;
  /** Command name in lower case, or the annotation text. */
  name: string;
  ts?: number;
}

function unitsOf(bytes: Uint8Array, startOffset = 0): Unit[] {
  const units: Unit[] = [];
  const d = new RespDecoder(
    {
      command: (c) => units.push({ kind: 'cmd', offset: c.offset, end: c.offset + c.byteLength, name: Buffer.from(c.argv[0]).toString('latin1').toLowerCase() }),
      annotation: (a) => units.push({ kind: 'ann', offset: a.offset, end: a.offset + a.byteLength, name: a.text, ts: a.timestampSec }),
    },
    { startOffset },
  );
  d.push(bytes);
  d.end();
  return units;
}

const PLAIN_UNITS = unitsOf(PLAIN);
const PLAIN_TS = PLAIN_UNITS.filter((u) => u.ts !== undefined);

let root: string;
let counter = 0;
/** A fresh directory under this file's scratch root. */
async function scratch(): Promise<string> {
  const dir = path.join(root, String(counter++));
  await fs.mkdir(dir);
  return dir;
}

beforeAll(async () => {
  requireRedisCheckAof();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-repair-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Repairs a copy of `bytes` in place (no backup) and returns the plan and the bytes left. */
async function ours(bytes: Uint8Array, opts: RepairPlanOptions = {}): Promise<{ plan: RepairPlan; bytes: Buffer }> {
  const file = path.join(await scratch(), 'appendonly.aof');
  await fs.writeFile(file, bytes);
  const plan = await planRepair(file, opts);
  if (plan.action !== 'refuse') {
    const result = await applyRepair(plan, { backup: false });
    if (plan.action === 'truncate') expect(result.verified).toEqual({ clean: true, files: 1, damage: null });
  }
  return { plan, bytes: await fs.readFile(file) };
}

/**
 * Both tools fix the same bytes; the plan's cut is the tool's ok_up_to. `allowEmptyResult`
 * lets a cut inside the first command be made as the tool makes it (it is refused by default:
 * see repair-refusals.test.ts).
 */
async function expectSameAsFix(bytes: Uint8Array, label: string): Promise<RepairPlan> {
  const [mine, tool] = await Promise.all([ours(bytes, { allowEmptyResult: true }), fixAofBytes(bytes)]);
  expect(tool.run.analyzed, `${label}: ${tool.run.output}`).toBeDefined();
  expect(mine.plan.cutOffset ?? bytes.length, label).toBe(tool.run.analyzed!.okUpTo);
  expect(sha(mine.bytes), label).toBe(sha(tool.bytes));
  expect(mine.plan.action, label).toBe(tool.run.analyzed!.diff > 0 ? 'truncate' : 'none');
  return mine.plan;
}

/** Runs `fn` over `items`, a few at a time (each case spawns the tool: overlap the waits). */
async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, size = 6): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Offsets spread over plain.aof: around every line end, inside MULTI blocks and annotations. */
function plainCutOffsets(): number[] {
  const lineEnds: number[] = [];
  for (let i = 0; i + 1 < PLAIN.length; i++) if (PLAIN[i] === 0x0d && PLAIN[i + 1] === 0x0a) lineEnds.push(i);
  const around = new Set<number>();
  lineEnds.forEach((cr, k) => {
    around.add(cr).add(cr + 1).add(cr + 2);
    if (k + 1 < lineEnds.length) around.add(Math.floor((cr + 2 + lineEnds[k + 1]) / 2));
  });
  const sorted = [...around].filter((o) => o > 0 && o < PLAIN.length).sort((a, b) => a - b);
  const picks = new Set<number>();
  for (let i = 0; i < 36; i++) picks.add(sorted[Math.floor((i * (sorted.length - 1)) / 35)]);
  const multis = PLAIN_UNITS.filter((u) => u.name === 'multi');
  for (const m of multis) {
    const exec = PLAIN_UNITS.find((u) => u.name === 'exec' && u.offset > m.offset)!;
    for (const o of [m.offset + 1, m.end - 1, m.end, Math.floor((m.end + exec.offset) / 2), exec.offset, exec.offset + 3, exec.end - 1]) picks.add(o);
  }
  for (const a of PLAIN_UNITS.filter((u) => u.kind === 'ann')) for (const o of [a.offset + 1, a.offset + 5, a.end - 1, a.end]) picks.add(o);
  return [...picks].filter((o) => o > 0 && o < PLAIN.length).sort((a, b) => a - b);
}

/** What is lost when plain.aof is cut to `t` bytes and then repaired to `cut`, from the unit map alone. */
function expectedLoss(t: number, cut: number) {
  const complete = PLAIN_UNITS.filter((u) => u.kind === 'cmd' && u.offset >= cut && u.end <= t).length;
  const incomplete = PLAIN_UNITS.some((u) => u.kind === 'cmd' && u.offset < t && t < u.end);
  const kept = PLAIN_TS.filter((u) => u.end <= cut).at(-1);
  return { complete, incomplete, lastKept: kept ? kept.offset : null };
}

describe('repair matches redis-check-aof --fix byte for byte', () => {
  const offsets = plainCutOffsets();

  it('picks a spread of cut points over plain.aof', () => {
    expect(offsets.length).toBeGreaterThanOrEqual(55);
    expect(PLAIN_UNITS.filter((u) => u.name === 'multi').length).toBeGreaterThanOrEqual(2);
    expect(PLAIN_TS.length).toBeGreaterThanOrEqual(3);
  });

  it('plain.aof cut at every picked offset: same bytes, same cut, losses as the unit map says', async () => {
    let truncated = 0;
    const plans = await inBatches(offsets, (t) => expectSameAsFix(PLAIN.subarray(0, t), `cut at ${t}`));
    for (const [i, plan] of plans.entries()) {
      const t = offsets[i];
      if (plan.action !== 'truncate') continue;
      truncated++;
      const loss = expectedLoss(t, plan.cutOffset!);
      expect(plan.completeCommandsLost, `cut at ${t}`).toBe(loss.complete);
      expect(plan.incompleteCommandLost, `cut at ${t}`).toBe(loss.incomplete);
      expect(plan.commandsLost).toBe(loss.complete + (loss.incomplete ? 1 : 0));
      expect(plan.bytesLost).toBe(t - plan.cutOffset!);
      expect(plan.lastKeptTimestamp?.offset ?? null, `cut at ${t}`).toBe(loss.lastKept);
      expect(plan.damage?.code).toBe('TRUNCATED');
      expect(plan.unreadBytesLost).toBe(0);
    }
    expect(truncated).toBeGreaterThan(40);
  });

  it('hybrid.aof cut inside its RESP tail', async () => {
    const tail = HYBRID.length - PREAMBLE_BYTES;
    for (let i = 1; i <= 12; i++) {
      const t = PREAMBLE_BYTES + Math.floor((i * tail) / 13);
      const plan = await expectSameAsFix(HYBRID.subarray(0, t), `hybrid cut at ${t}`);
      expect(plan.cutOffset ?? t).toBeGreaterThanOrEqual(PREAMBLE_BYTES);
    }
  });

  it('damage right after the RDB preamble keeps the whole preamble and nothing else', async () => {
    const plan = await expectSameAsFix(cat(HYBRID.subarray(0, PREAMBLE_BYTES), 'garbage'), 'preamble + garbage');
    expect(plan.cutOffset).toBe(PREAMBLE_BYTES);
    expect(plan.commandsLost).toBe(0);
  });

  it('garbage appended', async () => {
    const cmd = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n';
    for (const junk of ['garbage', '\r\n', Buffer.alloc(64), '*2\r\n$3\r\nDEL', '$3\r\nfoo\r\n', '*1\r\n$4\r\nEXEC\r\n', `${cmd}xyz`]) {
      const plan = await expectSameAsFix(cat(PLAIN, junk), `plain + ${JSON.stringify(String(junk))}`);
      expect(plan.action).toBe('truncate');
    }
  });

  it('an unterminated MULTI is cut back to the MULTI, with the #TS annotations inside it reported lost', async () => {
    const open = '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n#TS:1999999999\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\nw\r\n';
    const plan = await expectSameAsFix(cat(PLAIN, open), 'open MULTI');
    expect(plan.cutOffset).toBe(PLAIN.length);
    expect(plan.completeCommandsLost).toBe(3);
    expect(plan.incompleteCommandLost).toBe(false);
    expect(plan.firstLostTimestamp).toMatchObject({ sec: 1999999999, offset: PLAIN.length + open.indexOf('#TS') });
    expect(plan.lastKeptTimestamp?.offset).toBe(PLAIN_TS.at(-1)!.offset);
    // The same with the input ending inside the MULTI's last command.
    const partial = await expectSameAsFix(cat(PLAIN, open.slice(0, -4)), 'open MULTI, cut');
    expect(partial.completeCommandsLost).toBe(2);
    expect(partial.incompleteCommandLost).toBe(true);
  });

  it('a corrupt byte in the middle: cut where the tool cuts, with the unread bytes reported', async () => {
    const cases: { at: number; value: number }[] = [];
    for (const at of plainCutOffsets().filter((_, i) => i % 4 === 1)) {
      for (const value of [0x58 /* X */, 0x00, 0xff]) if (PLAIN[at] !== value) cases.push({ at, value });
    }
    const plans = await inBatches(cases, ({ at, value }) => {
      const bytes = Buffer.from(PLAIN);
      bytes[at] = value;
      return expectSameAsFix(bytes, `byte ${at} = ${value}`);
    });
    let noted = 0;
    for (const plan of plans) {
      if (plan.action !== 'truncate' || plan.damage!.code === 'TRUNCATED') continue;
      expect(plan.unreadBytesLost).toBe(PLAIN.length - plan.damage!.offset);
      expect(plan.bytesLost).toBeGreaterThanOrEqual(plan.unreadBytesLost);
      if (plan.unreadBytesLost > 0) noted++, expect(plan.notes.join(' ')).toContain('not at the end');
    }
    expect(noted).toBeGreaterThan(10);
  });

  it('a corrupt file whose first command is bad is cut to 0 bytes, as the tool does, and says so', async () => {
    const bytes = cat('*X', PLAIN.subarray(PLAIN_UNITS[1].offset + 2));
    const plan = await expectSameAsFix(bytes, 'first command');
    expect(plan.cutOffset).toBe(0);
    expect(plan.notes.join(' ')).toContain('cut to 0 bytes');
  });

  it('a damaged RDB preamble is refused by both', async () => {
    for (const [label, bytes] of [
      ['preamble cut', HYBRID.subarray(0, 500)],
      ['preamble byte flipped', (() => {
        const b = Buffer.from(HYBRID);
        b[300] ^= 0xff;
        return b;
      })()],
    ] as const) {
      const [mine, tool] = await Promise.all([ours(bytes), fixAofBytes(bytes)]);
      expect(tool.run.exitCode, label).toBe(1);
      expect(tool.run.output).toMatch(/RDB ERROR DETECTED|RDB preamble of AOF file is not sane/);
      expect(mine.plan.action, label).toBe('refuse');
      expect(mine.plan.refusal).toBe('rdb-damaged');
      expect(mine.plan.damage?.section).toBe('rdb');
      expect(sha(mine.bytes)).toBe(sha(bytes));
      expect(sha(tool.bytes)).toBe(sha(bytes));
      await expect(applyRepair(mine.plan)).rejects.toBeInstanceOf(RdbtoolError);
    }
  });

  it('an empty file: nothing to repair, as the tool says', async () => {
    const [mine, tool] = await Promise.all([ours(new Uint8Array(0)), fixAofBytes(new Uint8Array(0))]);
    expect(tool.run.exitCode).toBe(0);
    expect(tool.run.output).toContain('is empty');
    expect(mine.plan).toMatchObject({ action: 'none', files: [{ status: 'empty', bytes: 0 }] });
    expect(mine.bytes.length).toBe(0);
  });

  it('an intact file is left alone', async () => {
    for (const bytes of [PLAIN, HYBRID]) {
      const plan = await expectSameAsFix(bytes, 'intact');
      expect(plan).toMatchObject({ action: 'none', refusal: null, cutOffset: null, bytesLost: 0, damage: null });
    }
  });
});

/** Copies a fixture set, lets `edit` damage it, and repairs it in place (backups elsewhere). */
async function oursOnSet(src: string, edit: (dir: string) => Promise<void>, opts: RepairPlanOptions = { allowEmptyResult: true }) {
  const dir = path.join(await scratch(), 'appendonlydir');
  await fs.cp(src, dir, { recursive: true });
  await edit(dir);
  const before = await readDir(dir);
  const plan = await planRepair(dir, opts);
  let result = null;
  if (plan.action !== 'refuse') result = await applyRepair(plan, { backupDir: path.join(dir, '..', 'backups') });
  return { plan, result, before, after: await readDir(dir) };
}

async function readDir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of (await fs.readdir(dir)).sort()) out.set(n, sha(await fs.readFile(path.join(dir, n))));
  return out;
}

const truncateFile = (name: string, size: number) => (dir: string) => fs.truncate(path.join(dir, name), size);

describe('multi-part sets', () => {
  for (const [label, set] of [
    ['rdb-multipart', RDB_SET],
    ['resp-multipart', RESP_SET],
  ] as const) {
    it(`${label}: the last incr file cut at several points, repaired like redis-check-aof --fix`, async () => {
      const incrSize = readFileSync(path.join(set, INCR)).length;
      for (const size of [1, 17, Math.floor(incrSize / 3), Math.floor(incrSize / 2) + 5, incrSize - 1]) {
        const edit = truncateFile(INCR, size);
        const [mine, tool] = await Promise.all([oursOnSet(set, edit), checkAofDir(set, MANIFEST, edit, ['--fix'])]);
        expect(tool.run.exitCode, tool.run.output).toBe(0);
        const toolFiles = new Map([...tool.files].map(([n, b]) => [n, sha(b)]));
        expect(mine.after, `${label} incr cut to ${size}`).toEqual(toolFiles);
        expect(mine.plan.action).toBe(tool.run.allAnalyzed.at(-1)!.diff > 0 ? 'truncate' : 'none');
        if (mine.plan.action === 'truncate') {
          expect(mine.plan.target).toMatchObject({ role: 'incr', index: 1 });
          expect(mine.plan.cutOffset).toBe(tool.run.allAnalyzed.at(-1)!.okUpTo);
          expect(mine.result!.verified).toEqual({ clean: true, files: 1, damage: null });
          // The backup holds the cut file as it was.
          expect(sha(await fs.readFile(mine.result!.backup!.path))).toBe(mine.before.get(INCR));
        }
      }
    });
  }

  it('damage in the RDB base is refused, as redis-check-aof refuses it', async () => {
    const edit = truncateFile(RDB_BASE, 800);
    const [mine, tool] = await Promise.all([oursOnSet(RDB_SET, edit), checkAofDir(RDB_SET, MANIFEST, edit, ['--fix'])]);
    expect(tool.run.exitCode).toBe(1);
    expect(tool.run.output).toContain('RDB preamble of AOF file is not sane');
    expect(mine.plan).toMatchObject({ action: 'refuse', refusal: 'rdb-damaged', target: null });
    expect(mine.plan.damage).toMatchObject({ file: expect.stringContaining(RDB_BASE), section: 'rdb' });
    expect(mine.after).toEqual(mine.before);
  });

  it('damage in a RESP base that is not the last file is refused, as redis-check-aof refuses it', async () => {
    const edit = truncateFile(RESP_BASE, 1700);
    const [mine, tool] = await Promise.all([oursOnSet(RESP_SET, edit), checkAofDir(RESP_SET, MANIFEST, edit, ['--fix'])]);
    expect(tool.run.exitCode).toBe(1);
    expect(tool.run.output).toContain('because it is not the last file');
    expect(mine.plan).toMatchObject({ action: 'refuse', refusal: 'not-last-file' });
    expect(mine.plan.damage).toMatchObject({ file: expect.stringContaining(RESP_BASE), code: 'TRUNCATED', offset: 1700 });
    expect(mine.plan.reason).toContain('only the last file');
    // The tool's verdict on the base: the same cut point (which neither tool makes).
    expect(mine.plan.files[0].okUpTo).toBe(tool.run.allAnalyzed[0].okUpTo);
    expect(mine.after).toEqual(mine.before);
    for (const [name, bytes] of tool.files) expect(sha(bytes)).toBe(mine.before.get(name));
  });

  it('a missing incr file is refused, as redis-check-aof refuses it', async () => {
    const edit = (dir: string) => fs.rm(path.join(dir, INCR));
    const [mine, tool] = await Promise.all([oursOnSet(RESP_SET, edit), checkAofDir(RESP_SET, MANIFEST, edit, ['--fix'])]);
    expect(tool.run.exitCode).toBe(1);
    expect(tool.run.output).toContain('Cannot open file');
    expect(mine.plan).toMatchObject({ action: 'refuse', refusal: 'missing-file' });
    expect(mine.plan.files[1].status).toBe('missing');
    expect(mine.plan.damage).toMatchObject({ code: 'MISSING_FILE', section: 'file', file: mine.plan.files[1].name });
    expect(mine.after).toEqual(mine.before);
  });
});

describe('--truncate-to-timestamp matches redis-check-aof byte for byte', () => {
  /** Both tools on the same bytes: same result, or both refuse and nothing changes. */
  async function expectSameAsTimestamp(bytes: Uint8Array, T: number, label: string) {
    const [mine, tool] = await Promise.all([ours(bytes, { toTimestampSec: T }), truncateAofBytes(bytes, T)]);
    expect(sha(mine.bytes), `${label}: ${tool.run.output}`).toBe(sha(tool.bytes));
    expect(mine.plan.action === 'refuse', `${label}: ${tool.run.output}`).toBe(tool.run.exitCode !== 0);
    return { plan: mine.plan, tool: tool.run };
  }

  it('plain.aof before the first, at, between and after the #TS annotations', async () => {
    const [t1, t2, t3] = PLAIN_TS.map((u) => u.ts!);
    expect(t1 < t2 && t2 < t3).toBe(true);
    const first = await expectSameAsTimestamp(PLAIN, t1 - 1, 'before the first');
    expect(first.plan.refusal).toBe('nothing-before-timestamp');
    expect(first.tool.output).toContain('has nothing before timestamp');

    const at1 = await expectSameAsTimestamp(PLAIN, t1, 'at the first');
    expect(at1.plan).toMatchObject({ action: 'truncate', cutOffset: PLAIN_TS[1].offset, matchesRedisCheckAof: true });
    expect(at1.plan.lastKeptTimestamp).toMatchObject({ sec: t1, offset: 0 });
    expect(at1.plan.firstLostTimestamp).toMatchObject({ sec: t2, offset: PLAIN_TS[1].offset });
    const lost = PLAIN_UNITS.filter((u) => u.kind === 'cmd' && u.offset >= PLAIN_TS[1].offset).length;
    expect(at1.plan.completeCommandsLost).toBe(lost);
    expect(at1.plan.commandsLost).toBe(lost);

    const between = await expectSameAsTimestamp(PLAIN, t2, 'at the second');
    expect(between.plan.cutOffset).toBe(PLAIN_TS[2].offset);
    for (const T of [t3, t3 + 1000]) {
      const after = await expectSameAsTimestamp(PLAIN, T, `T = ${T}`);
      expect(after.plan.action).toBe('none');
      expect(after.tool.output).toContain('Truncate nothing');
    }
  });

  it('hybrid.aof: a cut right after the RDB preamble and one in the tail', async () => {
    const ts = unitsOf(HYBRID.subarray(PREAMBLE_BYTES), PREAMBLE_BYTES).filter((u) => u.ts !== undefined);
    expect(ts[0].offset).toBe(PREAMBLE_BYTES);
    const early = await expectSameAsTimestamp(HYBRID, ts[0].ts! - 1, 'hybrid before its first #TS');
    expect(early.plan.cutOffset).toBe(PREAMBLE_BYTES);
    const later = await expectSameAsTimestamp(HYBRID, ts[0].ts!, 'hybrid at its first #TS');
    expect(later.plan.cutOffset).toBe(ts[1].offset);
  });

  it('a #TS inside a MULTI block: the cut moves back to the MULTI (what --fix makes of the tool result)', async () => {
    const multi = PLAIN_UNITS.find((u) => u.name === 'multi')!;
    const after = PLAIN_UNITS.find((u) => u.offset === multi.end)!;
    const late = PLAIN_TS.at(-1)!.ts! + 500;
    const bytes = cat(PLAIN.subarray(0, after.offset), `#TS:${late}\r\n`, PLAIN.subarray(after.offset));
    const T = late - 1;
    const mine = await ours(bytes, { toTimestampSec: T });
    const tool = await truncateAofBytes(bytes, T);
    expect(tool.run.exitCode).toBe(0);
    expect(tool.bytes.length).toBe(after.offset); // the tool leaves MULTI without EXEC
    const fixed = await fixAofBytes(tool.bytes);
    expect(sha(mine.bytes)).toBe(sha(fixed.bytes));
    expect(mine.plan).toMatchObject({ action: 'truncate', cutOffset: multi.offset, matchesRedisCheckAof: false });
    expect(mine.plan.firstLostTimestamp).toMatchObject({ sec: late, offset: after.offset });
    expect(mine.plan.notes.join(' ')).toContain('inside a MULTI block');
  });

  it('damage before the cut is refused (as the tool does); damage after it is cut away with the rest', async () => {
    const [t1, t2] = PLAIN_TS.map((u) => u.ts!);
    const damagedEarly = PLAIN.subarray(0, PLAIN_TS[1].offset - 3);
    const refused = await expectSameAsTimestamp(damagedEarly, t1, 'damage before the cut');
    expect(refused.plan.refusal).toBe('damaged-before-timestamp');
    expect(refused.tool.output).toContain('is not valid');
    const damagedLate = PLAIN.subarray(0, PLAIN.length - 5);
    const cut = await expectSameAsTimestamp(damagedLate, t2, 'damage after the cut');
    expect(cut.plan).toMatchObject({ action: 'truncate', cutOffset: PLAIN_TS[2].offset });
    expect(cut.plan.incompleteCommandLost).toBe(true);
  });

  it('#TS lines read the way the tool reads them (strtol, CRLF required)', async () => {
    const S = '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n';
    const lines = ['#TS:', '#TS: 150', '#TS:abc', '#TS:+300', '#TS:-5', '#TS:0300', '#TS:99999999999999999999', '#TSX:300', '#ts:300', '#TS:300\n', '#TS:300'];
    for (const line of lines) {
      const end = line.endsWith('\n') || line === '#TS:300' ? '' : '\r\n';
      const bytes = cat(S, line, end, line === '#TS:300' ? '' : S);
      const r = await expectSameAsTimestamp(bytes, 200, JSON.stringify(line));
      if (r.tool.output.includes('Invalid timestamp annotation')) expect(r.plan.refusal).toBe('invalid-timestamp');
    }
  });

  it('readTimestampAnnotation', () => {
    const ann = (s: string, terminator = '\r\n') => ({ raw: Buffer.from(s), byteLength: s.length + terminator.length, terminated: terminator.length > 0 });
    expect(readTimestampAnnotation(ann('#TS:1795606935'))).toBe(1795606935n);
    expect(readTimestampAnnotation(ann('#TS:'))).toBe(0n);
    expect(readTimestampAnnotation(ann('#TS:\t-12'))).toBe(-12n);
    expect(readTimestampAnnotation(ann('#TS: '))).toBe('invalid');
    expect(readTimestampAnnotation(ann('#TS:12', '\n'))).toBe('invalid');
    expect(readTimestampAnnotation(ann('#TS:12', ''))).toBe('invalid');
    expect(readTimestampAnnotation(ann('#TS:9223372036854775807'))).toBe(9223372036854775807n);
    expect(readTimestampAnnotation(ann('#TS:9223372036854775808'))).toBe('invalid');
    expect(readTimestampAnnotation(ann('#TZ:12'))).toBe(null);
  });

  it('multi-part: only the last file may be cut, and not at its first byte', async () => {
    const incrTs = unitsOf(readFileSync(path.join(RDB_SET, INCR))).filter((u) => u.ts !== undefined);
    const args = (T: number) => ['--truncate-to-timestamp', String(T)];
    // rdb-multipart: a cut inside the incr file.
    const T1 = incrTs[0].ts!;
    const [mine1, tool1] = await Promise.all([oursOnSet(RDB_SET, async () => undefined, { toTimestampSec: T1 }), checkAofDir(RDB_SET, MANIFEST, undefined, args(T1))]);
    expect(tool1.run.exitCode).toBe(0);
    expect(mine1.after).toEqual(new Map([...tool1.files].map(([n, b]) => [n, sha(b)])));
    expect(mine1.plan).toMatchObject({ action: 'truncate', cutOffset: incrTs[1].offset });
    // …and at its first byte: both refuse.
    const [mine0, tool0] = await Promise.all([oursOnSet(RDB_SET, async () => undefined, { toTimestampSec: T1 - 1 }), checkAofDir(RDB_SET, MANIFEST, undefined, args(T1 - 1))]);
    expect(tool0.run.exitCode).toBe(1);
    expect(tool0.run.output).toContain('has nothing before timestamp');
    expect(mine0.plan.refusal).toBe('nothing-before-timestamp');
    expect(mine0.after).toEqual(mine0.before);

    // resp-multipart with a #TS added inside the base: a cut there is refused (not the last file).
    const base = readFileSync(path.join(RESP_SET, RESP_BASE));
    const baseUnits = unitsOf(base);
    const at = baseUnits[Math.floor(baseUnits.length / 2)].offset;
    const baseTs = baseUnits[0].ts!;
    const edit = (dir: string) => fs.writeFile(path.join(dir, RESP_BASE), cat(base.subarray(0, at), `#TS:${baseTs + 1}\r\n`, base.subarray(at)));
    const [mine2, tool2] = await Promise.all([oursOnSet(RESP_SET, edit, { toTimestampSec: baseTs }), checkAofDir(RESP_SET, MANIFEST, edit, args(baseTs))]);
    expect(tool2.run.exitCode).toBe(1);
    expect(tool2.run.output).toContain('because it is not the last file');
    expect(mine2.plan.refusal).toBe('timestamp-not-last-file');
    expect(mine2.after).toEqual(mine2.before);
  });
});

describe('safety', () => {
  const damaged = PLAIN.subarray(0, PLAIN.length - 10);

  async function damagedFile(): Promise<{ dir: string; file: string }> {
    const dir = await scratch();
    const file = path.join(dir, 'appendonly.aof');
    await fs.writeFile(file, damaged);
    return { dir, file };
  }

  it('keeps a backup next to the file, equal to the original byte for byte (a hard link)', async () => {
    const { dir, file } = await damagedFile();
    const ino = (await fs.stat(file)).ino;
    const plan = await planRepair(file);
    const result = await applyRepair(plan, { now: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
    expect(result.backup).toEqual({ path: path.join(dir, 'appendonly.aof.20250102T030405Z.bak'), method: 'link' });
    expect(sha(await fs.readFile(result.backup!.path))).toBe(sha(damaged));
    expect((await fs.stat(result.backup!.path)).ino).toBe(ino);
    expect((await fs.readFile(file)).length).toBe(plan.cutOffset);
    expect(result).toMatchObject({ changed: true, inPlace: true, bytesBefore: damaged.length, bytesAfter: plan.cutOffset });
    // A second backup in the same second gets another name.
    await fs.writeFile(file, damaged);
    const again = await applyRepair(await planRepair(file), { now: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
    expect(again.backup!.path).toBe(path.join(dir, 'appendonly.aof.20250102T030405Z.1.bak'));
    expect((await fs.readdir(dir)).sort()).toEqual(['appendonly.aof', 'appendonly.aof.20250102T030405Z.1.bak', 'appendonly.aof.20250102T030405Z.bak']);
  });

  it('puts the backup in backupDir (created) and keeps the permission bits of the original', async () => {
    const { dir, file } = await damagedFile();
    await fs.chmod(file, 0o600);
    const result = await applyRepair(await planRepair(file), { backupDir: path.join(dir, 'keep', 'here') });
    expect(path.dirname(result.backup!.path)).toBe(path.join(dir, 'keep', 'here'));
    expect(sha(await fs.readFile(result.backup!.path))).toBe(sha(damaged));
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('through a symbolic link (followed when told to): the file it points to is cut and backed up, the link stays', async () => {
    const { dir, file } = await damagedFile();
    const link = path.join(await scratch(), 'link.aof');
    await fs.symlink(file, link);
    const plan = await planRepair(link, { followSymlinks: true });
    const result = await applyRepair(plan, { now: new Date(Date.UTC(2025, 0, 1)) });
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect((await fs.readFile(file)).length).toBe(plan.cutOffset);
    expect(result.backup!.path).toBe(path.join(dir, 'appendonly.aof.20250101T000000Z.bak'));
    expect(sha(await fs.readFile(result.backup!.path))).toBe(sha(damaged));
  });

  it('a plan is plain data: JSON.stringify works and leaves the internals out', async () => {
    const { file } = await damagedFile();
    const plan = await planRepair(file);
    const json = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
    expect(json.internal).toBeUndefined();
    expect(json).toMatchObject({ action: 'truncate', cutOffset: plan.cutOffset, target: { name: file, path: file } });
    expect(plan.internal.parts).toHaveLength(1);
  });

  it('backup: false makes no backup', async () => {
    const { dir, file } = await damagedFile();
    const result = await applyRepair(await planRepair(file), { backup: false });
    expect(result.backup).toBeNull();
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
  });

  it('output: writes the repaired copy and leaves the input untouched', async () => {
    const { dir, file } = await damagedFile();
    const before = await fs.stat(file);
    const plan = await planRepair(file);
    const out = path.join(dir, 'fixed.aof');
    const result = await applyRepair(plan, { output: out });
    expect(result).toMatchObject({ changed: true, inPlace: false, written: out, backup: null, verified: { clean: true } });
    expect(sha(await fs.readFile(file))).toBe(sha(damaged));
    expect((await fs.stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect(sha(await fs.readFile(out))).toBe(sha(PLAIN.subarray(0, plan.cutOffset!)));
    expect((await fs.readdir(dir)).sort()).toEqual(['appendonly.aof', 'fixed.aof']);
    // The output may not be the input.
    await expect(applyRepair(plan, { output: file })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('output for a multi-part set: a new directory with the manifest and every file, the last one cut', async () => {
    const dir = path.join(await scratch(), 'appendonlydir');
    await fs.cp(RESP_SET, dir, { recursive: true });
    await fs.truncate(path.join(dir, INCR), 500);
    const before = await readDir(dir);
    const plan = await planRepair(dir);
    const out = path.join(dir, '..', 'repaired');
    const result = await applyRepair(plan, { output: out });
    expect(result.verified).toEqual({ clean: true, files: 2, damage: null });
    expect(await readDir(dir)).toEqual(before);
    const copy = await readDir(out);
    expect([...copy.keys()]).toEqual([...before.keys()]);
    expect(copy.get(MANIFEST)).toBe(before.get(MANIFEST));
    expect(copy.get(RESP_BASE)).toBe(before.get(RESP_BASE));
    expect((await fs.stat(path.join(out, INCR))).size).toBe(plan.cutOffset);
    // A directory that is not empty is never written into.
    await expect(applyRepair(plan, { output: out })).rejects.toMatchObject({ code: 'IO' });
    await expect(applyRepair(plan, { output: dir })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('maxLossBytes: a plan cutting more is refused and nothing is touched', async () => {
    const { dir, file } = await damagedFile();
    const plan = await planRepair(file, { maxLossBytes: 5 });
    expect(plan).toMatchObject({ action: 'refuse', refusal: 'max-loss' });
    expect(plan.bytesLost).toBeGreaterThan(5);
    expect(plan.cutOffset).not.toBeNull();
    await expect(applyRepair(plan)).rejects.toBeInstanceOf(LimitError);
    expect(sha(await fs.readFile(file))).toBe(sha(damaged));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
    const enough = await planRepair(file, { maxLossBytes: plan.bytesLost });
    expect(enough.action).toBe('truncate');
  });

  it('a file that changed since it was planned is refused, before any backup', async () => {
    const { dir, file } = await damagedFile();
    const plan = await planRepair(file);
    await fs.appendFile(file, '*1\r\n');
    await expect(applyRepair(plan)).rejects.toMatchObject({ code: 'UNSAFE_WRITE' });
    expect(sha(await fs.readFile(file))).toBe(sha(cat(damaged, '*1\r\n')));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
    // Same size, rewritten: refused too.
    const plan2 = await planRepair(file);
    await fs.utimes(file, new Date(), new Date(Date.now() + 5000));
    await expect(applyRepair(plan2)).rejects.toMatchObject({ code: 'UNSAFE_WRITE' });
  });

  it('a failed write leaves the original intact (output under a regular file: ENOTDIR)', async () => {
    const { dir, file } = await damagedFile();
    const plan = await planRepair(file);
    await expect(applyRepair(plan, { output: path.join(file, 'out.aof') })).rejects.toMatchObject({ code: 'IO' });
    expect(sha(await fs.readFile(file))).toBe(sha(damaged));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
  });

  it('a backup that cannot be made stops the repair (UNSAFE_WRITE) and leaves the original intact', async () => {
    const { dir, file } = await damagedFile();
    const plan = await planRepair(file);
    const err = await applyRepair(plan, { backupDir: path.join(file, 'backups') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSAFE_WRITE' });
    expect((err as Error).message).toContain('cannot make a backup');
    expect(sha(await fs.readFile(file))).toBe(sha(damaged));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
  });

  it('stdin and bad options are usage errors', async () => {
    await expect(planRepair('-')).rejects.toMatchObject({ code: 'USAGE' });
    const { file } = await damagedFile();
    await expect(planRepair(file, { toTimestampSec: 0 })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(planRepair(file, { maxLossBytes: -1 })).rejects.toMatchObject({ code: 'USAGE' });
    const plan = await planRepair(file);
    await expect(applyRepair(plan, { backup: false, backupDir: '.' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(applyRepair(plan, { output: file + '.x', backup: false })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
