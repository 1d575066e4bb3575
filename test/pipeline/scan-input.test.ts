/**
 * The one entry point for every input (`scanPath` / `scanInput`): files are recognised by
 * their content, never by their name; a multi-part AOF is reached through its directory, its
 * manifest or the directory holding `appendonlydir/`; missing files are reported, history
 * files never read; redis-check-aof's line counter is carried across the parts exactly as the
 * real tool carries it; and a hybrid file gives the same events whole and one byte at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanInput, scanPath, type InputScan } from '../../src/pipeline/scan-input.js';
import { resolveInput } from '../../src/pipeline/detect.js';
import { scanFile, type FileHandlers, type FileScan } from '../../src/pipeline/scan-file.js';
import { bytesSource } from '../../src/io/source.js';
import { eventLog } from '../helpers/collect.js';
import { FIXTURES } from '../helpers/files.js';
import { checkAofDir, runRedisCheckAof } from '../helpers/redis-check-aof.js';

const AOF = path.join(FIXTURES, 'aof');
const MANIFEST = 'appendonly.aof.manifest';
const dirOf = (name: string) => path.join(AOF, name, 'appendonlydir');

let scratch = '';
beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-scan-input-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** A fresh scratch sub-directory. */
async function sub(name: string): Promise<string> {
  const d = path.join(scratch, name);
  await fs.mkdir(d, { recursive: true });
  return d;
}

/** The per-file facts that do not depend on how the input was named. */
function facts(s: InputScan) {
  return s.files.map((f) => ({
    role: f.part.role,
    seq: f.part.seq,
    last: f.part.last,
    missing: f.missing,
    content: f.scan?.content,
    status: f.scan?.status,
    bytes: f.scan?.bytes,
    okUpTo: f.scan?.okUpTo,
    commands: f.scan?.aof?.commands,
    line: f.scan?.aof?.redisCheckAofLine,
  }));
}

describe('scanPath: content decides, not the name', () => {
  const cases: [fixture: string, content: string][] = [
    ['aof/plain.aof', 'aof'],
    ['aof/hybrid.aof', 'hybrid'],
    ['aof/rdb-multipart/appendonlydir/appendonly.aof.2.base.rdb', 'rdb'],
    ['rdb/all-types.rdb', 'rdb'],
    ['aof/resp-multipart/appendonlydir/appendonly.aof.2.base.aof', 'aof'],
  ];
  for (const [fixture, content] of cases) {
    it(`${fixture} copied to x.bin reads as ${content}`, async () => {
      const d = await sub(`content-${content}-${path.basename(fixture)}`);
      const file = path.join(d, 'x.bin');
      await fs.copyFile(path.join(FIXTURES, fixture), file);
      const s = await scanPath(file);
      expect(s.input.form).toBe('file');
      expect(s.files).toHaveLength(1);
      expect(s.files[0].part).toMatchObject({ role: 'file', last: true, name: file });
      expect(s.files[0].scan).toMatchObject({ content, status: 'ok', problem: null });
      expect(s.files[0].scan!.okUpTo).toBe(s.files[0].scan!.bytes);
    });
  }

  it('a manifest copied under another name (with its files) is still read as a manifest', async () => {
    const d = await sub('renamed-manifest');
    await fs.cp(dirOf('rdb-multipart'), d, { recursive: true });
    await fs.rename(path.join(d, MANIFEST), path.join(d, 'x.bin'));
    const s = await scanPath(path.join(d, 'x.bin'));
    expect(s.input.form).toBe('multipart');
    expect(facts(s)).toEqual(facts(await scanPath(dirOf('rdb-multipart'))));
  });

  it('an RDB renamed *.manifest is data, not a manifest', async () => {
    const d = await sub('rdb-named-manifest');
    await fs.copyFile(path.join(FIXTURES, 'rdb', 'empty.rdb'), path.join(d, 'appendonly.aof.manifest'));
    const s = await scanPath(path.join(d, 'appendonly.aof.manifest'));
    expect(s.input.form).toBe('file');
    expect(s.files[0].scan).toMatchObject({ content: 'rdb', status: 'ok' });
  });

  it('an empty file is "empty", with an empty RESP verdict', async () => {
    const d = await sub('empty');
    await fs.writeFile(path.join(d, 'x.bin'), '');
    const s = await scanPath(path.join(d, 'x.bin'));
    expect(s.files[0].scan).toMatchObject({ content: 'empty', status: 'empty', bytes: 0, okUpTo: 0, problem: null });
    expect(s.files[0].scan!.aof!.status).toBe('empty');
  });
});

describe('scanPath: a multi-part AOF by directory, manifest or parent', () => {
  for (const name of ['rdb-multipart', 'resp-multipart']) {
    it(`${name}: the directory, the manifest and the directory above appendonlydir/ give the same files`, async () => {
      const byDir = await scanPath(dirOf(name));
      const byManifest = await scanPath(path.join(dirOf(name), MANIFEST));
      const byParent = await scanPath(path.join(AOF, name));
      for (const s of [byDir, byManifest, byParent]) {
        expect(s.input.form).toBe('multipart');
        expect(s.input.manifestPath).toBe(path.join(dirOf(name), MANIFEST));
      }
      expect(facts(byManifest)).toEqual(facts(byDir));
      expect(facts(byParent)).toEqual(facts(byDir));
      const f = facts(byDir);
      expect(f.map((x) => [x.role, x.seq, x.last, x.status])).toEqual([
        ['base', 2n, false, 'ok'],
        ['incr', 2n, true, 'ok'],
      ]);
      expect(f[0].content).toBe(name === 'rdb-multipart' ? 'rdb' : 'aof');
      expect(byDir.bytes).toBe(f.reduce((n, x) => n + (x.bytes ?? 0), 0));
      expect(byDir.files.map((x) => x.part.name)).toEqual(['appendonly.aof.2.base.' + (name === 'rdb-multipart' ? 'rdb' : 'aof'), 'appendonly.aof.2.incr.aof'].map((n) => path.join(dirOf(name), n)));
    });
  }

  it('a missing incr file is reported as missing; the base is still read', async () => {
    const d = await sub('missing-incr');
    await fs.cp(dirOf('resp-multipart'), d, { recursive: true });
    await fs.rm(path.join(d, 'appendonly.aof.2.incr.aof'));
    const starts: string[] = [];
    const ends: (string | null)[] = [];
    const s = await scanPath(d, { fileStart: (p) => starts.push(p.role), fileEnd: (_p, scan) => ends.push(scan ? scan.status : null) });
    expect(s.files.map((f) => [f.part.role, f.missing, f.scan?.status ?? null])).toEqual([
      ['base', false, 'ok'],
      ['incr', true, null],
    ]);
    expect(s.files[1].part.size).toBeNull();
    expect(starts).toEqual(['base', 'incr']);
    expect(ends).toEqual(['ok', null]);
    expect(s.files[0].problem).toBeNull();
    expect(s.files[1].problem).toMatchObject({ code: 'MISSING_FILE', section: 'file', reason: 'listed in the manifest (line 2) but does not exist' });
    expect(s.files[1].error).toMatchObject({ code: 'MISSING_FILE', file: s.files[1].part.name });
  });

  it('stopAtFirstProblem stops after the first damaged file', async () => {
    const d = await sub('stop-first');
    await fs.cp(dirOf('resp-multipart'), d, { recursive: true });
    await fs.truncate(path.join(d, 'appendonly.aof.2.base.aof'), 1000);
    const all = await scanPath(d);
    expect(all.files.map((f) => f.scan?.status)).toEqual(['truncated', 'ok']);
    const first = await scanPath(d, {}, { stopAtFirstProblem: true });
    expect(first.files.map((f) => [f.scan?.status ?? null, f.missing])).toEqual([
      ['truncated', false],
      [null, false],
    ]);
  });

  it('history files are listed apart and never read', async () => {
    const d = await sub('history');
    await fs.cp(dirOf('resp-multipart'), d, { recursive: true });
    // A history file full of garbage: reading it would report damage.
    await fs.writeFile(path.join(d, 'appendonly.aof.1.base.aof'), 'this is not an AOF');
    await fs.writeFile(
      path.join(d, MANIFEST),
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const read: string[] = [];
    const s = await scanPath(d, { fileStart: (p) => read.push(path.basename(p.name)) });
    expect(read).toEqual(['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof']);
    expect(s.input.history.map((h) => h.name)).toEqual(['appendonly.aof.1.base.aof']);
    expect(s.files.every((f) => f.scan?.status === 'ok')).toBe(true);
    expect(s.files[1].part.manifestLine).toBe(3);
    // redis-check-aof agrees: history files are not its business either.
    expect((await checkAofDir(d, MANIFEST)).run.valid).toBe(true);
  });

  it('scanInput reads an input resolved beforehand, in load order', async () => {
    const resolved = await resolveInput(dirOf('rdb-multipart'));
    expect(resolved.parts.map((p) => p.role)).toEqual(['base', 'incr']);
    const s = await scanInput(resolved);
    expect(s.input).toBe(resolved);
    expect(facts(s)).toEqual(facts(await scanPath(dirOf('rdb-multipart'))));
  });
});

describe("redis-check-aof's line counter, carried across parts", () => {
  for (const name of ['rdb-multipart', 'resp-multipart']) {
    it(`${name}: each file's counter equals the ok_up_to_line the real tool prints`, async () => {
      const s = await scanPath(dirOf(name));
      const run = runRedisCheckAof([MANIFEST], dirOf(name));
      expect(run.valid).toBe(true);
      expect(run.allAnalyzed.map((a) => a.filename)).toEqual(s.files.map((f) => path.basename(f.part.name)));
      expect(s.files.map((f) => f.scan!.aof!.redisCheckAofLine)).toEqual(run.allAnalyzed.map((a) => a.okUpToLine));
      expect(s.files.map((f) => f.scan!.okUpTo)).toEqual(run.allAnalyzed.map((a) => a.okUpTo));
    });
  }

  it('a damaged last file: the carried counter still matches the tool', async () => {
    const d = await sub('lines-damaged');
    await fs.cp(dirOf('resp-multipart'), d, { recursive: true });
    await fs.truncate(path.join(d, 'appendonly.aof.2.incr.aof'), 500);
    const s = await scanPath(d);
    const run = runRedisCheckAof([MANIFEST], d);
    expect(run.valid).toBe(false);
    expect(run.allAnalyzed).toHaveLength(2);
    expect(s.files[1].scan!.aof!.redisCheckAofLine).toBe(run.allAnalyzed[1].okUpToLine);
    expect(s.files[1].scan!.okUpTo).toBe(run.allAnalyzed[1].okUpTo);
  });
});

/**
 * A scan without its timing, and without `rdb.trailingBytes`: that one is the RDB decoder's
 * count of the bytes it had buffered past the trailer when the RDB part ended, which depends
 * on the chunking (the tail's real size is `bytes - respOffset`).
 */
function comparable(s: FileScan) {
  return { ...s, elapsedMs: 0, rdb: s.rdb && { ...s.rdb, trailingBytes: 0 } };
}

describe('a hybrid file, whole and one byte at a time', () => {
  /** Logs every RDB and RESP event, and the moment the RDB part is done. */
  function recorder(): { handlers: FileHandlers; log: string[] } {
    const { handler: rdb, log } = eventLog(true);
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    return {
      log,
      handlers: {
        rdb,
        rdbDone: (s) => log.push(`rdbDone end=${s.end?.endOffset} crc=${s.end?.checksum}`),
        aof: {
          command: (c) => log.push(`cmd @${c.offset}+${c.byteLength} L${c.line} db${c.db} ${c.inMulti ? 'M' : '-'} ${c.argv.map(hex).join(' ')}`),
          annotation: (a) => log.push(`ann @${a.offset} L${a.line} ${a.text}`),
          multi: (o) => log.push(`multi @${o}`),
          exec: (o, _l, n) => log.push(`exec @${o} n=${n}`),
        },
      },
    };
  }

  it('gives the same events and the same verdict', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(AOF, 'hybrid.aof')));
    const whole = recorder();
    const a = await scanFile(bytesSource(bytes, 'hybrid.aof'), whole.handlers);
    const byByte = recorder();
    const b = await scanFile(bytesSource(bytes, 'hybrid.aof', 1), byByte.handlers);
    expect(a.content).toBe('hybrid');
    expect(a.status).toBe('ok');
    expect(whole.log.filter((l) => l.startsWith('cmd ')).length).toBe(a.aof!.commands);
    expect(whole.log.some((l) => l.startsWith('rdbDone end=862 crc=ok'))).toBe(true);
    expect(byByte.log).toEqual(whole.log);
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('a damaged tail gives the same problem whole and one byte at a time', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(AOF, 'hybrid.aof')).subarray(0, 1500));
    const a = await scanFile(bytesSource(bytes, 'h'), { aof: { command: () => undefined } });
    const b = await scanFile(bytesSource(bytes, 'h', 1), { aof: { command: () => undefined } });
    expect(a.status).toBe('truncated');
    expect(comparable(b)).toEqual(comparable(a));
  });
});
