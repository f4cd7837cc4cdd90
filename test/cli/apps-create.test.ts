import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { appsCreate } from '../../src/cli/dev-commands.js';
import { startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { FORM, form } from '../helpers/oauth.js';

// Every app has an owner, the user its client-credentials tokens act for: `--owner`, or on a demo
// instance (SEED_DEMO) the demo user; elsewhere leaving it out is refused.

const REDIRECT = 'http://127.0.0.1:9/callback';

/** The app id and secret `apps create` printed. */
function printed(output: string): { id: string; secret: string } {
  const id = /^app_id: +(\S+)$/m.exec(output)?.[1];
  const secret = /^app_secret: +(\S+)$/m.exec(output)?.[1];
  if (!id || !secret) throw new Error(`no app id and secret in: ${output}`);
  return { id, secret };
}

/** Whom the app's client-credentials token acts for. */
async function actsFor(app: App, client: { id: string; secret: string }): Promise<string> {
  const token = await app.http.inject({
    method: 'POST',
    url: '/v5/oauth/token',
    headers: {
      'content-type': FORM,
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    payload: form({ grant_type: 'client_credentials', scope: 'user_accounts:read' }),
  });
  expect(token.statusCode, token.body).toBe(200);
  const me = await app.http.inject({
    method: 'GET',
    url: '/v5/user_account',
    headers: { authorization: `Bearer ${token.json().access_token}` },
  });
  return me.json().username;
}

const signUp = (app: App, username: string) =>
  app.product.accounts.signUp({ username, email: `${username}@example.org`, password: 'long enough' });

let demo: App;
let plain: App;

beforeAll(async () => {
  [demo, plain] = await Promise.all([
    startTestApp({ env: { SEED_DEMO: 'true' } }),
    startTestApp({ env: { SEED_DEMO: 'false' } }),
  ]);
}, 180_000);

describe('corkboard apps create', () => {
  it('requires --owner where there is no demo user to default to', async () => {
    await expect(appsCreate(demo, { name: 'X', redirectUris: [REDIRECT] })).rejects.toThrow(
      /--owner USERNAME is required: an app acts for its owner in the client-credentials grant/,
    );
    // Not a demo instance: a user named demo is nobody's default.
    await signUp(plain, 'demo');
    await expect(appsCreate(plain, { name: 'X', redirectUris: [REDIRECT] })).rejects.toThrow(
      /--owner USERNAME is required/,
    );
  });

  it('on a demo instance, gives an app without --owner to the demo user: client credentials work', async () => {
    await signUp(demo, 'demo');
    const out = await appsCreate(demo, { name: 'Mine', redirectUris: [REDIRECT] });
    expect(out).toMatch(/^owner: +demo \(the default; --owner USERNAME to choose\)$/m);
    expect(await actsFor(demo, printed(out))).toBe('demo');
  });

  it('with --owner, gives the app to that user; an unknown one is refused', async () => {
    await signUp(plain, 'maker');
    const out = await appsCreate(plain, { name: 'Theirs', redirectUris: [REDIRECT], owner: 'maker' });
    expect(out).toMatch(/^owner: +maker$/m);
    expect(await actsFor(plain, printed(out))).toBe('maker');
    await expect(appsCreate(plain, { name: 'X', redirectUris: [REDIRECT], owner: 'nobody' })).rejects.toThrow(
      /no user named nobody/,
    );
  });

  it('exits 2 with the reason when --owner is missing and there is no one to default to', {
    timeout: 180_000,
  }, async () => {
    const { code, stdout, stderr } = await runCli([
      'apps',
      'create',
      '--name',
      'X',
      '--redirect-uri',
      REDIRECT,
    ]);
    expect(code).toBe(2);
    expect(stdout).not.toContain('app_secret');
    expect(stderr).toMatch(/^corkboard: --owner USERNAME is required/m);
  });
});
