import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { emit } from '../../../src/modules/topics.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import {
  type AdWorld,
  at,
  daysAgo,
  makeAdWorld,
  setSpend,
  times,
  waitAdRollup,
  writeAdEvents,
} from './analytics-helpers.js';
import { call } from './helpers.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let w: AdWorld;
const d1 = daysAgo(3);
const d2 = daysAgo(2);

type Row = Record<string, string | number | null>;

beforeAll(async () => {
  app = await startTestApp();
  [owner, analyst, stranger] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
  w = await makeAdWorld(app, owner);
  await call(app, owner, 'PUT', `/v5/ad_accounts/${w.account}/members/${analyst.username}`, {
    role: 'ANALYST',
  });
  const [a1, a2, a3] = w.ads;
  const [p1, p2] = w.pins;
  await writeAdEvents(app, owner.id, [
    ...times(10, { kind: 'IMPRESSION', adId: a1, pinId: p1, at: at(d1, 12, 5), appType: 'WEB' }),
    ...times(2, { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: at(d1, 12, 6), appType: 'WEB' }),
    { kind: 'OUTBOUND_CLICK', adId: a1, pinId: p1, at: at(d1, 12, 7), appType: 'WEB' },
    ...times(4, { kind: 'IMPRESSION', adId: a1, pinId: p1, at: at(d1, 13, 30), appType: 'MOBILE' }),
    ...times(5, { kind: 'IMPRESSION', adId: a2, pinId: p2, at: at(d1, 12, 40), appType: 'MOBILE' }),
    { kind: 'PIN_CLICK', adId: a2, pinId: p2, at: at(d1, 12, 41), appType: 'MOBILE' },
    ...times(8, { kind: 'IMPRESSION', adId: a3, pinId: p1, at: at(d2, 9), appType: 'WEB' }),
    ...times(2, { kind: 'OUTBOUND_CLICK', adId: a3, pinId: p1, at: at(d2, 9, 1), appType: 'WEB' }),
    // Organic activity on a promoted pin, and an event naming no ad that exists: neither counts.
    ...times(7, { kind: 'IMPRESSION', adId: null, pinId: p1, at: at(d1, 12), appType: 'WEB' }),
    { kind: 'IMPRESSION', adId: '999999999999', pinId: p1, at: at(d1, 12), appType: 'WEB' },
  ]);
  // A save of the promoted pin, recorded by the API itself in its own transaction.
  await app.deps.db.transaction().execute(async (trx) => {
    await app.product.events.record(trx, [
      { kind: 'SAVE', userId: owner.id, pinId: p1, adId: a1, at: at(d2, 15) },
    ]);
  });
  app.deps.eventsCommitted();
  const saved = await app.deps.db
    .selectFrom('outbox')
    .select('id')
    .where('topic', '=', 'events.batch')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  await waitAdRollup(app, saved.id);
  // Spend as billing will write it.
  await setSpend(app, a1, at(d1, 12), 1_234_567);
  await setSpend(app, a3, at(d2, 9), 500_000);
});

const COLS = [
  'IMPRESSION_1',
  'CLICKTHROUGH_1',
  'OUTBOUND_CLICK_1',
  'REPIN_1',
  'SPEND_IN_MICRO_DOLLAR',
  'CTR',
  'ECPM_IN_MICRO_DOLLAR',
  'ECPC_IN_MICRO_DOLLAR',
  'TOTAL_CONVERSIONS',
  'VIDEO_MRC_VIEWS_1',
].join(',');

async function get(path: string, specPath: string, query: string, user = owner, scopes?: string[]) {
  const res = await call(app, user, 'GET', `/v5/ad_accounts/${w.account}${path}?${query}`, undefined, scopes);
  if (res.statusCode === 200)
    expectResponseMatchesSpec('GET', `/ad_accounts/{ad_account_id}${specPath}`, 200, res.json());
  return res;
}

async function rows(path: string, query: string): Promise<Row[]> {
  const res = await get(path, path, query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const range = (start: string, end: string, granularity: string, cols = COLS) =>
  `start_date=${start}&end_date=${end}&granularity=${granularity}&columns=${cols}`;

describe(`ads analytics (${testMode()})`, () => {
  it('ad account TOTAL: exact counts, derived columns in integer micro, unmeasured columns 0', async () => {
    const res = await get('/analytics', '/analytics', range(d1, d2, 'TOTAL'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-corkboard-attribution']).toBe(
      'click_window_days=30; engagement_window_days=30; view_window_days=1; conversion_report_time=TIME_OF_AD_ACTION',
    );
    expect(res.json()).toEqual([
      {
        AD_ACCOUNT_ID: w.account,
        IMPRESSION_1: 27,
        CLICKTHROUGH_1: 6,
        OUTBOUND_CLICK_1: 3,
        REPIN_1: 1,
        SPEND_IN_MICRO_DOLLAR: 1_734_567,
        CTR: 6 / 27,
        ECPM_IN_MICRO_DOLLAR: 64_243_222,
        ECPC_IN_MICRO_DOLLAR: 289_095,
        TOTAL_CONVERSIONS: 0,
        VIDEO_MRC_VIEWS_1: 0,
      },
    ]);
  });

  it('DAY and HOUR break the same events down; HOUR rows carry the hour of the day', async () => {
    const cols = 'IMPRESSION_1,CLICKTHROUGH_1,REPIN_1,SPEND_IN_MICRO_DOLLAR';
    expect(await rows('/analytics', range(d1, d2, 'DAY', cols))).toEqual([
      {
        AD_ACCOUNT_ID: w.account,
        DATE: d1,
        IMPRESSION_1: 19,
        CLICKTHROUGH_1: 4,
        REPIN_1: 0,
        SPEND_IN_MICRO_DOLLAR: 1_234_567,
      },
      {
        AD_ACCOUNT_ID: w.account,
        DATE: d2,
        IMPRESSION_1: 8,
        CLICKTHROUGH_1: 2,
        REPIN_1: 1,
        SPEND_IN_MICRO_DOLLAR: 500_000,
      },
    ]);
    const q = `${range(d1, d1, 'HOUR', cols)}&campaign_ids=${w.campaigns[0]}`;
    expect(await rows('/campaigns/analytics', q)).toEqual([
      {
        CAMPAIGN_ID: w.campaigns[0],
        DATE: d1,
        HOUR: 12,
        IMPRESSION_1: 15,
        CLICKTHROUGH_1: 4,
        REPIN_1: 0,
        SPEND_IN_MICRO_DOLLAR: 1_234_567,
      },
      {
        CAMPAIGN_ID: w.campaigns[0],
        DATE: d1,
        HOUR: 13,
        IMPRESSION_1: 4,
        CLICKTHROUGH_1: 0,
        REPIN_1: 0,
        SPEND_IN_MICRO_DOLLAR: 0,
      },
    ]);
  });

  it('WEEK and MONTH rows start at the period start, never before start_date', async () => {
    const weekStart = (day: string) => {
      const t = Date.parse(`${day}T00:00:00Z`);
      const dow = (new Date(t).getUTCDay() + 6) % 7;
      const monday = new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
      return [monday, d1].sort()[1]!;
    };
    const monthStart = (day: string) => (`${day.slice(0, 8)}01` < d1 ? d1 : `${day.slice(0, 8)}01`);
    for (const [granularity, start] of [
      ['WEEK', weekStart],
      ['MONTH', monthStart],
    ] as const) {
      const got = await rows('/analytics', range(d1, d2, granularity, 'IMPRESSION_1'));
      const expected = new Map<string, number>();
      expected.set(start(d1), (expected.get(start(d1)) ?? 0) + 19);
      expected.set(start(d2), (expected.get(start(d2)) ?? 0) + 8);
      expect(got).toEqual(
        [...expected].map(([DATE, n]) => ({ AD_ACCOUNT_ID: w.account, DATE, IMPRESSION_1: n })),
      );
    }
  });

  it('campaigns, ad groups, ads and promoted pins each count their own events', async () => {
    const cols = 'IMPRESSION_1,CLICKTHROUGH_1,OUTBOUND_CLICK_1,CAMPAIGN_NAME,AD_GROUP_ID';
    const q = range(d1, d2, 'TOTAL', cols);
    expect(await rows('/campaigns/analytics', `${q}&campaign_ids=${w.campaigns.join(',')}`)).toEqual([
      {
        CAMPAIGN_ID: w.campaigns[0],
        IMPRESSION_1: 19,
        CLICKTHROUGH_1: 4,
        OUTBOUND_CLICK_1: 1,
        CAMPAIGN_NAME: 'One',
        AD_GROUP_ID: null,
      },
      {
        CAMPAIGN_ID: w.campaigns[1],
        IMPRESSION_1: 8,
        CLICKTHROUGH_1: 2,
        OUTBOUND_CLICK_1: 2,
        CAMPAIGN_NAME: 'Two',
        AD_GROUP_ID: null,
      },
    ]);
    expect(
      await rows(
        '/campaigns/analytics',
        `${q}&campaign_ids=${w.campaigns.join(',')}&aggregate_report_rows=true`,
      ),
    ).toEqual([
      { IMPRESSION_1: 27, CLICKTHROUGH_1: 6, OUTBOUND_CLICK_1: 3, CAMPAIGN_NAME: null, AD_GROUP_ID: null },
    ]);
    expect(
      await rows('/ad_groups/analytics', `${q}&ad_group_ids=${w.groups[1]}&ad_group_ids=${w.groups[0]}`),
    ).toEqual([
      {
        AD_GROUP_ID: w.groups[0],
        IMPRESSION_1: 14,
        CLICKTHROUGH_1: 3,
        OUTBOUND_CLICK_1: 1,
        CAMPAIGN_NAME: 'One',
      },
      {
        AD_GROUP_ID: w.groups[1],
        IMPRESSION_1: 5,
        CLICKTHROUGH_1: 1,
        OUTBOUND_CLICK_1: 0,
        CAMPAIGN_NAME: 'One',
      },
    ]);
    const ads = await rows('/ads/analytics', `${q}&ad_ids=${w.ads[0]},${w.ads[2]}`);
    expect(ads.map((r) => [r.AD_ID, r.IMPRESSION_1, r.AD_GROUP_ID])).toEqual([
      [w.ads[0], 14, w.groups[0]],
      [w.ads[2], 8, w.groups[2]],
    ]);
    const byPin = await rows('/ads/analytics', `${q}&campaign_ids=${w.campaigns[0]}&pin_ids=${w.pins[0]}`);
    expect(byPin.map((r) => [r.AD_ID, r.IMPRESSION_1])).toEqual([[w.ads[0], 14]]);
    for (const [campaign, n] of [
      [w.campaigns[0], 14],
      [w.campaigns[1], 8],
    ] as const) {
      const pins = await rows('/pins/analytics', `${q}&campaign_id=${campaign}&pin_ids=${w.pins[0]}`);
      expect(pins).toEqual([
        {
          PIN_ID: w.pins[0],
          IMPRESSION_1: n,
          CLICKTHROUGH_1: n === 14 ? 3 : 2,
          OUTBOUND_CLICK_1: n === 14 ? 1 : 2,
          CAMPAIGN_NAME: campaign === w.campaigns[0] ? 'One' : 'Two',
          AD_GROUP_ID: null,
        },
      ]);
    }
  });

  it('TOTAL answers zeros for an entity with no activity; other accounts’ ids name nothing', async () => {
    const other = await makeAdWorld(app, stranger);
    const q = `${range(d1, d2, 'TOTAL', 'IMPRESSION_1,CTR,ECPC_IN_MICRO_DOLLAR')}&ad_group_ids=${other.groups[0]},${w.groups[2]}`;
    expect(await rows('/ad_groups/analytics', q)).toEqual([
      { AD_GROUP_ID: w.groups[2], IMPRESSION_1: 8, CTR: 0.25, ECPC_IN_MICRO_DOLLAR: 250_000 },
    ]);
    const empty = `${range(d1, d2, 'TOTAL', 'IMPRESSION_1,CTR,ECPM_IN_MICRO_DOLLAR')}&campaign_ids=${other.campaigns[0]}`;
    const res = await call(
      app,
      stranger,
      'GET',
      `/v5/ad_accounts/${other.account}/campaigns/analytics?${empty}`,
    );
    expect(res.json()).toEqual([
      { CAMPAIGN_ID: other.campaigns[0], IMPRESSION_1: 0, CTR: 0, ECPM_IN_MICRO_DOLLAR: 0 },
    ]);
  });

  it('targeting analytics: APPTYPE from the events, other types accepted with no rows', async () => {
    const q = `${range(d1, d2, 'TOTAL', 'IMPRESSION_1,REPIN_1')}&targeting_types=APPTYPE,GENDER`;
    const res = await get('/targeting_analytics', '/targeting_analytics', q);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual([
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'mobile',
        metrics: { AD_ACCOUNT_ID: w.account, IMPRESSION_1: 9, REPIN_1: 0 },
      },
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'other',
        metrics: { AD_ACCOUNT_ID: w.account, IMPRESSION_1: 0, REPIN_1: 1 },
      },
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'web',
        metrics: { AD_ACCOUNT_ID: w.account, IMPRESSION_1: 18, REPIN_1: 0 },
      },
    ]);
    const byGroup = await get(
      '/ad_groups/targeting_analytics',
      '/ad_groups/targeting_analytics',
      `${range(d1, d1, 'DAY', 'IMPRESSION_1')}&targeting_types=APPTYPE&ad_group_ids=${w.groups[0]}`,
    );
    expect(byGroup.statusCode, byGroup.body).toBe(200);
    expect(byGroup.json().data).toEqual([
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'mobile',
        metrics: { AD_GROUP_ID: w.groups[0], DATE: d1, IMPRESSION_1: 4 },
      },
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'web',
        metrics: { AD_GROUP_ID: w.groups[0], DATE: d1, IMPRESSION_1: 10 },
      },
    ]);
    for (const [path, ids] of [
      ['/campaigns', `campaign_ids=${w.campaigns[0]}`],
      ['/ads', `ad_ids=${w.ads[0]}`],
    ]) {
      const r = await get(`${path}/targeting_analytics`, `${path}/targeting_analytics`, `${q}&${ids}`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().data.length).toBeGreaterThan(0);
    }
    const bad = await get('/targeting_analytics', '/targeting_analytics', `${q},SHOE_SIZE`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/SHOE_SIZE/);
  });

  it('refuses bad input with 400 {code, message}', async () => {
    const cases: [string, RegExp][] = [
      [range(d1, d2, 'TOTAL', 'IMPRESSION_1,NOT_A_COLUMN'), /"NOT_A_COLUMN" is not a reporting column/],
      [range(d2, d1, 'TOTAL'), /end_date must not be before start_date/],
      [range(daysAgo(91), d2, 'DAY'), /90 days back/],
      [range(daysAgo(5), daysAgo(0), 'HOUR'), /3 days past start_date with HOUR/],
      [range(daysAgo(9), daysAgo(8), 'HOUR'), /8 days back from today with HOUR/],
      [range('2024-02-30', d2, 'DAY'), /Invalid start_date/],
      [range(d1, daysAgo(-1), 'DAY'), /future/],
      [range(d1, d2, 'YEAR'), /granularity/],
      [`${range(d1, d2, 'DAY')}&click_window_days=3`, /click_window_days/],
      [`start_date=${d1}&end_date=${d2}&granularity=DAY`, /columns/],
    ];
    for (const [q, message] of cases) {
      const res = await get('/analytics', '/analytics', q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toEqual({ code: expect.any(Number), message: expect.stringMatching(message) });
    }
    const noPins = await get(
      '/ads/analytics',
      '/ads/analytics',
      `${range(d1, d2, 'DAY')}&campaign_ids=${w.campaigns[0]}`,
    );
    expect(noPins.statusCode).toBe(400);
    expect(noPins.json().message).toMatch(/ad_ids, or both campaign_ids and pin_ids/);
    // The async-only column is not a synchronous one.
    const asyncOnly = await get('/analytics', '/analytics', range(d1, d2, 'DAY', 'CAMPAIGN_STATUS'));
    expect(asyncOnly.statusCode).toBe(400);
  });

  it('an analyst may read (windows echoed); a stranger gets 404; a token without ads:read gets 403', async () => {
    const q = range(d1, d2, 'TOTAL', 'IMPRESSION_1');
    const windows =
      '&click_window_days=7&view_window_days=0&engagement_window_days=60&conversion_report_time=TIME_OF_CONVERSION';
    const mine = await get('/analytics', '/analytics', q + windows, analyst);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual([{ AD_ACCOUNT_ID: w.account, IMPRESSION_1: 27 }]);
    expect(mine.headers['x-corkboard-attribution']).toBe(
      'click_window_days=7; engagement_window_days=60; view_window_days=0; conversion_report_time=TIME_OF_CONVERSION',
    );
    const theirs = await get('/analytics', '/analytics', q, stranger);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toEqual({ code: expect.any(Number), message: 'Ad account not found.' });
    const scoped = await get('/analytics', '/analytics', q, owner, ['boards:read', 'pins:read']);
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json().message).toMatch(/ads:read/);
  });

  it('a batch announced twice counts once', async () => {
    const before = await rows(
      '/ads/analytics',
      `${range(d1, d2, 'TOTAL', 'IMPRESSION_1')}&ad_ids=${w.ads[1]}`,
    );
    const batch = await app.deps.db
      .selectFrom('events')
      .select('batch_id')
      .where('ad_id', '=', w.ads[1])
      .executeTakeFirstOrThrow();
    const eventId = await app.deps.db
      .transaction()
      .execute((trx) => emit(trx, 'events.batch', { batchId: batch.batch_id, days: [d1] }));
    app.deps.eventsCommitted();
    await waitAdRollup(app, eventId);
    expect(
      await rows('/ads/analytics', `${range(d1, d2, 'TOTAL', 'IMPRESSION_1')}&ad_ids=${w.ads[1]}`),
    ).toEqual(before);
    expect(before).toEqual([{ AD_ID: w.ads[1], IMPRESSION_1: 5 }]);
  });
});
