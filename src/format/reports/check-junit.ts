/**
 * The `check --junit` report: JUnit XML as CI test reporters read it (GitLab, Jenkins, GitHub
 * test-report actions). One testsuite for the run, one testcase per input (named by its
 * path), a `<failure>` per problem of severity error (the input's own damage or a broken
 * policy rule), an `<error>` for an input that could not be read, and warnings and the
 * verdict in `<system-out>`. Every text from the input goes through the printable escaping
 * first, then XML escaping, so no control byte reaches the XML.
 */
import type { CheckProblem } from '../../analyze/check.js';
import type { CheckRunReport, InputResult } from '../../analyze/check-run.js';
import { formatProblem, redisLine } from './check.js';

/** XML-escapes text (also quotes, for attributes) and drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** Renders the run as a JUnit XML document (ends with a newline). */
export function renderJunit(run: CheckRunReport, now: Date = new Date()): string {
  const failures = run.inputs.filter((r) => r.status === 'damaged' || r.status === 'policy').length;
  const errors = run.inputs.filter((r) => r.status === 'unreadable').length;
  const head = `tests="${run.inputs.length}" failures="${failures}" errors="${errors}" time="${seconds(run.elapsedMs)}"`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rdbtool check" ${head}>`,
    `  <testsuite name="rdbtool check" ${head} skipped="0" timestamp="${now.toISOString().replace(/\.\d+Z$/, '')}">`,
  ];
  for (const r of run.inputs) out.push(...testcase(r));
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}

function testcase(r: InputResult): string[] {
  const name = xmlEscape(r.input.path);
  const out = [`    <testcase classname="rdbtool.check" name="${name}" file="${name}" time="${seconds(r.elapsedMs)}">`];
  const errors = r.problems.filter((p) => p.severity === 'error');
  for (const p of errors) {
    const tag = r.status === 'unreadable' ? 'error' : 'failure';
    out.push(`      <${tag} type="${xmlEscape(p.code)}" message="${xmlEscape(summary(p))}">${xmlEscape(formatProblem(p))}</${tag}>`);
  }
  const notes = [
    ...r.problems.filter((p) => p.severity === 'warning').map((p) => formatProblem(p)),
    ...(r.status === 'unreadable' ? [] : [redisLine(r.redisWouldStart, undefined, r.compat?.target ?? null)]),
    `status: ${r.status}`,
  ];
  out.push(`      <system-out>${xmlEscape(notes.join('\n'))}</system-out>`);
  out.push('    </testcase>');
  return out;
}

/** The one-line message of a failure: code, rule and reason. */
function summary(p: CheckProblem): string {
  return `${p.code}${p.rule ? ` ${p.rule}` : ''}: ${p.reason}${p.offset !== null ? ` (byte ${p.offset})` : ''}`;
}
