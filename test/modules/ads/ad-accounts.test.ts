import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let manager: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, manager, stranger] = await Promise.all([
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
  ]);
});

async function call(user: TestUser, method: string, url: string, payload?: unknown, scopes?: string[]) {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers: await user.auth(scopes),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function createAccount(user: TestUser, body: object = { name: 'Acme' }) {
  const res = await call(user, 'POST', '/v5/ad_accounts', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { id: string };
}

describe('ad accounts', () => {
  it('creates an account owned by the caller and reads it back, as the spec shapes it', async () => {
    const res = await call(owner, 'POST', '/v5/ad_accounts', {
      name: 'Acme',
      country: 'GB',
      currency: 'GBP',
    });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/ad_accounts', 200, res.json());
    const created = res.json();
    expect(created).toMatchObject({
      name: 'Acme',
      country: 'GB',
      currency: 'GBP',
      owner: { id: owner.id, username: owner.username },
      permissions: ['OWNER'],
    });
    const got = await call(owner, 'GET', `/v5/ad_accounts/${created.id}`);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}', 200, got.json());
    expect(got.json()).toEqual(created);
  });

  it('defaults country and currency, refuses bad values and another owner, ignores undocumented fields', async () => {
    expect(await createAccount(owner)).toMatchObject({ country: 'US', currency: 'USD' });
    const smuggled = await createAccount(owner, {
      name: 'x',
      id: '1',
      owner: { id: stranger.id },
      permissions: ['ADMIN'],
    });
    expect(smuggled).toMatchObject({ owner: { id: owner.id }, permissions: ['OWNER'] });
    expect(smuggled.id).not.toBe('1');
    expect(await createAccount(owner, {})).toMatchObject({ name: 'Ad account' });
    for (const body of [
      { name: '' },
      { name: '   ' },
      { name: 'x', currency: 'XXX' },
      { name: 'x', country: 'ZZ' },
    ]) {
      const res = await call(owner, 'POST', '/v5/ad_accounts', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    const other = await call(owner, 'POST', '/v5/ad_accounts', { name: 'x', owner_user_id: stranger.id });
    expect(other.statusCode).toBe(403);
  });

  it('hides an account from anyone without a role, as if it did not exist', async () => {
    const account = await createAccount(owner);
    const res = await call(stranger, 'GET', `/v5/ad_accounts/${account.id}`);
    expect(res.statusCode).toBe(404);
    const missing = await call(stranger, 'GET', '/v5/ad_accounts/123456789');
    expect(res.json()).toEqual(missing.json());
    const list = await call(stranger, 'GET', '/v5/ad_accounts');
    expect(list.json().items.map((a: { id: string }) => a.id)).not.toContain(account.id);
  });

  it('demands ads:read to read and ads:write to create', async () => {
    const account = await createAccount(owner);
    expect(
      (await call(owner, 'GET', `/v5/ad_accounts/${account.id}`, undefined, ['pins:read'])).statusCode,
    ).toBe(403);
    expect((await call(owner, 'POST', '/v5/ad_accounts', { name: 'x' }, ['ads:read'])).statusCode).toBe(403);
  });

  it('lists owned and shared accounts in pages, shared ones only when asked', async () => {
    const lister = await makeUser(app);
    const own = [await createAccount(lister), await createAccount(lister), await createAccount(lister)];
    const theirs = await createAccount(owner);
    const grant = await call(owner, 'PUT', `/v5/ad_accounts/${theirs.id}/members/${lister.username}`, {
      role: 'ANALYST',
    });
    expect(grant.statusCode, grant.body).toBe(200);
    const seen: string[] = [];
    let bookmark: string | null = null;
    do {
      const res = await call(
        lister,
        'GET',
        `/v5/ad_accounts?page_size=2${bookmark ? `&bookmark=${bookmark}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      expectResponseMatchesSpec('GET', '/ad_accounts', 200, res.json());
      seen.push(...res.json().items.map((a: { id: string }) => a.id));
      bookmark = res.json().bookmark;
    } while (bookmark);
    expect(seen.sort()).toEqual([...own.map((a) => a.id), theirs.id].sort());
    const ownOnly = await call(lister, 'GET', '/v5/ad_accounts?include_shared_accounts=false');
    expect(
      ownOnly
        .json()
        .items.map((a: { id: string }) => a.id)
        .sort(),
    ).toEqual(own.map((a) => a.id).sort());
    const shared = (await call(lister, 'GET', `/v5/ad_accounts/${theirs.id}`)).json();
    expect(shared.permissions).toEqual(['ANALYST']);
    expect(shared.owner.id).toBe(owner.id);
  });

  it('lets the owner and admins grant roles, and each role do only what it may', async () => {
    const account = await createAccount(owner);
    const base = `/v5/ad_accounts/${account.id}/members`;
    expect((await call(owner, 'PUT', `${base}/${analyst.username}`, { role: 'ANALYST' })).statusCode).toBe(
      200,
    );
    expect(
      (await call(owner, 'PUT', `${base}/${manager.username}`, { role: 'CAMPAIGN_MANAGER' })).statusCode,
    ).toBe(200);
    // Neither an analyst nor a campaign manager may hand out access.
    for (const member of [analyst, manager]) {
      const res = await call(member, 'PUT', `${base}/${stranger.username}`, { role: 'ADMIN' });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/may not manage who has access/);
    }
    const list = await call(analyst, 'GET', base);
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .items.map((m: { user: { username: string }; role: string }) => [m.user.username, m.role])
        .sort(),
    ).toEqual(
      [
        [analyst.username, 'ANALYST'],
        [manager.username, 'CAMPAIGN_MANAGER'],
      ].sort(),
    );
    // An admin may; a role can change; removing it hides the account again.
    expect((await call(owner, 'PUT', `${base}/${manager.username}`, { role: 'ADMIN' })).statusCode).toBe(200);
    expect((await call(manager, 'PUT', `${base}/${stranger.username}`, { role: 'ANALYST' })).statusCode).toBe(
      200,
    );
    expect((await call(stranger, 'GET', `/v5/ad_accounts/${account.id}`)).statusCode).toBe(200);
    expect((await call(manager, 'DELETE', `${base}/${stranger.username}`)).statusCode).toBe(204);
    expect((await call(stranger, 'GET', `/v5/ad_accounts/${account.id}`)).statusCode).toBe(404);
    expect((await call(owner, 'DELETE', `${base}/${stranger.username}`)).statusCode).toBe(404);
    expect((await call(owner, 'PUT', `${base}/${owner.username}`, { role: 'ANALYST' })).statusCode).toBe(400);
    expect((await call(owner, 'PUT', `${base}/${analyst.username}`, { role: 'OWNER' })).statusCode).toBe(400);
    expect((await call(owner, 'PUT', `${base}/nobody_here_at_all`, { role: 'ADMIN' })).statusCode).toBe(404);
  });

  it('caps the accounts one person owns at 50, even when created at once', async () => {
    const busy = await makeUser(app);
    const results = await Promise.all(
      Array.from({ length: 53 }, (_, i) => call(busy, 'POST', '/v5/ad_accounts', { name: `A${i}` })),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(50);
    expect(results.filter((r) => r.statusCode === 400)).toHaveLength(3);
  });
});
