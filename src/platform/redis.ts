import { Redis } from 'ioredis';
import { connectionWarning, type Logger } from './logger.js';

/**
 * A Redis connection that fails commands fast while disconnected instead of queueing them forever.
 * ioredis reconnects by itself; its `error` events are logged here (connectionWarning: at most one
 * line a second per connection) rather than printed to the console by ioredis for want of a listener.
 */
export function createRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    lazyConnect: false,
    // Commands issued in the same tick of the event loop (requests served side by side) go out in one
    // write: one system call, not one each.
    enableAutoPipelining: true,
  });
  redis.on('error', connectionWarning(log, 'redis connection error; reconnecting'));
  return redis;
}

/**
 * Whether an error means Redis could not be reached: ioredis gave up on a command after its retries
 * (`MaxRetriesPerRequestError`), or the connection closed under it. A request that meets one is told
 * 503; ioredis reconnects by itself, so the next request after Redis is back succeeds.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as { name?: unknown; message?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return typeof e.message === 'string' && /^(Connection is closed|Stream isn't writeable)/.test(e.message);
}
