/**
 * What commands can give a Redis 7.0 server of a dataset, for comparing a server fed an AOF or
 * RESP commands with the dataset they were written from. Each item is Redis's own behaviour,
 * not a writer's choice:
 * - keys and hash fields past their time are gone (a loaded PEXPIREAT keeps them until the
 *   server expires them; the source keeps them too);
 * - a −0 score is 0: 7.0's ZADD stores a whole-number score as an integer in a listpack;
 * - a stream's length is its number of entries (a file may record another; no command sets
 *   it), and an empty stream's first ID is 0-0 (7.0 derives MAX-MAX for an old empty one);
 * - pending entries whose stream entry was deleted are gone, with the consumers that owned
 *   nothing else: XCLAIM ignores such entries (the writers count them in their notes).
 */
import type { Dataset } from '../../src/dataset/dataset.js';
import { MIN_STREAM_ID } from '../../src/dataset/stream-id.js';

/** Changes `ds` in place (see the module notes); returns what was lost of its streams. */
export function asCommandsCarryIt(ds: Dataset, nowMs: number): { deletedPending: number; lostConsumers: number } {
  ds.dropExpired(nowMs);
  let deletedPending = 0;
  let lostConsumers = 0;
  for (const index of ds.dbIndexes()) {
    for (const [, v] of ds.peekDb(index)!.values) {
      if (typeof v === 'string') continue;
      if (v.type === 'zset') {
        for (const [m, s] of [...v.entries()]) {
          if (!Object.is(s, -0)) continue;
          v.delete(m);
          v.set(m, 0);
        }
      } else if (v.type === 'stream') {
        v.length = v.entryCount;
        if (v.entryCount === 0) v.firstId = MIN_STREAM_ID;
        for (const g of v.groups.values()) {
          for (const [name, c] of [...g.consumers]) {
            if (c.pending.size === 0) continue;
            for (const id of [...c.pending]) {
              if (v.indexOf(id) >= 0) continue;
              g.deletePending(id);
              deletedPending++;
            }
            if (c.pending.size === 0) {
              g.consumers.delete(name);
              lostConsumers++;
            }
          }
        }
      }
    }
  }
  return { deletedPending, lostConsumers };
}
