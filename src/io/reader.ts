/**
 * The byte window every streaming decoder reads from.
 *
 * Chunks are appended as they arrive; the reader keeps the unread tail and the absolute file
 * offset of its first byte. Reads are all-or-nothing: the `try*` helpers of the decoders
 * check `available()` first and leave `pos` untouched when the bytes are not there yet,
 * recording in `wanted` how many bytes (from `pos`) they need. A buffer is never compacted in
 * place, so views handed out earlier stay valid after later appends (unless the decoder opts
 * into {@link Reader.recycle}).
 *
 * Bytes are reported to an optional `onConsumed` observer (the checksum) exactly once, in
 * large runs, when they are dropped from the window or on {@link Reader.flushConsumed}.
 */
export class Reader {
  /** Current window. Valid bytes are `buf[pos, end)`. */
  buf: Uint8Array = EMPTY;
  /** Read position inside `buf`. */
  pos = 0;
  /** End of valid bytes inside `buf` (the buffer may have spare capacity after it). */
  end = 0;
  /** Absolute offset of `buf[0]`. */
  base = 0;
  /** Bytes (counted from `pos`) the last failed read needed. */
  wanted = 0;
  /** Bytes still to drop from future input (a skip that ran past the window). */
  skipLeft = 0;
  /** Position in `buf` up to which bytes were already reported to `onConsumed`. */
  private reported = 0;
  /** Total bytes appended so far. */
  received = 0;

  /** Called once for every consumed byte range, in order. */
  onConsumed: ((bytes: Uint8Array, start: number, end: number) => void) | null = null;

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Unread bytes in the window. */
  available(): number {
    return this.end - this.pos;
  }

  /** Records that `n` bytes from `pos` are needed; always returns false (for `return r.want(n)`). */
  want(n: number): false {
    this.wanted = n;
    return false;
  }

  /**
   * Adds a chunk. The chunk is adopted without copying when nothing is left over; otherwise
   * the leftover and the chunk are copied into a new buffer big enough for `wanted` too.
   */
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.received += chunk.length;
    if (this.skipLeft > 0) {
      this.report(); // bytes of the old window come first
      const n = Math.min(this.skipLeft, chunk.length);
      this.skipLeft -= n;
      if (this.onConsumed) this.onConsumed(chunk, 0, n);
      if (n === chunk.length) {
        this.base += n;
        return;
      }
      this.base += n;
      chunk = chunk.subarray(n);
    }
    const left = this.end - this.pos;
    if (left === 0) {
      this.report();
      this.adopt(chunk);
      return;
    }
    // Room after `end` in a buffer we own: copy the chunk into it.
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    this.report();
    // A chunk read after free bytes of its own buffer (see markHeadroom), with room there for
    // what is left of this window: only the leftover is copied, in front of the chunk, which
    // is then read in place (when what the last read wanted is all there).
    const room = headroom.get(chunk.buffer as ArrayBuffer);
    if (room !== undefined && chunk.byteOffset === room && left <= room && this.wanted <= left + chunk.length) {
      const next = new Uint8Array(chunk.buffer, room - left, left + chunk.length);
      next.set(this.buf.subarray(this.pos, this.end), 0);
      this.adopt(next);
      return;
    }
    const size = left + chunk.length;
    const need = Math.max(size, this.wanted);
    const prev = this.buf;
    let next: Uint8Array;
    if (this.recycle && this.spare !== null && this.spare.length >= need) {
      next = this.spare;
    } else {
      // Room for a little more than this round needs, so the spare usually fits the next one.
      next = new Uint8Array(this.recycle ? need + RECYCLE_SLACK : need);
    }
    next.set(prev.subarray(this.pos, this.end), 0);
    next.set(chunk, left);
    this.spare = this.recycle && this.allocated ? prev : null;
    this.allocated = true;
    this.base += this.pos;
    this.buf = next;
    this.end = size;
    this.pos = 0;
    this.reported = 0;
    this.owned = next.length > this.end;
  }

  /**
   * Makes `next` the window: the unread bytes of the current one (reported already), then the
   * new ones. Not the reader's own buffer: never written into, never recycled.
   */
  private adopt(next: Uint8Array): void {
    if (this.allocated && this.recycle) this.spare = this.buf;
    this.base += this.pos;
    this.buf = next;
    this.pos = 0;
    this.end = next.length;
    this.reported = 0;
    this.owned = false;
    this.allocated = false;
  }

  /** True when `buf` was allocated here and has spare capacity we may write into. */
  private owned = false;
  /** True when `buf` was allocated here (not a caller's chunk). */
  private allocated = false;
  /** The previous window's buffer, reused by the next append when {@link Reader.recycle} is set. */
  private spare: Uint8Array | null = null;

  /**
   * Set by a decoder that keeps no view into the window across appends (a check-only pass):
   * the reader then alternates between two buffers it owns instead of allocating a new one
   * whenever a chunk ends inside a unit, which saves an allocation and its garbage per chunk.
   * Views handed out before the previous append are overwritten.
   */
  recycle = false;

  /**
   * Consumes `n` bytes, which may run past the window: the rest is dropped from future
   * appends. Only for data nobody looks at (skipped values).
   */
  skip(n: number): void {
    const here = this.end - this.pos;
    if (n <= here) {
      this.pos += n;
      return;
    }
    this.pos = this.end;
    this.skipLeft = n - here;
  }

  /** Reports consumed bytes `[reported, pos)` to the observer. */
  flushConsumed(): void {
    this.report();
  }

  /** Stops reporting consumed bytes from now on (after the RDB checksum, say). */
  detach(): void {
    this.report();
    this.onConsumed = null;
  }

  private report(): void {
    if (this.onConsumed && this.pos > this.reported) this.onConsumed(this.buf, this.reported, this.pos);
    this.reported = this.pos;
  }
}

const EMPTY = new Uint8Array(0);

/** Buffers read into after free bytes of their own, by how many (see {@link markHeadroom}). */
const headroom = new WeakMap<ArrayBuffer, number>();

/**
 * Declares that the first `bytes` bytes of `buffer` are free, and that a chunk read into the
 * buffer right after them (a view starting at `bytes`) may have them written: a reader then
 * copies the unread end of its window there instead of copying the chunk (for a source that
 * reads each chunk into a fresh buffer that nothing else refers to).
 */
export function markHeadroom(buffer: ArrayBuffer, bytes: number): void {
  headroom.set(buffer, bytes);
}
/** Extra capacity of a recycled buffer beyond what the append needed. */
const RECYCLE_SLACK = 64 * 1024;
