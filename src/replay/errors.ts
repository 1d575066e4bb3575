/**
 * Errors of the replay. A command that Redis would refuse — an unknown name, a wrong number
 * of arguments, a key of the wrong type, an argument that is not what the command takes —
 * means the file is damaged or was not written by the server it claims: commands raise a
 * light {@link CommandError} with Redis's own reply text, and the engine turns it into a
 * located {@link ReplayError} (file, offset, line, the command) or, when asked to skip, a
 * counted warning. Inside a Lua script the same CommandError becomes the script's error
 * reply, as `redis.pcall` returns it.
 */
import { RdbtoolError, type ErrorCode, type ErrorInit } from '../errors.js';

/** Why a command could not be applied. */
export type CommandErrorKind = 'unknown' | 'arity' | 'wrongtype' | 'argument' | 'payload' | 'script' | 'multi';

const CODE: Readonly<Record<CommandErrorKind, ErrorCode>> = {
  unknown: 'REPLAY_UNKNOWN_COMMAND',
  arity: 'REPLAY_ARITY',
  wrongtype: 'REPLAY_WRONG_TYPE',
  argument: 'REPLAY_BAD_ARGUMENT',
  payload: 'REPLAY_BAD_PAYLOAD',
  script: 'REPLAY_SCRIPT_ERROR',
  multi: 'REPLAY_UNBALANCED_MULTI',
};

/** The error code of a kind of command error. */
export function replayCode(kind: CommandErrorKind): ErrorCode {
  return CODE[kind];
}

/**
 * A command refused, with the error reply Redis would give (`ERR …`, `WRONGTYPE …`). Cheap
 * to make (no location, no stack): Lua scripts raise and catch these routinely.
 */
export class CommandError {
  constructor(
    readonly kind: CommandErrorKind,
    /** Redis's reply text, starting with its code word (`ERR`, `WRONGTYPE`, `NOSCRIPT` …). */
    readonly reply: string,
  ) {}
}

/** WRONGTYPE, as Redis words it. */
export const WRONG_TYPE = new CommandError('wrongtype', 'WRONGTYPE Operation against a key holding the wrong kind of value');
/** The usual syntax error. */
export const SYNTAX = new CommandError('argument', 'ERR syntax error');
/** Not an integer. */
export const NOT_INTEGER = new CommandError('argument', 'ERR value is not an integer or out of range');
/** Not a float. */
export const NOT_FLOAT = new CommandError('argument', 'ERR value is not a valid float');

/** A refusal with Redis's `ERR` prefix. */
export function argError(text: string): CommandError {
  return new CommandError('argument', `ERR ${text}`);
}

/** Wrong number of arguments, as Redis words it. */
export function arityError(name: string): CommandError {
  return new CommandError('arity', `ERR wrong number of arguments for '${name}' command`);
}

/** A command of the file that the replay cannot apply, located. */
export class ReplayError extends RdbtoolError {
  static readonly errorName: string = 'ReplayError';
  /** The command's name as written, and its argument count. */
  readonly command: string;
  readonly line?: number;

  constructor(code: ErrorCode, reason: string, init: ErrorInit & { command: string; line?: number }) {
    super(code, init.line !== undefined ? `${reason} (line ${init.line})` : reason, { ...init, context: { doing: 'replay-command', ...init.context } });
    this.command = init.command;
    this.line = init.line;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), command: this.command, line: this.line ?? null };
  }
}
