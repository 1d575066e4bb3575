/** What one run of a bench measurement gave (a spawned command, or a measurement that times itself). */
export interface RunResult {
  /** Wall seconds. */
  seconds: number;
  /** User + system CPU seconds of the process (all its threads), when known. */
  cpuSeconds: number | null;
  /** Peak RSS in KiB, when known. */
  peakRssKb: number | null;
  /** What the process printed, when captured (a measurement's JSON details). */
  stdout: string;
  /** Exit code (-1 when killed by a signal). */
  exitCode: number;
  /** Last lines of stderr. */
  stderrTail: string;
}
