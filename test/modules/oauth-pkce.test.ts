import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { cookieNamed, FORM, form, hiddenFields, signInForm } from '../helpers/oauth.js';

let app: App;
let confidential: { id: string; secret: string };
let publicApp: { id: string };
const REDIRECT = 'http://127.0.0.1:9/callback';
const SCOPE = 'user_accounts:read,boards:read';

const verifier = () => randomBytes(32).toString('base64url');
const challenge = (v: string) => createHash('sha256').update(v).digest('base64url');

beforeAll(async () => {
  app = await startTestApp();
  const alice = await app.product.accounts.signUp({
    username: 'alice',
    email: 'alice@example.org',
    password: 'correct horse',
  });
  confidential = await app.product.oauth.createApp('Server app', [REDIRECT], alice.id);
  publicApp = await app.product.oauth.firstPartyClient('test-spa', 'Browser app', [REDIRECT]);
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function authorizeUrl(clientId: string, extra: Record<string, string> = {}) {
  return `/oauth/?${new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPE,
    state: 'st',
    ...extra,
  })}`;
}

let session: string | undefined;

/** A signed-in browser session for alice (made once). */
async function aliceSession(): Promise<string> {
  if (session) return session;
  const { cookie, csrf } = await signInForm(app, authorizeUrl(confidential.id));
  const res = await app.http.inject({
    method: 'POST',
    url: '/oauth/signin',
    headers: { 'content-type': FORM, cookie },
    payload: form({ login: 'alice', password: 'correct horse', next: '/oauth/', csrf }),
  });
  session = cookieNamed(res, 'cb_session')!;
  return session;
}

/** Opens the consent page at `url` as alice and approves it as the browser would; returns the code. */
async function approve(url: string): Promise<string> {
  const cookie = await aliceSession();
  const page = await app.http.inject({ method: 'GET', url, headers: { cookie } });
  expect(page.statusCode, page.body).toBe(200);
  const res = await app.http.inject({
    method: 'POST',
    url: '/oauth/authorize',
    headers: { 'content-type': FORM, cookie },
    payload: form({ ...hiddenFields(page.body, '/oauth/authorize'), decision: 'approve' }),
  });
  expect(res.statusCode, res.body).toBe(303);
  const code = new URL(res.headers.location as string).searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

function token(fields: Record<string, string>, authorization?: string) {
  return app.http.inject({
    method: 'POST',
    url: '/v5/oauth/token',
    headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) },
    payload: form(fields),
  });
}

/** Where /oauth/ sends the browser for `url`: the error it redirects with, if any. */
async function redirectedError(url: string): Promise<string | null> {
  const res = await app.http.inject({ method: 'GET', url, headers: { cookie: await aliceSession() } });
  expect(res.statusCode, res.body).toBe(303);
  return new URL(res.headers.location as string).searchParams.get('error');
}

describe('PKCE on the authorization code flow (extension, RFC 7636)', () => {
  it('binds a confidential client’s code to its S256 challenge: only the right verifier exchanges it', async () => {
    const v = verifier();
    const url = authorizeUrl(confidential.id, {
      code_challenge: challenge(v),
      code_challenge_method: 'S256',
    });
    const code = await approve(url);
    const auth = basic(confidential.id, confidential.secret);
    const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };

    const missing = await token(base, auth);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ code: 1, message: expect.stringContaining('send its code_verifier') });

    const wrong = await token({ ...base, code_verifier: verifier() }, auth);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({
      code: 1,
      message: 'code_verifier does not match the code_challenge the code was issued for.',
    });
    const malformed = await token({ ...base, code_verifier: 'short' }, auth);
    expect(malformed.statusCode).toBe(400);

    // Refusals leave the code unspent: the holder of the verifier still gets its tokens, once.
    const right = await token({ ...base, code_verifier: v }, auth);
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json().scope).toBe('boards:read,user_accounts:read');
    expect((await token({ ...base, code_verifier: v }, auth)).statusCode).toBe(400);
  });

  it('refuses a verifier for a code issued without a challenge', async () => {
    const code = await approve(authorizeUrl(confidential.id));
    const res = await token(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier() },
      basic(confidential.id, confidential.secret),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('issued without a code_challenge');
  });

  it('refuses the plain method, a challenge without a method and a malformed challenge', async () => {
    const c = challenge(verifier());
    const cases: Record<string, string>[] = [
      { code_challenge: c, code_challenge_method: 'plain' },
      { code_challenge: c },
      { code_challenge: 'too-short', code_challenge_method: 'S256' },
      { code_challenge: `${c}!`.slice(1), code_challenge_method: 'S256' },
      { code_challenge_method: 'S256' },
    ];
    for (const extra of cases) {
      expect(await redirectedError(authorizeUrl(confidential.id, extra)), JSON.stringify(extra)).toBe(
        'invalid_request',
      );
    }
  });
});

describe('public clients (no secret)', () => {
  it('must send a challenge to be given a code', async () => {
    expect(await redirectedError(authorizeUrl(publicApp.id))).toBe('invalid_request');
  });

  it('exchange with client_id and the verifier, and revoke with client_id', async () => {
    const v = verifier();
    const code = await approve(
      authorizeUrl(publicApp.id, { code_challenge: challenge(v), code_challenge_method: 'S256' }),
    );
    const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: publicApp.id };
    const noVerifier = await token(base);
    expect(noVerifier.statusCode).toBe(400);
    expect(noVerifier.json().code).toBe(1);

    const granted = await token({ ...base, code_verifier: v });
    expect(granted.statusCode, granted.body).toBe(200);
    const access = granted.json().access_token as string;
    const me = () =>
      app.http.inject({
        method: 'GET',
        url: '/v5/user_account',
        headers: { authorization: `Bearer ${access}` },
      });
    expect((await me()).json().username).toBe('alice');

    // A public client may not use the other grants.
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: granted.json().refresh_token,
      client_id: publicApp.id,
    });
    expect(refresh.statusCode).toBe(400);
    expect(refresh.json().message).toContain('only the authorization_code grant');

    const revoked = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token/revoke',
      headers: { 'content-type': FORM },
      payload: form({ token: access, client_id: publicApp.id }),
    });
    expect(revoked.statusCode).toBe(200);
    expect((await me()).statusCode).toBe(401);
  });

  it('cannot authenticate with a secret, and a confidential client cannot skip its secret', async () => {
    const asPublic = await token(
      { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT },
      basic(publicApp.id, 'anything'),
    );
    expect(asPublic.statusCode).toBe(401);
    const noSecret = await token({
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: REDIRECT,
      client_id: confidential.id,
      code_verifier: verifier(),
    });
    expect(noSecret.statusCode).toBe(401);
    expect(noSecret.json().code).toBe(2);
    const unknown = await token({
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: REDIRECT,
      client_id: 'nope',
    });
    expect(unknown.statusCode).toBe(401);
  });

  it('first-party clients are made once and follow their redirect URIs', async () => {
    const again = await app.product.oauth.firstPartyClient('test-spa', 'Browser app', [
      'http://localhost:1/callback',
    ]);
    expect(again.id).toBe(publicApp.id);
    expect(again.public).toBe(true);
    expect(again.redirect_uris).toEqual(['http://localhost:1/callback']);
    await app.product.oauth.firstPartyClient('test-spa', 'Browser app', [REDIRECT]);
  });
});
