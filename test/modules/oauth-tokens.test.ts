import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { cookieNamed, csrfOf, FORM, form, signInForm, submitConsent } from '../helpers/oauth.js';

// Token hygiene: refresh tokens rotate when asked (refresh_on=true) and a reused one revokes its
// family; a replayed authorization code revokes what it issued; the consent forms carry CSRF tokens.

let app: App;
let client: { id: string; secret: string };
const REDIRECT = 'http://127.0.0.1:9/callback';
const SCOPE = 'boards:read,user_accounts:read';

beforeAll(async () => {
  app = await startTestApp();
  await app.product.accounts.signUp({
    username: 'tess',
    email: 'tess@example.org',
    password: 'tess password',
  });
  client = await app.product.oauth.createApp('Token client', [REDIRECT]);
});

const basic = () => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
const authorizeUrl = () =>
  `/oauth/?${new URLSearchParams({ client_id: client.id, redirect_uri: REDIRECT, response_type: 'code', scope: SCOPE, state: 's' })}`;

async function signIn(): Promise<string> {
  const { cookie, csrf } = await signInForm(app, authorizeUrl());
  const res = await app.http.inject({
    method: 'POST',
    url: '/oauth/signin',
    headers: { 'content-type': FORM, cookie },
    payload: form({ login: 'tess', password: 'tess password', next: authorizeUrl(), csrf }),
  });
  expect(res.statusCode).toBe(303);
  return cookieNamed(res, 'cb_session')!;
}

async function code(): Promise<string> {
  const cookie = await signIn();
  const page = await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie } });
  const res = await submitConsent(app, cookie, {
    client_id: client.id,
    redirect_uri: REDIRECT,
    scope: SCOPE,
    state: 's',
    csrf: csrfOf(page.body),
    decision: 'approve',
  });
  return new URL(res.headers.location as string).searchParams.get('code')!;
}

const token = (fields: Record<string, string>) =>
  app.http.inject({
    method: 'POST',
    url: '/v5/oauth/token',
    headers: { 'content-type': FORM, authorization: basic() },
    payload: form(fields),
  });

const exchange = (c: string) => token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

async function accountStatus(accessToken: string): Promise<number> {
  const res = await app.http.inject({
    method: 'GET',
    url: '/v5/user_account',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return res.statusCode;
}

describe('refresh tokens', () => {
  it('without refresh_on, answer only an access token and keep the refresh token valid (Pinterest default)', async () => {
    const grant = (await exchange(await code())).json();
    for (let i = 0; i < 3; i++) {
      const res = await refresh(grant.refresh_token);
      expect(res.statusCode).toBe(200);
      expect(res.json().refresh_token).toBeUndefined();
      expect(await accountStatus(res.json().access_token)).toBe(200);
    }
  });

  it('with refresh_on=true, rotate: a new refresh token each time, the old one stops working', async () => {
    const grant = (await exchange(await code())).json();
    const first = await refresh(grant.refresh_token, { refresh_on: 'true' });
    expect(first.statusCode, first.body).toBe(200);
    const rotated = first.json();
    expectResponseMatchesSpec('POST', '/oauth/token', 200, rotated);
    expect(rotated).toMatchObject({
      response_type: 'refresh_token',
      scope: 'boards:read,user_accounts:read',
    });
    expect(rotated.refresh_token).toMatch(/^pinr_/);
    expect(rotated.refresh_token).not.toBe(grant.refresh_token);
    expect(rotated.refresh_token_expires_in).toBeGreaterThan(0);
    expect(rotated.refresh_token_expires_at).toBeGreaterThan(Date.now() / 1000);
    // The new one rotates again; a narrowed scope narrows the access token, not the refresh token.
    const second = await refresh(rotated.refresh_token, { refresh_on: 'true', scope: 'boards:read' });
    expect(second.statusCode).toBe(200);
    expect(second.json().scope).toBe('boards:read');
    const third = await refresh(second.json().refresh_token, { scope: 'user_accounts:read' });
    expect(third.statusCode).toBe(200);
    expect(await accountStatus(third.json().access_token)).toBe(200);
  });

  it('revokes the whole family when a rotated-out refresh token is presented again', async () => {
    const grant = (await exchange(await code())).json();
    const rotated = (await refresh(grant.refresh_token, { refresh_on: 'true' })).json();
    const latest = (await refresh(rotated.refresh_token, { refresh_on: 'true' })).json();
    for (const t of [grant.access_token, rotated.access_token, latest.access_token]) {
      expect(await accountStatus(t)).toBe(200);
    }
    // An attacker (or a confused client) replays the first, already rotated, refresh token.
    const reuse = await refresh(grant.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().code).toBe(1);
    for (const t of [grant.access_token, rotated.access_token, latest.access_token]) {
      expect(await accountStatus(t)).toBe(401);
    }
    expect((await refresh(latest.refresh_token)).statusCode).toBe(400);
    expect((await refresh(latest.refresh_token, { refresh_on: 'true' })).statusCode).toBe(400);
  });

  it('revoking a refresh token revokes every token of its family', async () => {
    const grant = (await exchange(await code())).json();
    const rotated = (await refresh(grant.refresh_token, { refresh_on: 'true' })).json();
    const revoke = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token/revoke',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ token: rotated.refresh_token }),
    });
    expect(revoke.statusCode).toBe(200);
    expect(await accountStatus(grant.access_token)).toBe(401);
    expect(await accountStatus(rotated.access_token)).toBe(401);
    expect((await refresh(rotated.refresh_token)).statusCode).toBe(400);
  });

  it('a revoked access token goes alone', async () => {
    const grant = (await exchange(await code())).json();
    const other = (await refresh(grant.refresh_token)).json();
    await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token/revoke',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ token: grant.access_token }),
    });
    expect(await accountStatus(grant.access_token)).toBe(401);
    expect(await accountStatus(other.access_token)).toBe(200);
    expect((await refresh(grant.refresh_token)).statusCode).toBe(200);
  });
});

describe('authorization codes', () => {
  it('a replayed code fails and revokes every token its first use issued (RFC 6749 §4.1.2)', async () => {
    const c = await code();
    const grant = (await exchange(c)).json();
    const refreshed = (await refresh(grant.refresh_token)).json();
    expect(await accountStatus(grant.access_token)).toBe(200);
    const replay = await exchange(c);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().code).toBe(1);
    expect(await accountStatus(grant.access_token)).toBe(401);
    expect(await accountStatus(refreshed.access_token)).toBe(401);
    expect((await refresh(grant.refresh_token)).statusCode).toBe(400);
  });

  it('an unknown code fails without touching anyone else', async () => {
    const grant = (await exchange(await code())).json();
    expect((await exchange('not-a-code')).statusCode).toBe(400);
    expect(await accountStatus(grant.access_token)).toBe(200);
  });
});

describe('CSRF on the consent forms', () => {
  const post = (url: string, fields: Record<string, string>, cookie?: string) =>
    app.http.inject({
      method: 'POST',
      url,
      headers: { 'content-type': FORM, ...(cookie ? { cookie } : {}) },
      payload: form(fields),
    });

  it('refuses a sign-in without the form token, or with one that does not match the cookie', async () => {
    const creds = { login: 'tess', password: 'tess password', next: authorizeUrl() };
    const bare = await post('/oauth/signin', creds);
    const { cookie, csrf } = await signInForm(app, authorizeUrl());
    const other = await signInForm(app, authorizeUrl());
    const noCookie = await post('/oauth/signin', { ...creds, csrf });
    const mismatched = await post('/oauth/signin', { ...creds, csrf: other.csrf }, cookie);
    const noToken = await post('/oauth/signin', creds, cookie);
    for (const res of [bare, noCookie, mismatched, noToken]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(cookieNamed(res, 'cb_session')).toBeUndefined();
    }
    expect((await post('/oauth/signin', { ...creds, csrf }, cookie)).statusCode).toBe(303);
  });

  it('refuses a sign-up without the form token and creates nobody', async () => {
    const res = await post('/oauth/signup', {
      username: 'forged_user',
      email: 'forged@example.org',
      password: 'long enough',
      next: authorizeUrl(),
    });
    expect(res.statusCode).toBe(403);
    expect(await app.product.accounts.byUsername('forged_user')).toBeUndefined();
  });

  it('refuses a sign-out with the wrong token and keeps the session', async () => {
    const session = await signIn();
    const res = await post('/oauth/signout', { csrf: 'forged', next: '' }, session);
    expect(res.statusCode).toBe(403);
    expect(cookieNamed(res, 'cb_session')).toBeUndefined();
    const page = await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie: session } });
    expect(page.body).toContain('Signed in as');
  });
});

describe('the web app signing out (POST /oauth/session/end)', () => {
  const end = (headers: Record<string, string>) =>
    app.http.inject({ method: 'POST', url: '/oauth/session/end', headers });
  const signedInPage = async (cookie: string) =>
    (await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie } })).body.includes(
      'Signed in as',
    );

  it("ends the consent page's session and revokes the token, so the next person must sign in", async () => {
    const cookie = await signIn();
    const grant = (await exchange(await code())).json();
    const res = await end({ authorization: `Bearer ${grant.access_token}`, cookie });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: true, session_ended: true });
    expect(cookieNamed(res, 'cb_session')).toBe('cb_session=');
    expect(await signedInPage(cookie)).toBe(false);
    expect(await accountStatus(grant.access_token)).toBe(401);
  });

  it("keeps a session that is another account's, and still revokes the token", async () => {
    const other = await app.product.accounts.signUp({
      username: 'tess_neighbour',
      email: 'neighbour@example.org',
      password: 'another password',
    });
    const theirs = await app.product.oauth.devToken(other.id, ['user_accounts:read'], 1);
    const cookie = await signIn();
    const res = await end({ authorization: `Bearer ${theirs}`, cookie });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: true, session_ended: false });
    expect(cookieNamed(res, 'cb_session')).toBeUndefined();
    expect(await signedInPage(cookie)).toBe(true);
    expect(await accountStatus(theirs)).toBe(401);
  });

  it('refuses a request without a valid bearer token (a cross-site form cannot send one) and keeps the session', async () => {
    const cookie = await signIn();
    const attempts: Record<string, string>[] = [
      { cookie },
      { cookie, authorization: 'Bearer pina_not-a-token' },
    ];
    for (const headers of attempts) {
      const res = await end(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 2 });
      expect(cookieNamed(res, 'cb_session')).toBeUndefined();
    }
    expect(await signedInPage(cookie)).toBe(true);
  });
});
