import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { devToken } from '../../src/cli/dev-commands.js';
import { startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { cookieNamed, FORM, form, signInForm } from '../helpers/oauth.js';

// A user `corkboard token --create` makes can sign in on the consent page: with the password given by
// --password, or with the random one the command prints once.

const REDIRECT = 'http://127.0.0.1:9/callback';
let app: App;
let authorizeUrl: string;

beforeAll(async () => {
  app = await startTestApp();
  const owner = await app.product.accounts.signUp({
    username: 'owner',
    email: 'owner@example.org',
    password: 'long enough',
  });
  const client = await app.product.oauth.createApp('Dev client', [REDIRECT], owner.id);
  authorizeUrl = `/oauth/?${new URLSearchParams({ client_id: client.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'pins:read', state: 's' })}`;
});

/** Signs in on the consent page as a browser would: the status, and whether a session began. */
async function signIn(login: string, password: string): Promise<{ status: number; session: boolean }> {
  const { cookie, csrf } = await signInForm(app, authorizeUrl);
  const res = await app.http.inject({
    method: 'POST',
    url: '/oauth/signin',
    headers: { 'content-type': FORM, cookie },
    payload: form({ login, password, next: authorizeUrl, csrf }),
  });
  return { status: res.statusCode, session: cookieNamed(res, 'cb_session') !== undefined };
}

const make = (user: string, password?: string | boolean) =>
  devToken(app, { user, scopes: 'pins:read', create: true, days: 1, password });

describe('corkboard token --create', () => {
  it('with --password, makes a user who signs in with it', async () => {
    const made = await make('chosen', 'sesame street');
    expect(made).toMatchObject({ username: 'chosen', created: true });
    expect(made.password).toBeUndefined();
    expect(made.token).toMatch(/^pina_/);
    expect(await signIn('chosen', 'wrong password')).toEqual({ status: 401, session: false });
    expect(await signIn('chosen', 'sesame street')).toEqual({ status: 303, session: true });
  });

  it('without --password, returns a random password to show once, which signs in', async () => {
    const made = await make('given');
    expect(made.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await signIn('given', made.password!)).toEqual({ status: 303, session: true });
    expect((await make('other')).password).not.toBe(made.password);
  });

  it('refuses a weak password as sign-up does, and makes nobody', async () => {
    await expect(make('weak', 'short')).rejects.toThrow('Password must be 8 to 256 characters.');
    await expect(make('weak', true)).rejects.toThrow(/--password needs a value/);
    expect(await app.product.accounts.byUsername('weak')).toBeUndefined();
  });

  it('never changes the password of a user who exists already', async () => {
    await expect(make('chosen', 'another password')).rejects.toThrow(/exists already/);
    expect(await signIn('chosen', 'another password')).toEqual({ status: 401, session: false });
    const again = await make('chosen');
    expect(again).toMatchObject({ created: false });
    expect(again.password).toBeUndefined();
  });

  it('prints the token on stdout and the new password once on stderr', { timeout: 180_000 }, async () => {
    const made = await runCli(['token', '--user', 'fresh', '--scopes', 'pins:read', '--create']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^pina_\S+\n$/);
    expect(made.stderr).toMatch(/^created user fresh with password [A-Za-z0-9_-]{16} \(shown only once\)$/m);
  });
});
