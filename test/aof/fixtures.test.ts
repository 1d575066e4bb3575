/**
 * The real-server AOF fixtures (fixtures/aof, Redis 7.0.15 with `aof-timestamp-enabled yes`):
 * every RESP part must be ok with the `ok_up_to` and `ok_up_to_line` that redis-check-aof
 * printed for it (recorded in `<fixture>.truth.json`), including its habit of carrying the line
 * counter from one file of a multi-part AOF to the next, and of not counting `#TS:` lines.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import type { AofHandler, AofVerdict } from '../../src/model/aof-events.js';
import { FIXTURES } from '../helpers/files.js';
import { lineAt, randomSplits, byteByByte, whole, type Splitter } from './helpers.js';

const DIR = path.join(FIXTURES, 'aof');

interface Truth {
  files: { path: string; bytes: number; type?: string }[];
  keysPerDb: Record<string, number>;
  redisCheckAof: { exitCode: number; output: string };
}

/** Every "AOF analyzed" line of redis-check-aof's output, in order. */
function analyzed(truth: Truth): { filename: string; size: number; okUpTo: number; line: number }[] {
  return [...truth.redisCheckAof.output.matchAll(/AOF analyzed: filename=(\S+), size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=0/g)].map((m) => ({
    filename: m[1],
    size: Number(m[2]),
    okUpTo: Number(m[3]),
    line: Number(m[4]),
  }));
}

interface Seen {
  verdict: AofVerdict;
  dbs: Set<number>;
  timestamps: number[];
  multis: number;
  execs: number;
}

/**
 * Checks one file as redis-check-aof does: the RDB part first when it starts with `REDIS`,
 * then the RESP tail on the same reader.
 */
function check(bytes: Uint8Array, startCheckLine: number, split: Splitter = whole): Seen {
  const dbs = new Set<number>();
  const timestamps: number[] = [];
  let multis = 0;
  let execs = 0;
  const handler: AofHandler = {
    command: (c) => {
      if (c.control === null) dbs.add(c.db);
    },
    annotation: (a) => {
      if (a.timestampSec !== undefined) timestamps.push(a.timestampSec);
    },
    multi: () => multis++,
    exec: () => execs++,
  };
  const isRdb = Buffer.from(bytes.subarray(0, 5)).toString('latin1') === 'REDIS';
  const rdb = isRdb ? new RdbDecoder({}) : null;
  let resp = rdb ? null : new RespDecoder(handler, { startRedisCheckAofLine: startCheckLine, onDamage: 'report' });
  for (const piece of split(bytes)) {
    if (resp === null) {
      rdb!.push(piece);
      if (rdb!.done) {
        resp = new RespDecoder(handler, { reader: rdb!.r, startRedisCheckAofLine: startCheckLine, onDamage: 'report' });
        resp.push(new Uint8Array(0));
      }
    } else resp.push(piece);
  }
  expect(resp, 'the RDB part must end').not.toBeNull();
  return { verdict: resp!.end(), dbs, timestamps, multis, execs };
}

const FIXTURE_NAMES = ['plain', 'hybrid', 'resp-multipart', 'rdb-multipart'];

describe('real-server AOF fixtures', () => {
  it('are there', () => expect(existsSync(path.join(DIR, 'plain.truth.json'))).toBe(true));

  for (const name of FIXTURE_NAMES) {
    it(`${name}: ok, with redis-check-aof's ok_up_to and ok_up_to_line for every file`, () => {
      const truth = JSON.parse(readFileSync(path.join(DIR, `${name}.truth.json`), 'utf8')) as Truth;
      expect(truth.redisCheckAof.exitCode).toBe(0);
      const printed = analyzed(truth);
      const parts = truth.files.filter((f) => !f.path.endsWith('.manifest'));
      expect(printed.map((p) => p.filename)).toEqual(parts.map((f) => path.basename(f.path)));
      let checkLine = 1;
      const dbs = new Set<number>();
      let timestamps = 0;
      for (const [i, part] of parts.entries()) {
        const bytes = new Uint8Array(readFileSync(path.join(DIR, part.path)));
        expect(bytes.length).toBe(printed[i].size);
        for (const split of [whole, byteByByte, randomSplits(i + 3, 200)]) {
          const seen = check(bytes, checkLine, split);
          const v = seen.verdict;
          expect(v.status, part.path).toBe('ok');
          expect(v.okUpTo).toBe(printed[i].okUpTo);
          expect(v.redisCheckAofLine, part.path).toBe(printed[i].line);
          expect(v.okUpToLine).toBe(lineAt(bytes.subarray(v.startOffset), bytes.length - v.startOffset));
          expect(seen.multis).toBe(seen.execs);
          if (split === whole) {
            seen.dbs.forEach((d) => dbs.add(d));
            timestamps += seen.timestamps.length;
            // Timestamps are Unix seconds of the run (2026 or later) and never go backwards.
            for (const t of seen.timestamps) expect(t).toBeGreaterThan(1.7e9);
            expect([...seen.timestamps].sort((a, b) => a - b)).toEqual(seen.timestamps);
          }
        }
        checkLine = printed[i].line;
      }
      // Every database the server ended up with keys in was selected by some RESP command,
      // except those only the RDB base holds.
      if (!name.startsWith('rdb') && name !== 'hybrid') {
        expect([...dbs].sort()).toEqual(Object.keys(truth.keysPerDb).map(Number).sort());
      }
      expect(timestamps).toBeGreaterThanOrEqual(2);
    });
  }
});
