import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { MemorySpendStore } from '../../src/platform/spend/memory-spend-store.js';
import { RedisSpendStore } from '../../src/platform/spend/redis-spend-store.js';
import type { SpendStore } from '../../src/platform/spend/spend-store.js';
import { servicesUrls, testMode } from '../helpers/mode.js';

/** Which adapter a suite runs on. */
export type SpendVariant = 'memory' | 'redis';

/**
 * The adapters to test: the in-process one always; the Redis one in services mode (the project's
 * embedded runs need no Redis; services runs require REDIS_URL and fail loudly without it).
 */
export const spendVariants: SpendVariant[] = testMode() === 'services' ? ['memory', 'redis'] : ['memory'];

/** Several API nodes' spend stores over one shared state, and a way to tear them down. */
export interface SpendNodes {
  readonly nodes: SpendStore[];
  /** The raw connection of the first node (redis only), to look at keys. */
  readonly redis?: Redis;
  /** The prefix this run's Redis keys carry. */
  readonly prefix: string;
  close(): Promise<void>;
}

/**
 * `count` nodes: one in-process store shared by all (embedded mode is one process), or `count` separate
 * Redis connections under a prefix unique to this run, whose keys are deleted at the end.
 */
export function spendNodes(variant: SpendVariant, count: number): SpendNodes {
  const prefix = `t:${randomBytes(5).toString('hex')}:`;
  if (variant === 'memory') {
    const store = new MemorySpendStore();
    return { nodes: Array.from({ length: count }, () => store), prefix, close: () => store.close() };
  }
  const { redisUrl } = servicesUrls();
  const quiet = createLogger({ logLevel: 'silent' });
  const conns = Array.from({ length: count }, () => createRedis(redisUrl, quiet));
  return {
    nodes: conns.map((c) => new RedisSpendStore(c, prefix)),
    redis: conns[0],
    prefix,
    close: async () => {
      const keys = await conns[0]!.keys(`${prefix}*`);
      if (keys.length) await conns[0]!.del(...keys);
      for (const c of conns) c.disconnect();
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
