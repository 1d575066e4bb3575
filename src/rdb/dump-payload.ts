/**
 * DUMP payloads, the save side (FORMATS.md §1.13): what `DUMP` returns and `RESTORE` takes.
 *
 * ```
 * type byte · value (as an RDB key record holds it, without the key)
 * · RDB version (2 bytes LE) · CRC-64 (8 bytes LE) of every byte before it
 * ```
 *
 * The value is written by the RDB writer's own value encoders for the version asked for
 * ({@link RdbWriter.plan}), so a payload holds the encoding and the bytes that version's
 * server would give the value (strings int-encoded or LZF-compressed as it would, small
 * collections as listpacks or ziplists, …). The reader is `replay/dump-payload.ts`.
 */
import { Crc64 } from '../binary/crc64.js';
import { RdbWriter } from './encoder.js';
import { RdbOutput, type SlabSink } from './primitives.js';
import type { EncodingLimits, RdbTarget } from './target.js';
import { toRdbValue, type ValueLike } from './write-dataset.js';

/** Bytes after the value: the version (2) and the CRC-64 (8). */
const FOOTER_BYTES = 10;

/** Options of {@link DumpPayloadEncoder}. */
export interface DumpPayloadOptions {
  /** The RDB version the payload is for (6 … 15, or Valkey's 80 and 81): a server refuses payloads newer than its own. */
  rdbVersion: number;
  /** Encoding limits of the target server where they differ from its defaults. */
  limits?: Partial<EncodingLimits>;
  /** LZF for strings longer than 20 bytes when it saves space (`rdbcompression`, default true). */
  compression?: boolean;
}

/**
 * Makes DUMP payloads for one RDB version, one value at a time. The encoder keeps its
 * scratch buffers between payloads, so one encoder serves a whole conversion.
 */
export class DumpPayloadEncoder {
  private readonly planner: RdbWriter;
  private readonly out: RdbOutput;
  /** What the value's writer handed over for the payload being made. */
  private parts: Uint8Array[] = [];
  private partBytes = 0;

  constructor(private readonly opts: DumpPayloadOptions) {
    // The planner only picks encodings (it never writes: its sink stays empty, its slab tiny).
    this.planner = new RdbWriter({ write: () => {} }, { rdbVersion: opts.rdbVersion, limits: opts.limits, compression: opts.compression, slabBytes: 64 });
    const sink: SlabSink = {
      write: (data, done) => {
        // A slab is reused once `done` runs, so it is copied; a large array that passed
        // through (no `done`) is the value's own bytes and is kept as it is until the concat.
        if (done) {
          this.parts.push(Uint8Array.prototype.slice.call(data));
          done();
        } else this.parts.push(data);
        this.partBytes += data.length;
      },
    };
    // 64 KiB slabs: most payloads fit one; bigger ones flow through several.
    this.out = new RdbOutput(sink, { compression: opts.compression, checksum: false, slabBytes: 1 << 16 });
  }

  /** What the chosen version stores and how. */
  get target(): RdbTarget {
    return this.planner.target;
  }

  /**
   * The DUMP payload of `value` (a dataset value: a byte string, or a list, set, sorted set,
   * hash, stream or module value).
   * @throws UnsupportedValueError when the version cannot hold the value (field TTLs before
   *   RDB 12, a stream before RDB 9, a module value before RDB 8, ARRAY and GCRA values, …)
   */
  encode(value: ValueLike): Uint8Array {
    const w = this.planner.plan(toRdbValue(value, this.planner.target));
    this.parts = [];
    this.partBytes = 0;
    this.out.writeByte(w.rdbType);
    w.write(this.out);
    this.out.flush();
    const body = this.partBytes;
    const payload = Buffer.allocUnsafe(body + FOOTER_BYTES);
    let p = 0;
    for (const part of this.parts) {
      payload.set(part, p);
      p += part.length;
    }
    this.parts = [];
    payload.writeUInt16LE(this.planner.target.version, body);
    const crc = new Crc64();
    crc.update(payload, 0, body + 2);
    payload.writeUInt32LE(crc.lo >>> 0, body + 2);
    payload.writeUInt32LE(crc.hi >>> 0, body + 6);
    return payload;
  }
}

/**
 * The DUMP payload of one value for RDB version `opts.rdbVersion` (for many values, keep a
 * {@link DumpPayloadEncoder}).
 * @throws UnsupportedValueError as {@link DumpPayloadEncoder.encode}
 * @throws UsageError for a version the writer does not produce
 */
export function encodeDumpPayload(value: ValueLike, opts: DumpPayloadOptions): Uint8Array {
  return new DumpPayloadEncoder(opts).encode(value);
}
