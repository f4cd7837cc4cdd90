import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { volumeRange } from '../../../src/modules/ads/keywords/keywords.service.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from './helpers.js';

let app: App;
let owner: TestUser;
let account: string;
let campaign: string;
let clickGroup: string;
let cpmGroup: string;
let browseGroup: string;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  owner = await makeUser(app);
  account = await makeAdAccount(app, owner);
  const [consider, aware] = await makeCampaigns(app, owner, account, [
    { name: 'Consider', objective_type: 'CONSIDERATION' },
    { name: 'Aware', objective_type: 'AWARENESS' },
  ]);
  campaign = consider!.id;
  const groups = await makeAdGroups(app, owner, account, [
    {
      name: 'Click',
      campaign_id: campaign,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
    },
    {
      name: 'CPM',
      campaign_id: aware!.id,
      billable_event: 'IMPRESSION',
      budget_in_micro_currency: 10_000_000,
    },
    {
      name: 'Browse',
      campaign_id: campaign,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
      placement_group: 'BROWSE',
    },
  ]);
  [clickGroup, cpmGroup, browseGroup] = groups.map((g) => g.id) as [string, string, string];
});

const base = () => `/v5/ad_accounts/${account}/keywords`;

async function create(parent_id: string, keywords: object[]) {
  const res = await call(app, owner, 'POST', base(), { parent_id, keywords });
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/keywords', 200, res.json());
  return res.json() as {
    keywords: { id: string; value: string; match_type: string; bid: number | null; parent_type: string }[];
    errors: { data: { value: string }; error_messages: string[] }[];
  };
}

describe('keywords', () => {
  it('adds an ad group keywords of every match type, each alone, with the reasons for the refused', async () => {
    const out = await create(`AG${clickGroup}`, [
      { value: 'Mid century lamp', match_type: 'BROAD', bid: 400_000 },
      { value: 'floor lamp', match_type: 'PHRASE' },
      { value: 'desk lamp', match_type: 'EXACT', bid: null },
      { value: 'cheap', match_type: 'EXACT_NEGATIVE' },
      { value: 'free', match_type: 'PHRASE_NEGATIVE', bid: 200_000 },
      { value: 'MID CENTURY LAMP', match_type: 'BROAD' },
      { value: 'tiny bid', match_type: 'BROAD', bid: 10 },
      { value: '   ', match_type: 'BROAD' },
      { value: 'x'.repeat(81), match_type: 'BROAD' },
      { value: 'no type', match_type: null },
    ]);
    expect(out.keywords.map((k) => [k.value, k.match_type, k.bid, k.parent_type])).toEqual([
      ['Mid century lamp', 'BROAD', 400_000, 'ad_group'],
      ['floor lamp', 'PHRASE', null, 'ad_group'],
      ['desk lamp', 'EXACT', null, 'ad_group'],
      ['cheap', 'EXACT_NEGATIVE', null, 'ad_group'],
    ]);
    expect(out.errors.map((e) => [e.data.value, e.error_messages[0]])).toEqual([
      ['free', expect.stringMatching(/excluding keyword has no bid/)],
      ['MID CENTURY LAMP', expect.stringMatching(/already a keyword/)],
      ['tiny bid', expect.stringMatching(/bid floor, 100000/)],
      ['   ', expect.stringMatching(/1 to 80/)],
      ['x'.repeat(81), expect.stringMatching(/1 to 80/)],
      ['no type', expect.stringMatching(/match_type is required/)],
    ]);
  });

  it('takes only excluding keywords on campaigns and the account, and no bids where billing is not per click', async () => {
    const onCampaign = await create(`C${campaign}`, [
      { value: 'used', match_type: 'EXACT_NEGATIVE' },
      { value: 'lamp', match_type: 'BROAD' },
    ]);
    expect(onCampaign.keywords.map((k) => k.parent_type)).toEqual(['campaign']);
    expect(onCampaign.errors[0]!.error_messages[0]).toMatch(/only accept excluding/);
    const onAccount = await create(account, [{ value: 'broken', match_type: 'PHRASE_NEGATIVE' }]);
    expect(onAccount.keywords.map((k) => k.parent_type)).toEqual(['advertiser']);
    const cpm = await create(cpmGroup, [{ value: 'lamp', match_type: 'BROAD', bid: 500_000 }]);
    expect(cpm.errors[0]!.error_messages[0]).toMatch(/per click/);
    const browse = await create(browseGroup, [
      { value: 'lamp', match_type: 'BROAD' },
      { value: 'ugly', match_type: 'EXACT_NEGATIVE' },
    ]);
    expect(browse.errors[0]!.error_messages[0]).toMatch(/BROWSE/);
    expect(browse.keywords).toHaveLength(1);
    const nowhere = await call(app, owner, 'POST', base(), {
      parent_id: '4242424242',
      keywords: [{ value: 'x', match_type: 'BROAD' }],
    });
    expect(nowhere.statusCode).toBe(404);
  });

  it('lists by parent and match type in pages; archives and rebids', async () => {
    const group = (
      await makeAdGroups(app, owner, account, [
        {
          name: 'List',
          campaign_id: campaign,
          billable_event: 'CLICKTHROUGH',
          budget_in_micro_currency: 10_000_000,
        },
      ])
    )[0]!.id;
    const made = await create(group, [
      { value: 'a', match_type: 'BROAD' },
      { value: 'b', match_type: 'EXACT' },
      { value: 'c', match_type: 'BROAD' },
    ]);
    const list = async (q: string) => {
      const res = await call(app, owner, 'GET', `${base()}?${q}`);
      expect(res.statusCode, res.body).toBe(200);
      expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/keywords', 200, res.json());
      return res.json();
    };
    const first = await list(`ad_group_id=${group}&page_size=2`);
    const second = await list(`ad_group_id=${group}&page_size=2&bookmark=${first.bookmark}`);
    expect([...first.items, ...second.items].map((k: { value: string }) => k.value)).toEqual(['a', 'b', 'c']);
    expect(
      (await list(`ad_group_ids=${group}&match_types=EXACT`)).items.map((k: { value: string }) => k.value),
    ).toEqual(['b']);
    expect((await list(`campaign_id=${campaign}`)).items.map((k: { value: string }) => k.value)).toEqual([
      'used',
    ]);
    expect((await list('')).items.map((k: { value: string }) => k.value)).toEqual(['broken']);
    const [a, b] = made.keywords;
    const res = await call(app, owner, 'PATCH', base(), {
      keywords: [
        { id: a!.id, archived: true },
        { id: b!.id, bid: 300_000 },
        { id: b!.id, bid: 1 },
        { id: '4242424242', archived: true },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', '/ad_accounts/{ad_account_id}/keywords', 200, res.json());
    expect(
      res.json().keywords.map((k: { archived: boolean; bid: number | null }) => [k.archived, k.bid]),
    ).toEqual([
      [true, null],
      [false, 300_000],
    ]);
    expect(res.json().errors).toHaveLength(2);
    const again = await create(group, [{ value: 'A', match_type: 'BROAD' }]);
    expect(again.errors[0]!.error_messages[0]).toMatch(/exists archived/);
  });

  it("reports search volume from Corkboard's own searches, as ranges that hide small counts", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    await app.deps.db
      .insertInto('search_term_daily' as never)
      .values([
        { term: 'floor lamp', day: today, searches: 800 },
        { term: 'brass floor lamp ideas', day: today, searches: 350 },
        { term: 'floor lamps', day: today, searches: 5000 },
        { term: 'floor lamp', day: old, searches: 100000 },
        { term: '100% wool rug', day: today, searches: 150 },
      ] as never)
      .execute();
    const res = await call(
      app,
      owner,
      'GET',
      `${base()}/metrics?country_code=US&keywords=${encodeURIComponent('floor lamp,wool rug,Floor  Lamp,100%,nothing here')}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/keywords/metrics', 200, res.json());
    expect(res.json().data).toEqual([
      { keyword: 'floor lamp', metrics: { keyword_query_volume: '1K-10K' } },
      { keyword: 'wool rug', metrics: { keyword_query_volume: '100-1K' } },
      { keyword: 'Floor  Lamp', metrics: { keyword_query_volume: '1K-10K' } },
      { keyword: '100%', metrics: { keyword_query_volume: '100-1K' } },
      { keyword: 'nothing here', metrics: { keyword_query_volume: '<100' } },
    ]);
    expect([0, 99, 100, 999_999, 1_000_000, 5_000_000].map(volumeRange)).toEqual([
      '<100',
      '<100',
      '100-1K',
      '100K-1M',
      '1M-5M',
      '5M+',
    ]);
    const bad = await call(app, owner, 'GET', `${base()}/metrics?country_code=usa&keywords=x`);
    expect(bad.statusCode).toBe(400);
  });
});
