import { describe, expect, it } from 'vitest';
import { formatBytes, formatBytesExact, formatCount, formatDuration, formatPercent } from '../../src/format/bytes.js';

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(1024 ** 3 * 2.25)).toBe('2.3 GiB');
  });

  it('moves to the next unit instead of printing 1024.0', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
  });
});

describe('formatCount', () => {
  it('groups digits by three', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(18446744073709551615n)).toBe('18,446,744,073,709,551,615');
  });
});

describe('other formats', () => {
  it('shows exact bytes next to the human size', () => {
    expect(formatBytesExact(512)).toBe('512 B');
    expect(formatBytesExact(27050)).toBe('26.4 KiB (27,050 bytes)');
  });

  it('formats percentages and durations', () => {
    expect(formatPercent(1, 8)).toBe('12.5%');
    expect(formatPercent(1, 0)).toBe('-');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });
});
