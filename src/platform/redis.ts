import { Redis } from 'ioredis';

/** A Redis connection that fails commands fast while disconnected instead of queueing them forever. */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    lazyConnect: false,
  });
}
