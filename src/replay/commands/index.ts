/**
 * Every command the replay applies, by lower-case name: the families' tables joined. A name
 * defined by two families is a mistake the test suite catches (commands.test.ts).
 */
import type { CommandTable } from '../command.js';
import { serverCommands } from './server.js';
import { keysCommands } from './keys.js';
import { stringsCommands } from './strings.js';
import { bitsCommands } from './bits.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { listsCommands } from './lists.js';
import { setsCommands } from './sets.js';
import { zsetsCommands } from './zsets.js';
import { geoCommands } from './geo.js';
import { hashesCommands } from './hashes.js';
import { streamsCommands } from './streams.js';
import { sortCommands } from './sort.js';
import { functionsCommands } from './functions.js';
import { scriptingCommands } from './scripting.js';

/** The families, by name (for the duplicate check and for listing). */
export const FAMILIES: Readonly<Record<string, CommandTable>> = {
  server: serverCommands,
  keys: keysCommands,
  strings: stringsCommands,
  bits: bitsCommands,
  hyperloglog: hyperloglogCommands,
  lists: listsCommands,
  sets: setsCommands,
  zsets: zsetsCommands,
  geo: geoCommands,
  hashes: hashesCommands,
  streams: streamsCommands,
  sort: sortCommands,
  functions: functionsCommands,
  scripting: scriptingCommands,
};

/** All commands. */
export const COMMANDS: CommandTable = Object.assign(Object.create(null) as Record<string, never>, ...Object.values(FAMILIES));
