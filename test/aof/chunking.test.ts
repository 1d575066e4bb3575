/**
 * The decoder must not care how its input is cut: whole, byte by byte, cut in two at every
 * point, at seeded random splits, and copied to a non-zero byteOffset, every input (good or
 * damaged, in both modes) gives the same events, the same error and the same verdict.
 */
import { describe, expect, it } from 'vitest';
import { RespWriter } from '../../src/aof/resp-encoder.js';
import type { RespDecoderOptions } from '../../src/aof/resp-decoder.js';
import type { AofVerdict } from '../../src/model/aof-events.js';
import { bytes, run, verdictOf, whole, byteByByte, randomSplits, noisy, type Splitter } from './helpers.js';

const BIN = Uint8Array.of(0x00, 0x0d, 0x0a, 0x2a, 0x33, 0x0d, 0x0a, 0x24, 0x0a, 0xff);

function sampleFile(): Uint8Array {
  return new RespWriter()
    .timestamp(1700000000)
    .select(0)
    .command('SET', 'k', BIN)
    .command('SET', 'big', 'v'.repeat(300) + '\r\n' + 'w'.repeat(40), 'PXAT', 1795541730730)
    .multi()
    .command('set', 'e1', 'x')
    .annotation('#note inside multi')
    .command('incr', 'cnt')
    .command('EXEC')
    .select(7)
    .command('HSET', 'h', 'fl', '2.5')
    .command('RPUSH', 'l', ...Array.from({ length: 40 }, (_, i) => `item-${i}`))
    .command('DEL', '')
    .timestamp(1700000001)
    .toBytes();
}

const cat = (...parts: (Uint8Array | string)[]) => new Uint8Array(parts.flatMap((p) => [...(typeof p === 'string' ? bytes(p) : p)]));

const FILE = sampleFile();
const INPUTS: Record<string, Uint8Array> = {
  good: FILE,
  'garbage appended': cat(FILE, 'garbage'),
  'bad CR mid-file': (() => {
    const b = FILE.slice();
    b[Buffer.from(FILE).indexOf('SELECT\r\n') + 6] = 0x21; // the CR after the first SELECT
    return b;
  })(),
  'cut mid-command': FILE.subarray(0, 150),
  'cut mid-big-argument': FILE.subarray(0, 200),
  'open MULTI': new RespWriter().select(0).command('SET', 'a', 'b').multi().command('SET', 'c', 'd').toBytes(),
  'nested MULTI': new RespWriter().multi().command('SET', 'a', 'b').multi().toBytes(),
  'EXEC without MULTI': new RespWriter().command('SET', 'a', 'b').exec().toBytes(),
  'over limit': cat('*1\r\n$1\r\nx\r\n*2\r\n$3\r\nGET\r\n$99999999999\r\n'),
  'overlong annotation': cat('#', 'z'.repeat(1500), '\r\n*1\r\n$4\r\nPING\r\n'),
  'unterminated annotation': cat(FILE, '#TS:99'),
  empty: new Uint8Array(0),
};

/** What each input is, so that a broken input cannot pass unnoticed. */
const STATUS: Record<string, [string, string | null]> = {
  good: ['ok', null],
  'garbage appended': ['corrupt', 'RESP_SYNTAX'],
  'bad CR mid-file': ['corrupt', 'RESP_SYNTAX'],
  'cut mid-command': ['truncated', 'TRUNCATED'],
  'cut mid-big-argument': ['truncated', 'TRUNCATED'],
  'open MULTI': ['truncated', 'TRUNCATED'],
  'nested MULTI': ['corrupt', 'UNBALANCED_MULTI'],
  'EXEC without MULTI': ['corrupt', 'UNBALANCED_MULTI'],
  'over limit': ['corrupt', 'LIMIT_EXCEEDED'],
  'overlong annotation': ['corrupt', 'RESP_SYNTAX'],
  'unterminated annotation': ['ok', null],
  empty: ['empty', null],
};

function splitters(n: number): [string, Splitter][] {
  const out: [string, Splitter][] = [
    ['whole', whole],
    ['byte by byte', byteByByte],
    ['noisy whole', noisy(whole)],
    ['noisy byte by byte', noisy(byteByByte)],
  ];
  for (const seed of [1, 2, 3, 99, 2024]) out.push([`random ${seed}`, randomSplits(seed, 1 + (seed % 37))]);
  out.push(['noisy random', noisy(randomSplits(7, 13))]);
  if (n > 0) out.push(['halves', (b) => [b.subarray(0, n >> 1), b.subarray(n >> 1)]]);
  return out;
}

/** A verdict without the counts of bytes received (which depend on when a throw stopped the pushing). */
const stable = (v: AofVerdict) => ({ ...v, endOffset: 0, bytes: 0 });

const MODES: [string, RespDecoderOptions][] = [
  ['inline', {}],
  ['parts', { limits: { maxInlineValueBytes: 7 } }],
];

describe('chunking invariance', () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    for (const [mode, opts] of MODES) {
      it(`${name} (${mode}): same events, error and verdict for every chunking`, () => {
        const ref = run(input, whole, opts);
        const refReport = verdictOf(input, whole, opts);
        expect([refReport.verdict.status, refReport.verdict.problem?.code ?? null]).toEqual(STATUS[name]);
        expect(ref.error?.split('@')[0] ?? null).toBe(STATUS[name][1]);
        for (const [label, split] of splitters(input.length)) {
          const r = run(input, split, opts);
          expect(r.log, label).toEqual(ref.log);
          // The arguments asked as Latin-1 text: the same bytes, the same everything else.
          const t = run(input, split, opts, true);
          expect(t.log, `${label}, as text`).toEqual(ref.log);
          expect(t.error, `${label}, as text`).toBe(ref.error);
          expect(r.error, label).toBe(ref.error);
          // After a throw the caller stops pushing, so only the bytes received may differ.
          expect(stable(r.verdict), label).toEqual(stable(ref.verdict));
          const rr = verdictOf(input, split, opts);
          expect(rr.verdict, label).toEqual(refReport.verdict);
          expect(rr.log, label).toEqual(refReport.log);
        }
      });
    }
  }

  it('cut in two at every point of the sample, the events are those of the whole file', () => {
    const ref = run(FILE, whole, MODES[1][1]);
    for (let i = 0; i <= FILE.length; i++) {
      const r = run(FILE, (b) => [b.subarray(0, i), b.subarray(i)], MODES[1][1]);
      expect(r.log, `split at ${i}`).toEqual(ref.log);
      expect(r.verdict, `split at ${i}`).toEqual(ref.verdict);
    }
  });

  it('parts mode and inline mode agree on everything but where the big arguments go', () => {
    const inline = run(FILE).log;
    const parts = run(FILE, whole, MODES[1][1]).log;
    expect(parts.filter((l) => l.startsWith('arg ')).length).toBe(3); // BIN, the big value, the PXAT time
    expect(parts.filter((l) => !l.startsWith('arg ')).length).toBe(inline.length);
    expect(parts.filter((l) => l.startsWith('ann ') || l.startsWith('multi') || l.startsWith('exec'))).toEqual(
      inline.filter((l) => l.startsWith('ann ') || l.startsWith('multi') || l.startsWith('exec')),
    );
  });

  it('at a non-zero start offset every offset moves by it, nothing else changes', () => {
    for (const [name, input] of Object.entries(INPUTS)) {
      const base = run(input);
      for (const split of [whole, byteByByte, randomSplits(5, 11)]) {
        const shifted = run(input, split, { startOffset: 4096 });
        expect(shifted.log, name).toEqual(base.log.map((l) => l.replace(/@(\d+)/g, (_m, n: string) => `@${Number(n) + 4096}`).replace(/^arg (\d+)#/, (_m, n: string) => `arg ${Number(n) + 4096}#`)));
        expect(shifted.error, name).toBe(base.error?.replace(/@(\d+)/, (_m, n: string) => `@${Number(n) + 4096}`) ?? null);
        const v = verdictOf(input).verdict;
        const s = verdictOf(input, split, { startOffset: 4096 }).verdict;
        expect(s.status, name).toBe(name === 'empty' ? 'ok' : v.status);
        expect(s.okUpTo - 4096).toBe(v.okUpTo);
        expect(s.endOffset - 4096).toBe(v.endOffset);
        expect(s.okUpToLine).toBe(v.okUpToLine);
        expect(s.firstBadOffset === undefined ? undefined : s.firstBadOffset - 4096).toBe(v.firstBadOffset);
      }
    }
  });
});
