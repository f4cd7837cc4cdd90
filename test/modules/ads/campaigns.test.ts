import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { call, makeAdAccount, makeCampaigns } from './helpers.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let account: string;
const DAY = 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, stranger] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
  account = await makeAdAccount(app, owner);
  await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${analyst.username}`, {
    role: 'ANALYST',
  });
});

const base = () => `/v5/ad_accounts/${account}/campaigns`;

describe('campaigns', () => {
  it('creates campaigns in bulk, each item alone, and answers the spec shape', async () => {
    const start = now() + DAY;
    const res = await call(app, owner, 'POST', base(), [
      {
        ad_account_id: account,
        name: 'Spring',
        objective_type: 'AWARENESS',
        daily_spend_cap: 5_000_000,
        start_time: start,
        end_time: start + 30 * DAY,
        tracking_urls: { impression: ['https://track.example/i'] },
      },
      {
        name: 'Both caps',
        objective_type: 'CONSIDERATION',
        daily_spend_cap: 5_000_000,
        lifetime_spend_cap: 9_000_000,
      },
      { name: 'Too small', objective_type: 'CONSIDERATION', lifetime_spend_cap: 999_999 },
      { name: 'Video', objective_type: 'VIDEO_COMPLETION' },
      { name: 'Backwards', objective_type: 'AWARENESS', start_time: start, end_time: start - 10 },
      { name: '  ', objective_type: 'AWARENESS' },
      { name: 'Elsewhere', objective_type: 'AWARENESS', ad_account_id: '123' },
      {
        name: 'Bad tracking',
        objective_type: 'AWARENESS',
        tracking_urls: { click: ['javascript:alert(1)'] },
      },
      { name: 'Plain', objective_type: 'WEB_CONVERSION', status: 'PAUSED', lifetime_spend_cap: 100_000_000 },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/campaigns', 200, res.json());
    const items = res.json().items;
    expect(items.map((i: { data?: unknown }) => i.data !== undefined)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(items[1].exceptions[0].message).toMatch(/not both/);
    expect(items[2].exceptions[0].message).toMatch(/at least 1000000/);
    expect(items[3].exceptions[0].message).toMatch(/video/);
    expect(items[4].exceptions[0].message).toMatch(/end_time must be after/);
    expect(items[6].exceptions[0].message).toMatch(/not the ad account/);
    expect(items[7].exceptions[0].message).toMatch(/http/);
    expect(items[0].data).toMatchObject({
      ad_account_id: account,
      name: 'Spring',
      status: 'ACTIVE',
      daily_spend_cap: 5_000_000,
      lifetime_spend_cap: null,
      start_time: start,
      summary_status: 'NOT_STARTED',
      type: 'campaign',
    });
    expect(items[8].data).toMatchObject({ status: 'PAUSED', summary_status: 'PAUSED' });
    // Nothing of the failed items was written.
    const names = (
      await app.deps.db
        .selectFrom('ad_campaigns')
        .select('name')
        .where('ad_account_id', '=', account)
        .execute()
    ).map((r) => r.name);
    expect(names.sort()).toEqual(['Plain', 'Spring']);
  });

  it('refuses more than 30 items, and types the schema refuses, as a whole', async () => {
    const many = Array.from({ length: 31 }, (_, i) => ({ name: `C${i}`, objective_type: 'AWARENESS' }));
    for (const body of [
      many,
      [],
      [{ name: 'x', objective_type: 'SELLING' }],
      [{ name: 'x', objective_type: 'AWARENESS', daily_spend_cap: '5' }],
      {},
    ]) {
      const res = await call(app, owner, 'POST', base(), body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
  });

  it('updates only the fields an item gives, each item alone; ARCHIVED is final', async () => {
    const [a, b] = await makeCampaigns(app, owner, account, [
      { name: 'A', objective_type: 'AWARENESS', daily_spend_cap: 2_000_000 },
      { name: 'B', objective_type: 'AWARENESS' },
    ]);
    const res = await call(app, owner, 'PATCH', base(), [
      { id: a!.id, name: 'A2', status: 'PAUSED' },
      { id: b!.id, status: 'ARCHIVED' },
      { id: '999999999', name: 'ghost' },
      { id: a!.id, lifetime_spend_cap: 50_000_000 },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', '/ad_accounts/{ad_account_id}/campaigns', 200, res.json());
    const items = res.json().items;
    expect(items[0].data).toMatchObject({
      name: 'A2',
      status: 'PAUSED',
      daily_spend_cap: 2_000_000,
      objective_type: 'AWARENESS',
    });
    expect(items[1].data).toMatchObject({ status: 'ARCHIVED', summary_status: 'ARCHIVED' });
    expect(items[2].exceptions[0]).toMatchObject({ code: 2603 });
    expect(items[3].exceptions[0].message).toMatch(/not both/);
    const again = await call(app, owner, 'PATCH', base(), [{ id: b!.id, status: 'ACTIVE' }]);
    expect(again.json().items[0].exceptions[0].message).toMatch(/archived/);
    const cleared = await call(app, owner, 'PATCH', base(), [
      { id: a!.id, daily_spend_cap: null, lifetime_spend_cap: 50_000_000 },
    ]);
    expect(cleared.json().items[0].data).toMatchObject({
      daily_spend_cap: null,
      lifetime_spend_cap: 50_000_000,
    });
  });

  it('lists by status and id in pages either way, and reads one', async () => {
    const other = await makeAdAccount(app, owner);
    const made = await makeCampaigns(
      app,
      owner,
      other,
      Array.from({ length: 5 }, (_, i) => ({
        name: `L${i}`,
        objective_type: 'AWARENESS',
        status: i === 4 ? 'ARCHIVED' : 'ACTIVE',
      })),
    );
    const ids = made.map((c) => c.id);
    const collect = async (query: string) => {
      const seen: string[] = [];
      let bookmark: string | null = null;
      do {
        const res = await call(
          app,
          analyst,
          'GET',
          `/v5/ad_accounts/${other}/campaigns?page_size=2${query}${bookmark ? `&bookmark=${bookmark}` : ''}`,
        );
        if (res.statusCode !== 200) return res.statusCode;
        expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/campaigns', 200, res.json());
        seen.push(...res.json().items.map((c: { id: string }) => c.id));
        bookmark = res.json().bookmark;
      } while (bookmark);
      return seen;
    };
    // The analyst has no role on this account: it does not exist for them.
    expect(await collect('')).toBe(404);
    await call(app, owner, 'PUT', `/v5/ad_accounts/${other}/members/${analyst.username}`, {
      role: 'ANALYST',
    });
    expect(await collect('')).toEqual(ids.slice(0, 4));
    expect(await collect('&order=DESCENDING')).toEqual(ids.slice(0, 4).reverse());
    expect(await collect('&entity_statuses=ARCHIVED')).toEqual([ids[4]]);
    expect(
      await collect(
        `&campaign_ids=${ids[1]},${ids[3]}&campaign_ids=${ids[4]}&entity_statuses=ACTIVE&entity_statuses=ARCHIVED`,
      ),
    ).toEqual([ids[1], ids[3], ids[4]]);
    const one = await call(app, analyst, 'GET', `/v5/ad_accounts/${other}/campaigns/${ids[0]}`);
    expect(one.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/campaigns/{campaign_id}', 200, one.json());
    expect(
      (await call(app, analyst, 'GET', `/v5/ad_accounts/${account}/campaigns/${ids[0]}`)).statusCode,
    ).toBe(404);
    expect(
      (await call(app, stranger, 'GET', `/v5/ad_accounts/${other}/campaigns/${ids[0]}`)).statusCode,
    ).toBe(404);
    expect(
      (await call(app, analyst, 'GET', `/v5/ad_accounts/${other}/campaigns/99999999999999999999`)).statusCode,
    ).toBe(400);
  });

  it('lets analysts read but not write', async () => {
    const res = await call(app, analyst, 'POST', base(), [{ name: 'x', objective_type: 'AWARENESS' }]);
    expect(res.statusCode).toBe(403);
  });
});
