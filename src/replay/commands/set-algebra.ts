/**
 * Intersection, union and difference of the sets named by keys, as SINTER, SUNION, SDIFF,
 * SINTERCARD and their STORE forms compute them: an absent key is an empty set, a key of
 * another type is refused (every key is checked, in order, before anything is computed), and
 * a difference whose first key is named again later is empty.
 */
import type { CommandContext } from '../context.js';
import type { ByteString } from '../../dataset/byte-string.js';
import type { SetValue } from '../../dataset/set.js';

/** The sets of `keys` in order, undefined for absent keys. @throws CommandError WRONGTYPE */
function setsOf(c: CommandContext, keys: readonly ByteString[]): (SetValue | undefined)[] {
  const out = new Array<SetValue | undefined>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = c.set(keys[i]);
  return out;
}

/**
 * Members of every set (`limit` > 0 stops after that many). Walks the smallest set and
 * probes the others, as Redis does.
 */
export function intersect(c: CommandContext, keys: readonly ByteString[], limit = 0): ByteString[] {
  const sets = setsOf(c, keys);
  const out: ByteString[] = [];
  if (sets.includes(undefined)) return out;
  const ordered = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = ordered[0];
  outer: for (const m of first) {
    for (let j = 1; j < ordered.length; j++) if (ordered[j] !== first && !ordered[j].has(m)) continue outer;
    out.push(m);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

/** Members of any of the sets, each once. */
export function union(c: CommandContext, keys: readonly ByteString[]): ByteString[] {
  const sets = setsOf(c, keys);
  const seen = new Set<ByteString>();
  for (const s of sets) if (s !== undefined) for (const m of s) seen.add(m);
  return [...seen];
}

/** Members of the first set that no other set holds. */
export function difference(c: CommandContext, keys: readonly ByteString[]): ByteString[] {
  const sets = setsOf(c, keys);
  const first = sets[0];
  const out: ByteString[] = [];
  if (first === undefined) return out;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return out;
  outer: for (const m of first) {
    for (let j = 1; j < sets.length; j++) if (sets[j]?.has(m)) continue outer;
    out.push(m);
  }
  return out;
}
