/**
 * A whole differential workload: commands of every family mixed by weight, SELECTs between
 * three databases, MULTI blocks (some aborted by a queued error, some discarded) and, when
 * asked, the point where the server rewrites its AOF. The workload is a list of units — one
 * command, a MULTI block, or the rewrite — so that a shrinker removing units never leaves a
 * block open or an EXEC alone.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import { Gen, type FamilyGen, type WorkloadSources } from './gen.js';
import { strings } from './strings.js';
import { bits } from './bits.js';
import { hyperloglog } from './hyperloglog.js';
import { keys } from './keys.js';
import { lists } from './lists.js';
import { sets } from './sets.js';
import { zlex, zsets } from './zsets.js';
import { hashes } from './hashes.js';
import { streams } from './streams.js';
import { functions } from './functions.js';
import { scripting } from './scripting.js';

export type { WorkloadSources } from './gen.js';

/** One command, or a MULTI block with its EXEC or DISCARD. */
export interface CommandUnit {
  cmds: Cmd[];
}

/** Where the server runs BGREWRITEAOF (and waits for it). */
export const REWRITE = 'BGREWRITEAOF' as const;

export type Unit = CommandUnit | typeof REWRITE;

/** The families and their weights. */
export const FAMILIES: Record<string, [number, FamilyGen]> = {
  strings: [10, strings],
  bits: [4, bits],
  hyperloglog: [4, hyperloglog],
  keys: [12, keys],
  lists: [8, lists],
  sets: [7, sets],
  zsets: [8, zsets],
  zlex: [2, zlex],
  hashes: [7, hashes],
  streams: [12, streams],
  functions: [3, functions],
  scripting: [4, scripting],
};

function multiBlock(g: Gen, families: [number, FamilyGen][]): Cmd[] {
  const cmds: Cmd[] = [['MULTI']];
  for (let n = g.int(1, 6); n > 0; n--) {
    if (g.chance(0.1)) cmds.push(['SELECT', g.db()]);
    else cmds.push(...g.weighted(families)(g));
  }
  if (g.chance(0.08)) cmds.splice(g.int(1, cmds.length - 1), 0, ['SET', g.key('str')]); // queued error: EXECABORT
  cmds.push([g.chance(0.1) ? 'DISCARD' : 'EXEC']);
  return cmds;
}

/** Options of {@link workload}. */
export interface WorkloadOptions {
  /** Put a rewrite somewhere in the middle. */
  rewrite?: boolean;
  /** Only these families (default all). */
  only?: readonly string[];
}

/** About `count` commands for `seed`. */
export function workload(seed: number, count: number, sources: WorkloadSources, opts: WorkloadOptions = {}): Unit[] {
  const g = new Gen(seed, sources);
  const families = Object.entries(FAMILIES)
    .filter(([name]) => !opts.only || opts.only.includes(name))
    .map(([, weighted]) => weighted);
  const units: Unit[] = [];
  let n = 0;
  const rewriteAt = opts.rewrite ? g.int(Math.floor(count * 0.2), Math.floor(count * 0.8)) : -1;
  while (n < count) {
    if (rewriteAt >= 0 && n >= rewriteAt && !units.includes(REWRITE)) units.push(REWRITE);
    const what = g.next();
    let cmds: Cmd[];
    if (what < 0.03) cmds = [['SELECT', g.db()]];
    else if (what < 0.08) cmds = multiBlock(g, families);
    else cmds = g.weighted(families)(g);
    if (cmds[0][0] === 'MULTI') units.push({ cmds });
    else for (const c of cmds) units.push({ cmds: [c] });
    n += cmds.length;
  }
  return units;
}

/** The commands of `units` and the index of the first one the rewrite precedes (if any). */
export function flatten(units: readonly Unit[]): { cmds: Cmd[]; rewriteAfter: number | undefined } {
  const cmds: Cmd[] = [];
  let rewriteAfter: number | undefined;
  for (const u of units) {
    if (u === REWRITE) rewriteAfter = cmds.length;
    else cmds.push(...u.cmds);
  }
  return { cmds, rewriteAfter };
}
