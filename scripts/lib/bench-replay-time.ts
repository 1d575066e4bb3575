/**
 * The replay side of the replay benchmark, timed as its baseline is: a real redis-server is
 * timed from spawn until its log says the data was loaded (bench-redis-load.ts), so the replay
 * child (bench-replay-child.ts) is timed from spawn until it prints its result line, which it
 * does as soon as the dataset is complete. The seconds after that line — the process letting
 * go of a dataset of hundreds of megabytes and exiting — are left out on both sides.
 *
 * The child's peak RSS is its own `maxRSS` at that line (nothing grows after it); its CPU
 * seconds are read from /proc/<pid>/stat at that moment, as for the server; `stdout` is the
 * result line (empty when none came).
 */
import { spawn } from 'node:child_process';
import { cpuSecondsOf } from './bench-redis-load.js';
import type { RunResult } from './run-result.js';

/** Runs `node <args>` (the replay child) to its exit, timing it as the module note says. */
export function timeReplayChild(nodePath: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(nodePath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let at: { seconds: number; cpuSeconds: number | null } | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (at === null && out.includes('\n')) {
        at = { seconds: (performance.now() - started) / 1000, cpuSeconds: child.pid === undefined ? null : cpuSecondsOf(child.pid) };
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-64_000);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.split('\n')[0] ?? '';
      let peakRssKb: number | null = null;
      try {
        const maxRssKb = (JSON.parse(line) as { maxRssKb?: unknown }).maxRssKb;
        if (typeof maxRssKb === 'number') peakRssKb = maxRssKb;
      } catch {
        // No result line: the exit code and stderr tell what went wrong.
      }
      const seconds = at?.seconds ?? (performance.now() - started) / 1000;
      resolve({ seconds, cpuSeconds: at?.cpuSeconds ?? null, peakRssKb, stdout: line, exitCode: code ?? -1, stderrTail: err.trim().split('\n').slice(-15).join('\n') });
    });
  });
}
