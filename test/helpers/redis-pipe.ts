/** Sending RESP commands into a test server the way users do: `redis-cli --pipe`. */
import { spawn } from 'node:child_process';
import { findExecutable } from './redis.js';

/** What `redis-cli --pipe` reported: errors and replies it counted, and everything it printed. */
export interface PipeResult {
  errors: number;
  replies: number;
  output: string;
}

/**
 * Sends `bytes` into the server on `port` with `redis-cli -p PORT --pipe`.
 * @throws Error when redis-cli is missing or its summary line is not printed
 */
export function pipeInto(port: number, bytes: Uint8Array): Promise<PipeResult> {
  const cli = findExecutable('redis-cli');
  if (!cli) throw new Error('redis-cli not found: install the redis-tools (or redis) package');
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['-p', String(port), '--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('latin1')));
    child.on('error', reject);
    child.on('close', () => {
      const m = /errors: (\d+), replies: (\d+)/.exec(output);
      if (!m) reject(new Error(`redis-cli --pipe said:\n${output}`));
      else resolve({ errors: Number(m[1]), replies: Number(m[2]), output });
    });
    child.stdin.end(Buffer.from(bytes));
  });
}
