/**
 * `check` over many inputs at once: the paths are expanded (`check-inputs.ts`), each input is
 * checked (`check.ts`) — in parallel on worker threads when there are several — then judged
 * against the backup policy (`check-policy.ts`) and the target server, and the results come
 * back in input order, each as soon as it and the ones before it are done, so a long run
 * prints as it goes. Memory stays that of one check per worker: a worker holds one input at
 * a time and sends back only its report.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { InputError, RdbtoolError, UsageError, type ErrorCode } from '../errors.js';
import { startWorker } from '../io/worker.js';
import { CHECK_SCHEMA_VERSION, checkPath, type CheckOptions, type CheckProblem, type CheckReport } from './check.js';
import { findInputs } from './check-inputs.js';
import { applyPolicy, baselineOf, type CheckPolicy } from './check-policy.js';

/** Version of the multi-input report layout (the `--json` contract). */
export const CHECK_RUN_SCHEMA_VERSION = 2;

/** What became of one input. */
export type InputStatus = 'intact' | 'damaged' | 'policy' | 'unreadable';

/** One input's report: the check report plus its overall status and exit code. */
export interface InputResult extends CheckReport {
  /**
   * `intact`: no error; `damaged`: the input has errors of its own (exit 1); `policy`: intact
   * but a policy rule is broken (exit 1); `unreadable`: the input could not be read at all
   * (a missing path, a directory without persistence files: exit 2).
   */
  status: InputStatus;
  /** 0, 1 or 2, from the one exit-code table. */
  exitCode: 0 | 1 | 2;
}

/** Counts over all inputs. */
export interface CheckRunSummary {
  inputs: number;
  intact: number;
  damaged: number;
  policyViolations: number;
  unreadable: number;
  /** The worst exit code of all inputs. */
  exitCode: 0 | 1 | 2;
}

/** The whole run (see the README for the JSON form). */
export interface CheckRunReport {
  /** {@link CHECK_RUN_SCHEMA_VERSION}. */
  schemaVersion: number;
  /** Every input, in the order given (a directory's finds in path order). */
  inputs: InputResult[];
  summary: CheckRunSummary;
  /** The policy rules in force (null when none). */
  policy: Omit<CheckPolicy, 'baseline'> & { baseline?: { path: string; keys: number | null; bytes: number } } | null;
  elapsedMs: number;
}

/** Options of {@link checkPaths}. */
export interface CheckRunOptions {
  /** Options of each input's check (plain data: they travel to worker threads). */
  check?: Omit<CheckOptions, 'onProgress' | 'signal'>;
  /** Policy rules; `baseline` is filled from {@link CheckRunOptions.baselinePath}. */
  policy?: Omit<CheckPolicy, 'baseline'>;
  /** An older input to compare with (`max-shrink`). */
  baselinePath?: string;
  /** Search directories' files by content too. */
  sniff?: boolean;
  /** Worker threads (default: the machine's available parallelism). 1 checks in this thread. */
  jobs?: number;
  /** Clock for `max-age` (Unix ms; default now). */
  nowMs?: number;
  /**
   * Extra judgement applied to each report before its status is set (the target server's
   * verdict): may change the report and returns problems to add.
   */
  judge?: (r: CheckReport) => CheckProblem[];
  /** Called for each input in order, as soon as it and those before it are done. */
  onResult?: (r: InputResult, index: number, total: number) => void;
  /** Progress: of the read for a single input; bytes of the inputs done so far for several. */
  onProgress?: CheckOptions['onProgress'];
}

/**
 * Checks every input the paths name. Inputs that cannot be read are reported in their place
 * (status `unreadable`), never thrown.
 * @throws UsageError when no path is given; InputError when the baseline cannot be read.
 */
export async function checkPaths(paths: readonly string[], opts: CheckRunOptions = {}): Promise<CheckRunReport> {
  const started = performance.now();
  if (paths.length === 0) throw new UsageError('no input given');
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const nowMs = opts.nowMs ?? Date.now();
  const policy: CheckPolicy = { ...(opts.policy ?? {}) };
  if (opts.baselinePath !== undefined) {
    let base: CheckReport;
    try {
      base = await checkPath(opts.baselinePath, { ...opts.check, verify: 'auto' });
    } catch (e) {
      if (e instanceof RdbtoolError) throw new InputError(`cannot read the baseline: ${e.reason}`, { file: opts.baselinePath, cause: e });
      throw e;
    }
    policy.baseline = baselineOf(base);
  }

  const { inputs, problems: searchProblems } = await findInputs(paths, { sniff: opts.sniff });
  // Arguments that gave nothing take their place in the order given.
  const work: ({ path: string } | { path: string; nothing: string })[] = [];
  for (const g of paths) {
    const miss = searchProblems.find((p) => p.given === g);
    if (miss) work.push({ path: g, nothing: miss.reason });
    for (const i of inputs) if (i.given === g && !work.some((w) => w.path === i.path)) work.push({ path: i.path });
  }

  const results: (InputResult | undefined)[] = new Array(work.length);
  let next = 0;
  const deliver = () => {
    while (next < work.length && results[next] !== undefined) {
      opts.onResult?.(results[next]!, next, work.length);
      next++;
    }
  };
  let bytesDone = 0;
  const finish = (i: number, outcome: CheckReport | RdbtoolError) => {
    const report = outcome instanceof RdbtoolError ? unreadableReport(work[i].path, outcome) : outcome;
    results[i] = judged(report, policy, nowMs, opts.judge);
    bytesDone += report.totals.bytes;
    // Several inputs: progress advances as each one is done (a single one reports its own reading).
    if (work.length > 1) opts.onProgress?.({ bytesRead: bytesDone, totalBytes: undefined });
    deliver();
  };
  for (const [i, w] of work.entries()) {
    if ('nothing' in w) results[i] = judged(unreadableReport(w.path, new InputError(w.nothing, { file: w.path })), policy, nowMs, opts.judge);
  }
  deliver();

  const todo = work.map((w, i) => ('nothing' in w ? -1 : i)).filter((i) => i >= 0);
  // Stdin belongs to this thread: a worker thread cannot read it.
  const stdin = todo.filter((i) => work[i].path === '-');
  const files = todo.filter((i) => work[i].path !== '-');
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), files.length));
  if (jobs <= 1) {
    for (const i of todo) {
      const single = todo.length === 1 ? { onProgress: opts.onProgress } : {};
      finish(i, await checkOne(work[i].path, { ...opts.check, ...single }));
    }
  } else {
    const here = async () => {
      for (const i of stdin) finish(i, await checkOne('-', { ...opts.check }));
    };
    // With every core busy on its own input, a second thread for the checksum would only compete.
    await Promise.all([here(), runPool(files, jobs, (i) => ({ path: work[i].path, opts: { checksumWorker: 'never', ...opts.check } }), finish)]);
  }

  const done = results as InputResult[];
  return {
    schemaVersion: CHECK_RUN_SCHEMA_VERSION,
    inputs: done,
    summary: summarize(done),
    policy: Object.keys(policy).length > 0 ? (policy as CheckRunReport['policy']) : null,
    elapsedMs: performance.now() - started,
  };
}

/** Checks one input in this thread; its own read errors are returned, bugs thrown. */
async function checkOne(path: string, opts: CheckOptions): Promise<CheckReport | RdbtoolError> {
  try {
    return await checkPath(path, opts);
  } catch (e) {
    if (e instanceof RdbtoolError) return e;
    throw e;
  }
}

/** The message a check worker sends back. */
export type CheckWorkerReply = { id: number; report: CheckReport } | { id: number; error: { code: string; reason: string; file?: string; offset?: number; expected?: string; found?: string; internal: boolean; stack?: string } };

/** Runs the checks of `todo` on `jobs` worker threads, each taking the next input when it is free. */
async function runPool(
  todo: number[],
  jobs: number,
  job: (i: number) => { path: string; opts: CheckOptions },
  finish: (i: number, outcome: CheckReport | RdbtoolError) => void,
): Promise<void> {
  const queue = [...todo];
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: jobs }, async () => {
        const w = startWorker('analyze/check-worker', null);
        workers.push(w);
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const reply = await ask(w, i, job(i));
          if ('report' in reply) finish(i, reply.report);
          else if (reply.error.internal) throw Object.assign(new Error(reply.error.reason), { stack: reply.error.stack });
          else finish(i, revive(reply.error));
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The typed error a worker reported, made again on this side. */
function revive(e: { code: string; reason: string; file?: string; offset?: number; expected?: string; found?: string }): RdbtoolError {
  const init = { file: e.file, offset: e.offset, expected: e.expected, found: e.found };
  if (e.code === 'USAGE') return new UsageError(e.reason, init);
  if (e.code === 'IO') return new InputError(e.reason, init);
  return new RdbtoolError(e.code as ErrorCode, e.reason, init);
}

function ask(w: Worker, id: number, job: { path: string; opts: CheckOptions }): Promise<CheckWorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: CheckWorkerReply) => {
      if (m.id !== id) return;
      cleanup();
      resolve(m);
    };
    const onError = (e: unknown) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new InputError(`cannot check ${job.path}: its worker thread stopped with code ${code}`, { file: job.path }));
    };
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    w.on('message', onMessage);
    w.once('error', onError);
    w.once('exit', onExit);
    w.postMessage({ id, ...job });
  });
}

/** Adds the policy's and the judge's problems, then sets the status and exit code. */
function judged(r: CheckReport, policy: CheckPolicy, nowMs: number, judge: CheckRunOptions['judge']): InputResult {
  const unreadable = r.files.length === 0 && r.problems.some((p) => p.code === 'IO' || p.code === 'USAGE');
  if (!unreadable) {
    r.problems.push(...(judge?.(r) ?? []), ...applyPolicy(r, policy, nowMs));
    r.totals.errors = r.problems.filter((p) => p.severity === 'error').length;
    r.totals.warnings = r.problems.length - r.totals.errors;
  }
  const damaged = r.problems.some((p) => p.severity === 'error' && p.code !== 'POLICY');
  const policyBroken = r.problems.some((p) => p.severity === 'error' && p.code === 'POLICY');
  r.intact = !damaged;
  const status: InputStatus = unreadable ? 'unreadable' : damaged ? 'damaged' : policyBroken ? 'policy' : 'intact';
  return Object.assign(r, { status, exitCode: status === 'unreadable' ? 2 : status === 'intact' ? 0 : 1 } as const);
}

/** The report of an input that could not be read at all. */
function unreadableReport(path: string, e: RdbtoolError): CheckReport {
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    input: { path, form: 'file', manifest: null, history: [] },
    files: [],
    problems: [
      {
        file: e.file ?? path,
        offset: e.offset ?? null,
        line: null,
        code: e.code,
        severity: 'error',
        section: 'file',
        rule: null,
        reason: e.reason,
        expected: e.expected ?? null,
        found: e.found ?? null,
        context: null,
      },
    ],
    intact: false,
    redisWouldStart: { withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false, reason: `not checked: ${e.reason}`, truncation: null, asRdbSnapshot: null },
    compat: null,
    totals: { files: 0, bytes: 0, commands: 0, annotations: 0, keys: 0, errors: 1, warnings: 0 },
    elapsedMs: 0,
  };
}

function summarize(rs: InputResult[]): CheckRunSummary {
  const n = (s: InputStatus) => rs.filter((r) => r.status === s).length;
  return {
    inputs: rs.length,
    intact: n('intact'),
    damaged: n('damaged'),
    policyViolations: n('policy'),
    unreadable: n('unreadable'),
    exitCode: rs.reduce<0 | 1 | 2>((w, r) => (r.exitCode > w ? r.exitCode : w), 0),
  };
}
