/**
 * The shape of a command: its arity in Redis's convention and the function that applies it.
 * Each family (strings, keys, lists …) exports a {@link CommandTable}; `commands/index.ts`
 * joins them into the one table the engine looks names up in.
 */
import type { ByteString } from '../dataset/byte-string.js';
import type { CommandContext } from './context.js';
import type { Reply } from './reply.js';

/** One command. */
export interface CommandSpec {
  /**
   * Arguments including the name, as Redis's command table gives it: a positive number is the
   * exact count, a negative one the least count (−3: at least 3).
   */
  arity: number;
  /**
   * Applies the command to the selected database and returns Redis's reply. Checks every
   * argument before changing anything, so a refused command leaves the dataset as it was.
   * @throws CommandError when Redis would refuse the command.
   */
  run(c: CommandContext, argv: ByteString[]): Reply;
}

/** Commands by lower-case name. */
export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** True when `argc` arguments satisfy `arity`. */
export function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}
