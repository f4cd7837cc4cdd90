import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/platform/cache/cache.js';
import { MemoryCache } from '../../src/platform/cache/memory-cache.js';
import { RedisCache } from '../../src/platform/cache/redis-cache.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { eventually } from '../helpers/app.js';
import { servicesUrls, testMode } from '../helpers/mode.js';

const quiet = createLogger({ logLevel: 'silent' });

/** Waits until both nodes' subscribers listen (a node reads from Redis every time until then). */
async function subscribed(redis: Redis, prefix: string): Promise<void> {
  const channel = `${prefix}cache:invalidate`;
  await eventually(async () => ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1] === 2);
}

type Variant = 'memory' | 'redis, checked copies' | 'redis, copies kept by pub/sub';
type Nodes = { a: Cache; b: Cache; redis?: Redis; subB?: Redis; prefix?: string; close: () => Promise<void> };

/**
 * Two API nodes' caches: one process's LRU (embedded), or separate connections to one Redis (services),
 * each node with a copy checked against Redis on every read, or kept current by invalidation messages.
 */
async function twoNodes(variant: Variant): Promise<Nodes> {
  if (variant === 'memory') {
    const cache = new MemoryCache(1000);
    return { a: cache, b: cache, close: () => cache.close() };
  }
  const { redisUrl } = servicesUrls();
  const prefix = `t:${randomBytes(5).toString('hex')}:`;
  const ra = createRedis(redisUrl, quiet);
  const rb = createRedis(redisUrl, quiet);
  const subs =
    variant === 'redis, copies kept by pub/sub'
      ? [createRedis(redisUrl, quiet), createRedis(redisUrl, quiet)]
      : [];
  const a = new RedisCache(ra, prefix, { subscriber: subs[0] });
  const b = new RedisCache(rb, prefix, { subscriber: subs[1] });
  // Both nodes subscribed before the tests start (until then a node reads from Redis every time).
  if (subs.length) await subscribed(ra, prefix);
  return {
    a,
    b,
    redis: ra,
    subB: subs[1],
    prefix,
    close: async () => {
      const keys = await ra.keys(`${prefix}*`);
      if (keys.length) await ra.del(...keys);
      for (const c of [ra, rb, ...subs]) c.disconnect();
    },
  };
}

const variants: Variant[] =
  testMode() === 'embedded' ? ['memory'] : ['redis, checked copies', 'redis, copies kept by pub/sub'];

describe.each(variants)(`cache (%s)`, (variant) => {
  let nodes: Nodes;
  beforeAll(async () => {
    nodes = await twoNodes(variant);
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
    // Long enough that a loaded machine still reads the entry back before it ends; then it must end
    // on both nodes, the writer's copy included, within a bounded wait.
    const ttl = 500;
    const setAt = Date.now();
    await nodes.a.set('ttl', 'v', ttl);
    const present = await nodes.a.get('ttl');
    if (Date.now() - setAt < ttl) expect(present).toBe('v');
    await new Promise((r) => setTimeout(r, ttl));
    await eventually(async () => (await nodes.a.get('ttl')) === undefined, 2_000);
    expect(await nodes.b.get('ttl')).toBeUndefined();
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

  it('peek answers only what the node can vouch for without a round trip', async () => {
    expect(nodes.b.peek('peek:1')).toBeUndefined();
    await nodes.b.getOrLoad('peek:1', 60_000, async () => ({ n: 1 }));
    await nodes.b.getOrLoad('peek:none', 60_000, async () => null);
    // A copy kept current by invalidation messages is vouched for; a copy checked in Redis on every read
    // is not (a change might have happened behind it), so peek sends the caller to getOrLoad.
    const vouches = variant !== 'redis, checked copies';
    expect(nodes.b.peek('peek:1')).toEqual(vouches ? { n: 1 } : undefined);
    expect(nodes.b.peek('peek:none')).toBe(vouches ? null : undefined);
    await nodes.a.invalidate('peek:1', 'peek:none');
    expect(nodes.b.peek('peek:1')).toBeUndefined();
    expect(nodes.b.peek('peek:none')).toBeUndefined();
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

// Services mode only (skipped embedded, where there is one process and no Redis): what a node does with
// its copies depends on its Redis subscriber.
describe.runIf(testMode() === 'services')('cache (redis, copies kept by pub/sub): the copies', () => {
  let nodes: Nodes;
  beforeAll(async () => {
    nodes = await twoNodes('redis, copies kept by pub/sub');
  });
  afterAll(async () => {
    await nodes.close();
  });

  it('serves a key it holds from memory, until another node invalidates it', async () => {
    const redis = nodes.redis!;
    expect(await nodes.b.getOrLoad('near:1', 60_000, async () => 'v1')).toBe('v1');
    // Gone from Redis behind the cache's back (no version bump, no message): node B still answers from
    // its copy, which shows it did not ask Redis.
    await redis.del(`${nodes.prefix}c:near:1`);
    expect(await nodes.b.getOrLoad('near:1', 60_000, async () => 'reloaded')).toBe('v1');
    expect(await nodes.b.get('near:1')).toBe('v1');
    // An invalidation on node A has reached node B by the time it resolves.
    await nodes.a.invalidate('near:1');
    expect(await nodes.b.getOrLoad('near:1', 60_000, async () => 'v2')).toBe('v2');
  });

  it('a node whose subscriber is down reads from Redis, and starts afresh when it is back', async () => {
    const redis = nodes.redis!;
    await nodes.b.set('near:2', 'v1', 60_000);
    expect(await nodes.b.get('near:2')).toBe('v1');
    nodes.subB!.disconnect(true);
    await eventually(async () => nodes.subB!.status !== 'ready');
    // Nothing is vouched for while invalidations may be missed.
    expect(nodes.b.peek('near:2')).toBeUndefined();
    // A change node B is not told about: with its subscriber down it still sees it.
    await redis.set(`${nodes.prefix}c:near:2`, JSON.stringify('v2'));
    await redis.incr(`${nodes.prefix}cv:near:2`);
    expect(await nodes.b.get('near:2')).toBe('v2');
    // Back (ioredis reconnects): resubscribed, and invalidations reach it again.
    await subscribed(redis, nodes.prefix!);
    expect(await nodes.b.get('near:2')).toBe('v2');
    await nodes.a.set('near:2', 'v3', 60_000);
    expect(await nodes.b.get('near:2')).toBe('v3');
  });
});
