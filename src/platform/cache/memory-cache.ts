import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.js';

/** In-process LRU cache for embedded mode (one process, so invalidation is local). */
export class MemoryCache implements Cache {
  private readonly values: LRUCache<string, { v: unknown }>;
  /** Invalidation counters per key, kept longer than values so in-flight loads can be checked. */
  private readonly versions: LRUCache<string, number>;
  private clock = 0;

  constructor(maxEntries: number) {
    this.values = new LRUCache({ max: Math.max(1, maxEntries), ttlAutopurge: false });
    this.versions = new LRUCache({ max: Math.max(1, maxEntries) * 4 });
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.values.get(key)?.v as T | undefined;
  }

  peek<T>(key: string): T | undefined {
    return this.values.get(key)?.v as T | undefined;
  }

  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.values.get(key);
    if (hit) return hit.v as T;
    const before = this.versions.get(key);
    const value = await load();
    if (this.versions.get(key) === before) this.values.set(key, { v: value }, { ttl: ttlMs });
    return value;
  }

  async getOrLoadMany<T>(
    keys: readonly string[],
    ttlMs: number,
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const missing: string[] = [];
    const before = new Map<string, number | undefined>();
    for (const key of keys) {
      const hit = this.values.get(key);
      if (hit) out.set(key, hit.v as T);
      else {
        missing.push(key);
        before.set(key, this.versions.get(key));
      }
    }
    if (missing.length === 0) return out;
    for (const [key, value] of await load(missing)) {
      out.set(key, value);
      if (this.versions.get(key) === before.get(key)) this.values.set(key, { v: value }, { ttl: ttlMs });
    }
    return out;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.values.set(key, { v: value }, { ttl: ttlMs });
  }

  async invalidate(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.values.delete(key);
      this.versions.set(key, ++this.clock);
    }
  }

  async close(): Promise<void> {
    this.values.clear();
  }
}
