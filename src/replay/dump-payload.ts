/**
 * DUMP payloads (FORMATS.md §1.13), as RESTORE and FUNCTION RESTORE take them:
 *
 *   value payload:    type byte · value, as in an RDB key record without its key · footer
 *   function payload: FUNCTION2 records (0xF5 · library source), back to back · footer
 *   footer:           RDB version (2 bytes LE) · CRC-64 (8 bytes LE) of every byte before it
 *
 * Nothing here parses a value: the payload is read by the RDB decoder, synchronously, as a
 * small synthetic RDB (a magic naming the payload's version, then the payload — for a value,
 * with an empty key inserted after the type byte), into a scratch dataset through the dataset
 * loader, exactly as a file is read. The errors of that reading are given back with offsets
 * in the payload.
 *
 * Versions: Redis refuses a payload whose version is above its own; this reader takes every
 * version the RDB decoder reads (REDIS 1–15, VALKEY 80/81), since a file written by a newer
 * server holds that server's payloads. Like Redis, which reads the value from the whole
 * payload, bytes between the end of the value and the footer are not looked at, and a value
 * (or last library) that runs into the footer is read into it.
 */
import { RdbDecoder } from '../rdb/decoder.js';
import { MAX_REDIS_RDB_VERSION, RdbOpcode, RdbType, VALKEY_RDB_VERSIONS } from '../rdb/constants.js';
import { Crc64 } from '../binary/crc64.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader } from '../dataset/load-rdb.js';
import type { ByteString } from '../dataset/byte-string.js';
import type { Value } from '../dataset/value.js';
import { corrupt, hexByte, RdbtoolError, TruncatedError, type Doing } from '../errors.js';

/** Bytes of the footer: the version and the CRC-64. */
export const DUMP_FOOTER_BYTES = 10;

/** What the footer of a payload says, once checked. */
export interface DumpFooter {
  /** The RDB version of the server that wrote the payload. */
  version: number;
  /** Bytes before the footer. */
  bodyBytes: number;
}

/** A value read from a payload. */
export interface DumpValue {
  value: Value;
  /** The RDB type byte the payload starts with. */
  rdbType: number;
  /** The payload's RDB version. */
  version: number;
}

/** A function library read from a payload. */
export interface DumpLibrary {
  name: ByteString;
  /** The library's source, as FUNCTION LOAD takes it. */
  code: Uint8Array;
}

/** True when the RDB decoder reads files of this version (with the magic chosen for it). */
function readableVersion(v: number): boolean {
  return (v >= 1 && v <= MAX_REDIS_RDB_VERSION) || VALKEY_RDB_VERSIONS.includes(v);
}

/**
 * Checks a payload's footer: long enough, a version the decoder reads, and a CRC-64 that
 * matches (checked in that order, as Redis does).
 * @throws TruncatedError when the payload is shorter than a footer.
 * @throws CorruptDataError UNSUPPORTED_VERSION or CHECKSUM_MISMATCH, at the footer's offset.
 */
export function readDumpFooter(payload: Uint8Array): DumpFooter {
  const n = payload.length;
  if (n < DUMP_FOOTER_BYTES) {
    throw new TruncatedError('a DUMP payload ends before its footer', { offset: 0, expected: `at least ${DUMP_FOOTER_BYTES} bytes (version and CRC-64)`, found: `${n} bytes` });
  }
  const at = n - DUMP_FOOTER_BYTES;
  const version = payload[at] | (payload[at + 1] << 8);
  if (!readableVersion(version)) {
    throw corrupt('UNSUPPORTED_VERSION', `DUMP payload of RDB version ${version}`, {
      offset: at,
      expected: `RDB version 1-${MAX_REDIS_RDB_VERSION} or ${VALKEY_RDB_VERSIONS.join('/')}`,
      found: String(version),
    });
  }
  const crc = new Crc64();
  crc.update(payload, 0, n - 8);
  const lo = (payload[n - 8] | (payload[n - 7] << 8) | (payload[n - 6] << 16) | (payload[n - 5] << 24)) >>> 0;
  const hi = (payload[n - 4] | (payload[n - 3] << 8) | (payload[n - 2] << 16) | (payload[n - 1] << 24)) >>> 0;
  if (crc.lo !== lo || crc.hi !== hi) {
    throw corrupt('CHECKSUM_MISMATCH', 'DUMP payload CRC-64 mismatch', { offset: n - 8, expected: hex64(crc.hi, crc.lo), found: hex64(hi, lo) });
  }
  return { version, bodyBytes: at };
}

/** Thrown by the value reader's handler once the value is read, to stop the decoder there. */
const VALUE_READ = Symbol('value read');
/** Thrown by the function reader's handler once the record running into the footer is read. */
const RECORDS_READ = Symbol('records read');

/**
 * Reads the value of a DUMP payload (RESTORE). `footer`: what {@link readDumpFooter} said of
 * this payload, when the caller checked it first (it is checked here otherwise).
 * @throws RdbtoolError (offsets in the payload) when the footer is wrong (see
 *   {@link readDumpFooter}), the payload does not start with a value type, the value is
 *   damaged or cut short, or it is an empty list, set, sorted set or hash (Redis refuses those).
 */
export function decodeDumpPayload(payload: Uint8Array, footer: DumpFooter = readDumpFooter(payload)): DumpValue {
  const { version } = footer;
  const t = payload[0];
  if (t >= 100 || t === RdbType.HashTmplLpRef || t === RdbType.HashTmplArrayRef) {
    // Opcodes have no place before a value here (Redis 8.6's key metadata block aside, which
    // this reader does not take), nor do template references, which point into a file.
    const what = t === RdbOpcode.KeyMeta ? 'key metadata before the value type (not read in DUMP payloads)' : 'not a value type a DUMP payload holds';
    throw corrupt('UNKNOWN_TYPE', `DUMP payload type byte ${t}: ${what}`, { offset: 0, expected: 'an RDB value type', found: hexByte(t) });
  }
  // Magic · type · empty key · the rest of the payload, footer included: Redis reads the value
  // from the whole payload, so a value that runs into the footer is read into it. Payload
  // offset p ≥ 1 is at p + 10.
  const rdb = new Uint8Array(9 + 2 + payload.length - 1);
  rdb.set(magic(version), 0);
  rdb[9] = t;
  rdb[10] = 0;
  rdb.set(payload.subarray(1), 11);
  const toPayload = (s: number) => (s <= 9 ? 0 : s === 10 ? 1 : s - 10);

  const scratch = new Dataset();
  const loader = createDatasetLoader(scratch);
  const loadKey = loader.keyEnd!.bind(loader);
  loader.keyEnd = (k) => {
    loadKey(k);
    throw VALUE_READ;
  };
  const decoder = new RdbDecoder(loader, { checksum: false });
  try {
    decoder.push(rdb);
    decoder.end();
  } catch (e) {
    if (e !== VALUE_READ) throw relocate(e, toPayload, 'read-value', t);
  }
  const value = scratch.db(0).get('');
  if (value === undefined) {
    throw corrupt('BAD_VALUE', 'DUMP payload holds an empty collection (Redis refuses to restore one)', { offset: 0, expected: 'at least one element', found: 'none' });
  }
  return { value, rdbType: t, version };
}

/**
 * Reads the libraries of a FUNCTION DUMP payload (FUNCTION RESTORE), in payload order. Each
 * library's header is checked as FUNCTION LOAD checks it; its Lua code is not compiled.
 * `footer` as for {@link decodeDumpPayload}.
 * @throws RdbtoolError (offsets in the payload) when the footer is wrong, a record is not a
 *   function library, a record is damaged or cut short, a header is invalid, or a library
 *   name appears twice.
 */
export function decodeFunctionPayload(payload: Uint8Array, footer: DumpFooter = readDumpFooter(payload)): DumpLibrary[] {
  const { version, bodyBytes } = footer;
  const toPayload = (s: number) => Math.max(s - 9, 0);
  const notFunction = (t: number, at: number) =>
    corrupt('UNKNOWN_OPCODE', 'a FUNCTION DUMP payload holds something else than function libraries', { offset: toPayload(at), expected: 'FUNCTION2 records (0xF5)', found: hexByte(t) });

  const scratch = new Dataset();
  const loader = createDatasetLoader(scratch);
  loader.opcode = (t, at) => {
    if (t !== RdbOpcode.Function2 && t !== RdbOpcode.FunctionPreGa) throw notFunction(t, at);
  };
  loader.keyStart = (k) => {
    throw notFunction(k.rdbType, k.offset);
  };
  // Redis reads records while more than the footer is left: the last one may run into the
  // footer (read from the whole payload), and reading stops once that record is complete.
  let inFooter = false;
  const loadLibrary = loader.function!.bind(loader);
  loader.function = (code, at) => {
    loadLibrary(code, at);
    if (inFooter) throw RECORDS_READ;
  };
  const decoder = new RdbDecoder(loader, { checksum: false });
  try {
    decoder.push(magic(version));
    decoder.push(payload.subarray(0, bodyBytes));
    if (decoder.doing !== 'read-type' || decoder.r.available() !== 0) {
      inFooter = true;
      decoder.push(payload.subarray(bodyBytes));
      decoder.end();
    }
    // An EOF byte among the records ends the decoder's reading: Redis takes it for a type.
    const end = decoder.summary().end;
    if (end !== null) throw notFunction(RdbOpcode.Eof, end.eofOffset);
  } catch (e) {
    if (e !== RECORDS_READ) throw relocate(e, toPayload, 'read-function');
  }
  const out: DumpLibrary[] = [];
  for (const [name, code] of scratch.functions.entries()) out.push({ name, code });
  return out;
}

/** The magic of a synthetic RDB of `version`: VALKEY for Valkey's own versions, REDIS otherwise. */
function magic(version: number): Uint8Array {
  const text = version >= 80 ? `VALKEY${String(version).padStart(3, '0')}` : `REDIS${String(version).padStart(4, '0')}`;
  const out = new Uint8Array(9);
  for (let i = 0; i < 9; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * An error of the synthetic RDB's reading, moved to the payload: its offset mapped, the
 * synthetic key and database dropped from its context. Anything that is not an RdbtoolError
 * (a bug) goes on as it is.
 */
function relocate(e: unknown, toPayload: (s: number) => number, doing: Doing, rdbType?: number): unknown {
  if (!(e instanceof RdbtoolError)) return e;
  if (e.offset !== undefined) e.offset = toPayload(e.offset);
  e.file = undefined;
  e.context = { doing: e.context?.doing ?? doing, what: e.context?.what, rdbType };
  e.locate({});
  return e;
}

function hex64(hi: number, lo: number): string {
  return '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
