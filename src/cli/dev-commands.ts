import { randomBytes } from 'node:crypto';
import type { App } from '../app.js';
import { parseScopes } from '../modules/oauth/index.js';
import { Invalid } from '../platform/errors.js';

/** `corkboard apps create --name N --redirect-uri U [--redirect-uri U2] [--owner USERNAME]`. */
export async function appsCreate(
  app: App,
  opts: { name?: string; redirectUris: string[]; owner?: string },
): Promise<string> {
  if (!opts.name) throw new Invalid('--name is required');
  let ownerId: string | null = null;
  if (opts.owner) {
    const owner = await app.product.accounts.byUsername(opts.owner);
    if (!owner) throw new Invalid(`no user named ${opts.owner}`);
    ownerId = owner.id;
  }
  const { id, secret } = await app.product.oauth.createApp(opts.name, opts.redirectUris, ownerId);
  return `app_id:     ${id}\napp_secret: ${secret}\n(the secret is shown only once)\n`;
}

/** `corkboard token --user U --scopes S [--create] [--days N]`: an access token for development. */
export async function devToken(
  app: App,
  opts: { user?: string; scopes?: string; create: boolean; days: number },
): Promise<{ token: string; username: string; created: boolean }> {
  if (!opts.user) throw new Invalid('--user is required');
  const scopes = parseScopes(opts.scopes ?? '');
  if (!scopes) throw new Invalid('--scopes must list known scopes, e.g. boards:read,pins:read');
  let user = await app.product.accounts.byUsername(opts.user);
  let created = false;
  if (!user) {
    if (!opts.create) throw new Invalid(`no user named ${opts.user} (add --create to make one)`);
    user = await app.product.accounts.signUp({
      username: opts.user,
      email: `${opts.user.toLowerCase()}@users.corkboard.invalid`,
      password: randomBytes(24).toString('base64url'),
    });
    created = true;
  }
  const token = await app.product.oauth.devToken(user.id, scopes, opts.days);
  return { token, username: user.username, created };
}
