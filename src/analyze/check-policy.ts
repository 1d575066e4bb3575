/**
 * Backup policy rules for `check`: checks beyond "is it intact" that a CI gate wants on every
 * backup artifact. Each broken rule is a `POLICY` problem naming the rule, what it expects and
 * what was found (exit 1). The rules read only what the check already gathered (`CheckReport`
 * and each file's facts), so they cost no extra reading.
 *
 * - `min-keys`: fewer keys than N (an empty or tiny backup). Keys are those of the RDB parts.
 * - `max-age`: written longer ago than the duration: an RDB's `ctime` AUX field; for an AOF
 *   the last `#TS:` annotation, else the newest file's modification time (the report says
 *   which was used).
 * - `require-checksum`: an RDB part written without a CRC-64 (`rdbchecksum no`, or RDB < 5).
 * - `max-key-bytes` / `max-elements`: a runaway key (its record's bytes in the file, its
 *   element count).
 * - `max-shrink` against a baseline: PCT% fewer keys or bytes than an older backup ("the cron
 *   job backed up an empty replica").
 *
 * A rule that cannot be judged on an input (keys of a plain AOF, which only a replay knows) is
 * a warning saying so, never a silent pass.
 */
import { printableKey, UsageError } from '../errors.js';
import type { CheckProblem, CheckReport } from './check.js';

/** The rules in force (each optional). */
export interface CheckPolicy {
  minKeys?: number;
  /** Longest accepted age, in ms. */
  maxAgeMs?: number;
  requireChecksum?: boolean;
  maxKeyBytes?: number;
  maxElements?: number;
  /** Largest accepted shrink against `baseline`, in percent. */
  maxShrinkPct?: number;
  baseline?: BaselineFacts;
}

/** What a baseline (an older backup) holds, for the shrink rule. */
export interface BaselineFacts {
  path: string;
  /** Keys of its RDB parts; null when it has none (a plain AOF). */
  keys: number | null;
  bytes: number;
}

/** True when any rule is set. */
export function hasPolicy(p: CheckPolicy): boolean {
  return Object.values(p).some((v) => v !== undefined && v !== false);
}

/**
 * Keys of an input's RDB parts; 0 for an input with no RDB part and no command either (an
 * empty AOF); null when it holds commands only (a replay would be needed to count keys).
 */
export function keysOf(r: CheckReport): number | null {
  if (r.files.some((f) => f.rdb !== null)) return r.totals.keys;
  return r.totals.commands === 0 ? 0 : null;
}

/** The facts of a baseline input, from its check report. */
export function baselineOf(r: CheckReport): BaselineFacts {
  return { path: r.input.path, keys: keysOf(r), bytes: r.totals.bytes };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration: one or more `<number><unit>` with units ms, s, m, h, d, w (`26h`,
 * `7d`, `1d12h`, `90m`). A bare number is seconds.
 * @throws UsageError naming the option when the text is not a duration.
 */
export function parseDuration(text: string, option = '--max-age'): number {
  const t = text.replace(/\s+/g, '');
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== t) {
    throw new UsageError(`invalid ${option} ${JSON.stringify(text)}: expected a duration such as 26h, 7d, 1d12h or 90m (units ms, s, m, h, d, w)`);
  }
  return parts.reduce((ms, m) => ms + Number(m[1]) * UNITS[m[2]], 0);
}

/** A duration in words: `3d 4h`, `26h 5m`, `45s`. */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let left = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, sec] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(left / sec);
    left -= n * sec;
    if (n > 0 && parts.length < 2) parts.push(`${n}${unit}`);
  }
  return (neg ? '-' : '') + (parts.join(' ') || '0s');
}

const count = (n: number): string => n.toLocaleString('en-US');

/** When an input was written, and which fact says so. */
export interface WrittenAt {
  ms: number;
  source: string;
}

/**
 * When the input was written: an RDB file's `ctime`; for an AOF the last `#TS:` annotation in
 * load order, else the newest file's modification time. Null when nothing says (stdin).
 */
export function writtenAt(r: CheckReport): WrittenAt | null {
  const files = r.files;
  const single = r.input.form === 'file' ? files[0] : undefined;
  if (single && single.content === 'rdb' && single.facts.ctimeSec !== null) {
    return { ms: single.facts.ctimeSec * 1000, source: "the RDB's ctime AUX field" };
  }
  let ts: number | null = null;
  for (const f of files) if (f.facts.lastTimestampSec !== null) ts = f.facts.lastTimestampSec;
  if (ts !== null) return { ms: ts * 1000, source: 'the last #TS annotation' };
  const mtimes = files.map((f) => f.mtimeMs).filter((m): m is number => m !== null);
  if (mtimes.length > 0) return { ms: Math.max(...mtimes), source: files.length > 1 ? "the newest file's modification time" : "the file's modification time" };
  return null;
}

/**
 * The problems `policy` finds in `r` (POLICY errors, and warnings for rules that cannot be
 * judged on this input). `nowMs` is the clock for `max-age`.
 */
export function applyPolicy(r: CheckReport, policy: CheckPolicy, nowMs: number): CheckProblem[] {
  const out: CheckProblem[] = [];
  // A file that is not a persistence file at all has nothing a rule could measure.
  if (r.files.length > 0 && r.files.every((f) => f.content === 'foreign')) return out;
  const file = r.input.path;
  const push = (rule: string, reason: string, expected: string | null, found: string | null, severity: 'error' | 'warning' = 'error', at = file) =>
    out.push({ file: at, offset: null, line: null, code: 'POLICY', severity, section: 'policy', rule, reason, expected, found, context: null });
  const keys = keysOf(r);
  const notJudged = (rule: string, why: string) => push(rule, `not judged: ${why}`, null, null, 'warning');

  if (policy.minKeys !== undefined) {
    if (keys === null) notJudged('min-keys', 'the input holds AOF commands only; its keys are known only after a replay');
    else if (keys < policy.minKeys) push('min-keys', `the backup holds ${count(keys)} key(s)`, `at least ${count(policy.minKeys)}`, count(keys));
  }

  if (policy.maxAgeMs !== undefined) {
    const w = writtenAt(r);
    if (w === null) notJudged('max-age', 'nothing in the input says when it was written (no ctime, no #TS annotation, no file time)');
    else {
      const age = nowMs - w.ms;
      if (age > policy.maxAgeMs) {
        push('max-age', `the backup was written ${formatDuration(age)} ago (${new Date(w.ms).toISOString()}, from ${w.source})`, `at most ${formatDuration(policy.maxAgeMs)}`, formatDuration(age));
      }
    }
  }

  if (policy.requireChecksum) {
    for (const f of r.files) {
      const c = f.rdb?.checksum;
      if (c === 'disabled' || c === 'absent') {
        const why = c === 'disabled' ? 'written with rdbchecksum no' : `RDB version ${f.rdb!.version} has no checksum`;
        push('require-checksum', `the RDB carries no CRC-64 (${why}): its bytes cannot be proven to be those Redis wrote`, 'a CRC-64 checksum', 'none', 'error', f.name);
      }
    }
  }

  const rdbFiles = r.files.filter((f) => f.rdb !== null);
  for (const [rule, limit, over, top, measure] of [
    ['max-key-bytes', policy.maxKeyBytes, 'keysOverBytes', 'biggestKey', 'bytes'],
    ['max-elements', policy.maxElements, 'keysOverElements', 'longestKey', 'elements'],
  ] as const) {
    if (limit === undefined) continue;
    if (rdbFiles.length === 0) {
      notJudged(rule, 'the input holds AOF commands only; key sizes are known for RDB parts');
      continue;
    }
    for (const f of rdbFiles) {
      const n = f.facts[over];
      const k = f.facts[top];
      if (n === 0 || k === null) continue;
      const unit = measure === 'bytes' ? 'bytes in the file' : 'elements';
      const size = measure === 'bytes' ? k.bytes : k.elements;
      push(
        rule,
        `${count(n)} key(s) with more than ${count(limit)} ${unit}; the largest: "${printableKey(k.key)}" (${k.what}) in db ${k.db}`,
        `at most ${count(limit)} ${unit} per key`,
        `${count(size)} ${unit}`,
        'error',
        f.name,
      );
    }
  }

  if (policy.baseline !== undefined && policy.maxShrinkPct !== undefined) {
    const b = policy.baseline;
    const shrink = (was: number, now: number) => (was > 0 ? ((was - now) / was) * 100 : 0);
    const limit = policy.maxShrinkPct;
    const pct = (x: number) => `${x.toFixed(1)}%`;
    if (b.keys !== null && keys !== null) {
      const s = shrink(b.keys, keys);
      if (s > limit) push('max-shrink', `the backup holds ${pct(s)} fewer keys than the baseline ${b.path} (${count(keys)} against ${count(b.keys)})`, `at most ${pct(limit)} fewer`, `${pct(s)} fewer`);
    } else if (b.keys !== null || keys !== null) {
      notJudged('max-shrink', 'keys are compared only when both inputs have RDB parts; bytes are still compared');
    }
    const s = shrink(b.bytes, r.totals.bytes);
    if (s > limit) push('max-shrink', `the backup holds ${pct(s)} fewer bytes than the baseline ${b.path} (${count(r.totals.bytes)} against ${count(b.bytes)})`, `at most ${pct(limit)} fewer`, `${pct(s)} fewer`);
  }
  return out;
}
