/** The lists commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const listsCommands: CommandTable = {};
