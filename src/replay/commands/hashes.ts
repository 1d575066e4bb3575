/** The hashes commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const hashesCommands: CommandTable = {};
