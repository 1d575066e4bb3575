import { describe, expect, it } from 'vitest';
import { renderPairs, renderTable, shouldUseColor } from '../../src/format/table.js';

const ANSI = /\x1b\[/;

describe('shouldUseColor', () => {
  it('needs a TTY and no NO_COLOR', () => {
    expect(shouldUseColor(true, {})).toBe(true);
    expect(shouldUseColor(false, {})).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: '' })).toBe(true);
  });
});

describe('renderTable', () => {
  it('has no escape sequences without color', () => {
    const t = renderTable([{ header: 'name' }, { header: 'n', align: 'right' }], [['a', '1'], ['bbbb', '1,000']]);
    expect(ANSI.test(t)).toBe(false);
    expect(t).toContain('name');
  });

  it('right-aligns numeric columns and number cells', () => {
    const t = renderTable([{ header: 'key' }, { header: 'count', align: 'right' }, { header: 'raw' }], [['a', '7', 5], ['b', '1,000', 12345]]);
    const lines = t.split('\n');
    const row = lines.find((l) => l.includes(' a '))!;
    // "count" is 5 wide, "1,000" too: the 7 sits under the last digit.
    expect(row).toMatch(/│ +7 │/);
    expect(row).toMatch(/│ +5 │$/);
    expect(row.indexOf('7')).toBe(lines.find((l) => l.includes(' b '))!.indexOf('1,000') + 4);
  });

  it('renders name/value pairs', () => {
    const t = renderPairs([['version', 11], ['dialect', 'redis']]);
    expect(t).toContain('version');
    expect(t).toMatch(/│ +11 │/);
  });
});
