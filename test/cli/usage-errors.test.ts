/**
 * Bad option values are usage errors (exit 2, one line naming the option and what it
 * accepts), never "internal error": the mechanism (how a refused value travels through yargs
 * to runCli), the shared integer options, and a sweep over every option of every command.
 */
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { withUsageErrors } from '../../src/cli/cli.js';
import { parseIntegerOption, rejectNaNNumbers } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';
import { run } from './capture.js';

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

/** A small program with the CLI's usage-error policy: a number option and two coerced ones. */
function program(argv: string[]) {
  return withUsageErrors(yargs(), argv)
    .command(
      't',
      'test command',
      (y) =>
        y
          .option('n', { alias: 'count', type: 'number' })
          .option('c', {
            type: 'string',
            coerce: (v: string) => {
              if (v === 'bad') throw new UsageError('invalid -c "bad": expected good');
              return v;
            },
          })
          .option('p', {
            type: 'string',
            coerce: () => {
              throw new Error('plain error from a coerce');
            },
          })
          .option('m', { type: 'string' })
          .check((a) => (a.m === 'bad' ? 'invalid -m "bad": expected good' : true)),
      () => {},
    )
    .strict();
}

async function parse(argv: string[]): Promise<unknown> {
  return program(argv).parseAsync(argv);
}

describe('withUsageErrors: how a refused value reaches the caller', () => {
  it('refuses non-numeric text for a number option, quoting it as typed', async () => {
    for (const argv of [['t', '-n', 'abc'], ['t', '--n=abc'], ['t', '--count', 'abc']]) {
      const e = await parse(argv).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).message).toMatch(/^invalid --count "abc": expected a number$/);
    }
  });

  it('keeps numbers as numbers', async () => {
    expect(await parse(['t', '-n', '5'])).toMatchObject({ n: 5, count: 5 });
    expect(await parse(['t', '-n', '-2.5'])).toMatchObject({ n: -2.5 });
  });

  it("turns a coerce's error (which yargs wraps, keeping only the message) into a UsageError", async () => {
    const e = await parse(['t', '-c', 'bad']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).reason).toBe('invalid -c "bad": expected good');
    const p = await parse(['t', '-p', 'x']).catch((x: unknown) => x);
    expect(p).toBeInstanceOf(UsageError);
    expect((p as UsageError).reason).toBe('plain error from a coerce');
  });

  it("turns yargs' own checks, and a .check() that returns a message, into UsageErrors", async () => {
    const e = await parse(['t', '--bogus']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).reason).toMatch(/Unknown argument: bogus/);
    const m = await parse(['t', '-m', 'bad']).catch((x: unknown) => x);
    expect(m).toBeInstanceOf(UsageError);
    expect((m as UsageError).reason).toBe('invalid -m "bad": expected good');
  });
});

describe('parseIntegerOption', () => {
  it('accepts integers at or above the minimum, typed or already numbers', () => {
    expect(parseIntegerOption('--db', '12', 0)).toBe(12);
    expect(parseIntegerOption('--db', 12, 0)).toBe(12);
    expect(parseIntegerOption('--db', '0', 0)).toBe(0);
    expect(parseIntegerOption('--max-args', ' 7 ', 1)).toBe(7);
  });

  it('names the option, the value and what it accepts', () => {
    const cases: [unknown, RegExp][] = [
      ['abc', /^invalid --x "abc": expected an integer >= 1$/],
      ['1.5', /^invalid --x "1\.5"/],
      [1.5, /^invalid --x "1\.5"/],
      ['0', /^invalid --x "0": expected an integer >= 1$/],
      [-3, /^invalid --x "-3"/],
      ['99999999999999999999', /^invalid --x "99999999999999999999"/],
      ['', /^invalid --x with no value/],
      [true, /^invalid --x with no value/],
      [undefined, /^invalid --x with no value/],
    ];
    for (const [v, message] of cases) {
      let err: unknown;
      try {
        parseIntegerOption('--x', v, 1);
      } catch (e) {
        err = e;
      }
      expect(err, String(v)).toBeInstanceOf(UsageError);
      expect((err as UsageError).reason).toMatch(message);
    }
    expect(() => parseIntegerOption('--db', 'x', 0, 'a database number >= 0')).toThrow(/expected a database number >= 0/);
  });
});

describe('rejectNaNNumbers', () => {
  const options = { number: ['top'], alias: { top: ['t'] } };

  it('passes numbers, absent options and options of other types', () => {
    expect(() => rejectNaNNumbers({ top: 3, other: Number.NaN }, options, [])).not.toThrow();
    expect(() => rejectNaNNumbers({}, options, [])).not.toThrow();
  });

  it('refuses NaN, also in an array, quoting the value typed to any alias', () => {
    expect(() => rejectNaNNumbers({ top: Number.NaN }, options, ['-t', 'many'])).toThrow(/^invalid --top "many": expected a number$/);
    expect(() => rejectNaNNumbers({ top: [1, Number.NaN] }, options, ['--top=1', '--top=x'])).toThrow(/^invalid --top "x"/);
    expect(() => rejectNaNNumbers({ top: Number.NaN }, options, [])).toThrow(/^invalid --top: expected a number$/);
  });
});

describe('every option of every command', () => {
  const COMMANDS = ['inspect', 'check', 'export', 'repair'];

  /** The long options a command's --help lists that take a value (not the `[boolean]` ones). */
  async function optionsOf(command: string): Promise<string[]> {
    const help = await run([command, '--help']);
    expect(help.code).toBe(0);
    // An option's entry is its line and the wrapped lines after it, up to the next option.
    const entries: { name: string; text: string }[] = [];
    for (const line of help.stdout.split('\n')) {
      if (/^Examples:/.test(line)) break;
      const m = /^\s+(?:-\w, )?(--[a-z][a-z-]*)/.exec(line);
      if (m) entries.push({ name: m[1], text: line });
      else if (entries.length && /^\s/.test(line)) entries[entries.length - 1].text += line;
    }
    const names = entries.filter((e) => !e.text.includes('[boolean]')).map((e) => e.name);
    return [...new Set(names)].filter((n) => n !== '--help' && n !== '--version');
  }

  it('finds the options', async () => {
    const opts = await optionsOf('export');
    for (const o of ['--db', '--type', '--match', '--format', '--max-string-bytes']) expect(opts).toContain(o);
    expect(opts).not.toContain('--debug');
  });

  // Values no option accepts as a number, and paths nothing can be written to (an option that
  // names an output must not leave a file behind). The input does not exist either, so an
  // option that accepts the value ends in I/O errors: exit 2 as well. Negative and fractional
  // numbers are tried on the number options above and in cli.test.ts.
  const VALUES = ['no/such/dir/x', 'no/such/dir/-5', ''];

  for (const command of COMMANDS) {
    it(`${command}: a bad value for any option is one line and exit 2, never an internal error`, async () => {
      for (const option of await optionsOf(command)) {
        for (const value of VALUES) {
          const argv = [command, 'no/such/dir/input', option, value];
          const r = await run(argv);
          const what = argv.join(' ');
          expect(r.stderr, what).not.toMatch(/internal error|NaN/);
          expect(r.code, `${what}\n${r.stderr}`).toBe(2);
          // A refused value is one line; a value taken leaves the I/O problems (the input, maybe an output).
          if (r.stderr.includes('(see rdbtool --help)')) expect(lines(r.stderr), what).toHaveLength(1);
          else expect(lines(r.stderr).length, what).toBeGreaterThan(0);
          for (const l of lines(r.stderr)) expect(l, what).toMatch(/^rdbtool: /);
        }
      }
    });
  }
});
