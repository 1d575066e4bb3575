/**
 * `repair` plans and results for people (aligned text) and for scripts (one JSON document;
 * the schema is in the README's `repair` section). Internal fields (raw paths, file
 * identities) never appear in either.
 */
import { formatCount } from '../format/bytes.js';
import { printableText } from '../format/printable.js';
import type { RepairDamage, RepairPlan, RepairTimestamp } from './repair-plan.js';
import type { RepairResult } from './repair.js';

/** The JSON form of a plan. */
export function repairPlanJson(plan: RepairPlan): Record<string, unknown> {
  return {
    input: plan.input,
    form: plan.form,
    manifest: plan.manifestPath,
    mode: plan.mode,
    toTimestampSec: plan.toTimestampSec,
    action: plan.action,
    refusal: plan.refusal,
    reason: plan.reason,
    target: plan.target ? { file: plan.target.name, role: plan.target.role, bytes: plan.target.bytes } : null,
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

function stamp(t: RepairTimestamp | null): string {
  if (t === null) return 'none';
  let when = '';
  try {
    when = ` (${new Date(t.sec * 1000).toISOString().replace(/\.000Z$/, 'Z')})`;
  } catch {
    // out of the Date range: the number alone
  }
  return `#TS:${t.sec}${when} at byte ${formatCount(t.offset)} of ${name(t.file)}`;
}

/** A plan as text: what was found, what will be cut (or why not), what is lost. */
export function renderRepairPlan(plan: RepairPlan): string {
  const kind = plan.form === 'multipart' ? `multi-part AOF, ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}` : 'single file';
  const mode = plan.mode === 'timestamp' ? `, truncate to timestamp ${plan.toTimestampSec}` : '';
  let out = `repair plan for ${name(plan.input)} (${kind}${mode})\n`;
  if (plan.form === 'multipart') {
    for (const f of plan.files) {
      const size = f.bytes === null ? 'missing' : `${bytes(f.bytes)}, ${f.status}`;
      out += row(f.role, `${name(f.name)} (${size})`);
    }
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
  for (const n of plan.notes) out += row('note', n);
  return out;
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
  return `Truncate ${name(t.name)} from ${t.bytes} to ${plan.cutOffset} bytes, losing ${plan.bytesLost} bytes (${plan.commandsLost} command${plan.commandsLost === 1 ? '' : 's'})? [y/N] `;
}
