import { LRUCache } from 'lru-cache';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid, Unauthenticated } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import { isIdText } from '../../platform/ids.js';
import type { Principal } from '../../platform/principal.js';
import type { FailureThrottle } from '../../platform/rate-limit/failure-throttle.js';
import { hashPassword, newToken, tokenHash, verifyPassword } from '../../platform/secrets-hash.js';
import { clientPlan, grantPlan } from './client-budgets.js';
import { verifierMatches } from './pkce.js';
import {
  ACCESS_TTL_S,
  REFRESH_TTL_S,
  type TokenOwner,
  tokensRepository as tokens,
} from './tokens.repository.js';

export { ACCESS_TTL_S } from './tokens.repository.js';

const CODE_TTL_S = 10 * 60;
const PRINCIPAL_CACHE_MS = 60_000;
const MINUTES_PER_DAY = 24 * 60;
/** The longest-lived development token (`corkboard token --days`). */
export const MAX_DEV_TOKEN_DAYS = 3650;
/** Tokens whose hash a node remembers. */
const TOKEN_HASHES = 10_000;

export interface OAuthApp {
  id: string;
  name: string;
  owner_id: string | null;
  redirect_uris: string[];
  /** A public client has no secret: codes are issued to it only with a PKCE challenge. */
  public: boolean;
}

/** What a code exchange presents besides the code: the redirect URI and the PKCE verifier, if any. */
export interface CodeExchange {
  redirectUri: string;
  codeVerifier?: string | undefined;
}

const APP_COLUMNS = ['id', 'name', 'owner_id', 'redirect_uris', 'secret_hash'] as const;

function appOf(row: {
  id: string;
  name: string;
  owner_id: string | null;
  redirect_uris: string[];
  secret_hash: string | null;
}): OAuthApp {
  const { secret_hash, ...app } = row;
  return { ...app, public: secret_hash === null };
}

export interface TokenGrant {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
  response_type: 'authorization_code' | 'refresh_token' | 'client_credentials';
  refresh_token?: string;
  refresh_token_expires_in?: number;
  refresh_token_expires_at?: number;
}

type CachedPrincipal = {
  userId: string;
  appId: string;
  scopes: string[];
  expiresAt: number;
  appOnly?: boolean;
};

/** Apps, authorisation codes and tokens. Secrets and tokens are stored hashed only. */
export class OAuthService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly cache: Cache,
    private readonly throttle: FailureThrottle,
  ) {}

  private readonly hashes = new LRUCache<string, string>({ max: TOKEN_HASHES });
  private readonly principals = new WeakMap<CachedPrincipal, Principal>();

  /** Registers an app; the secret is shown once and stored hashed. */
  async createApp(name: string, redirectUris: string[], ownerId: string | null = null) {
    if (!name.trim() || name.length > 100) throw new Invalid('App name must be 1 to 100 characters.');
    for (const uri of redirectUris) {
      let u: URL;
      try {
        u = new URL(uri);
      } catch {
        throw new Invalid(`Redirect URI is not a URL: ${uri}`);
      }
      if (u.hash) throw new Invalid('Redirect URIs may not contain a fragment.');
    }
    const id = await this.ids.next('app');
    const secret = newToken('');
    await this.db
      .insertInto('apps')
      .values({
        id,
        name: name.trim(),
        owner_id: ownerId,
        secret_hash: await hashPassword(secret),
        redirect_uris: redirectUris,
      })
      .execute();
    return { id, secret };
  }

  async app(id: string): Promise<OAuthApp | undefined> {
    if (!isIdText(id)) return undefined;
    const row = await this.db.selectFrom('apps').select(APP_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && appOf(row);
  }

  /**
   * The public client a token request names by `client_id` alone (no secret), or Unauthenticated: an
   * app with a secret must authenticate with it.
   */
  async publicClient(appId: string): Promise<OAuthApp> {
    const app = await this.app(appId);
    if (!app?.public) {
      throw new Unauthenticated(
        'Authentication failed: send HTTP Basic credentials app_id:app_secret (only a public client may give client_id alone).',
      );
    }
    return app;
  }

  /**
   * The first-party public client `key` (the web app Corkboard serves), made on first use; its redirect
   * URIs are set to `redirectUris` each time, so they follow PUBLIC_URL. Safe when several processes
   * start at once: the key is unique, and the loser of a race updates the winner's row.
   */
  async firstPartyClient(key: string, name: string, redirectUris: string[]): Promise<OAuthApp> {
    const id = await this.ids.next('app');
    const row = await this.db
      .insertInto('apps')
      .values({ id, name, owner_id: null, secret_hash: null, redirect_uris: redirectUris, first_party: key })
      .onConflict((oc) =>
        oc
          .column('first_party')
          .where('first_party', 'is not', null)
          .doUpdateSet({ redirect_uris: redirectUris, name }),
      )
      .returning(APP_COLUMNS)
      .executeTakeFirstOrThrow();
    return appOf(row);
  }

  /**
   * The app whose id and secret these are (HTTP Basic on the token endpoints), or Unauthenticated.
   * Failures from `ip` are throttled before the secret is hashed: RateLimited when a budget is spent.
   */
  async authenticateClient(appId: string, secret: string, ip: string): Promise<OAuthApp> {
    return this.throttle.attempt(
      clientPlan(appId, ip),
      async () => {
        const row = isIdText(appId)
          ? await this.db.selectFrom('apps').selectAll().where('id', '=', appId).executeTakeFirst()
          : undefined;
        // A public client has no secret, so no secret authenticates it.
        if (!row?.secret_hash || !(await verifyPassword(secret, row.secret_hash))) {
          throw new Unauthenticated('Authentication failed: unknown app id or wrong app secret.');
        }
        return appOf(row);
      },
      () => false,
    );
  }

  /**
   * A single-use authorisation code for the consent the user just gave; with `codeChallenge` (PKCE,
   * S256), only the matching verifier can exchange it. A public client must give one.
   */
  async issueCode(
    app: OAuthApp,
    userId: string,
    redirectUri: string,
    scopes: string[],
    codeChallenge: string | null = null,
  ): Promise<string> {
    if (app.public && !codeChallenge) throw new Invalid('A public client must send a PKCE code_challenge.');
    const code = newToken('');
    await this.db
      .insertInto('oauth_codes')
      .values({
        code_hash: tokenHash(code),
        app_id: app.id,
        user_id: userId,
        redirect_uri: redirectUri,
        scopes,
        expires_at: new Date(Date.now() + CODE_TTL_S * 1000),
        code_challenge: codeChallenge,
      })
      .execute();
    return code;
  }

  /**
   * Trades a code for tokens; the code is spent atomically. A code presented again gets nothing, and
   * everything its first exchange issued is revoked (RFC 6749 §4.1.2: the code may have leaked).
   * A code issued with a PKCE challenge needs the verifier it was made from (RFC 7636 §4.6); one issued
   * without cannot take a verifier. A refused exchange leaves the code unspent (the transaction is
   * rolled back), and counts against the app's grant budget like any refusal.
   */
  async exchangeCode(app: OAuthApp, code: string, exchange: CodeExchange): Promise<TokenGrant> {
    const { redirectUri, codeVerifier } = exchange;
    return this.refusalsThrottled(app, async () => {
      const grant = await this.db.transaction().execute(async (trx) => {
        const spent = await tokens.spendCode(trx, app.id, code);
        if (!spent) return undefined;
        if (spent.redirect_uri !== redirectUri) {
          throw new Invalid('redirect_uri does not match the one the code was issued for.');
        }
        if (spent.code_challenge === null) {
          if (codeVerifier !== undefined)
            throw new Invalid('code_verifier was sent, but the code was issued without a code_challenge.');
        } else if (codeVerifier === undefined) {
          throw new Invalid('The code was issued with a code_challenge: send its code_verifier.');
        } else if (!verifierMatches(codeVerifier, spent.code_challenge)) {
          throw new Invalid('code_verifier does not match the code_challenge the code was issued for.');
        }
        const owner = { appId: app.id, userId: spent.user_id, scopes: spent.scopes, familyId: null };
        const { grant, familyId } = await this.issuePair(trx, owner, 'authorization_code');
        await tokens.setCodeFamily(trx, code, familyId);
        return grant;
      });
      if (grant) return grant;
      const family = await tokens.spentCodeFamily(this.db, code);
      if (family) await this.revokeFamily(family);
      throw new Invalid('The authorization code is invalid, expired or already used.');
    });
  }

  /**
   * A new access token from a refresh token, optionally with fewer scopes. With `rotate`
   * (refresh_on=true) the refresh token is replaced too: the answer carries a new one and the old one
   * stops working. Presenting a replaced refresh token again revokes its whole family.
   */
  async refresh(app: OAuthApp, refreshToken: string, scope?: string[], rotate = false): Promise<TokenGrant> {
    return this.refusalsThrottled(app, async () => {
      const row = await tokens.refreshRow(this.db, app.id, refreshToken);
      const familyId = row && (row.family_id ?? row.id);
      if (row && familyId && row.rotated_at && !row.revoked_at) {
        await this.revokeFamily(familyId);
        throw new Invalid(
          'The refresh token was already replaced by a newer one; every token of this authorization is revoked.',
        );
      }
      if (!row?.user_id || !familyId || row.revoked_at || new Date(row.expires_at).getTime() <= Date.now()) {
        throw new Invalid('The refresh token is invalid, expired or revoked.');
      }
      const scopes = scope ?? row.scopes;
      const extra = scopes.filter((s) => !row.scopes.includes(s));
      if (extra.length) throw new Invalid(`The refresh token was not granted: ${extra.join(', ')}.`);
      const owner = { appId: app.id, userId: row.user_id, scopes, familyId };
      if (!rotate) {
        const access = await this.accessGrant(this.db, owner, row.id);
        return { ...access, response_type: 'refresh_token' };
      }
      const rotated = await this.db.transaction().execute(async (trx) => {
        if (!(await tokens.markRotated(trx, row.id))) return undefined;
        // RFC 6749 §6: the new refresh token has the scopes of the old one, not the narrowed request.
        const { grant } = await this.issuePair(
          trx,
          { ...owner, scopes: row.scopes },
          'refresh_token',
          scopes,
        );
        return grant;
      });
      if (rotated) return rotated;
      // Another request rotated it first: two holders of one refresh token, so treat it as reuse.
      await this.revokeFamily(familyId);
      throw new Invalid(
        'The refresh token was used twice at once; every token of this authorization is revoked.',
      );
    });
  }

  /**
   * An access token of the app alone (the client_credentials grant): it reads as the app's owner, and is
   * marked app-only, so what serves people (impression tokens, ads, experiments) treats its requests as
   * signed-out traffic, by the device they name.
   */
  async clientCredentials(app: OAuthApp, scopes: string[]): Promise<TokenGrant> {
    if (!app.owner_id)
      throw new Invalid('This app has no owner account to act for; client_credentials needs one.');
    const owner = { appId: app.id, userId: app.owner_id, scopes, familyId: null, appOnly: true };
    const access = await this.accessGrant(this.db, owner, null);
    return { ...access, response_type: 'client_credentials' };
  }

  /**
   * Revokes a token of this app. Revoking a refresh token revokes its whole family (every access and
   * refresh token of the same authorization, RFC 7009 §2.1); an access token goes alone.
   */
  async revoke(app: OAuthApp, token: string): Promise<void> {
    const row = await tokens.revokeOne(this.db, app.id, token);
    if (!row) return;
    await this.cache.invalidate(`token:${row.token_hash}`);
    if (row.kind === 'refresh') await this.revokeFamily(row.family_id ?? row.id);
  }

  /** Revokes every token of a family, and drops their cached principals on every node. */
  private async revokeFamily(familyId: string): Promise<void> {
    const hashes = await tokens.revokeFamily(this.db, familyId);
    await this.cache.invalidate(...hashes.map((h) => `token:${h}`));
  }

  /** Runs a code or refresh-token grant; refusals count against the app's grant budget. */
  private refusalsThrottled(app: OAuthApp, run: () => Promise<TokenGrant>): Promise<TokenGrant> {
    return this.throttle.attempt(grantPlan(app.id), run, () => false);
  }

  /** A development token for a user through the built-in CLI app (`corkboard token`). */
  async devToken(userId: string, scopes: string[], days: number): Promise<string> {
    if (!Number.isFinite(days) || days * MINUTES_PER_DAY < 1 || days > MAX_DEV_TOKEN_DAYS) {
      throw new Invalid(
        `A development token lives 1 minute to ${MAX_DEV_TOKEN_DAYS} days; got ${days} days.`,
      );
    }
    let app = await this.db
      .selectFrom('apps')
      .select('id')
      .where('name', '=', 'Corkboard CLI')
      .executeTakeFirst();
    if (!app) app = { id: (await this.createApp('Corkboard CLI', [])).id };
    const owner = { appId: app.id, userId, scopes, familyId: null };
    return tokens.insertAccess(this.db, owner, null, Math.round(days * MINUTES_PER_DAY) * 60);
  }

  /**
   * A long-lived token that only sends conversion events (POST /v5/oauth/conversion_token), for the
   * person and app of `principal`; `scopes` are what it carries (CONVERSION_SCOPE, and any binding).
   * Revoked like any access token of the app.
   */
  async conversionToken(principal: Principal, scopes: string[]): Promise<string> {
    const owner = { appId: principal.appId, userId: principal.userId, scopes, familyId: null };
    return tokens.insertAccess(this.db, owner, null, MAX_DEV_TOKEN_DAYS * MINUTES_PER_DAY * 60);
  }

  /** The principal behind an access token, cached briefly; revocation drops the cached entry. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = this.hashOf(token);
    const cached = await this.cache.getOrLoad<CachedPrincipal | null>(
      `token:${hash}`,
      PRINCIPAL_CACHE_MS,
      async () => {
        const row = await this.db
          .selectFrom('oauth_tokens')
          .select(['user_id', 'app_id', 'scopes', 'expires_at', 'app_only'])
          .where('token_hash', '=', hash)
          .where('kind', '=', 'access')
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (!row?.user_id) return null;
        return {
          userId: row.user_id,
          appId: row.app_id,
          scopes: row.scopes,
          expiresAt: new Date(row.expires_at).getTime(),
          ...(row.app_only && { appOnly: true }),
        };
      },
    );
    return this.principal(cached);
  }

  /**
   * authenticate() without waiting, when this node holds the token's cached principal: the principal,
   * or null for a token known to be invalid; undefined when only authenticate() can tell.
   */
  authenticateHeld(token: string): Principal | null | undefined {
    const cached = this.cache.peek<CachedPrincipal | null>(`token:${this.hashOf(token)}`);
    return cached === undefined ? undefined : (this.principal(cached) ?? null);
  }

  /** SHA-256 of a token, remembered for the tokens seen lately (every request hashes its token). */
  private hashOf(token: string): string {
    let hash = this.hashes.get(token);
    if (hash === undefined) {
      hash = tokenHash(token);
      this.hashes.set(token, hash);
    }
    return hash;
  }

  /** The principal of a cached entry; one object per entry, as entries are replaced, never changed. */
  private principal(cached: CachedPrincipal | null): Principal | undefined {
    if (!cached || cached.expiresAt <= Date.now()) return undefined;
    let principal = this.principals.get(cached);
    if (!principal) {
      principal = Object.freeze({
        userId: cached.userId,
        appId: cached.appId,
        scopes: new Set(cached.scopes),
        ...(cached.appOnly && { appOnly: true }),
      });
      this.principals.set(cached, principal);
    }
    return principal;
  }

  /** A refresh token and an access token made from it (the access token may have fewer scopes). */
  private async issuePair(
    db: Db,
    owner: TokenOwner,
    responseType: TokenGrant['response_type'],
    accessScopes = owner.scopes,
  ): Promise<{ grant: TokenGrant; familyId: string }> {
    const refresh = await tokens.insertRefresh(db, owner);
    const access = await this.accessGrant(
      db,
      { ...owner, scopes: accessScopes, familyId: refresh.familyId },
      refresh.id,
    );
    const grant: TokenGrant = {
      ...access,
      response_type: responseType,
      refresh_token: refresh.token,
      refresh_token_expires_in: REFRESH_TTL_S,
      refresh_token_expires_at: Math.floor(refresh.expiresAt.getTime() / 1000),
    };
    return { grant, familyId: refresh.familyId };
  }

  private async accessGrant(db: Db, owner: TokenOwner, refreshId: string | null) {
    return {
      access_token: await tokens.insertAccess(db, owner, refreshId),
      token_type: 'bearer' as const,
      expires_in: ACCESS_TTL_S,
      scope: owner.scopes.join(','),
    };
  }
}
