import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/platform/rate-limit/memory-rate-limiter.js';

const T0 = 1_700_000_000_000;
const limit = { points: 10, windowMs: 60_000 };

describe('MemoryRateLimiter (injected clock)', () => {
  it('admits exactly `points` hits in a window and refuses the next with the wait for one point', async () => {
    const rl = new MemoryRateLimiter();
    for (let i = 0; i < 10; i++) {
      const r = await rl.hit('k', limit, T0);
      expect(r).toMatchObject({ allowed: true, limit: 10, remaining: 9 - i });
    }
    const refused = await rl.hit('k', limit, T0 + 1000);
    expect(refused).toEqual({ allowed: false, limit: 10, remaining: 0, resetMs: 5000 });
    // Refused hits are not counted: still refused just before the point frees, admitted on it.
    expect((await rl.hit('k', limit, T0 + 5999)).allowed).toBe(false);
    expect(await rl.hit('k', limit, T0 + 6000)).toEqual({
      allowed: true,
      limit: 10,
      remaining: 0,
      resetMs: 6000,
    });
  });

  it('reports the time until the next point frees while points remain', async () => {
    const rl = new MemoryRateLimiter();
    const first = await rl.hit('k', limit, T0);
    expect(first).toEqual({ allowed: true, limit: 10, remaining: 9, resetMs: 6000 });
    const later = await rl.hit('k', limit, T0 + 4000);
    expect(later).toEqual({ allowed: true, limit: 10, remaining: 8, resetMs: 2000 });
  });

  it('recovers the full allowance after a window', async () => {
    const rl = new MemoryRateLimiter();
    for (let i = 0; i < 10; i++) await rl.hit('k', limit, T0);
    expect((await rl.hit('k', limit, T0)).allowed).toBe(false);
    let allowed = 0;
    for (let i = 0; i < 11; i++) if ((await rl.hit('k', limit, T0 + 60_000)).allowed) allowed++;
    expect(allowed).toBe(10);
  });

  it('under a steady stream admits a burst of `points`, then one per windowMs/points, never more', async () => {
    const rl = new MemoryRateLimiter();
    const admitted: number[] = [];
    for (let t = 0; t < 300_000; t += 250) if ((await rl.hit('k', limit, T0 + t)).allowed) admitted.push(t);
    const interval = limit.windowMs / limit.points;
    // GCRA's bound: any span of d ms holds at most points + floor(d / interval) admitted hits.
    for (let i = 0; i < admitted.length; i++)
      for (let j = i; j < admitted.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(
          limit.points + Math.floor((admitted[j]! - admitted[i]!) / interval),
        );
    // A stream faster than the refill reaches that bound exactly over the whole run.
    expect(admitted.length).toBe(limit.points + Math.floor((300_000 - 250) / interval));
  });

  it('keeps keys independent', async () => {
    const rl = new MemoryRateLimiter();
    for (let i = 0; i < 10; i++) await rl.hit('a', limit, T0);
    expect((await rl.hit('a', limit, T0)).allowed).toBe(false);
    expect(await rl.hit('b', limit, T0)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('stays exact when the window does not divide by the points', async () => {
    const rl = new MemoryRateLimiter();
    const odd = { points: 7, windowMs: 1000 };
    let allowed = 0;
    for (let i = 0; i < 8; i++) if ((await rl.hit('k', odd, T0)).allowed) allowed++;
    expect(allowed).toBe(7);
    const r = await rl.hit('k', odd, T0);
    expect(r.resetMs).toBe(143); // ceil(1000 / 7)
    expect((await rl.hit('k', odd, T0 + 142)).allowed).toBe(false);
    expect((await rl.hit('k', odd, T0 + 143)).allowed).toBe(true);
  });

  it('bounds memory: the least recently used key is evicted past maxKeys', async () => {
    const rl = new MemoryRateLimiter(2);
    const one = { points: 1, windowMs: 60_000 };
    await rl.hit('a', one, T0);
    await rl.hit('b', one, T0);
    await rl.hit('c', one, T0);
    expect((await rl.hit('c', one, T0)).allowed).toBe(false);
    expect((await rl.hit('a', one, T0)).allowed).toBe(true); // forgotten, so admitted again
  });

  it('rejects malformed limits', async () => {
    const rl = new MemoryRateLimiter();
    await expect(rl.hit('k', { points: 0, windowMs: 1000 })).rejects.toThrow(/points/);
    await expect(rl.hit('k', { points: 1, windowMs: 1.5 })).rejects.toThrow(/window/);
  });
});
