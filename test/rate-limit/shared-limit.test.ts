import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { MemoryRateLimiter } from '../../src/platform/rate-limit/memory-rate-limiter.js';
import type { RateLimiter } from '../../src/platform/rate-limit/rate-limiter.js';
import { RedisRateLimiter } from '../../src/platform/rate-limit/redis-rate-limiter.js';
import { createRedis } from '../../src/platform/redis.js';
import { servicesUrls, testMode } from '../helpers/mode.js';

const quiet = createLogger({ logLevel: 'silent' });

/** Two API nodes' limiters: separate connections to one Redis (services), or one in-process limiter. */
async function twoNodes(): Promise<{
  a: RateLimiter;
  b: RateLimiter;
  redis?: Redis;
  prefix: string;
  close: () => Promise<void>;
}> {
  const prefix = `t:${randomBytes(5).toString('hex')}:`;
  if (testMode() === 'embedded') {
    const rl = new MemoryRateLimiter();
    return { a: rl, b: rl, prefix, close: () => rl.close() };
  }
  const { redisUrl } = servicesUrls();
  const ra = createRedis(redisUrl, quiet);
  const rb = createRedis(redisUrl, quiet);
  return {
    a: new RedisRateLimiter(ra, prefix),
    b: new RedisRateLimiter(rb, prefix),
    redis: ra,
    prefix,
    close: async () => {
      const keys = await ra.keys(`${prefix}*`);
      if (keys.length) await ra.del(...keys);
      ra.disconnect();
      rb.disconnect();
    },
  };
}

const count = (rs: { allowed: boolean }[]) => rs.filter((r) => r.allowed).length;

describe(`shared rate limit (${testMode()})`, () => {
  let nodes: Awaited<ReturnType<typeof twoNodes>>;
  beforeAll(async () => {
    nodes = await twoNodes();
  });
  afterAll(async () => {
    await nodes.close();
  });

  it('two nodes share one limit: 6 + 6 hits against 10 points admit exactly 10', async () => {
    const limit = { points: 10, windowMs: 60_000 };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await nodes.a.hit('seq', limit));
    for (let i = 0; i < 6; i++) results.push(await nodes.b.hit('seq', limit));
    expect(results.map((r) => r.allowed)).toEqual([...Array(10).fill(true), false, false]);
    expect(results.map((r) => r.remaining).slice(0, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const refused = results[11]!;
    expect(refused.resetMs).toBeGreaterThan(5000);
    expect(refused.resetMs).toBeLessThanOrEqual(6000);
  });

  it('concurrent hits on both nodes admit exactly the limit', async () => {
    const limit = { points: 20, windowMs: 60_000 };
    const hits = Array.from({ length: 50 }, (_, i) => (i % 2 ? nodes.a : nodes.b).hit('burst', limit));
    const results = await Promise.all(hits);
    expect(count(results)).toBe(20);
    expect(
      results
        .filter((r) => r.allowed)
        .map((r) => r.remaining)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a refund on one node gives one point back to both', async () => {
    const limit = { points: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) expect((await nodes.a.hit('refund', limit)).allowed).toBe(true);
    expect((await nodes.b.hit('refund', limit)).allowed).toBe(false);
    await nodes.a.refund('refund', limit);
    expect((await nodes.b.hit('refund', limit)).allowed).toBe(true);
    expect((await nodes.a.hit('refund', limit)).allowed).toBe(false);
    // Refunding more than was taken never goes past a full budget.
    for (let i = 0; i < 10; i++) await nodes.b.refund('refund', limit);
    expect(count(await Promise.all([1, 2, 3, 4].map(() => nodes.a.hit('refund', limit))))).toBe(3);
    await nodes.a.refund('never-hit', limit);
    expect((await nodes.a.hit('never-hit', limit)).remaining).toBe(2);
  });

  it('recovers after the window', async () => {
    const limit = { points: 3, windowMs: 150 };
    expect(count(await Promise.all([1, 2, 3, 4].map(() => nodes.a.hit('short', limit))))).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(count(await Promise.all([1, 2, 3, 4].map(() => nodes.b.hit('short', limit))))).toBe(3);
  });

  // Services mode only (skipped embedded): it checks the Redis keys' expiry; memory has no keys.
  it.runIf(testMode() === 'services')('keys expire on their own once drained', async () => {
    await nodes.a.hit('ttl', { points: 4, windowMs: 1000 });
    const ttl = await nodes.redis!.pttl(`${nodes.prefix}rl:ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(250);
  });
});

describe('RedisRateLimiter script loading', () => {
  it('falls back to EVAL when the script is not cached, and rethrows other errors', async () => {
    const calls: string[] = [];
    const stub = {
      evalsha: async () => {
        calls.push('evalsha');
        throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      },
      eval: async () => {
        calls.push('eval');
        return [1, 4, 200];
      },
    } as unknown as Redis;
    const rl = new RedisRateLimiter(stub, 'p:');
    expect(await rl.hit('k', { points: 5, windowMs: 1000 })).toEqual({
      allowed: true,
      limit: 5,
      remaining: 4,
      resetMs: 200,
    });
    expect(calls).toEqual(['evalsha', 'eval']);
    const broken = new RedisRateLimiter(
      { evalsha: async () => Promise.reject(new Error('LOADING')) } as unknown as Redis,
      'p:',
    );
    await expect(broken.hit('k', { points: 5, windowMs: 1000 })).rejects.toThrow('LOADING');
  });
});
