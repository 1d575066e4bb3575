/**
 * The AOF files of the third-party corpus, read in place (see its README; skipped without it): the
 * plain RESP files `rdb/*.aof` and the RESP tail of `redis/rdb-preamble.aof` after its RDB
 * preamble. The oracle is what redis-check-aof 7.4.1 printed for them (observed/summary.json)
 * and an independent count of their commands.
 */
import { beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { CORPUS, corpusNames, describeCorpus } from '../helpers/files.js';
import { byteByByte, lineAt, logHandler, randomSplits, run, text, verdictOf, whole, noisy, type Splitter } from './helpers.js';

interface CheckOutput {
  files: Record<string, { check: { argv: string[]; exitCode: number; output: string } }>;
}

/** `ok_up_to` and `ok_up_to_line` as redis-check-aof printed them. */
function checked(folder: string, name: string): { okUpTo: number; line: number; size: number } {
  const summary = JSON.parse(readFileSync(path.join(CORPUS, folder, 'observed', 'summary.json'), 'utf8')) as CheckOutput;
  const out = summary.files[name].check.output;
  const m = /size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=0/.exec(out);
  if (!m) throw new Error(`no redis-check-aof verdict for ${name}: ${out}`);
  return { size: Number(m[1]), okUpTo: Number(m[2]), line: Number(m[3]) };
}

/**
 * Counts commands the simple way: split on CRLF (these files have no CRLF inside values),
 * read `*N`, skip 2N tokens. Returns the argument counts and the names.
 */
function simpleScan(b: Uint8Array): { argc: number[]; names: string[] } {
  const tokens = text(b).split('\r\n');
  expect(tokens.pop()).toBe(''); // the file ends with CRLF
  const argc: number[] = [];
  const names: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    expect(tokens[i][0]).toBe('*');
    const n = Number(tokens[i].slice(1));
    argc.push(n);
    names.push(tokens[i + 2]);
    for (let k = 0; k < n; k++) expect(Number(tokens[i + 1 + 2 * k].slice(1))).toBe(Buffer.byteLength(tokens[i + 2 + 2 * k], 'latin1'));
    i += 1 + 2 * n;
  }
  expect(i).toBe(tokens.length);
  return { argc, names };
}

const PLAIN = corpusNames('rdb', '.aof');

describeCorpus('corpus: plain RESP files', () => {
  it('finds the five plain AOF files the README lists', () => {
    expect(PLAIN).toEqual(['hash_as_listpack_with_hfe.aof', 'hash_with_hfe.aof', 'memory.aof', 'memory_regex.aof', 'valkey_hash2_with_hfe.aof']);
  });

  for (const name of PLAIN) {
    it(`${name}: ok, every command, and redis-check-aof's ok_up_to / ok_up_to_line`, () => {
      const b = new Uint8Array(readFileSync(path.join(CORPUS, 'rdb', name)));
      const want = checked('rdb', name);
      const scan = simpleScan(b);
      expect(scan.argc.length).toBeGreaterThan(1);
      const argc: number[] = [];
      const names: string[] = [];
      const d = new RespDecoder({
        command: (c) => {
          argc.push(c.argv.length);
          names.push(text(c.argv[0]));
        },
      });
      d.push(b);
      const v = d.end();
      expect(argc).toEqual(scan.argc);
      expect(names).toEqual(scan.names);
      expect(b.length).toBe(want.size);
      expect(v).toMatchObject({ status: 'ok', okUpTo: want.okUpTo, commands: scan.argc.length, okCommands: scan.argc.length, redisCheckAofLine: want.line, pendingMulti: false, db: 0 });
      expect(v.okUpToLine).toBe(lineAt(b, b.length));
      // And the same under other chunkings, with large values in parts.
      const ref = run(b, whole, { limits: { maxInlineValueBytes: 64 } });
      for (const split of [byteByByte, randomSplits(11, 100), noisy(randomSplits(3, 7))] as Splitter[]) {
        expect(run(b, split, { limits: { maxInlineValueBytes: 64 } }).log).toEqual(ref.log);
      }
    });
  }
});

describeCorpus('corpus: rdb-preamble.aof (RDB preamble + RESP tail)', () => {
  let file = new Uint8Array(0);
  let want = { okUpTo: 0, line: 0, size: 0 };
  beforeAll(() => {
    file = new Uint8Array(readFileSync(path.join(CORPUS, 'redis', 'rdb-preamble.aof')));
    want = checked('redis', 'rdb-preamble.aof');
  });

  /** Where the RDB part ends, as the RDB decoder says. */
  function rdbEnd(): number {
    const rdb = new RdbDecoder({});
    rdb.push(file);
    const summary = rdb.end();
    expect(summary.end?.checksum).toBe('ok');
    return summary.end!.endOffset;
  }

  it('the RDB decoder ends after the checksum at 117 (redis-check-rdb: "[offset 117] Checksum OK")', () => {
    expect(rdbEnd()).toBe(117);
  });

  it('the RESP tail from there: SELECT 0 and set k3 v3, as redis-check-aof saw it', () => {
    const start = rdbEnd();
    const log: string[] = [];
    const d = new RespDecoder(logHandler(log), { startOffset: start });
    d.push(file.subarray(start));
    const v = d.end();
    expect(log).toEqual([
      `cmd @117 +23 L1 db0 - select [${Buffer.from('SELECT').toString('hex')} 30] parted=-`,
      `cmd @140 +29 L6 db0 - - [${['set', 'k3', 'v3'].map((s) => Buffer.from(s).toString('hex')).join(' ')}] parted=-`,
    ]);
    expect(v).toMatchObject({ status: 'ok', startOffset: 117, okUpTo: want.okUpTo, endOffset: want.size, commands: 2, redisCheckAofLine: want.line, okUpToLine: want.line });
    expect(verdictOf(file.subarray(start), whole, { startOffset: start }).verdict).toEqual(v);
  });

  it('hands over on the RDB decoder\'s reader, whatever the chunking', () => {
    for (const split of [whole, byteByByte, randomSplits(1, 16), randomSplits(8, 50), noisy(randomSplits(4, 9))] as Splitter[]) {
      const rdb = new RdbDecoder({});
      let resp: RespDecoder | null = null;
      const log: string[] = [];
      for (const piece of split(file)) {
        if (resp === null) {
          rdb.push(piece);
          if (rdb.done) {
            resp = new RespDecoder(logHandler(log), { reader: rdb.r });
            resp.push(new Uint8Array(0));
          }
        } else resp.push(piece);
      }
      expect(resp).not.toBeNull();
      const v = resp!.end();
      expect(log.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['cmd @117 +23', 'cmd @140 +29']);
      expect(v).toMatchObject({ status: 'ok', startOffset: 117, okUpTo: 169, endOffset: 169, commands: 2, redisCheckAofLine: want.line });
    }
  });

  it('a damaged tail is reported at its absolute offset', () => {
    const damaged = file.slice();
    damaged[140 + 4] = 0x21; // the '$' of `$3` in `*3\r\n$3\r\nset`
    const start = rdbEnd();
    const r = run(damaged.subarray(start), whole, { startOffset: start });
    expect(r.error).toBe("RESP_SYNTAX@144 '$'|'!'");
    expect(verdictOf(damaged.subarray(start), whole, { startOffset: start }).verdict).toMatchObject({ status: 'corrupt', okUpTo: 140, firstBadOffset: 144, firstBadLine: 7 });
  });
});
