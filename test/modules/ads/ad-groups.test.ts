import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { call, makeAdAccount, makeCampaigns } from './helpers.js';

let app: App;
let owner: TestUser;
let account: string;
let awareness: string;
let consideration: string;
let cbo: string;
const DAY = 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);
const interest = INTERESTS[0]!;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  owner = await makeUser(app);
  account = await makeAdAccount(app, owner);
  const made = await makeCampaigns(app, owner, account, [
    { name: 'Aware', objective_type: 'AWARENESS', end_time: now() + 60 * DAY },
    { name: 'Consider', objective_type: 'CONSIDERATION' },
    {
      name: 'Optimized',
      objective_type: 'CONSIDERATION',
      is_campaign_budget_optimization: true,
      daily_spend_cap: 20_000_000,
    },
  ]);
  [awareness, consideration, cbo] = made.map((c) => c.id) as [string, string, string];
});

const base = () => `/v5/ad_accounts/${account}/ad_groups`;

const group = (extra: Record<string, unknown> = {}) => ({
  name: 'Group',
  campaign_id: consideration,
  billable_event: 'CLICKTHROUGH',
  budget_in_micro_currency: 10_000_000,
  bid_in_micro_currency: 500_000,
  ...extra,
});

async function create(items: object[]) {
  const res = await call(app, owner, 'POST', base(), items);
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/ad_groups', 200, res.json());
  return res.json().items as {
    data?: Record<string, unknown> & { id: string };
    exceptions: { code: number; message: string }[];
  }[];
}

describe('ad groups', () => {
  it('creates an ad group with budget, bid, targeting and schedule, as the spec shapes it', async () => {
    const [item] = await create([
      group({
        targeting_spec: {
          INTEREST: [interest.id],
          GENDER: ['female'],
          LOCATION: ['US', 'GB'],
          APPTYPE: ['web'],
        },
        pacing_delivery_type: 'ACCELERATED',
        placement_group: 'SEARCH',
        start_time: now() + DAY,
      }),
    ]);
    expect(item!.exceptions).toEqual([]);
    expect(item!.data).toMatchObject({
      campaign_id: consideration,
      ad_account_id: account,
      budget_in_micro_currency: 10_000_000,
      bid_in_micro_currency: 500_000,
      budget_type: 'DAILY',
      bid_strategy_type: 'MAX_BID',
      billable_event: 'CLICKTHROUGH',
      pacing_delivery_type: 'ACCELERATED',
      placement_group: 'SEARCH',
      summary_status: 'NOT_STARTED',
      type: 'adgroup',
      targeting_spec: { INTEREST: [interest.id], GENDER: ['female'] },
    });
    const got = await call(app, owner, 'GET', `${base()}/${item!.data!.id}`);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/ad_groups/{ad_group_id}', 200, got.json());
    expect(got.json()).toEqual(item!.data);
    const named = await call(
      app,
      owner,
      'GET',
      `${base()}?ad_group_ids=${item!.data!.id}&translate_interests_to_names=true`,
    );
    expect(named.json().items[0].targeting_spec.INTEREST).toEqual([interest.name]);
  });

  it('refuses each bad item alone, with the reason', async () => {
    const items = await create([
      group({ billable_event: 'IMPRESSION' }),
      group({ campaign_id: awareness, billable_event: 'CLICKTHROUGH' }),
      group({ budget_in_micro_currency: 500_000 }),
      group({ bid_in_micro_currency: 50_000 }),
      group({ bid_in_micro_currency: 20_000_000 }),
      group({ bid_strategy_type: 'AUTOMATIC_BID' }),
      group({ bid_strategy_type: 'TARGET_AVG', bid_in_micro_currency: null }),
      group({ budget_in_micro_currency: null }),
      group({ budget_type: 'LIFETIME' }),
      group({ targeting_spec: { GENDER: ['robot'] } }),
      group({ targeting_spec: { AUDIENCE_INCLUDE: ['123456'] } }),
      group({ targeting_spec: { INTEREST: ['999'] } }),
      group({ campaign_id: '424242' }),
      group({ placement_group: 'OTHER' }),
      group({ lifetime_frequency_cap: 3 }),
      group({ campaign_id: cbo }),
      group({
        campaign_id: cbo,
        budget_in_micro_currency: null,
        budget_type: 'CBO_ADGROUP',
        bid_in_micro_currency: 200_000,
      }),
      group({
        campaign_id: awareness,
        billable_event: 'IMPRESSION',
        bid_in_micro_currency: 3_000_000,
        end_time: now() + 90 * DAY,
      }),
      group({
        campaign_id: awareness,
        billable_event: 'IMPRESSION',
        bid_in_micro_currency: 3_000_000,
        lifetime_frequency_cap: 5,
      }),
    ]);
    const outcome = items.map((i) => (i.data ? 'ok' : i.exceptions[0]!.message));
    expect(outcome[0]).toMatch(/IMPRESSION does not fit a CONSIDERATION/);
    expect(outcome[1]).toMatch(/CLICKTHROUGH does not fit a AWARENESS/);
    expect(outcome[2]).toMatch(/budget_in_micro_currency must be/);
    expect(outcome[3]).toMatch(/bid floor, 100000 micro-units per click/);
    expect(outcome[4]).toMatch(/above the daily budget/);
    expect(outcome[5]).toMatch(/AUTOMATIC_BID sets its own bid/);
    expect(outcome[6]).toMatch(/TARGET_AVG needs bid/);
    expect(outcome[7]).toMatch(/needs a budget/);
    expect(outcome[8]).toMatch(/LIFETIME budget needs an end_time/);
    expect(outcome[9]).toMatch(/GENDER/);
    expect(outcome[10]).toMatch(/123456/);
    expect(outcome[11]).toMatch(/INTEREST/);
    expect(outcome[12]).toMatch(/Campaign 424242 not found/);
    expect(outcome[13]).toMatch(/OTHER/);
    expect(outcome[14]).toMatch(/IMPRESSION billing only/);
    expect(outcome[15]).toMatch(/the campaign holds the budget/);
    expect(outcome[16]).toBe('ok');
    expect(outcome[17]).toMatch(/after its campaign ends/);
    expect(outcome[18]).toBe('ok');
    expect(items[18]!.data).toMatchObject({ lifetime_frequency_cap: 5, billable_event: 'IMPRESSION' });
  });

  it('updates only what an item gives, re-checked as a whole', async () => {
    const [made] = await create([group()]);
    const id = made!.data!.id;
    const res = await call(app, owner, 'PATCH', base(), [
      { id, name: 'Renamed', bid_in_micro_currency: 700_000 },
      { id, budget_in_micro_currency: 600_000 },
      { id, bid_strategy_type: 'AUTOMATIC_BID' },
      { id, campaign_id: awareness },
      { id, budget_type: 'LIFETIME' },
      { id, targeting_spec: { LOCALE: ['en-US'] } },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', '/ad_accounts/{ad_account_id}/ad_groups', 200, res.json());
    const items = res.json().items;
    expect(items[0].data).toMatchObject({
      name: 'Renamed',
      bid_in_micro_currency: 700_000,
      budget_in_micro_currency: 10_000_000,
    });
    expect(items[1].exceptions[0].message).toMatch(/budget_in_micro_currency must be|above the daily budget/);
    expect(items[2].data).toMatchObject({ bid_strategy_type: 'AUTOMATIC_BID', bid_in_micro_currency: null });
    expect(items[3].exceptions[0].message).toMatch(/stays in its campaign/);
    expect(items[4].exceptions[0].message).toMatch(/only while an ad group is a draft/);
    expect(items[5].data.targeting_spec).toEqual({ LOCALE: ['en-US'] });
  });

  it('lists by campaign, ids and status', async () => {
    const other = await makeAdAccount(app, owner);
    const [c1, c2] = await makeCampaigns(app, owner, other, [
      { name: 'One', objective_type: 'CONSIDERATION' },
      { name: 'Two', objective_type: 'CONSIDERATION' },
    ]);
    const res = await call(app, owner, 'POST', `/v5/ad_accounts/${other}/ad_groups`, [
      group({ campaign_id: c1!.id }),
      group({ campaign_id: c1!.id, status: 'PAUSED' }),
      group({ campaign_id: `C${c2!.id}` }),
    ]);
    const ids = res.json().items.map((i: { data: { id: string } }) => i.data.id);
    const list = async (q: string) => {
      const r = await call(app, owner, 'GET', `/v5/ad_accounts/${other}/ad_groups?${q}`);
      expect(r.statusCode, r.body).toBe(200);
      expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/ad_groups', 200, r.json());
      return r.json().items.map((g: { id: string }) => g.id);
    };
    expect(await list('')).toEqual(ids);
    expect(await list(`campaign_ids=${c1!.id}`)).toEqual(ids.slice(0, 2));
    expect(await list(`campaign_ids=${c1!.id}&entity_statuses=PAUSED`)).toEqual([ids[1]]);
    expect(await list(`ad_group_ids=${ids[2]}&ad_group_ids=${ids[0]}`)).toEqual([ids[0], ids[2]]);
    expect(await list('campaign_ids=9999999999999999999')).toEqual([]);
  });
});
