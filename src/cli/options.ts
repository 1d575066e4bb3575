/**
 * Option groups shared by commands. Each `withX(y)` adds its options and returns the yargs
 * instance with the argument type extended, so handlers get typed arguments.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { DEFAULT_LIMITS, LIMIT_OPTION, type Limits } from '../limits.js';
import { parseValueTypes, VALUE_TYPES, type KeyFilterOptions } from '../pipeline/filters.js';

/** The arguments of a command, as its builder declares them. */
export type ArgsOf<B> = B extends (y: Argv<GlobalArgs>) => Argv<infer A> ? A : never;

/** Options available to every command. */
export interface GlobalArgs {
  debug: boolean;
}

/** Adds the global `--debug`. */
export function withDebug<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y.option('debug', { type: 'boolean', default: false, global: true, describe: 'Show stack traces on errors' });
}

/**
 * What a lone `-` argument (stdin, or stdout for `-o`) is replaced by before yargs sees it:
 * yargs hands a lone `-` to a single positional as `""` and drops it from a variadic one
 * (`check a.rdb -`). No path can hold a NUL byte, so the token cannot clash with a file name.
 */
export const STDIN_ARG = '\u0000-';

/** The arguments with every lone `-` (before a `--`) replaced by {@link STDIN_ARG}. */
export function protectDashes(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '-' && (end < 0 || i < end) ? STDIN_ARG : a));
}

/** Turns {@link STDIN_ARG} back into `-` in parsed arguments (a yargs middleware). */
export function restoreDashes(args: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === STDIN_ARG) args[k] = '-';
    else if (Array.isArray(v) && v.includes(STDIN_ARG)) args[k] = v.map((x) => (x === STDIN_ARG ? '-' : x));
  }
}

// A lone "-" means stdin/stdout here (see STDIN_ARG; "" is what yargs made of it before).
const dash = (v: unknown): string => (v === '' || v === STDIN_ARG ? '-' : String(v));

/** Adds the `<file>` positional: a path, or `-` for stdin. */
export function withInput<T>(y: Argv<T>) {
  return y.positional('file', { type: 'string', demandOption: true, describe: 'RDB file to read, or - for stdin', coerce: dash });
}

/**
 * Adds the `<file>` positional for commands that read every kind of input: an RDB or AOF
 * file, a multi-part AOF directory or its manifest, or `-` for stdin.
 */
export function withAnyInput<T>(y: Argv<T>) {
  return y.positional('file', {
    type: 'string',
    demandOption: true,
    describe: 'RDB or AOF file, multi-part AOF directory or manifest, or - for stdin',
    coerce: dash,
  });
}

/** Adds `-o/--output FILE` (`-` is stdout). */
export function withOutputFile<T>(y: Argv<T>) {
  return y.option('output', { alias: 'o', type: 'string', describe: 'Write to FILE instead of stdout', requiresArg: true, coerce: dash });
}

/** Adds `--json` and `-o/--output FILE`. */
export function withOutput<T>(y: Argv<T>) {
  return withOutputFile(y).option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON (errors too: {"error": ...})' });
}

/**
 * Reads an integer option value. yargs hands over the text as typed, or the number it made of
 * text that looks like one; options that use this are declared without `type: 'number'`,
 * since yargs turns non-numeric text for a number option into `NaN` before any check sees it.
 * @param flag the option as typed, for the message (`--db`)
 * @param what what the option accepts, for the message (`a database number >= 0`)
 * @throws UsageError naming the option, the value and what it accepts
 */
export function parseIntegerOption(flag: string, value: unknown, min: number, what = `an integer >= ${min}`): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const shown = value === undefined || value === '' || typeof value === 'boolean' ? 'with no value' : JSON.stringify(String(value));
    throw new UsageError(`invalid ${flag} ${shown}: expected ${what}`);
  }
  return n;
}

/** A yargs `coerce` for an integer option of at least `min` (see {@link parseIntegerOption}). */
export function integerOption(flag: string, min: number, what?: string): (v: unknown) => number {
  return (v) => parseIntegerOption(flag, v, min, what);
}

/** What {@link rejectNaNNumbers} reads of yargs' parser options. */
export interface NumberOptionsView {
  /** Keys declared `type: 'number'`. */
  number?: readonly string[];
  /** Aliases of each key. */
  alias?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Refuses an option declared `type: 'number'` whose value is not a number: yargs turns such
 * text into `NaN` and would hand that on. Runs as a middleware before validation and before
 * any `coerce`, for every option of every command.
 * @param argv the arguments as typed, to quote the refused value
 * @throws UsageError naming the option and the value
 */
export function rejectNaNNumbers(args: Readonly<Record<string, unknown>>, options: NumberOptionsView, argv: readonly string[]): void {
  for (const key of options.number ?? []) {
    const v = args[key];
    if (!(Array.isArray(v) ? v.some((x) => Number.isNaN(x)) : Number.isNaN(v))) continue;
    const names = [key, ...(options.alias?.[key] ?? [])];
    // Named by its longest name; yargs takes both -x and --x for any of them.
    const shown = names.reduce((a, b) => (b.length > a.length ? b : a));
    const typed = typedValues(names.flatMap((n) => [`-${n}`, `--${n}`]), argv).find((t) => Number.isNaN(Number(t)));
    throw new UsageError(`invalid ${shown.length === 1 ? '-' : '--'}${shown}${typed === undefined ? '' : ` ${JSON.stringify(typed)}`}: expected a number`);
  }
}

/** The values given to any of `flags` in `argv` (`--x v` and `--x=v`), in order. */
function typedValues(flags: readonly string[], argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    for (const f of flags) {
      if (a === f && i + 1 < argv.length) out.push(argv[i + 1]);
      else if (a.startsWith(f + '=')) out.push(a.slice(f.length + 1));
    }
  }
  return out;
}

const parseDbs = (values: readonly unknown[]): number[] => values.map((v) => parseIntegerOption('--db', v, 0, 'a database number >= 0'));

/** Adds the key filters `--db N`, `--type T` (both repeatable) and `--match GLOB`. */
export function withFilters<T>(y: Argv<T>) {
  return y
    .option('db', { array: true, nargs: 1, describe: 'Only keys of database N (repeatable)', coerce: parseDbs, group: 'Filters:' })
    .option('type', {
      type: 'string',
      array: true,
      nargs: 1,
      describe: `Only keys of type T (repeatable): ${VALUE_TYPES.join(', ')}`,
      coerce: (v: readonly string[]) => parseValueTypes(v),
      group: 'Filters:',
    })
    .option('match', { type: 'string', requiresArg: true, describe: 'Only keys matching a Redis glob (*, ?, [a-z], [^x], \\x)', group: 'Filters:' });
}

/** The filter options in the arguments (undefined when none was given). */
export function filtersFrom(a: { db?: number[]; type?: KeyFilterOptions['types']; match?: string }): KeyFilterOptions | undefined {
  if (!a.db?.length && !a.type?.length && a.match === undefined) return undefined;
  return { dbs: a.db, types: a.type, match: a.match };
}

const limitOpt = (key: keyof Limits, what: string) => ({
  requiresArg: true,
  describe: `${what}: an integer >= 1 (default ${DEFAULT_LIMITS[key]})`,
  coerce: integerOption(LIMIT_OPTION[key], 1),
  group: 'Limits:',
});

/** Adds the input limits (names from `LIMIT_OPTION`; each raises one `Limits` field). */
export function withLimits<T>(y: Argv<T>) {
  return y
    .option('max-string-bytes', limitOpt('maxStringBytes', 'Largest string accepted, in bytes'))
    .option('max-lzf-bytes', limitOpt('maxLzfBytes', 'Largest decompressed LZF string, in bytes'))
    .option('max-collection-length', limitOpt('maxCollectionLength', 'Largest element count of one collection'))
    .option('max-inline-value-bytes', limitOpt('maxInlineValueBytes', 'Strings above this are delivered in parts'))
    .option('max-args', limitOpt('maxArgs', 'Largest RESP argument count of one command'))
    .option('max-line-bytes', limitOpt('maxLineBytes', 'Longest NDJSON line (one record) read, in bytes'));
}

/** The limits given in the arguments. */
export function limitsFrom(a: Partial<Record<keyof Limits, number>>): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const k of Object.keys(LIMIT_OPTION) as (keyof Limits)[]) {
    const v = a[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Adds the replay and expiry options (`export`, `inspect`). */
export function withReplay<T>(y: Argv<T>) {
  return y
    .option('skip-unknown', {
      type: 'boolean',
      default: false,
      describe: 'Replay: skip (and count) commands Redis would refuse — unknown, wrong arity, wrong type — instead of stopping at the first',
      group: 'Replay:',
    })
    .option('drop-expired', {
      type: 'boolean',
      default: false,
      describe: 'Leave out keys (and hash fields) whose expiry has passed, as a server would on access; by default they are reported, as the file holds them',
      group: 'Replay:',
    })
    .option('now', {
      requiresArg: true,
      coerce: integerOption('--now', 0, 'a Unix time in milliseconds'),
      describe: 'The time --drop-expired compares expiries with, in Unix ms (default: now)',
      group: 'Replay:',
    });
}

/** The time `--drop-expired` compares with, or undefined when expired keys stay. */
export function dropExpiredAt(a: { dropExpired?: boolean; now?: number }): number | undefined {
  if (a.now !== undefined && !a.dropExpired) throw new UsageError('--now sets the time for --drop-expired; give --drop-expired too');
  return a.dropExpired ? (a.now ?? Date.now()) : undefined;
}
