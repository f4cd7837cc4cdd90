import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import {
  cookieNamed,
  csrfOf,
  FORM,
  form,
  hiddenFields,
  signInForm,
  submitConsent,
} from '../helpers/oauth.js';

let app: App;
let client: { id: string; secret: string };
const REDIRECT = 'http://127.0.0.1:9/callback';

beforeAll(async () => {
  app = await startTestApp();
  const alice = await app.product.accounts.signUp({
    username: 'alice',
    email: 'alice@example.org',
    password: 'correct horse',
  });
  client = await app.product.oauth.createApp('Test client', [REDIRECT], alice.id);
});

const basic = () => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

function authorizeUrl(overrides: Record<string, string> = {}) {
  const q = new URLSearchParams({
    client_id: client.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'user_accounts:read,boards:read',
    state: 'xyz-state',
    ...overrides,
  });
  return `/oauth/?${q}`;
}

async function signIn(login = 'alice', password = 'correct horse') {
  const { cookie, csrf } = await signInForm(app, authorizeUrl());
  const res = await app.http.inject({
    method: 'POST',
    url: '/oauth/signin',
    headers: { 'content-type': FORM, cookie },
    payload: form({ login, password, next: authorizeUrl(), csrf }),
  });
  return res;
}

async function consentCode(cookie: string): Promise<string> {
  const page = await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie } });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('Test client');
  const csrf = csrfOf(page.body);
  const res = await submitConsent(app, cookie, {
    client_id: client.id,
    redirect_uri: REDIRECT,
    scope: 'user_accounts:read,boards:read',
    state: 'xyz-state',
    csrf,
    decision: 'approve',
  });
  expect(res.statusCode).toBe(303);
  const location = new URL(res.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('xyz-state');
  return location.searchParams.get('code')!;
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  return cookieNamed(res, 'cb_session')!;
}

describe('OAuth consent page', () => {
  it('asks an anonymous visitor to sign in', async () => {
    const res = await app.http.inject({ method: 'GET', url: authorizeUrl() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('action="/oauth/signin"');
    expect(res.body).toContain('action="/oauth/signup"');
  });

  it('shows an error and never redirects for an unknown app or an unregistered redirect URI', async () => {
    for (const url of [
      authorizeUrl({ client_id: '999999' }),
      authorizeUrl({ redirect_uri: 'http://127.0.0.1:9/callback/evil' }),
      authorizeUrl({ redirect_uri: 'http://127.0.0.1:9/callback?x=1' }),
    ]) {
      const res = await app.http.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toContain('Authorization error');
    }
  });

  it('redirects RFC 6749 errors for a bad scope or response type', async () => {
    const scope = await app.http.inject({
      method: 'GET',
      url: authorizeUrl({ scope: 'pins:read,root:everything' }),
    });
    expect(scope.statusCode).toBe(303);
    const a = new URL(scope.headers.location as string);
    expect(a.searchParams.get('error')).toBe('invalid_scope');
    expect(a.searchParams.get('state')).toBe('xyz-state');
    const type = await app.http.inject({ method: 'GET', url: authorizeUrl({ response_type: 'token' }) });
    expect(new URL(type.headers.location as string).searchParams.get('error')).toBe(
      'unsupported_response_type',
    );
  });

  it('refuses a wrong password and signs in with the right one', async () => {
    const wrong = await signIn('alice', 'wrong password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const ok = await signIn('ALICE@example.org');
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(authorizeUrl());
    expect(String(ok.headers['set-cookie'])).toMatch(/HttpOnly/i);
  });

  it('sends access_denied when the user denies, and refuses a forged form', async () => {
    const cookie = cookieOf(await signIn());
    const deny = await submitConsent(app, cookie, {
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: 'boards:read',
      state: 's',
      csrf: 'forged',
      decision: 'approve',
    });
    expect(deny.statusCode).toBe(403);
    const page = await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie } });
    const csrf = csrfOf(page.body);
    const denied = await submitConsent(app, cookie, {
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: 'boards:read',
      state: 's',
      csrf,
      decision: 'deny',
    });
    expect(new URL(denied.headers.location as string).searchParams.get('error')).toBe('access_denied');
  });

  it('signs up a new person from the consent page', async () => {
    const { cookie, csrf } = await signInForm(app, authorizeUrl());
    const res = await app.http.inject({
      method: 'POST',
      url: '/oauth/signup',
      headers: { 'content-type': FORM, cookie },
      payload: form({
        username: 'newbie',
        email: 'newbie@example.org',
        password: 'long enough',
        next: authorizeUrl(),
        csrf,
      }),
    });
    expect(res.statusCode).toBe(303);
    const taken = await app.http.inject({
      method: 'POST',
      url: '/oauth/signup',
      headers: { 'content-type': FORM, cookie },
      payload: form({
        username: 'NEWBIE',
        email: 'other@example.org',
        password: 'long enough',
        next: '/',
        csrf,
      }),
    });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('That username is taken.');
  });
});

describe("consumer_id, the name Pinterest's consent URL gives client_id", () => {
  const SCOPE = 'user_accounts:read,boards:read';
  const consumerUrl = (extra: Record<string, string> = {}) =>
    `/oauth/?${new URLSearchParams({
      consumer_id: client.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: SCOPE,
      state: 'pin-state',
      ...extra,
    })}`;
  const post = (url: string, cookie: string, fields: Record<string, string>) =>
    app.http.inject({
      method: 'POST',
      url,
      headers: { 'content-type': FORM, cookie },
      payload: form(fields),
    });

  it('runs the whole browser flow: sign-in page, sign in, approve, code, token', async () => {
    const start = consumerUrl();
    const page = await app.http.inject({ method: 'GET', url: start });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Test client');
    // The browser posts the sign-in form as the page wrote it, then follows the redirects.
    const signIn = hiddenFields(page.body, '/oauth/signin');
    expect(signIn.next).toBe(start);
    const signedIn = await post('/oauth/signin', cookieNamed(page, 'cb_form')!, {
      ...signIn,
      login: 'alice',
      password: 'correct horse',
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe(start);
    const session = cookieNamed(signedIn, 'cb_session')!;
    const consent = await app.http.inject({
      method: 'GET',
      url: signedIn.headers.location as string,
      headers: { cookie: session },
    });
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Test client wants access');
    const approved = await post('/oauth/authorize', session, {
      ...hiddenFields(consent.body, '/oauth/authorize'),
      decision: 'approve',
    });
    expect(approved.statusCode).toBe(303);
    const back = new URL(approved.headers.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('pin-state');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT }),
    });
    expect(token.statusCode, token.body).toBe(200);
    expect(token.json().scope).toBe('boards:read,user_accounts:read');
    const me = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: { authorization: `Bearer ${token.json().access_token}` },
    });
    expect(me.json().username).toBe('alice');
  });

  it('takes consumer_id on the consent form too, and refuses a request naming two different apps', async () => {
    const same = await app.http.inject({ method: 'GET', url: consumerUrl({ client_id: client.id }) });
    expect(same.statusCode).toBe(200);
    const other = await app.product.oauth.createApp('Other client', [REDIRECT]);
    const two = await app.http.inject({ method: 'GET', url: consumerUrl({ client_id: other.id }) });
    expect(two.statusCode).toBe(400);
    expect(two.headers.location).toBeUndefined();
    expect(two.body).toContain('client_id and consumer_id name different apps');

    const cookie = cookieOf(await signIn());
    const page = await app.http.inject({ method: 'GET', url: authorizeUrl(), headers: { cookie } });
    const fields = { redirect_uri: REDIRECT, scope: SCOPE, state: 's', csrf: csrfOf(page.body) };
    for (const [ids, status] of <[Record<string, string>, number][]>[
      [{ consumer_id: other.id, client_id: client.id }, 400],
      [{}, 400],
      [{ consumer_id: client.id }, 303],
    ]) {
      const res = await post('/oauth/authorize', cookie, { ...fields, ...ids, decision: 'approve' });
      expect(res.statusCode, JSON.stringify(ids)).toBe(status);
      if (status === 303)
        expect(new URL(res.headers.location as string).searchParams.get('code')).toBeTruthy();
      else expect(res.headers.location).toBeUndefined();
    }
  });
});

describe('OAuth token endpoints and bearer auth', () => {
  it('runs the code flow: token, account, refresh, revoke', async () => {
    const code = await consentCode(cookieOf(await signIn()));
    const token = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(token.statusCode).toBe(200);
    const grant = token.json();
    expectResponseMatchesSpec('POST', '/oauth/token', 200, grant);
    expect(grant.access_token).toMatch(/^pina_/);
    expect(grant.refresh_token).toMatch(/^pinr_/);
    expect(grant.scope).toBe('boards:read,user_accounts:read');

    const me = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    expect(me.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/user_account', 200, me.json());
    expect(me.json()).toMatchObject({
      username: 'alice',
      board_count: 0,
      pin_count: 0,
      account_type: 'PINNER',
    });

    const wider = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token, scope: 'pins:write' }),
    });
    expect(wider.statusCode).toBe(400);
    const refreshed = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token }),
    });
    expect(refreshed.statusCode).toBe(200);
    expectResponseMatchesSpec('POST', '/oauth/token', 200, refreshed.json());
    const second = refreshed.json().access_token as string;

    const revoke = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token/revoke',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ token: grant.refresh_token, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.statusCode).toBe(200);
    for (const t of [grant.access_token, second]) {
      const after = await app.http.inject({
        method: 'GET',
        url: '/v5/user_account',
        headers: { authorization: `Bearer ${t}` },
      });
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe(2);
    }

    // The code was spent by the first exchange. (A replay also revokes what that exchange issued, so it
    // comes last here; oauth-tokens.test.ts checks the revocation.)
    const replay = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(replay.statusCode).toBe(400);
    expectResponseMatchesSpec('POST', '/oauth/token', 400, replay.json());
  });

  it('issues client_credentials tokens acting for the app owner', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic() },
      payload: form({ grant_type: 'client_credentials', scope: 'user_accounts:read' }),
    });
    expect(res.statusCode).toBe(200);
    expectResponseMatchesSpec('POST', '/oauth/token', 200, res.json());
    const me = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: { authorization: `Bearer ${res.json().access_token}` },
    });
    expect(me.json().username).toBe('alice');
  });

  it.each([
    ['no credentials', undefined],
    ['wrong secret', () => `Basic ${Buffer.from(`${client.id}:nope`).toString('base64')}`],
    ['unknown app', () => `Basic ${Buffer.from('123:nope').toString('base64')}`],
    ['garbage', () => 'Basic !!!'],
  ])('refuses the token endpoint with %s (401)', async (_name, header) => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, ...(header ? { authorization: header() } : {}) },
      payload: form({ grant_type: 'client_credentials', scope: 'boards:read' }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 2 });
  });

  it('answers 401 without a valid token and 403 naming a missing scope', async () => {
    const none = await app.http.inject({ method: 'GET', url: '/v5/user_account' });
    expect(none.statusCode).toBe(401);
    const bogus = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: { authorization: 'Bearer pina_nope' },
    });
    expect(bogus.statusCode).toBe(401);
    const alice = await app.product.accounts.byUsername('alice');
    const narrow = await app.product.oauth.devToken(alice!.id, ['boards:read'], 1);
    const res = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: { authorization: `Bearer ${narrow}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('user_accounts:read');
    expectResponseMatchesSpec('GET', '/user_account', 403, res.json());
  });

  it('rejects a bad grant type and missing fields with 400', async () => {
    for (const payload of <Record<string, string>[]>[
      { grant_type: 'password', username: 'a', password: 'b' },
      { grant_type: 'authorization_code' },
      { grant_type: 'client_credentials' },
      { grant_type: 'client_credentials', scope: 'everything' },
    ]) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v5/oauth/token',
        headers: { 'content-type': FORM, authorization: basic() },
        payload: form(payload),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe(1);
    }
  });
});
