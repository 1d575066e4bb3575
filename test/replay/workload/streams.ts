/**
 * Stream commands with consumer-group traffic: XADD with `*`, explicit and `ms-*` IDs, field
 * values of every shape, trimming (MAXLEN/MINID, exact and `~`, LIMIT), NOMKSTREAM; XDEL,
 * XTRIM, XSETID (ENTRIESADDED, MAXDELETEDID); XGROUP CREATE/SETID (ENTRIESREAD, MKSTREAM)/
 * DESTROY/CREATECONSUMER/DELCONSUMER; XREADGROUP (new and pending entries, NOACK, COUNT),
 * XCLAIM with every option, XACK, XAUTOCLAIM; reads.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const group = (g: Gen) => g.weighted([[6, 'g1'], [3, 'g2'], [1, 'g3']]);
const consumer = (g: Gen) => g.pick(['c1', 'c2', 'c3']);

function trim(g: Gen): string[] {
  const out: string[] = [];
  if (g.chance(0.6)) out.push('MAXLEN', ...(g.chance(0.5) ? [g.pick(['=', '~'])] : []), String(g.int(0, 20)));
  else out.push('MINID', ...(g.chance(0.5) ? [g.pick(['=', '~'])] : []), `${g.streamCursor() - g.int(0, 30)}-${g.int(0, 1)}`);
  if (out.includes('~') && g.chance(0.4)) out.push('LIMIT', String(g.int(0, 10)));
  return out;
}

function xadd(g: Gen): Cmd[] {
  const c: Cmd = ['XADD', g.key('stream')];
  if (g.chance(0.1)) c.push('NOMKSTREAM');
  if (g.chance(0.2)) c.push(...trim(g));
  c.push(g.chance(0.5) ? '*' : g.chance(0.05) ? g.pick(['0-1', '1-1', '5']) : g.newStreamId());
  const n = g.chance(0.05) ? g.int(20, 70) : g.int(1, 3);
  for (let i = 0; i < n; i++) c.push(g.chance(0.7) ? g.pick(['f', 'g', 'name', 'n']) : g.member(), g.value());
  return [c];
}

function bulkAdd(g: Gen): Cmd[] {
  const key = g.key('stream');
  return g.bulk(() => ['XADD', key, '*', 'f', g.value()] as Cmd, g.int(20, 140));
}

function xgroup(g: Gen): Cmd[] {
  const k = g.key('stream');
  return g.weighted<() => Cmd[]>([
    [4, () => {
      const c: Cmd = ['XGROUP', 'CREATE', k, group(g), g.pick(['$', '0', '0-0', g.oldStreamId()])];
      if (g.chance(0.7)) c.push('MKSTREAM');
      if (g.chance(0.3)) c.push('ENTRIESREAD', String(g.int(-1, 30)));
      return [c];
    }],
    [2, () => {
      const c: Cmd = ['XGROUP', 'SETID', k, group(g), g.pick(['$', '0', g.oldStreamId()])];
      if (g.chance(0.3)) c.push('ENTRIESREAD', String(g.int(-1, 30)));
      return [c];
    }],
    [1, () => [['XGROUP', 'DESTROY', k, group(g)]]],
    [1, () => [['XGROUP', 'CREATECONSUMER', k, group(g), consumer(g)]]],
    [1, () => [['XGROUP', 'DELCONSUMER', k, group(g), consumer(g)]]],
  ])();
}

function xreadgroup(g: Gen): Cmd[] {
  const c: Cmd = ['XREADGROUP', 'GROUP', group(g), consumer(g)];
  if (g.chance(0.6)) c.push('COUNT', String(g.int(1, 5)));
  if (g.chance(0.2)) c.push('NOACK');
  const two = g.chance(0.2);
  c.push('STREAMS', g.key('stream'), ...(two ? [g.key('stream')] : []));
  c.push(g.chance(0.8) ? '>' : g.pick(['0', g.oldStreamId()]));
  if (two) c.push('>');
  return [c];
}

function xclaim(g: Gen): Cmd[] {
  const c: Cmd = ['XCLAIM', g.key('stream'), group(g), consumer(g), String(g.pick([0, 0, 10, 100000]))];
  for (let n = g.int(1, 3); n > 0; n--) c.push(g.oldStreamId());
  if (g.chance(0.2)) c.push('IDLE', String(g.int(0, 5000)));
  else if (g.chance(0.2)) c.push('TIME', String(g.pick([1_600_000_000_000, 1_700_000_000_000 + g.int(0, 1000)])));
  if (g.chance(0.3)) c.push('RETRYCOUNT', String(g.int(0, 10)));
  if (g.chance(0.3)) c.push('FORCE');
  if (g.chance(0.3)) c.push('JUSTID');
  if (g.chance(0.1)) c.push('LASTID', g.oldStreamId());
  return [c];
}

export const streams: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [8, xadd],
    [0.3, bulkAdd],
    [2, (g) => [['XDEL', g.key('stream'), ...Array.from({ length: g.int(1, 3) }, () => g.oldStreamId())]]],
    [1, (g) => [['XTRIM', g.key('stream'), ...trim(g)]]],
    [1, (g) => {
      const c: Cmd = ['XSETID', g.key('stream'), `${g.streamCursor(g.int(0, 2))}-${g.int(0, 9)}`];
      if (g.chance(0.4)) c.push('ENTRIESADDED', String(g.int(0, 200)));
      if (g.chance(0.4)) c.push('MAXDELETEDID', g.oldStreamId());
      return [c];
    }],
    [5, xgroup],
    [5, xreadgroup],
    [2, xclaim],
    [2, (g) => [['XACK', g.key('stream'), group(g), ...Array.from({ length: g.int(1, 3) }, () => g.oldStreamId())]]],
    [2, (g) => [['XAUTOCLAIM', g.key('stream'), group(g), consumer(g), String(g.pick([0, 0, 1000])), g.pick(['0', '0-0', g.oldStreamId()]), ...(g.chance(0.5) ? ['COUNT', String(g.int(1, 10))] : []), ...(g.chance(0.3) ? ['JUSTID'] : [])]]],
    [1, (g) => [g.pick<Cmd>([['XLEN', g.key('stream')], ['XRANGE', g.key('stream'), '-', '+'], ['XPENDING', g.key('stream'), group(g)]])]],
  ])(g);
