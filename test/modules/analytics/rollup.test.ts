import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { rollupTestHooks } from '../../../src/modules/analytics/index.js';
import { runDelivery } from '../../../src/platform/jobs/deliver.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { daysAgo, insertBatch, makePin, noon, type TestEvent, times, waitRolled } from './helpers.js';

const num = (v: unknown) => Number(v);

async function pinTotals(app: App, pinId: string) {
  const rows = await app.database.db
    .selectFrom('pin_daily_rollups')
    .selectAll()
    .where('pin_id', '=', pinId)
    .orderBy('day')
    .orderBy('app_type')
    .execute();
  return rows.map((r) => ({
    day: r.day,
    app_type: r.app_type,
    owner_id: r.owner_id,
    impressions: num(r.impressions),
    pin_clicks: num(r.pin_clicks),
    saves: num(r.saves),
    outbound_clicks: num(r.outbound_clicks),
  }));
}

async function creatorTotals(app: App, userId: string) {
  const rows = await app.database.db
    .selectFrom('creator_daily_rollups')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('day')
    .orderBy('app_type')
    .execute();
  return rows.map((r) => [
    r.day,
    r.app_type,
    num(r.impressions),
    num(r.pin_clicks),
    num(r.saves),
    num(r.outbound_clicks),
  ]);
}

describe(`analytics rollup (${testMode()})`, () => {
  let app: App;
  let owner: TestUser;
  let pinId: string;
  let secretPinId: string;
  let protectedPinId: string;
  const day = daysAgo(2);
  const script: TestEvent[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    owner = await makeUser(app);
    const board = await makeBoard(app, owner);
    const secret = await makeBoard(app, owner, { privacy: 'SECRET' });
    pinId = await makePin(app, await owner.auth(), board.id);
    secretPinId = await makePin(app, await owner.auth(), secret.id);
    // Someone else's pin on a protected board: saved, so it would be popular, were discovery to show it.
    const other = await makeUser(app);
    const protectedBoard = await makeBoard(app, other, { privacy: 'PROTECTED' });
    protectedPinId = await makePin(app, await other.auth(), protectedBoard.id);
    script.push(
      ...times(10, { kind: 'IMPRESSION', pinId, at: noon(day), appType: 'WEB' }),
      ...times(4, { kind: 'IMPRESSION', pinId, at: noon(day), appType: 'MOBILE' }),
      ...times(3, { kind: 'PIN_CLICK', pinId, at: noon(day, 5), appType: 'WEB' }),
      ...times(2, { kind: 'SAVE', pinId, at: noon(day, 6), appType: 'MOBILE' }),
      { kind: 'OUTBOUND_CLICK', pinId, at: noon(day, 7), appType: 'WEB' },
      { kind: 'SEARCH', at: noon(day), appType: 'WEB' },
      { kind: 'IMPRESSION', pinId: '999999999999', at: noon(day), appType: 'WEB' },
      ...times(5, { kind: 'IMPRESSION', pinId: secretPinId, at: noon(day), appType: 'WEB' }),
      ...times(3, { kind: 'SAVE', pinId: protectedPinId, at: noon(day, 8), appType: 'WEB' }),
    );
  });

  it('rolls a batch into per-pin, per-creator and per-app-type days, skipping pins that do not exist', async () => {
    const { eventId } = await insertBatch(app, script);
    await waitRolled(app, eventId);
    expect(await pinTotals(app, pinId)).toEqual([
      {
        day,
        app_type: 'MOBILE',
        owner_id: owner.id,
        impressions: 4,
        pin_clicks: 0,
        saves: 2,
        outbound_clicks: 0,
      },
      {
        day,
        app_type: 'WEB',
        owner_id: owner.id,
        impressions: 10,
        pin_clicks: 3,
        saves: 0,
        outbound_clicks: 1,
      },
    ]);
    expect(await creatorTotals(app, owner.id)).toEqual([
      [day, 'MOBILE', 4, 0, 2, 0],
      [day, 'WEB', 15, 3, 0, 1],
    ]);
    // The secret pin counts for its owner, not in the platform-wide totals.
    const appTypes = await app.database.db
      .selectFrom('app_type_daily_rollups')
      .selectAll()
      .where('day', '=', day)
      .execute();
    expect(appTypes.map((r) => [r.app_type, num(r.impressions)]).sort()).toEqual([
      ['MOBILE', 4],
      ['WEB', 10],
    ]);
    const none = await app.database.db
      .selectFrom('pin_daily_rollups')
      .select('pin_id')
      .where('pin_id', '=', '999999999999')
      .execute();
    expect(none).toEqual([]);
  });

  it('feeds popularity signals, a discovery input, never from pins on secret or protected boards', async () => {
    const signals = await app.product.analytics.signals([pinId, secretPinId, protectedPinId]);
    const age = Date.now() / 3_600_000 - Math.floor(noon(day).getTime() / 3_600_000);
    const w7 = Math.exp(-age / 84);
    expect(signals.get(pinId)!.save_7d).toBeCloseTo(2 * w7, 3);
    expect(signals.get(pinId)!.engagement_7d).toBeCloseTo(6 * w7, 3);
    expect(signals.get(pinId)!.save_1d).toBe(0);
    const zero = { save_1d: 0, save_7d: 0, engagement_1d: 0, engagement_7d: 0 };
    expect(signals.get(secretPinId)).toEqual(zero);
    expect(signals.get(protectedPinId)).toEqual(zero);
    const hourly = await app.database.db
      .selectFrom('pin_hourly_signals')
      .select('pin_id')
      .where('pin_id', 'in', [secretPinId, protectedPinId])
      .execute();
    expect(hourly).toEqual([]);
    // A rebuild from the hourly rows gives the same numbers.
    await app.product.analytics.rebuildSignals();
    const rebuilt = await app.product.analytics.signals([pinId, protectedPinId]);
    expect(rebuilt.get(pinId)!.engagement_7d).toBeCloseTo(6 * w7, 3);
    expect(rebuilt.get(protectedPinId)).toEqual(zero);
  });

  it('the same delivery run again, or the same batch announced twice, changes no total', async () => {
    const before = await pinTotals(app, pinId);
    const creatorBefore = await creatorTotals(app, owner.id);
    const { batchId, eventId } = await insertBatch(
      app,
      times(7, { kind: 'IMPRESSION', pinId, at: noon(day), appType: 'TABLET' }),
    );
    await waitRolled(app, eventId);
    const analytics = app.product.modules.find((m) => m.name === 'analytics')!;
    const consumer = analytics.consumers!(app.deps).find((c) => c.name === 'analytics.rollup')!;
    const silent = { observe() {} };
    // Delivered again (the broker redelivers after a lost ack): the delivery record stops it.
    const again = await runDelivery(
      app.database.db,
      consumer,
      { eventId, topic: 'events.batch', payload: { batchId, days: [day] }, attempt: 2 },
      app.log,
      silent,
    );
    expect(again.outcome).toBe('duplicate');
    // Announced again under another outbox event: the rolled-batch record stops it.
    const { emit } = await import('../../../src/modules/topics.js');
    const second = await app.database.db
      .transaction()
      .execute((trx) => emit(trx, 'events.batch', { batchId, days: [day] }));
    app.deps.eventsCommitted();
    await waitRolled(app, second);
    const tablet = (await pinTotals(app, pinId)).find((r) => r.app_type === 'TABLET');
    expect(tablet?.impressions).toBe(7);
    expect((await pinTotals(app, pinId)).filter((r) => r.app_type !== 'TABLET')).toEqual(before);
    expect((await creatorTotals(app, owner.id)).filter((r) => r[1] !== 'TABLET')).toEqual(creatorBefore);
  });

  it('a rollup that fails in the middle of a batch rolls back and its retry counts exactly once', async () => {
    const before = await pinTotals(app, pinId);
    let failures = 0;
    rollupTestHooks.midBatch = async () => {
      if (failures++ === 0) throw new Error('injected failure mid-batch');
    };
    try {
      const { eventId } = await insertBatch(app, [
        ...times(6, { kind: 'IMPRESSION', pinId, at: noon(day), appType: 'WEB' }),
        ...times(2, { kind: 'SAVE', pinId, at: noon(day), appType: 'WEB' }),
      ]);
      await waitRolled(app, eventId);
    } finally {
      rollupTestHooks.midBatch = undefined;
    }
    expect(failures).toBe(2);
    const web = (await pinTotals(app, pinId)).find((r) => r.app_type === 'WEB')!;
    const webBefore = before.find((r) => r.app_type === 'WEB')!;
    expect(web.impressions - webBefore.impressions).toBe(6);
    expect(web.saves - webBefore.saves).toBe(2);
  });

  it('reports rollup lag on /metrics', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/^corkboard_analytics_rollup_lag_seconds \d/m);
  });

  it('a pin moved to a protected board leaves the popularity signals', async () => {
    expect((await app.product.analytics.signals([pinId])).get(pinId)!.save_7d).toBeGreaterThan(0);
    const protectedBoard = await makeBoard(app, owner, { privacy: 'PROTECTED' });
    const res = await app.http.inject({
      method: 'PATCH',
      url: `/v5/pins/${pinId}`,
      headers: await owner.auth(),
      payload: { board_id: protectedBoard.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    const hourly = () =>
      app.database.db.selectFrom('pin_hourly_signals').select('pin_id').where('pin_id', '=', pinId).execute();
    // The store forgets the pin inside the delivery, before its transaction (deleting the hourly rows)
    // commits: forgotten first, so a delivery that fails never leaves the pin counted. Both must end empty.
    await eventually(async () => (await app.product.analytics.signals([pinId])).get(pinId)!.save_7d === 0);
    await eventually(async () => (await hourly()).length === 0);
    expect(await hourly()).toEqual([]);
    expect((await app.product.analytics.signals([pinId])).get(pinId)!.save_7d).toBe(0);
  });
});
