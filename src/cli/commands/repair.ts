/** `rdbtool repair <path>`: cut a damaged AOF tail exactly where `redis-check-aof --fix` does, safely. */
import type { Argv, CommandModule } from 'yargs';
import type { RepairResult } from '../../repair/repair.js';
import { ExitCode } from '../exit-codes.js';
import { limitsFrom, withLimits, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, UsageError, type CliIo } from '../run.js';

/** One value of an option that takes one (yargs hands an array over when it is repeated). */
const single = (flag: string, v: unknown): string => {
  if (Array.isArray(v)) throw new UsageError(`${flag} is given more than once`);
  return String(v);
};

/** `--max-loss-bytes N`: a whole number of bytes. */
const byteCount = (flag: string) => (v: unknown): number => {
  const text = single(flag, v);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}: expected a number of bytes (an integer >= 0)`);
  return n;
};

/** `2022-02-01T04:19:10Z`, `2022-02-01 06:19+02:00`, with optional fractions of a second. */
const ISO_8601 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?([Zz]|[+-]\d\d(?::?\d\d)?)?$/;

/**
 * `--truncate-to-timestamp T`: Unix seconds, or an ISO 8601 date and time with a zone, read
 * as the whole second it falls in (annotations are whole seconds, so a fraction changes
 * nothing). A time without a zone is refused: a point-in-time cut off by the local offset
 * would keep or lose hours of writes.
 */
const timestamp = (flag: string) => (v: unknown): number => {
  const text = single(flag, v);
  const accepts = 'Unix seconds (an integer >= 1) or an ISO 8601 date and time with a zone, such as 2022-02-01T04:19:10Z';
  const bad = (why = '') => new UsageError(`invalid ${flag} ${JSON.stringify(text)}${why}: expected ${accepts}`);
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw bad();
    return n;
  }
  const m = ISO_8601.exec(text);
  if (!m) throw bad();
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const zone = m[7];
  if (zone === undefined) throw bad(' (no zone: add Z for UTC or an offset such as +02:00)');
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const t = new Date(local);
  // Date.UTC rolls over out-of-range fields (Feb 30 -> Mar 2): a roll-over means a bad date.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || t.getUTCHours() !== h || t.getUTCMinutes() !== mi || t.getUTCSeconds() !== s) {
    throw bad(' (no such date or time)');
  }
  let offsetMin = 0;
  const z = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
  if (z) {
    const [oh, om] = [Number(z[2]), Number(z[3] ?? 0)];
    if (oh > 23 || om > 59) throw bad(' (no such zone offset)');
    offsetMin = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const sec = Math.floor((local - offsetMin * 60_000) / 1000);
  if (sec < 1) throw bad(' (before 1970-01-01T00:00:01Z)');
  return sec;
};

const EPILOGUE = [
  'Exit codes:',
  '  0  repaired, or nothing to repair (--dry-run: the plan can be applied)',
  '  1  refused: damage a cut cannot repair (an RDB part, a file before the',
  '     last, a missing file), a file that is not an AOF or RDB at all, a cut',
  '     that keeps no command of a file without one complete command (see',
  '     --allow-empty-result), a cut through a symbolic link out of its',
  '     directory (see --follow-symlinks), a cut over --max-loss-bytes or a',
  '     timestamp cut that cannot be made; or the result does not check clean',
  '  2  usage or I/O error: no --yes without a terminal, an answer other than',
  '     "y", an output that cannot be written, a failed backup, an input that',
  '     changed since it was read',
  '',
  'In place, a backup <file>.<UTC time>.bak is kept next to the file (a hard link when possible) unless ' +
    '--no-backup is given together with --yes. The cut is written to a temporary file, flushed and renamed ' +
    'over the original, so a crash leaves either the old or the new file. The plan says what will be written where.',
  '',
  'A symbolic link is never replaced by a regular file: through a link the file it points to is cut and backed up ' +
    'beside it. A link that leads out of the AOF directory (for a single file: out of the directory the link is in) ' +
    'is only written through with --follow-symlinks; -o only reads it.',
].join('\n');

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'An AOF file (plain or hybrid), a multi-part AOF directory, or its manifest' })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'Print the plan; change nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the plan and the result as one JSON document' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Repair in place without asking (for scripts)' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write the repaired copy here (a file, or a new directory for a multi-part set); the input is left untouched' })
      .option('backup', { type: 'boolean', default: true, describe: 'Keep a backup before changing a file in place (--no-backup needs --yes)' })
      .option('backup-dir', { type: 'string', requiresArg: true, describe: 'Put the backup in DIR (created if needed) instead of next to the file' })
      .option('max-loss-bytes', { type: 'string', requiresArg: true, coerce: byteCount('--max-loss-bytes'), describe: 'Refuse a cut that loses more than N bytes (an integer >= 0)' })
      .option('truncate-to-timestamp', {
        type: 'string',
        requiresArg: true,
        coerce: timestamp('--truncate-to-timestamp'),
        describe:
          'Point-in-time recovery: cut at the first #TS annotation after T, given as Unix seconds or as an ISO 8601 date and time ' +
          'with a zone (2022-02-01T04:19:10Z, 2022-02-01T06:19:10+02:00; a time without a zone is refused)',
      })
      .option('allow-empty-result', {
        type: 'boolean',
        default: false,
        describe:
          'Allow a cut that keeps no command of an AOF file in which not one complete command was read (0 bytes, or its annotations only); ' +
          'refused by default, as such a file may not be an AOF at all. A file that is neither an AOF nor an RDB is never cut',
      })
      .option('follow-symlinks', {
        type: 'boolean',
        default: false,
        describe:
          'Cut in place through a symbolic link that leads out of the AOF directory (for a single file: out of the directory the link is in): ' +
          'the file it points to is cut, and backed up beside it; the link stays a link',
      }),
  )
    .example('$0 repair appendonly.aof --dry-run', 'Show what would be cut, and what would be lost')
    .example('$0 repair appendonlydir/ --yes', 'Cut the last incr file of a multi-part set in place, keeping a backup')
    .example('$0 repair appendonly.aof -o fixed.aof', 'Write a repaired copy; the input is not touched')
    .example('$0 repair appendonly.aof --yes --max-loss-bytes 65536 --json', 'For scripts: refuse to lose more than 64 KiB')
    .example('$0 repair appendonlydir/ --truncate-to-timestamp 2025-01-01T00:00:00Z --dry-run', 'Point-in-time recovery plan')
    .epilogue(EPILOGUE);

/** The `repair` command module. */
export function repairCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'repair <path>',
    describe: 'Cut a damaged AOF tail like redis-check-aof --fix (byte for byte), with a plan, a backup and an atomic write',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { applyRepair, planRepair, plannedWrites } = await import('../../repair/repair.js');
        const { renderRepairPlan, renderRepairResult, repairPlanJson, repairQuestion, repairResultJson } = await import('../../repair/repair-render.js');
        const output = argv.output;
        if (argv.path === '' || argv.path === '-' || output === '' || output === '-') throw new UsageError('repair reads and writes files: stdin and stdout cannot be used');
        if (!argv.backup && !argv.yes) throw new UsageError('--no-backup needs --yes: going without a backup must be explicit');
        if (!argv.backup && argv.backupDir !== undefined) throw new UsageError('--backup-dir and --no-backup contradict each other');
        if (output !== undefined && (!argv.backup || argv.backupDir !== undefined)) throw new UsageError('-o leaves the input untouched: --backup-dir and --no-backup do not apply');

        const plan = await planRepair(argv.path, {
          toTimestampSec: argv.truncateToTimestamp,
          maxLossBytes: argv.maxLossBytes,
          allowEmptyResult: argv.allowEmptyResult,
          followSymlinks: argv.followSymlinks,
          output,
          limits: limitsFrom(argv),
          onProgress: ctx.progress(),
        });
        const writes = plannedWrites(plan, { output, backup: argv.backup, backupDir: argv.backupDir });
        const report = (result: RepairResult | null) => {
          if (argv.json) io.stdout.write(JSON.stringify({ plan: repairPlanJson(plan, writes), dryRun: argv.dryRun, result: result && repairResultJson(result) }, null, 2) + '\n');
          else if (result) io.stdout.write(renderRepairResult(result));
        };
        if (!argv.json) io.stdout.write(renderRepairPlan(plan, writes));
        if (plan.action === 'refuse') {
          report(null);
          return ExitCode.InputProblem;
        }
        if (argv.dryRun || (plan.action === 'none' && output === undefined)) {
          report(null);
          if (!argv.json && plan.action !== 'none') io.stdout.write('dry run: nothing was changed\n');
          return ExitCode.Ok;
        }
        if (output === undefined && !argv.yes) {
          if (!io.stdinIsTty) {
            throw new UsageError(`not changing ${plan.target!.name} without confirmation (stdin is not a terminal): pass --yes to repair in place, keeping a backup, or --dry-run to only see the plan`);
          }
          if (!(await ctx.ask(repairQuestion(plan)))) throw new UsageError('not confirmed: nothing was changed');
        }
        const result = await applyRepair(plan, { output, backup: argv.backup, backupDir: argv.backupDir });
        report(result);
        if (result.verified && !result.verified.clean) {
          ctx.warn(`the repaired result does not check clean: ${result.verified.damage!.file}: ${result.verified.damage!.reason}`);
          return ExitCode.InputProblem;
        }
        return ExitCode.Ok;
      }),
  };
}
