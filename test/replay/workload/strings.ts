/**
 * String commands: every SET form (conditions, GET, each expiry kind, KEEPTTL), the counters
 * up to their 64-bit edges, INCRBYFLOAT, APPEND/SETRANGE growing values past the int and
 * embedded-string encodings, GETEX/GETDEL/GETSET, MSET/MSETNX, and reads that expire keys.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const set = (g: Gen): Cmd[] => {
  const c: Cmd = ['SET', g.key('str'), g.value()];
  if (g.chance(0.25)) c.push(g.pick(['NX', 'XX']));
  if (g.chance(0.2)) c.push('GET');
  if (g.chance(0.4)) c.push(...g.setExpiry());
  return [c];
};

export const strings: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [6, set],
    [1, (g) => [['SETNX', g.key('str'), g.value()]]],
    [1, (g) => [['SETEX', g.key('str'), g.pick(['1', '100', '100000', '0', '-5']), g.value()]]],
    [1, (g) => [['PSETEX', g.key('str'), g.pick(['5', '30', '100000000', '0']), g.value()]]],
    [1, (g) => [['GETSET', g.key('str'), g.value()]]],
    [1, (g) => [['GETDEL', g.key('str')]]],
    [2, (g) => [['GETEX', g.key('str'), ...(g.chance(0.8) ? g.setExpiry(true) : [])]]],
    [2, (g) => [['APPEND', g.key('str'), g.chance(0.2) ? g.long() : g.value()]]],
    [2, (g) => [['SETRANGE', g.key('str'), String(g.chance(0.1) ? g.int(100, 3000) : g.int(0, 20)), g.value()]]],
    [2, (g) => [[g.pick(['INCR', 'DECR']), g.key('str')]]],
    [2, (g) => [[g.pick(['INCRBY', 'DECRBY']), g.key('str'), g.intText()]]],
    [2, (g) => [['INCRBYFLOAT', g.key('str'), g.pick(['1.5', '-0.25', '1e10', '3.0e2', '0.1', '-7', '5.0e3', '1e-20', '1e300', 'inf', '1.7976931348623157e308'])]]],
    [1, (g) => [['MSET', ...Array.from({ length: g.int(1, 3) }, () => [g.key('str'), g.value()]).flat()]]],
    [1, (g) => [['MSETNX', ...Array.from({ length: g.int(1, 3) }, () => [g.key('str'), g.value()]).flat()]]],
    [2, (g) => [[g.pick(['GET', 'STRLEN']), g.key('str')]]],
    [1, (g) => [['MGET', ...g.keys('str', 3)]]],
    [1, (g) => [['GETRANGE', g.key('str'), String(g.int(-5, 5)), String(g.int(-5, 50))]]],
  ])(g);
