/** RecordSink: only whole records reach the sink, a large unfinished record moves to a temporary file. */
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySink, streamSink, type ByteSink } from '../../src/io/byte-sink.js';
import { RecordSink } from '../../src/io/record-sink.js';
import { InputError } from '../../src/errors.js';
import { openTempRecordFiles } from '../helpers/open-files.js';
import { slowWritable } from '../helpers/slow-writable.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-rs-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const text = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** A memory sink that also keeps the very arrays it is given. */
function spySink(): ByteSink & { got: Uint8Array[]; all(): string } {
  const inner = memorySink();
  const got: Uint8Array[] = [];
  return {
    name: inner.name,
    closedByReader: false,
    get bytesWritten() {
      return inner.bytesWritten;
    },
    write(data, done) {
      if (typeof data !== 'string') got.push(data);
      inner.write(data, done);
    },
    drain: () => inner.drain(),
    close: () => inner.close(),
    got,
    all: () => inner.text(),
  };
}

const openTempFiles = openTempRecordFiles;

describe('RecordSink', () => {
  it('passes a chunk whose bytes are all whole on as it is (no copy)', async () => {
    const sink = spySink();
    const rs = new RecordSink(sink);
    rs.commit(10);
    const chunk = text('0123456789');
    let released = 0;
    rs.write(chunk, () => released++);
    expect(sink.got[0]).toBe(chunk);
    expect(released).toBe(1);
    await rs.end();
    expect(sink.all()).toBe('0123456789');
  });

  it('holds the unfinished end of a chunk until its record is committed, and releases the chunk at once', async () => {
    const sink = spySink();
    const rs = new RecordSink(sink);
    // Records "aaa\n" "bbbbbb\n" "cc\n"; the writer hands chunks regardless of record ends.
    rs.commit(4);
    let released = 0;
    const first = text('aaa\nbbb');
    rs.write(first, () => released++);
    expect(sink.all()).toBe('aaa\n');
    expect(released).toBe(1);
    first.fill(0x3f); // the writer may reuse its buffer now: what is held is a copy
    expect(rs.heldBytes).toBe(3);
    rs.write(text('bbb'));
    expect(sink.all()).toBe('aaa\n');
    rs.commit(11); // "\n" is still in the writer
    expect(sink.all()).toBe('aaa\nbbbbbb');
    rs.write(text('\ncc'));
    expect(sink.all()).toBe('aaa\nbbbbbb\n');
    rs.abandon(); // "cc" never got its end
    rs.write(text(']\n'));
    rs.commit(rs.received);
    await rs.end();
    expect(sink.all()).toBe('aaa\nbbbbbb\n]\n');
  });

  it('moves a record larger than spillBytes to a temporary file and copies it out once it is whole', async () => {
    const sink = spySink();
    const rs = new RecordSink(sink, { spillBytes: 100, spillDir: TMP });
    rs.commit(0);
    const parts: string[] = [];
    for (let i = 0; i < 50; i++) {
      const p = `part-${String(i).padStart(3, '0')}|`;
      parts.push(p);
      rs.write(text(p));
      expect(rs.heldBytes).toBeLessThanOrEqual(100 + p.length);
      await rs.drain();
    }
    expect(rs.spills).toBe(1);
    expect(sink.all()).toBe('');
    // The file has no name: nothing is left in the directory even while it is in use.
    expect(readdirSync(TMP)).toEqual([]);
    if (existsSync('/proc/self/fd')) expect(openTempFiles()).toHaveLength(1);
    rs.write(text('end\nnext'));
    rs.commit(rs.received - 4);
    expect(sink.all()).toBe(''); // copied at the next drain, with backpressure
    await rs.drain();
    expect(sink.all()).toBe(parts.join('') + 'end\n');
    // "next" is held again in memory (the file is emptied).
    expect(rs.heldBytes).toBe(4);
    rs.write(text('!\n'));
    rs.commit(rs.received);
    await rs.end();
    expect(sink.all()).toBe(parts.join('') + 'end\nnext!\n');
    expect(openTempFiles()).toEqual([]);
  });

  it('drops an unfinished record that was in the temporary file, and writes what follows after the last whole one', async () => {
    const sink = spySink();
    const rs = new RecordSink(sink, { spillBytes: 16, spillDir: TMP });
    rs.write(text('{"a":1}\n'));
    rs.commit(rs.received);
    rs.write(text('{"b":"' + 'x'.repeat(100)));
    expect(rs.spills).toBe(1);
    rs.abandon();
    rs.write(text(']'));
    rs.commit(rs.received);
    await rs.end();
    expect(sink.all()).toBe('{"a":1}\n]');
    expect(openTempFiles()).toEqual([]);
  });

  it('copies a spilled record out in pieces, waiting for a slow destination', async () => {
    let pendingMax = 0;
    const out = slowWritable();
    const sink = streamSink(out, { name: 'slow', end: false, bufferBytes: 64 * 1024 });
    const rs = new RecordSink(sink, { spillBytes: 64 * 1024, spillDir: TMP });
    const piece = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 24; i++) rs.write(piece); // a 6 MiB record
    rs.commit(rs.received);
    const write = sink.write.bind(sink);
    sink.write = (data, done) => {
      write(data, done);
      pendingMax = Math.max(pendingMax, out.writableLength);
    };
    await rs.end();
    await sink.close();
    expect(out.bytes()).toBe(24 * piece.length);
    // One copy piece (1 MiB) at most waits in the stream at a time.
    expect(pendingMax).toBeLessThanOrEqual((1 << 20) + 64 * 1024);
    expect(openTempFiles()).toEqual([]);
  });

  it('fails with a typed error when the temporary file cannot be created', () => {
    const rs = new RecordSink(memorySink(), { spillBytes: 8, spillDir: path.join(TMP, 'no-such-dir') });
    let err: unknown;
    try {
      rs.write(text('0123456789abcdef'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('IO');
    expect((err as InputError).message).toMatch(/temporary file.*no such file or directory/);
    rs.dispose();
  });

  it('closes the temporary file when it is disposed without ending (an error elsewhere)', () => {
    const rs = new RecordSink(memorySink(), { spillBytes: 8, spillDir: TMP });
    rs.write(text('0123456789abcdef'));
    expect(rs.spills).toBe(1);
    if (existsSync('/proc/self/fd')) expect(openTempFiles()).toHaveLength(1);
    rs.dispose();
    rs.dispose();
    expect(openTempFiles()).toEqual([]);
    expect(readdirSync(TMP)).toEqual([]);
  });
});
