/**
 * The seeded generator the differential workloads draw from: a mulberry32 stream, the key
 * pool (a few keys per family, all of them shared, so commands collide and meet wrong types),
 * and the values Redis encodes differently — integers (int encodings, intsets), binary bytes,
 * strings past 64 bytes (listpack limits), long compressible strings (LZF), and bulk element
 * lists past 128 entries. Times are fixed or relative, never read from the clock, so a seed
 * gives the same commands on every run.
 */
import { rng } from '../../helpers/bytes.js';
import type { Cmd } from '../../helpers/replay-oracle.js';

/** What the workload may use besides the generator: the server-made payloads. */
export interface WorkloadSources {
  /** DUMP payloads of keys of every type and encoding. */
  payloads: readonly Buffer[];
  /** A FUNCTION DUMP payload. */
  functionsDump: Buffer;
}

/** A family's generator: one command (or a few that belong together). */
export type FamilyGen = (g: Gen) => Cmd[];

/** The families whose keys the pool holds, with the prefix of their keys. */
export const KEY_FAMILIES = {
  str: 's',
  bit: 'b',
  hll: 'p',
  list: 'l',
  set: 'e',
  zset: 'z',
  hash: 'h',
  stream: 'x',
  /**
   * Sorted sets whose members all score 0, for lex ranges bounded at both ends: over members
   * out of byte order, a skiplist's answer depends on the random levels Redis drew, which no
   * AOF records. No other family writes these keys (anyKey never names them).
   */
  lex: 'y',
} as const;

/** Keys per family. */
const PER_FAMILY = 3;

/** A key name made of bytes a text key never has. */
const BINARY_KEY = Buffer.from([0x00, 0x6b, 0xff, 0x0d, 0x0a]);

/** A far-future time, in ms (2100-01-01), and one past (2001-09-09). */
export const FAR_MS = 4_102_444_800_000;
export const PAST_MS = 1_000_000_000_000;

/** The base of explicit stream IDs: past any clock, so `*` IDs after them still follow them. */
export const STREAM_ID_BASE = 2_000_000_000_000;

export class Gen {
  private readonly r: () => number;
  /** Explicit stream IDs handed out so far (for XDEL, XCLAIM, XACK to find live ones). */
  readonly streamIds: string[] = [];
  private streamMs = STREAM_ID_BASE;

  constructor(
    seed: number,
    readonly sources: WorkloadSources,
  ) {
    this.r = rng(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.r();
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.r() < p;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }

  /** Picks by weight: `[weight, value]` pairs. */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of xs) total += w;
    let at = this.r() * total;
    for (const [w, v] of xs) {
      if ((at -= w) < 0) return v;
    }
    return xs[xs.length - 1][1];
  }

  /** A key: mostly one of the family's own, sometimes any key of the pool. */
  key(family: keyof typeof KEY_FAMILIES): string | Buffer {
    if (family !== 'lex' && this.chance(0.2)) return this.anyKey();
    return `${KEY_FAMILIES[family]}${this.int(1, PER_FAMILY)}`;
  }

  /** Any key of the pool (the binary one included). */
  anyKey(): string | Buffer {
    if (this.chance(0.04)) return BINARY_KEY;
    const prefixes = Object.values(KEY_FAMILIES).filter((p) => p !== KEY_FAMILIES.lex);
    return `${this.pick(prefixes)}${this.int(1, PER_FAMILY)}`;
  }

  /** `n` distinct keys of a family (fewer when the pool repeats one). */
  keys(family: keyof typeof KEY_FAMILIES, n: number): (string | Buffer)[] {
    return Array.from({ length: n }, () => this.key(family));
  }

  /** A database index of the three the workloads use. */
  db(): string {
    return String(this.int(0, 2));
  }

  /** An integer as Redis takes it, edges included. */
  intText(): string {
    return this.weighted<() => string>([
      [4, () => String(this.int(-20, 20))],
      [3, () => String(this.int(-1_000_000, 1_000_000))],
      [1, () => this.pick(['9223372036854775807', '-9223372036854775808', '2147483648', '-2147483649', '4294967296'])],
      [1, () => String(this.int(0, 2 ** 31) * 2 ** 16)],
    ])();
  }

  /** A string value: the shapes every encoding decision turns on. */
  value(): string | Buffer {
    return this.weighted<() => string | Buffer>([
      [5, () => this.intText()],
      [2, () => this.pick(['007', '+1', ' 5', '1.5', '1e3', '-0', '0x10', '12345678901234567890'])],
      [6, () => this.pick(['a', 'b', 'c', 'foo', 'bar', 'hello', 'x y', 'Z'])],
      [3, () => this.binary(this.int(0, 12))],
      [2, () => this.long()],
      [1, () => ''],
      [2, () => this.text(this.int(20, 64))],
    ])();
  }

  /** An element of a collection (list item, set member, field): small alphabets collide. */
  member(): string | Buffer {
    return this.weighted<() => string | Buffer>([
      [8, () => `m${this.int(0, 40)}`],
      [4, () => String(this.int(-50, 200))],
      [1, () => this.pick(['9223372036854775807', '-9223372036854775808', '18446744073709551616'])],
      [1, () => this.binary(this.int(1, 6))],
      [1, () => this.long()],
      [1, () => ''],
    ])();
  }

  /** Random bytes, NUL, CR LF and 0xff among them. */
  binary(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.chance(0.3) ? this.pick([0, 0x0d, 0x0a, 0xff, 0x80]) : this.int(0, 255);
    return out;
  }

  /** Text of `n` characters from a small alphabet. */
  text(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += 'abcdefgh'[this.int(0, 7)];
    return s;
  }

  /** A string past 64 bytes: repetitive (LZF compresses it) or not, sometimes kilobytes. */
  long(): string | Buffer {
    const n = this.chance(0.15) ? this.int(1000, 5000) : this.int(65, 300);
    return this.weighted<() => string | Buffer>([
      [2, () => this.pick(['x', 'ab', 'long-'])
        .repeat(n)
        .slice(0, n)],
      [2, () => this.text(n)],
      [1, () => this.binary(n)],
    ])();
  }

  /** `n` elements from `make`, usually past a listpack's 128 entries. */
  bulk<T>(make: (i: number) => T, n = this.pick([129, 130, 200, 520])): T[] {
    return Array.from({ length: n }, (_, i) => make(i));
  }

  /**
   * Expiry arguments of SET/GETEX: seconds or milliseconds far off, milliseconds about to end
   * (the key expires during the run), absolute times past and future.
   */
  setExpiry(getex = false): string[] {
    return this.weighted<() => string[]>([
      [3, () => ['EX', String(this.int(100, 100_000))]],
      [2, () => ['PX', String(this.int(1, 40))]],
      [2, () => ['PX', String(this.int(100_000, 10_000_000))]],
      [1, () => ['EXAT', String(Math.floor(PAST_MS / 1000) + this.int(0, 1000))]],
      [1, () => ['PXAT', String(PAST_MS + this.int(0, 1000))]],
      [2, () => ['PXAT', String(FAR_MS + this.int(0, 100_000))]],
      [1, () => ['EXAT', String(FAR_MS / 1000 + this.int(0, 100))]],
      [1, () => (getex ? ['PERSIST'] : ['KEEPTTL'])],
    ])();
  }

  /** A relative time for EXPIRE/PEXPIRE: past (zero, negative), about to end, far off. */
  relativeTtl(ms: boolean): string {
    return this.weighted<() => string>([
      [1, () => String(-this.int(0, 100))],
      [1, () => '0'],
      [2, () => (ms ? String(this.int(1, 40)) : '1')],
      [4, () => String(ms ? this.int(100_000, 100_000_000) : this.int(100, 100_000))],
    ])();
  }

  /** An absolute time for EXPIREAT/PEXPIREAT: past, or far future. */
  absoluteTtl(ms: boolean): string {
    const at = this.chance(0.3) ? PAST_MS + this.int(0, 1_000_000) : FAR_MS + this.int(0, 10_000_000);
    return String(ms ? at : Math.floor(at / 1000));
  }

  /** A fresh explicit stream ID (remembered), in one of the forms XADD takes. */
  newStreamId(): string {
    const ms = (this.streamMs += this.int(1, 3));
    const form = this.next();
    if (form < 0.2) {
      this.streamIds.push(`${ms}-0`);
      return `${ms}-*`;
    }
    if (form < 0.3) {
      this.streamIds.push(`${ms}-0`);
      return String(ms);
    }
    const id = `${ms}-${this.int(0, 2)}`;
    this.streamIds.push(id);
    return id;
  }

  /** An ID of an entry the workload added, or one near them. */
  oldStreamId(): string {
    if (this.streamIds.length === 0 || this.chance(0.1)) return this.pick(['0-1', '1-1', `${this.streamMs + 1}-0`]);
    return this.streamIds[Math.max(0, this.streamIds.length - 1 - this.int(0, 12))];
  }

  /** The current stream ms, moved on (for XSETID and trimming thresholds). */
  streamCursor(bump = 0): number {
    this.streamMs += bump;
    return this.streamMs;
  }
}
