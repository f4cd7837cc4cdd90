import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/database.js';
import type { ScriptEntry } from '../fixtures/rollup-process.js';
import { testMode } from '../helpers/mode.js';
import { Child, ROOT } from './child.js';
import { inspect, killAndReplace, useWorkers } from './takeover.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/rollup-process.ts');
const PINS = 4;
/** Pin indexes in the script: 0..PINS-1 public, PINS the pin on a secret board, -1 no such pin. */
const SECRET = PINS;

const COUNTED = {
  IMPRESSION: 'impressions',
  PIN_CLICK: 'pin_clicks',
  SAVE: 'saves',
  OUTBOUND_CLICK: 'outbound_clicks',
} as const;
const KINDS = [...Object.keys(COUNTED), 'SEARCH'] as const;
const APP_TYPES = ['MOBILE', 'TABLET', 'WEB', 'OTHER'] as const;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** A deterministic script of `entries` groups of events over three days (xorshift from `seed`). */
function script(seed: number, entries: number): ScriptEntry[] {
  let x = seed;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  return Array.from({ length: entries }, () => {
    const kind = KINDS[rnd(KINDS.length)]!;
    const who = rnd(PINS + 3);
    return {
      // Mostly public pins; some on the secret pin, some on a pin that does not exist; SEARCH has none.
      pin: kind === 'SEARCH' ? null : who < PINS ? who : who === PINS ? SECRET : who === PINS + 1 ? -1 : 0,
      kind,
      appType: APP_TYPES[rnd(APP_TYPES.length)]!,
      day: daysAgo(1 + rnd(3)),
      minute: rnd(24 * 60),
      n: 1 + rnd(30),
    };
  });
}

interface Counts {
  impressions: number;
  pin_clicks: number;
  saves: number;
  outbound_clicks: number;
}
const zero = (): Counts => ({ impressions: 0, pin_clicks: 0, saves: 0, outbound_clicks: 0 });

interface Totals {
  pinDays: Record<string, Counts & { owner_id: string }>;
  creatorDays: Record<string, Counts>;
  appTypeDays: Record<string, Counts>;
  hourly: Record<string, { saves: number; engagements: number }>;
}

/** The entry of `key`, made by `make` if missing. */
function add<T>(map: Record<string, T>, key: string, make: () => T): T {
  map[key] ??= make();
  return map[key];
}

/** What the rollup must hold after exactly these batches, each counted once. */
function expected(batches: ScriptEntry[][], userId: string, pinIds: string[]): Totals {
  const t: Totals = { pinDays: {}, creatorDays: {}, appTypeDays: {}, hourly: {} };
  for (const e of batches.flat()) {
    const field = COUNTED[e.kind as keyof typeof COUNTED];
    if (!field || e.pin === null || e.pin < 0) continue;
    const pinId = pinIds[e.pin]!;
    add(t.pinDays, `${pinId}|${e.day}|${e.appType}`, () => ({ ...zero(), owner_id: userId }))[field] += e.n;
    add(t.creatorDays, `${userId}|${e.day}|${e.appType}`, zero)[field] += e.n;
    if (e.pin === SECRET) continue;
    add(t.appTypeDays, `${e.day}|${e.appType}`, zero)[field] += e.n;
    if (field === 'impressions') continue;
    const hour = Date.parse(`${e.day}T00:00:00Z`) / 3_600_000 + Math.floor(e.minute / 60);
    const h = add(t.hourly, `${pinId}|${hour}`, () => ({ saves: 0, engagements: 0 }));
    if (field === 'saves') h.saves += e.n;
    h.engagements += e.n;
  }
  return t;
}

const counts = (r: Record<string, unknown>): Counts => ({
  impressions: Number(r.impressions),
  pin_clicks: Number(r.pin_clicks),
  saves: Number(r.saves),
  outbound_clicks: Number(r.outbound_clicks),
});

/** Everything the rollup wrote, in the shape of `expected`. */
async function actual(db: Db): Promise<Totals> {
  const t: Totals = { pinDays: {}, creatorDays: {}, appTypeDays: {}, hourly: {} };
  for (const r of await db.selectFrom('pin_daily_rollups').selectAll().execute())
    t.pinDays[`${r.pin_id}|${r.day}|${r.app_type}`] = { ...counts(r), owner_id: String(r.owner_id) };
  for (const r of await db.selectFrom('creator_daily_rollups').selectAll().execute())
    t.creatorDays[`${r.user_id}|${r.day}|${r.app_type}`] = counts(r);
  for (const r of await db.selectFrom('app_type_daily_rollups').selectAll().execute())
    t.appTypeDays[`${r.day}|${r.app_type}`] = counts(r);
  for (const r of await db.selectFrom('pin_hourly_signals').selectAll().execute())
    t.hourly[`${r.pin_id}|${new Date(r.hour).getTime() / 3_600_000}`] = {
      saves: Number(r.saves),
      engagements: Number(r.engagements),
    };
  return t;
}

/**
 * A rollup worker SIGKILLed in the middle of a batch (its per-pin rows written inside the delivery's
 * transaction, its per-creator and per-app-type rows not yet) leaves nothing of that batch behind, and the
 * worker that takes the delivery over counts it once: every total equals the events written, each counted
 * exactly once, including those of the batch rolled up before the crash.
 */
describe(`SIGKILL in the middle of an analytics rollup (${testMode()})`, () => {
  const { children, env: workerEnv } = useWorkers();

  it('the batch is rolled up again by another worker and every total is exact', {
    timeout: 180_000,
  }, async () => {
    // Batch 0 is rolled up before the crash; batch 1 is the one the first worker dies in.
    const batches = [script(0x2545f491, 40), script(0x6b8b4567, 160)];
    const { env, config } = await workerEnv({ SHUTDOWN_TIMEOUT_MS: '10000', PINS: String(PINS) });

    const first = children.add(
      new Child('first', [FIXTURE, 'hold'], { ...env, ROLLUP_BATCHES: JSON.stringify(batches) }),
    );
    const ready = await first.waitProbe('ready', 90_000);
    const userId = String(ready.userId);
    const pinIds = [...(ready.pins as string[]), String(ready.secretPin)];
    const rolled = await first.waitProbe('rolled', 30_000);
    const held = await first.waitFor((l) => l.probe === 'emitted' && l.index === 1, 30_000);
    const heldBatch = String(held.batchId);
    const heldEvent = String(held.eventId);
    expect(String(rolled.batchId)).not.toBe(heldBatch);
    const midBatch = await first.waitFor((l) => l.probe === 'mid-batch' && l.batchId === heldBatch, 30_000);
    expect(midBatch.attempt).toBe(1);
    expect(midBatch.eventId).toBe(heldEvent);

    if (testMode() === 'services') {
      // Mid-batch, the held batch's per-pin increments are written but not committed: readers see only
      // the batch rolled up before.
      expect(await inspect(config, actual)).toEqual(expected(batches.slice(0, 1), userId, pinIds));
    }
    const secondEnv = { ...env, EXPECT_BATCHES: '2' };
    const second = await killAndReplace(
      first,
      () => children.add(new Child('second', [FIXTURE, 'finish'], secondEnv)),
      // Running alongside the first, it has not got past the delivery record the first holds.
      (s) => expect(s.lines.filter((l) => l.probe === 'mid-batch')).toEqual([]),
    );

    const done = await second.waitProbe('all-rolled', 60_000);
    expect(done.eventIds).toEqual([String(rolled.eventId), heldEvent].sort());
    // The replacement redid the held batch only (the one rolled before the crash stays done), as a redelivery.
    const redone = second.lines.filter((l) => l.probe === 'mid-batch');
    expect(redone.map((l) => l.batchId)).toEqual([heldBatch]);
    expect(redone[0]!.attempt).toBeGreaterThanOrEqual(2);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    await inspect(config, async (db) => {
      // The events are all there, as written.
      const written = await db
        .selectFrom('events')
        .select((eb) => ['batch_id', eb.fn.countAll<string>().as('n')])
        .groupBy('batch_id')
        .orderBy('batch_id')
        .execute();
      expect(written.map((w) => [String(w.batch_id), Number(w.n)])).toEqual([
        [String(rolled.batchId), batches[0]!.reduce((s, e) => s + e.n, 0)],
        [heldBatch, batches[1]!.reduce((s, e) => s + e.n, 0)],
      ]);

      const want = expected(batches, userId, pinIds);
      // The script covers every table, the secret pin and the pin that does not exist.
      expect(Object.keys(want.pinDays).length).toBeGreaterThan(20);
      expect(Object.keys(want.hourly).length).toBeGreaterThan(20);
      expect(Object.keys(want.pinDays).some((k) => k.startsWith(`${pinIds[SECRET]}|`))).toBe(true);
      expect(await actual(db)).toEqual(want);

      const marked = await db.selectFrom('analytics_rolled_batches').select('batch_id').execute();
      expect(marked.map((m) => String(m.batch_id)).sort()).toEqual(
        [String(rolled.batchId), heldBatch].sort(),
      );
      const deliveries = await db
        .selectFrom('job_done')
        .select('event_id')
        .where('consumer', '=', 'analytics.rollup')
        .execute();
      expect(deliveries.map((d) => String(d.event_id)).sort()).toEqual(
        [String(rolled.eventId), heldEvent].sort(),
      );
      expect(await db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
    });

    if (testMode() === 'services') {
      const { Redis } = await import('ioredis');
      const redis = new Redis(config.redisUrl!);
      try {
        const [count] = (await redis.xpending(`${config.redisPrefix}s:events.batch`, 'analytics.rollup')) as [
          number,
        ];
        expect(count).toBe(0);
      } finally {
        redis.disconnect();
      }
    }
  });
});
