/**
 * The check-only fast path of the RESP decoder (taken when no handler wants commands) must
 * reach the same verdict as the exact path: same status, offsets, counts, database, MULTI
 * state, problem and redis-check-aof line, on intact, truncated and damaged inputs, whole
 * and split. With `countLines: false` only the physical line fields differ (they are 0).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RespDecoder, type RespDecoderOptions } from '../../src/aof/resp-decoder.js';
import type { AofVerdict } from '../../src/model/aof-events.js';
import { FIXTURES } from '../helpers/files.js';
import { randomSplits, whole, byteByByte, type Splitter } from './helpers.js';

const PLAIN = new Uint8Array(readFileSync(path.join(FIXTURES, 'aof', 'plain.aof')));

/** The verdict with a command handler (exact path) or with none (fast path). */
function verdict(input: Uint8Array, fast: boolean, split: Splitter = whole, opts: RespDecoderOptions = {}): AofVerdict {
  const d = new RespDecoder(fast ? {} : { command: () => undefined }, { ...opts, onDamage: 'report' });
  for (const piece of split(input)) d.push(piece);
  return d.end();
}

function withoutLines(v: AofVerdict) {
  const { okUpToLine: _a, firstBadLine: _b, ...rest } = v;
  return { ...rest, problem: v.problem ? { ...v.problem, line: 0 } : undefined };
}

/** Damaged variants of a file: cuts, flipped and inserted bytes, from a fixed seed. */
function variants(input: Uint8Array, count: number): Uint8Array[] {
  let s = 99;
  const rnd = (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const b = Array.from(input);
    const op = rnd(4);
    const at = rnd(b.length);
    const byte = [0x0d, 0x0a, 0x2a, 0x24, 0x23, 0x30 + rnd(10), rnd(256)][rnd(7)];
    if (op === 0) out.push(input.subarray(0, at));
    else {
      if (op === 1) b[at] = byte;
      else if (op === 2) b.splice(at, 0, byte);
      else b.splice(at, 1);
      out.push(new Uint8Array(b));
    }
  }
  return out;
}

describe('RESP decoder fast path', () => {
  it('gives the exact verdict, lines included, on the real-server AOF (whole, byte by byte, random splits)', () => {
    const exact = verdict(PLAIN, false);
    expect(exact.status).toBe('ok');
    for (const split of [whole, byteByByte, randomSplits(3, 40)]) expect(verdict(PLAIN, true, split)).toEqual(exact);
  });

  it('gives the exact verdict on 400 damaged variants, lines included when counted', () => {
    const statuses = new Set<string>();
    for (const [i, m] of variants(PLAIN, 400).entries()) {
      const exact = verdict(m, false);
      statuses.add(exact.status);
      expect(verdict(m, true)).toEqual(exact);
      expect(verdict(m, true, randomSplits(i, 64))).toEqual(exact);
    }
    expect([...statuses].sort()).toEqual(['corrupt', 'ok', 'truncated']);
  });

  it('with countLines false, differs only in the physical line fields, which are 0', () => {
    for (const m of variants(PLAIN, 100)) {
      const exact = verdict(m, false);
      const fast = verdict(m, true, whole, { countLines: false });
      expect(fast.okUpToLine).toBe(0);
      if (fast.problem) expect(fast.problem.line).toBe(0);
      expect(withoutLines(fast)).toEqual(withoutLines(exact));
    }
  });

  it('hands arguments over the inline limit, and counts over maxArgs, to the exact path', () => {
    const limits = { maxInlineValueBytes: 4, maxArgs: 2 };
    for (const m of [PLAIN, ...variants(PLAIN, 50)]) {
      expect(verdict(m, true, whole, { limits })).toEqual(verdict(m, false, whole, { limits }));
    }
  });
});

describe('RESP decoder memory on a command of millions of tiny arguments', () => {
  it('holds none of them when no handler takes commands (the input keeps coming, 18 MB)', () => {
    const d = new RespDecoder({}, { onDamage: 'report' });
    d.push(new TextEncoder().encode('*100000000\r\n'));
    const chunk = new TextEncoder().encode('$0\r\n\r\n'.repeat(1 << 16)); // 384 KiB of empty arguments
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 48; i++) d.push(chunk); // 3.1 M arguments
    const grown = process.memoryUsage().heapUsed - before;
    const v = d.end();
    expect(v.status).toBe('truncated');
    expect(v.problem!.unitOffset).toBe(0);
    // Keeping a view per argument would take hundreds of MB here.
    expect(grown).toBeLessThan(64 << 20);
  });
});

describe('RESP decoder keepArgs', () => {
  it('keeps only the first arguments, and says how many there were', () => {
    const seen: { argv: number; argc: number; first: string }[] = [];
    const d = new RespDecoder({ command: (c) => seen.push({ argv: c.argv.length, argc: c.argc, first: Buffer.from(c.argv[0] ?? []).toString() }) }, { keepArgs: 2 });
    d.push(PLAIN);
    const all: { argc: number; first: string }[] = [];
    const e = new RespDecoder({ command: (c) => all.push({ argc: c.argv.length, first: Buffer.from(c.argv[0]).toString() }) });
    e.push(PLAIN);
    expect(d.end()).toEqual(e.end());
    expect(seen.map((x) => ({ argc: x.argc, first: x.first }))).toEqual(all);
    expect(seen.every((x) => x.argv === Math.min(2, x.argc))).toBe(true);
    expect(seen.some((x) => x.argc > 2)).toBe(true);
  });

  it('a command of 3 M tiny arguments costs no memory to a handler keeping 2', () => {
    let argc = 0;
    const d = new RespDecoder({ command: (c) => void (argc = c.argc) }, { keepArgs: 2, onDamage: 'report' });
    const n = 48 << 16;
    d.push(new TextEncoder().encode(`*${n}\r\n`));
    const chunk = new TextEncoder().encode('$0\r\n\r\n'.repeat(1 << 16));
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 48; i++) d.push(chunk);
    const grown = process.memoryUsage().heapUsed - before;
    expect(d.end().status).toBe('ok');
    expect(argc).toBe(n);
    expect(grown).toBeLessThan(64 << 20);
  });
});
