/**
 * What tests need to run a real redis-server: the shared harness from
 * `scripts/lib/redis-server.ts` (STYLE §2.12) and its RESP client, plus
 * {@link requireRedisServer} for the "fail in CI, skip locally" rule.
 *
 * ```ts
 * const bin = requireRedisServer();
 * describe.skipIf(!bin)('round trip', () => { … startRedis({ rdbFile }) … });
 * ```
 */
import { findRedisServer, REDIS_INSTALL_HINT } from '../../scripts/lib/redis-server.js';

export {
  findExecutable,
  findFreePort,
  findRedisServer,
  REDIS_INSTALL_HINT,
  RedisStartError,
  startRedis,
  type RedisHandle,
  type StartRedisOptions,
} from '../../scripts/lib/redis-server.js';
export { asArray, asBuffer, asNumber, asText, RespClient, RespError, type RespValue } from '../../scripts/lib/resp-client.js';

/** True when the `CI` environment variable is set to anything but `false`/`0`. */
export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Locates `redis-server` for a test that needs one.
 * @returns its path, or `null` (after printing a visible notice) when it is missing
 *   locally, so the caller can skip.
 * @throws Error when it is missing and `CI` is set: in CI these tests must run.
 */
export function requireRedisServer(): string | null {
  const bin = findRedisServer();
  if (bin) return bin;
  if (isCi()) throw new Error(`${REDIS_INSTALL_HINT} It is required when CI is set.`);
  console.warn(`\n[rdbtool tests] SKIPPING tests that need a real server: ${REDIS_INSTALL_HINT}\n`);
  return null;
}
