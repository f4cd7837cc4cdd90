import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { INTERESTS } from '../../src/modules/interests/index.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser } from '../helpers/factories.js';
import { at, daysAgo, times, writeAdEvents } from '../modules/ads/analytics-helpers.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * An advertiser sets up everything a promoted-pin campaign needs through the API alone, reads it all
 * back, sends conversions with a conversion token, and downloads a report whose numbers are the events'.
 */
describe('an advertiser sets up a campaign end to end', () => {
  it('account, campaign, two ad groups, ads, keywords, a customer-list audience, conversions and a report', async () => {
    const app = await startTestApp();
    const advertiser = await makeUser(app);
    const customers = await Promise.all([1, 2, 3].map(() => makeUser(app)));
    /** A call that must succeed, its answer checked against the spec's operation (`spec`). */
    const json = async (method: 'GET' | 'POST', url: string, spec: string, payload?: unknown) => {
      const res = await app.http.inject({
        method,
        url,
        headers: await advertiser.auth(),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
      expectResponseMatchesSpec(method, spec, 200, res.json());
      return res.json();
    };
    const A = '/ad_accounts/{ad_account_id}';

    // The pins to promote: the advertiser's own, on a public board.
    const board = await makeBoard(app, advertiser, { name: 'Lamps', description: 'Home decor lighting' });
    const lamp = await makePin(app, advertiser, board.id, { title: 'Brass floor lamp' });
    const rug = await makePin(app, advertiser, board.id, { title: 'Wool rug' });

    const account = (
      await json('POST', '/v5/ad_accounts', '/ad_accounts', {
        name: 'Lamp shop',
        country: 'GB',
        currency: 'GBP',
      })
    ).id;
    const a = `/v5/ad_accounts/${account}`;
    const campaign = (
      await json('POST', `${a}/campaigns`, `${A}/campaigns`, [
        { name: 'Autumn', objective_type: 'CONSIDERATION', daily_spend_cap: 20_000_000 },
      ])
    ).items[0].data;

    // A customer list of hashed e-mails, matched to people, and an audience of it.
    const list = await json('POST', `${a}/customer_lists`, `${A}/customer_lists`, {
      name: 'Newsletter',
      list_type: 'EMAIL',
      records: customers.map((c) => sha(`${c.username}@example.org`)).join(','),
    });
    const audience = await json('POST', `${a}/audiences`, `${A}/audiences`, {
      name: 'Newsletter readers',
      audience_type: 'CUSTOMER_LIST',
      rule: { customer_list_id: list.id },
    });

    const decor = INTERESTS.find((i) => i.key === 'home decor')!;
    const groups = (
      await json('POST', `${a}/ad_groups`, `${A}/ad_groups`, [
        {
          name: 'Search: lamps',
          campaign_id: campaign.id,
          billable_event: 'CLICKTHROUGH',
          budget_in_micro_currency: 5_000_000,
          bid_in_micro_currency: 300_000,
          placement_group: 'SEARCH',
          targeting_spec: { AUDIENCE_INCLUDE: [audience.id], LOCATION: ['GB'] },
        },
        {
          name: 'Browse: decor',
          campaign_id: campaign.id,
          billable_event: 'CLICKTHROUGH',
          budget_in_micro_currency: 8_000_000,
          pacing_delivery_type: 'ACCELERATED',
          placement_group: 'BROWSE',
          targeting_spec: { INTEREST: [decor.id], GENDER: ['female', 'unknown'] },
        },
      ])
    ).items.map((i: { data: { id: string } }) => i.data);
    const ads = (
      await json('POST', `${a}/ads`, `${A}/ads`, [
        {
          ad_group_id: groups[0].id,
          pin_id: lamp,
          creative_type: 'REGULAR',
          destination_url: 'https://lamps.example/brass',
        },
        {
          ad_group_id: groups[1].id,
          pin_id: rug,
          creative_type: 'REGULAR',
          destination_url: 'https://lamps.example/rug',
        },
      ])
    ).items.map((i: { data: { id: string; review_status: string } }) => i.data);
    expect(ads.map((ad: { review_status: string }) => ad.review_status)).toEqual(['APPROVED', 'APPROVED']);
    const keywords = await json('POST', `${a}/keywords`, `${A}/keywords`, {
      parent_id: groups[0].id,
      keywords: [
        { value: 'floor lamp', match_type: 'PHRASE', bid: 400_000 },
        { value: 'cheap', match_type: 'EXACT_NEGATIVE' },
      ],
    });
    expect(keywords.errors).toEqual([]);

    // Conversions through a token that can do nothing else.
    const token = (await json('POST', '/v5/oauth/conversion_token', '/oauth/conversion_token')).access_token;
    const conversions = await app.http.inject({
      method: 'POST',
      url: `${a}/events`,
      headers: { authorization: `Bearer ${token}` },
      payload: {
        data: customers.map((c, i) => ({
          event_name: 'checkout',
          action_source: 'web',
          event_time: Math.floor(Date.now() / 1000) - 60,
          event_id: `order-${i}`,
          user_data: { em: [sha(`${c.username}@example.org`)] },
          custom_data: { currency: 'GBP', value: '19.99' },
        })),
      },
    });
    expect(conversions.json()).toMatchObject({ num_events_received: 3, num_events_processed: 3 });
    const matched = await app.deps.db
      .selectFrom('ad_conversions')
      .select(['user_id', 'value_micro'])
      .where('ad_account_id', '=', account)
      .execute();
    expect(matched.map((r) => r.user_id).sort()).toEqual(customers.map((c) => c.id).sort());
    expect(matched.every((r) => r.value_micro === '19990000')).toBe(true);

    // Everything reads back as written.
    expect(await json('GET', a, A)).toMatchObject({
      name: 'Lamp shop',
      currency: 'GBP',
      permissions: ['OWNER'],
    });
    expect(await json('GET', `${a}/campaigns/${campaign.id}`, `${A}/campaigns/{campaign_id}`)).toMatchObject({
      daily_spend_cap: 20_000_000,
    });
    const listed = await json('GET', `${a}/ad_groups?campaign_ids=${campaign.id}`, `${A}/ad_groups`);
    expect(
      listed.items.map((g: { name: string; targeting_spec: object }) => [g.name, g.targeting_spec]),
    ).toEqual([
      ['Search: lamps', { AUDIENCE_INCLUDE: [audience.id], LOCATION: ['GB'] }],
      ['Browse: decor', { GENDER: ['unknown', 'female'], INTEREST: [decor.id] }],
    ]);
    expect(
      (await json('GET', `${a}/ads?campaign_ids=${campaign.id}`, `${A}/ads`)).items.map(
        (ad: { pin_id: string }) => ad.pin_id,
      ),
    ).toEqual([lamp, rug]);
    expect(
      (await json('GET', `${a}/keywords?ad_group_id=${groups[0].id}`, `${A}/keywords`)).items.map(
        (k: { value: string }) => k.value,
      ),
    ).toEqual(['floor lamp', 'cheap']);
    expect(await json('GET', `${a}/audiences/${audience.id}`, `${A}/audiences/{audience_id}`)).toMatchObject({
      audience_type: 'CUSTOMER_LIST',
    });
    expect(
      await json('GET', `${a}/customer_lists/${list.id}`, `${A}/customer_lists/{customer_list_id}`),
    ).toMatchObject({ num_uploaded_user_records: 3 });

    // The ads are shown and clicked (events the ad server will write); a report counts them.
    const day = daysAgo(1);
    await writeAdEvents(app, customers[0]!.id, [
      ...times(40, { kind: 'IMPRESSION', adId: ads[0].id, pinId: lamp, at: at(day, 9) }),
      ...times(3, { kind: 'PIN_CLICK', adId: ads[0].id, pinId: lamp, at: at(day, 9, 5) }),
      ...times(25, { kind: 'IMPRESSION', adId: ads[1].id, pinId: rug, at: at(day, 14) }),
      { kind: 'SAVE', adId: ads[1].id, pinId: rug, at: at(day, 14, 1) },
    ]);
    const report = await json('POST', `${a}/reports`, `${A}/reports`, {
      start_date: day,
      end_date: day,
      granularity: 'DAY',
      level: 'PIN_PROMOTION',
      columns: ['PIN_PROMOTION_ID', 'IMPRESSION_1', 'CLICKTHROUGH_1', 'REPIN_1', 'CTR'],
      report_format: 'CSV',
    });
    const finished = await eventually(async () => {
      const s = await json('GET', `${a}/reports?token=${report.token}`, `${A}/reports`);
      return s.report_status === 'FINISHED' ? s : undefined;
    });
    const url = new URL(finished.url);
    const file = await app.http.inject({ method: 'GET', url: url.pathname + url.search });
    expect(file.statusCode).toBe(200);
    const [header, ...rows] = file.body.trim().split(/\r?\n/);
    const columns = header!.split(',');
    const byAd = new Map(
      rows.map((line) => {
        const cells = Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]));
        return [cells.PIN_PROMOTION_ID, cells];
      }),
    );
    expect(byAd.get(ads[0].id)).toMatchObject({
      IMPRESSION_1: '40',
      CLICKTHROUGH_1: '3',
      REPIN_1: '0',
      CTR: '0.075',
    });
    expect(byAd.get(ads[1].id)).toMatchObject({
      IMPRESSION_1: '25',
      CLICKTHROUGH_1: '0',
      REPIN_1: '1',
      CTR: '0',
    });
    await app.close();
  });
});
