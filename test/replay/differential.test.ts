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
import type { Dataset, KeyEntry } from '../../src/dataset/dataset.js';
import { keyDigest } from '../../src/dataset/digest.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { ORACLE_DIGEST, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { renderEntry } from '../dataset/render.js';
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

/** A key of a dataset: its digest and a rendering in which sets, hashes and consumers are sorted. */
interface Keyed {
  digest: string;
  text: string;
  entry: KeyEntry;
}

const sortedJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

function normalRender(e: KeyEntry): string {
  const r = renderEntry(e) as { type: string; value: unknown };
  if (r.type === 'set') r.value = sortedJson(r.value as unknown[]);
  else if (r.type === 'hash') r.value = sortedJson(r.value as unknown[]);
  else if (r.type === 'zset' && e.value instanceof ZSetValue) r.value = [...e.value.ascending()].map(([m, sc], i) => [(r.value as unknown[][])[i][0], Object.is(sc, -0) ? '-0' : String(sc)]);
  else if (r.type === 'stream') {
    const v = r.value as { groups: { consumers: { seenTimeMs?: number; activeTimeMs?: number }[] }[] };
    for (const g of v.groups) {
      for (const c of g.consumers) {
        delete c.seenTimeMs;
        delete c.activeTimeMs;
      }
      g.consumers = sortedJson(g.consumers) as never;
    }
  }
  return JSON.stringify(r);
}

function keyed(ds: Dataset): Map<string, Keyed> {
  const m = new Map<string, Keyed>();
  for (const e of ds.entries()) m.set(`${e.db}:${JSON.stringify(e.key)}`, { digest: keyDigest(e.value, e.expireAtMs, ORACLE_DIGEST), text: '', entry: e });
  return m;
}

const textOf = (k: Keyed | undefined): string => (k === undefined ? '(absent)' : (k.text ||= normalRender(k.entry)));

/** Where two renderings part: a window of each around the first differing character. */
function where(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 150);
  const cut = (t: string) => `${from > 0 ? '…' : ''}${t.slice(from, i + 250)}${t.length > i + 250 ? '…' : ''}`;
  return `\n    saved:    ${cut(a)}\n    replayed: ${cut(b)}`;
}

/**
 * The saved stream without the consumers that have no pending entries and that the replay
 * lacks: an XREADGROUP that delivers nothing creates its consumer without logging anything
 * (Redis 7.0), so no AOF holds such a consumer.
 */
function withoutUnloggedConsumers(saved: StreamValue, replayed: StreamValue): StreamValue {
  const out = saved.clone();
  for (const [name, g] of out.groups) {
    const other = replayed.groups.get(name);
    for (const [cname, c] of [...g.consumers]) if (c.pending.size === 0 && !other?.consumers.has(cname)) g.consumers.delete(cname);
  }
  return out;
}

/** name → source of every function library. */
const libraries = (ds: Dataset): Map<string, string> => new Map([...ds.functions.entries()].map(([n, c]) => [n, Buffer.from(c).toString('latin1')]));

/**
 * What in the replay is wrong, key by key. A key is right when it equals the SAVE, or the
 * server's own reload of its AOF (the state the AOF does not carry is Redis's doing: a deleted
 * entry a rewrite's XCLAIM cannot restore, -0 through a rewrite …), or the SAVE but for
 * consumers Redis never logged. `note` hears of the keys that were right only by the latter two.
 */
function wrongKeys(saved: Dataset, reloaded: Dataset, replayed: Dataset, note: (d: string) => void): string[] {
  const s = keyed(saved);
  const l = keyed(reloaded);
  const r = keyed(replayed);
  const out: string[] = [];
  for (const k of new Set([...s.keys(), ...r.keys(), ...l.keys()])) {
    const sk = s.get(k);
    const rk = r.get(k);
    if (sk?.digest === rk?.digest) continue;
    const lk = l.get(k);
    if (lk?.digest === rk?.digest) {
      note(`${k}: as the server reloads it:${where(textOf(sk), textOf(rk))}`);
      continue;
    }
    if (sk && rk && sk.entry.value instanceof StreamValue && rk.entry.value instanceof StreamValue) {
      const trimmed = withoutUnloggedConsumers(sk.entry.value, rk.entry.value);
      if (keyDigest(trimmed, sk.entry.expireAtMs, ORACLE_DIGEST) === rk.digest) {
        note(`${k}: but for consumers never logged:${where(textOf(sk), textOf(rk))}`);
        continue;
      }
    }
    out.push(`${k}:${where(textOf(sk), textOf(rk))}${lk?.digest === sk?.digest ? '' : `\n    reloaded: ${textOf(lk).slice(0, 400)}`}`);
  }
  const la = libraries(saved);
  const lb = libraries(replayed);
  if ([...la.keys()].sort().join() !== [...lb.keys()].sort().join()) out.push(`function libraries: [${[...la.keys()]}] saved, [${[...lb.keys()]}] replayed`);
  for (const [name, code] of la) if (lb.has(name) && lb.get(name) !== code) out.push(`function library ${name}: another source`);
  return out;
}

/**
 * Seeds whose SAVE differs from the replay only where Redis's AOF does not carry its memory
 * (see {@link wrongKeys}). RDBTOOL_DIFF_STRICT=1 makes them failures (to shrink one).
 */
const serverDivergences: string[] = [];
const STRICT = process.env.RDBTOOL_DIFF_STRICT === '1';

/** The failure of one workload, or null when the replay is right. */
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
  const divergences: string[] = [];
  const wrong = wrongKeys(saved, reloaded!, replayed.dataset, (d) => divergences.push(d));
  if (STRICT) wrong.push(...divergences.map((d) => `(server divergence) ${d}`));
  else if (divergences.length > 0) note?.(divergences.join('\n'));
  return wrong.length === 0 ? null : `the replay differs from the SAVE in ${wrong.length} keys:\n${wrong.slice(0, 8).join('\n')}`;
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
