/**
 * `rdbtool repair` in-process: the plan as text and JSON, confirmation (terminal or --yes),
 * backups, -o, --max-loss-bytes, refusals, and the exit codes of its --help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, typed } from './capture.js';
import { FIXTURES } from '../helpers/files.js';

const PLAIN = readFileSync(path.join(FIXTURES, 'aof', 'plain.aof'));
const HYBRID = readFileSync(path.join(FIXTURES, 'aof', 'hybrid.aof'));
const RDB_SET = path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir');
const RESP_SET = path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir');
const INCR = 'appendonly.aof.2.incr.aof';
/** plain.aof without its last 10 bytes: the last command is incomplete. */
const DAMAGED = PLAIN.subarray(0, PLAIN.length - 10);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let root: string;
let n = 0;
/** A fresh directory holding `appendonly.aof` with `bytes`. */
async function withFile(bytes: Uint8Array = DAMAGED): Promise<{ dir: string; file: string }> {
  const dir = path.join(root, String(n++));
  await fs.mkdir(dir);
  const file = path.join(dir, 'appendonly.aof');
  await fs.writeFile(file, bytes);
  return { dir, file };
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-cli-repair-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

interface JsonOut {
  plan: Record<string, unknown> & { target: { file: string; bytes: number } | null; cutOffset: number | null; bytesLost: number; commandsLost: number };
  dryRun: boolean;
  result: (Record<string, unknown> & { backup: { path: string; method: string } | null; verified: { clean: boolean } | null }) | null;
}

describe('rdbtool repair', () => {
  it('--help shows the options, examples and the exit codes', async () => {
    const r = await run(['repair', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--dry-run', '--json', '--yes', '--backup-dir', '--no-backup', '--max-loss-bytes', '--output', '--truncate-to-timestamp', '--allow-empty-result', '--follow-symlinks']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('ISO 8601');
    expect(r.stdout).toContain('rdbtool repair appendonly.aof --dry-run');
    expect(r.stdout).toMatch(/0 {2}repaired/);
    expect(r.stdout).toMatch(/1 {2}refused/);
    expect(r.stdout).toMatch(/2 {2}usage or I\/O error/);
    const top = await run(['--help']);
    expect(top.stdout).toContain('repair <path>');
  });

  it('--dry-run --json: the plan, and nothing touched', async () => {
    const { dir, file } = await withFile();
    const r = await run(['repair', file, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.dryRun).toBe(true);
    expect(out.result).toBeNull();
    expect(out.plan).toMatchObject({
      input: file,
      form: 'file',
      manifest: null,
      mode: 'fix',
      toTimestampSec: null,
      action: 'truncate',
      refusal: null,
      target: { file, role: 'file', bytes: DAMAGED.length },
      incompleteCommandLost: true,
      unreadBytesLost: 0,
      matchesRedisCheckAof: true,
      damage: { file, section: 'aof', code: 'TRUNCATED', offset: DAMAGED.length },
    });
    const p = out.plan;
    expect(p.bytesLost).toBe(DAMAGED.length - p.cutOffset!);
    expect(p.commandsLost).toBe((p.completeCommandsLost as number) + 1);
    expect(p.lastKeptTimestamp).toMatchObject({ file, sec: expect.any(Number), offset: expect.any(Number) });
    expect(p.files).toEqual([{ name: file, role: 'file', seq: null, bytes: DAMAGED.length, content: 'aof', status: 'truncated', okUpTo: p.cutOffset, last: true, link: null }]);
    expect(p).toMatchObject({ output: null, allowEmptyResult: false, followSymlinks: false });
    expect(p.writes).toEqual([
      { kind: 'backup', path: dir, via: null },
      { kind: 'cut', path: file, via: null },
    ]);
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
  });

  it('--dry-run as text', async () => {
    const { file } = await withFile();
    const r = await run(['repair', file, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`repair plan for ${file} (single file)`);
    expect(r.stdout).toMatch(/damage +.*the input ends inside a command at byte .* \(TRUNCATED\)/);
    expect(r.stdout).toMatch(new RegExp(`action +truncate ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from [\\d,]+ bytes to [\\d,]+ bytes`));
    expect(r.stdout).toMatch(/loses +\d+ bytes, \d+ commands \(\d+ complete \+ 1 incomplete\)/);
    expect(r.stdout).toMatch(/last kept +#TS:\d+ \(\d{4}-\d\d-\d\dT[\d:]+Z\) at byte/);
    expect(r.stdout).toContain('redis-check-aof leaves the same bytes');
    expect(r.stdout).toContain('dry run: nothing was changed');
  });

  it('without --yes and without a terminal: exit 2, nothing touched', async () => {
    const { dir, file } = await withFile();
    const r = await run(['repair', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --yes');
    expect(r.stderr).toContain('--dry-run');
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
  });

  it('on a terminal: asks; "n" changes nothing (exit 2), "y" repairs with a backup', async () => {
    const { dir, file } = await withFile();
    const dry = JSON.parse((await run(['repair', file, '--dry-run', '--json'])).stdout) as JsonOut;
    const question = `Truncate ${file} from ${DAMAGED.length} to ${dry.plan.cutOffset} bytes, losing ${dry.plan.bytesLost} bytes (${dry.plan.commandsLost} commands)? [y/N] `;
    const no = await run(['repair', file], typed('n\n'));
    expect(no.code).toBe(2);
    expect(no.stderr).toContain(question);
    expect(no.stderr).toContain('not confirmed');
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    const closed = await run(['repair', file], typed(''));
    expect(closed.code).toBe(2);
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);

    const yes = await run(['repair', file], typed('y\n'));
    expect(yes.code).toBe(0);
    expect(yes.stderr).toBe(question);
    expect((await fs.readFile(file)).length).toBe(dry.plan.cutOffset);
    const names = (await fs.readdir(dir)).sort();
    expect(names).toHaveLength(2);
    expect(names[1]).toMatch(/^appendonly\.aof\.\d{8}T\d{6}Z\.bak$/);
    expect(sha(await fs.readFile(path.join(dir, names[1])))).toBe(sha(DAMAGED));
    expect(yes.stdout).toMatch(/backup +.*\.bak \(hard link to the original\)/);
    expect(yes.stdout).toMatch(/repaired +.* [\d,]+ bytes -> [\d,]+ bytes/);
    expect(yes.stdout).toMatch(/verified +checks clean/);
  });

  it('the progress line on a terminal is erased before the question', async () => {
    const { file } = await withFile();
    const r = await run(['repair', file], { ...typed('no\n'), stderrIsTty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\r\x1b\[2Kreading: .*\r\x1b\[2KTruncate /);
  });

  it('--yes --json: the result with the backup and the read-back verdict', async () => {
    const { dir, file } = await withFile();
    const r = await run(['repair', file, '--yes', '--json', '--backup-dir', path.join(dir, 'bk')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.dryRun).toBe(false);
    expect(out.result).toMatchObject({
      changed: true,
      inPlace: true,
      written: file,
      bytesBefore: DAMAGED.length,
      bytesAfter: out.plan.cutOffset,
      backup: { method: 'link' },
      verified: { clean: true, files: 1, damage: null },
    });
    expect(path.dirname(out.result!.backup!.path)).toBe(path.join(dir, 'bk'));
    expect(sha(await fs.readFile(out.result!.backup!.path))).toBe(sha(DAMAGED));
    // Repairing again: nothing to do.
    const again = await run(['repair', file, '--yes', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ plan: { action: 'none', damage: null }, result: null });
  });

  it('--no-backup needs --yes; with it no backup is made', async () => {
    const { dir, file } = await withFile();
    const refused = await run(['repair', file, '--no-backup'], typed('y\n'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--no-backup needs --yes');
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    const r = await run(['repair', file, '--no-backup', '--yes']);
    expect(r.code).toBe(0);
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
    expect(r.stdout).not.toContain('backup ');
    expect((await run(['repair', file, '--no-backup', '--yes', '--backup-dir', dir])).code).toBe(2);
  });

  it('--max-loss-bytes: refused (exit 1), nothing touched', async () => {
    const { dir, file } = await withFile();
    const r = await run(['repair', file, '--yes', '--max-loss-bytes', '3', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.plan).toMatchObject({ action: 'refuse', refusal: 'max-loss' });
    expect(out.plan.bytesLost).toBeGreaterThan(3);
    expect(out.result).toBeNull();
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    expect(await fs.readdir(dir)).toEqual(['appendonly.aof']);
    const text = await run(['repair', file, '--yes', '--max-loss-bytes', '3']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/action +refused \(max-loss\): the cut would lose \d+ bytes/);
    expect(text.stdout).toMatch(/would +truncate /);
    expect((await run(['repair', file, '--max-loss-bytes', '-1'])).code).toBe(2);
  });

  it('-o: a repaired copy, the input untouched; an unwritable output is exit 2', async () => {
    const { dir, file } = await withFile();
    const out = path.join(dir, 'fixed.aof');
    const r = await run(['repair', file, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/written +.*fixed\.aof/);
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    const check = await run(['repair', out, '--dry-run', '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ plan: { action: 'none' } });
    const bad = await run(['repair', file, '-o', path.join(file, 'x.aof')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ENOTDIR');
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
    expect((await fs.readdir(dir)).sort()).toEqual(['appendonly.aof', 'fixed.aof']);
    expect((await run(['repair', file, '-o', out, '--backup-dir', dir])).code).toBe(2);
  });

  it('a damaged RDB preamble is refused with exit 1', async () => {
    const bytes = Buffer.from(HYBRID.subarray(0, 600));
    const { file } = await withFile(bytes);
    const r = await run(['repair', file, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/action +refused \(rdb-damaged\)/);
    expect(sha(await fs.readFile(file))).toBe(sha(bytes));
  });

  it('a multi-part directory: the files are listed and the last incr file is cut', async () => {
    const dir = path.join(root, String(n++), 'appendonlydir');
    await fs.cp(RDB_SET, dir, { recursive: true });
    const incr = path.join(dir, 'appendonly.aof.2.incr.aof');
    await fs.truncate(incr, 600);
    const r = await run(['repair', dir, '--yes', '--backup-dir', path.join(dir, '..', 'bk')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(multi-part AOF, 2 files)');
    expect(r.stdout).toMatch(/base +.*appendonly\.aof\.2\.base\.rdb \(862 bytes, ok\)/);
    expect(r.stdout).toMatch(/incr +.*appendonly\.aof\.2\.incr\.aof \(600 bytes, truncated\)/);
    expect(r.stdout).toMatch(/verified +checks clean \(1 file read back\)/);
    expect((await fs.stat(incr)).size).toBeLessThan(600);
  });

  it('--truncate-to-timestamp: the plan names the cut annotation', async () => {
    const { file } = await withFile(PLAIN);
    const ts = [...PLAIN.toString('latin1').matchAll(/#TS:(\d+)\r\n/g)].map((m) => ({ sec: Number(m[1]), offset: m.index }));
    const r = await run(['repair', file, '--truncate-to-timestamp', String(ts[0].sec), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`truncate to timestamp ${ts[0].sec}`);
    expect(r.stdout).toContain(`is #TS:${ts[1].sec} at byte ${ts[1].offset}`);
    const yes = await run(['repair', file, '--truncate-to-timestamp', String(ts[0].sec), '--yes', '--json']);
    expect(yes.code).toBe(0);
    expect((await fs.readFile(file)).length).toBe(ts[1].offset);
    const before = await run(['repair', file, '--truncate-to-timestamp', String(ts[0].sec - 1), '--yes']);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('nothing-before-timestamp');
    expect((await run(['repair', file, '--truncate-to-timestamp', '0'])).code).toBe(2);
    expect((await run(['repair', file, '--truncate-to-timestamp', 'soon'])).code).toBe(2);
  });

  it('--truncate-to-timestamp takes an ISO 8601 date and time with a zone, read as the same Unix second', async () => {
    const { file } = await withFile(PLAIN);
    const sec = Number(/#TS:(\d+)\r\n/.exec(PLAIN.toString('latin1'))![1]);
    const iso = new Date(sec * 1000).toISOString(); // 2026-11-25T11:42:15.000Z
    const plus2 = new Date((sec + 7200) * 1000).toISOString().replace(/\.000Z$/, '+02:00');
    const minus0530 = new Date((sec - 19800) * 1000).toISOString().slice(0, 19).replace('T', ' ') + '-0530';
    const byNumber = JSON.parse((await run(['repair', file, '--truncate-to-timestamp', String(sec), '--dry-run', '--json'])).stdout) as JsonOut;
    for (const text of [iso, iso.replace('.000Z', 'Z'), iso.replace('.000Z', '.999Z'), plus2, minus0530]) {
      const r = await run(['repair', file, '--truncate-to-timestamp', text, '--dry-run', '--json']);
      expect(r.code, `${text}: ${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout) as JsonOut;
      expect(out.plan.toTimestampSec, text).toBe(sec);
      expect(out.plan.cutOffset, text).toBe(byNumber.plan.cutOffset);
    }
    const text = await run(['repair', file, '--truncate-to-timestamp', iso, '--dry-run']);
    expect(text.stdout).toContain(`truncate to timestamp ${sec} (${iso.replace('.000Z', 'Z')})`);
  });

  it('bad values of --truncate-to-timestamp and --max-loss-bytes are usage errors: exit 2, one line naming the option and what it takes', async () => {
    const { file } = await withFile();
    const cases: [string, string, RegExp][] = [
      ['--truncate-to-timestamp', '2022-02-01T04:19:10', /no zone/],
      ['--truncate-to-timestamp', '2022-02-30T04:19:10Z', /no such date/],
      ['--truncate-to-timestamp', '2022-02-01T24:00:00Z', /no such date/],
      ['--truncate-to-timestamp', '2022-02-01T04:19:10+24:00', /no such zone offset/],
      ['--truncate-to-timestamp', '2022-02-01', /expected Unix seconds/],
      ['--truncate-to-timestamp', '1969-12-31T23:59:59Z', /before 1970/],
      ['--truncate-to-timestamp', 'soon', /expected Unix seconds/],
      ['--truncate-to-timestamp', '-5', /expected Unix seconds/],
      ['--max-loss-bytes', 'lots', /expected a number of bytes/],
      ['--max-loss-bytes', '1.5', /expected a number of bytes/],
      ['--max-loss-bytes', '-1', /expected a number of bytes/],
    ];
    for (const [flag, value, why] of cases) {
      const r = await run(['repair', file, flag, value, '--dry-run']);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`invalid ${flag} ${JSON.stringify(value)}`);
      expect(lines[0]).toMatch(why);
      expect(lines[0]).not.toContain('NaN');
      expect(lines[0]).not.toContain('internal error');
    }
    expect(sha(await fs.readFile(file))).toBe(sha(DAMAGED));
  });

  it('a file that is not an AOF (PNG, ELF, /etc/passwd-like text): refused with exit 1 even with --allow-empty-result, never cut', async () => {
    const inputs: [string, Buffer][] = [
      ['x.png', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d494844520000001000000010', 'hex'), Buffer.alloc(100, 3)])],
      ['x.bin', Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), Buffer.alloc(100)])],
      ['passwd', Buffer.from('root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n')],
    ];
    for (const [name, bytes] of inputs) {
      const dir = path.join(root, String(n++));
      await fs.mkdir(dir);
      const file = path.join(dir, name);
      await fs.writeFile(file, bytes);
      const mtime = (await fs.stat(file, { bigint: true })).mtimeNs;
      const r = await run(['repair', file, '--yes']);
      expect(r.code, name).toBe(1);
      expect(r.stdout).toMatch(/action +refused \(not-persistence-file\): .*not a Redis or Valkey persistence file/);
      expect(r.stdout).not.toContain('verified');
      const forced = await run(['repair', file, '--yes', '--allow-empty-result', '--json']);
      expect(forced.code).toBe(1);
      expect(JSON.parse(forced.stdout)).toMatchObject({
        plan: { action: 'refuse', refusal: 'not-persistence-file', damage: { code: 'NOT_PERSISTENCE_FILE', section: 'file', offset: 0 }, writes: [] },
        result: null,
      });
      expect(sha(await fs.readFile(file))).toBe(sha(bytes));
      expect((await fs.stat(file, { bigint: true })).mtimeNs).toBe(mtime);
      expect(await fs.readdir(dir)).toEqual([name]);
    }
  });

  it('a file without one complete command: refused (exit 1) unless --allow-empty-result', async () => {
    const bytes = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk');
    const { dir, file } = await withFile(bytes);
    const r = await run(['repair', file, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/action +refused \(empty-result\): .*not one complete command.*--allow-empty-result/);
    expect(sha(await fs.readFile(file))).toBe(sha(bytes));
    const allowed = await run(['repair', file, '--yes', '--allow-empty-result']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/verified +checks clean/);
    expect((await fs.readFile(file)).length).toBe(0);
    expect((await fs.readdir(dir)).length).toBe(2); // the file and its backup
  });

  it('a part linking out of the AOF directory: the plan names the link; refused without --follow-symlinks, nothing outside touched', async () => {
    const top = path.join(root, String(n++));
    const dir = path.join(top, 'appendonlydir');
    const elsewhere = path.join(top, 'elsewhere');
    await fs.cp(RESP_SET, dir, { recursive: true });
    await fs.mkdir(elsewhere);
    const important = path.join(elsewhere, 'important.aof');
    await fs.writeFile(important, (await fs.readFile(path.join(dir, INCR))).subarray(0, 600));
    await fs.rm(path.join(dir, INCR));
    await fs.symlink(important, path.join(dir, INCR));
    const before = { sha: sha(await fs.readFile(important)), mtime: (await fs.stat(important, { bigint: true })).mtimeNs };

    const r = await run(['repair', dir, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`incr +.*${INCR.replace(/\./g, '\\.')} \\(600 bytes, truncated\\) -> ${important.replace(/\./g, '\\.')} \\(outside the AOF directory\\)`));
    expect(r.stdout).toMatch(/action +refused \(link-leaves-directory\): .*--follow-symlinks/);
    expect(r.stdout).not.toMatch(/^ +writes/m);
    expect({ sha: sha(await fs.readFile(important)), mtime: (await fs.stat(important, { bigint: true })).mtimeNs }).toEqual(before);
    expect(await fs.readdir(elsewhere)).toEqual(['important.aof']);

    const json = JSON.parse((await run(['repair', dir, '--dry-run', '--json'])).stdout) as JsonOut;
    expect((json.plan.files as { link: unknown }[])[1].link).toEqual({ target: important, resolved: important, leavesDirectory: true });

    // Told to follow it: the plan says what is written where, and that is what happens.
    const dry = await run(['repair', dir, '--follow-symlinks', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`backup to +${elsewhere}/important\\.aof\\.<UTC time>\\.bak`));
    expect(dry.stdout).toMatch(new RegExp(`writes +${important.replace(/\./g, '\\.')}, the file the link .* points to \\(the link stays as it is\\)`));
    const yes = await run(['repair', dir, '--follow-symlinks', '--yes', '--json']);
    expect(yes.code).toBe(0);
    const out = JSON.parse(yes.stdout) as JsonOut;
    expect(out.plan.writes).toEqual([
      { kind: 'backup', path: elsewhere, via: null },
      { kind: 'cut', path: important, via: path.join(dir, INCR) },
    ]);
    expect(path.dirname(out.result!.backup!.path)).toBe(elsewhere);
    expect(sha(await fs.readFile(out.result!.backup!.path))).toBe(before.sha);
    expect((await fs.stat(important)).size).toBe(out.plan.cutOffset);
    expect((await fs.lstat(path.join(dir, INCR))).isSymbolicLink()).toBe(true);
    expect(await fs.readlink(path.join(dir, INCR))).toBe(important);
  });

  it('an intact file: nothing to repair, exit 0 without asking', async () => {
    const { file } = await withFile(PLAIN);
    const r = await run(['repair', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/action +none: the file checks clean: nothing to repair/);
    expect(r.stderr).toBe('');
  });

  it('stdin, a missing file and stdout are refused (exit 2)', async () => {
    expect((await run(['repair', '-'])).code).toBe(2);
    const missing = await run(['repair', path.join(root, 'nope.aof'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'IO' } });
    const { file } = await withFile();
    expect((await run(['repair', file, '-o', '-'])).code).toBe(2);
  });
});
