/**
 * What `repair` must never destroy, on the library: a file that is not a persistence file at
 * all, a file that never held one complete command (cut only with `allowEmptyResult`), and a
 * file reached through a symbolic link that leaves the AOF directory (written only with
 * `followSymlinks`; the link itself is never replaced). The real `redis-check-aof` shows what
 * the plain cut would do, and where repair is allowed it must leave the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyRepair, planRepair, plannedWrites } from '../../src/repair/repair.js';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { FIXTURES } from '../helpers/files.js';
import { checkAofDir, fixAofBytes, requireRedisCheckAof } from '../helpers/redis-check-aof.js';

const AOF = path.join(FIXTURES, 'aof');
const PLAIN = readFileSync(path.join(AOF, 'plain.aof'));
const RESP_SET = path.join(AOF, 'resp-multipart', 'appendonlydir');
const MANIFEST = 'appendonly.aof.manifest';
const BASE = 'appendonly.aof.2.base.aof';
const INCR = 'appendonly.aof.2.incr.aof';
const INCR_BYTES = readFileSync(path.join(RESP_SET, INCR));
/** Where the incr file is cut to damage it (inside a command, past the first ones). */
const INCR_CUT = 600;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const cat = (...parts: (Uint8Array | string)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

/** Offsets of the complete commands of a RESP byte string. */
function commandOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const d = new RespDecoder({ command: (c) => out.push(c.offset) });
  d.push(bytes);
  d.end();
  return out;
}

/** Headers of files that are not Redis persistence files, made here (never stored). */
const FOREIGN: [string, Buffer][] = [
  ['a PNG image', cat(Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex'), Buffer.alloc(200, 7))],
  ['an ELF binary', cat(Buffer.from('7f454c4602010100000000000000000003003e0001000000', 'hex'), Buffer.alloc(300))],
  ['a passwd-like text', Buffer.from('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n')],
  ['gzip data', Buffer.from('1f8b0800000000000003cb48cdc9c9e70200', 'hex')],
];

let root: string;
let counter = 0;
async function scratch(): Promise<string> {
  const dir = path.join(root, String(counter++));
  await fs.mkdir(dir);
  return dir;
}
async function fileWith(bytes: Uint8Array, name = 'appendonly.aof'): Promise<string> {
  const file = path.join(await scratch(), name);
  await fs.writeFile(file, bytes);
  return file;
}

/** Bytes and modification time (ns) of a file, to show it was not touched. */
async function fingerprint(file: string): Promise<{ sha: string; mtimeNs: bigint; ino: bigint }> {
  const st = await fs.stat(file, { bigint: true });
  return { sha: sha(await fs.readFile(file)), mtimeNs: st.mtimeNs, ino: st.ino };
}

beforeAll(async () => {
  requireRedisCheckAof();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-repair-refusals-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('a file that is not a Redis persistence file', () => {
  for (const [label, bytes] of FOREIGN) {
    it(`${label}: refused, never cut (redis-check-aof --fix would cut it to 0 bytes)`, async () => {
      const tool = await fixAofBytes(bytes);
      expect(tool.bytes.length, tool.run.output).toBe(0);
      const file = await fileWith(bytes, 'x.aof');
      const before = await fingerprint(file);
      for (const allowEmptyResult of [false, true]) {
        const plan = await planRepair(file, { allowEmptyResult });
        expect(plan).toMatchObject({ action: 'refuse', refusal: 'not-persistence-file', target: null, cutOffset: null });
        expect(plan.damage).toMatchObject({ code: 'NOT_PERSISTENCE_FILE', section: 'file', offset: 0 });
        expect(plan.damage!.found).toContain('first bytes');
        expect(plan.reason).toContain('leaves this file as it is');
        expect(plannedWrites(plan)).toEqual([]);
        await expect(applyRepair(plan)).rejects.toMatchObject({ code: 'NOT_PERSISTENCE_FILE' });
        await expect(applyRepair(plan, { output: file + '.out' })).rejects.toMatchObject({ code: 'NOT_PERSISTENCE_FILE' });
      }
      expect(await fingerprint(file)).toEqual(before);
      expect(await fs.readdir(path.dirname(file))).toEqual(['x.aof']);
    });
  }

  it('as the last file of a multi-part set: refused, the set untouched', async () => {
    const dir = path.join(await scratch(), 'appendonlydir');
    await fs.cp(RESP_SET, dir, { recursive: true });
    await fs.writeFile(path.join(dir, INCR), FOREIGN[0][1]);
    const before = await fingerprint(path.join(dir, INCR));
    const plan = await planRepair(dir, { allowEmptyResult: true });
    expect(plan).toMatchObject({ action: 'refuse', refusal: 'not-persistence-file' });
    expect(plan.damage).toMatchObject({ file: path.join(dir, INCR), code: 'NOT_PERSISTENCE_FILE' });
    expect(await fingerprint(path.join(dir, INCR))).toEqual(before);
  });
});

describe('a cut that keeps no command of a file that never held one', () => {
  const first = commandOffsets(PLAIN)[0];
  const cases: [string, Buffer][] = [
    ['the first command cut short, after a #TS annotation', PLAIN.subarray(0, first + 9)],
    ['the first command cut short, nothing before it', PLAIN.subarray(first, first + 9)],
    ['a Markdown-like text (a heading reads as an annotation)', Buffer.from('# Notes\n\nbuy milk\n* and bread\n')],
    ['a star, then garbage', Buffer.from('*garbage\r\nmore garbage\r\n')],
  ];
  for (const [label, bytes] of cases) {
    it(`${label}: refused by default; with allowEmptyResult cut as redis-check-aof --fix cuts it`, async () => {
      const tool = await fixAofBytes(bytes);
      const toolCut = tool.run.analyzed!.okUpTo;
      expect(tool.bytes.length).toBe(toolCut);
      const file = await fileWith(bytes);
      const before = await fingerprint(file);
      const plan = await planRepair(file);
      expect(plan).toMatchObject({ action: 'refuse', refusal: 'empty-result', cutOffset: toolCut, completeCommandsLost: 0 });
      expect(plan.reason).toContain('not one complete command');
      expect(plan.reason).toContain('--allow-empty-result');
      await expect(applyRepair(plan)).rejects.toBeDefined();
      expect(await fingerprint(file)).toEqual(before);

      const allowed = await planRepair(file, { allowEmptyResult: true });
      expect(allowed).toMatchObject({ action: 'truncate', cutOffset: toolCut, allowEmptyResult: true });
      const result = await applyRepair(allowed, { backup: false });
      expect(result.verified?.clean).toBe(true);
      expect(sha(await fs.readFile(file))).toBe(sha(tool.bytes));
    });
  }

  it('a file whose only commands sit in a MULTI never closed held commands: cut to 0 bytes without the flag, as the tool does', async () => {
    const bytes = Buffer.from('*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
    const tool = await fixAofBytes(bytes);
    expect(tool.bytes.length).toBe(0);
    const file = await fileWith(bytes);
    const plan = await planRepair(file);
    expect(plan).toMatchObject({ action: 'truncate', cutOffset: 0, completeCommandsLost: 2 });
    await applyRepair(plan, { backup: false });
    expect((await fs.readFile(file)).length).toBe(0);
  });

  it('a file with one complete command is cut without the flag', async () => {
    const end = commandOffsets(PLAIN)[1];
    const plan = await planRepair(await fileWith(PLAIN.subarray(0, end + 5)));
    expect(plan).toMatchObject({ action: 'truncate', cutOffset: end });
  });

  it('the last incr file of a set cut inside its first command: refused by default, cut like the tool with the flag', async () => {
    const edit = (dir: string) => fs.truncate(path.join(dir, INCR), 22);
    const dir = path.join(await scratch(), 'appendonlydir');
    await fs.cp(RESP_SET, dir, { recursive: true });
    await edit(dir);
    const refused = await planRepair(dir);
    expect(refused).toMatchObject({ action: 'refuse', refusal: 'empty-result', target: { role: 'incr' } });
    const plan = await planRepair(dir, { allowEmptyResult: true });
    await applyRepair(plan, { backupDir: path.join(dir, '..', 'bk') });
    const tool = await checkAofDir(RESP_SET, MANIFEST, edit, ['--fix']);
    expect(tool.run.exitCode, tool.run.output).toBe(0);
    expect(sha(await fs.readFile(path.join(dir, INCR)))).toBe(sha(tool.files.get(INCR)!));
  });
});

/**
 * A copy of resp-multipart whose incr file is a symbolic link to `elsewhere/important.aof`
 * (outside the directory), damaged by a cut at {@link INCR_CUT}.
 */
async function linkedSet(): Promise<{ dir: string; link: string; outside: string; elsewhere: string }> {
  const top = await scratch();
  const dir = path.join(top, 'appendonlydir');
  const elsewhere = path.join(top, 'elsewhere');
  await fs.cp(RESP_SET, dir, { recursive: true });
  await fs.mkdir(elsewhere);
  const outside = path.join(elsewhere, 'important.aof');
  await fs.writeFile(outside, INCR_BYTES.subarray(0, INCR_CUT));
  const link = path.join(dir, INCR);
  await fs.rm(link);
  await fs.symlink(outside, link);
  return { dir, link, outside, elsewhere };
}

describe('symbolic links', () => {
  it('a part linking out of the AOF directory: the plan names it and refuses to cut in place; nothing outside is touched', async () => {
    const { dir, link, outside, elsewhere } = await linkedSet();
    const before = await fingerprint(outside);
    const plan = await planRepair(dir);
    expect(plan).toMatchObject({ action: 'refuse', refusal: 'link-leaves-directory', followSymlinks: false });
    expect(plan.files[1].link).toEqual({ target: outside, resolved: outside, leavesDirectory: true });
    expect(plan.files[0].link).toBeNull();
    expect(plan.target).toMatchObject({ name: link, link: { resolved: outside, leavesDirectory: true } });
    expect(plan.reason).toContain(outside);
    expect(plan.reason).toContain('--follow-symlinks');
    // What the cut would be is still shown.
    expect(plan.cutOffset).toBeGreaterThan(0);
    expect(plan.cutOffset).toBeLessThan(INCR_CUT);
    expect(plannedWrites(plan)).toEqual([]);
    await expect(applyRepair(plan)).rejects.toBeDefined();
    expect(await fingerprint(outside)).toEqual(before);
    expect(await fs.readdir(elsewhere)).toEqual(['important.aof']);
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('with followSymlinks: the file behind the link is cut like redis-check-aof cuts it, backed up beside it, and the link stays', async () => {
    const { dir, link, outside, elsewhere } = await linkedSet();
    const before = await fingerprint(outside);
    const plan = await planRepair(dir, { followSymlinks: true });
    expect(plan).toMatchObject({ action: 'truncate', followSymlinks: true, target: { name: link } });
    expect(plannedWrites(plan)).toEqual([
      { kind: 'backup', path: elsewhere, via: null },
      { kind: 'cut', path: outside, via: link },
    ]);
    const result = await applyRepair(plan, { now: new Date(Date.UTC(2025, 0, 2)) });
    expect(result.backup).toEqual({ path: path.join(elsewhere, 'important.aof.20250102T000000Z.bak'), method: 'link' });
    expect(sha(await fs.readFile(result.backup!.path))).toBe(before.sha);
    expect(result.verified?.clean).toBe(true);
    // The link is still the same link; the file behind it holds what the tool leaves.
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readlink(link)).toBe(outside);
    const tool = await checkAofDir(RESP_SET, MANIFEST, (d) => fs.truncate(path.join(d, INCR), INCR_CUT), ['--fix']);
    expect(sha(await fs.readFile(outside))).toBe(sha(tool.files.get(INCR)!));
    // Nothing else was written in the AOF directory.
    expect((await fs.readdir(dir)).sort()).toEqual([BASE, INCR, MANIFEST]);
  });

  it('-o reads through the link and writes a copy of regular files; nothing outside is touched', async () => {
    const { dir, outside, elsewhere } = await linkedSet();
    const before = await fingerprint(outside);
    const out = path.join(dir, '..', 'repaired');
    const plan = await planRepair(dir, { output: out });
    expect(plan).toMatchObject({ action: 'truncate', output: out, refusal: null });
    expect(plannedWrites(plan)).toEqual([{ kind: 'directory', path: out, via: null }]);
    const result = await applyRepair(plan);
    expect(result).toMatchObject({ inPlace: false, written: out, verified: { clean: true } });
    expect((await fs.lstat(path.join(out, INCR))).isFile()).toBe(true);
    expect((await fs.stat(path.join(out, INCR))).size).toBe(plan.cutOffset);
    expect(await fingerprint(outside)).toEqual(before);
    expect(await fs.readdir(elsewhere)).toEqual(['important.aof']);
    // A plan made for a copy is not applied in place, nor to another output.
    await expect(applyRepair(plan, { output: path.join(dir, '..', 'other') })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('a link that is retargeted after planning (same file, another place) is not written through', async () => {
    const { dir, link, outside } = await linkedSet();
    const plan = await planRepair(dir, { followSymlinks: true });
    // Same inode and times, reached by another path: only the link's resolution changed.
    const moved = path.join(path.dirname(outside), 'other-name.aof');
    await fs.link(outside, moved);
    await fs.rm(link);
    await fs.symlink(moved, link);
    const before = await fingerprint(moved);
    const err = await applyRepair(plan).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSAFE_WRITE' });
    expect((err as Error).message).toContain('now leads to');
    expect(await fingerprint(moved)).toEqual(before);
  });

  it('a link to another file inside the AOF directory needs no flag: that file is cut, the link stays', async () => {
    const dir = path.join(await scratch(), 'appendonlydir');
    await fs.cp(RESP_SET, dir, { recursive: true });
    const real = path.join(dir, 'incr.real');
    await fs.writeFile(real, INCR_BYTES.subarray(0, INCR_CUT));
    await fs.rm(path.join(dir, INCR));
    await fs.symlink('incr.real', path.join(dir, INCR));
    const plan = await planRepair(dir);
    expect(plan.files[1].link).toEqual({ target: 'incr.real', resolved: await fs.realpath(real), leavesDirectory: false });
    expect(plan.action).toBe('truncate');
    await applyRepair(plan, { backup: false });
    expect((await fs.lstat(path.join(dir, INCR))).isSymbolicLink()).toBe(true);
    expect((await fs.stat(real)).size).toBe(plan.cutOffset);
  });

  it('a dangling link is a missing file, and the plan says where it pointed', async () => {
    const { dir, outside } = await linkedSet();
    await fs.rm(outside);
    const plan = await planRepair(dir, { followSymlinks: true });
    expect(plan).toMatchObject({ action: 'refuse', refusal: 'missing-file' });
    expect(plan.files[1].link).toEqual({ target: outside, resolved: null, leavesDirectory: true });
  });

  it('a single file named through a link out of its directory: refused unless followed; the target untouched', async () => {
    const target = await fileWith(PLAIN.subarray(0, PLAIN.length - 10));
    const link = path.join(await scratch(), 'appendonly.aof');
    await fs.symlink(target, link);
    const before = await fingerprint(target);
    const plan = await planRepair(link);
    expect(plan).toMatchObject({ action: 'refuse', refusal: 'link-leaves-directory' });
    expect(plan.files[0].link).toEqual({ target, resolved: target, leavesDirectory: true });
    expect(plan.reason).toContain('outside the directory it is in');
    await expect(applyRepair(plan)).rejects.toBeDefined();
    expect(await fingerprint(target)).toEqual(before);
    // A link beside the file it names is no surprise.
    const near = path.join(path.dirname(target), 'near.aof');
    await fs.symlink('appendonly.aof', near);
    const nearPlan = await planRepair(near);
    expect(nearPlan).toMatchObject({ action: 'truncate', files: [{ link: { leavesDirectory: false } }] });
  });

  it('a plan made for a copy refuses to be applied in place through such a link', async () => {
    const { dir, outside } = await linkedSet();
    const before = await fingerprint(outside);
    const plan = await planRepair(dir, { output: path.join(dir, '..', 'copy') });
    // Drop the output the plan was made for: applying it in place must still refuse.
    Object.assign(plan, { output: null });
    await expect(applyRepair(plan)).rejects.toMatchObject({ code: 'UNSAFE_WRITE' });
    expect(await fingerprint(outside)).toEqual(before);
  });

  it('an output that is a symbolic link is refused: the link is not replaced, the file behind it untouched', async () => {
    const file = await fileWith(PLAIN.subarray(0, PLAIN.length - 10));
    const behind = await fileWith(Buffer.from('precious'), 'precious.txt');
    const out = path.join(path.dirname(file), 'out.aof');
    await fs.symlink(behind, out);
    const plan = await planRepair(file);
    await expect(applyRepair(plan, { output: out })).rejects.toMatchObject({ code: 'IO' });
    expect((await fs.lstat(out)).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(behind, 'latin1')).toBe('precious');
  });
});
