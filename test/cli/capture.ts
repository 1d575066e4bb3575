/** In-process CLI runs with captured stdout/stderr (shared by the CLI tests). */
import { Readable, Writable } from 'node:stream';
import { runCli, type CliIo } from '../../src/cli/cli.js';

/** The outcome of one run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A writable that keeps what it receives. */
export function collector(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

/** Runs `rdbtool <argv>` in-process. */
export async function run(argv: string[], over: Partial<CliIo> = {}): Promise<RunResult> {
  const stdout = collector();
  const stderr = collector();
  const io: CliIo = { stdout, stderr, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, env: {}, columns: 100, exitCode: 0, ...over };
  const code = await runCli(io, argv);
  // Let pending writes land.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * A terminal on stdin that types `text` (e.g. `'y\n'`): pass it to {@link run} to answer a
 * question. Without it, runs have no stdin and it is not a terminal.
 */
export function typed(text: string): Pick<CliIo, 'stdin' | 'stdinIsTty'> {
  return { stdin: Readable.from([Buffer.from(text)]), stdinIsTty: true };
}
