import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
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

// For each key: its current version, and its value (with its remaining TTL) only when the caller's copy
// has another version.
// KEYS = value keys then version keys; ARGV = the caller's versions ('' for none).
const READ = `
local n = #ARGV
local out = {}
for i = 1, n do
  local v = redis.call('GET', KEYS[n + i]) or '0'
  if v == ARGV[i] then
    out[i] = {v}
  else
    out[i] = {v, redis.call('GET', KEYS[i]), redis.call('PTTL', KEYS[i])}
  end
end
return out
`;

/** How long a node keeps a copy it read from Redis (it is still checked against the version each read). */
const LOCAL_TTL_MS = 60_000;

/** How long a key's version outlives its last invalidation; far longer than any load or local copy. */
const VERSION_TTL_MS = 24 * 3600 * 1000;

type Local = { version: string; value: unknown };
type Scripts = {
  corkboardCacheRead(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  corkboardCacheFill(...args: (string | number)[]): Promise<unknown>;
};
type ReadReply = [version: string, value?: string | null, pttl?: number][];

/**
 * Cache kept in Redis and shared by every API node, with a per-node copy that is checked on every read:
 * one round trip asks Redis for each key's version and sends the value only when this node's copy is
 * of another version. So an invalidation on one node (which bumps the version) is seen by the next read
 * on any node, while unchanged values cost Redis a few bytes instead of the whole value.
 */
export class RedisCache implements Cache {
  private readonly local: LRUCache<string, Local>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    localEntries = 10_000,
  ) {
    this.local = new LRUCache({ max: Math.max(1, localEntries) });
    // Scripts run by SHA (EVALSHA, loaded once) rather than sent in full with every call.
    redis.defineCommand('corkboardCacheRead', { lua: READ });
    redis.defineCommand('corkboardCacheFill', { lua: FILL, numberOfKeys: 2 });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  private k(key: string): string {
    return `${this.prefix}c:${key}`;
  }
  private v(key: string): string {
    return `${this.prefix}cv:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const found = await this.read([key]);
    return found.get(key)?.value as T | undefined;
  }

  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const found = await this.getOrLoadMany<T>([key], ttlMs, async () => new Map([[key, await load()]]));
    return found.get(key) as T;
  }

  async getOrLoadMany<T>(
    keys: readonly string[],
    ttlMs: number,
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (keys.length === 0) return out;
    const found = await this.read(keys);
    const missing: string[] = [];
    const versions = new Map<string, string>();
    for (const key of keys) {
      const f = found.get(key)!;
      if ('value' in f) out.set(key, f.value as T);
      else {
        missing.push(key);
        versions.set(key, f.version);
      }
    }
    if (missing.length === 0) return out;
    const loaded = await load(missing);
    const fill = this.redis.pipeline();
    const filled: [string, T][] = [];
    for (const [key, value] of loaded) {
      out.set(key, value);
      (fill as unknown as Scripts).corkboardCacheFill(
        this.k(key),
        this.v(key),
        versions.get(key) ?? '0',
        JSON.stringify(value),
        Math.max(1, ttlMs),
      );
      filled.push([key, value]);
    }
    if (filled.length === 0) return out;
    const results = (await fill.exec()) ?? [];
    filled.forEach(([key, value], i) => {
      if (results[i]?.[1] === 1)
        this.local.set(key, { version: versions.get(key) ?? '0', value }, { ttl: ttlMs });
    });
    return out;
  }

  /** Current values (local when its version is current), or just the version where Redis has none. */
  private async read(keys: readonly string[]): Promise<Map<string, { version: string; value?: unknown }>> {
    const mine = keys.map((key) => this.local.get(key));
    const reply = (await this.scripts.corkboardCacheRead(
      keys.length * 2,
      ...keys.map((key) => this.k(key)),
      ...keys.map((key) => this.v(key)),
      ...mine.map((l) => l?.version ?? ''),
    )) as ReadReply;
    const out = new Map<string, { version: string; value?: unknown }>();
    keys.forEach((key, i) => {
      const [version, raw, pttl] = reply[i] ?? ['0'];
      const local = mine[i];
      if (local && local.version === version && raw === undefined) {
        out.set(key, { version, value: local.value });
      } else if (typeof raw === 'string') {
        const value: unknown = JSON.parse(raw);
        // Never longer than Redis keeps the value.
        const ttl = typeof pttl === 'number' && pttl > 0 ? Math.min(pttl, LOCAL_TTL_MS) : LOCAL_TTL_MS;
        this.local.set(key, { version, value }, { ttl });
        out.set(key, { version, value });
      } else {
        this.local.delete(key);
        out.set(key, { version });
      }
    });
    return out;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    // A new version, so other nodes drop their copies.
    this.local.delete(key);
    await this.redis
      .multi()
      .incr(this.v(key))
      .pexpire(this.v(key), VERSION_TTL_MS)
      .set(this.k(key), JSON.stringify(value), 'PX', Math.max(1, ttlMs))
      .exec();
  }

  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const tx = this.redis.multi();
    for (const key of keys) {
      tx.incr(this.v(key));
      tx.pexpire(this.v(key), VERSION_TTL_MS);
      tx.del(this.k(key));
      this.local.delete(key);
    }
    await tx.exec();
  }

  async close(): Promise<void> {
    this.local.clear();
  }
}
