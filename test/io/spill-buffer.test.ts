/**
 * SpillBuffer: bytes held in memory up to its bound, the rest in a temporary file that is
 * unlinked while open; read back in order, whatever the sizes of the pieces written; nothing
 * left behind; a directory it cannot write gives a typed error naming it.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpillBuffer } from '../../src/io/spill-buffer.js';
import { InputError, UsageError } from '../../src/errors.js';
import { rng } from '../helpers/bytes.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-spill-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function concat(pieces: Iterable<Uint8Array>): Buffer {
  return Buffer.concat([...pieces].map((p) => Buffer.from(p)));
}

function randomPieces(seed: number, count: number, max: number): Uint8Array[] {
  const rand = rng(seed);
  return Array.from({ length: count }, () => {
    const b = new Uint8Array(Math.floor(rand() * max));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    return b;
  });
}

describe('SpillBuffer', () => {
  it('keeps what fits in memory: no file is made', () => {
    const dir = tempDir();
    const s = new SpillBuffer(1000, dir);
    const pieces = randomPieces(1, 20, 40);
    for (const p of pieces) s.write(p);
    expect(s.spilled).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(concat(s.pieces()).equals(concat(pieces))).toBe(true);
    s.close();
  });

  it('past its bound, gives back every byte in order from the file, which is never visible in the directory', () => {
    for (const [seed, bound, max] of [
      [2, 0, 100],
      [3, 64, 300],
      [4, 5000, 3_000_000],
    ] as const) {
      const dir = tempDir();
      const s = new SpillBuffer(bound, dir);
      const pieces = randomPieces(seed, 40, max);
      for (const p of pieces) s.write(p);
      const total = pieces.reduce((n, p) => n + p.length, 0);
      expect(s.spilled).toBe(true);
      expect(s.bytes).toBe(total);
      expect(readdirSync(dir)).toEqual([]);
      const back = [...s.pieces()];
      // Read back in pieces of at most 1 MiB.
      expect(Math.max(...back.map((b) => b.length))).toBeLessThanOrEqual(1 << 20);
      expect(concat(back).equals(concat(pieces))).toBe(true);
      s.close();
      s.close();
      expect(() => s.write(new Uint8Array(1))).toThrow(UsageError);
    }
  });

  it('a "directory" that is a file: an InputError naming the file (refused even for root)', () => {
    const dir = path.join(tempDir(), 'plain-file');
    writeFileSync(dir, 'not a directory');
    const s = new SpillBuffer(0, dir);
    let err: unknown;
    try {
      s.write(new Uint8Array(10));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/cannot create a temporary file/);
    expect((err as InputError).file).toContain(dir);
  });

  it('a directory that does not exist: an InputError naming the file', () => {
    const dir = path.join(tempDir(), 'missing');
    const s = new SpillBuffer(0, dir);
    expect(() => s.write(new Uint8Array(10))).toThrow(InputError);
    try {
      s.write(new Uint8Array(10));
    } catch (e) {
      expect((e as InputError).message).toMatch(/cannot create a temporary file/);
      expect((e as InputError).file).toContain(dir);
    }
  });
});
