/**
 * The crash-safe writers: the target always holds the old or the new content, temporary
 * files never outlive a call, failures are typed, and backups are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  dirOf,
  fileIdentity,
  joinPath,
  linkOrCopy,
  sameVersion,
  writeDirectoryAtomic,
  writePrefixAtomic,
} from '../../src/io/atomic-write.js';
import { InputError } from '../../src/errors.js';

let root: string;
let n = 0;
async function scratch(): Promise<string> {
  const dir = path.join(root, String(n++));
  await fs.mkdir(dir);
  return dir;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-atomic-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const CONTENT = Buffer.from('0123456789abcdefghij');

describe('writePrefixAtomic', () => {
  it('replaces a file with a prefix of itself, keeping its mode, leaving no temporary file', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f.aof');
    await fs.writeFile(file, CONTENT, { mode: 0o640 });
    await fs.chmod(file, 0o640);
    const before = await fileIdentity(file);
    await writePrefixAtomic(file, file, 7, { mode: before.mode, uid: before.uid, gid: before.gid });
    expect(await fs.readFile(file, 'latin1')).toBe('0123456');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await fs.readdir(dir)).toEqual(['f.aof']);
    // A new inode under the old name: the old one is gone unless linked elsewhere.
    expect((await fileIdentity(file)).ino).not.toBe(before.ino);
  });

  it('writes a copy of a prefix of another file, also one larger than a copy chunk', async () => {
    const dir = await scratch();
    const big = Buffer.alloc(3 * (1 << 20) + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await fs.writeFile(path.join(dir, 'src'), big);
    await writePrefixAtomic(path.join(dir, 'dst'), path.join(dir, 'src'), big.length - 5);
    expect((await fs.readFile(path.join(dir, 'dst'))).equals(big.subarray(0, big.length - 5))).toBe(true);
    await writePrefixAtomic(path.join(dir, 'empty'), path.join(dir, 'src'), 0);
    expect((await fs.stat(path.join(dir, 'empty'))).size).toBe(0);
  });

  it('beforeCommit throwing leaves the target as it was and removes the temporary file', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f');
    await fs.writeFile(file, CONTENT);
    await expect(
      writePrefixAtomic(file, file, 3, {
        beforeCommit: () => {
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
    expect((await fs.readFile(file)).equals(CONTENT)).toBe(true);
    expect(await fs.readdir(dir)).toEqual(['f']);
  });

  it('a source shorter than asked fails, typed, and leaves the target alone', async () => {
    const dir = await scratch();
    await fs.writeFile(path.join(dir, 'src'), CONTENT);
    await fs.writeFile(path.join(dir, 'dst'), 'old');
    const err = await writePrefixAtomic(path.join(dir, 'dst'), path.join(dir, 'src'), CONTENT.length + 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'IO', offset: CONTENT.length });
    expect(await fs.readFile(path.join(dir, 'dst'), 'latin1')).toBe('old');
    expect((await fs.readdir(dir)).sort()).toEqual(['dst', 'src']);
  });

  it('a target under a regular file (ENOTDIR) or a missing source fail with InputError', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f');
    await fs.writeFile(file, CONTENT);
    const err = await writePrefixAtomic(path.join(file, 'x'), file, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('ENOTDIR');
    await expect(writePrefixAtomic(path.join(dir, 'y'), path.join(dir, 'missing'), 3)).rejects.toBeInstanceOf(InputError);
    expect(await fs.readdir(dir)).toEqual(['f']);
  });

  it('refuses a target that is a symbolic link: the link stays, the file behind it is untouched', async () => {
    const dir = await scratch();
    const behind = path.join(dir, 'behind');
    const link = path.join(dir, 'link');
    await fs.writeFile(behind, CONTENT);
    await fs.symlink('behind', link);
    const mtime = (await fs.stat(behind, { bigint: true })).mtimeNs;
    const err = await writePrefixAtomic(link, behind, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'IO', found: 'a symbolic link' });
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect((await fs.readFile(behind)).equals(CONTENT)).toBe(true);
    expect((await fs.stat(behind, { bigint: true })).mtimeNs).toBe(mtime);
    // The resolved file is what a caller passes to cut the file behind the link.
    await writePrefixAtomic(await fs.realpath(link), behind, 3);
    expect(await fs.readFile(link, 'latin1')).toBe('012');
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect((await fs.readdir(dir)).sort()).toEqual(['behind', 'link']);
  });

  it('refuses a target that became a symbolic link while the new content was written', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f');
    const other = path.join(dir, 'other');
    await fs.writeFile(file, CONTENT);
    await fs.writeFile(other, 'other');
    const err = await writePrefixAtomic(file, file, 3, {
      beforeCommit: async () => {
        await fs.rm(file);
        await fs.symlink('other', file);
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IO', found: 'a symbolic link' });
    expect((await fs.lstat(file)).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(other, 'latin1')).toBe('other');
    expect((await fs.readdir(dir)).sort()).toEqual(['f', 'other']);
  });

  it('takes raw byte paths (names that are not UTF-8)', async () => {
    const dir = await scratch();
    const name = Buffer.from([0x61, 0xff, 0x62]);
    const target = joinPath(dir, name) as Buffer;
    await fs.writeFile(target, CONTENT);
    await writePrefixAtomic(target, target, 4);
    expect(await fs.readFile(target, 'latin1')).toBe('0123');
    expect(dirOf(target).toString()).toBe(dir);
    expect((await fs.readdir(dir, { encoding: 'buffer' })).map((b) => b.toString('hex'))).toEqual(['61ff62']);
  });
});

describe('writeDirectoryAtomic', () => {
  it('creates the directory with every entry, from prefixes of the sources', async () => {
    const dir = await scratch();
    await fs.writeFile(path.join(dir, 'a'), CONTENT);
    const out = path.join(dir, 'out');
    await writeDirectoryAtomic(out, [
      { name: 'one', source: path.join(dir, 'a'), length: CONTENT.length },
      { name: Buffer.from('two'), source: path.join(dir, 'a'), length: 2 },
    ]);
    expect((await fs.readdir(out)).sort()).toEqual(['one', 'two']);
    expect((await fs.readFile(path.join(out, 'one'))).equals(CONTENT)).toBe(true);
    expect(await fs.readFile(path.join(out, 'two'), 'latin1')).toBe('01');
    expect((await fs.readdir(dir)).sort()).toEqual(['a', 'out']);
  });

  it('fills an existing empty directory, refuses a non-empty one or a file', async () => {
    const dir = await scratch();
    await fs.writeFile(path.join(dir, 'a'), CONTENT);
    await fs.mkdir(path.join(dir, 'empty'));
    await writeDirectoryAtomic(path.join(dir, 'empty'), [{ name: 'x', source: path.join(dir, 'a'), length: 1 }]);
    expect(await fs.readdir(path.join(dir, 'empty'))).toEqual(['x']);
    await expect(writeDirectoryAtomic(path.join(dir, 'empty'), [])).rejects.toMatchObject({ code: 'IO', reason: expect.stringContaining('not empty') });
    await expect(writeDirectoryAtomic(path.join(dir, 'a'), [])).rejects.toMatchObject({ code: 'IO', reason: expect.stringContaining('not a directory') });
  });

  it('refuses a symbolic link to an empty directory, leaving both as they are', async () => {
    const dir = await scratch();
    await fs.writeFile(path.join(dir, 'a'), CONTENT);
    await fs.mkdir(path.join(dir, 'empty'));
    await fs.symlink('empty', path.join(dir, 'out'));
    await expect(writeDirectoryAtomic(path.join(dir, 'out'), [{ name: 'x', source: path.join(dir, 'a'), length: 1 }])).rejects.toMatchObject({
      code: 'IO',
      found: 'a symbolic link',
    });
    expect((await fs.lstat(path.join(dir, 'out'))).isSymbolicLink()).toBe(true);
    expect(await fs.readdir(path.join(dir, 'empty'))).toEqual([]);
    expect((await fs.readdir(dir)).sort()).toEqual(['a', 'empty', 'out']);
  });

  it('a failure part way through leaves neither the directory nor the temporary one', async () => {
    const dir = await scratch();
    await fs.writeFile(path.join(dir, 'a'), CONTENT);
    const out = path.join(dir, 'out');
    const entries = [
      { name: 'one', source: path.join(dir, 'a'), length: 3 },
      { name: 'two', source: path.join(dir, 'missing'), length: 3 },
    ];
    await expect(writeDirectoryAtomic(out, entries)).rejects.toBeInstanceOf(InputError);
    await expect(writeDirectoryAtomic(out, entries.slice(0, 1), { beforeCommit: () => Promise.reject(new Error('stop')) })).rejects.toThrow('stop');
    expect(await fs.readdir(dir)).toEqual(['a']);
  });
});

describe('linkOrCopy and file identities', () => {
  it('links on the same file system (same inode) and refuses to overwrite', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f');
    await fs.writeFile(file, CONTENT);
    expect(await linkOrCopy(file, path.join(dir, 'b'))).toBe('link');
    expect((await fs.stat(path.join(dir, 'b'))).ino).toBe((await fs.stat(file)).ino);
    await expect(linkOrCopy(file, path.join(dir, 'b'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('sameVersion notices appends, rewrites of the same size and replacement by another inode', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'f');
    await fs.writeFile(file, CONTENT);
    const a = await fileIdentity(file);
    expect(sameVersion(a, await fileIdentity(file))).toBe(true);
    await fs.appendFile(file, 'x');
    expect(sameVersion(a, await fileIdentity(file))).toBe(false);
    const b = await fileIdentity(file);
    await fs.utimes(file, new Date(), new Date(Date.now() + 10_000));
    expect(sameVersion(b, await fileIdentity(file))).toBe(false);
    const c = await fileIdentity(file);
    await fs.writeFile(path.join(dir, 'g'), await fs.readFile(file));
    const st = await fs.stat(file);
    await fs.utimes(path.join(dir, 'g'), st.atime, st.mtime);
    await fs.rename(path.join(dir, 'g'), file);
    const d = await fileIdentity(file);
    expect(d.size).toBe(c.size);
    expect(sameVersion(c, d)).toBe(false);
    await expect(fileIdentity(path.join(dir, 'missing'))).rejects.toBeInstanceOf(InputError);
  });
});
