import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { SIGN_IN_BUDGETS, SIGN_UP_BUDGET } from '../../src/modules/accounts/sign-in-budgets.js';
import { CLIENT_BUDGETS } from '../../src/modules/oauth/client-budgets.js';
import { loadConfig } from '../../src/platform/config.js';
import type { RateLimit } from '../../src/platform/rate-limit/rate-limiter.js';
import { dropIsolation, startTestApp, testEnv } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';
import { cookieNamed, FORM, form, signInForm } from '../helpers/oauth.js';

// Guessing is throttled (failures only) per account and address, per address, and per account across
// addresses with known addresses exempt; at the token endpoint per app and address, per address, per app,
// and refused grants per app. The HTTP answers: 429 with Retry-After, {code: 8} or a readable page.

const PROXY = '10.9.9.9';
let app: App;
let client: { id: string; secret: string };
const REDIRECT = 'http://127.0.0.1:9/callback';
const authorize = (clientId = client.id) =>
  `/oauth/?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'boards:read' })}`;

beforeAll(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: PROXY } });
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    await app.product.accounts.signUp({
      username: name,
      email: `${name}@example.org`,
      password: `${name} password`,
    });
  }
  client = await app.product.oauth.createApp('Throttled client', [REDIRECT]);
});

/** A sign-in form posted from `ip` (as the socket's peer, or through the trusted proxy with `forwardedFor`). */
async function signIn(
  target: App,
  login: string,
  password: string,
  ip: string,
  forwardedFor?: string,
  clientId = client.id,
) {
  const { cookie, csrf } = await signInForm(target, authorize(clientId));
  return target.http.inject({
    method: 'POST',
    url: '/oauth/signin',
    remoteAddress: ip,
    headers: { 'content-type': FORM, cookie, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: form({ login, password, next: authorize(clientId), csrf }),
  });
}

const right = (name: string) => `${name} password`;

/**
 * Fails `points` times (each answered `failure`), then keeps failing until the budget refuses (429).
 * GCRA gives a point back every windowMs / points while the test runs (seconds on a busy machine), so
 * a few more failures may be admitted: at most one per point that could have come back.
 */
async function spend(limit: RateLimit, failure: number, fail: () => Promise<{ statusCode: number }>) {
  const started = Date.now();
  for (let i = 0; i < limit.points; i++) expect((await fail()).statusCode).toBe(failure);
  for (let extra = 0; ; extra++) {
    const { statusCode } = await fail();
    if (statusCode === 429) return;
    expect(statusCode).toBe(failure);
    expect(extra).toBeLessThan(Math.floor(((Date.now() - started) * limit.points) / limit.windowMs) + 1);
  }
}

describe('sign-in throttle', () => {
  it('after 5 failures for one account from one address, answers 429 with Retry-After, even for the right password', async () => {
    await spend(SIGN_IN_BUDGETS.accountAddress, 401, () => signIn(app, 'alice', 'wrong', '192.0.2.1'));
    const refused = await signIn(app, 'alice', right('alice'), '192.0.2.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(refused.body).toContain('Too many sign-in attempts');
    expect(cookieNamed(refused, 'cb_session')).toBeUndefined();
    // The person, from their own address, is not locked out.
    expect((await signIn(app, 'alice', right('alice'), '192.0.2.2')).statusCode).toBe(303);
  });

  it('never counts a correct sign-in', async () => {
    for (let i = 0; i < 8; i++)
      expect((await signIn(app, 'alice', right('alice'), '192.0.2.3')).statusCode).toBe(303);
    for (let i = 0; i < 4; i++)
      expect((await signIn(app, 'alice', 'wrong', '192.0.2.3')).statusCode).toBe(401);
    expect((await signIn(app, 'alice', right('alice'), '192.0.2.3')).statusCode).toBe(303);
  });

  it('spends the account-wide budget on distributed guesses, but an address the account used before still signs in', async () => {
    expect((await signIn(app, 'bob', right('bob'), '198.51.100.50')).statusCode).toBe(303);
    let i = 0;
    await spend(SIGN_IN_BUDGETS.account, 401, () => signIn(app, 'bob', 'wrong', `203.0.113.${++i}`));
    expect((await signIn(app, 'bob', right('bob'), '203.0.113.99')).statusCode).toBe(429);
    expect((await signIn(app, 'bob', right('bob'), '198.51.100.50')).statusCode).toBe(303);
  });

  it('spends the per-address budget on guesses across many accounts (unknown logins included)', async () => {
    let i = 0;
    await spend(SIGN_IN_BUDGETS.address, 401, () => signIn(app, `ghost${++i}`, 'wrong', '192.0.2.30'));
    expect((await signIn(app, 'carol', right('carol'), '192.0.2.30')).statusCode).toBe(429);
    expect((await signIn(app, 'carol', right('carol'), '192.0.2.31')).statusCode).toBe(303);
  });

  it('counts the forwarded address behind a trusted proxy (TRUST_PROXY), and only there', async () => {
    await spend(SIGN_IN_BUDGETS.accountAddress, 401, () =>
      signIn(app, 'dave', 'wrong', PROXY, '198.51.100.7'),
    );
    expect((await signIn(app, 'dave', right('dave'), PROXY, '198.51.100.7')).statusCode).toBe(429);
    expect((await signIn(app, 'dave', right('dave'), PROXY, '198.51.100.8')).statusCode).toBe(303);
    // An untrusted peer cannot pick its address with the header.
    expect((await signIn(app, 'dave', right('dave'), '192.0.2.77', '198.51.100.7')).statusCode).toBe(303);
  });
});

describe('sign-up throttle', () => {
  let n = 0;
  /** The sign-up form posted from `ip`, for a new person unless `as` names a taken username or email. */
  async function signUp(ip: string, as: { username?: string; email?: string } = {}) {
    const { cookie, csrf } = await signInForm(app, authorize());
    const username = as.username ?? `joiner${++n}_${ip.replaceAll('.', '_')}`;
    return app.http.inject({
      method: 'POST',
      url: '/oauth/signup',
      remoteAddress: ip,
      headers: { 'content-type': FORM, cookie },
      payload: form({
        username,
        email: as.email ?? `${username}@example.org`,
        password: 'long enough',
        next: authorize(),
        csrf,
      }),
    });
  }
  const accounts = async () =>
    Number(
      (
        await app.deps.db
          .selectFrom('users')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('counts every sign-up from one address, made or refused: mass sign-ups and listing who has an account stop at 20 an hour', async () => {
    await spend(SIGN_UP_BUDGET, 303, () => signUp('192.0.2.60'));
    const before = await accounts();
    const refused = await signUp('192.0.2.60');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many sign-ups');
    expect(cookieNamed(refused, 'cb_session')).toBeUndefined();
    expect(await accounts()).toBe(before);
    // Whether an email address has an account is asked like a sign-up, and counted like one.
    await spend(SIGN_UP_BUDGET, 400, () => signUp('192.0.2.61', { email: 'alice@example.org' }));
    const probe = await signUp('192.0.2.61', { email: 'bob@example.org' });
    expect(probe.statusCode).toBe(429);
    expect(probe.body).not.toContain('already registered');
    // Another address signs up.
    expect((await signUp('192.0.2.62')).statusCode).toBe(303);
  });
});

describe('token endpoint throttle', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = (auth: string, ip: string, fields: Record<string, string>) =>
    app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      remoteAddress: ip,
      headers: { 'content-type': FORM, authorization: auth },
      payload: form(fields),
    });
  const bogusRefresh = { grant_type: 'refresh_token', refresh_token: 'pinr_not-a-token' };

  it('after 10 wrong secrets for one app from one address, answers 429 {code: 8} with Retry-After', async () => {
    await spend(CLIENT_BUDGETS.appAddress, 401, () =>
      token(basic(client.id, 'wrong'), '192.0.2.40', bogusRefresh),
    );
    const refused = await token(basic(client.id, client.secret), '192.0.2.40', bogusRefresh);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 8 });
    expect(typeof refused.json().message).toBe('string');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The app's server, elsewhere, carries on.
    expect((await token(basic(client.id, client.secret), '192.0.2.41', bogusRefresh)).statusCode).toBe(400);
  });

  it('after 60 refused refresh tokens for one app, answers 429 {code: 8}', async () => {
    const other = await app.product.oauth.createApp('Grant guesser', [REDIRECT]);
    const auth = basic(other.id, other.secret);
    await spend(CLIENT_BUDGETS.grant, 400, () => token(auth, '192.0.2.50', bogusRefresh));
    const refused = await token(auth, '192.0.2.51', bogusRefresh);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe(8);
    // Client credentials, which present no code or refresh token, are not held back.
    const cc = await token(auth, '192.0.2.51', { grant_type: 'client_credentials', scope: 'boards:read' });
    expect(cc.statusCode).toBe(400);
    expect(cc.json().message).toContain('owner');
  });
});

// Two API nodes on one PostgreSQL and one Redis count one budget. Embedded mode has one process only.
describe.runIf(testMode() === 'services')('throttle shared by two nodes (services)', () => {
  let a: App;
  let b: App;
  let shared: { id: string };
  const env = testEnv();
  const config = loadConfig(env);
  beforeAll(async () => {
    a = await createApp(config, { runJobs: false });
    b = await createApp(config, { runJobs: false });
    await a.product.accounts.signUp({
      username: 'shared',
      email: 'shared@example.org',
      password: 'shared password',
    });
    shared = await a.product.oauth.createApp('Shared client', [REDIRECT]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropIsolation(config);
  });

  it('failures on either node spend one budget', async () => {
    const attempt = (node: App, password: string, ip: string) =>
      signIn(node, 'shared', password, ip, undefined, shared.id);
    let n = 0;
    await spend(SIGN_IN_BUDGETS.accountAddress, 401, () => attempt(++n % 2 ? a : b, 'wrong', '192.0.2.60'));
    expect((await attempt(b, 'shared password', '192.0.2.60')).statusCode).toBe(429);
    expect((await attempt(a, 'shared password', '192.0.2.60')).statusCode).toBe(429);
    expect((await attempt(b, 'shared password', '192.0.2.61')).statusCode).toBe(303);
  });
});
