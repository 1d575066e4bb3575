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

// yargs-parser hands a lone "-" over as "" (a flag with no name): it means stdin/stdout here.
const dash = (v: unknown): string => (v === '' ? '-' : String(v));

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

function parseDbs(values: readonly unknown[]): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (typeof v === 'boolean' || !Number.isInteger(n) || n < 0) throw new UsageError(`invalid --db ${String(v)}: expected a database number >= 0`);
    return n;
  });
}

/** Adds the key filters `--db N`, `--type T` (both repeatable) and `--match GLOB`. */
export function withFilters<T>(y: Argv<T>) {
  return y
    .option('db', { type: 'number', array: true, nargs: 1, describe: 'Only keys of database N (repeatable)', coerce: parseDbs, group: 'Filters:' })
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

function positiveInt(flag: string) {
  return (v: unknown): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`invalid ${flag} ${String(v)}: expected a positive integer`);
    return n;
  };
}

const limitOpt = (key: keyof Limits, what: string) => ({
  type: 'number' as const,
  requiresArg: true,
  describe: `${what} (default ${DEFAULT_LIMITS[key]})`,
  coerce: positiveInt(LIMIT_OPTION[key]),
  group: 'Limits:',
});

/** Adds the input limits (names from `LIMIT_OPTION`; each raises one `Limits` field). */
export function withLimits<T>(y: Argv<T>) {
  return y
    .option('max-string-bytes', limitOpt('maxStringBytes', 'Largest string accepted, in bytes'))
    .option('max-lzf-bytes', limitOpt('maxLzfBytes', 'Largest decompressed LZF string, in bytes'))
    .option('max-collection-length', limitOpt('maxCollectionLength', 'Largest element count of one collection'))
    .option('max-inline-value-bytes', limitOpt('maxInlineValueBytes', 'Strings above this are delivered in parts'))
    .option('max-args', limitOpt('maxArgs', 'Largest RESP argument count of one command'));
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
