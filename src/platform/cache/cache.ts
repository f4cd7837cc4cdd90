/**
 * Read-through cache port. Values are JSON-serialisable. `getOrLoad` never stores a value loaded before
 * an invalidation of the same key that happened while it was loading, so a write followed by
 * `invalidate` is never undone by a slow reader filling the cache with what it read before the write.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * The value this node holds for `key` when it can vouch for it without a round trip (a hit that
   * getOrLoad would return as it is); undefined when it holds none or cannot vouch (then call getOrLoad).
   * A cached `null` is returned as null.
   */
  peek<T>(key: string): T | undefined;
  /** Returns the cached value, or loads, stores (for ttlMs) and returns it. */
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /**
   * getOrLoad for many keys at once: one round trip for the lookups, one `load` call for all the
   * misses (it returns what it found; keys it leaves out are not cached), each fill guarded as above.
   */
  getOrLoadMany<T>(
    keys: readonly string[],
    ttlMs: number,
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>>;
  /** Stores a value unconditionally. */
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /** Drops keys everywhere this cache is shared (every API node in services mode). */
  invalidate(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}
