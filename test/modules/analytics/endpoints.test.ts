import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { rollupTestHooks } from '../../../src/modules/analytics/index.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, PUBLIC_ONLY, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { daysAgo, insertBatch, makePin, noon, type TestEvent, times, waitRolled } from './helpers.js';

const d3 = daysAgo(3);
const d2 = daysAgo(2);
const d1 = daysAgo(1);
const today = daysAgo(0);

describe(`analytics endpoints (${testMode()})`, () => {
  let app: App;
  let owner: TestUser;
  let other: TestUser;
  let a: string; // public, created long ago
  let b: string; // public, created on d2
  let s: string; // secret board
  let x: string; // someone else's

  const get = async (url: string, user: TestUser = owner, scopes?: readonly string[]) =>
    app.http.inject({ method: 'GET', url, headers: await user.auth(scopes) });

  beforeAll(async () => {
    app = await startTestApp();
    owner = await makeUser(app);
    other = await makeUser(app);
    const board = await makeBoard(app, owner);
    const secret = await makeBoard(app, owner, { privacy: 'SECRET' });
    a = await makePin(app, await owner.auth(), board.id);
    b = await makePin(app, await owner.auth(), board.id);
    s = await makePin(app, await owner.auth(), secret.id);
    x = await makePin(app, await other.auth(), (await makeBoard(app, other)).id);
    const db = app.database.db;
    await sql`update pins set created_at = now() - interval '200 days' where id in (${a}, ${s}, ${x})`.execute(
      db,
    );
    await sql`update pins set created_at = ${noon(d2)} where id = ${b}`.execute(db);

    const events: TestEvent[] = [
      ...times(10, { kind: 'IMPRESSION', pinId: a, at: noon(d3), appType: 'WEB' }),
      ...times(2, { kind: 'PIN_CLICK', pinId: a, at: noon(d3), appType: 'WEB' }),
      { kind: 'SAVE', pinId: a, at: noon(d3), appType: 'WEB' },
      { kind: 'OUTBOUND_CLICK', pinId: a, at: noon(d3), appType: 'WEB' },
      ...times(5, { kind: 'IMPRESSION', pinId: a, at: noon(d3), appType: 'MOBILE' }),
      { kind: 'SAVE', pinId: a, at: noon(d3), appType: 'MOBILE' },
      ...times(4, { kind: 'IMPRESSION', pinId: a, at: noon(d1), appType: 'TABLET' }),
      { kind: 'PIN_CLICK', pinId: a, at: noon(d1), appType: 'TABLET' },
      ...times(7, { kind: 'IMPRESSION', pinId: a, at: noon(daysAgo(100)), appType: 'WEB' }),
      ...times(8, { kind: 'IMPRESSION', pinId: b, at: noon(d2), appType: 'WEB' }),
      ...times(3, { kind: 'SAVE', pinId: b, at: noon(d2), appType: 'WEB' }),
      ...times(2, { kind: 'IMPRESSION', pinId: b, at: noon(d2), appType: 'OTHER' }),
      ...times(6, { kind: 'IMPRESSION', pinId: s, at: noon(d2), appType: 'WEB' }),
      ...times(3, { kind: 'PIN_CLICK', pinId: s, at: noon(d2), appType: 'WEB' }),
      ...times(100, { kind: 'IMPRESSION', pinId: x, at: noon(d3), appType: 'WEB' }),
    ];
    // Two batches, so the totals are sums of increments.
    const first = await insertBatch(app, events.slice(0, 20));
    const second = await insertBatch(app, events.slice(20));
    await waitRolled(app, first.eventId);
    await waitRolled(app, second.eventId);
  });

  const PIN_METRICS = 'IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK,SAVE_RATE,VIDEO_START,TOTAL_COMMENTS';

  it('GET /v5/pins/{pin_id}/analytics: daily, summary and lifetime metrics to the unit', async () => {
    const res = await get(
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=${PIN_METRICS}`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expectResponseMatchesSpec('GET', '/pins/{pin_id}/analytics', 200, body);
    expect(Object.keys(body)).toEqual(['all']);
    const all = body.all;
    // Video, comment and other metrics Corkboard does not measure are left out.
    expect(all.summary_metrics).toEqual({
      IMPRESSION: 19,
      SAVE: 2,
      PIN_CLICK: 3,
      OUTBOUND_CLICK: 1,
      SAVE_RATE: 2 / 19,
    });
    expect(all.summary_metrics.SAVE_RATE).toBeCloseTo(0.10526, 5);
    expect(all.lifetime_metrics).toEqual({ IMPRESSION: 26, SAVE: 2, PIN_CLICK: 3, OUTBOUND_CLICK: 1 });
    expect(all.daily_metrics).toEqual([
      {
        date: d3,
        data_status: 'READY',
        metrics: { IMPRESSION: 15, SAVE: 2, PIN_CLICK: 2, OUTBOUND_CLICK: 1, SAVE_RATE: 2 / 15 },
      },
      // No impressions: every rate is 0.
      {
        date: d2,
        data_status: 'READY',
        metrics: { IMPRESSION: 0, SAVE: 0, PIN_CLICK: 0, OUTBOUND_CLICK: 0, SAVE_RATE: 0 },
      },
      {
        date: d1,
        data_status: 'READY',
        metrics: { IMPRESSION: 4, SAVE: 0, PIN_CLICK: 1, OUTBOUND_CLICK: 0, SAVE_RATE: 0 },
      },
    ]);
  });

  it('split_field=APP_TYPE and app_types', async () => {
    const split = (
      await get(
        `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION,SAVE,PIN_CLICK&split_field=APP_TYPE`,
      )
    ).json();
    expectResponseMatchesSpec('GET', '/pins/{pin_id}/analytics', 200, split);
    expect(Object.keys(split).sort()).toEqual(['MOBILE', 'OTHER', 'TABLET', 'WEB']);
    expect(split.WEB.summary_metrics).toEqual({ IMPRESSION: 10, SAVE: 1, PIN_CLICK: 2 });
    expect(split.WEB.lifetime_metrics).toEqual({ IMPRESSION: 17, SAVE: 1, PIN_CLICK: 2 });
    expect(split.MOBILE.summary_metrics).toEqual({ IMPRESSION: 5, SAVE: 1, PIN_CLICK: 0 });
    expect(split.TABLET.summary_metrics).toEqual({ IMPRESSION: 4, SAVE: 0, PIN_CLICK: 1 });
    expect(split.OTHER.summary_metrics).toEqual({ IMPRESSION: 0, SAVE: 0, PIN_CLICK: 0 });
    const mobile = (
      await get(
        `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION,SAVE&app_types=MOBILE`,
      )
    ).json();
    expect(mobile.all.summary_metrics).toEqual({ IMPRESSION: 5, SAVE: 1 });
    const mobileSplit = (
      await get(
        `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=SAVE&app_types=MOBILE&split_field=APP_TYPE`,
      )
    ).json();
    expect(Object.keys(mobileSplit)).toEqual(['MOBILE']);
  });

  it('data_status: BEFORE_PIN_CREATED, PROCESSING for today', async () => {
    const res = await get(
      `/v5/pins/${b}/analytics?start_date=${d3}&end_date=${today}&metric_types=IMPRESSION,SAVE_RATE`,
    );
    const daily = res.json().all.daily_metrics;
    expect(daily.map((d: { date: string; data_status: string }) => [d.date, d.data_status])).toEqual([
      [d3, 'BEFORE_PIN_CREATED'],
      [d2, 'READY'],
      [d1, 'READY'],
      [today, 'PROCESSING'],
    ]);
    expect(daily[1].metrics).toEqual({ IMPRESSION: 10, SAVE_RATE: 0.3 });
  });

  it('data_status: PROCESSING for a day whose batch is not rolled up yet', async () => {
    const day = daysAgo(5);
    let hold = true;
    let tried = 0;
    rollupTestHooks.midBatch = async () => {
      tried++;
      if (hold) throw new Error('held for the test');
    };
    try {
      const { eventId } = await insertBatch(app, [
        { kind: 'IMPRESSION', pinId: a, at: noon(day), appType: 'WEB' },
      ]);
      await eventually(async () => tried > 0);
      await eventually(async () => {
        const res = await get(
          `/v5/pins/${a}/analytics?start_date=${day}&end_date=${d3}&metric_types=IMPRESSION`,
        );
        return res.json().all.daily_metrics[0].data_status === 'PROCESSING';
      });
      hold = false;
      await waitRolled(app, eventId, 20_000);
      await eventually(async () => {
        const res = await get(
          `/v5/pins/${a}/analytics?start_date=${day}&end_date=${d3}&metric_types=IMPRESSION`,
        );
        const first = res.json().all.daily_metrics[0];
        return first.data_status === 'READY' && first.metrics.IMPRESSION === 1;
      });
    } finally {
      rollupTestHooks.midBatch = undefined;
    }
  });

  it('GET /v5/pins/analytics: several pins keyed by id', async () => {
    const res = await get(
      `/v5/pins/analytics?pin_ids=${a},${b}&start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION,SAVE`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expectResponseMatchesSpec('GET', '/pins/analytics', 200, body);
    expect(Object.keys(body).sort()).toEqual([a, b].sort());
    expect(body[a].all.summary_metrics).toEqual({ IMPRESSION: 19, SAVE: 2 });
    expect(body[b].all.summary_metrics).toEqual({ IMPRESSION: 10, SAVE: 3 });
    expect(body[b].all.lifetime_metrics).toEqual({ IMPRESSION: 10, SAVE: 3 });
  });

  it('GET /v5/user_account/analytics: every metric and rate of the creator', async () => {
    const res = await get(`/v5/user_account/analytics?start_date=${d3}&end_date=${d1}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expectResponseMatchesSpec('GET', '/user_account/analytics', 200, body);
    expect(body.all.summary_metrics).toEqual({
      ENGAGEMENT: 12,
      ENGAGEMENT_RATE: 12 / 35,
      IMPRESSION: 35,
      OUTBOUND_CLICK: 1,
      OUTBOUND_CLICK_RATE: 1 / 35,
      PIN_CLICK: 6,
      PIN_CLICK_RATE: 6 / 35,
      SAVE: 5,
      SAVE_RATE: 5 / 35,
    });
    expect(body.all.summary_metrics.ENGAGEMENT_RATE).toBeCloseTo(0.342857, 6);
    expect(
      body.all.daily_metrics.map((d: { metrics: Record<string, number> }) => d.metrics.ENGAGEMENT),
    ).toEqual([5, 6, 1]);
    expect(body.all.daily_metrics[1]).toEqual({
      date: d2,
      data_status: 'READY',
      metrics: {
        ENGAGEMENT: 6,
        ENGAGEMENT_RATE: 6 / 16,
        IMPRESSION: 16,
        OUTBOUND_CLICK: 0,
        OUTBOUND_CLICK_RATE: 0,
        PIN_CLICK: 3,
        PIN_CLICK_RATE: 3 / 16,
        SAVE: 3,
        SAVE_RATE: 3 / 16,
      },
    });
    const split = (
      await get(
        `/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION&split_field=APP_TYPE`,
      )
    ).json();
    expectResponseMatchesSpec('GET', '/user_account/analytics', 200, split);
    expect(
      Object.fromEntries(
        Object.entries(split).map(([k, v]) => [
          k,
          (v as { summary_metrics: { IMPRESSION: number } }).summary_metrics.IMPRESSION,
        ]),
      ),
    ).toEqual({ MOBILE: 5, TABLET: 4, WEB: 24, OTHER: 2 });
    const web = (
      await get(
        `/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&metric_types=SAVE,SAVE_RATE&app_types=WEB`,
      )
    ).json();
    expect(web.all.summary_metrics).toEqual({ SAVE: 4, SAVE_RATE: 4 / 24 });
    const paid = (
      await get(
        `/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION&content_type=PAID`,
      )
    ).json();
    expect(paid.all.summary_metrics).toEqual({ IMPRESSION: 0 });
  });

  it('GET /v5/user_account/analytics/top_pins: ranked, secret pins only with the secret scope', async () => {
    const res = await get(
      `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=IMPRESSION&metric_types=IMPRESSION,SAVE,ENGAGEMENT`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expectResponseMatchesSpec('GET', '/user_account/analytics/top_pins', 200, body);
    expect(body.sort_by).toBe('IMPRESSION');
    expect(body.date_availability.is_realtime).toBe(false);
    expect(body.date_availability.latest_available_timestamp).toBe(Date.parse(`${today}T00:00:00Z`) - 1);
    expect(body.pins.map((p: { pin_id: string; metrics: unknown }) => [p.pin_id, p.metrics])).toEqual([
      [a, { IMPRESSION: 19, SAVE: 2, ENGAGEMENT: 6 }],
      [b, { IMPRESSION: 10, SAVE: 3, ENGAGEMENT: 3 }],
      [s, { IMPRESSION: 6, SAVE: 0, ENGAGEMENT: 3 }],
    ]);
    expect(body.pins[1].data_status).toEqual({ [d3]: 'BEFORE_PIN_CREATED', [d2]: 'READY', [d1]: 'READY' });
    const bySave = (
      await get(
        `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=SAVE&num_of_pins=2`,
        owner,
        PUBLIC_ONLY,
      )
    ).json();
    expect(bySave.pins.map((p: { pin_id: string }) => p.pin_id)).toEqual([b, a]);
    const pub = (
      await get(
        `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=PIN_CLICK`,
        owner,
        PUBLIC_ONLY,
      )
    ).json();
    expect(pub.pins.map((p: { pin_id: string }) => p.pin_id)).toEqual([a, b]);
    const recent = (
      await get(
        `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=IMPRESSION&created_in_last_n_days=30`,
      )
    ).json();
    expect(recent.pins.map((p: { pin_id: string }) => p.pin_id)).toEqual([b]);
  });

  it('GET /v5/user_account/analytics/top_video_pins: the spec shape, empty (no video pins), checked like top_pins', async () => {
    const url = `/v5/user_account/analytics/top_video_pins?start_date=${d3}&end_date=${d1}`;
    const res = await get(`${url}&sort_by=VIDEO_START&metric_types=IMPRESSION,VIDEO_START&num_of_pins=5`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expectResponseMatchesSpec('GET', '/user_account/analytics/top_video_pins', 200, body);
    expect(body).toEqual({
      date_availability: {
        is_realtime: false,
        latest_available_timestamp: Date.parse(`${today}T00:00:00Z`) - 1,
      },
      pins: [],
      sort_by: 'VIDEO_START',
    });
    for (const bad of [
      `${url}&sort_by=ENGAGEMENT`,
      `${url}&sort_by=SAVE&metric_types=PIN_CLICK`,
      `/v5/user_account/analytics/top_video_pins?start_date=${today}&end_date=${d3}&sort_by=SAVE`,
      `${url}&sort_by=SAVE&num_of_pins=51`,
    ]) {
      const refused = await get(bad);
      expect(refused.statusCode, bad).toBe(400);
      expect(refused.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    expect((await get(`${url}&sort_by=SAVE&ad_account_id=123`)).statusCode).toBe(403);
  });

  it('GET /v5/user_account: monthly_views are the impressions of your pins over the last 30 days', async () => {
    // a: 15 on d3 and 4 on d1 (its 7 of 100 days ago are older); b: 10 on d2; s (secret board): 6 on d2;
    // and whatever earlier tests of this file added within the 30 days: the creator report says how much.
    const mine = await get('/v5/user_account');
    expect(mine.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/user_account', 200, mine.json());
    const report = await get(
      `/v5/user_account/analytics?start_date=${daysAgo(29)}&end_date=${today}&metric_types=IMPRESSION`,
    );
    const thirtyDays = report.json().all.summary_metrics.IMPRESSION;
    expect(thirtyDays).toBeGreaterThanOrEqual(35);
    expect(mine.json().monthly_views).toBe(thirtyDays);
    expect((await get('/v5/user_account', other)).json().monthly_views).toBe(100);
  });

  it("only the owner sees a pin's analytics: another user's pin is a 404", async () => {
    const one = await get(`/v5/pins/${x}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`);
    expect(one.statusCode).toBe(404);
    expect(one.json()).toEqual({ code: 50, message: 'Pin not found.' });
    expectResponseMatchesSpec('GET', '/pins/{pin_id}/analytics', 404, one.json());
    const secretToOther = await get(
      `/v5/pins/${s}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
      other,
    );
    expect(secretToOther.statusCode).toBe(404);
    const many = await get(
      `/v5/pins/analytics?pin_ids=${a},${x}&start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
    );
    expect(many.statusCode).toBe(404);
    const missing = await get(
      `/v5/pins/123456789/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
    );
    expect(missing.statusCode).toBe(404);
    // The other user's own analytics count only their pin.
    const theirs = (
      await get(`/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`, other)
    ).json();
    expect(theirs.all.summary_metrics).toEqual({ IMPRESSION: 100 });
  });

  it('bad dates, ranges and parameters are 400 {code, message}', async () => {
    const tomorrow = daysAgo(-1);
    const bad = [
      `/v5/pins/${a}/analytics?start_date=${d1}&end_date=${d3}&metric_types=IMPRESSION`, // start after end
      `/v5/pins/${a}/analytics?start_date=${d1}&end_date=${tomorrow}&metric_types=IMPRESSION`, // future
      `/v5/pins/${a}/analytics?start_date=${daysAgo(91)}&end_date=${d1}&metric_types=IMPRESSION`, // too far back
      `/v5/pins/${a}/analytics?start_date=2024-02-30&end_date=${d1}&metric_types=IMPRESSION`, // not a date
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION,NOPE`, // unknown metric
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}`, // metric_types required
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=ENGAGEMENT`, // not a Pin metric
      `/v5/pins/${a}/analytics?start_date=${d3}&metric_types=IMPRESSION`, // end_date required
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION&split_field=SOURCE`,
      `/v5/pins/analytics?pin_ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}&start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
      `/v5/pins/analytics?pin_ids=abc&start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
      `/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&app_types=PHONE`,
      `/v5/user_account/analytics?start_date=${d3}&end_date=${d1}&metric_types=VIDEO_START`,
      `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}`, // sort_by required
      `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=SAVE&num_of_pins=51`,
      `/v5/user_account/analytics/top_pins?start_date=${d3}&end_date=${d1}&sort_by=SAVE&created_in_last_n_days=7`,
    ];
    for (const url of bad) {
      const res = await get(url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    // 90 days back and a 90-day range are the limits, inclusive.
    const edge = await get(
      `/v5/user_account/analytics?start_date=${daysAgo(90)}&end_date=${today}&metric_types=IMPRESSION`,
    );
    expect(edge.statusCode).toBe(200);
    expect(edge.json().all.daily_metrics).toHaveLength(91);
  });

  it('scopes as the spec says', async () => {
    const noPins = await get(
      `/v5/pins/${a}/analytics?start_date=${d3}&end_date=${d1}&metric_types=IMPRESSION`,
      owner,
      ['boards:read', 'user_accounts:read'],
    );
    expect(noPins.statusCode).toBe(403);
    const noUser = await get(`/v5/user_account/analytics?start_date=${d3}&end_date=${d1}`, owner, [
      'pins:read',
      'boards:read',
    ]);
    expect(noUser.statusCode).toBe(403);
  });

  it('pinMetrics: 90-day and lifetime counts for pin reads', async () => {
    const m = await app.product.pinMetrics.of([a, b, '42']);
    // Includes the impression five days ago from the PROCESSING test; the one 100 days ago only in lifetime.
    expect(m.get(a)).toEqual({
      '90d': { impression: 20, save: 2, pin_click: 3, clickthrough: 1 },
      lifetime_metrics: { impression: 27, save: 2, pin_click: 3, clickthrough: 1 },
    });
    expect(m.get('42')).toEqual({
      '90d': { impression: 0, save: 0, pin_click: 0, clickthrough: 0 },
      lifetime_metrics: { impression: 0, save: 0, pin_click: 0, clickthrough: 0 },
    });
  });
});
