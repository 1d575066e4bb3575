/**
 * The HyperLogLog commands: PFADD, PFCOUNT, PFMERGE and PFDEBUG, byte for byte as Redis 7.0
 * keeps the value (hyperloglog.c; the same from 5.0 to 8.x and in Valkey). A HyperLogLog is a
 * string value; see `../hll/layout.ts` for its bytes.
 *
 * What reaches an AOF: PFADD and PFMERGE when they changed the value; PFCOUNT of one key when
 * it recomputed a stale cached cardinality (the value changed: the cache is in its header);
 * PFDEBUG GETREG and TODENSE when they turned a sparse value dense. PFCOUNT of several keys
 * changes nothing.
 *
 * Differences of older servers (the replay follows 7.0): up to 4.0, PFMERGE always left a
 * dense destination (since 5.0 it stays sparse unless an input, the destination included, is
 * dense or the union outgrows the sparse limit) and PFCOUNT cached another estimate (see
 * `../hll/estimate.ts`); 2.8.9 kept the stale bit in another header byte.
 *
 * `hll-sparse-max-bytes` is not in an AOF: the replay assumes Redis's default, 3000, unless
 * {@link setHllSparseMaxBytes} says otherwise.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, CommandError } from '../errors.js';
import { word } from '../args.js';
import { OK, StatusReply, type Reply } from '../reply.js';
import { HllBuffer } from '../hll/buffer.js';
import { cacheValid, denseGet, HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE_MAX_BYTES_DEFAULT, invalidateCache, isHllString, readCard, writeCard } from '../hll/layout.js';
import { sparseDecodeText, sparseSet, sparseToDense } from '../hll/sparse.js';
import { addElement, countOf, densePack, mergeInto } from '../hll/value-ops.js';
import { estimateFromHistogram, rawHistogram } from '../hll/estimate.js';

/** A string that is not a HyperLogLog, as Redis refuses it. */
export const NOT_HLL = new CommandError('wrongtype', 'WRONGTYPE Key is not a valid HyperLogLog string value.');
/** A sparse HyperLogLog whose opcodes do not cover its registers. */
export const INVALID_HLL = new CommandError('wrongtype', 'INVALIDOBJ Corrupted HLL object detected');

const STATE_KEY = 'hyperloglog';

/** What the family keeps in `CommandContext.state`. */
interface HllState {
  sparseMaxBytes: number;
}

/**
 * Sets the `hll-sparse-max-bytes` the replay assumes (the server's configuration, which the
 * AOF does not record; Redis's default is 3000).
 */
export function setHllSparseMaxBytes(c: CommandContext, bytes: number): void {
  c.state.set(STATE_KEY, { sparseMaxBytes: bytes } satisfies HllState);
}

function sparseMaxBytes(c: CommandContext): number {
  return (c.state.get(STATE_KEY) as HllState | undefined)?.sparseMaxBytes ?? HLL_SPARSE_MAX_BYTES_DEFAULT;
}

// Working buffers: the value being changed, a source being read, the union of registers.
const work = new HllBuffer();
const source = new HllBuffer();
const union = new Uint8Array(HLL_REGISTERS);
const histo = new Int32Array(64);

/** The key's HyperLogLog, or undefined when absent. @throws CommandError WRONGTYPE. */
function hllAt(c: CommandContext, key: ByteString): ByteString | undefined {
  const v = c.string(key);
  if (v !== undefined && !isHllString(v)) throw NOT_HLL;
  return v;
}

/** Stores the working value under `key` (keeping its expiry when it existed). */
function store(c: CommandContext, key: ByteString): void {
  c.db.set(key, work.toByteString());
}

/** Raises `union` to every existing key of `keys`; true when one of them is dense. */
function unionOf(c: CommandContext, argv: ByteString[], from: number): boolean {
  union.fill(0);
  let dense = false;
  for (let j = from; j < argv.length; j++) {
    const v = hllAt(c, argv[j]);
    if (v === undefined) continue;
    source.load(v);
    if (source.encoding === HLL_DENSE) dense = true;
    if (!mergeInto(union, source)) throw INVALID_HLL;
  }
  return dense;
}

export const hyperloglogCommands: CommandTable = {
  pfadd: {
    arity: -2,
    run(c, argv) {
      const key = argv[1];
      const v = hllAt(c, key);
      let updated = 0;
      if (v === undefined) {
        work.loadEmpty();
        updated++;
      } else {
        work.load(v);
      }
      const max = sparseMaxBytes(c);
      for (let j = 2; j < argv.length; j++) {
        const r = addElement(work, argv[j], max);
        if (r === 1) updated++;
        else if (r === -1) {
          // Redis has changed the value in place for the elements before; it keeps those.
          if (updated > 0) store(c, key);
          throw INVALID_HLL;
        }
      }
      if (updated === 0) return 0;
      invalidateCache(work.bytes);
      store(c, key);
      return 1;
    },
  },
  pfcount: {
    arity: -2,
    run(c, argv) {
      if (argv.length > 2) {
        unionOf(c, argv, 1);
        histo.fill(0);
        rawHistogram(union, histo);
        return estimateFromHistogram(histo);
      }
      const key = argv[1];
      const v = hllAt(c, key);
      if (v === undefined) return 0;
      work.load(v);
      if (cacheValid(work.bytes)) return readCard(work.bytes);
      const card = countOf(work);
      if (card === null) throw INVALID_HLL;
      writeCard(work.bytes, card);
      store(c, key);
      return card;
    },
  },
  pfmerge: {
    arity: -2,
    run(c, argv) {
      const key = argv[1];
      // The destination's own registers take part, and it is checked first.
      const dense = unionOf(c, argv, 1);
      const v = c.get(key) as ByteString | undefined;
      if (v === undefined) work.loadEmpty();
      else work.load(v);
      if (dense && !sparseToDense(work)) throw INVALID_HLL;
      const max = sparseMaxBytes(c);
      for (let j = 0; j < HLL_REGISTERS; j++) {
        if (work.encoding === HLL_DENSE) {
          // Dense from the start or on the way: the union covers the value's own registers.
          densePack(work.bytes, union);
          break;
        }
        const r = union[j];
        if (r !== 0) sparseSet(work, j, r, max);
      }
      invalidateCache(work.bytes);
      store(c, key);
      return OK;
    },
  },
  pfdebug: {
    arity: 3,
    run(c, argv) {
      return pfdebug(c, argv);
    },
  },
};

/** PFDEBUG GETREG | DECODE | ENCODING | TODENSE key. */
function pfdebug(c: CommandContext, argv: ByteString[]): Reply {
  const sub = argv[1];
  const key = argv[2];
  const v = c.string(key);
  if (v === undefined) throw argError('The specified key does not exist');
  if (!isHllString(v)) throw NOT_HLL;
  work.load(v);
  switch (word(sub)) {
    case 'getreg': {
      if (work.encoding !== HLL_DENSE) {
        if (!sparseToDense(work)) throw INVALID_HLL;
        store(c, key);
      }
      const regs = new Array<Reply>(HLL_REGISTERS);
      for (let i = 0; i < HLL_REGISTERS; i++) regs[i] = denseGet(work.bytes, HLL_HDR_SIZE, i);
      return regs;
    }
    case 'decode':
      if (work.encoding === HLL_DENSE) throw argError('HLL encoding is not sparse');
      return sparseDecodeText(work.bytes, work.length);
    case 'encoding':
      return new StatusReply(work.encoding === HLL_DENSE ? 'dense' : 'sparse');
    case 'todense':
      if (work.encoding === HLL_DENSE) return 0;
      if (!sparseToDense(work)) throw INVALID_HLL;
      store(c, key);
      return 1;
    default:
      throw argError(`Unknown PFDEBUG subcommand '${sub}'`);
  }
}
