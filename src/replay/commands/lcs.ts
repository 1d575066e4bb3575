/**
 * LCS (read-only, Redis 7.0+): the longest common subsequence of two strings, as the string,
 * its length (LEN) or the matching ranges (IDX, with MINMATCHLEN and WITHMATCHLEN), by the
 * same dynamic-programming table Redis fills, walked back the same way so that ties pick the
 * same subsequence and ranges come out in the same order.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { CommandError, SYNTAX, argError } from '../errors.js';
import { parseInt64, word } from '../args.js';

const NOT_STRINGS = new CommandError('wrongtype', 'ERR The specified keys must contain string values');
/** Redis refuses a table of more bytes than its `proto-max-bulk-len` (512 MB by default). */
const MAX_TABLE_BYTES = 512 * 1024 * 1024;

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]. */
export function lcsCommand(c: CommandContext, argv: ByteString[]): Reply {
  const va = c.get(argv[1]);
  const vb = c.get(argv[2]);
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) throw NOT_STRINGS;
  const a = va ?? '';
  const b = vb ?? '';
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = word(argv[j]);
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]);
      minMatchLen = n < 0n ? 0 : Number(n);
    } else throw SYNTAX;
  }
  if (getLen && getIdx) throw argError('If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > MAX_TABLE_BYTES) throw argError('Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');

  // table[i*(blen+1)+j] = LCS length of a[0..i) and b[0..j).
  const w = blen + 1;
  const table = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      const at = i * w + j;
      if (ai === b.charCodeAt(j - 1)) table[at] = table[at - w - 1] + 1;
      else {
        const up = table[at - w];
        const left = table[at - 1];
        table[at] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * w + blen];
  if (getLen && !getIdx) return total;

  // Walk back from the end; collect the subsequence and, for IDX, the ranges (last first).
  const chars = new Uint8Array(total);
  let idx = total;
  const matches: Reply[] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        const m: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ];
        if (withMatchLen) m.push(matchLen);
        matches.push(m);
      }
      aStart = alen;
    }
  }
  if (getIdx) return ['matches', matches, 'len', total];
  return Buffer.from(chars.buffer, chars.byteOffset, chars.length).toString('latin1');
}
