import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../../helpers/factories.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from './helpers.js';

let app: App;
let owner: TestUser;
let manager: TestUser;
let other: TestUser;
let account: string;
let group: string;
let secondGroup: string;
let publicPin: string;
let secretPin: string;
let othersPin: string;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, manager, other] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
  account = await makeAdAccount(app, owner);
  await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${manager.username}`, {
    role: 'CAMPAIGN_MANAGER',
  });
  const [campaign] = await makeCampaigns(app, owner, account, [
    { name: 'C', objective_type: 'CONSIDERATION' },
  ]);
  [{ id: group }, { id: secondGroup }] = (await makeAdGroups(app, owner, account, [
    {
      name: 'G1',
      campaign_id: campaign!.id,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
    },
    {
      name: 'G2',
      campaign_id: campaign!.id,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
    },
  ])) as [{ id: string }, { id: string }];
  const board = await makeBoard(app, owner, { name: 'Shop' });
  const secret = await makeBoard(app, owner, { name: 'Drafts', privacy: 'SECRET' });
  publicPin = await makePin(app, owner, board.id, { title: 'Lamp' });
  await app.deps.db
    .updateTable('pins')
    .set({ link: 'https://shop.example/lamp' })
    .where('id', '=', publicPin)
    .execute();
  secretPin = await makePin(app, owner, secret.id, { title: 'Unreleased' });
  othersPin = await makePin(app, other, (await makeBoard(app, other)).id);
});

const base = () => `/v5/ad_accounts/${account}/ads`;

async function create(user: TestUser, items: object[]) {
  const res = await call(app, user, 'POST', base(), items);
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/ads', 200, res.json());
  return res.json().items as {
    data?: Record<string, unknown> & { id: string };
    exceptions?: { message: string };
  }[];
}

describe('ads', () => {
  it("promotes the advertiser's own public pin, approved, and reads it back", async () => {
    const [item] = await create(manager, [
      { ad_group_id: group, pin_id: publicPin, creative_type: 'REGULAR', name: 'Lamp ad' },
    ]);
    expect(item!.exceptions).toBeUndefined();
    expect(item!.data).toMatchObject({
      ad_group_id: group,
      pin_id: publicPin,
      ad_account_id: account,
      destination_url: 'https://shop.example/lamp',
      review_status: 'APPROVED',
      summary_status: 'APPROVED',
      is_pin_deleted: false,
      status: 'ACTIVE',
      type: 'pinpromotion',
    });
    const got = await call(app, owner, 'GET', `${base()}/${item!.data!.id}`);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/ads/{ad_id}', 200, got.json());
    expect(got.json()).toEqual(item!.data);
  });

  it('refuses pins the advertiser may not promote and creatives Corkboard does not serve, each alone', async () => {
    const items = await create(owner, [
      { ad_group_id: group, pin_id: othersPin, creative_type: 'REGULAR' },
      { ad_group_id: group, pin_id: '4242424242', creative_type: 'REGULAR' },
      { ad_group_id: group, pin_id: publicPin, creative_type: 'VIDEO' },
      {
        ad_group_id: group,
        pin_id: publicPin,
        creative_type: 'REGULAR',
        carousel_destination_urls: ['https://x.example'],
      },
      {
        ad_group_id: group,
        pin_id: publicPin,
        creative_type: 'REGULAR',
        destination_url: 'javascript:alert(1)',
      },
      { ad_group_id: '4242', pin_id: publicPin, creative_type: 'REGULAR' },
      { ad_group_id: group, pin_id: publicPin, creative_type: 'REGULAR', ios_deep_link: 'myshop://lamp' },
    ]);
    const outcome = items.map((i) => (i.data ? 'ok' : i.exceptions!.message));
    expect(outcome[0]).toMatch(/not a pin this advertiser may promote/);
    expect(outcome[1]).toMatch(/not a pin this advertiser may promote/);
    expect(outcome[2]).toMatch(/image pins only/);
    expect(outcome[3]).toMatch(/CAROUSEL/);
    expect(outcome[4]).toMatch(/destination_url must be an http/);
    expect(outcome[5]).toMatch(/Ad group 4242 not found/);
    expect(outcome[6]).toBe('ok');
    expect(items[6]!.data!.ios_deep_link).toBe('myshop://lamp');
  });

  it('records a secret pin as rejected, and follows the pin when it is deleted', async () => {
    const [secret, pub] = await create(owner, [
      { ad_group_id: group, pin_id: secretPin, creative_type: 'REGULAR' },
      { ad_group_id: secondGroup, pin_id: publicPin, creative_type: 'REGULAR' },
    ]);
    expect(secret!.data).toMatchObject({
      review_status: 'REJECTED',
      summary_status: 'REJECTED',
      is_pin_deleted: false,
    });
    expect(secret!.data!.rejection_labels).toEqual(['The pin is not on a public board.']);
    const del = await app.http.inject({
      method: 'DELETE',
      url: `/v5/pins/${publicPin}`,
      headers: await owner.auth(),
    });
    expect(del.statusCode).toBe(204);
    const after = await call(app, owner, 'GET', `${base()}/${pub!.data!.id}`);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/ads/{ad_id}', 200, after.json());
    expect(after.json()).toMatchObject({
      is_pin_deleted: true,
      review_status: 'REJECTED',
      summary_status: 'REJECTED',
    });
  });

  it('updates only what an item gives; keeps its ad group and pin', async () => {
    const board = await makeBoard(app, owner);
    const pin = await makePin(app, owner, board.id);
    const [made] = await create(owner, [{ ad_group_id: group, pin_id: pin, creative_type: 'REGULAR' }]);
    const id = made!.data!.id;
    const res = await call(app, owner, 'PATCH', base(), [
      { id, status: 'PAUSED', name: 'Renamed' },
      { id, pin_id: publicPin },
      { id, ad_group_id: secondGroup },
      { id: '4242424242', name: 'ghost' },
      { id, creative_type: 'SHOPPING' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', '/ad_accounts/{ad_account_id}/ads', 200, res.json());
    const items = res.json().items;
    expect(items[0].data).toMatchObject({
      status: 'PAUSED',
      name: 'Renamed',
      summary_status: 'PAUSED',
      pin_id: pin,
    });
    expect(items[1].exceptions.message).toMatch(/keeps its pin/);
    expect(items[2].exceptions.message).toMatch(/stays in its ad group/);
    expect(items[3].exceptions.code).toBe(2605);
    expect(items[4].exceptions.message).toMatch(/image pins only/);
    // A board turned secret rejects its pins' ads, as read now.
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board.id}`,
      headers: await owner.auth(),
      payload: { privacy: 'SECRET' },
    });
    const now = await call(app, owner, 'GET', `${base()}/${id}`);
    expect(now.json()).toMatchObject({ review_status: 'REJECTED' });
  });

  it('lists by ad group, campaign and id; hides the account from strangers; analysts may not write', async () => {
    const list = await call(
      app,
      owner,
      'GET',
      `${base()}?ad_group_ids=${secondGroup}&entity_statuses=ACTIVE&entity_statuses=PAUSED`,
    );
    expect(list.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/ads', 200, list.json());
    expect(list.json().items.every((a: { ad_group_id: string }) => a.ad_group_id === secondGroup)).toBe(true);
    expect(list.json().items.length).toBeGreaterThan(0);
    expect((await call(app, other, 'GET', base())).statusCode).toBe(404);
    const analyst = await makeUser(app);
    await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${analyst.username}`, {
      role: 'ANALYST',
    });
    expect(
      (
        await call(app, analyst, 'POST', base(), [
          { ad_group_id: group, pin_id: secretPin, creative_type: 'REGULAR' },
        ])
      ).statusCode,
    ).toBe(403);
    expect((await call(app, analyst, 'GET', base())).statusCode).toBe(200);
  });
});
