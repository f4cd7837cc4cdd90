import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/cli/seed/random.js';
import { ExpiryQueue } from '../../src/platform/spend/expiry-queue.js';
import { MemorySpendStore } from '../../src/platform/spend/memory-spend-store.js';
import { RedisSpendStore } from '../../src/platform/spend/redis-spend-store.js';
import type { ReserveResult } from '../../src/platform/spend/spend-store.js';
import { type SpendNodes, spendNodes, spendVariants } from './spend-nodes.js';

const DAY = 86_400_000;

function idOf(r: ReserveResult): string {
  if (!r.ok) throw new Error(`expected a reservation, got a refusal on ${r.fullKey}`);
  return r.reservationId;
}

describe('ExpiryQueue', () => {
  it('hands items out in expiry order, only once expired', () => {
    const random = new Random(7);
    const q = new ExpiryQueue<number>();
    const times = Array.from({ length: 500 }, () => random.int(1_000));
    for (const [i, t] of times.entries()) q.push(t, i);
    expect(q.popExpired(-1)).toBeUndefined();
    const out: number[] = [];
    for (let i = q.popExpired(499); i !== undefined; i = q.popExpired(499)) out.push(times[i]!);
    expect(out).toEqual(times.filter((t) => t <= 499).sort((x, y) => x - y));
    expect(q.size).toBe(times.filter((t) => t > 499).length);
  });
});

describe('MemorySpendStore on a given clock', () => {
  const caps = [{ key: 'k', cap: 1_000, retainMs: 2 * DAY }];

  it('gives an amount back exactly at its expiry, not a millisecond before', async () => {
    const store = new MemorySpendStore();
    const got = await store.reserve({ caps, amount: 1_000, ttlMs: 500, now: 10_000 });
    expect(got).toMatchObject({ ok: true, expiresAt: 10_500 });
    expect((await store.spent('k', 10_499)).reserved).toBe(1_000);
    expect((await store.spent('k', 10_500)).reserved).toBe(0);
    expect(await store.settle(idOf(got), 1_000, 10_500)).toMatchObject({ state: 'charged', charged: 1_000 });
  });

  it('forgets totals and reservations after their retention, never while a reservation is open', async () => {
    const store = new MemorySpendStore();
    const long = idOf(await store.reserve({ caps, amount: 100, ttlMs: 2 * DAY, now: 0 }));
    // A later, shorter retention does not shorten the key's: the open reservation keeps it.
    const short = [{ key: 'k', cap: 1_000, retainMs: 1_000 }];
    idOf(await store.reserve({ caps: short, amount: 200, ttlMs: 1_000, now: 10 }));
    expect(await store.spent('k', DAY)).toEqual({ settled: 0, reserved: 100, overdelivered: 0, cap: 1_000 });
    expect(await store.settle(long, 100, DAY)).toMatchObject({ state: 'charged' });
    expect((await store.spent('k', 2 * DAY - 1)).settled).toBe(100);
    expect(await store.spent('k', 4 * DAY)).toEqual({
      settled: 0,
      reserved: 0,
      overdelivered: 0,
      cap: undefined,
    });
    expect(await store.settle(long, 100, 4 * DAY)).toMatchObject({ settledNow: false, state: 'unknown' });
  });
});

describe('RedisSpendStore script loading', () => {
  it('falls back to EVAL when the script is not cached, and rethrows other errors', async () => {
    const calls: string[] = [];
    const stub = {
      evalsha: async () => {
        calls.push('evalsha');
        throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      },
      eval: async () => {
        calls.push('eval');
        return ['5', '0', '0', '10'];
      },
    };
    const store = new RedisSpendStore(stub as never, 'p:');
    expect(await store.spent('k')).toEqual({ settled: 5, reserved: 0, overdelivered: 0, cap: 10 });
    expect(calls).toEqual(['evalsha', 'eval']);
    const failing = {
      evalsha: async () => {
        throw new Error('READONLY You cannot write against a read only replica.');
      },
      eval: async () => [],
    };
    await expect(new RedisSpendStore(failing as never, 'p:').spent('k')).rejects.toThrow(/READONLY/);
  });
});

/** The store's connection, counting the script calls made through it. */
function countingScripts(redis: NonNullable<SpendNodes['redis']>) {
  let scripts = 0;
  const client = {
    evalsha: (...args: Parameters<typeof redis.evalsha>) => {
      scripts++;
      return redis.evalsha(...args);
    },
    eval: (...args: Parameters<typeof redis.eval>) => {
      scripts++;
      return redis.eval(...args);
    },
  };
  return {
    client: client as never,
    get scripts() {
      return scripts;
    },
    reset() {
      scripts = 0;
    },
  };
}

// What the Redis keys look like: in services runs (embedded runs have no Redis, so no such suite).
const redisOnly = spendVariants.filter((v) => v === 'redis');
describe.each(redisOnly)('RedisSpendStore keys (%s)', () => {
  let run: SpendNodes;
  beforeAll(() => {
    run = spendNodes('redis', 1);
  });
  afterAll(async () => {
    await run.close();
  });

  it('keys carry their retention, never shortened, and settled reservations leave nothing on the key', async () => {
    const redis = run.redis!;
    const store = run.nodes[0]!;
    const h = `${run.prefix}sp:k:ttl-k`;
    const x = `${run.prefix}sp:x:ttl-k`;
    const id = idOf(await store.reserve({ caps: [{ key: 'ttl-k', cap: 1_000 }], amount: 10, ttlMs: 60_000 }));
    const r = `${run.prefix}sp:r:${id.slice(0, 16)}`;
    for (const k of [h, x, r]) {
      expect(await redis.pttl(k)).toBeGreaterThan(4 * DAY - 60_000);
      expect(await redis.pttl(k)).toBeLessThanOrEqual(4 * DAY);
    }
    await store.reserve({
      caps: [{ key: 'ttl-k', cap: 1_000, retainMs: 60_000 }],
      amount: 10,
      ttlMs: 60_000,
    });
    expect(await redis.pttl(h)).toBeGreaterThan(4 * DAY - 60_000);
    expect(await store.settle(id, 10)).toMatchObject({ state: 'charged' });
    expect(await redis.hget(h, `=${id.slice(0, 16)}`)).toBeNull();
    expect(await redis.zscore(x, id.slice(0, 16))).toBeNull();
    expect(await redis.hget(r, 'st')).toBe('charged');
    expect(await redis.pttl(h)).toBeGreaterThan(4 * DAY - 60_000);
  });

  it('sends the reserveMany calls of one turn in one script call, each answered as if alone, in order', async () => {
    const counting = countingScripts(run.redis!);
    const store = new RedisSpendStore(counting.client, run.prefix);
    const page = (n: number) =>
      Array.from({ length: n }, () => ({ caps: [{ key: 'turn', cap: 1_000 }], amount: 300, ttlMs: 60_000 }));
    const pages = await Promise.all([
      store.reserveMany(page(2)),
      store.reserveMany(page(1)),
      store.reserveMany(page(2)),
    ]);
    expect(pages.map((p) => p.map((r) => r.ok))).toEqual([[true, true], [true], [false, false]]);
    expect(pages[2]![0]).toEqual({ ok: false, fullKey: 'turn', room: 100 });
    expect(counting.scripts).toBeLessThanOrEqual(2); // one, or two if the first EVALSHA met a cold script cache
    expect((await store.spent('turn')).reserved).toBe(900);
    // More than one script's worth in a turn: split between whole calls, answers still in order.
    const many = await Promise.all(
      Array.from({ length: 40 }, () =>
        store.reserveMany(
          Array.from({ length: 3 }, () => ({
            caps: [{ key: 'turn-many', cap: 10_000 }],
            amount: 100,
            ttlMs: 60_000,
          })),
        ),
      ),
    );
    expect(many.flat().filter((r) => r.ok)).toHaveLength(100);
    expect(many.flat().findIndex((r) => !r.ok)).toBe(100);
  });

  it('a reservation naming other keys than it was made on is unknown', async () => {
    const store = run.nodes[0]!;
    const id = idOf(await store.reserve({ caps: [{ key: 'own', cap: 1_000 }], amount: 10, ttlMs: 60_000 }));
    const other = `${id.slice(0, 17)}${Buffer.from(JSON.stringify(['other'])).toString('base64url')}`;
    expect(await store.settle(other, 10)).toMatchObject({ settledNow: false, state: 'unknown' });
    expect(await store.release(other)).toBe(false);
    expect((await store.spent('own')).reserved).toBe(10);
  });

  it("settles a call's runs of one block's parts in one script, answering as settles one by one and as the in-process store", async () => {
    const counting = countingScripts(run.redis!);
    const random = new Random(11);
    // Three blocks and a plain reservation on one campaign key and their own group keys, caps tight
    // enough that late parts overdeliver; the same world in three stores.
    const world = async (store: RedisSpendStore | MemorySpendStore, ns: string) => {
      const campaign = { key: `${ns}:c`, cap: 60_000 };
      const ids: string[] = [];
      for (const [g, amount] of [
        ['g1', 20_000],
        ['g2', 15_000],
        ['g1', 10_000],
        ['g3', 500],
      ] as const)
        ids.push(
          idOf(
            await store.reserve({
              caps: [{ key: `${ns}:${g}`, cap: 30_000 }, campaign],
              amount,
              ttlMs: 60_000,
            }),
          ),
        );
      return ids;
    };
    // Parts in runs of one block (as billing sends them: sorted by block), some repeated in the call, and
    // a whole settle of the plain reservation among them.
    const ops: { block: number; part?: string; actual: number; held?: number }[] = [];
    for (const block of [0, 1, 2]) {
      const n = 150 + random.int(100);
      for (let i = 0; i < n; i++) {
        const repeat = i > 0 && random.int(10) === 0;
        ops.push({
          block,
          part: `p${block}-${repeat ? random.int(i) : i}`,
          actual: 50 + random.int(250),
          held: random.int(3) === 0 ? undefined : 100 + random.int(100),
        });
      }
      if (block === 1) ops.push({ block: 3, actual: 400 });
    }
    const itemsOf = (ids: string[]) =>
      ops.map((o) => ({ reservationId: ids[o.block]!, actual: o.actual, part: o.part, held: o.held }));

    const grouped = new RedisSpendStore(counting.client, run.prefix);
    const groupedIds = await world(grouped, 'grouped');
    counting.reset();
    const inOneCall = await grouped.settleMany(itemsOf(groupedIds));
    expect(counting.scripts).toBe(1);

    const oneByOne = run.nodes[0]!;
    const singleIds = await world(oneByOne as RedisSpendStore, 'single');
    const single = [];
    for (const item of itemsOf(singleIds)) single.push(...(await oneByOne.settleMany([item])));

    const memory = new MemorySpendStore();
    const memoryIds = await world(memory, 'memory');
    const inMemory = await memory.settleMany(itemsOf(memoryIds));

    expect(inOneCall).toEqual(single);
    expect(inOneCall).toEqual(inMemory);
    // The run reached past the caps: both outcomes occur, and repeats answer the first settle.
    expect(new Set(inOneCall.map((r) => r.state))).toEqual(new Set(['charged', 'overdelivered']));
    expect(inOneCall.some((r) => !r.settledNow)).toBe(true);
    for (const key of ['c', 'g1', 'g2', 'g3']) {
      const totals = await grouped.spent(`grouped:${key}`);
      expect(await oneByOne.spent(`single:${key}`)).toEqual(totals);
      expect(await memory.spent(`memory:${key}`)).toEqual(totals);
    }
    await memory.close();
  });
});
