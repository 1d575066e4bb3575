/**
 * Times the phases of a benchmark dataset build: each `phase(name)` records and logs the
 * seconds since the previous one (or since the clock was made).
 */
export interface PhaseClock {
  /** Seconds per phase, in the order they ended. */
  readonly phases: Record<string, number>;
  /** Ends the current phase under `name`. */
  phase(name: string): void;
  /** Seconds since the clock was made. */
  seconds(): number;
}

export function phaseClock(log: (line: string) => void): PhaseClock {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let phaseStart = started;
  return {
    phases,
    phase(name) {
      const now = performance.now();
      phases[name] = Math.round(now - phaseStart) / 1000;
      log(`  ${name}: ${phases[name].toFixed(1)} s`);
      phaseStart = now;
    },
    seconds: () => Math.round(performance.now() - started) / 1000,
  };
}
