import { randomBytes } from 'node:crypto';
import type { App } from '../app.js';
import type { DiscoverySearchModule } from '../modules/discovery-search/index.js';
import { ALL_SCOPES, MAX_DEV_TOKEN_DAYS, parseScopes } from '../modules/oauth/index.js';
import { Invalid } from '../platform/errors.js';
import { isEmpty, type SeedSummary, seedWorld } from './seed/seed.js';

/** The user an app made without `--owner` belongs to, on a demo instance (SEED_DEMO) that has it. */
export const DEFAULT_APP_OWNER = 'demo';

/**
 * `corkboard apps create --name N --redirect-uri U [--redirect-uri U2] [--owner USERNAME]`. Every app
 * has an owner: the client-credentials grant acts for it. Without `--owner`, a demo instance gives the
 * app to the demo user; anywhere else `--owner` is required.
 */
export async function appsCreate(
  app: App,
  opts: { name?: string; redirectUris: string[]; owner?: string },
): Promise<string> {
  if (!opts.name) throw new Invalid('--name is required');
  let owner: { id: string; username: string } | undefined;
  if (opts.owner) {
    owner = await app.product.accounts.byUsername(opts.owner);
    if (!owner) throw new Invalid(`no user named ${opts.owner} (--owner names an existing user)`);
  } else {
    owner = app.config.seedDemo ? await app.product.accounts.byUsername(DEFAULT_APP_OWNER) : undefined;
    if (!owner) {
      throw new Invalid(
        '--owner USERNAME is required: an app acts for its owner in the client-credentials grant ' +
          '(make a user with `corkboard token --user NAME --scopes ... --create`, or sign up on the consent page)',
      );
    }
  }
  const { id, secret } = await app.product.oauth.createApp(opts.name, opts.redirectUris, owner.id);
  const ownerLine = opts.owner
    ? owner.username
    : `${owner.username} (the default; --owner USERNAME to choose)`;
  return `app_id:     ${id}\napp_secret: ${secret}\nowner:      ${ownerLine}\n(the secret is shown only once)\n`;
}

/** The shortest development token: one minute, in days. */
const MIN_TOKEN_DAYS = 1 / (24 * 60);

/**
 * `--days` of `corkboard token`: a plain decimal number of days (default 30) from one minute (0.0007)
 * to MAX_DEV_TOKEN_DAYS; the token lives that long rounded to whole minutes. Anything else is refused,
 * never silently replaced by the default.
 */
export function parseTokenDays(raw: unknown): number {
  if (raw === undefined) return 30;
  const text = typeof raw === 'string' ? raw.trim() : '';
  const days = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= MIN_TOKEN_DAYS && days <= MAX_DEV_TOKEN_DAYS)) {
    throw new Invalid(
      `--days must be a number of days from 0.0007 (one minute) to ${MAX_DEV_TOKEN_DAYS}, e.g. 30 or 0.5; got ${typeof raw === 'string' ? `"${raw}"` : 'no value'}`,
    );
  }
  return days;
}

/**
 * `corkboard token --user U --scopes S [--create [--password P]] [--days N]`: an access token for
 * development. A user `--create` makes gets `--password` (checked as sign-up checks it) or else a new
 * random one, returned so it can be shown once: either way they can sign in on the consent page.
 */
export async function devToken(
  app: App,
  opts: { user?: string; scopes?: string; create: boolean; days: number; password?: string | boolean },
): Promise<{ token: string; username: string; created: boolean; password?: string }> {
  if (!opts.user) throw new Invalid('--user is required');
  const scopes = parseScopes(opts.scopes ?? '');
  if (!scopes) throw new Invalid('--scopes must list known scopes, e.g. boards:read,pins:read');
  if (opts.password !== undefined && typeof opts.password !== 'string') {
    throw new Invalid('--password needs a value (or leave it out to get a random one printed)');
  }
  let user = await app.product.accounts.byUsername(opts.user);
  if (user) {
    if (opts.password !== undefined) {
      throw new Invalid(
        `--password sets the password of a user --create makes; ${user.username} exists already`,
      );
    }
    return {
      token: await app.product.oauth.devToken(user.id, scopes, opts.days),
      username: user.username,
      created: false,
    };
  }
  if (!opts.create) throw new Invalid(`no user named ${opts.user} (add --create to make one)`);
  const password = opts.password ?? randomBytes(12).toString('base64url');
  user = await app.product.accounts.signUp({
    username: opts.user,
    email: `${opts.user.toLowerCase()}@users.corkboard.invalid`,
    password,
  });
  const token = await app.product.oauth.devToken(user.id, scopes, opts.days);
  return {
    token,
    username: user.username,
    created: true,
    ...(opts.password === undefined ? { password } : {}),
  };
}

/** Seeds the demo world (refusing a database that already has people unless forced). */
export async function seed(
  app: App,
  opts: { seed: number; pins: number; force: boolean },
): Promise<SeedSummary | undefined> {
  if (!opts.force && !(await isEmpty(app.deps.db))) return undefined;
  return seedWorld(
    { db: app.deps.db, ids: app.deps.ids, blobs: app.deps.blobs, log: app.log, limits: app.config },
    { seed: opts.seed, pins: opts.pins, password: DEMO_PASSWORD },
  );
}

/** Runs the search index's reconciliation (what the periodic task does) over a freshly seeded world. */
export async function indexSeeded(app: App): Promise<void> {
  const search = app.product.modules.find((m) => m.name === 'discovery-search') as
    | DiscoverySearchModule
    | undefined;
  await search?.index.reconcile();
}

/** Every seeded person's password (demo data only). */
export const DEMO_PASSWORD = 'corkboard-demo';

/** What `serve` prints on a demo instance: a token and a request to try. */
export async function demoBanner(app: App, address: string): Promise<string> {
  const demo = await app.product.accounts.byUsername('demo');
  if (!demo) return '';
  const token = await app.product.oauth.devToken(demo.id, [...ALL_SCOPES], 30);
  return [
    '',
    `Demo data: sign in as "demo" (password "${DEMO_PASSWORD}"). A development token for demo, valid 30 days:`,
    `  ${token}`,
    'Try:',
    `  curl -H "Authorization: Bearer ${token}" ${address}/v5/boards`,
    '',
  ].join('\n');
}
