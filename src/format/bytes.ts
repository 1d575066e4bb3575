/**
 * Numbers for people: byte sizes in binary units (KiB, MiB, …), exact counts with thousands
 * separators, percentages and durations. Locale-independent, so output is stable in tests
 * and scripts.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * A byte size in binary units: `0 B`, `1023 B`, `1.0 KiB`, `12.3 MiB`. One decimal from KiB
 * up; values that would round to 1024 move to the next unit.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  let v = Math.abs(n);
  if (v < 1024) return `${n} B`;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (Number(v.toFixed(1)) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${neg ? '-' : ''}${v.toFixed(1)} ${UNITS[u]}`;
}

/** An exact count with `,` every three digits: `1,234,567`. Accepts numbers and bigints. */
export function formatCount(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isInteger(n)) return String(n);
  const s = n.toString();
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return neg ? '-' + out : out;
}

/** Both forms: `12.3 MiB (12,912,345 bytes)`; below 1 KiB just `512 B`. */
export function formatBytesExact(n: number): string {
  return Math.abs(n) < 1024 ? `${n} B` : `${formatBytes(n)} (${formatCount(n)} bytes)`;
}

/** `part` as a percentage of `total` with one decimal (`12.5%`); `-` when total is 0. */
export function formatPercent(part: number, total: number): string {
  if (total <= 0) return '-';
  return `${((part / total) * 100).toFixed(1)}%`;
}

/** A duration: `850 ms`, `12.3 s`, `4m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
