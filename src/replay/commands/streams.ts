/** The streams commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const streamsCommands: CommandTable = {};
