/**
 * Delta debugging (Zeller's ddmin, complements only) over a failing workload's units: chunks
 * are removed while the failure persists, halving the chunk size when no chunk can go, down to
 * single units; then MULTI blocks are opened up (their commands run one by one) and thinned
 * the same way. The result is 1-minimal: removing any one unit makes the failure go away.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import { REWRITE, type Unit } from './index.js';

/** Limits of one shrink. */
export interface ShrinkBudget {
  /** Most failure checks (each runs a server). */
  runs: number;
  /** Most time, in ms. */
  ms: number;
}

/** What a shrink gave. */
export interface Shrunk {
  units: Unit[];
  /** The failure of the smallest workload. */
  failure: string;
  runs: number;
  /** The budget ran out before the result was 1-minimal. */
  exhausted: boolean;
}

/** `fails` returns the failure's description, or null when the workload passes. */
export async function shrink(units: Unit[], firstFailure: string, fails: (units: Unit[]) => Promise<string | null>, budget: ShrinkBudget): Promise<Shrunk> {
  const started = Date.now();
  let runs = 0;
  let failure = firstFailure;
  const out = (): boolean => runs >= budget.runs || Date.now() - started >= budget.ms;
  const test = async (candidate: Unit[]): Promise<boolean> => {
    runs++;
    const f = await fails(candidate);
    if (f !== null) failure = f;
    return f !== null;
  };

  const ddmin = async (items: Unit[]): Promise<Unit[]> => {
    let n = 2;
    while (items.length >= 2 && !out()) {
      const size = Math.ceil(items.length / n);
      let reduced = false;
      for (let i = 0; i < items.length && !out(); i += size) {
        const complement = [...items.slice(0, i), ...items.slice(i + size)];
        if (complement.length > 0 && (await test(complement))) {
          items = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (size === 1) break;
        n = Math.min(items.length, n * 2);
      }
    }
    return items;
  };

  let current = await ddmin(units);
  // Blocks: first try running their commands outside MULTI, then thin what is left inside.
  for (let i = 0; i < current.length && !out(); i++) {
    const u = current[i];
    if (u === REWRITE || u.cmds[0][0] !== 'MULTI') continue;
    const inner = u.cmds.slice(1, -1);
    const unwrapped: Unit[] = [...current.slice(0, i), ...inner.map((c) => ({ cmds: [c] })), ...current.slice(i + 1)];
    if (await test(unwrapped)) {
      current = unwrapped;
      i--;
      continue;
    }
    const head = u.cmds[0];
    const tail = u.cmds[u.cmds.length - 1];
    let kept: Cmd[] = inner;
    for (let j = 0; j < kept.length && !out(); ) {
      const fewer = [...kept.slice(0, j), ...kept.slice(j + 1)];
      const candidate = [...current.slice(0, i), { cmds: [head, ...fewer, tail] }, ...current.slice(i + 1)];
      if (await test(candidate)) {
        kept = fewer;
        current = candidate;
      } else j++;
    }
  }
  if (current.length < units.length) current = await ddmin(current);
  return { units: current, failure, runs, exhausted: out() };
}
