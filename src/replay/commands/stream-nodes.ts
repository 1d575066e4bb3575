/**
 * The node layout of a stream, for the approximate trimming (`MAXLEN ~`, `MINID ~`) that a
 * file written by hand may still ask for: Redis then removes only whole nodes — listpacks of
 * at most `stream-node-max-entries` (100) entries, live or deleted, and below
 * `stream-node-max-bytes` (4096) bytes — so what goes depends on where the nodes begin.
 *
 * The dataset keeps entries, not nodes. A layout is built the first time a stream is trimmed
 * approximately, as XADD would have laid out its entries one by one with the default
 * settings (exact for a stream that never lost entries to XDEL before; the deleted entries a
 * node still counts are not in the dataset), and kept in step by XADD, XDEL and trimming
 * from then on. Each node's byte size is counted as the listpack would hold it: the master
 * entry (live count, deleted count, field names), then per entry its flags, ID deltas from
 * the master ID, fields unless they are the master's, values, and a back-count.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { StreamIdKey } from '../../dataset/stream-id.js';
import type { StreamValue } from '../../dataset/stream.js';

/** `stream-node-max-entries` and `stream-node-max-bytes`, Redis's defaults. */
const NODE_MAX_ENTRIES = 100;
const NODE_MAX_BYTES = 4096;
/** A listpack's header and end marker. */
const LP_EMPTY_BYTES = 7;
const U64 = 1n << 64n;
const I63 = 1n << 63n;
const INT_TEXT = /^(0|-?[1-9][0-9]{0,19})$/;

/** Bytes of a listpack integer element (encoding and back-length). */
function intElemBytes(v: number | bigint): number {
  const n = typeof v === 'bigint' ? (v >= -(1n << 31n) && v < 1n << 31n ? Number(v) : 2 ** 40) : v;
  let enc: number;
  if (n >= 0 && n <= 127) enc = 1;
  else if (n >= -4096 && n <= 4095) enc = 2;
  else if (n >= -32768 && n <= 32767) enc = 3;
  else if (n >= -8388608 && n <= 8388607) enc = 4;
  else if (n >= -2147483648 && n <= 2147483647) enc = 5;
  else enc = 9;
  return enc + 1;
}

/** Bytes of the back-length of an element of `l` bytes. */
function backlenBytes(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes of a string element: an integer when its text is a canonical 64-bit integer. */
function strElemBytes(s: ByteString): number {
  if (s.length <= 20 && INT_TEXT.test(s)) {
    const v = BigInt(s);
    if (v >= -I63 && v < I63) return intElemBytes(v);
  }
  const n = s.length;
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlenBytes(enc);
}

/** A u64 part of an ID key (0: ms, 8: seq). */
function part(id: StreamIdKey, at: number): bigint {
  let v = 0n;
  for (let i = at; i < at + 8; i++) v = (v << 8n) | BigInt(id.charCodeAt(i));
  return v;
}

/** `a − b` on u64s, read back as a signed 64-bit integer (how Redis stores ID deltas). */
function delta(a: bigint, b: bigint): bigint {
  const d = (a - b + U64) % U64;
  return d >= I63 ? d - U64 : d;
}

interface Node {
  masterId: StreamIdKey;
  masterFields: ByteString[];
  /** Every entry the node holds, deleted ones too, in order. */
  ids: StreamIdKey[];
  dead: boolean[];
  live: number;
  deleted: number;
  /** The listpack's bytes less its live and deleted counters. */
  bytes: number;
}

function nodeBytes(n: Node): number {
  return n.bytes + intElemBytes(n.live) + intElemBytes(n.deleted);
}

const LAYOUTS = new WeakMap<StreamValue, StreamNodes>();

/** The node layout of one stream. */
export class StreamNodes {
  private nodes: Node[] = [];
  private liveTotal = 0;

  /** The layout kept for `s`, or undefined (none kept, or `s` changed behind its back). */
  static of(s: StreamValue): StreamNodes | undefined {
    const n = LAYOUTS.get(s);
    if (n === undefined) return undefined;
    if (n.liveTotal !== s.entryCount || (s.entryCount > 0 && n.lastLive() !== s.idAt(s.entryCount - 1))) {
      LAYOUTS.delete(s);
      return undefined;
    }
    return n;
  }

  /** Builds a layout for `s` from its entries and keeps it in step from now on. */
  static track(s: StreamValue): StreamNodes {
    const n = new StreamNodes();
    for (const [id, fields] of s.entries()) n.append(id, fields);
    LAYOUTS.set(s, n);
    return n;
  }

  /** The newest live entry's ID, or undefined. */
  private lastLive(): StreamIdKey | undefined {
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      const node = this.nodes[n];
      for (let i = node.ids.length - 1; i >= 0; i--) if (!node.dead[i]) return node.ids[i];
    }
    return undefined;
  }

  /** Records an entry XADD appended. */
  append(id: StreamIdKey, fields: ByteString[]): void {
    let total = 0;
    for (const f of fields) total += f.length;
    let node: Node | undefined = this.nodes[this.nodes.length - 1];
    if (node !== undefined && (nodeBytes(node) + total >= NODE_MAX_BYTES || node.live + node.deleted >= NODE_MAX_ENTRIES)) node = undefined;
    const numFields = fields.length / 2;
    let same: boolean;
    if (node === undefined) {
      const names: ByteString[] = [];
      let bytes = LP_EMPTY_BYTES + intElemBytes(numFields) + intElemBytes(0);
      for (let i = 0; i < fields.length; i += 2) {
        names.push(fields[i]);
        bytes += strElemBytes(fields[i]);
      }
      node = { masterId: id, masterFields: names, ids: [], dead: [], live: 0, deleted: 0, bytes };
      this.nodes.push(node);
      same = true;
    } else {
      same = numFields === node.masterFields.length;
      for (let i = 0; same && i < numFields; i++) same = fields[i * 2] === node.masterFields[i];
    }
    let bytes = intElemBytes(same ? 2 : 0);
    bytes += intElemBytes(delta(part(id, 0), part(node.masterId, 0)));
    bytes += intElemBytes(delta(part(id, 8), part(node.masterId, 8)));
    if (!same) bytes += intElemBytes(numFields);
    for (let i = 0; i < fields.length; i++) if (!same || i % 2 === 1) bytes += strElemBytes(fields[i]);
    bytes += intElemBytes(numFields + 3 + (same ? 0 : numFields + 1));
    node.bytes += bytes;
    node.ids.push(id);
    node.dead.push(false);
    node.live++;
    this.liveTotal++;
  }

  /** Records an entry XDEL removed: a node left without live entries goes. */
  remove(id: StreamIdKey): void {
    let lo = 0;
    let hi = this.nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.nodes[mid].masterId <= id) lo = mid;
      else hi = mid - 1;
    }
    const node = this.nodes[lo];
    const at = node === undefined ? -1 : node.ids.indexOf(id);
    if (at < 0 || node.dead[at]) return;
    this.liveTotal--;
    if (node.live === 1) {
      this.nodes.splice(lo, 1);
      return;
    }
    node.dead[at] = true;
    node.live--;
    node.deleted++;
  }

  /**
   * Trims as Redis does (no LIMIT): whole nodes from the head while they may go, then — unless
   * `approx` — entries within the next node. Removes the entries from `s` too; returns how
   * many went.
   */
  trim(s: StreamValue, byLength: boolean, maxLen: number, minId: StreamIdKey, approx: boolean): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (byLength && s.length <= maxLen) break;
      const node = this.nodes[0];
      const whole = byLength ? s.length - node.live >= maxLen : node.ids[node.ids.length - 1] < minId;
      if (whole) {
        for (let i = 0; i < node.live; i++) s.shift();
        deleted += node.live;
        this.liveTotal -= node.live;
        this.nodes.shift();
        continue;
      }
      if (approx) break;
      for (let i = 0; i < node.ids.length; i++) {
        if (byLength ? s.length <= maxLen : node.ids[i] >= minId) break;
        if (node.dead[i]) continue;
        node.dead[i] = true;
        node.live--;
        node.deleted++;
        this.liveTotal--;
        s.shift();
        deleted++;
      }
      break;
    }
    return deleted;
  }
}
