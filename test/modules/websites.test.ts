import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { WebsitesService } from '../../src/modules/websites/index.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { makeUser, type TestUser } from '../helpers/factories.js';

let app: App;
let alice: TestUser;
let bob: TestUser;
let server: Server;
let site: string;
/** What the test website answers, by path; anything else is a 404. */
const pages = new Map<string, { body: string; type: string }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    if (!page) return res.writeHead(404).end('not here');
    res.writeHead(200, { 'content-type': page.type }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = await startTestApp({ env: { FETCH_ALLOW_HOSTS: site, FETCH_TIMEOUT_MS: '2000' } });
  alice = await makeUser(app);
  bob = await makeUser(app);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(user: TestUser, method: string, url: string, payload?: unknown) {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers: await user.auth(),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function codeOf(user: TestUser) {
  const res = await call(user, 'GET', '/v5/user_account/websites/verification');
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('GET', '/user_account/websites/verification', 200, res.json());
  return res.json() as {
    verification_code: string;
    metatag: string;
    filename: string;
    file_content: string;
    dns_txt_record: string;
  };
}

async function websitesOf(user: TestUser): Promise<string[]> {
  const res = await call(user, 'GET', '/v5/user_account/websites');
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('GET', '/user_account/websites', 200, res.json());
  return res.json().items.map((i: { website: string }) => i.website);
}

describe('website claiming', () => {
  it('gives each person their own verification code, the same every time', async () => {
    const a = await codeOf(alice);
    expect(a.verification_code).toMatch(/^[0-9a-f]{32}$/);
    expect(a.metatag).toBe(`<meta name="p:domain_verify" content="${a.verification_code}"/>`);
    expect(a.dns_txt_record).toBe(`pinterest-site-verification=${a.verification_code}`);
    expect(a.filename).toBe(`pinterest-${a.verification_code.slice(0, 5)}.html`);
    expect(a.file_content).toContain(a.verification_code);
    expect((await codeOf(alice)).verification_code).toBe(a.verification_code);
    expect((await codeOf(bob)).verification_code).not.toBe(a.verification_code);
    const business = await call(alice, 'GET', '/v5/user_account/websites/verification?ad_account_id=12');
    expect(business.statusCode).toBe(403);
  });

  it('claims a website whose page carries the meta tag, and only for the person whose code it is', async () => {
    const a = await codeOf(alice);
    pages.set('/', {
      body: `<html><head><title>Hi</title>${a.metatag}</head><body>x</body></html>`,
      type: 'text/html',
    });
    // Bob's code is not on the page: refused, nothing recorded.
    const refused = await call(bob, 'POST', '/v5/user_account/websites', { website: site });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      code: expect.any(Number),
      message: expect.stringMatching(/p:domain_verify/),
    });
    expect(await websitesOf(bob)).toEqual([]);
    const res = await call(alice, 'POST', '/v5/user_account/websites', {
      website: `https://${site}/`,
      verification_method: 'METATAG',
    });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('POST', '/user_account/websites', 200, res.json());
    expect(res.json()).toEqual({ website: site, status: 'success', verified_at: expect.any(String) });
    expect(await websitesOf(alice)).toEqual([site]);
  });

  it('claims a website (with a path) by the file at its root', async () => {
    const b = await codeOf(bob);
    const website = `${site}/shop`;
    const before = await call(bob, 'POST', '/v5/user_account/websites', {
      website,
      verification_method: 'FILENAME',
    });
    expect(before.statusCode).toBe(400);
    pages.set(`/${b.filename}`, { body: b.file_content, type: 'text/html' });
    const res = await call(bob, 'POST', '/v5/user_account/websites', {
      website,
      verification_method: 'FILENAME',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await websitesOf(bob)).toEqual([website]);
  });

  it('checks a DNS TXT record with the code', async () => {
    const a = await codeOf(alice);
    const txt = new Map([
      ['shop.example.test', [['v=spf1 -all'], ['pinterest-site-verification=', a.verification_code]]],
    ]);
    const websites = new WebsitesService({
      db: app.database.db,
      bookmarks: app.deps.bookmarks,
      fetch: app.config,
      resolveTxt: async (host) => txt.get(host) ?? [],
    });
    const viewer = { userId: alice.id, appId: '1', scopes: new Set<string>() };
    const claimed = await websites.verify(
      viewer,
      { website: 'Shop.Example.test', verification_method: 'DNSTXT' },
      undefined,
    );
    expect(claimed.website).toBe('shop.example.test');
    await expect(
      websites.verify(viewer, { website: 'other.example.test', verification_method: 'DNSTXT' }, undefined),
    ).rejects.toThrow(/TXT record/);
    await websites.remove(viewer, 'shop.example.test');
  });

  it('refuses private addresses and malformed websites with a 400, never fetching them', async () => {
    for (const website of [
      '10.1.2.3',
      'localhost:8080',
      '169.254.169.254/latest',
      'not a site',
      'a.test?x=1',
      'me@a.test',
      '',
    ]) {
      const res = await call(alice, 'POST', '/v5/user_account/websites', { website });
      expect(res.statusCode, website).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    expect(await websitesOf(alice)).toEqual([site]);
  });

  it('unclaims a website: 204, then 404 "Website not in user list."', async () => {
    const first = await call(
      alice,
      'DELETE',
      `/v5/user_account/websites?website=${encodeURIComponent(site)}`,
    );
    expect(first.statusCode).toBe(204);
    expect(await websitesOf(alice)).toEqual([]);
    const again = await call(
      alice,
      'DELETE',
      `/v5/user_account/websites?website=${encodeURIComponent(site)}`,
    );
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ code: expect.any(Number), message: 'Website not in user list.' });
    // Someone else's claim is theirs to remove.
    expect(
      (await call(alice, 'DELETE', `/v5/user_account/websites?website=${encodeURIComponent(`${site}/shop`)}`))
        .statusCode,
    ).toBe(404);
    expect(await websitesOf(bob)).toEqual([`${site}/shop`]);
  });
});

describe('linked businesses', () => {
  it('answers an empty list in the spec shape', async () => {
    const res = await call(alice, 'GET', '/v5/user_account/businesses');
    expect(res.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/user_account/businesses', 200, res.json());
    expect(res.json()).toEqual([]);
  });
});
