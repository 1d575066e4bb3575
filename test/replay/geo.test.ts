/**
 * The geo commands against the installed Redis 7.0: its SAVE equals the replay of its AOF
 * (GEOADD logged as ZADD, the storing searches logged verbatim) and the engine fed the
 * client's commands; the engine's replies equal the server's — distances and coordinates as
 * the server's strings, refusals word for word. A seeded workload of a few hundred points and
 * searches of every kind exercises the edges of the cells a search walks.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/dataset/dataset.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { rng } from '../helpers/bytes.js';
import { applyDirect, refusalCode, replyDiff } from './direct-replies.js';

const FAR = '4102444800000';
const LAT = '85.05112878';

/** GEOADD with every flag and edge coordinates; the reads; refusals. */
const ADDS: Cmd[] = [
  ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
  ['GEOADD', 'g', '-180', `-${LAT}`, 'sw', '180', LAT, 'ne', '-180', LAT, 'nw', '180', `-${LAT}`, 'se'],
  ['GEOADD', 'g', '0', '0', 'origin', '-0', '-0', 'negzero', '179.99999999', '85.05112877', 'nearne', '1e-300', '-1e-300', 'tiny'],
  ['GEOADD', 'g', '180', '0', 'east', '-180', '0', 'west', '0', LAT, 'north', '0', `-${LAT}`, 'south'],
  ['GEOADD', 'g', '0x1p-2', '1e1', 'hex', '+45', '.5', 'plus'],
  ['GEOADD', 'g', 'NX', '0', '0', 'Palermo', '1', '1', 'nxnew'],
  ['GEOADD', 'g', 'XX', '2', '2', 'Palermo', '3', '3', 'xxnew'],
  ['GEOADD', 'g', 'XX', 'CH', '2', '2', 'Palermo', '4', '4', 'Catania', '5', '5', 'xxnew2'],
  ['GEOADD', 'g', 'CH', 'NX', '6', '6', 'Catania', '7', '7', 'chnx'],
  ['GEOADD', 'g', 'ch', '7', '7', 'chnx', '8', '8', 'chnx2'],
  ['GEOADD', 'g', 'CH', '7.5', '7', 'chnx'],
  ['GEOADD', 'g', 'xx', 'ch', 'xx', '13.361389', '38.115556', 'Palermo'],
  ['GEOADD', 'newxx', 'XX', '1', '1', 'a'],
  ['GEOPOS', 'g', 'Palermo', 'Catania', 'sw', 'ne', 'nw', 'se', 'origin', 'negzero', 'nearne', 'tiny', 'east', 'west', 'north', 'south', 'hex', 'plus', 'missing'],
  ['GEOPOS', 'g'],
  ['GEOPOS', 'nokey', 'a', 'b'],
  ['GEOHASH', 'g', 'Palermo', 'Catania', 'sw', 'ne', 'nw', 'se', 'origin', 'nearne', 'east', 'west', 'north', 'south', 'missing'],
  ['GEOHASH', 'nokey', 'a'],
  ['GEOHASH', 'g'],
  ['GEODIST', 'g', 'Palermo', 'Catania'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'km'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'MI'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'Ft'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'm'],
  ['GEODIST', 'g', 'sw', 'ne'],
  ['GEODIST', 'g', 'east', 'west'],
  ['GEODIST', 'g', 'north', 'south', 'km'],
  ['GEODIST', 'g', 'nw', 'ne'],
  ['GEODIST', 'g', 'origin', 'negzero'],
  ['GEODIST', 'g', 'origin', 'tiny'],
  ['GEODIST', 'g', 'Palermo', 'Palermo'],
  ['GEODIST', 'g', 'Palermo', 'missing'],
  ['GEODIST', 'nokey', 'a', 'b'],
  ['GEODIST', 'nokey', 'a', 'b', 'yards'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'yards'],
  ['GEODIST', 'g', 'Palermo', 'Catania', 'km', 'extra'],
  // Scores no GEOADD writes: decoded as the server decodes them.
  ['ZADD', 'g', '-1', 'neg1', '-1.5', 'neg15', '1.5', 'frac', '4503599627370496', 'two52', '9007199254740992', 'two53', '1e19', 'big', '1e30', 'huge'],
  ['ZADD', 'g', 'inf', 'pinf', '-inf', 'ninf', '-9223372036854775808', 'minll', '9223372036854775808', 'two63', '-0', 'mzero'],
  ['GEOPOS', 'g', 'neg1', 'neg15', 'frac', 'two52', 'two53', 'big', 'huge', 'pinf', 'ninf', 'minll', 'two63', 'mzero'],
  ['GEOHASH', 'g', 'neg1', 'neg15', 'frac', 'two52', 'two53', 'big', 'huge', 'pinf', 'ninf', 'minll', 'two63', 'mzero'],
  ['GEODIST', 'g', 'neg1', 'two53'],
  ['GEODIST', 'g', 'pinf', 'ninf', 'km'],
  ['ZSCORE', 'g', 'ne'],
  ['ZSCORE', 'g', 'east'],
  ['ZSCORE', 'g', 'north'],
  ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
  // Expiry kept by GEOADD.
  ['GEOADD', 'ttl', '1', '1', 'a'],
  ['PEXPIREAT', 'ttl', FAR],
  ['GEOADD', 'ttl', '2', '2', 'b'],
  // Refused.
  ['GEOADD', 'g', '181', '0', 'bad'],
  ['GEOADD', 'g', '-180.0000001', '0', 'bad'],
  ['GEOADD', 'g', '0', '85.05112879', 'bad'],
  ['GEOADD', 'g', '0', '-90', 'bad'],
  ['GEOADD', 'g', '1e300', '-1e-7', 'bad'],
  ['GEOADD', 'g', 'inf', '0', 'bad'],
  ['GEOADD', 'g', '-0', '-inf', 'bad'],
  ['GEOADD', 'g', '2.5', '-123.4567895', 'bad'],
  ['GEOADD', 'g', '1', '1', 'ok', '200', '1', 'bad'],
  ['GEOADD', 'g', 'x', '1', 'bad'],
  ['GEOADD', 'g', '1', 'nan', 'bad'],
  ['GEOADD', 'g', ' 1', '1', 'bad'],
  ['GEOADD', 'g', '1e400', '1', 'bad'],
  ['GEOADD', 'g', '1', '1'],
  ['GEOADD', 'g', '1', '1', 'a', '2'],
  ['GEOADD', 'g', 'NX', 'XX', '1', '1', 'a'],
  ['GEOADD', 'g', 'GT', '1', '1', 'a'],
  ['GEOADD', 'g', 'INCR', '1', '1', 'a'],
  ['GEOADD', 'g', 'CH', 'CH', 'CH'],
  ['GEOADD', 'g', 'NX', 'CH', 'XX'],
  ['SET', 'str', 'v'],
  ['GEOADD', 'str', '1', '1', 'a'],
  ['GEOADD', 'str', '500', '1', 'a'],
  ['GEOPOS', 'str', 'a'],
  ['GEOHASH', 'str', 'a'],
  ['GEODIST', 'str', 'a', 'b'],
  ['GEODIST', 'str', 'a', 'b', 'parsec'],
  ['GEOADD', 'g', '1', '1', Buffer.from([0, 0xff, 0x80])],
  ['GEOADD', 'g', '1', '1', 'y'.repeat(70)],
  ['GEOPOS', 'g', Buffer.from([0, 0xff, 0x80]), 'y'.repeat(70)],
];

/** A small city set to search, and the searches in every form. */
const CITIES: Cmd[] = [
  ['GEOADD', 'c', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2', '13.5', '38.2', 'twin1', '13.5', '38.2', 'twin2', '13.5', '38.2', 'twin0'],
  ['GEOADD', 'c', '2.3522', '48.8566', 'Paris', '-0.1276', '51.5072', 'London', '-74.006', '40.7128', 'NYC', '139.6917', '35.6895', 'Tokyo', '151.2093', '-33.8688', 'Sydney', '-179.9', '0', 'dateW', '179.9', '0', 'dateE'],
];

const SEARCHES: Cmd[] = [
  ...CITIES,
  ['GEORADIUS', 'c', '15', '37', '200', 'km'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'ASC'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'DESC'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'WITHHASH', 'ASC'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'COUNT', '2'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'COUNT', '2', 'DESC'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'COUNT', '3', 'ANY'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'COUNT', '3', 'ANY', 'ASC'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'COUNT', '100'],
  ['GEORADIUS', 'c', '15', '37', '200000', 'm', 'WITHDIST'],
  ['GEORADIUS', 'c', '15', '37', '124.27', 'mi', 'WITHDIST'],
  ['GEORADIUS', 'c', '15', '37', '656168', 'ft', 'WITHDIST'],
  ['GEORADIUS', 'c', '13.5', '38.2', '0', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '13.5', '38.2', '1', 'm', 'WITHDIST', 'WITHCOORD'],
  ['GEORADIUS', 'c', '0', '0', '30000', 'km'],
  ['GEORADIUS', 'c', '0', '0', '30000', 'km', 'WITHDIST', 'ASC'],
  ['GEORADIUS', 'c', '0', '0', '6000', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '180', '0', '50', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '-180', '0', '50', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '0', LAT, '5000', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '0', '89', '5000', 'km'],
  ['GEORADIUS', 'c', '15', '37', 'inf', 'km', 'WITHDIST'],
  ['GEORADIUS', 'c', '15', '37', '1e308', 'km'],
  ['GEORADIUS', 'nokey', '15', '37', '200', 'km'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', '200', 'km'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'COUNT', '4'],
  ['GEORADIUSBYMEMBER', 'c', 'twin1', '0', 'm', 'WITHDIST'],
  ['GEORADIUSBYMEMBER', 'c', 'twin1', '10', 'km', 'COUNT', '2'],
  ['GEORADIUSBYMEMBER', 'c', 'twin1', '10', 'km', 'COUNT', '2', 'DESC'],
  ['GEORADIUSBYMEMBER', 'c', 'dateE', '100', 'km', 'WITHDIST'],
  ['GEORADIUSBYMEMBER', 'c', 'missing', '200', 'km'],
  ['GEORADIUSBYMEMBER', 'nokey', 'missing', 'abc', 'parsec'],
  ['GEORADIUSBYMEMBER', 'nokey', 'm', '1', 'km', 'STORE', 'x', 'WITHDIST'],
  ['GEORADIUS_RO', 'c', '15', '37', '200', 'km', 'WITHDIST', 'ASC'],
  ['GEORADIUSBYMEMBER_RO', 'c', 'Palermo', '200', 'km', 'DESC', 'COUNT', '3'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHCOORD', 'WITHDIST', 'WITHHASH'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '100', 'km', 'DESC'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '100', '400', 'km', 'DESC'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '0', '0', 'BYBOX', '40000', '20000', 'km', 'WITHDIST'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '0', '0', 'BYBOX', '0', '0', 'km'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '13.5', '38.2', 'BYBOX', '0', '0', 'km'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '15', '-37', 'BYBOX', '300', '300', 'mi', 'WITHDIST'],
  ['GEOSEARCH', 'c', 'BYRADIUS', '200', 'km', 'FROMLONLAT', '15', '37', 'COUNT', '1', 'ANY'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Catania', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYRADIUS', '50', 'km', 'WITHDIST'],
  ['GEOSEARCH', 'c', 'frommember', 'twin0', 'byradius', '1', 'KM', 'count', '2', 'withdist'],
  ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCHSTORE', 'dst', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ['GEOSEARCHSTORE', 'dstd', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
  ['GEOSEARCHSTORE', 'dstc', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '500', '500', 'km', 'COUNT', '3', 'DESC', 'STOREDIST'],
  ['GEOSEARCHSTORE', 'dsta', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '500', '500', 'mi', 'COUNT', '3', 'ANY'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'STORE', 'r1'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'STOREDIST', 'r2'],
  ['GEORADIUS', 'c', '15', '37', '200', 'mi', 'STOREDIST', 'r3', 'COUNT', '2'],
  ['GEORADIUS', 'c', '0', '0', '30000', 'km', 'STOREDIST', 'r4'],
  ['GEORADIUS', 'c', '15', '37', '200', 'km', 'STORE', 'r5', 'STOREDIST', 'r6'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', '100', 'km', 'STORE', 'r7'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', '100', 'ft', 'STOREDIST', 'r8'],
  ['GEORADIUSBYMEMBER', 'c', 'twin1', '0', 'km', 'STOREDIST', 'r9'],
  // An empty result deletes the destination, whatever it held; the expiry goes with a replacement.
  ['SET', 'gone1', 'x'],
  ['GEORADIUS', 'c', '0', '0', '1', 'km', 'STORE', 'gone1'],
  ['ZADD', 'gone2', '1', 'a'],
  ['GEOSEARCHSTORE', 'gone2', 'c', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['SET', 'gone3', 'x'],
  ['GEOSEARCHSTORE', 'gone3', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['SET', 'gone4', 'x'],
  ['GEORADIUSBYMEMBER', 'nokey', 'm', '1', 'km', 'STORE', 'gone4'],
  ['GEOADD', 'rep', '1', '1', 'old'],
  ['PEXPIREAT', 'rep', FAR],
  ['GEOSEARCHSTORE', 'rep', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ['SET', 'strdst', 'v'],
  ['GEOSEARCHSTORE', 'strdst', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ['GEOSEARCHSTORE', 'c2', 'c', 'FROMLONLAT', '0', '0', 'BYRADIUS', '30000', 'km'],
  ['GEOSEARCHSTORE', 'c2', 'c2', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1000', 'km', 'STOREDIST'],
  ['ZRANGE', 'c2', '0', '-1', 'WITHSCORES'],
  // A script's geo calls and what it does with their replies.
  [
    'EVAL',
    "redis.call('geoadd', KEYS[1], 13.361389, 38.115556, 'P', 15.087269, 37.502669, 'C') " +
      "local r = redis.call('georadius', KEYS[1], 15, 37, 200, 'km', 'WITHDIST', 'WITHHASH', 'WITHCOORD', 'ASC') " +
      "for _, e in ipairs(r) do redis.call('rpush', KEYS[2], e[1], e[2], e[3], e[4][1], e[4][2]) end " +
      "local p = redis.call('geopos', KEYS[1], 'P', 'nope') " +
      "redis.call('rpush', KEYS[2], p[1][1], p[1][2], tostring(p[2]), redis.call('geodist', KEYS[1], 'P', 'C', 'mi'), redis.call('geohash', KEYS[1], 'C')[1]) " +
      "redis.call('rpush', KEYS[2], redis.call('georadius', KEYS[1], 15, 37, 200, 'km', 'STOREDIST', KEYS[3])) " +
      'return r',
    '3',
    'lg',
    'll',
    'ld',
  ],
  ['MULTI'],
  ['GEOADD', 'tx', '1', '1', 'a', '1.001', '1.001', 'b'],
  ['GEORADIUS', 'tx', '1', '1', '1', 'km', 'STOREDIST', 'txd'],
  ['EXEC'],
  // Refused.
  ['GEORADIUS', 'c', '200', '37', '200', 'km'],
  ['GEORADIUS', 'c', '15', 'x', '200', 'km'],
  ['GEORADIUS', 'c', '15', '37', 'x', 'km'],
  ['GEORADIUS', 'c', '15', '37', '-1', 'km'],
  ['GEORADIUS', 'c', '15', '37', 'nan', 'km'],
  ['GEORADIUS', 'c', '15', '37', '1', 'parsec'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'COUNT', '0'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'COUNT', '-3'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'COUNT', 'x'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'COUNT'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'ANY'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'STORE'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'STORE', 'x', 'WITHDIST'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'WITHHASH', 'STOREDIST', 'x'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'FROMLONLAT', '1', '1'],
  ['GEORADIUS', 'c', '15', '37', '1', 'km', 'BOGUS'],
  ['GEORADIUS_RO', 'c', '15', '37', '1', 'km', 'STORE', 'x'],
  ['GEORADIUSBYMEMBER_RO', 'c', 'Palermo', '1', 'km', 'STOREDIST', 'x'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', '1', 'km', 'COUNT', '0'],
  ['GEORADIUSBYMEMBER', 'c', 'Palermo', 'abc', 'km'],
  ['GEOSEARCH', 'c', 'BYRADIUS', '1', 'km', 'WITHDIST'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '1', '1', 'WITHDIST'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'nobody', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', 'x', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', 'x', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '-1', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '-1', 'parsec'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'parsec'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STOREDIST'],
  ['GEOSEARCH', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'ANY'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '1', '100', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'c', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1'],
  ['geosearch', 'c', 'withdist', 'byradius', '1', 'km'],
  ['GEOSEARCH', 'nokey', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'ANY'],
  ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', 'x', 'km'],
  ['GEOSEARCHSTORE', 'x', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'WITHDIST'],
  ['GEOSEARCHSTORE', 'x', 'c', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'y'],
  ['GEOSEARCHSTORE', 'x', 'c', 'BYRADIUS', '1', 'km'],
  ['geosearchstore', 'x', 'c', 'FROMLONLAT', '1', '1'],
  ['SET', 'str', 'v'],
  ['GEORADIUS', 'str', '200', '37', '200', 'km'],
  ['GEORADIUSBYMEMBER', 'str', 'm', '1', 'km'],
  ['GEOSEARCH', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCHSTORE', 'x', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCHSTORE', 'str', 'c', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km'],
];

const UNITS = ['m', 'km', 'mi', 'ft'];
const PER_METER: Record<string, number> = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };

/**
 * A seeded workload: points clustered around a few centres (near the poles' limit and the
 * antimeridian too, and many on a fine grid so that distances tie), a few members with hand-made
 * scores, and searches of every kind around members and random points, with radii and boxes
 * that reach across cell edges.
 */
function randomWorkload(seed: number, points: number, searches: number): Cmd[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const centres: [number, number][] = [
    [13.36, 38.11],
    [-0.12, 51.5],
    [179.7, -10],
    [-179.95, 84.9],
    [0.001, -84.99],
    [-73.9, 40.7],
    [100, 0],
    // Corners of cells at every step: the searches there straddle cell edges.
    [0, 0],
    [-90, 0],
  ];
  const cmds: Cmd[] = [];
  const members: string[] = [];
  const fmt = (x: number) => (rand() < 0.3 ? x.toFixed(Math.floor(rand() * 4)) : String(x));
  for (let i = 0; i < points; ) {
    const args: string[] = [];
    const n = 1 + Math.floor(rand() * 8);
    for (let j = 0; j < n && i < points; j++, i++) {
      const [cx, cy] = pick(centres);
      const spread = pick([0.01, 0.1, 1, 5]);
      let lon = cx + (rand() - 0.5) * spread * 2;
      let lat = cy + (rand() - 0.5) * spread * 2;
      if (rand() < 0.2) {
        // On a grid: several points share a cell centre, so distances tie.
        lon = Math.round(lon * 20) / 20;
        lat = Math.round(lat * 20) / 20;
      }
      lon = Math.max(-180, Math.min(180, lon));
      lat = Math.max(-85.05112878, Math.min(85.05112878, lat));
      const m = `p${i}`;
      members.push(m);
      args.push(fmt(lon), fmt(lat), m);
    }
    cmds.push(['GEOADD', 'rg', ...args]);
  }
  for (let i = 0; i < searches; i++) {
    const opts: string[] = [];
    if (rand() < 0.3) opts.push('WITHDIST');
    if (rand() < 0.2) opts.push('WITHCOORD');
    if (rand() < 0.2) opts.push('WITHHASH');
    const order = rand();
    if (order < 0.3) opts.push('ASC');
    else if (order < 0.5) opts.push('DESC');
    if (rand() < 0.4) {
      opts.push('COUNT', String(1 + Math.floor(rand() * 12)));
      if (rand() < 0.3) opts.push('ANY');
    }
    const unit = pick(UNITS);
    const km = pick([0.5, 5, 20, 80, 300, 1500]) * (0.5 + rand());
    const size = String(Number(((km * 1000) / PER_METER[unit]).toPrecision(6)));
    const [cx, cy] = pick(centres);
    const lon = String(Math.max(-180, Math.min(180, cx + (rand() - 0.5) * 4)));
    const lat = String(Math.max(-85.05112878, Math.min(85.05112878, cy + (rand() - 0.5) * 4)));
    const member = pick(members);
    const from = rand() < 0.5 ? ['FROMMEMBER', member] : ['FROMLONLAT', lon, lat];
    const by = rand() < 0.5 ? ['BYRADIUS', size, unit] : ['BYBOX', size, String(Number((Number(size) * (0.2 + rand() * 2)).toPrecision(6))), unit];
    const kind = rand();
    const storeOpts = opts.filter((o) => !o.startsWith('WITH'));
    if (kind < 0.25) cmds.push(['GEOSEARCH', 'rg', ...from, ...by, ...opts]);
    else if (kind < 0.4) cmds.push(['GEORADIUS', 'rg', lon, lat, size, unit, ...opts]);
    else if (kind < 0.55) cmds.push(['GEORADIUSBYMEMBER', 'rg', member, size, unit, ...opts]);
    else if (kind < 0.75) cmds.push(['GEOSEARCHSTORE', `s${i}`, 'rg', ...from, ...by, ...storeOpts, ...(rand() < 0.5 ? ['STOREDIST'] : [])]);
    else if (kind < 0.9) cmds.push(['GEORADIUS', 'rg', lon, lat, size, unit, ...storeOpts, rand() < 0.5 ? 'STORE' : 'STOREDIST', `s${i}`]);
    else cmds.push(['GEORADIUSBYMEMBER', 'rg', member, size, unit, ...storeOpts, rand() < 0.5 ? 'STORE' : 'STOREDIST', `s${i}`]);
  }
  for (let i = 0; i < 40; i++) cmds.push(['GEODIST', 'rg', pick(members), pick(members), pick(UNITS)]);
  cmds.push(['GEOPOS', 'rg', ...members.slice(0, 60)]);
  cmds.push(['GEOHASH', 'rg', ...members.slice(0, 60)]);
  return cmds;
}

const RANDOM = randomWorkload(20260501, 400, 300);

/** The destinations the commands write distances to (STOREDIST). */
function storedDistanceKeys(cmds: Cmd[]): Set<string> {
  const out = new Set<string>();
  for (const cmd of cmds) {
    const argv = cmd.map(String);
    const name = argv[0].toUpperCase();
    const at = argv.findIndex((a) => a.toUpperCase() === 'STOREDIST');
    if (at < 0) continue;
    if (name === 'GEOSEARCHSTORE') out.add(argv[1]);
    else if (at + 1 < argv.length) out.add(argv[at + 1]);
  }
  return out;
}

/** Units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0] - i[1];
  return Number(d < 0n ? -d : d);
}

/**
 * Compares the sorted sets that STOREDIST wrote in `a` and `b` (db 0), member for member, the
 * distances within `maxUlps`, then removes them from both so that the rest can be compared
 * exactly. Returns the differences beyond the tolerance and the number of distances that
 * differ at all.
 */
function compareStoredDistances(a: Dataset, b: Dataset, keys: Set<string>, maxUlps: number): { problems: string[]; differing: number; total: number } {
  const problems: string[] = [];
  let differing = 0;
  let total = 0;
  for (const key of keys) {
    const va = a.db(0).get(key);
    const vb = b.db(0).get(key);
    if (va === undefined && vb === undefined) continue;
    if (!(va instanceof ZSetValue) || !(vb instanceof ZSetValue) || va.size !== vb.size) {
      problems.push(`${key}: not the same sorted set`);
      continue;
    }
    for (const [m, s] of va.entries()) {
      total++;
      const t = vb.score(m);
      if (t === undefined) problems.push(`${key}: ${m} missing`);
      else if (ulps(s, t) > maxUlps) problems.push(`${key}: ${m} ${s} vs ${t}`);
      else if (s !== t) differing++;
    }
    a.db(0).delete(key);
    b.db(0).delete(key);
  }
  return { problems, differing, total };
}

describe('geo commands against Redis 7.0', () => {
  for (const [name, cmds] of [
    ['GEOADD, GEOPOS, GEODIST, GEOHASH', ADDS],
    ['the searches in every form, STORE and STOREDIST, refusals', SEARCHES],
  ] as const) {
    it(`${name}: replay and direct application equal the server, replies too`, async () => {
      const run = await runOracle(cmds as Cmd[], { direct: true });
      expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
      expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
      expect(replyDiff(cmds as Cmd[], run.replies, applyDirect(cmds as Cmd[]).replies)).toEqual([]);
    });
  }
});

describe('geo commands replayed after a rewrite', () => {
  it('with an RDB preamble and without, a rewrite halfway', async () => {
    for (const cmds of [ADDS, SEARCHES]) {
      const half = Math.floor(cmds.length / 2);
      const a = await runOracle(cmds, { preamble: true, rewriteAfter: half });
      expect(datasetDiff(a.saved, a.replayed.dataset)).toEqual([]);
      const b = await runOracle(cmds, { preamble: false, rewriteAfter: half });
      expect(datasetDiff(b.saved, b.replayed.dataset)).toEqual([]);
    }
  });

  it('GEOADD reaches the AOF as ZADD; the storing searches verbatim, reads not at all', async () => {
    const run = await runOracle(SEARCHES);
    const aof = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(aof).not.toMatch(/GEOADD/i);
    expect(aof).toMatch(/GEOSEARCHSTORE/i);
    expect(aof).toMatch(/GEORADIUSBYMEMBER/i);
    expect(aof).not.toMatch(/GEOSEARCH\r/i);
    expect(aof).not.toMatch(/GEORADIUS_RO|GEOPOS|GEODIST|GEOHASH/i);
    // The script ran (its replies went into a list) and stored distances.
    expect((run.saved.db(0).get('ll') as { length: number }).length).toBe(16);
    expect((run.saved.db(0).get('ld') as ZSetValue).size).toBe(2);
  });
});

describe('a seeded workload of random points and searches against Redis 7.0', () => {
  // The distances STOREDIST stores come from sin, cos and asin. JavaScript's are fdlibm's;
  // glibc's (2.28 on) are neither fdlibm's nor correctly rounded and, on x86-64, differ with the
  // CPU (FMA variants). About one distance in a hundred differs in its last bit or two: those
  // scores are compared within 4 ulps, everything else exactly.
  it('replay and direct application equal the server (stored distances within 4 ulps), replies too', async () => {
    const run = await runOracle(RANDOM, { direct: true });
    const keys = storedDistanceKeys(RANDOM);
    expect(keys.size).toBeGreaterThan(30);
    const direct = compareStoredDistances(run.saved, run.direct!, keys, 4);
    expect(direct.problems).toEqual([]);
    expect(direct.total).toBeGreaterThan(500);
    expect(direct.differing).toBeLessThan(direct.total / 20);
    console.log(`stored distances ${direct.total}, differing in the last bits ${direct.differing}`);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);

    const again = await runOracle(RANDOM, { preamble: true, rewriteAfter: Math.floor(RANDOM.length / 2) });
    const replayed = compareStoredDistances(again.saved, again.replayed.dataset, keys, 4);
    expect(replayed.problems).toEqual([]);
    expect(datasetDiff(again.saved, again.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, again.saved)).toEqual([]);

    expect(replyDiff(RANDOM, run.replies, applyDirect(RANDOM).replies)).toEqual([]);
  });

  it('the workload exercises what it claims: searches that find points, cut by COUNT, and tied distances', async () => {
    const run = await runOracle(RANDOM);
    let found = 0;
    let cut = 0;
    let ties = 0;
    for (let i = 0; i < RANDOM.length; i++) {
      const r = run.replies[i];
      const argv = RANDOM[i].map(String);
      if (!Array.isArray(r) || argv[0] === 'GEOPOS' || argv[0] === 'GEOHASH') continue;
      if (r.length > 0) found++;
      const c = argv.indexOf('COUNT');
      if (c > 0 && r.length === Number(argv[c + 1])) cut++;
      if (argv.includes('WITHDIST')) {
        const dists = r.map((e) => String((e as unknown[])[1]));
        if (new Set(dists).size < dists.length) ties++;
      }
    }
    console.log(`searches finding points ${found}, cut by COUNT ${cut}, with tied distances ${ties}`);
    expect(found).toBeGreaterThan(60);
    expect(cut).toBeGreaterThan(20);
    expect(ties).toBeGreaterThan(5);
  });
});

describe('geo commands the replay refuses', () => {
  it('wrong type, wrong arity and bad arguments', () => {
    const str = [['SET', 'k', 'v']];
    expect(refusalCode(['GEOADD', 'k', '1', '1', 'a'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['GEORADIUS', 'k', '1', '1', '1', 'km', 'STORE', 'd'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['GEOSEARCHSTORE', 'd', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['GEOADD', 'k', '1', '1'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['GEOSEARCHSTORE', 'd', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['GEOADD', 'k', '200', '1', 'a'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['GEORADIUS', 'k', '1', '1', '1', 'km', 'STORE', 'd', 'WITHDIST'])).toBe('REPLAY_BAD_ARGUMENT');
  });
});
