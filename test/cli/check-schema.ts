/**
 * The `check --json` report as the README documents it, as executable checks: an object must
 * have exactly the documented keys, each of the documented kind.
 */
import { expect } from 'vitest';

export type Check = (v: unknown, at: string) => void;
const fail = (at: string, what: string, v: unknown) => {
  throw new Error(`${at}: expected ${what}, got ${JSON.stringify(v)}`);
};
const int: Check = (v, at) => void (Number.isInteger(v) && (v as number) >= 0 ? 0 : fail(at, 'a non-negative integer', v));
const num: Check = (v, at) => void (typeof v === 'number' ? 0 : fail(at, 'a number', v));
const str: Check = (v, at) => void (typeof v === 'string' ? 0 : fail(at, 'a string', v));
const bool: Check = (v, at) => void (typeof v === 'boolean' ? 0 : fail(at, 'a boolean', v));
const oneOf =
  (...values: unknown[]): Check =>
  (v, at) =>
    void (values.includes(v) ? 0 : fail(at, `one of ${values.join(', ')}`, v));
const nullOr =
  (c: Check): Check =>
  (v, at) =>
    void (v === null ? 0 : c(v, at));
const arrayOf =
  (c: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) fail(at, 'an array', v);
    (v as unknown[]).forEach((x, i) => c(x, `${at}[${i}]`));
  };
const hex16: Check = (v, at) => void (typeof v === 'string' && /^[0-9a-f]{16}$/.test(v) ? 0 : fail(at, '16 hex digits', v));
const decimal: Check = (v, at) => void (typeof v === 'string' && /^-?\d+$/.test(v) ? 0 : fail(at, 'a decimal string', v));
/** An object with exactly these keys. */
const obj =
  (shape: Record<string, Check>): Check =>
  (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(at, 'an object', v);
    const o = v as Record<string, unknown>;
    expect(Object.keys(o).sort(), at).toEqual(Object.keys(shape).sort());
    for (const [k, c] of Object.entries(shape)) c(o[k], `${at}.${k}`);
  };

const PROBLEM_CODES = [
  'BAD_MAGIC', 'UNSUPPORTED_VERSION', 'UNKNOWN_OPCODE', 'UNKNOWN_TYPE', 'UNVERIFIED_LAYOUT', 'BAD_LENGTH', 'BAD_STRING_ENCODING', 'BAD_VALUE',
  'LZF_CORRUPT', 'BLOB_CORRUPT', 'CHECKSUM_MISMATCH', 'TRAILING_DATA', 'TRUNCATED', 'RESP_SYNTAX', 'UNBALANCED_MULTI', 'MANIFEST_INVALID',
  'LIMIT_EXCEEDED', 'MISSING_FILE', 'NOT_PERSISTENCE_FILE', 'IO', 'USAGE', 'EMPTY_FILE', 'EMPTY_INPUT', 'NO_CHECKSUM', 'POLICY', 'SYMLINK',
]; // prettier-ignore

const counts: Check = (v, at) => {
  if (v === null || typeof v !== 'object') fail(at, 'an object of counts', v);
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) int(n, `${at}.${k}`);
};
const KEY_MARK: Check = obj({ db: int, key: (v, at) => void (typeof v === 'string' || (typeof v === 'object' && v !== null && 'b64' in v) ? 0 : fail(at, 'a byte string', v)), what: str, bytes: int, elements: int });
const FACTS: Check = obj({
  rdb: nullOr(obj({ magic: oneOf('REDIS', 'VALKEY'), version: int, types: counts, opcodes: counts, modules: counts })),
  ctimeSec: nullOr(int),
  serverVersion: nullOr(str),
  biggestKey: nullOr(KEY_MARK),
  longestKey: nullOr(KEY_MARK),
  keysOverBytes: int,
  keysOverElements: int,
  annotations: int,
  lastTimestampSec: nullOr(int),
});
const anyObject: Check = (v, at) => void (typeof v === 'object' && v !== null ? 0 : fail(at, 'an object', v));

export const REPORT: Check = obj({
  schemaVersion: oneOf(1),
  status: oneOf('intact', 'damaged', 'policy', 'unreadable'),
  exitCode: oneOf(0, 1, 2),
  compat: nullOr(obj({ target: nullOr(str), judgement: nullOr(anyObject), oldest: obj({ redis: nullOr(str), valkey: nullOr(str), valkeyRelaxed: nullOr(str) }) })),
  input: obj({ path: str, form: oneOf('file', 'multipart'), manifest: nullOr(str), history: arrayOf(str) }),
  files: arrayOf(
    obj({
      name: str,
      role: oneOf('file', 'base', 'incr'),
      manifestLine: nullOr(int),
      seq: nullOr(decimal),
      last: bool,
      content: oneOf('rdb', 'aof', 'hybrid', 'empty', 'foreign', null),
      size: nullOr(int),
      mtimeMs: nullOr(num),
      link: nullOr(obj({ target: str, resolved: nullOr(str), leavesDirectory: bool })),
      status: oneOf('ok', 'empty', 'truncated', 'corrupt', 'missing'),
      okUpTo: nullOr(int),
      lostBytes: nullOr(int),
      respOffset: nullOr(int),
      commands: int,
      annotations: int,
      pendingMulti: bool,
      multiOffset: nullOr(int),
      rdb: nullOr(
        obj({
          magic: oneOf('REDIS', 'VALKEY', null),
          version: nullOr(int),
          checksum: oneOf('ok', 'mismatch', 'disabled', 'absent', 'not-reached'),
          storedChecksum: nullOr(hex16),
          computedChecksum: nullOr(hex16),
          keys: int,
          endOffset: nullOr(int),
          verification: oneOf('checksum', 'deep'),
        }),
      ),
      redisCheckAof: nullOr(obj({ okUpTo: int, okUpToLine: int, diff: int })),
      problems: int,
      facts: FACTS,
    }),
  ),
  problems: arrayOf((v, at) => {
    const p = v as { context?: unknown };
    obj({
      file: str,
      offset: nullOr(int),
      line: nullOr(int),
      code: oneOf(...PROBLEM_CODES),
      severity: oneOf('error', 'warning'),
      section: oneOf('rdb', 'aof', 'manifest', 'file', 'policy'),
      rule: nullOr(str),
      reason: str,
      expected: nullOr(str),
      found: nullOr(str),
      context: nullOr((c, a) => void (typeof c === 'object' ? 0 : fail(a, 'an object', c))),
    })(p, at);
  }),
  intact: bool,
  redisWouldStart: obj({
    withAofLoadTruncatedYes: bool,
    withAofLoadTruncatedNo: bool,
    reason: str,
    truncation: nullOr(obj({ file: str, toOffset: int, lostBytes: int, leavesOpenMulti: bool, dropsRdbPreamble: bool })),
    asRdbSnapshot: nullOr(obj({ loads: bool, reason: str })),
  }),
  totals: obj({ files: int, bytes: int, commands: int, annotations: int, keys: int, errors: int, warnings: int }),
  elapsedMs: num,
});

export const RUN: Check = obj({
  schemaVersion: oneOf(2),
  inputs: arrayOf(REPORT),
  summary: obj({ inputs: int, intact: int, damaged: int, policyViolations: int, unreadable: int, exitCode: oneOf(0, 1, 2) }),
  policy: nullOr(anyObject),
  elapsedMs: num,
});

/** One input's report as a test reads it. */
export type Report = Record<string, unknown> & { intact: boolean; status: string; files: { seq: string | null }[] };

/** `check --json` on one input: the run validated, and its one input's report. */
