/**
 * What the list, set, hash and sorted set values share: their small form is one pack
 * (pack.ts), and a value loaded from an RDB blob may stay that blob until it is first read
 * (rdb-blob.ts). Each subclass keeps its own large form and takes the blob's elements into it
 * when the blob makes no pack.
 */
import type { ByteString } from './byte-string.js';
import { rdbBlobElements, rdbBlobPackCached, type RdbBlobElements } from './rdb-blob.js';

export abstract class PackedValue {
  /** The elements while small; null in the large form, and while the blob is kept. */
  protected pack: ByteString | null = '';
  /** Elements in the pack (the blob's count while the blob is kept). */
  protected n = 0;
  /**
   * The RDB blob (listpack, ziplist, intset or zipmap) the value was loaded from, while
   * nothing has changed it; `n` holds its count meanwhile, and `pack` is null.
   */
  protected raw: ByteString | null = null;
  protected rawType = 0;

  /** True while the value is still the RDB blob it was loaded from, unchanged (rdb-blob.ts). */
  get blobPending(): boolean {
    return this.raw !== null;
  }

  /**
   * Keeps the value as the RDB blob it was loaded from until first read: the blob's bytes, its
   * RDB type and its element count, checked by `checkRdbBlob` (what the RDB loader builds).
   */
  protected keepBlob(rdbType: number, raw: ByteString, count: number): this {
    this.pack = null;
    this.raw = raw;
    this.rawType = rdbType;
    this.n = count;
    return this;
  }

  /**
   * The pack a read goes through: the small form's, or — the value still kept as its blob —
   * the pack the blob makes, the value left as it is; null in the large form (which a blob
   * that makes no pack is turned into first).
   */
  protected readPack(): ByteString | null {
    if (this.raw !== null) {
      const p = rdbBlobPackCached(this.rawType, this.raw);
      if (p !== null) return p;
      this.expand();
    }
    return this.pack;
  }

  /** Turns the RDB blob the value was loaded from into its own form. */
  protected expand(): void {
    const raw = this.raw!;
    this.raw = null;
    // The pack straight from the blob when it fits one (the size is known already).
    const pack = rdbBlobPackCached(this.rawType, raw);
    if (pack !== null) {
      this.pack = pack;
      return;
    }
    this.takeElements(rdbBlobElements(this.rawType, raw));
  }

  /** Takes a blob's elements (in stored order) into the form they call for. */
  protected abstract takeElements(e: RdbBlobElements): void;

  /** Copies the pack and the kept blob into `out` (for a clone). */
  protected copyPackedInto(out: PackedValue): void {
    out.pack = this.pack;
    out.n = this.n;
    out.raw = this.raw;
    out.rawType = this.rawType;
  }
}
