/**
 * The memory estimate against servers that are not installed, through what they answered
 * once (fixtures/memory/<target>-<allocator>.json, made by scripts/record-memory.ts): for
 * every recording whose target and allocator the estimate models, the estimate of each
 * calibration input (test/helpers/memory-calibration.ts) is held to the bar of the live test
 * against Debian's 7.0 (memory-redis.test.ts): the encoding after load the same, per key within
 * ±10% for at least 95% of the keys of each type and encoding and within ±25% for all, the sum
 * over the keys within ±3% overall and per file, and the estimated `used_memory` within ±3% for
 * files of 1 MB of data or more.
 *
 * Recordings of targets not modelled yet are listed (printed), not failed. The recording of
 * Debian's 7.0 is also compared with the live server on the fixtures, so a recording that no
 * longer matches its server or the fixtures is caught.
 *
 * The built datasets are rebuilt here by the `redis-server` on PATH, as when the recordings
 * were made (the same keys, values, encodings and member order).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { RUN_CORPUS } from '../helpers/files.js';
import {
  calibrationInputs,
  fixtureCalibrationInputs,
  inputsReadBy,
  readRecordings,
  serverKeyMemory,
  type CalibrationInput,
  type MemoryRecording,
  type MemoryPair,
  type MemoryTotal,
} from '../helpers/memory-calibration.js';
import { asText, requireRedisServer, startRedis } from '../helpers/redis.js';

type Pair = MemoryPair<string>;
type Total = MemoryTotal;

/** A target as the estimate takes it. */
type Target = ReturnType<typeof parseMemoryTarget>;

/** The target of a recording, or why the estimate does not model it. */
function targetOf(r: MemoryRecording): Target | string {
  try {
    return parseMemoryTarget(r.target, r.allocator);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const recordings = readRecordings();
const modelled = recordings.filter(({ recording }) => typeof targetOf(recording) !== 'string');
const unmodelled = recordings.filter(({ recording }) => typeof targetOf(recording) === 'string');

const relError = (p: Pair): number => (p.estimate - p.server) / p.server;
const showPair = (p: Pair): string =>
  `${p.file} db${p.db} ${JSON.stringify(Buffer.from(p.key, 'base64').toString('latin1').slice(0, 60))}: estimate ${p.estimate} (${p.estimateEncoding}), server ${p.server} (${p.serverEncoding}), ${(relError(p) * 100).toFixed(1)}%`;
const sum = (ps: Pair[], f: (p: Pair) => number): number => ps.reduce((s, p) => s + f(p), 0);

/**
 * The estimate of every recorded file whose input is here, paired with the recording key by key.
 * `missing` gets the recorded inputs that are not here (corpus ones when the corpus is absent
 * are left out silently), `unknown` the recorded keys the estimate does not have.
 */
async function pairUp(
  recording: MemoryRecording,
  target: Target,
  inputs: Map<string, CalibrationInput>,
): Promise<{ pairs: Pair[]; totals: Total[]; files: string[]; missing: string[]; unknown: string[] }> {
  const pairs: Pair[] = [];
  const totals: Total[] = [];
  const files: string[] = [];
  const missing: string[] = [];
  const unknown: string[] = [];
  for (const rec of recording.files) {
    const input = inputs.get(rec.label);
    if (!input) {
      if (rec.kind !== 'corpus' || RUN_CORPUS) missing.push(rec.label);
      continue;
    }
    const estimates = new Map<string, { type: string; bytes: number; encoding: string }>();
    const { error, report } = await analyzeMemory(input.file, {
      target,
      top: 0,
      depth: 0,
      onRecord: (k) => estimates.set(`${k.db}:${Buffer.from(k.key).toString('base64')}`, { type: k.valueType, bytes: k.memoryBytes, encoding: k.encoding }),
    });
    expect(error, rec.label).toBeNull();
    files.push(rec.label);
    totals.push({ file: rec.label, estimate: report.totals.datasetBytes, server: rec.usedMemory });
    for (const [db, key, usage, encoding] of rec.keys) {
      const e = estimates.get(`${db}:${key}`);
      if (!e) {
        unknown.push(`${rec.label} db${db} ${key}`);
        continue;
      }
      pairs.push({ file: rec.label, db, key, type: e.type, estimate: e.bytes, estimateEncoding: e.encoding, server: usage, serverEncoding: encoding });
    }
  }
  return { pairs, totals, files, missing, unknown };
}

/** Share within ±10%, sum error and worst key of some pairs, on one line. */
function summary(ps: Pair[]): string {
  const within = ps.filter((p) => Math.abs(relError(p)) <= 0.1).length;
  const worst = ps.reduce((w, p) => (Math.abs(relError(p)) > Math.abs(relError(w)) ? p : w), ps[0]);
  return `${ps.length} keys, ${((within / ps.length) * 100).toFixed(1)}% within ±10%, sum ${((sum(ps, (p) => p.estimate) / sum(ps, (p) => p.server) - 1) * 100).toFixed(2)}%, worst ${showPair(worst)}`;
}

describe('memory estimate against recorded servers (fixtures/memory)', () => {
  requireRedisServer();
  let dir = '';
  /** The calibration inputs as built; each recording's target gets the versions of them it reads. */
  const base: CalibrationInput[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-memory-recorded-'));
    base.push(...(await calibrationInputs(dir)));
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has recordings, and lists those whose target is not modelled yet', () => {
    const lines = unmodelled.map(({ name, recording }) => `${name}: not modelled (${targetOf(recording) as string})`);
    if (lines.length) process.stderr.write(`memory recordings not checked yet:\n  ${lines.join('\n  ')}\n`);
    expect(modelled.length + unmodelled.length).toBeGreaterThan(0);
    expect(modelled.map((m) => m.name)).toContain('redis-7.0-jemalloc-system.json');
  });

  for (const { name, recording } of modelled) {
    describe(`${name} (${recording.server.valkeyVersion ? `valkey ${recording.server.valkeyVersion}` : recording.server.redisVersion}, ${recording.server.memAllocator})`, () => {
      let got: Awaited<ReturnType<typeof pairUp>>;

      beforeAll(async () => {
        const inputs = new Map((await inputsReadBy(base, recording.target, dir)).map((i) => [i.label, i]));
        got = await pairUp(recording, targetOf(recording) as Target, inputs);
      }, 300_000);

      it('every recorded input is here, and the estimate knows every key the server held', () => {
        expect(got.missing).toEqual([]);
        expect(got.unknown).toEqual([]);
        // The fixtures and the built datasets (five of them for servers reading up to RDB 9, where the raised one's rewrites stand for it).
        expect(got.files.length).toBeGreaterThanOrEqual(fixtureCalibrationInputs().length + 5);
        expect(got.pairs.length).toBeGreaterThan(800);
      });

      it('the encoding after load is the server\'s', () => {
        expect(got.pairs.filter((p) => p.estimateEncoding !== p.serverEncoding).map(showPair)).toEqual([]);
      });

      it('per type and encoding: the memory within ±10% (95% of keys) and ±25% (all)', () => {
        const groups = new Map<string, Pair[]>();
        for (const p of got.pairs) groups.set(`${p.type}/${p.serverEncoding}`, [...(groups.get(`${p.type}/${p.serverEncoding}`) ?? []), p]);
        const misses: string[] = [];
        for (const [group, ps] of groups) {
          const outside10 = ps.filter((p) => Math.abs(relError(p)) > 0.1);
          if (outside10.length > ps.length * 0.05) misses.push(`${group}: ${ps.length - outside10.length} of ${ps.length} within ±10%:\n    ${outside10.slice(0, 10).map(showPair).join('\n    ')}`);
          for (const p of ps.filter((q) => Math.abs(relError(q)) > 0.25)) misses.push(`${group}: beyond ±25%: ${showPair(p)}`);
        }
        if (process.env.RDBTOOL_MEMORY_REPORT) {
          const lines = [`${name} all: ${summary(got.pairs)}`, ...[...groups].map(([g, ps]) => `${name} ${g}: ${summary(ps)}`)];
          process.stderr.write(lines.join('\n') + '\n');
        }
        expect(misses).toEqual([]);
      });

      it('the sum over all keys is within ±3% of the server\'s, over all files and over each', () => {
        const off = (ps: Pair[]): number => sum(ps, (p) => p.estimate) / sum(ps, (p) => p.server) - 1;
        const misses: string[] = [];
        if (Math.abs(off(got.pairs)) > 0.03) misses.push(`all files: ${(off(got.pairs) * 100).toFixed(2)}%`);
        for (const f of got.files) {
          const mine = got.pairs.filter((p) => p.file === f);
          if (mine.length && Math.abs(off(mine)) > 0.03) misses.push(`${f}: ${(off(mine) * 100).toFixed(2)}%`);
        }
        expect(misses).toEqual([]);
      });

      it('the estimated used_memory of a loaded file is within ±3% of the server\'s (files of 1 MB of data or more)', () => {
        const big = got.totals.filter((t) => t.server > 2_000_000);
        if (process.env.RDBTOOL_MEMORY_REPORT) {
          process.stderr.write(big.map((t) => `${name} used_memory ${t.file}: estimate ${t.estimate}, server ${t.server} (${(((t.estimate - t.server) / t.server) * 100).toFixed(2)}%)`).join('\n') + '\n');
        }
        expect(big.length).toBeGreaterThanOrEqual(4);
        const misses = big.filter((t) => Math.abs(t.estimate / t.server - 1) > 0.03).map((t) => `${t.file}: estimate ${t.estimate}, server ${t.server} (${(((t.estimate - t.server) / t.server) * 100).toFixed(2)}%)`);
        expect(misses).toEqual([]);
      });
    });
  }

  it('the redis-7.0-jemalloc-system recording (Debian\'s package) is what the installed server answers for the fixtures', async () => {
    const r = recordings.find((x) => x.name === 'redis-7.0-jemalloc-system.json')?.recording;
    expect(r, 'fixtures/memory/redis-7.0-jemalloc-system.json').toBeDefined();
    const diffs: string[] = [];
    for (const input of fixtureCalibrationInputs()) {
      const rec = r!.files.find((f) => f.label === input.label);
      if (!rec) {
        diffs.push(`${input.label}: not recorded`);
        continue;
      }
      const redis = await startRedis({ rdbFile: input.file });
      try {
        if (input === fixtureCalibrationInputs()[0]) {
          const info = asText(await redis.client.call('INFO', 'server'));
          expect(/redis_version:(\S+)/.exec(info)?.[1]).toBe(r!.server.redisVersion);
        }
        const live = await serverKeyMemory(redis.client);
        const recorded = new Map(rec.keys.map((k) => [`${k[0]}:${k[1]}`, k]));
        for (const [db, key, usage, encoding] of live) {
          const k = recorded.get(`${db}:${key}`);
          recorded.delete(`${db}:${key}`);
          if (!k) diffs.push(`${input.label} db${db} ${key}: not recorded`);
          else if (k[3] !== encoding) diffs.push(`${input.label} db${db} ${key}: encoding ${encoding}, recorded ${k[3]}`);
          // A skiplist's node levels are drawn at random at every load: its size moves a little.
          else if (encoding === 'skiplist' ? Math.abs(usage - k[2]) > Math.max(128, usage * 0.03) : usage !== k[2]) {
            diffs.push(`${input.label} db${db} ${key}: MEMORY USAGE ${usage}, recorded ${k[2]}`);
          }
        }
        for (const k of recorded.values()) diffs.push(`${input.label} db${k[0]} ${k[1]}: recorded, not held by the server`);
      } finally {
        await redis.stop();
      }
    }
    expect(diffs).toEqual([]);
  }, 120_000);
});
