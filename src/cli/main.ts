#!/usr/bin/env node
/**
 * The `rdbtool` executable: runs the CLI on the process's arguments and sets the exit code.
 * `process.exit()` is never called, so pending output drains before the process ends.
 */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';
import { processIo } from './run.js';

// A reader that goes away (`rdbtool export x | head`) must not crash the process: the
// writers notice it and stop; late EPIPE reports are ignored here.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

process.exitCode = await runCli(processIo(), hideBin(process.argv));
