import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress } from '../../src/cli/progress.js';

function capture(): { write(s: string): void; out: string[] } {
  const out: string[] = [];
  return { out, write: (s: string) => void out.push(s) };
}

describe('progress', () => {
  it('is off when stderr is not a terminal', () => {
    expect(createProgress(capture(), false)).toBeNull();
  });

  it('redraws at most every 250 ms and erases its line when done', () => {
    const err = capture();
    let now = 0;
    const p = createProgress(err, true, () => now)!;
    p.update({ bytesRead: 1024, totalBytes: 4096 });
    now = 100;
    p.update({ bytesRead: 2048, totalBytes: 4096 });
    now = 260;
    p.update({ bytesRead: 3072, totalBytes: 4096 });
    expect(err.out).toHaveLength(2);
    expect(err.out[1]).toContain('(75.0%)');
    expect(err.out[1].startsWith('\r')).toBe(true);
    p.done();
    expect(err.out).toHaveLength(3);
    expect(err.out[2]).toBe('\r\x1b[2K');
    p.done(); // nothing left to erase
    expect(err.out).toHaveLength(3);
  });

  it('shows bytes, and a percentage when the size is known', () => {
    expect(formatProgress({ bytesRead: 5 * 1024 * 1024, totalBytes: 10 * 1024 * 1024 })).toBe('reading: 5.0 MiB of 10.0 MiB (50.0%)');
    expect(formatProgress({ bytesRead: 2048, totalBytes: undefined })).toBe('reading: 2.0 KiB');
  });
});
