/**
 * How the hash commands see a field whose TTL has passed while a file loads. Nothing is ever
 * deleted while loading, but the two servers differ in what their commands read:
 *
 * - Redis 7.4/8.x (`'redis'`, the default): a field past its TTL is still stored, yet a
 *   command that reads its value (HGET, HEXISTS, HINCRBY, HSETNX, HSETEX FNX/FXX, HGETDEL,
 *   HGETEX …) finds it expired, as `hashTypeGetValue` answers GETF_EXPIRED when
 *   `server.loading` instead of deleting it; iterations (HGETALL, HKEYS, HVALS) skip it, and
 *   HPERSIST and the TTL reads answer "no such field". HLEN and HDEL count it.
 * - Valkey 9 (`'valkey'`): while loading its expiration policy is "ignore expiry", so every
 *   stored field is seen as it is.
 *
 * "Past" means an expiry below the replay's clock (`CommandContext.now`), which stands for
 * the time the server loads the file.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { HashValue } from '../../dataset/hash.js';
import type { CommandContext } from '../context.js';

/** Which server's reading of expired fields the replay follows. */
export type HashFieldExpiryView = 'redis' | 'valkey';

const STATE_KEY = 'hashes.fieldExpiryView';

/** Chooses how expired fields are read (default `'redis'`); an embedder that knows the input came from Valkey sets `'valkey'`. */
export function setHashFieldExpiryView(c: CommandContext, view: HashFieldExpiryView): void {
  c.state.set(STATE_KEY, view);
}

/** True when expired fields are read as they are stored (Valkey while loading). */
export function seesExpiredFields(c: CommandContext): boolean {
  return c.state.get(STATE_KEY) === 'valkey';
}

/**
 * The field's value as a reading command sees it, or undefined when it is absent or (Redis
 * view) past its TTL. Costs nothing extra for a hash without field TTLs.
 */
export function liveValue(c: CommandContext, h: HashValue, field: ByteString): ByteString | undefined {
  const v = h.get(field);
  if (v === undefined || h.volatileFields === 0) return v;
  const at = h.fieldExpire(field);
  if (at === null || at >= c.now() || seesExpiredFields(c)) return v;
  return undefined;
}

/** True when a stored field counts as expired for the commands that read it (see {@link liveValue}). */
export function isExpiredField(c: CommandContext, h: HashValue, field: ByteString): boolean {
  if (h.volatileFields === 0) return false;
  const at = h.fieldExpire(field);
  return at !== null && at < c.now() && !seesExpiredFields(c);
}
