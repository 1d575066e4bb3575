/** The keys commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const keysCommands: CommandTable = {};
