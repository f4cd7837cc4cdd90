import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { attributionConsumer } from '../../../src/modules/ads/attribution/attribution.consumer.js';
import { emit } from '../../../src/modules/topics.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { type AdWorld, makeAdWorld, writeAdEvents } from './analytics-helpers.js';
import { conversion, credited, sendConversions, waitAttribution } from './attribution-helpers.js';
import { call } from './helpers.js';
import { fetchReportFile, parseCsv } from './report-helpers.js';

const H = 3_600_000;
const D = 24 * H;
/** The conversions' time: a whole second, two minutes ago (a conversion may be at most 7 days old). */
const T = new Date(Math.floor((Date.now() - 120_000) / 1000) * 1000);
const ago = (ms: number) => new Date(T.getTime() - ms);
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

let app: App;
let owner: TestUser;
/** Where the attribution rules are tried, each with buyers of its own. */
let w: AdWorld;
/** Another account of the same advertiser. */
let other: AdWorld;
/** Where analytics are read: only the conversions of the analytics test. */
let shop: AdWorld;

beforeAll(async () => {
  // Raw events are kept long enough for a click 31 days before a conversion to be there to be passed over.
  app = await startTestApp({ env: { EVENTS_RETENTION_DAYS: '60' } });
  owner = await makeUser(app);
  w = await makeAdWorld(app, owner);
  other = await makeAdWorld(app, owner);
  shop = await makeAdWorld(app, owner);
});

describe(`conversion attribution (${testMode()})`, () => {
  it('credits the last click before the conversion, over earlier clicks and a later view', async () => {
    const buyer = await makeUser(app);
    const [a1, a2, a3] = w.ads;
    const [p1, p2] = w.pins;
    await writeAdEvents(app, buyer.id, [
      { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: ago(3 * D) },
      { kind: 'OUTBOUND_CLICK', adId: a2, pinId: p2, at: ago(2 * D), appType: 'TABLET' },
      { kind: 'IMPRESSION', adId: a3, pinId: p1, at: ago(H) },
      // Neither a save nor a click on no ad is a click on an ad; a click after the conversion is too late.
      { kind: 'SAVE', adId: a1, pinId: p1, at: ago(60_000) },
      { kind: 'PIN_CLICK', adId: null, pinId: p1, at: ago(30_000) },
      { kind: 'PIN_CLICK', adId: a3, pinId: p1, at: new Date(T.getTime() + 30_000) },
    ]);
    await sendConversions(app, owner, w.account, [conversion('last-click', buyer, T)]);
    await waitAttribution(app);
    const row = await app.deps.db
      .selectFrom('ad_attributions')
      .selectAll()
      .where('ad_account_id', '=', w.account)
      .where('event_id', '=', 'last-click')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      ad_id: a2,
      ad_group_id: w.groups[1],
      campaign_id: w.campaigns[0],
      pin_id: p2,
      touch: 'CLICK',
      app_type: 'TABLET',
      event_name: 'checkout',
      action_source: 'web',
      value_micro: '12500000',
    });
    expect(new Date(row.touched_at).toISOString()).toBe(ago(2 * D).toISOString());
    // It counts in the UTC hour of the conversion.
    expect(new Date(row.hour).toISOString()).toBe(`${T.toISOString().slice(0, 13)}:00:00.000Z`);
  });

  it('a click within 30 days wins over a later view; a click 31 days old gives way to a view within a day', async () => {
    const [clicker, viewer] = await Promise.all([makeUser(app), makeUser(app)]);
    const [a1, a2] = w.ads;
    const [p1, p2] = w.pins;
    await writeAdEvents(app, clicker.id, [
      { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: ago(29 * D) },
      { kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(H) },
    ]);
    await writeAdEvents(app, viewer.id, [
      { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: ago(31 * D) },
      { kind: 'IMPRESSION', adId: a1, pinId: p1, at: ago(23 * H) },
      { kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(20 * H) },
    ]);
    await sendConversions(app, owner, w.account, [
      conversion('click-29d', clicker, T),
      conversion('view-20h', viewer, T, { custom_data: { value: '0.000001', currency: 'USD' } }),
    ]);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['click-29d', 'view-20h'])).toEqual([
      ['click-29d', a1, 'CLICK', '12500000'],
      ['view-20h', a2, 'VIEW', '1'],
    ]);
  });

  it('credits nothing for a view 2 days old and a click 31 days old, though the conversion is stored', async () => {
    const buyer = await makeUser(app);
    const [a1, a2] = w.ads;
    const [p1, p2] = w.pins;
    await writeAdEvents(app, buyer.id, [
      { kind: 'IMPRESSION', adId: a1, pinId: p1, at: ago(2 * D) },
      { kind: 'OUTBOUND_CLICK', adId: a2, pinId: p2, at: ago(31 * D) },
    ]);
    await sendConversions(app, owner, w.account, [conversion('too-old', buyer, T)]);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['too-old'])).toEqual([]);
    const stored = await app.deps.db
      .selectFrom('ad_conversions')
      .select('user_id')
      .where('ad_account_id', '=', w.account)
      .where('event_id', '=', 'too-old')
      .executeTakeFirstOrThrow();
    expect(stored.user_id).toBe(buyer.id);
  });

  it("never credits another account's ads", async () => {
    const [both, elsewhere] = await Promise.all([makeUser(app), makeUser(app)]);
    await writeAdEvents(app, both.id, [
      { kind: 'IMPRESSION', adId: w.ads[0], pinId: w.pins[0], at: ago(10 * H) },
      { kind: 'PIN_CLICK', adId: other.ads[0], pinId: other.pins[0], at: ago(H) },
    ]);
    await writeAdEvents(app, elsewhere.id, [
      { kind: 'OUTBOUND_CLICK', adId: other.ads[1], pinId: other.pins[1], at: ago(H) },
    ]);
    await sendConversions(app, owner, w.account, [
      conversion('acct-both', both, T),
      conversion('acct-elsewhere', elsewhere, T),
    ]);
    await sendConversions(app, owner, other.account, [conversion('acct-both', both, T)]);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['acct-both', 'acct-elsewhere'])).toEqual([
      ['acct-both', w.ads[0], 'VIEW', '12500000'],
    ]);
    expect(await credited(app, other.account, ['acct-both'])).toEqual([
      ['acct-both', other.ads[0], 'CLICK', '12500000'],
    ]);
  });

  it('credits neither a conversion matched to nobody nor a test conversion', async () => {
    const buyer = await makeUser(app);
    await writeAdEvents(app, buyer.id, [{ kind: 'PIN_CLICK', adId: w.ads[0], pinId: w.pins[0], at: ago(H) }]);
    const announced = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox where topic = 'ads.conversions.received'`.execute(app.deps.db);
      return rows[0]!.n;
    };
    const was = await announced();
    await sendConversions(app, owner, w.account, [conversion('nobody', 'nobody-at-all@example.org', T)]);
    await sendConversions(app, owner, w.account, [conversion('test-only', buyer, T)], true);
    await waitAttribution(app);
    expect(await announced()).toBe(was);
    expect(await credited(app, w.account, ['nobody', 'test-only'])).toEqual([]);
    const stored = await app.deps.db
      .selectFrom('ad_conversions')
      .select(['event_id', 'user_id'])
      .where('ad_account_id', '=', w.account)
      .where('event_id', 'in', ['nobody', 'test-only'])
      .execute();
    expect(stored).toEqual([{ event_id: 'nobody', user_id: null }]);
    // The same person's conversion, sent for real, is credited: only the two above were left out.
    await sendConversions(app, owner, w.account, [conversion('test-then-real', buyer, T)]);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['test-then-real'])).toEqual([
      ['test-then-real', w.ads[0], 'CLICK', '12500000'],
    ]);
  });

  it('credits a resent event_id once, with the value first received', async () => {
    const buyer = await makeUser(app);
    await writeAdEvents(app, buyer.id, [{ kind: 'PIN_CLICK', adId: w.ads[1], pinId: w.pins[1], at: ago(H) }]);
    await sendConversions(app, owner, w.account, [conversion('resent', buyer, T)]);
    const again = await sendConversions(app, owner, w.account, [
      conversion('resent', buyer, T, { custom_data: { value: '99.00', currency: 'USD' } }),
    ]);
    expect(again.events[0]!.warning_message).toMatch(/already received/);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['resent'])).toEqual([['resent', w.ads[1], 'CLICK', '12500000']]);
  });

  it('a conversion announced again, or its delivery run again, is credited once', async () => {
    const buyer = await makeUser(app);
    await writeAdEvents(app, buyer.id, [
      { kind: 'IMPRESSION', adId: w.ads[2], pinId: w.pins[0], at: ago(H) },
    ]);
    await sendConversions(app, owner, w.account, [conversion('redelivered', buyer, T)]);
    await waitAttribution(app);
    const once = [['redelivered', w.ads[2], 'VIEW', '12500000']];
    expect(await credited(app, w.account, ['redelivered'])).toEqual(once);

    const payload = { adAccountId: w.account, eventIds: ['redelivered'] };
    await app.deps.db.transaction().execute((trx) => emit(trx, 'ads.conversions.received', payload));
    app.deps.eventsCommitted();
    await waitAttribution(app);
    expect(await credited(app, w.account, ['redelivered'])).toEqual(once);

    const consumer = attributionConsumer({ clickDays: 30, viewDays: 1 });
    for (const attempt of [2, 3]) {
      await app.deps.db.transaction().execute((trx) =>
        consumer.handle(payload, {
          trx,
          eventId: '0',
          topic: 'ads.conversions.received',
          attempt,
          log: app.log,
          afterCommit: () => {},
        }),
      );
    }
    expect(await credited(app, w.account, ['redelivered'])).toEqual(once);
  });
});

describe(`attributed conversions in ads analytics and reports (${testMode()})`, () => {
  const COLUMNS = [
    'CLICKTHROUGH_1',
    'TOTAL_CONVERSIONS',
    'TOTAL_CHECKOUT',
    'TOTAL_CLICK_CHECKOUT',
    'TOTAL_VIEW_CHECKOUT',
    'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
    'TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
    'TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
    'TOTAL_SIGNUP',
    'TOTAL_CLICK_ADD_TO_CART',
    'TOTAL_LEAD',
    'TOTAL_WEB_CHECKOUT',
  ];
  const zero = Object.fromEntries(COLUMNS.map((c) => [c, 0]));
  const start = dayOf(ago(3 * D));
  const end = dayOf(T);
  const query = (granularity: string, columns = COLUMNS) =>
    `start_date=${start}&end_date=${end}&granularity=${granularity}&columns=${columns.join(',')}`;
  const sync = async (path: string, q: string) => {
    const res = await call(app, owner, 'GET', `/v5/ad_accounts/${shop.account}${path}?${q}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Campaign 1: a1 (two click conversions), a2 (a view conversion); campaign 2: a3 (three click conversions). */
  const byAd = () => {
    const [a1, a2, a3] = shop.ads;
    return {
      [a1]: { ...zero, CLICKTHROUGH_1: 1, TOTAL_CONVERSIONS: 2, TOTAL_CHECKOUT: 1, TOTAL_CLICK_CHECKOUT: 1 },
      [a2]: { ...zero, TOTAL_CONVERSIONS: 1, TOTAL_CHECKOUT: 1, TOTAL_VIEW_CHECKOUT: 1 },
      [a3]: { ...zero, CLICKTHROUGH_1: 1, TOTAL_CONVERSIONS: 3, TOTAL_CLICK_ADD_TO_CART: 1, TOTAL_LEAD: 1 },
    };
  };

  beforeAll(async () => {
    const [x, y, z] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
    const [a1, a2, a3] = shop.ads;
    const [p1, p2] = shop.pins;
    await writeAdEvents(app, x.id, [{ kind: 'OUTBOUND_CLICK', adId: a1, pinId: p1, at: ago(2 * D) }]);
    await writeAdEvents(app, y.id, [
      { kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(3 * H), appType: 'MOBILE' },
    ]);
    await writeAdEvents(app, z.id, [{ kind: 'PIN_CLICK', adId: a3, pinId: p1, at: ago(D) }]);
    await sendConversions(app, owner, shop.account, [
      conversion('x-checkout', x, T),
      conversion('x-signup', x, T, { event_name: 'signup', custom_data: {} }),
      conversion('y-checkout', y, T, {
        action_source: 'app_ios',
        custom_data: { value: '7.25', currency: 'USD' },
      }),
      conversion('z-cart', z, T, { event_name: 'add_to_cart', custom_data: { value: '3.00' } }),
      conversion('z-lead', z, T, {
        event_name: 'lead',
        action_source: 'offline',
        custom_data: { value: '40' },
      }),
      // No column of its own: counted in TOTAL_CONVERSIONS and the total value only.
      conversion('z-content', z, T, { event_name: 'view_content', custom_data: { value: '1.000001' } }),
    ]);
    await waitAttribution(app);
  });

  it('campaigns, ad groups and ads count exactly the conversions credited to them, values in integer micro', async () => {
    const [c1, c2] = shop.campaigns;
    const [a1, a2, a3] = shop.ads;
    const ads = byAd();
    const campaigns = await sync('/campaigns/analytics', `${query('TOTAL')}&campaign_ids=${c1},${c2}`);
    expect(campaigns).toEqual([
      {
        CAMPAIGN_ID: c1,
        ...zero,
        CLICKTHROUGH_1: 1,
        TOTAL_CONVERSIONS: 3,
        TOTAL_CHECKOUT: 2,
        TOTAL_CLICK_CHECKOUT: 1,
        TOTAL_VIEW_CHECKOUT: 1,
        TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 19_750_000,
        TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
        TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 7_250_000,
        TOTAL_SIGNUP: 1,
        TOTAL_WEB_CHECKOUT: 1,
      },
      { CAMPAIGN_ID: c2, ...ads[a3] },
    ]);
    const groups = await sync(
      '/ad_groups/analytics',
      `${query('TOTAL')}&ad_group_ids=${shop.groups.join(',')}`,
    );
    expect(groups).toEqual([
      {
        AD_GROUP_ID: shop.groups[0],
        ...ads[a1],
        TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
        TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
        TOTAL_SIGNUP: 1,
        TOTAL_WEB_CHECKOUT: 1,
      },
      {
        AD_GROUP_ID: shop.groups[1],
        ...ads[a2],
        TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 7_250_000,
        TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 7_250_000,
      },
      { AD_GROUP_ID: shop.groups[2], ...ads[a3] },
    ]);
    const perAd = await sync('/ads/analytics', `${query('TOTAL')}&ad_ids=${shop.ads.join(',')}`);
    expect(perAd.map(({ AD_ID, ...rest }: { AD_ID: string }) => [AD_ID, rest])).toEqual(
      groups.map(({ AD_GROUP_ID: _g, ...rest }: { AD_GROUP_ID: string }, i: number) => [shop.ads[i], rest]),
    );
    const account = await sync('/analytics', query('TOTAL', ['TOTAL_CONVERSIONS', 'TOTAL_CHECKOUT']));
    expect(account).toEqual([{ AD_ACCOUNT_ID: shop.account, TOTAL_CONVERSIONS: 6, TOTAL_CHECKOUT: 2 }]);
  });

  it('a conversion counts in the day and hour of its event time, not of the click', async () => {
    const a1 = shop.ads[0];
    const days = await sync('/ads/analytics', `${query('DAY')}&ad_ids=${a1}`);
    expect(days).toEqual([
      { AD_ID: a1, DATE: dayOf(ago(2 * D)), ...zero, CLICKTHROUGH_1: 1 },
      {
        AD_ID: a1,
        DATE: dayOf(T),
        ...byAd()[a1],
        CLICKTHROUGH_1: 0,
        TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
        TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
        TOTAL_SIGNUP: 1,
        TOTAL_WEB_CHECKOUT: 1,
      },
    ]);
    const hours = await sync(
      '/ads/analytics',
      `start_date=${dayOf(ago(D))}&end_date=${end}&granularity=HOUR&columns=TOTAL_CONVERSIONS&ad_ids=${a1}`,
    );
    expect(hours).toEqual([{ AD_ID: a1, DATE: dayOf(T), HOUR: T.getUTCHours(), TOTAL_CONVERSIONS: 2 }]);
  });

  it('targeting analytics split conversions by the app type of the credited view or click', async () => {
    const res = await sync(
      '/ads/targeting_analytics',
      `${query('TOTAL', ['TOTAL_CONVERSIONS'])}&ad_ids=${shop.ads[1]}&targeting_types=APPTYPE`,
    );
    expect(res.data).toEqual([
      {
        targeting_type: 'APPTYPE',
        targeting_value: 'mobile',
        metrics: { AD_ID: shop.ads[1], TOTAL_CONVERSIONS: 1 },
      },
    ]);
  });

  it('a report file holds the numbers of the synchronous endpoint, and the values only reports have', async () => {
    const csv = await fetchReportFile(app, owner, shop.account, {
      start_date: start,
      end_date: end,
      granularity: 'DAY',
      level: 'AD_GROUP',
      columns: COLUMNS,
      report_format: 'CSV',
    });
    const expected = await sync(
      '/ad_groups/analytics',
      `${query('DAY')}&ad_group_ids=${shop.groups.join(',')}`,
    );
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(parseCsv(csv.text)).toEqual(expected);

    const json = await fetchReportFile(app, owner, shop.account, {
      start_date: start,
      end_date: end,
      granularity: 'TOTAL',
      level: 'CAMPAIGN',
      columns: [
        'TOTAL_CONVERSIONS',
        'TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR',
        'TOTAL_WEB_CLICK_CHECKOUT',
        'TOTAL_INAPP_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
        'TOTAL_OFFLINE_LEAD_VALUE_IN_MICRO_DOLLAR',
        'TOTAL_ADD_TO_CART_VALUE_IN_MICRO_DOLLAR',
      ],
      report_format: 'JSON',
    });
    const [c1, c2] = shop.campaigns;
    expect(JSON.parse(json.text)).toEqual({
      [c1]: [
        {
          CAMPAIGN_ID: c1,
          TOTAL_CONVERSIONS: 3,
          TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR: 19_750_000,
          TOTAL_WEB_CLICK_CHECKOUT: 1,
          TOTAL_INAPP_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 7_250_000,
          TOTAL_OFFLINE_LEAD_VALUE_IN_MICRO_DOLLAR: 0,
          TOTAL_ADD_TO_CART_VALUE_IN_MICRO_DOLLAR: 0,
        },
      ],
      [c2]: [
        {
          CAMPAIGN_ID: c2,
          TOTAL_CONVERSIONS: 3,
          TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR: 44_000_001,
          TOTAL_WEB_CLICK_CHECKOUT: 0,
          TOTAL_INAPP_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 0,
          TOTAL_OFFLINE_LEAD_VALUE_IN_MICRO_DOLLAR: 40_000_000,
          TOTAL_ADD_TO_CART_VALUE_IN_MICRO_DOLLAR: 3_000_000,
        },
      ],
    });
  });
});
