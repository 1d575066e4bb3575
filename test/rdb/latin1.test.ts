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
import type { RdbHandler } from '../../src/model/events.js';
import { byteByByte, decode, eventLog, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { fixtureRdbs, goodCorpusRdbs, itCorpus } from '../helpers/files.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const latin1Hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** The event log with strings and keys taken as Latin-1 text, written as the byte log writes them. */
function latin1Log(): { handler: RdbHandler; log: string[]; texts: { n: number } } {
  const { handler, log } = eventLog();
  const texts = { n: 0 };
  const keyStart = handler.keyStart!;
  return {
    log,
    texts,
    handler: {
      ...handler,
      keyStart: (k) => {
        // The text must equal the bytes, then the usual line is logged.
        expect(latin1Hex(k.keyLatin1!()!)).toBe(hex(k.key));
        return keyStart(k);
      },
      stringLatin1: (s) => {
        texts.n++;
        log.push(`str ${latin1Hex(s)}`);
      },
    },
  };
}

/** The event log with strings and keys taken as ranges of buffers, written as the byte log writes them. */
function rangeLog(): { handler: RdbHandler; log: string[]; texts: { n: number } } {
  const { handler, log } = eventLog();
  const texts = { n: 0 };
  const keyStart = handler.keyStart!;
  return {
    log,
    texts,
    handler: {
      ...handler,
      keyStart: (k) => {
        expect(hex(k.keyBuf!.subarray(k.keyFrom, k.keyTo))).toBe(hex(k.key));
        return keyStart(k);
      },
      stringRange: (buf, start, end) => {
        texts.n++;
        log.push(`str ${hex(buf.subarray(start, end))}`);
      },
      // Elements as ranges, logged as the plain forms log them (those stay for what has no range form).
      itemRange: (buf, start, end) => {
        texts.n++;
        log.push(`item ${hex(buf.subarray(start, end))}`);
      },
      fieldRange: (fb, fs, fe, vb, vs, ve) => {
        texts.n++;
        log.push(`field ${hex(fb.subarray(fs, fe))} ${hex(vb.subarray(vs, ve))} null`);
      },
      memberRange: (buf, start, end, score) => {
        texts.n++;
        log.push(`member ${hex(buf.subarray(start, end))} ${score}`);
      },
    },
  };
}

function compare(file: string, splits: Splitter[], limits?: { maxInlineValueBytes: number }, as: 'latin1' | 'range' = 'latin1'): number {
  const bytes = new Uint8Array(readFileSync(file));
  let texts = 0;
  for (const split of splits) {
    // The same chunking for both: parts of a long string follow the chunks.
    const base = eventLog();
    decode(bytes, base.handler, split, { limits });
    const l = as === 'latin1' ? latin1Log() : rangeLog();
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
