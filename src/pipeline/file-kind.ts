/**
 * What the first bytes of a file say about it, before any decoder runs (FORMATS.md §1.2,
 * §5.1, §5.4, §5.5): an RDB starts with `REDIS` or `VALKEY` (or `VCS`, Valkey 9.2's
 * compressed envelope), and every unit of an AOF starts with `*` (a command) or `#` (an
 * annotation). Anything else is not a Redis or Valkey persistence file at all: a compressed
 * backup, an image, a binary, a text file. Such a file gets its own verdict, naming what it
 * seems to be, instead of being read as a corrupt AOF.
 */

/**
 * How a file starts: `rdb`, `resp`, `foreign` (neither), `empty` (no bytes at all), or `more`
 * (too few bytes to tell yet).
 */
export type FileStart = 'rdb' | 'resp' | 'foreign' | 'empty' | 'more';

const RDB_MAGICS = ['REDIS', 'VALKEY', 'VCS'].map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));
const STAR = 0x2a; // '*'
const HASH = 0x23; // '#'

/**
 * Classifies the start of a file. `atEnd` says the file holds no more bytes than `head`, so a
 * prefix of a magic (`RED`) is decided rather than waited on.
 */
export function classifyStart(head: Uint8Array, atEnd: boolean): FileStart {
  if (head.length === 0) return atEnd ? 'empty' : 'more';
  if (head[0] === STAR || head[0] === HASH) return 'resp';
  for (const magic of RDB_MAGICS) {
    let i = 0;
    while (i < magic.length && i < head.length && head[i] === magic[i]) i++;
    if (i === magic.length) return 'rdb';
    // The whole file is the start of a magic: an RDB cut short, for the decoder to report.
    if (i === head.length) return atEnd ? 'rdb' : 'more';
  }
  return 'foreign';
}

/** Well-known file signatures, for telling the user what a foreign file probably is. */
const SIGNATURES: readonly { bytes: readonly number[]; what: string; hint?: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed data', hint: 'decompress it first (gunzip)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'Zstandard-compressed data', hint: 'decompress it first (zstd -d)' },
  { bytes: [0x04, 0x22, 0x4d, 0x18], what: 'LZ4-compressed data', hint: 'decompress it first (lz4 -d)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data', hint: 'decompress it first (xz -d)' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data', hint: 'decompress it first (bunzip2)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive', hint: 'extract it first' },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], what: 'an SQLite database' },
];

/** A tar archive has "ustar" at byte 257. */
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];

/**
 * What a foreign file seems to be (`gzip-compressed data`, `a PNG image`, `text`, …) and, when
 * there is one, what to do about it; null when nothing is recognised.
 */
export function describeForeign(head: Uint8Array): { what: string; hint?: string } | null {
  for (const s of SIGNATURES) {
    if (head.length >= s.bytes.length && s.bytes.every((b, i) => head[i] === b)) return s.hint ? { what: s.what, hint: s.hint } : { what: s.what };
  }
  if (head.length >= 262 && USTAR.every((b, i) => head[257 + i] === b)) return { what: 'a tar archive', hint: 'extract it first' };
  if (head.length > 0 && looksLikeText(head)) return { what: 'text' };
  return null;
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * The first bytes in words: quoted when they read as text (`"root:x:0:0:root:/r"…`),
 * otherwise as hex (`89 50 4E 47 0D 0A 1A 0A …`); at most `max` bytes.
 */
export function showFirstBytes(head: Uint8Array, max = 16): string {
  const b = head.subarray(0, max);
  const more = head.length > max ? '…' : '';
  if (looksLikeText(b)) return JSON.stringify(String.fromCharCode(...b)) + more;
  return Array.from(b, (c) => c.toString(16).padStart(2, '0').toUpperCase()).join(' ') + (more ? ' …' : '');
}

/** What a persistence file starts with, in words (the `expected` of a foreign-file problem). */
export const PERSISTENCE_FILE_START = '"REDIS" or "VALKEY" and the version digits (an RDB), or "*" or "#" (an AOF)';
