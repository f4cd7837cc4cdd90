import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { RedisSpendStore } from '../../src/platform/spend/redis-spend-store.js';
import { chargeRows } from '../helpers/ad-charges.js';
import { testMode } from '../helpers/mode.js';
import { Child, ROOT } from './child.js';
import { inspect, killAndReplace, useWorkers } from './takeover.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/billing-process.ts');
const TOKENS = 40;
const PRICE = 100_000;

/** The shared spend store's totals for `key` (services mode). */
async function spent(config: Config, key: string) {
  const redis = createRedis(config.redisUrl!, createLogger({ logLevel: 'silent' }));
  try {
    return await new RedisSpendStore(redis, config.redisPrefix).spent(key);
  } finally {
    redis.disconnect();
  }
}

/**
 * A billing worker SIGKILLed after it settled a batch's charges in the spend store and wrote the ledger,
 * before its transaction committed: the worker that takes the delivery over bills each click exactly once.
 * The ledger, the charges and ads analytics hold every click once; in services mode the shared spend store's
 * settled total equals the ledger (the settle was not done twice). Embedded mode's in-process store dies
 * with the process, so the replacement bills the lost reservations late, within the budget.
 */
describe(`SIGKILL in the middle of billing (${testMode()})`, () => {
  const { children, env: workerEnv } = useWorkers();

  it('bills every click once after the crash', { timeout: 180_000 }, async () => {
    const { env, config } = await workerEnv({ TOKENS: String(TOKENS) });

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

    if (testMode() === 'services') {
      // The held delivery settled its half in Redis already: the store is ahead of the ledger.
      expect((await spent(config, key)).settled).toBe(TOKENS * PRICE);
    }
    const secondEnv = { ...env, EXPECT_CHARGES: String(TOKENS) };
    const second = await killAndReplace(first, () =>
      children.add(new Child('second', [FIXTURE, 'finish'], secondEnv)),
    );
    const done = await second.waitProbe('all-billed', 60_000);
    expect(done.charges).toBe(TOKENS);
    // The replacement settled the held batch again, as a redelivery.
    const redone = second.lines.filter((l) => l.probe === 'mid-billing' && l.batchId === held.batchId);
    expect(redone.length).toBe(1);
    expect(redone[0]!.attempt).toBeGreaterThanOrEqual(2);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    await inspect(config, async (db) => {
      const charges = await chargeRows(db, adId);
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
    });
    if (testMode() === 'services') {
      // Settled once: the redelivery's settles answered what the first ones did.
      expect(await spent(config, key)).toMatchObject({
        settled: TOKENS * PRICE,
        reserved: 0,
        overdelivered: 0,
      });
    }
  });
});
