/**
 * `repair` plans and results for people (aligned text) and for scripts (one JSON document;
 * the schema is in the README's `repair` section). Internal fields (raw paths, file
 * identities) never appear in either.
 */
import { formatCount } from '../format/bytes.js';
import { printableText } from '../format/printable.js';
import type { PartLink } from '../pipeline/detect.js';
import type { RepairDamage, RepairPlan, RepairTimestamp } from './repair-plan.js';
import type { RepairResult, RepairWrite } from './repair.js';

/** The JSON form of a plan, with what applying it writes when `writes` is given (see `plannedWrites`). */
export function repairPlanJson(plan: RepairPlan, writes?: readonly RepairWrite[]): Record<string, unknown> {
  return {
    input: plan.input,
    form: plan.form,
    manifest: plan.manifestPath,
    mode: plan.mode,
    toTimestampSec: plan.toTimestampSec,
    output: plan.output,
    allowEmptyResult: plan.allowEmptyResult,
    followSymlinks: plan.followSymlinks,
    action: plan.action,
    refusal: plan.refusal,
    reason: plan.reason,
    target: plan.target ? { file: plan.target.name, role: plan.target.role, bytes: plan.target.bytes, link: plan.target.link } : null,
    cutOffset: plan.cutOffset,
    bytesLost: plan.bytesLost,
    commandsLost: plan.commandsLost,
    completeCommandsLost: plan.completeCommandsLost,
    incompleteCommandLost: plan.incompleteCommandLost,
    unreadBytesLost: plan.unreadBytesLost,
    lastKeptTimestamp: plan.lastKeptTimestamp,
    firstLostTimestamp: plan.firstLostTimestamp,
    damage: plan.damage ? damageJson(plan.damage) : null,
    matchesRedisCheckAof: plan.matchesRedisCheckAof,
    notes: plan.notes,
    files: plan.files.map((f) => ({ ...f })),
    ...(writes ? { writes: writes.map((w) => ({ ...w })) } : {}),
  };
}

/** The JSON form of a result. */
export function repairResultJson(r: RepairResult): Record<string, unknown> {
  return {
    changed: r.changed,
    inPlace: r.inPlace,
    written: r.written,
    backup: r.backup,
    bytesBefore: r.bytesBefore,
    bytesAfter: r.bytesAfter,
    verified: r.verified ? { clean: r.verified.clean, files: r.verified.files, damage: r.verified.damage ? damageJson(r.verified.damage) : null } : null,
  };
}

function damageJson(d: RepairDamage): Record<string, unknown> {
  return {
    file: d.file,
    section: d.section,
    code: d.code,
    reason: d.reason,
    offset: d.offset,
    line: d.line ?? null,
    unitOffset: d.unitOffset ?? null,
    expected: d.expected ?? null,
    found: d.found ?? null,
  };
}

const LABEL = 12;
const row = (label: string, value: string) => `  ${label.padEnd(LABEL)} ${value}\n`;
const name = (s: string) => printableText(s);
const bytes = (n: number) => `${formatCount(n)} byte${n === 1 ? '' : 's'}`;

/** `-> /elsewhere/x.aof (outside the AOF directory)` */
function linkText(l: PartLink, outside: string): string {
  const to = l.resolved ?? `${l.target} (which leads nowhere)`;
  return `-> ${name(to)}${l.leavesDirectory && l.resolved !== null ? ` (outside ${outside})` : ''}`;
}

/** `2022-02-01T04:19:10Z`, or '' out of the Date range. */
function isoTime(sec: number): string {
  const d = new Date(sec * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.000Z$/, 'Z');
}

function stamp(t: RepairTimestamp | null): string {
  if (t === null) return 'none';
  const iso = isoTime(t.sec);
  const when = iso ? ` (${iso})` : '';
  return `#TS:${t.sec}${when} at byte ${formatCount(t.offset)} of ${name(t.file)}`;
}

/**
 * A plan as text: what was found (every symbolic link and where it leads), what will be cut
 * (or why not), what is lost, and, when `writes` is given, what will be written where.
 */
export function renderRepairPlan(plan: RepairPlan, writes?: readonly RepairWrite[]): string {
  const kind = plan.form === 'multipart' ? `multi-part AOF, ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}` : 'single file';
  let mode = '';
  if (plan.mode === 'timestamp') {
    const iso = isoTime(plan.toTimestampSec!);
    mode = `, truncate to timestamp ${plan.toTimestampSec}${iso ? ` (${iso})` : ''}`;
  }
  let out = `repair plan for ${name(plan.input)} (${kind}${mode})\n`;
  if (plan.form === 'multipart') {
    for (const f of plan.files) {
      const size = f.bytes === null ? 'missing' : `${bytes(f.bytes)}, ${f.status}`;
      out += row(f.role, `${name(f.name)} (${size})${f.link ? ` ${linkText(f.link, 'the AOF directory')}` : ''}`);
    }
  } else if (plan.files[0]?.link) {
    out += row('link', `${name(plan.files[0].name)} ${linkText(plan.files[0].link, 'its directory')}`);
  }
  const d = plan.damage;
  out += row('damage', d ? `${name(d.file)}: ${d.reason} at byte ${formatCount(d.offset)} (${d.code})` : 'none');
  const t = plan.target;
  const cut = t && plan.cutOffset !== null ? `truncate ${name(t.name)} from ${bytes(t.bytes)} to ${bytes(plan.cutOffset)}` : '';
  if (plan.action === 'none') out += row('action', `none: ${plan.reason}`);
  else if (plan.action === 'truncate') out += row('action', cut) + row('why', plan.reason);
  else out += row('action', `refused (${plan.refusal}): ${plan.reason}`);
  if (plan.action === 'refuse' && cut) out += row('would', cut);
  if (t) {
    const parts = [`${plan.completeCommandsLost} complete`];
    if (plan.incompleteCommandLost) parts.push('1 incomplete');
    let lost = `${bytes(plan.bytesLost)}, ${plan.commandsLost} command${plan.commandsLost === 1 ? '' : 's'} (${parts.join(' + ')})`;
    if (plan.unreadBytesLost > 0) lost += `, ${bytes(plan.unreadBytesLost)} never read`;
    out += row('loses', lost);
    out += row('last kept', stamp(plan.lastKeptTimestamp));
    out += row('first lost', stamp(plan.firstLostTimestamp));
    out += row('same as', plan.matchesRedisCheckAof ? 'redis-check-aof leaves the same bytes' : 'differs from redis-check-aof (see note)');
  }
  for (const w of writes ?? []) out += row(w.kind === 'backup' ? 'backup to' : 'writes', writeText(w, writes!));
  for (const n of plan.notes) out += row('note', n);
  return out;
}

function writeText(w: RepairWrite, all: readonly RepairWrite[]): string {
  switch (w.kind) {
    case 'backup': {
      const cut = all.find((x) => x.kind === 'cut');
      const base = cut ? cut.path.slice(cut.path.lastIndexOf('/') + 1) : '<file>';
      return `${name(w.path)}${w.path.endsWith('/') ? '' : '/'}${name(base)}.<UTC time>.bak, made before anything changes`;
    }
    case 'cut': {
      const via = w.via ? `, the file the link ${name(w.via)} points to (the link stays as it is)` : '';
      return `${name(w.path)}${via}: the kept bytes go to a temporary file beside it, renamed over it`;
    }
    case 'copy':
      return `${name(w.path)}, a new file (the input is only read)`;
    case 'directory':
      return `${name(w.path)}, a new directory with the manifest and every file as regular files (the input is only read)`;
  }
}

/** A result as text: the backup, the new size, and the read-back verdict. */
export function renderRepairResult(r: RepairResult): string {
  let out = '';
  if (r.backup) out += row('backup', `${name(r.backup.path)} (${r.backup.method === 'link' ? 'hard link to the original' : 'copy'})`);
  if (r.written) {
    const size = r.bytesBefore !== null && r.bytesAfter !== null ? `: ${bytes(r.bytesBefore)} -> ${bytes(r.bytesAfter)}` : ': copied unchanged';
    out += row(r.inPlace ? 'repaired' : 'written', `${name(r.written)}${size}`);
  }
  if (r.verified) {
    const v = r.verified;
    out += row('verified', v.clean ? `checks clean (${v.files} file${v.files === 1 ? '' : 's'} read back)` : `NOT clean: ${name(v.damage!.file)}: ${v.damage!.reason} at byte ${v.damage!.offset}`);
  }
  return out;
}

/** The question asked before changing a file in place. */
export function repairQuestion(plan: RepairPlan): string {
  const t = plan.target!;
  const via = t.link?.resolved ? ` (the file it links to, ${name(t.link.resolved)})` : '';
  return `Truncate ${name(t.name)}${via} from ${t.bytes} to ${plan.cutOffset} bytes, losing ${plan.bytesLost} bytes (${plan.commandsLost} command${plan.commandsLost === 1 ? '' : 's'})? [y/N] `;
}
