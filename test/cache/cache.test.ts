import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/platform/cache/cache.js';
import { MemoryCache } from '../../src/platform/cache/memory-cache.js';
import { RedisCache } from '../../src/platform/cache/redis-cache.js';
import { createRedis } from '../../src/platform/redis.js';
import { servicesUrls, testMode } from '../helpers/mode.js';

/** Two API nodes' caches: separate connections to one Redis (services), or one process's LRU (embedded). */
async function twoNodes(): Promise<{ a: Cache; b: Cache; close: () => Promise<void> }> {
  if (testMode() === 'embedded') {
    const cache = new MemoryCache(1000);
    return { a: cache, b: cache, close: () => cache.close() };
  }
  const { redisUrl } = servicesUrls();
  const prefix = `t:${randomBytes(5).toString('hex')}:`;
  const ra = createRedis(redisUrl);
  const rb = createRedis(redisUrl);
  return {
    a: new RedisCache(ra, prefix),
    b: new RedisCache(rb, prefix),
    close: async () => {
      const keys = await ra.keys(`${prefix}*`);
      if (keys.length) await ra.del(...keys);
      ra.disconnect();
      rb.disconnect();
    },
  };
}

describe(`cache (${testMode()})`, () => {
  let nodes: Awaited<ReturnType<typeof twoNodes>>;
  beforeAll(async () => {
    nodes = await twoNodes();
  });
  afterAll(async () => {
    await nodes.close();
  });

  it('reads through once, then serves the cached value', async () => {
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await nodes.a.getOrLoad('k1', 60_000, load)).toEqual({ n: 1 });
    expect(await nodes.a.getOrLoad('k1', 60_000, load)).toEqual({ n: 1 });
    expect(await nodes.b.getOrLoad('k1', 60_000, load)).toEqual({ n: 1 });
    expect(loads).toBe(1);
  });

  it('expires entries after their TTL', async () => {
    await nodes.a.set('ttl', 'v', 50);
    expect(await nodes.a.get('ttl')).toBe('v');
    await new Promise((r) => setTimeout(r, 120));
    expect(await nodes.a.get('ttl')).toBeUndefined();
  });

  it('write-through on node A is never served stale from node B', async () => {
    // The "database": node A updates it and invalidates; node B reads through its cache.
    let row = { title: 'v0' };
    const load = async () => ({ ...row });
    expect(await nodes.b.getOrLoad('pin:1', 60_000, load)).toEqual({ title: 'v0' });
    for (let i = 1; i <= 20; i++) {
      row = { title: `v${i}` };
      await nodes.a.invalidate('pin:1');
      expect(await nodes.b.getOrLoad('pin:1', 60_000, load)).toEqual({ title: `v${i}` });
      expect(await nodes.a.getOrLoad('pin:1', 60_000, load)).toEqual({ title: `v${i}` });
    }
  });

  it('a slow reader that loaded before an invalidation does not put the old value back', async () => {
    let row = { title: 'old' };
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Node B starts loading, reads the old row, and stalls before filling the cache.
    const slow = nodes.b.getOrLoad('pin:2', 60_000, async () => {
      const seen = { ...row };
      await gate;
      return seen;
    });
    await new Promise((r) => setTimeout(r, 20));
    // Meanwhile node A writes and invalidates.
    row = { title: 'new' };
    await nodes.a.invalidate('pin:2');
    release();
    expect(await slow).toEqual({ title: 'old' });
    // The stale fill was refused: the next read on either node loads the new row.
    expect(await nodes.b.getOrLoad('pin:2', 60_000, async () => ({ ...row }))).toEqual({ title: 'new' });
    expect(await nodes.a.get('pin:2')).toEqual({ title: 'new' });
  });

  it('invalidates several keys at once', async () => {
    await nodes.a.set('x', 1, 60_000);
    await nodes.a.set('y', 2, 60_000);
    await nodes.b.invalidate('x', 'y');
    expect(await nodes.a.get('x')).toBeUndefined();
    expect(await nodes.a.get('y')).toBeUndefined();
  });

  it('reads many keys in one go, loading only the misses, and refuses stale fills', async () => {
    await nodes.a.set('m:1', { n: 1 }, 60_000);
    const asked: string[][] = [];
    let row3 = { n: 3 };
    const load = async (missing: string[]) => {
      asked.push(missing);
      const out = new Map<string, { n: number }>();
      for (const key of missing)
        if (key !== 'm:4') out.set(key, key === 'm:3' ? { ...row3 } : { n: Number(key.slice(2)) });
      return out;
    };
    const first = await nodes.b.getOrLoadMany(['m:1', 'm:2', 'm:3', 'm:4'], 60_000, load);
    expect(Object.fromEntries(first)).toEqual({ 'm:1': { n: 1 }, 'm:2': { n: 2 }, 'm:3': { n: 3 } });
    expect(asked).toEqual([['m:2', 'm:3', 'm:4']]);
    // Filled: the next read loads only what the loader left out.
    await nodes.a.getOrLoadMany(['m:2', 'm:3', 'm:4'], 60_000, load);
    expect(asked[1]).toEqual(['m:4']);
    // A write and invalidation during a slow load is not undone by the load's fill.
    await nodes.a.invalidate('m:3');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = nodes.b.getOrLoadMany(['m:3'], 60_000, async (missing) => {
      const seen = new Map(missing.map((k) => [k, { ...row3 }]));
      await gate;
      return seen;
    });
    await new Promise((r) => setTimeout(r, 20));
    row3 = { n: 33 };
    await nodes.a.invalidate('m:3');
    release();
    expect((await slow).get('m:3')).toEqual({ n: 3 });
    expect((await nodes.a.getOrLoadMany(['m:3'], 60_000, load)).get('m:3')).toEqual({ n: 33 });
  });
});
