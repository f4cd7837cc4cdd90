import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let buyer: TestUser;
let account: string;
let other: string;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

async function call(headers: { authorization: string }, method: string, url: string, payload?: unknown) {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function newAccount(user: TestUser) {
  const res = await call(await user.auth(), 'POST', '/v5/ad_accounts', { name: 'Shop' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id as string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function event(id: string, extra: Record<string, unknown> = {}) {
  return {
    event_name: 'checkout',
    action_source: 'web',
    event_time: now() - 60,
    event_id: id,
    user_data: { em: [sha(`${buyer.username}@example.org`)] },
    custom_data: { currency: 'USD', value: '12.50', num_items: 2, order_id: `o-${id}` },
    ...extra,
  };
}

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, stranger, buyer] = await Promise.all([
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
  ]);
  account = await newAccount(owner);
  other = await newAccount(owner);
  const grant = await call(
    await owner.auth(),
    'PUT',
    `/v5/ad_accounts/${account}/members/${analyst.username}`,
    {
      role: 'ANALYST',
    },
  );
  expect(grant.statusCode).toBe(200);
});

async function conversionToken(user: TestUser, query = '') {
  const res = await call(await user.auth(['ads:write']), 'POST', `/v5/oauth/conversion_token${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('POST', '/oauth/conversion_token', 200, res.json());
  expect(res.json().token_type).toBe('conversion');
  return res.json().access_token as string;
}

describe('conversion token', () => {
  it('is issued for an ads:write token only', async () => {
    const res = await call(await owner.auth(['ads:read']), 'POST', '/v5/oauth/conversion_token');
    expect(res.statusCode).toBe(403);
  });

  it('sends conversions and nothing else', async () => {
    const token = await conversionToken(owner);
    const sent = await call(bearer(token), 'POST', `/v5/ad_accounts/${account}/events`, {
      data: [event('tok-1')],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().num_events_processed).toBe(1);
    for (const [method, url] of [
      ['GET', '/v5/user_account'],
      ['GET', '/v5/ad_accounts'],
      ['GET', `/v5/ad_accounts/${account}`],
      ['POST', '/v5/oauth/conversion_token'],
    ] as const) {
      const res = await call(bearer(token), method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    const organic = await call(bearer(token), 'POST', '/v5/events', { events: [] });
    expect(organic.statusCode).toBe(403);
  });

  it('bound to one account, is refused on another; anyone without a role is refused', async () => {
    const bound = await conversionToken(owner, `?ad_account_id=${account}`);
    const ok = await call(bearer(bound), 'POST', `/v5/ad_accounts/${account}/events`, {
      data: [event('b-1')],
    });
    expect(ok.statusCode).toBe(200);
    const refused = await call(bearer(bound), 'POST', `/v5/ad_accounts/${other}/events`, {
      data: [event('b-2')],
    });
    expect(refused.statusCode).toBe(403);
    const strangers = await conversionToken(stranger);
    const hidden = await call(bearer(strangers), 'POST', `/v5/ad_accounts/${account}/events`, {
      data: [event('s-1')],
    });
    expect(hidden.statusCode).toBe(404);
    const noBinding = await call(
      await stranger.auth(['ads:write']),
      'POST',
      `/v5/oauth/conversion_token?ad_account_id=${account}`,
    );
    expect(noBinding.statusCode).toBe(404);
  });
});

describe('POST /v5/ad_accounts/{ad_account_id}/events', () => {
  it('checks each event alone, counts each event_id once, keeps hashes only and matches people', async () => {
    const headers = await analyst.auth(['ads:write']);
    const url = `/v5/ad_accounts/${account}/events`;
    const batch = {
      data: [
        event('e-1', {
          user_data: {
            em: [sha(`${buyer.username}@example.org`)],
            client_ip_address: '203.0.113.9',
            client_user_agent: 'UA/1',
          },
        }),
        event('e-2', { event_name: 'buy_everything' }),
        event('e-3', { user_data: { em: [`${buyer.username}@example.org`] } }),
        event('e-4', { event_time: now() - 8 * 24 * 3600 }),
        event('e-5', { user_data: { client_ip_address: '198.51.100.1' } }),
        event('e-1'),
        event('e-6', { custom_data: { value: 'a lot' } }),
        event('e-7', {
          user_data: { hashed_maids: [sha('maid')] },
          custom_data: { value: '3', currency: 'EUR' },
        }),
      ],
    };
    const res = await call(headers, 'POST', url, batch);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/events', 200, res.json());
    const body = res.json();
    expect(body.num_events_received).toBe(8);
    expect(body.events.map((e: { status: string }) => e.status)).toEqual([
      'processed',
      'failed',
      'failed',
      'failed',
      'failed',
      'processed',
      'failed',
      'processed',
    ]);
    expect(body.num_events_processed).toBe(3);
    expect(body.events[1].error_message).toMatch(/event_name/);
    expect(body.events[2].error_message).toMatch(/SHA-256/);
    expect(body.events[3].error_message).toMatch(/7 days/);
    expect(body.events[4].error_message).toMatch(/client_user_agent/);
    expect(body.events[5].warning_message).toMatch(/counted once/);
    expect(body.events[6].error_message).toMatch(/custom_data.value/);
    expect(body.events[7].warning_message).toMatch(/EUR differs/);

    // Sent again: nothing new is recorded, each says so.
    const again = await call(headers, 'POST', url, batch);
    expect(again.json().events[0].warning_message).toMatch(/already received/);
    const rows = await app.deps.db
      .selectFrom('ad_conversions')
      .selectAll()
      .where('ad_account_id', '=', account)
      .where('event_id', 'in', ['e-1', 'e-7'])
      .orderBy('event_id')
      .execute();
    expect(rows.map((r) => [r.event_id, r.user_id, r.value_micro])).toEqual([
      ['e-1', buyer.id, '12500000'],
      ['e-7', null, '3000000'],
    ]);
    const kept = JSON.stringify(rows[0]);
    expect(kept).not.toContain('203.0.113.9');
    expect(kept).not.toContain('UA/1');
    expect(rows[0]!.user_hashes).toMatchObject({ client_ip_address: [sha('203.0.113.9')] });
  });

  it('records nothing for a test batch, and refuses batches out of bounds', async () => {
    const headers = await owner.auth(['ads:write']);
    const url = `/v5/ad_accounts/${account}/events`;
    const test = await call(headers, 'POST', `${url}?test=true`, { data: [event('t-1')] });
    expect(test.json().events[0]).toMatchObject({
      status: 'processed',
      warning_message: expect.stringMatching(/test/),
    });
    const stored = await app.deps.db
      .selectFrom('ad_conversions')
      .select('event_id')
      .where('event_id', '=', 't-1')
      .execute();
    expect(stored).toEqual([]);
    for (const payload of [
      { data: [] },
      { data: Array.from({ length: 1001 }, (_, i) => event(`big-${i}`)) },
      { data: [{ ...event('x'), event_id: undefined }] },
      {},
    ]) {
      const res = await call(headers, 'POST', url, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    const full = await call(headers, 'POST', url, {
      data: Array.from({ length: 1000 }, (_, i) => event(`full-${i}`)),
    });
    expect(full.statusCode).toBe(200);
    expect(full.json().num_events_processed).toBe(1000);
  });

  it('refuses a batch with a bad or missing token before reading it', async () => {
    for (const headers of [{ authorization: 'Bearer pina_not_a_token' }, {}]) {
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/ad_accounts/${account}/events`,
        headers,
        payload: { data: [event('bad-1')] },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
  });

  it('needs ads:write or a conversion token', async () => {
    const res = await call(await owner.auth(['ads:read']), 'POST', `/v5/ad_accounts/${account}/events`, {
      data: [event('r-1')],
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('conversion tags', () => {
  it('creates, lists and reads tags as the spec shapes them, within the account', async () => {
    const headers = await owner.auth();
    const created = await call(headers, 'POST', `/v5/ad_accounts/${account}/conversion_tags`, {
      name: 'Checkout page',
      aem_enabled: true,
    });
    expect(created.statusCode, created.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/conversion_tags', 200, created.json());
    const tag = created.json();
    expect(tag).toMatchObject({
      name: 'Checkout page',
      ad_account_id: account,
      configs: { aem_enabled: true },
    });
    const list = await call(headers, 'GET', `/v5/ad_accounts/${account}/conversion_tags`);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/conversion_tags', 200, list.json());
    expect(list.json().items.map((t: { id: string }) => t.id)).toContain(tag.id);
    const got = await call(headers, 'GET', `/v5/ad_accounts/${account}/conversion_tags/${tag.id}`);
    expectResponseMatchesSpec(
      'GET',
      '/ad_accounts/{ad_account_id}/conversion_tags/{conversion_tag_id}',
      200,
      got.json(),
    );
    expect(got.json()).toEqual(tag);
    expect(
      (await call(headers, 'GET', `/v5/ad_accounts/${other}/conversion_tags/${tag.id}`)).statusCode,
    ).toBe(404);
    const analystMay = await call(
      await analyst.auth(),
      'POST',
      `/v5/ad_accounts/${account}/conversion_tags`,
      {
        name: 'x',
      },
    );
    expect(analystMay.statusCode).toBe(403);
    expect(
      (await call(await stranger.auth(), 'GET', `/v5/ad_accounts/${account}/conversion_tags`)).statusCode,
    ).toBe(404);
  });
});
