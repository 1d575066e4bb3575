/** `rdbtool repair <path>`: cut a damaged AOF tail exactly where `redis-check-aof --fix` does, safely. */
import type { Argv, CommandModule } from 'yargs';
import { applyRepair, planRepair, type RepairResult } from '../../convert/repair.js';
import { renderRepairPlan, renderRepairResult, repairPlanJson, repairQuestion, repairResultJson } from '../../convert/repair-render.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../exit-codes.js';
import { limitsFrom, withLimits, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, type CliIo } from '../run.js';

const integer = (flag: string, min: number) => (v: unknown): number => {
  const n = Number(v);
  if (typeof v === 'boolean' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`invalid ${flag} ${String(v)}: expected an integer >= ${min}`);
  return n;
};

const EPILOGUE = [
  'Exit codes:',
  '  0  repaired, or nothing to repair (--dry-run: the plan can be applied)',
  '  1  refused: damage a cut cannot repair (an RDB part, a file before the',
  '     last, a missing file), a cut over --max-loss-bytes or a timestamp cut',
  '     that cannot be made; or the result does not check clean',
  '  2  usage or I/O error: no --yes without a terminal, an answer other than',
  '     "y", an output that cannot be written, a failed backup, an input that',
  '     changed since it was read',
  '',
  'In place, a backup <file>.<UTC time>.bak is kept next to the file (a hard link when possible) unless ' +
    '--no-backup is given together with --yes. The cut is written to a temporary file, flushed and renamed ' +
    'over the original, so a crash leaves either the old or the new file.',
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
      .option('max-loss-bytes', { type: 'number', requiresArg: true, coerce: integer('--max-loss-bytes', 0), describe: 'Refuse to cut more than N bytes' })
      .option('truncate-to-timestamp', {
        type: 'number',
        requiresArg: true,
        coerce: integer('--truncate-to-timestamp', 1),
        describe: 'Point-in-time recovery: cut at the first #TS annotation after T (Unix seconds)',
      }),
  )
    .example('$0 repair appendonly.aof --dry-run', 'Show what would be cut, and what would be lost')
    .example('$0 repair appendonlydir/ --yes', 'Cut the last incr file of a multi-part set in place, keeping a backup')
    .example('$0 repair appendonly.aof -o fixed.aof', 'Write a repaired copy; the input is not touched')
    .example('$0 repair appendonly.aof --yes --max-loss-bytes 65536 --json', 'For scripts: refuse to lose more than 64 KiB')
    .example('$0 repair appendonlydir/ --truncate-to-timestamp 1735689600 --dry-run', 'Point-in-time recovery plan')
    .epilogue(EPILOGUE);

/** The `repair` command module. */
export function repairCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'repair <path>',
    describe: 'Cut a damaged AOF tail like redis-check-aof --fix (byte for byte), with a plan, a backup and an atomic write',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const output = argv.output;
        if (argv.path === '' || argv.path === '-' || output === '' || output === '-') throw new UsageError('repair reads and writes files: stdin and stdout cannot be used');
        if (!argv.backup && !argv.yes) throw new UsageError('--no-backup needs --yes: going without a backup must be explicit');
        if (!argv.backup && argv.backupDir !== undefined) throw new UsageError('--backup-dir and --no-backup contradict each other');
        if (output !== undefined && (!argv.backup || argv.backupDir !== undefined)) throw new UsageError('-o leaves the input untouched: --backup-dir and --no-backup do not apply');

        const plan = await planRepair(argv.path, {
          toTimestampSec: argv.truncateToTimestamp,
          maxLossBytes: argv.maxLossBytes,
          limits: limitsFrom(argv),
          onProgress: ctx.progress(),
        });
        const report = (result: RepairResult | null) => {
          if (argv.json) io.stdout.write(JSON.stringify({ plan: repairPlanJson(plan), dryRun: argv.dryRun, result: result && repairResultJson(result) }, null, 2) + '\n');
          else if (result) io.stdout.write(renderRepairResult(result));
        };
        if (!argv.json) io.stdout.write(renderRepairPlan(plan));
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
