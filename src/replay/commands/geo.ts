/** The geo commands (to be filled in). */
import type { CommandTable } from '../command.js';

export const geoCommands: CommandTable = {};
