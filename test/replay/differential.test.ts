/**
 * The differential test of the replay: seeded random workloads of every command family run on
 * a real Redis 7.0 (appendonly yes, aof-timestamp-enabled yes, with and without an RDB
 * preamble, a BGREWRITEAOF in the middle of half the runs, active expiry off so that only
 * commands expire keys), which SAVEs at the end. The RDB decoder's reading of that SAVE must
 * equal the replay of the server's AOF directory key for key (stream consumers' seen times
 * aside), function libraries source for source. A failing workload is shrunk (delta
 * debugging) and the message gives its seed and the minimal command list.
 *
 * RDBTOOL_DIFF_SEEDS runs more seeds locally: a count (`500`: seeds 1…500), a range
 * (`1000-1999`) or a list (`17,42`). RDBTOOL_DIFF_COMMANDS sets the workload length.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Dataset } from '../../src/dataset/dataset.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { makeDumpSource } from './dump-source.js';
import { flatten, workload, REWRITE, type Unit, type WorkloadSources } from './workload/index.js';
import { shrink } from './workload/shrink.js';

/** Seeds run in CI (each with its own preamble/rewrite combination) and their length. */
const CI_SEEDS = 16;
const CI_COMMANDS = 300;

function seedsToRun(): number[] {
  const spec = process.env.RDBTOOL_DIFF_SEEDS?.trim();
  if (!spec) return Array.from({ length: CI_SEEDS }, (_, i) => i + 1);
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
  if (spec.includes(',')) return spec.split(',').map(Number);
  return Array.from({ length: Number(spec) }, (_, i) => i + 1);
}

const COMMANDS = Number(process.env.RDBTOOL_DIFF_COMMANDS ?? CI_COMMANDS);

/** The run's settings, from its seed: the four preamble × rewrite combinations in turn. */
const settings = (seed: number) => ({ preamble: seed % 2 === 1, rewrite: Math.floor(seed / 2) % 2 === 1 });

/** name → source of every function library. */
const libraries = (ds: Dataset): Map<string, string> => new Map([...ds.functions.entries()].map(([n, c]) => [n, Buffer.from(c).toString('latin1')]));

/** Differences of two datasets: keys, then function library sources. */
function differences(a: Dataset, b: Dataset): string[] {
  const diff = datasetDiff(a, b);
  const la = libraries(a);
  const lb = libraries(b);
  for (const [name, code] of la) if (lb.has(name) && lb.get(name) !== code) diff.push(`function library ${name}: another source`);
  return diff;
}

/**
 * Seeds whose SAVE differs from the replay where the replay equals what the server itself
 * loads from its AOF: the AOF does not carry that state, which is Redis's doing, not the
 * replay's. RDBTOOL_DIFF_STRICT=1 makes them failures (to shrink one).
 */
const serverDivergences: string[] = [];
const STRICT = process.env.RDBTOOL_DIFF_STRICT === '1';

/**
 * The failure of one workload, or null when the replay equals the SAVE — or, where it does
 * not, equals the server's own reload of the AOF directory.
 */
async function check(units: Unit[], preamble: boolean, note?: (divergence: string) => void): Promise<string | null> {
  const { cmds, rewriteAfter } = flatten(units);
  let run;
  try {
    run = await runOracle(cmds, { preamble, rewriteAfter, activeExpire: false, reload: true });
  } catch (e) {
    return `the run threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  const { saved, replayed, reloaded } = run;
  if (replayed.error) return `the replay stopped: ${replayed.error.message}`;
  const diff = differences(saved, replayed.dataset);
  if (diff.length === 0) return null;
  const own = differences(reloaded!, replayed.dataset);
  if (own.length === 0 && !STRICT) {
    note?.(diff.join('\n'));
    return null;
  }
  if (own.length === 0) return `saved and replayed differ (the server's reload of its AOF equals the replay):\n${diff.join('\n')}`;
  return `saved and replayed differ:\n${diff.join('\n')}\nthe server's reload of its AOF and the replay differ:\n${own.join('\n')}`;
}

/** An argument as TypeScript source. */
function literal(a: string | Buffer): string {
  if (Buffer.isBuffer(a)) return `Buffer.from('${a.toString('hex')}', 'hex')`;
  for (const unit of [1, 2, 5]) {
    const head = a.slice(0, unit);
    if (a.length > 40 && head.repeat(Math.ceil(a.length / unit)).slice(0, a.length) === a) {
      return a.length % unit === 0 ? `${JSON.stringify(head)}.repeat(${a.length / unit})` : `${JSON.stringify(head)}.repeat(${Math.ceil(a.length / unit)}).slice(0, ${a.length})`;
    }
  }
  return JSON.stringify(a);
}

/** The workload as a runOracle call to paste into a test. */
function render(units: Unit[], preamble: boolean): string {
  const { cmds, rewriteAfter } = flatten(units);
  const lines = cmds.map((c: Cmd) => `  [${c.map(literal).join(', ')}],`);
  const opts = [`preamble: ${preamble}`, ...(rewriteAfter === undefined ? [] : [`rewriteAfter: ${rewriteAfter}`]), 'activeExpire: false'];
  return `runOracle([\n${lines.join('\n')}\n], { ${opts.join(', ')} })`;
}

let sources: WorkloadSources;
beforeAll(async () => {
  const src = await makeDumpSource();
  await src.server.stop();
  sources = { payloads: [...src.payloads.values()], functionsDump: src.functions };
}, 60_000);

afterAll(() => {
  if (process.env.RDBTOOL_DIFF_VERBOSE === '1' && serverDivergences.length > 0) {
    console.log(`${serverDivergences.length} runs where the server's AOF does not carry its memory:\n${serverDivergences.join('\n')}`);
  }
});

describe('differential: replay of the AOF equals the SAVE, Redis 7.0', () => {
  for (const seed of seedsToRun()) {
    const { preamble, rewrite } = settings(seed);
    it(`seed ${seed} (${preamble ? 'preamble' : 'no preamble'}${rewrite ? ', rewrite' : ''})`, async () => {
      const units = workload(seed, COMMANDS, sources, { rewrite });
      const failure = await check(units, preamble, (d) => serverDivergences.push(`seed ${seed}: ${d}`));
      if (failure === null) return;
      const shrunk = await shrink(units, failure, (u) => check(u, preamble), { runs: 400, ms: 240_000 });
      const n = flatten(shrunk.units).cmds.length;
      throw new Error(
        `seed ${seed}: ${failure.split('\n')[0]}\n` +
          `shrunk from ${flatten(units).cmds.length} to ${n} commands in ${shrunk.runs} runs${shrunk.exhausted ? ' (budget spent, not minimal)' : ''}` +
          `${shrunk.units.includes(REWRITE) ? ', rewrite kept' : ''}:\n${shrunk.failure}\n${render(shrunk.units, preamble)}`,
      );
    }, 300_000);
  }
});
