/**
 * A handler with `stringLatin1` gets every whole string value as Latin-1 text instead of bytes,
 * and `keyLatin1()` gives the key the same way: the same bytes, one char each, as `stringValue`
 * and `key` give; one with `stringRange` gets them as a range of a buffer (and list items,
 * hash fields and sorted-set members through `itemRange`, `fieldRange` and `memberRange`), and
 * `keyBuf`, `keyFrom` and `keyTo` say where the key is: the same bytes again, for every fixture and corpus file, whole, byte by byte (small files), at
 * random split points and at a non-zero byteOffset; LZF, integer and raw strings alike. Strings
 * delivered in parts still come through `stringPart`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyInfo, RdbHandler } from '../../src/model/events.js';
import { byteByByte, decode, eventLog, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { fixtureRdbs, goodCorpusRdbs, itCorpus } from '../helpers/files.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const latin1Hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/**
 * The event log of a handler that takes strings and keys another way (`as`): Latin-1 text, or
 * ranges of buffers (elements too), each logged as the byte log writes it; `keyText` gives the
 * key that way, checked against its bytes.
 */
function otherLog(as: 'latin1' | 'range' | 'target'): { handler: RdbHandler; log: string[]; texts: { n: number } } {
  const { handler, log } = eventLog();
  const texts = { n: 0 };
  const keyStart = handler.keyStart!;
  const line = (text: string): void => {
    texts.n++;
    log.push(text);
  };
  const keyHex = as === 'latin1' ? (k: KeyInfo) => latin1Hex(k.keyLatin1!()!) : (k: KeyInfo) => hex(k.keyBuf!.subarray(k.keyFrom, k.keyTo));
  // With `target`, small LZF strings are decompressed into a buffer of the test's, at a moving
  // place between guard bytes that must stay as they are.
  const place = new Uint8Array(8192).fill(0xa5);
  let at = 0;
  const forms: RdbHandler =
    as === 'latin1'
      ? { stringLatin1: (s) => line(`str ${latin1Hex(s)}`) }
      : {
          ...(as === 'target'
            ? {
                stringTarget: (length: number, out: { buf: Uint8Array; at: number }) => {
                  at = (at + 7) % 1000;
                  out.buf = place;
                  out.at = at;
                  return true;
                },
              }
            : {}),
          stringRange: (buf, start, end) => {
            if (buf === place) {
              expect(start).toBe(at);
              expect(place[end]).toBe(0xa5);
              line(`str ${hex(buf.subarray(start, end))}`);
              place.fill(0xa5, start, end);
              return;
            }
            line(`str ${hex(buf.subarray(start, end))}`);
          },
          // Elements as ranges, logged as the plain forms log them (those stay for what has no range form).
          itemRange: (buf, start, end) => line(`item ${hex(buf.subarray(start, end))}`),
          fieldRange: (fb, fs, fe, vb, vs, ve) => line(`field ${hex(fb.subarray(fs, fe))} ${hex(vb.subarray(vs, ve))} null`),
          memberRange: (buf, start, end, score) => line(`member ${hex(buf.subarray(start, end))} ${score}`),
        };
  return {
    log,
    texts,
    handler: {
      ...handler,
      ...forms,
      keyStart: (k) => {
        // The key taken the other way must equal its bytes, then the usual line is logged.
        expect(keyHex(k)).toBe(hex(k.key));
        return keyStart(k);
      },
    },
  };
}

function compare(file: string, splits: Splitter[], limits?: { maxInlineValueBytes: number }, as: 'latin1' | 'range' | 'target' = 'latin1'): number {
  const bytes = new Uint8Array(readFileSync(file));
  let texts = 0;
  for (const split of splits) {
    // The same chunking for both: parts of a long string follow the chunks.
    const base = eventLog();
    decode(bytes, base.handler, split, { limits });
    const l = otherLog(as);
    decode(bytes, l.handler, split, { limits });
    expect(l.log).toEqual(base.log);
    texts = l.texts.n;
  }
  return texts;
}

describe('strings and keys as ranges of buffers', () => {
  it('every fixture: the same values as bytes give, whatever the chunking', () => {
    let texts = 0;
    for (const file of fixtureRdbs()) {
      const small = readFileSync(file).length < 64 * 1024;
      texts += compare(file, [whole, randomSplits(7), noisy(randomSplits(11, 300)), ...(small ? [byteByByte] : [])], undefined, 'range');
    }
    expect(texts).toBeGreaterThan(50);
  });

  it('strings delivered in parts still come in parts; the rest as ranges', () => {
    const file = fixtureRdbs().find((f) => path.basename(f) === 'all-types.rdb')!;
    const texts = compare(file, [whole, randomSplits(3)], { maxInlineValueBytes: 16 }, 'range');
    expect(texts).toBeGreaterThan(0);
  });

  itCorpus('every good corpus file', () => {
    for (const file of goodCorpusRdbs()) compare(file, [whole, randomSplits(5, 500)], undefined, 'range');
  });
});

describe('small LZF strings decompressed where the handler asks (stringTarget)', () => {
  it('every fixture: the same values, whatever the chunking, and nothing written outside the place given', () => {
    let texts = 0;
    for (const file of fixtureRdbs()) {
      const small = readFileSync(file).length < 64 * 1024;
      texts += compare(file, [whole, randomSplits(7), noisy(randomSplits(11, 300)), ...(small ? [byteByByte] : [])], undefined, 'target');
    }
    expect(texts).toBeGreaterThan(50);
  });

  itCorpus('every good corpus file', () => {
    for (const file of goodCorpusRdbs()) compare(file, [whole, randomSplits(5, 500)], undefined, 'target');
  });

  it('a damaged LZF string: the same error with a place given as without', () => {
    const file = fixtureRdbs().find((f) => path.basename(f) === 'all-types.rdb')!;
    const bytes = new Uint8Array(readFileSync(file));
    // Every LZF string header (0xC3) in turn gets a back-reference pointing before its start.
    let tried = 0;
    for (let i = 0; i < bytes.length - 8 && tried < 40; i++) {
      if (bytes[i] !== 0xc3) continue;
      const damaged = bytes.slice();
      // The first token after the two lengths: a long back-reference to distance 8191.
      let p = i + 1;
      for (let n = 0; n < 2; n++) p += (damaged[p] >> 6) === 0 ? 1 : (damaged[p] >> 6) === 1 ? 2 : 5;
      if (p + 1 >= damaged.length) continue;
      damaged[p] = 0x3f;
      damaged[p + 1] = 0xff;
      const errorOf = (as: 'range' | 'target'): string => {
        try {
          decode(damaged, otherLog(as).handler, whole, { verify: 'shallow' });
          return 'none';
        } catch (e) {
          const err = e as Error & { code?: string; offset?: number };
          return `${err.code} ${err.offset} ${err.message}`;
        }
      };
      expect(errorOf('target')).toBe(errorOf('range'));
      tried++;
    }
    expect(tried).toBeGreaterThan(5);
  });

  it('an error thrown by stringTarget passes through unchanged', () => {
    const file = fixtureRdbs().find((f) => path.basename(f) === 'all-types.rdb')!;
    const bytes = new Uint8Array(readFileSync(file));
    const mine = new Error('the handler failed');
    const { handler } = otherLog('range');
    let calls = 0;
    handler.stringTarget = () => {
      calls++;
      throw mine;
    };
    expect(() => decode(bytes, handler)).toThrow(mine);
    expect(calls).toBe(1);
  });
});

describe('strings and keys as Latin-1 text', () => {
  it('every fixture: the same values as bytes give, whatever the chunking', () => {
    let texts = 0;
    for (const file of fixtureRdbs()) {
      const small = readFileSync(file).length < 64 * 1024;
      texts += compare(file, [whole, randomSplits(7), noisy(randomSplits(11, 300)), ...(small ? [byteByByte] : [])]);
    }
    expect(texts).toBeGreaterThan(50);
  });

  it('strings delivered in parts still come in parts; the rest as text', () => {
    const file = fixtureRdbs().find((f) => path.basename(f) === 'all-types.rdb')!;
    const texts = compare(file, [whole, randomSplits(3)], { maxInlineValueBytes: 16 });
    expect(texts).toBeGreaterThan(0);
  });

  itCorpus('every good corpus file', () => {
    for (const file of goodCorpusRdbs()) compare(file, [whole, randomSplits(5, 500)]);
  });
});
