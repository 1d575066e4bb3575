/**
 * Generic key commands over the whole pool (every type): DEL/UNLINK, the EXPIRE family with
 * NX/XX/GT/LT and times past, about to end and far off, PERSIST, RENAME/RENAMENX, COPY (to
 * another database, REPLACE), MOVE, SWAPDB, FLUSHDB/FLUSHALL (rare), RESTORE of the server's
 * DUMP payloads (relative and absolute TTLs, past ones, REPLACE, IDLETIME/FREQ), and reads
 * that expire what they touch.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';
import { FAR_MS, PAST_MS } from './gen.js';

const condition = (g: Gen): string[] => (g.chance(0.3) ? [g.pick(['NX', 'XX', 'GT', 'LT'])] : []);

function expire(g: Gen): Cmd[] {
  const name = g.pick(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);
  const ms = name.startsWith('P');
  const t = name.endsWith('AT') ? g.absoluteTtl(ms) : g.relativeTtl(ms);
  return [[name, g.anyKey(), t, ...condition(g)]];
}

function restore(g: Gen): Cmd[] {
  const abs = g.chance(0.3);
  const ttl = abs
    ? String(g.chance(0.3) ? PAST_MS + g.int(0, 1000) : FAR_MS + g.int(0, 1000))
    : g.weighted<() => string>([
        [4, () => '0'],
        [2, () => String(g.int(100_000, 10_000_000))],
        [1, () => String(g.int(1, 40))],
      ])();
  const c: Cmd = ['RESTORE', g.anyKey(), ttl, g.pick(g.sources.payloads)];
  if (g.chance(0.5)) c.push('REPLACE');
  if (abs) c.push('ABSTTL');
  if (g.chance(0.15)) c.push(...g.pick([['IDLETIME', String(g.int(0, 1000))], ['FREQ', String(g.int(0, 255))]]));
  return [c];
}

export const keys: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [3, (g) => [[g.pick(['DEL', 'UNLINK']), ...Array.from({ length: g.int(1, 3) }, () => g.anyKey())]]],
    [6, expire],
    [2, (g) => [['PERSIST', g.anyKey()]]],
    [3, (g) => [[g.pick(['RENAME', 'RENAMENX']), g.anyKey(), g.anyKey()]]],
    [3, (g) => {
      const c: Cmd = ['COPY', g.anyKey(), g.anyKey()];
      if (g.chance(0.4)) c.push('DB', g.db());
      if (g.chance(0.4)) c.push('REPLACE');
      return [c];
    }],
    [2, (g) => [['MOVE', g.anyKey(), g.db()]]],
    [1, (g) => [['SWAPDB', g.db(), g.db()]]],
    [0.15, (g) => [['FLUSHDB', ...(g.chance(0.3) ? [g.pick(['ASYNC', 'SYNC'])] : [])]]],
    [0.05, (g) => [['FLUSHALL', ...(g.chance(0.3) ? [g.pick(['ASYNC', 'SYNC'])] : [])]]],
    [4, restore],
    [2, (g) => [[g.pick(['EXISTS', 'TTL', 'PTTL', 'TYPE', 'TOUCH', 'EXPIRETIME', 'PEXPIRETIME']), g.anyKey()]]],
    [0.5, () => [['RANDOMKEY']]],
    [0.5, () => [['KEYS', '*']]],
    [0.5, () => [['SCAN', '0', 'COUNT', '100']]],
  ])(g);
