/**
 * The decoder on the byte-exact vectors of FORMATS.md §1.5 and §10 (files a real Redis
 * loaded and read back): lengths, a minimal RDB 9, the complete Redis 7.4.1 dump with field
 * TTL hashes, and the RDB 10 file with an LZF string and a type-19 stream.
 */
import { describe, expect, it } from 'vitest';
import { records, decode, eventLog, byteByByte } from '../helpers/collect.js';
import { RdbCursor } from '../../src/rdb/primitives.js';
import { resolveLimits } from '../../src/limits.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('length encoding (FORMATS.md §1.5)', () => {
  const cases: [string, number][] = [
    ['00', 0],
    ['3f', 63],
    ['4040', 64],
    ['7fff', 16383],
    ['8000004000', 16384],
    ['80ffffffff', 4294967295],
    ['810000000100000000', 4294967296],
  ];
  for (const [bytes, value] of cases) {
    it(`${bytes} → ${value}`, () => {
      const c = new RdbCursor('t', resolveLimits());
      c.r.append(hex(bytes));
      expect(c.tryLength()).toBe(value);
      expect(c.r.available()).toBe(0);
      // One byte short: nothing consumed, the exact need recorded.
      const d = new RdbCursor('t', resolveLimits());
      d.r.append(hex(bytes).subarray(0, bytes.length / 2 - 1));
      if (bytes.length > 2) {
        expect(d.tryLength()).toBe(-1);
        expect(d.r.pos).toBe(0);
        expect(d.r.wanted).toBe(bytes.length / 2);
      }
    });
  }
  it('0xFFFFFFFFFFFFFFFF stays exact as a bigint', () => {
    const c = new RdbCursor('t', resolveLimits());
    c.r.append(hex('81ffffffffffffffff'));
    c.tryLength();
    expect(c.lastLengthBig()).toBe(0xffffffffffffffffn);
  });
  it('halves with the top bit set read back unsigned', () => {
    const c = new RdbCursor('t', resolveLimits());
    c.r.append(hex('818000000180000002'));
    expect(c.tryLength()).toBe(0x80000001 * 2 ** 32 + 0x80000002);
    expect(c.lastLengthBig()).toBe(0x8000000180000002n);
    c.r.append(hex('8080000003'));
    expect(c.tryLength()).toBe(0x80000003);
    expect(c.lastLengthBig()).toBe(0x80000003n);
  });
  it('rejects 10xxxxxx forms other than 0x80/0x81', () => {
    const c = new RdbCursor('t', resolveLimits());
    c.r.append(hex('82'));
    expect(() => c.tryLength()).toThrow(expect.objectContaining({ code: 'BAD_LENGTH', offset: 0, found: '0x82' }));
  });
  it('int-encoded strings read back as decimal text', () => {
    const c = new RdbCursor('t', resolveLimits());
    c.r.append(hex('c0ff c18000 c200800000 c0 00'));
    const text = () => Buffer.from(c.tryString()!).toString();
    expect([text(), text(), text(), text()]).toEqual(['-1', '128', '32768', '0']);
  });
});

describe('FORMATS.md §10 files', () => {
  it('§10.1 minimal RDB 9 with an expiry', () => {
    const bytes = hex('524544495330303039 fe00 fb0101 fc0068e5cf8b010000 00 03666f6f 03626172 ff 1ea834d5bd17a46b');
    const { records: rs, summary } = records(bytes);
    expect(summary.end!.checksum).toBe('ok');
    expect(rs).toEqual([{ db: 0, key: 'foo', type: 'string', encoding: 'raw', expireAtMs: 1700000000000, value: 'bar' }]);
  });

  it('§10.2 the real Redis 7.4.1 dump, every key', () => {
    const bytes = hex(
      '524544495330303132fa0972656469732d76657205372e342e31fa0a72656469732d62697473c040fa056374696d65c252cd056bfa08757365642d6d656dc288371100fa08616f662d62617365c000fe00fb040012026c6901020c0c00000002008161020101ff1402736c0f0f00000003008161028162020101ff1802686800d8c32cbb03000002010162c002000161c0011902686c6051c22cbb030000353500000009008266330382763303f46051c22cbb030000098266320382763203f400d8c32cbb0300000982663103827631030001ffff09f8be88b9f515b7',
    );
    const { records: rs, summary, aux } = records(bytes);
    expect(summary.end!.checksum).toBe('ok');
    expect(aux['redis-ver']).toBe('7.4.1');
    expect(aux['redis-bits']).toBe('64');
    expect(rs).toEqual([
      { db: 0, key: 'li', type: 'list', encoding: 'quicklist', expireAtMs: null, value: ['a', '1'] },
      { db: 0, key: 'sl', type: 'set', encoding: 'listpack', expireAtMs: null, value: ['a', 'b', '1'] },
      { db: 0, key: 'hh', type: 'hash', encoding: 'hashtable', expireAtMs: null, value: [['b', '2'], ['a', '1']], fieldExpireAtMs: [['b', 4102444800000]] },
      {
        db: 0,
        key: 'hl',
        type: 'hash',
        encoding: 'listpackex',
        expireAtMs: null,
        value: [['f3', 'v3'], ['f2', 'v2'], ['f1', 'v1']],
        fieldExpireAtMs: [['f3', 4102444700000], ['f2', 4102444800000]],
      },
    ]);
    // The same events byte by byte.
    const a = eventLog();
    decode(bytes, a.handler);
    const b = eventLog();
    decode(bytes, b.handler, byteByByte);
    expect(b.log).toEqual(a.log);
  });

  it('§10.3 RDB 10 with an LZF string and a type-19 stream with a group', () => {
    const bytes = hex(
      '524544495330303130 fe00' +
        '00 03 6c7a66 c3 0d 40 46 0061e01e00016263c001e00b30' +
        '13 06 73747265616d 01 10 00000000000000010000000000000001' +
        '39 39000000 1600 0301 0001 0101 816602 0001 0201 0001 0001 817602 0401 0201 0001 0101 82763203 0401 0001 0001 0201 0101 816702 817802 0601 ff' +
        '03 0103 0101 0000 03 01 03677270 0102 02 01 00000000000000010000000000000002 0068e5cf8b010000 03' +
        '01 05616c696365 0168e5cf8b010000 01 00000000000000010000000000000002' +
        'ff 98b117e40adb118a',
    );
    const { records: rs, summary } = records(bytes);
    expect(summary.end!.checksum).toBe('ok');
    expect(rs[0]).toEqual({ db: 0, key: 'lzf', type: 'string', encoding: 'raw', expireAtMs: null, value: 'a'.repeat(40) + 'bc'.repeat(5) + 'a'.repeat(20) });
    expect(rs[1].value).toEqual({
      entries: [
        { id: '1-1', fields: [['f', 'v']] },
        { id: '1-2', fields: [['f', 'v2']] },
        { id: '1-3', fields: [['g', 'x']] },
      ],
      length: 3,
      lastGeneratedId: '1-3',
      recordedFirstEntryId: '1-1',
      maxDeletedEntryId: '0-0',
      entriesAdded: 3,
      groups: [
        {
          name: 'grp',
          lastDeliveredId: '1-2',
          entriesRead: 2,
          pending: [{ id: '1-2', consumer: 'alice', deliveryTimeMs: 1700000000000, deliveryCount: 3 }],
          consumers: [{ name: 'alice', seenTimeMs: 1700000000001, pending: [{ id: '1-2', deliveryTimeMs: 1700000000000, deliveryCount: 3 }] }],
        },
      ],
    });
  });
});
