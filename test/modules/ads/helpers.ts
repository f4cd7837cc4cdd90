import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { TestUser } from '../../helpers/factories.js';

/** An injected call as `user` (all scopes unless given). */
export async function call(
  app: App,
  user: TestUser,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  scopes?: string[],
) {
  return app.http.inject({
    method,
    url,
    headers: await user.auth(scopes),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** A new ad account of `user`. */
export async function makeAdAccount(app: App, user: TestUser, body: object = {}): Promise<string> {
  const res = await call(app, user, 'POST', '/v5/ad_accounts', { name: 'Ads', ...body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id;
}

/** Campaigns made in one bulk call; every item must succeed. */
export async function makeCampaigns(app: App, user: TestUser, accountId: string, items: object[]) {
  const res = await call(app, user, 'POST', `/v5/ad_accounts/${accountId}/campaigns`, items);
  expect(res.statusCode, res.body).toBe(200);
  const out = res.json().items as { data: { id: string } | null; exceptions: unknown[] }[];
  for (const item of out) expect(item.exceptions, JSON.stringify(item)).toEqual([]);
  return out.map((i) => i.data!);
}

/** Ad groups made in one bulk call in a campaign; every item must succeed. */
export async function makeAdGroups(app: App, user: TestUser, accountId: string, items: object[]) {
  const res = await call(app, user, 'POST', `/v5/ad_accounts/${accountId}/ad_groups`, items);
  expect(res.statusCode, res.body).toBe(200);
  const out = res.json().items as { data?: { id: string }; exceptions: unknown[] }[];
  for (const item of out) expect(item.exceptions, JSON.stringify(item)).toEqual([]);
  return out.map((i) => i.data!);
}
