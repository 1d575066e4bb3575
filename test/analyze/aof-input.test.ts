/** peekSource: the first bytes looked at, then every byte again, once. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { peekSource } from '../../src/analyze/aof-input.js';
import { bytesSource } from '../../src/io/source.js';
import { UsageError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/files.js';

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

describe('peekSource', () => {
  const bytes = readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb'));

  it('says what the input starts with and hands every byte out again', async () => {
    const p = await peekSource(bytesSource(new Uint8Array(bytes), 'all-types.rdb'));
    expect(p.start).toBe('rdb');
    expect((await readAll(p.source.chunks())).equals(bytes)).toBe(true);
  });

  it('refuses a second read with a typed error (its bytes are gone)', async () => {
    const p = await peekSource(bytesSource(new Uint8Array(bytes), 'all-types.rdb'));
    await readAll(p.source.chunks());
    const e = await readAll(p.source.chunks()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect(e).toMatchObject({ code: 'USAGE', file: 'all-types.rdb' });
  });
});
