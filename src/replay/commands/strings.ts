/** The strings commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const stringsCommands: CommandTable = {};
