/**
 * The human form of the `check` report, shaped for CI logs:
 *
 * ```
 * <file>: <role>, <what it holds>, <size>: <STATUS>          one header line per file
 * <file>:<offset>: error <CODE>: <reason> (expected X, found Y) [line N]
 *   valid up to byte N of M (K bytes after it; redis-check-aof: ok_up_to=…, ok_up_to_line=…)
 * Redis would start: yes (…); with aof-load-truncated no: no
 * Verdict: intact | DAMAGED (…)
 * ```
 *
 * Problem lines start at column 0 with `path:offset:` (compiler style) so `grep ': error '`
 * finds them; detail lines are indented. Every name and text from the input goes through
 * `printable`.
 */
import type { CheckedFile, CheckProblem, CheckReport, RedisStartVerdict } from '../../analyze/check.js';
import type { CheckRunSummary } from '../../analyze/check-run.js';
import type { CheckCompat } from '../../analyze/check-compat.js';
import { formatCount } from '../bytes.js';
import { printableText as escape } from '../printable.js';

/** Names and messages are shown whole (escaped, never cut). */
const printableText = (s: string): string => escape(s, 1 << 16);

/** Options of {@link renderCheck}. */
export interface CheckRenderOptions {
  /** ANSI colours for statuses and severities. Default false. */
  color?: boolean;
  /** Only the problem lines and the verdict line. Default false. */
  quiet?: boolean;
}

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[39m';

type Paint = (s: string, c: string) => string;

/** Renders a {@link CheckReport} as text (ends with a newline). */
export function renderCheck(r: CheckReport, opts: CheckRenderOptions = {}): string {
  const paint: Paint = opts.color ? (s, c) => c + s + RESET : (s) => s;
  const out: string[] = [];
  const byFile = new Map<string, CheckProblem[]>();
  for (const p of r.problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  const shown = new Set<CheckProblem>();
  const emit = (ps: readonly CheckProblem[] | undefined) => {
    for (const p of ps ?? []) {
      if (shown.has(p)) continue;
      shown.add(p);
      out.push(formatProblem(p, paint));
    }
  };

  if (r.input.manifest !== null) {
    if (!opts.quiet) out.push(manifestLine(r));
    emit(byFile.get(r.input.manifest));
  }
  for (const f of r.files) {
    if (!opts.quiet) out.push(fileLine(f, r, paint));
    emit(byFile.get(f.name));
    if (!opts.quiet) out.push(...detailLines(f, r));
  }
  emit(r.problems); // anything not tied to a listed file (an empty input)
  const unreadable = 'status' in r && r.status === 'unreadable';
  if (!opts.quiet && !unreadable) out.push(redisLine(r.redisWouldStart, paint, r.compat?.target ?? null));
  if (!opts.quiet && r.compat) out.push(...compatLines(r.compat, r.redisWouldStart));
  out.push(verdictLine(r, paint));
  return out.join('\n') + '\n';
}

/** One problem: `file:offset: severity CODE: reason (expected X, found Y) [line N]`. */
export function formatProblem(p: CheckProblem, paint: Paint = (s) => s): string {
  const where = printableText(p.file) + (p.offset !== null ? `:${p.offset}` : '');
  const sev = paint(p.severity, p.severity === 'error' ? RED : YELLOW);
  let s = `${where}: ${sev} ${p.code}${p.rule ? ` ${p.rule}` : ''}: ${printableText(p.reason)}`;
  const ef: string[] = [];
  if (p.expected !== null) ef.push(`expected ${printableText(p.expected)}`);
  if (p.found !== null) ef.push(`found ${printableText(p.found)}`);
  if (ef.length > 0) s += ` (${ef.join(', ')})`;
  const c = p.context;
  if (c && typeof c.key === 'string') {
    const what = typeof c.what === 'string' ? ` (${c.what})` : '';
    const db = typeof c.db === 'number' ? ` in db ${c.db}` : '';
    s += ` while reading key "${printableText(c.key)}"${what}${db}`;
  }
  if (p.line !== null) s += ` [line ${p.line}]`;
  return s;
}

function manifestLine(r: CheckReport): string {
  const base = r.files.filter((f) => f.role === 'base').length;
  const incr = r.files.filter((f) => f.role === 'incr').length;
  const listed = r.files.length === 0 && r.problems.some((p) => p.section === 'manifest') ? 'unreadable' : `${base ? 'base + ' : ''}${incr} incr file(s)`;
  const history = r.input.history.length > 0 ? `, ${r.input.history.length} history file(s) not read` : '';
  return `${printableText(r.input.manifest ?? '')}: manifest of a multi-part AOF: ${listed}${history}`;
}

const STATUS_WORD: Record<CheckedFile['status'], string> = { ok: 'ok', empty: 'empty', truncated: 'TRUNCATED', corrupt: 'CORRUPT', missing: 'MISSING' };

function fileLine(f: CheckedFile, r: CheckReport, paint: Paint): string {
  const parts: string[] = [];
  if (f.role !== 'file') parts.push(`${f.role} seq ${f.seq}${f.manifestLine !== null ? ` (manifest line ${f.manifestLine})` : ''}`);
  parts.push(contentText(f));
  if (f.size !== null) parts.push(`${formatCount(f.size)} bytes`);
  const errors = r.problems.some((p) => p.file === f.name && p.severity === 'error' && p.section !== 'policy');
  const word = f.content === 'foreign' ? 'NOT A REDIS FILE' : errors && f.status === 'empty' ? 'EMPTY' : STATUS_WORD[f.status];
  const status = paint(word, errors ? RED : GREEN);
  return `${printableText(f.name)}: ${parts.join(', ')}: ${status}`;
}

/** `RDB v10` (plus `(Valkey)`), and separately `CRC-64 ok, 21 key(s)`. */
function rdbParts(f: CheckedFile): [string, string] {
  const rdb = f.rdb!;
  const v = rdb.version !== null ? ` v${rdb.version}` : '';
  const magic = rdb.magic === 'VALKEY' ? ' (Valkey)' : '';
  const crc = rdb.checksum === 'not-reached' ? 'checksum not reached' : `CRC-64 ${rdb.checksum}`;
  return [`RDB${v}${magic}`, `${crc}, ${formatCount(rdb.keys)} key(s)`];
}

function commandsText(f: CheckedFile): string {
  return `${formatCount(f.commands)} command(s), ${formatCount(f.annotations)} annotation(s)`;
}

function contentText(f: CheckedFile): string {
  switch (f.content) {
    case null:
      return 'listed in the manifest';
    case 'empty':
      return 'empty';
    case 'foreign':
      return 'not a Redis persistence file';
    case 'aof':
      return `AOF, ${commandsText(f)}`;
    case 'rdb':
      return f.rdb ? rdbParts(f).join(', ') : 'RDB';
    case 'hybrid': {
      const [rdb, facts] = f.rdb ? rdbParts(f) : ['RDB', ''];
      return `hybrid AOF: ${rdb} preamble${facts ? ` (${facts})` : ''}, then ${commandsText(f)} from byte ${f.respOffset}`;
    }
  }
}

function detailLines(f: CheckedFile, r: CheckReport): string[] {
  if (f.status !== 'truncated' && f.status !== 'corrupt') return [];
  if (f.content === 'foreign') return [];
  const rdbDamage = r.problems.find((p) => p.file === f.name && p.section === 'rdb' && p.severity === 'error');
  if (rdbDamage && f.redisCheckAof === null) return rdbDetail(f, rdbDamage);
  const out: string[] = [];
  const tool = f.redisCheckAof
    ? `redis-check-aof: ok_up_to=${f.redisCheckAof.okUpTo}, ok_up_to_line=${f.redisCheckAof.okUpToLine}`
    : 'redis-check-aof stops in its RDB check';
  out.push(`  valid up to byte ${f.okUpTo} of ${f.size} (${formatCount(f.lostBytes ?? 0)} byte(s) after it; ${tool})`);
  if (f.pendingMulti && f.multiOffset !== null) out.push(`  ends inside a MULTI block opened at byte ${f.multiOffset} (no EXEC)`);
  return out;
}

/**
 * An RDB (a file, a preamble, a base) damaged before its end: no cut saves it, so the useful
 * facts are how far it was read and what that means for loading it.
 */
function rdbDetail(f: CheckedFile, p: CheckProblem): string[] {
  const keys = f.rdb?.keys ?? 0;
  const cut = p.context && typeof p.context.key === 'string' ? `, the last of them cut short` : '';
  const where = p.offset !== null ? ` before byte ${formatCount(p.offset)} of ${formatCount(f.size ?? 0)}` : '';
  const out = [`  ${formatCount(keys)} key(s) read${where}${cut}`];
  if (f.content === 'rdb' && f.role === 'file') out.push('  Redis loads nothing from a damaged RDB: restore another copy (or export the keys read so far with rdbtool export)');
  else if (f.content === 'rdb' || f.role === 'base') out.push('  the RDB base is damaged: no cut of the AOF can save it (redis-check-aof stops in its RDB check)');
  else out.push('  the RDB preamble is damaged: no cut of the AOF can save it (redis-check-aof stops in its RDB check)');
  return out;
}

const yesNo = (b: boolean, paint: Paint) => paint(b ? 'yes' : 'no', b ? GREEN : RED);

/**
 * The one-line Redis start verdict. A single file that may be a snapshot gets both readings
 * (as `dump.rdb`, as an AOF) unless they agree.
 */
export function redisLine(v: RedisStartVerdict, paint: Paint = (s) => s, target: string | null = null): string {
  const head = target ? `Redis would start (${target}): ` : 'Redis would start: ';
  let aof: string;
  if (v.withAofLoadTruncatedYes && v.withAofLoadTruncatedNo) {
    aof = yesNo(true, paint);
    if (v.reason !== 'every file loads as it is') aof += ` (${printableText(v.reason)})`;
  } else if (v.withAofLoadTruncatedYes) {
    aof = `${yesNo(true, paint)} (${printableText(v.reason)}); with aof-load-truncated no: ${yesNo(false, paint)}`;
  } else {
    aof = `${yesNo(false, paint)} (${printableText(v.reason)})`;
  }
  const snap = v.asRdbSnapshot;
  if (!snap) return `${head}${aof}`;
  const both = v.withAofLoadTruncatedYes === snap.loads && v.withAofLoadTruncatedNo === snap.loads;
  if (both && !snap.loads) return `${head}${yesNo(false, paint)} (${printableText(snap.reason)})`;
  if (both && snap.reason === 'the RDB is intact') return `${head}${yesNo(true, paint)} (as dump.rdb, and as an AOF)`;
  const s = `${yesNo(snap.loads, paint)}${snap.reason === 'the RDB is intact' ? '' : ` (${printableText(snap.reason)})`}`;
  return `${head}as dump.rdb: ${s}; as an AOF: ${aof}`;
}

/** `Redis 7.0` from `redis@7.0`. */
function releaseName(id: string): string {
  const [server, line] = id.split('@');
  return `${server === 'valkey' ? 'Valkey' : 'Redis'} ${line}`;
}

/**
 * What servers load the input: without a target, the oldest Redis and Valkey lines (when the
 * input loads at all); with one, the modules it needs and the other blockers' count.
 */
function compatLines(c: CheckCompat, v: RedisStartVerdict): string[] {
  const out: string[] = [];
  const j = c.judgement;
  if (j) {
    for (const req of j.requires) out.push(`  ${printableText(req.message)}`);
    for (const note of j.notes) out.push(`  ${printableText(note)}`);
    return out;
  }
  if (!v.withAofLoadTruncatedYes && !v.asRdbSnapshot?.loads) return out;
  const o = c.oldest;
  const redis = o.redis ? `Redis ${releaseName(o.redis).slice(6)}` : 'no Redis release';
  let valkey = o.valkey ? `Valkey ${releaseName(o.valkey).slice(7)}` : 'no Valkey release';
  if (o.valkeyRelaxed && o.valkeyRelaxed !== o.valkey) valkey += ` (${releaseName(o.valkeyRelaxed)} with rdb-version-check relaxed)`;
  out.push(`Oldest servers that load it: ${redis}, ${valkey} (check one with --target)`);
  return out;
}

/** The closing line of a run over several inputs: `44 inputs: 41 intact, 2 damaged, 1 policy violation`. */
export function renderCheckSummary(s: CheckRunSummary, opts: { color?: boolean } = {}): string {
  const paint: Paint = opts.color ? (x, c) => (c ? c + x + RESET : x) : (x) => x;
  const parts = [paint(`${s.intact} intact`, s.intact === s.inputs ? GREEN : '')];
  if (s.damaged > 0) parts.push(paint(`${s.damaged} damaged`, RED));
  if (s.policyViolations > 0) parts.push(paint(`${s.policyViolations} policy violation${s.policyViolations === 1 ? '' : 's'}`, RED));
  if (s.unreadable > 0) parts.push(paint(`${s.unreadable} unreadable`, RED));
  return `${s.inputs} input${s.inputs === 1 ? '' : 's'}: ${parts.join(', ')}\n`;
}

function verdictLine(r: CheckReport, paint: Paint): string {
  const t = r.totals;
  const what = [`${t.files} file(s)`, `${formatCount(t.bytes)} bytes`];
  if (t.keys > 0) what.push(`${formatCount(t.keys)} key(s)`);
  if (t.commands > 0) what.push(`${formatCount(t.commands)} command(s)`);
  const warn = t.warnings > 0 ? `, ${t.warnings} warning(s)` : '';
  const policy = r.problems.filter((p) => p.severity === 'error' && p.code === 'POLICY').length;
  const damage = t.errors - policy;
  if ('status' in r && r.status === 'unreadable') return `Verdict: ${paint('UNREADABLE', RED)}: the input could not be read`;
  if (damage === 0 && policy === 0) return `Verdict: ${paint('intact', GREEN)}${warn} (${what.join(', ')})`;
  if (damage === 0) return `Verdict: intact, but ${paint('POLICY VIOLATION', RED)}: ${policy} rule problem(s)${warn} (${what.join(', ')})`;
  const also = policy > 0 ? ` and ${policy} policy problem(s)` : '';
  return `Verdict: ${paint('DAMAGED', RED)}: ${damage} error(s)${also}${warn} (${what.join(', ')})`;
}
