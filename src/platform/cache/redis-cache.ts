import type { Redis } from 'ioredis';
import type { Cache } from './cache.js';

// Fill only if no invalidation bumped the key's version since the reader looked.
const FILL = `
local v = redis.call('GET', KEYS[2])
if (v or '0') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** How long a key's version outlives its last invalidation; far longer than any load. */
const VERSION_TTL_MS = 24 * 3600 * 1000;

/**
 * Cache kept in Redis and shared by every API node: there is no per-node copy, so an invalidation on
 * one node is seen by the next read on any node.
 */
export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(key: string): string {
    return `${this.prefix}c:${key}`;
  }
  private v(key: string): string {
    return `${this.prefix}cv:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.k(key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const [raw, version] = await this.redis.mget(this.k(key), this.v(key));
    if (raw !== null && raw !== undefined) return JSON.parse(raw) as T;
    const value = await load();
    await this.redis.eval(
      FILL,
      2,
      this.k(key),
      this.v(key),
      version ?? '0',
      JSON.stringify(value),
      Math.max(1, ttlMs),
    );
    return value;
  }

  async getOrLoadMany<T>(
    keys: readonly string[],
    ttlMs: number,
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (keys.length === 0) return out;
    const raw = await this.redis.mget(...keys.map((k) => this.k(k)), ...keys.map((k) => this.v(k)));
    const missing: string[] = [];
    const versions = new Map<string, string>();
    keys.forEach((key, i) => {
      const value = raw[i];
      if (value !== null && value !== undefined) out.set(key, JSON.parse(value) as T);
      else {
        missing.push(key);
        versions.set(key, raw[keys.length + i] ?? '0');
      }
    });
    if (missing.length === 0) return out;
    const loaded = await load(missing);
    const fill = this.redis.pipeline();
    for (const [key, value] of loaded) {
      out.set(key, value);
      fill.eval(
        FILL,
        2,
        this.k(key),
        this.v(key),
        versions.get(key) ?? '0',
        JSON.stringify(value),
        Math.max(1, ttlMs),
      );
    }
    if (loaded.size > 0) await fill.exec();
    return out;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.redis.set(this.k(key), JSON.stringify(value), 'PX', Math.max(1, ttlMs));
  }

  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const tx = this.redis.multi();
    for (const key of keys) {
      tx.incr(this.v(key));
      tx.pexpire(this.v(key), VERSION_TTL_MS);
      tx.del(this.k(key));
    }
    await tx.exec();
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the composition root.
  }
}
