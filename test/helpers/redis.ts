/**
 * What tests need to run a real redis-server: the shared harness from
 * `scripts/lib/redis-server.ts` (STYLE §2.12) and its RESP client, plus
 * {@link requireRedisServer}: a real server is the oracle, so tests that need one fail with
 * an install hint when it is missing (never skip).
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

/**
 * Locates `redis-server` for a test that needs one.
 * @throws Error naming the package to install when it is missing.
 */
export function requireRedisServer(): string {
  const bin = findRedisServer();
  if (bin) return bin;
  throw new Error(REDIS_INSTALL_HINT);
}
