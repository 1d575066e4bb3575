/**
 * The server-compatibility side of `check`: the facts a check gathered, judged against the
 * release table. With a target (`--target redis@7.0`) "Redis would start" becomes that
 * server's verdict, and a server that cannot load the input is a policy problem listing every
 * blocker with its count; without one, the report names the oldest Redis and Valkey lines
 * that load the input.
 */
import { judge, oldestLoaders, type CompatJudgement, type InputFacts, type OldestLoaders } from './compat.js';
import type { ServerRelease } from '../model/server-releases.js';
import type { CheckProblem, CheckReport } from './check.js';

/** What the report says about servers. */
export interface CheckCompat {
  /** The target judged (`redis@7.0`), or null. */
  target: string | null;
  /** The target's verdict (null without a target). */
  judgement: CompatJudgement | null;
  /** The oldest Redis and Valkey lines that load the input as it is. */
  oldest: OldestLoaders;
}

/** The compatibility facts of a checked input, file by file in load order. */
export function inputFactsOf(r: CheckReport): InputFacts {
  return {
    name: r.input.path,
    multipart: r.input.form === 'multipart',
    files: r.files.map((f) => ({
      name: f.name,
      content: f.content === 'foreign' ? null : f.content,
      rdb: f.facts.rdb,
      annotations: f.facts.annotations,
    })),
  };
}

/**
 * Judges a report against `target` (or only finds the oldest loaders when null): sets
 * `r.compat`, turns "Redis would start" into the target's verdict, and returns one `POLICY`
 * problem (rule `target`) per blocker.
 */
export function judgeReport(r: CheckReport, target: ServerRelease | null): CheckProblem[] {
  const facts = inputFactsOf(r);
  const judgement = target ? judge(facts, target) : null;
  r.compat = { target: target?.id ?? null, judgement, oldest: oldestLoaders(facts) };
  if (!judgement || judgement.loads) return [];
  const relaxed = judgement.relaxed?.loads ? ' (it would with rdb-version-check relaxed)' : '';
  const first = judgement.blockers[0];
  const more = judgement.blockers.length > 1 ? ` and ${judgement.blockers.length - 1} more reason(s)` : '';
  const reason = `${judgement.target} cannot load it: ${first.message}${more}${relaxed}`;
  const v = r.redisWouldStart;
  r.redisWouldStart = {
    ...v,
    withAofLoadTruncatedYes: false,
    withAofLoadTruncatedNo: false,
    reason,
    truncation: null,
    asRdbSnapshot: v.asRdbSnapshot ? { loads: false, reason } : null,
  };
  return judgement.blockers.map((b) => ({
    file: b.file,
    offset: null,
    line: null,
    code: 'POLICY' as const,
    severity: 'error' as const,
    section: 'policy' as const,
    rule: 'target',
    reason: `${judgement.target} cannot load it: ${b.message}`,
    expected: `what ${judgement.target} loads`,
    found: b.what,
    context: null,
  }));
}
