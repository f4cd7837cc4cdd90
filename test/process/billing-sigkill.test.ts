import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { RedisSpendStore } from '../../src/platform/spend/redis-spend-store.js';
import { testMode } from '../helpers/mode.js';
import { Child, Children, ROOT } from './child.js';
import { openForInspection, processEnv } from './env.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/billing-process.ts');
const TOKENS = 40;
const PRICE = 100_000;
const LEASE_MS = 1500;

/**
 * A billing worker SIGKILLed after it settled a batch's charges in the spend store and wrote the ledger,
 * before its transaction committed: the worker that takes the delivery over bills each click exactly once.
 * The ledger, the charges and ads analytics hold every click once; in services mode the shared spend store's
 * settled total equals the ledger (the settle was not done twice). Embedded mode's in-process store dies
 * with the process, so the replacement bills the lost reservations late, within the budget.
 */
describe(`SIGKILL in the middle of billing (${testMode()})`, () => {
  const children = new Children();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(() => children.stopAll());
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('bills every click once after the crash', { timeout: 180_000 }, async () => {
    const { env, config, cleanup } = await processEnv({
      JOB_LEASE_MS: String(LEASE_MS),
      JOB_MAX_ATTEMPTS: '5',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      TOKENS: String(TOKENS),
    });
    cleanups.push(cleanup);

    const first = children.add(new Child('first', [FIXTURE, 'hold'], env));
    const ready = await first.waitProbe('ready', 90_000);
    const adId = String(ready.adId);
    const adGroupId = String(ready.adGroupId);
    const key = String(ready.key);
    const billed = await first.waitProbe('billed', 30_000);
    const held = await first.waitFor(
      (l) => l.probe === 'mid-billing' && l.batchId !== billed.batchId,
      30_000,
    );
    expect(held.charges).toBe(TOKENS / 2);

    let second: Child;
    const secondEnv = { ...env, EXPECT_CHARGES: String(TOKENS) };
    if (testMode() === 'services') {
      // The held delivery settled its half in Redis already: the store is ahead of the ledger.
      const redis = createRedis(config.redisUrl!, createLogger({ logLevel: 'silent' }));
      try {
        const store = new RedisSpendStore(redis, config.redisPrefix);
        expect((await store.spent(key)).settled).toBe(TOKENS * PRICE);
      } finally {
        redis.disconnect();
      }
      second = children.add(new Child('second', [FIXTURE, 'finish'], secondEnv));
      await second.address(60_000);
      await sleep(LEASE_MS * 2 + 500);
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
    } else {
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      second = children.add(new Child('second', [FIXTURE, 'finish'], secondEnv));
    }
    const done = await second.waitProbe('all-billed', 60_000);
    expect(done.charges).toBe(TOKENS);
    // The replacement settled the held batch again, as a redelivery.
    const redone = second.lines.filter((l) => l.probe === 'mid-billing' && l.batchId === held.batchId);
    expect(redone.length).toBe(1);
    expect(redone[0]!.attempt).toBeGreaterThanOrEqual(2);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const database = await openForInspection(config);
    try {
      const db = database.db;
      const charges = await db.selectFrom('ad_charges').selectAll().where('ad_id', '=', adId).execute();
      expect(charges).toHaveLength(TOKENS);
      expect(charges.every((c) => c.state === 'charged' && Number(c.charged_micro) === PRICE)).toBe(true);
      const ledger = await db
        .selectFrom('ad_spend_daily')
        .selectAll()
        .where('ad_group_id', '=', adGroupId)
        .execute();
      expect(ledger.map((l) => [Number(l.spend_micro), Number(l.billed_events)])).toEqual([
        [TOKENS * PRICE, TOKENS],
      ]);
      const stats = await db
        .selectFrom('ad_hourly_stats')
        .select((eb) => eb.fn.sum<string>('spend_micro').as('spend'))
        .where('ad_id', '=', adId)
        .executeTakeFirstOrThrow();
      expect(Number(stats.spend)).toBe(TOKENS * PRICE);
      expect(await db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
    if (testMode() === 'services') {
      const redis = createRedis(config.redisUrl!, createLogger({ logLevel: 'silent' }));
      try {
        const store = new RedisSpendStore(redis, config.redisPrefix);
        // Settled once: the redelivery's settles answered what the first ones did.
        expect(await store.spent(key)).toMatchObject({
          settled: TOKENS * PRICE,
          reserved: 0,
          overdelivered: 0,
        });
      } finally {
        redis.disconnect();
      }
    }
  });
});
