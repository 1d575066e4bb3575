/**
 * The scan driver tells the input's damage from an error thrown by a caller's handler.
 *
 * - An error a handler throws, from any RDB or AOF callback, typed (LimitError,
 *   CorruptDataError, the very classes damage is made of) or not, reaches the caller as the
 *   same object, neither located nor reworded: from the first chunk, a later one, or the end
 *   of the input (the RDB's `end` also when its checksum comes from the worker thread), in
 *   report mode (scanFile) and in throw mode (scanRdb, driveScan), for a plain RDB and for a
 *   hybrid file's preamble and tail.
 * - Damage derived from real fixtures is still returned (report) or thrown (throw) with the
 *   code and offset the readers gave before the driver was shared (the numbers below).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { driveScan } from '../../src/pipeline/scan-driver.js';
import { bytesSource, openSource } from '../../src/io/source.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { CorruptDataError, LimitError, RdbtoolError } from '../../src/errors.js';
import type { RdbHandler } from '../../src/model/events.js';
import type { AofHandler } from '../../src/model/aof-events.js';
import { FIXTURES, fixtureRdbs, goodCorpusRdbs, itCorpus } from '../helpers/files.js';

const readAof = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, 'aof', name)));
const HYBRID = path.join(FIXTURES, 'aof', 'hybrid.aof');
/** Values delivered in parts above 16 bytes, so `stringPart` is called too. */
const LIMITS = { maxInlineValueBytes: 16 };
const CHUNKS = [1 << 20, 64];

/** Every RDB callback (the compiler checks that none is missing). */
const RDB_CALLBACKS_SET: Record<keyof Required<RdbHandler>, true> = {
  header: true,
  aux: true,
  selectDb: true,
  resizeDb: true,
  slotInfo: true,
  opcode: true,
  function: true,
  moduleAux: true,
  slotImport: true,
  hashTemplate: true,
  keyStart: true,
  blobValue: true,
  valueNode: true,
  stringValue: true,
  stringLatin1: true,
  stringRange: true,
  stringTarget: true,
  itemRange: true,
  fieldRange: true,
  memberRange: true,
  stringPart: true,
  item: true,
  field: true,
  member: true,
  streamEntry: true,
  streamMeta: true,
  streamGroup: true,
  streamIdmp: true,
  arrayElement: true,
  moduleValue: true,
  keyEnd: true,
  end: true,
};
type Callback = keyof RdbHandler;
/** Every callback but the Latin-1 and range forms, which replace the plain ones when present (tested on their own below). */
const RDB_CALLBACKS = (Object.keys(RDB_CALLBACKS_SET) as Callback[]).filter((c) => !['stringLatin1', 'stringRange', 'stringTarget', 'itemRange', 'fieldRange', 'memberRange'].includes(c));

/**
 * A handler taking every callback and every value; `name` runs `onCall(n)` on its n-th call.
 * With `whole` (a Latin-1 or range form), what it takes comes to it instead of the plain form.
 */
function everyCallback(name?: Callback, onCall?: (n: number) => void, whole?: Callback): RdbHandler {
  const h: Record<string, (...args: unknown[]) => unknown> = {};
  let calls = 0;
  for (const c of whole ? [...RDB_CALLBACKS, whole] : RDB_CALLBACKS) {
    h[c] = () => {
      if (c === name) onCall!(++calls);
      return c === 'keyStart' ? true : undefined;
    };
  }
  return h as RdbHandler;
}

/** How often each callback is called over a whole file (decoded synchronously, in one piece). */
function callCounts(bytes: Uint8Array): Map<Callback, number> {
  const counts = new Map<Callback, number>();
  const h = everyCallback();
  const counting: Record<string, unknown> = {};
  for (const c of RDB_CALLBACKS) {
    const f = h[c] as (...args: unknown[]) => unknown;
    counting[c] = (...args: unknown[]) => {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      return f(...args);
    };
  }
  const d = new RdbDecoder(counting as RdbHandler, { limits: LIMITS });
  d.push(bytes);
  d.end();
  return counts;
}

/** The three kinds of error a handler may throw: two of the library's damage classes, and a plain Error. */
const makers: [string, () => Error][] = [
  ['LimitError', () => new LimitError('the handler has seen enough')],
  ['CorruptDataError', () => new CorruptDataError('BAD_VALUE', 'the handler refuses this value')],
  ['Error', () => new Error('the handler failed')],
];

/** Runs `scan`, expecting it to reject with `err` itself, unlocated and with its message intact. */
async function expectSameError(scan: Promise<unknown>, err: Error): Promise<void> {
  const message = err.message;
  const got = await scan.then(
    () => null,
    (e: unknown) => e,
  );
  expect(got).toBe(err);
  expect(err.message).toBe(message);
  if (err instanceof RdbtoolError) {
    expect(err.file).toBeUndefined();
    expect(err.offset).toBeUndefined();
    expect(err.context).toBeUndefined();
  }
}

/** The three ways an RDB is read: scanRdb (throw, RDB only), scanFile (report), the driver in throw mode by content. */
const readers: [string, (bytes: Uint8Array, name: string, chunk: number, h: RdbHandler) => Promise<unknown>][] = [
  ['scanRdb', (b, n, c, h) => scanRdb(bytesSource(b, n, c), h, { limits: LIMITS })],
  ['scanFile', (b, n, c, h) => scanFile(bytesSource(b, n, c), { rdb: h }, { limits: LIMITS })],
  ['driveScan throw', (b, n, c, h) => driveScan(bytesSource(b, n, c), { rdb: h }, { limits: LIMITS, onDamage: 'throw' })],
];

/**
 * For each callback `files` call: throws from its first and from its last call, in every
 * reader and chunking, and expects the same error back.
 */
async function checkCallbacks(files: string[], only?: Set<Callback>): Promise<Set<Callback>> {
  const seen = new Set<Callback>();
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    for (const [name, n] of callCounts(bytes)) {
      if (seen.has(name) || (only && !only.has(name))) continue;
      seen.add(name);
      for (const at of new Set([1, n])) {
        for (const [, make] of makers) {
          for (const [, read] of readers) {
            for (const chunk of CHUNKS) {
              const err = make();
              await expectSameError(
                read(bytes, path.basename(file), chunk, everyCallback(name, (k) => { if (k === at) throw err; })),
                err,
              );
            }
          }
        }
      }
    }
  }
  return seen;
}

describe('an RDB handler error passes through unchanged', () => {
  it('from every callback the fixtures call, first and last call, typed or not, in every reader and chunking', async () => {
    const files = [...fixtureRdbs(), path.join(FIXTURES, 'derived', 'function-pre-ga.rdb'), HYBRID];
    const seen = await checkCallbacks(files);
    // What the fixtures cover; the rest are in the corpus test below, or in no file we have.
    for (const c of ['header', 'aux', 'selectDb', 'resizeDb', 'opcode', 'function', 'keyStart', 'stringValue', 'stringPart', 'item', 'field', 'member', 'streamEntry', 'streamMeta', 'streamGroup', 'keyEnd', 'end'] as Callback[]) {
      expect(seen.has(c), c).toBe(true);
    }
  });

  for (const [whole, what] of [
    ['stringLatin1', 'strings as Latin-1 text'],
    ['stringRange', 'strings as a range of a buffer'],
    ['itemRange', 'list items and set members as ranges'],
    ['fieldRange', 'hash fields as ranges'],
    ['memberRange', 'sorted-set members as ranges'],
  ] as const) {
    it(`from ${whole} (${what}), first and last call, typed or not, in every reader and chunking`, async () => {
      const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
      let n = 0;
      await scanRdb(bytesSource(bytes), everyCallback(whole, (k) => void (n = k), whole), { limits: LIMITS });
      expect(n).toBeGreaterThan(2);
      for (const at of [1, n]) {
        for (const [, make] of makers) {
          for (const [, read] of readers) {
            for (const chunk of CHUNKS) {
              const err = make();
              await expectSameError(read(bytes, 'all-types.rdb', chunk, everyCallback(whole, (k) => { if (k === at) throw err; }, whole)), err);
            }
          }
        }
      }
    });
  }

  itCorpus('from the callbacks only corpus files call (slot info, module values and aux data, stream IDMP)', async () => {
    const wanted = new Set<Callback>(['slotInfo', 'moduleAux', 'moduleValue', 'streamIdmp']);
    const seen = await checkCallbacks(goodCorpusRdbs(), wanted);
    expect([...seen].sort()).toEqual([...wanted].sort());
  });

  for (const [kind, make] of makers) {
    it(`keyStart, item and end throwing a ${kind}: plain RDB and hybrid preamble, whole and in 64-byte chunks, both modes`, async () => {
      const files = [path.join(FIXTURES, 'rdb', 'all-types.rdb'), HYBRID];
      for (const file of files) {
        const bytes = new Uint8Array(readFileSync(file));
        for (const name of ['keyStart', 'item', 'end'] as Callback[]) {
          for (const chunk of CHUNKS) {
            for (const onDamage of ['throw', 'report'] as const) {
              const err = make();
              const h = everyCallback(name, (k) => { if (k === 3 || name === 'end') throw err; });
              await expectSameError(driveScan(bytesSource(bytes, 'x', chunk), { rdb: h }, { onDamage, limits: LIMITS }), err);
            }
          }
        }
      }
    });
  }

  it('end throwing after the checksum was computed in the worker thread', async () => {
    for (const file of [path.join(FIXTURES, 'rdb', 'all-types.rdb'), HYBRID]) {
      for (const onDamage of ['throw', 'report'] as const) {
        for (const rdbOnly of [false, true]) {
          const err = new LimitError('the handler has seen enough');
          const h = everyCallback('end', () => { throw err; });
          await expectSameError(driveScan(await openSource(file), { rdb: h }, { onDamage, rdbOnly, checksumWorker: 'always' }), err);
        }
      }
    }
  });

  it('rdbDone throwing, in both modes', async () => {
    for (const onDamage of ['throw', 'report'] as const) {
      const err = new CorruptDataError('BAD_VALUE', 'the handler refuses the preamble');
      await expectSameError(driveScan(bytesSource(readAof('hybrid.aof'), 'h'), { rdbDone: () => { throw err; } }, { onDamage }), err);
    }
  });

  it('a handler error comes first when the input is damaged further on', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb'))).subarray(0, 13000);
    for (const onDamage of ['throw', 'report'] as const) {
      const err = new LimitError('the handler has seen enough');
      await expectSameError(driveScan(bytesSource(bytes, 'cut.rdb', 64), { rdb: everyCallback('keyStart', () => { throw err; }) }, { onDamage }), err);
    }
  });
});

describe('an AOF handler error passes through unchanged', () => {
  const cases: [string, (err: Error) => AofHandler][] = [
    ['command', (err) => ({ command: () => { throw err; } })],
    ['annotation', (err) => ({ annotation: () => { throw err; } })],
    ['multi', (err) => ({ multi: () => { throw err; } })],
    ['exec', (err) => ({ exec: () => { throw err; } })],
  ];
  for (const name of ['plain.aof', 'hybrid.aof']) {
    for (const [callback, handler] of cases) {
      it(`${name}: ${callback}, first chunk and later ones, both modes`, async () => {
        const bytes = readAof(name);
        // Only callbacks the file calls are checked: count them first.
        let calls = 0;
        await scanFile(bytesSource(bytes, name), { aof: { [callback]: () => void calls++ } });
        if (calls === 0) return;
        for (const chunk of CHUNKS) {
          for (const onDamage of ['throw', 'report'] as const) {
            for (const [, make] of makers) {
              const err = make();
              await expectSameError(driveScan(bytesSource(bytes, name, chunk), { aof: handler(err) }, { onDamage }), err);
            }
          }
        }
      });
    }
  }

  it('the last command, and an argument delivered in parts', async () => {
    const bytes = readAof('plain.aof');
    let commands = 0;
    await scanFile(bytesSource(bytes, 'plain.aof'), { aof: { command: () => void commands++ } });
    for (const chunk of CHUNKS) {
      for (const onDamage of ['throw', 'report'] as const) {
        const last = new LimitError('the last one');
        let n = 0;
        await expectSameError(driveScan(bytesSource(bytes, 'p', chunk), { aof: { command: () => { if (++n === commands) throw last; } } }, { onDamage }), last);
        const part = new CorruptDataError('BAD_VALUE', 'not this part');
        await expectSameError(driveScan(bytesSource(bytes, 'p', chunk), { aof: { argPart: () => { throw part; } } }, { onDamage, limits: { maxInlineValueBytes: 4 } }), part);
      }
    }
  });
});

describe('damage is still damage', () => {
  const rdb = () => new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
  const hybrid = () => readAof('hybrid.aof');
  const set = (b: Uint8Array, at: number, v: number) => {
    const c = b.slice();
    c[at] = v;
    return c;
  };
  // Offsets as the readers gave them before they shared the driver. The preamble of
  // hybrid.aof ends at 862; the key record at 4600 of all-types.rdb has no expiry or LRU
  // opcode, so its first byte is its type.
  const cases: { name: string; bytes: () => Uint8Array; code: string; offset: number; section: 'rdb' | 'aof'; rdbOnly: boolean }[] = [
    { name: 'RDB cut short', bytes: () => rdb().subarray(0, 13000), code: 'TRUNCATED', offset: 12939, section: 'rdb', rdbOnly: true },
    { name: 'RDB with a wrong CRC', bytes: () => set(rdb(), rdb().length - 1, rdb()[rdb().length - 1] ^ 0xff), code: 'CHECKSUM_MISMATCH', offset: 27042, section: 'rdb', rdbOnly: true },
    { name: 'RDB with an unknown type byte', bytes: () => set(rdb(), 4600, 0x40), code: 'UNKNOWN_TYPE', offset: 4600, section: 'rdb', rdbOnly: true },
    { name: 'hybrid cut in the preamble', bytes: () => hybrid().subarray(0, 762), code: 'TRUNCATED', offset: 758, section: 'rdb', rdbOnly: true },
    { name: 'hybrid cut in the tail', bytes: () => hybrid().subarray(0, hybrid().length - 7), code: 'TRUNCATED', offset: 1788, section: 'aof', rdbOnly: false },
    { name: 'hybrid with a bad first tail byte', bytes: () => set(hybrid(), 862, 0x3f), code: 'RESP_SYNTAX', offset: 862, section: 'aof', rdbOnly: false },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code} at ${c.offset}, returned by scanFile, thrown in throw mode${c.rdbOnly ? ' and by scanRdb' : ''}, with every handler taking everything`, async () => {
      const bytes = c.bytes();
      for (const chunk of CHUNKS) {
        const s = await scanFile(bytesSource(bytes, 'bad', chunk), { rdb: everyCallback(), aof: { command: () => undefined } });
        expect(s.problem).toMatchObject({ code: c.code, offset: c.offset, section: c.section });
        expect(s.error).toBeInstanceOf(RdbtoolError);
        expect(s.error).toMatchObject({ code: c.code, file: 'bad' });
        const thrown = await driveScan(bytesSource(bytes, 'bad', chunk), { rdb: everyCallback() }, { onDamage: 'throw' }).catch((e: unknown) => e);
        expect(thrown).toMatchObject({ code: c.code, file: 'bad' });
        expect(thrown).toMatchObject(c.section === 'rdb' ? { offset: c.offset } : { offset: s.error!.offset });
        if (c.rdbOnly) {
          await expect(scanRdb(bytesSource(bytes, 'bad', chunk), everyCallback())).rejects.toMatchObject({ code: c.code, offset: c.offset, file: 'bad' });
        }
      }
    });
  }

  it('a wrong CRC with strictChecksum off is noted, not damage, in both modes', async () => {
    const b = rdb();
    const bytes = set(b, b.length - 1, b[b.length - 1] ^ 0xff);
    for (const onDamage of ['throw', 'report'] as const) {
      const s = await driveScan(bytesSource(bytes, 'x'), {}, { onDamage, strictChecksum: false });
      expect(s.problem).toBeNull();
      expect(s.rdb!.end!.checksum).toBe('mismatch');
    }
  });
});

describe('RDB only: what follows the trailer is counted, not parsed', () => {
  it('a hybrid file read as an RDB: its tail is trailing bytes, no command is decoded', async () => {
    const bytes = readAof('hybrid.aof');
    for (const chunk of CHUNKS) {
      let commands = 0;
      const s = await driveScan(bytesSource(bytes, 'h', chunk), { aof: { command: () => void commands++ } }, { onDamage: 'throw', rdbOnly: true });
      expect(commands).toBe(0);
      expect(s.aof).toBeNull();
      expect(s.rdb!.trailingBytes).toBe(bytes.length - 862);
      expect((await scanRdb(bytesSource(bytes, 'h', chunk), {})).trailingBytes).toBe(bytes.length - 862);
    }
  });

  it('junk after an RDB: counted with rdbOnly, RESP damage without', async () => {
    const b = rdb();
    const junk = new Uint8Array(b.length + 5);
    junk.set(b);
    junk.set([0x78, 0x78, 0x0a, 0x00, 0xff], b.length);
    const only = await driveScan(bytesSource(junk, 'j'), {}, { onDamage: 'report', rdbOnly: true });
    expect(only.problem).toBeNull();
    expect(only.rdb!.trailingBytes).toBe(5);
    const byContent = await driveScan(bytesSource(junk, 'j'), {}, { onDamage: 'report' });
    expect(byContent.problem).toMatchObject({ code: 'RESP_SYNTAX', section: 'aof', offset: b.length });
  });

  it('a non-RDB read as an RDB is BAD_MAGIC, an empty one TRUNCATED, as scanRdb always said', async () => {
    await expect(driveScan(bytesSource(readAof('plain.aof'), 'p'), {}, { onDamage: 'throw', rdbOnly: true })).rejects.toMatchObject({ code: 'BAD_MAGIC', offset: 0 });
    await expect(scanRdb(bytesSource(new Uint8Array(0), 'e'), {})).rejects.toMatchObject({ code: 'TRUNCATED' });
  });

  function rdb(): Uint8Array {
    return new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
  }
});
