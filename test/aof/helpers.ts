/**
 * Test helpers for the RESP decoder: run it over bytes cut in a chosen way and record every
 * callback as a line of text. Parts of large arguments are joined back per argument (their
 * cut depends on the chunking), so the log is the same for every chunking of one input.
 */
import { RespDecoder, type RespDecoderOptions } from '../../src/aof/resp-decoder.js';
import type { AofCommand, AofHandler, AofVerdict } from '../../src/model/aof-events.js';
import { RdbtoolError } from '../../src/errors.js';
import { whole, type Splitter } from '../helpers/collect.js';

export { whole, byteByByte, randomSplits, noisy, type Splitter } from '../helpers/collect.js';

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** What one run produced. */
export interface Run {
  log: string[];
  verdict: AofVerdict;
  /** The error thrown in `throw` mode, as `CODE@offset expected|found`, or null. */
  error: string | null;
  errorObject: unknown;
}

/**
 * A handler logging everything; large-argument parts are checked for contiguity and joined.
 * With `latin1`, it asks for the arguments as Latin-1 text and logs their bytes as the byte
 * handler does (so the two logs compare equal).
 */
export function logHandler(log: string[], latin1 = false): AofHandler {
  let pending: { key: string; next: number; chunks: Buffer[] } | null = null;
  const args = (c: AofCommand): string[] => {
    if (!latin1) return c.argv.map(hex);
    if (c.argv.length !== 0 || c.argvLatin1 === undefined) throw new Error('arguments asked as text came as bytes');
    return c.argvLatin1.map((t) => Buffer.from(t, 'latin1').toString('hex'));
  };
  return {
    argsLatin1: latin1,
    command: (c) =>
      log.push(
        `cmd @${c.offset} +${c.byteLength} L${c.line} db${c.db} ${c.inMulti ? 'M' : '-'} ${c.control ?? '-'} [${args(c).join(' ')}] parted=${c.partedArgs?.join(',') ?? '-'}`,
      ),
    argPart: (part, w) => {
      const key = `${w.commandOffset}#${w.argIndex}/${w.argBytes}`;
      if (pending === null || pending.key !== key) {
        if (pending !== null) throw new Error(`argument ${pending.key} was left unfinished`);
        pending = { key, next: w.offset, chunks: [] };
      }
      if (w.offset !== pending.next) throw new Error(`part of ${key} at ${w.offset}, expected ${pending.next}`);
      pending.chunks.push(Buffer.from(part)); // copy: the view is only valid during the call
      pending.next += part.length;
      if (w.last) {
        const all = Buffer.concat(pending.chunks);
        if (all.length !== w.argBytes) throw new Error(`argument ${key} has ${all.length} bytes`);
        log.push(`arg ${key} ${all.toString('hex')}`);
        pending = null;
      }
    },
    annotation: (a) => log.push(`ann @${a.offset} +${a.byteLength} L${a.line} ${JSON.stringify(a.text)} ts=${a.timestampSec} ${a.terminated ? 'T' : 'U'} raw=${hex(a.raw)}`),
    multi: (o, l) => log.push(`multi @${o} L${l}`),
    exec: (o, l, n) => log.push(`exec @${o} L${l} n=${n}`),
  };
}

/** Runs a decoder over the pieces; damage is caught and described, never rethrown. */
export function run(input: Uint8Array, split: Splitter = whole, opts: RespDecoderOptions = {}, latin1 = false): Run {
  const log: string[] = [];
  const d = new RespDecoder(logHandler(log, latin1), { file: 'test.aof', ...opts });
  let error: string | null = null;
  let errorObject: unknown = null;
  try {
    for (const piece of split(input)) d.push(piece);
    d.end();
  } catch (e) {
    if (!(e instanceof RdbtoolError)) throw e;
    errorObject = e;
    error = `${e.code}@${e.offset} ${e.expected ?? ''}|${e.found ?? ''}`;
  }
  return { log, verdict: d.result(), error, errorObject };
}

/** The verdict in `report` mode (never throws). */
export function verdictOf(input: Uint8Array, split: Splitter = whole, opts: RespDecoderOptions = {}): { verdict: AofVerdict; log: string[] } {
  const log: string[] = [];
  const d = new RespDecoder(logHandler(log), { ...opts, onDamage: 'report' });
  for (const piece of split(input)) d.push(piece);
  return { verdict: d.end(), log };
}

/** 1 + the `\n` bytes in `b[0, end)`: the physical line of offset `end`. */
export function lineAt(b: Uint8Array, end: number): number {
  let n = 1;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) n++;
  return n;
}
