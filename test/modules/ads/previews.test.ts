import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../../helpers/factories.js';
import { call, makeAdAccount } from './helpers.js';

let app: App;
let owner: TestUser;
let other: TestUser;
let account: string;
let jpy: string;
let pin: string;
let secretPin: string;
let othersPin: string;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, other] = await Promise.all([makeUser(app), makeUser(app)]);
  account = await makeAdAccount(app, owner, { name: 'Lamps & <Co>' });
  jpy = await makeAdAccount(app, owner, { currency: 'JPY', country: 'JP' });
  pin = await makePin(app, owner, (await makeBoard(app, owner)).id, {
    title: 'Brass <lamp>',
    description: 'Warm light',
  });
  secretPin = await makePin(app, owner, (await makeBoard(app, owner, { privacy: 'SECRET' })).id);
  othersPin = await makePin(app, other, (await makeBoard(app, other)).id);
});

describe('bid floors', () => {
  it('answers the floor per billable event in the currency asked, in micro-units', async () => {
    const res = await call(
      app,
      owner,
      'POST',
      `/v5/ad_accounts/${account}/bid_floor`,
      {
        bid_floor_specs: [
          { billable_event: 'CLICKTHROUGH', currency: 'USD' },
          { billable_event: 'IMPRESSION', currency: 'USD', countries: ['US'] },
          { billable_event: 'CLICKTHROUGH', currency: 'JPY' },
        ],
        targeting_spec: { GENDER: ['female'] },
      },
      ['ads:read'],
    );
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/bid_floor', 200, res.json());
    expect(res.json()).toEqual({ bid_floors: [100_000, 2_000_000, 10_000_000], type: 'bidfloor' });
    for (const body of [
      { bid_floor_specs: [{ billable_event: 'VIDEO_V_50_MRC', currency: 'USD' }] },
      { bid_floor_specs: [{ billable_event: 'CLICKTHROUGH', currency: 'UNK' }] },
      {
        bid_floor_specs: [{ billable_event: 'CLICKTHROUGH', currency: 'USD' }],
        targeting_spec: { GENDER: ['x'] },
      },
      { bid_floor_specs: [] },
    ]) {
      const bad = await call(app, owner, 'POST', `/v5/ad_accounts/${jpy}/bid_floor`, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(
      (
        await call(app, other, 'POST', `/v5/ad_accounts/${account}/bid_floor`, {
          bid_floor_specs: [{ billable_event: 'CLICKTHROUGH', currency: 'USD' }],
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('ad previews', () => {
  it("shows the advertiser's pin as a promoted pin at a URL that needs no token, escaped and unscripted", async () => {
    const res = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ad_previews`, { pin_id: pin });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/ad_previews', 200, res.json());
    const url = new URL(res.json().url);
    const page = await app.http.inject({ method: 'GET', url: url.pathname + url.search });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).toContain('Brass &lt;lamp&gt;');
    expect(page.body).toContain('Promoted by <strong>Lamps &amp; &lt;Co&gt;</strong>');
    expect(page.body).not.toContain('<script');
    // A forged or altered token shows nothing.
    const [body, mac] = url.searchParams.get('token')!.split('.');
    const tampered = await app.http.inject({ method: 'GET', url: `/ad_previews?token=${body}x.${mac}` });
    expect(tampered.statusCode).toBe(404);
    // Once the pin is not public, its preview is gone.
    const board = (
      await app.http.inject({ method: 'GET', url: `/v5/pins/${pin}`, headers: await owner.auth() })
    ).json().board_id;
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board}`,
      headers: await owner.auth(),
      payload: { privacy: 'SECRET' },
    });
    expect((await app.http.inject({ method: 'GET', url: url.pathname + url.search })).statusCode).toBe(404);
  });

  it('previews an image and title; refuses pins the advertiser may not promote', async () => {
    const res = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ad_previews`, {
      image_url: 'https://cdn.example/lamp.jpg?a=1&b="2"',
      title: 'New lamp',
    });
    expect(res.statusCode, res.body).toBe(200);
    const previewUrl = new URL(res.json().url);
    const page = await app.http.inject({ method: 'GET', url: previewUrl.pathname + previewUrl.search });
    expect(page.body).toContain('src="https://cdn.example/lamp.jpg?a=1&amp;b=&quot;2&quot;"');
    for (const body of [
      { pin_id: othersPin },
      { pin_id: secretPin },
      { image_url: 'javascript:alert(1)', title: 'x' },
      { image_url: 'https://cdn.example/x.jpg' },
      { catalog_product_group_id: '1', creative_type: 'SHOPPING' },
      {},
    ]) {
      const bad = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ad_previews`, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    expect((await app.http.inject({ method: 'GET', url: '/ad_previews?token=nonsense' })).statusCode).toBe(
      404,
    );
  });
});
