/**
 * `rdbtool convert <in> <out> --to rdb|aof|hybrid|aof-dir|resp|ndjson`: any input form into any
 * output form, for a chosen target server, refusing (exit 1, nothing written) what the target
 * cannot hold unless a drop flag allows it.
 */
import type { Argv, CommandModule } from 'yargs';
import type { ConvertResult, ConvertTo } from '../../convert/convert.js';
import type { LossKind } from '../../convert/losses.js';
import { ExitCode } from '../exit-codes.js';
import { dropExpiredAt, filtersFrom, integerOption, limitsFrom, STDIN_ARG, withFilters, withLimits, withReplay, type ArgsOf, type GlobalArgs } from '../options.js';
import { openOutput, runCommand, UsageError, type CliIo } from '../run.js';
import pkg from '../../../package.json' with { type: 'json' };

const FORMS: readonly ConvertTo[] = ['rdb', 'aof', 'hybrid', 'aof-dir', 'resp', 'ndjson'];

const DROPS: readonly { flag: string; kind: LossKind; describe: string }[] = [
  { flag: 'drop-field-ttl', kind: 'field-ttl', describe: 'Keep the fields of hashes with field TTLs but drop their TTLs, for a target without them (before Redis 7.4)' },
  { flag: 'drop-functions', kind: 'functions', describe: 'Leave out function libraries, for a target without them (before Redis 7.0)' },
  { flag: 'drop-streams', kind: 'streams', describe: 'Leave out streams, for a target without them (before Redis 5.0)' },
  { flag: 'drop-modules', kind: 'modules', describe: 'Leave out module values (an AOF or commands cannot carry them; an RDB target needs the module loaded)' },
  { flag: 'drop-newer', kind: 'newer', describe: 'Leave out ARRAY values (before Redis 8.8) and GCRA values, and drop stream idempotency state (before 8.6) and NACK zones (before 8.8), for a target without them' },
];

/** `FROM:TO` pairs of `--map-db`. */
function parseMapDb(values: readonly unknown[]): [number, number][] {
  return values.map((v) => {
    const m = /^(\d+):(\d+)$/.exec(String(v));
    if (!m) throw new UsageError(`invalid --map-db ${JSON.stringify(String(v))}: expected FROM:TO, two database numbers such as 0:3`);
    return [Number(m[1]), Number(m[2])];
  });
}

/** A lone `-` (stdin, stdout), as the other commands read it. */
const dash = (v: unknown): string => (v === '' || v === STDIN_ARG ? '-' : String(v));

const builder = (y: Argv<GlobalArgs>) => {
  let b = withLimits(withReplay(withFilters(y)))
    .positional('input', { type: 'string', demandOption: true, coerce: dash, describe: 'RDB, AOF or hybrid file, multi-part AOF directory or manifest, NDJSON export, or - for stdin' })
    .positional('output', { type: 'string', demandOption: true, coerce: dash, describe: 'File (a directory for --to aof-dir) to create, or - for stdout (resp, aof, ndjson)' })
    .option('to', { choices: FORMS, demandOption: true, describe: 'Output form' })
    .option('target', { type: 'string', requiresArg: true, describe: 'Server the output is for: redis@X.Y or valkey@X.Y (its RDB version, encodings, commands)', group: 'Target:' })
    .option('target-version', { requiresArg: true, coerce: integerOption('--target-version', 1, 'an RDB version (6-15, or 80-81)'), describe: 'RDB version to write (6-15, or Valkey 9\'s 80 and 81)', group: 'Target:' })
    .option('keep-lru', { type: 'boolean', default: false, describe: 'Keep LRU idle times and LFU counters (RDB 9+ outputs)', group: 'Target:' })
    .option('map-db', { array: true, nargs: 1, coerce: parseMapDb, describe: 'Move database FROM to TO (repeatable), e.g. --map-db 0:3', group: 'Filters:' })
    .option('replace', { type: 'boolean', default: false, describe: 'resp: a DEL before each key, so existing keys are replaced', group: 'RESP:' })
    .option('restore', { type: 'boolean', default: false, describe: 'resp: RESTORE commands with DUMP payloads for the target (the fastest way into a live server)', group: 'RESP:' })
    .option('aof-base', { choices: ['rdb', 'aof'] as const, describe: 'aof-dir: the base file as an RDB (default, as aof-use-rdb-preamble yes) or as commands', group: 'Output:' })
    .option('from', { choices: ['ndjson', 'replay'] as const, describe: 'Input form when the content cannot tell: ndjson (e.g. on stdin), replay (a hybrid AOF not named *.aof)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout (errors too)' });
  for (const d of DROPS) b = b.option(d.flag, { type: 'boolean', default: false, describe: d.describe, group: 'Drops:' }) as typeof b;
  return b
    .example('$0 convert dump.rdb out.rdb --to rdb --target-version 10', 'Rewrite a dump as RDB 10, for Redis 7.0')
    .example('$0 convert dump.rdb out.rdb --to rdb --target redis@7.0 --drop-field-ttl', 'A 7.4 dump for a 7.0 server, hash field TTLs dropped')
    .example('$0 convert dump.rdb appendonly.aof --to aof', 'The dataset as an AOF in Redis\'s rewrite form')
    .example('$0 convert appendonlydir dump.rdb --to rdb', 'The dataset a multi-part AOF produces, as an RDB (compacts an AOF offline)')
    .example('$0 convert dump.rdb - --to resp | redis-cli --pipe', 'Mass insert into a live server')
    .example('$0 convert keys.ndjson out.rdb --to rdb --target redis@7.2', 'An edited NDJSON export written back as an RDB')
    .epilogue(
      'What the target cannot hold is listed and refused (exit 1, nothing written) unless a --drop-… flag allows it; ' +
        'bookkeeping it has no place for (LRU/LFU hints without --keep-lru, consumer active times before RDB 11) is dropped with a note. ' +
        'The output is written under a temporary name and renamed into place once complete.',
    );
};

type Args = ArgsOf<typeof builder>;

/** The `convert` command module. */
export function convertCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'convert <input> <output>',
    describe: 'Convert between RDB (any version), AOF, hybrid AOF, multi-part AOF, RESP and NDJSON, for a target server',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { convert } = await import('../../convert/convert.js');
        const input = String(argv.input);
        const outName = String(argv.output);
        const drop = DROPS.filter((d) => (argv as Record<string, unknown>)[camel(d.flag)] === true).map((d) => d.kind);
        const toStdout = outName === '-';
        if (toStdout && !['resp', 'aof', 'ndjson'].includes(argv.to)) throw new UsageError(`--to ${argv.to} writes a file: name it (stdout takes resp, aof and ndjson)`);
        const output = toStdout ? await openOutput(io, '-') : outName;
        const res = await convert(input, output, {
          to: argv.to,
          target: argv.target,
          targetVersion: argv.targetVersion as number | undefined,
          filter: filtersFrom(argv),
          mapDb: argv.mapDb ? new Map(argv.mapDb as [number, number][]) : undefined,
          dropExpiredAt: dropExpiredAt(argv),
          drop,
          keepLru: argv.keepLru,
          replace: argv.replace || undefined,
          restore: argv.restore || undefined,
          aofBase: argv.aofBase,
          from: argv.from,
          skipUnknown: argv.skipUnknown,
          limits: limitsFrom(argv),
          onProgress: ctx.progress(),
          toolVersion: pkg.version,
        });
        if (toStdout && typeof output !== 'string') await output.close();
        report(io, res, argv.json, toStdout);
        return ExitCode.Ok;
      }),
  };
}

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function report(io: CliIo, r: ConvertResult, json: boolean, toStdout: boolean): void {
  if (json) {
    const out = {
      target: r.target.release.id,
      rdbVersion: r.target.rdbVersion,
      from: r.from,
      to: r.to,
      keys: r.keys,
      functions: r.functions,
      bytes: r.bytes,
      files: r.files,
      filtered: r.filtered,
      dropped: r.dropped.map((d) => ({ kind: d.kind, flag: d.flag, count: d.count })),
      notes: r.notes,
    };
    // With the data on stdout, the report goes to stderr.
    (toStdout ? io.stderr : io.stdout).write(JSON.stringify(out) + '\n');
    return;
  }
  const lines = [`wrote ${r.files.join(', ')}: ${r.keys} key(s)${r.functions ? `, ${r.functions} function librar${r.functions === 1 ? 'y' : 'ies'}` : ''}, ${r.bytes} bytes, ${r.to} for ${r.target.release.id}${r.to === 'rdb' || r.to === 'hybrid' || r.to === 'aof-dir' ? ` (RDB ${r.target.rdbVersion})` : ''}`];
  if (r.filtered) lines.push(`left out by the filters: ${r.filtered} key(s)`);
  for (const d of r.dropped) lines.push(`dropped: ${d.message}`);
  for (const n of r.notes) lines.push(`note: ${n.text}: ${n.count}`);
  io.stderr.write(lines.map((l) => `rdbtool: ${l}\n`).join(''));
}
