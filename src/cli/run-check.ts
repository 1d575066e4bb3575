/**
 * What `rdbtool check` does once its arguments are parsed (loaded only when the command
 * runs): read the policy and the target, check every input, and print as the results come
 * in — each input's report in the order given, then the summary — or one JSON document, and
 * the JUnit file when asked.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { Limits } from '../limits.js';
import { checkPaths, type CheckRunReport } from '../analyze/check-run.js';
import { parseDuration, type CheckPolicy } from '../analyze/check-policy.js';
import { judgeReport } from '../analyze/check-compat.js';
import { parseTarget } from '../analyze/compat.js';
import { renderCheck, renderCheckSummary } from '../format/reports/check.js';
import { renderJunit } from '../format/reports/check-junit.js';
import { stringifyJson } from '../format/json.js';
import { shouldUseColor } from '../format/table.js';
import { describeFsError } from '../io/fs-error.js';
import type { ExitCode } from './exit-codes.js';
import { withOutputSink, type CliIo, type CommandContext } from './run.js';

/** The parsed arguments of `check`. */
export interface RunCheckArgs {
  paths: string[];
  json: boolean;
  output: string | undefined;
  quiet: boolean;
  deep: boolean;
  jobs: number | undefined;
  sniff: boolean;
  junit: string | undefined;
  target: string | undefined;
  limits: Partial<Limits>;
  policy: Omit<CheckPolicy, 'maxAgeMs' | 'baseline'> & { maxAge: string | undefined };
  baseline: string | undefined;
}

/** Runs `check` and returns its exit code (the worst over all inputs). */
export async function runCheck(io: CliIo, ctx: CommandContext, a: RunCheckArgs): Promise<ExitCode> {
  const target = a.target !== undefined ? parseTarget(a.target) : null;
  const { maxAge, ...rules } = a.policy;
  const policy: Omit<CheckPolicy, 'baseline'> = { ...rules, ...(maxAge !== undefined ? { maxAgeMs: parseDuration(maxAge) } : {}) };
  for (const out of [a.output, a.junit]) {
    if (out === undefined || out === '-') continue;
    const clash = a.paths.find((p) => p !== '-' && path.resolve(p) === path.resolve(out));
    if (clash !== undefined) throw new UsageError(`the output file ${out} is an input`);
  }
  if (a.junit === '-') throw new UsageError('--junit needs a file name (stdout carries the report)');

  const color = a.output === undefined && !a.json && shouldUseColor(io.stdoutIsTty, io.env);
  const run: CheckRunReport = await withOutputSink(io, a.output, undefined, async (sink) => {
    let first = true;
    const report = await checkPaths(a.paths, {
      check: {
        limits: a.limits,
        verify: a.deep ? 'deep' : 'auto',
        thresholds: { maxKeyBytes: policy.maxKeyBytes, maxElements: policy.maxElements },
      },
      policy,
      baselinePath: a.baseline,
      sniff: a.sniff,
      jobs: a.jobs,
      judge: (r) => judgeReport(r, target),
      onProgress: ctx.progress(),
      onResult: (r) => {
        // An input that cannot be read is also said on stderr, as every command says I/O errors.
        if (r.status === 'unreadable') for (const p of r.problems) ctx.warn(`${p.file}: ${p.reason}`);
        if (a.json) return;
        const text = renderCheck(r, { color, quiet: a.quiet });
        void sink.write((first ? '' : '\n') + text);
        first = false;
      },
    });
    if (a.json) await sink.write(stringifyJson(report, 2) + '\n');
    else if (report.inputs.length > 1) await sink.write('\n' + renderCheckSummary(report.summary, { color }));
    return report;
  });
  if (a.junit !== undefined) await writeJunit(a.junit, renderJunit(run));
  return run.summary.exitCode;
}

async function writeJunit(file: string, xml: string): Promise<void> {
  try {
    await fsp.writeFile(file, xml);
  } catch (e) {
    throw new InputError(`cannot write the JUnit report: ${describeFsError(e)}`, { file, cause: e });
  }
}
