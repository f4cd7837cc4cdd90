import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../http/auth.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid, Unauthenticated } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import { hashPassword, newToken, tokenHash, verifyPassword } from '../../platform/secrets-hash.js';

export const ACCESS_TTL_S = 30 * 24 * 3600;
export const REFRESH_TTL_S = 365 * 24 * 3600;
const CODE_TTL_S = 10 * 60;
const PRINCIPAL_CACHE_MS = 60_000;
/** Tokens whose hash a node remembers. */
const TOKEN_HASHES = 10_000;

export interface OAuthApp {
  id: string;
  name: string;
  owner_id: string | null;
  redirect_uris: string[];
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

type CachedPrincipal = { userId: string; appId: string; scopes: string[]; expiresAt: number };

/** Apps, authorisation codes and tokens. Secrets and tokens are stored hashed only. */
export class OAuthService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly cache: Cache,
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
    if (!/^\d{1,19}$/.test(id)) return undefined;
    return this.db
      .selectFrom('apps')
      .select(['id', 'name', 'owner_id', 'redirect_uris'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The app whose id and secret these are (HTTP Basic on the token endpoints), or Unauthenticated. */
  async authenticateClient(appId: string, secret: string): Promise<OAuthApp> {
    const row = /^\d{1,19}$/.test(appId)
      ? await this.db.selectFrom('apps').selectAll().where('id', '=', appId).executeTakeFirst()
      : undefined;
    if (!row || !(await verifyPassword(secret, row.secret_hash))) {
      throw new Unauthenticated('Authentication failed: unknown app id or wrong app secret.');
    }
    return { id: row.id, name: row.name, owner_id: row.owner_id, redirect_uris: row.redirect_uris };
  }

  /** A single-use authorisation code for the consent the user just gave. */
  async issueCode(app: OAuthApp, userId: string, redirectUri: string, scopes: string[]): Promise<string> {
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
      })
      .execute();
    return code;
  }

  /** Trades a code for tokens; the code is spent atomically, so a replay gets nothing. */
  async exchangeCode(app: OAuthApp, code: string, redirectUri: string): Promise<TokenGrant> {
    return this.db.transaction().execute(async (trx) => {
      const spent = await trx
        .updateTable('oauth_codes')
        .set({ used_at: sql`now()` })
        .where('code_hash', '=', tokenHash(code))
        .where('app_id', '=', app.id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning(['user_id', 'redirect_uri', 'scopes'])
        .executeTakeFirst();
      if (!spent) throw new Invalid('The authorization code is invalid, expired or already used.');
      if (spent.redirect_uri !== redirectUri) {
        throw new Invalid('redirect_uri does not match the one the code was issued for.');
      }
      return this.issuePair(trx, app.id, spent.user_id, spent.scopes, 'authorization_code');
    });
  }

  /** A new access token from a refresh token, optionally with fewer scopes. */
  async refresh(app: OAuthApp, refreshToken: string, scope?: string[]): Promise<TokenGrant> {
    const row = await this.db
      .selectFrom('oauth_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash(refreshToken))
      .where('kind', '=', 'refresh')
      .where('app_id', '=', app.id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    if (!row?.user_id) throw new Invalid('The refresh token is invalid, expired or revoked.');
    const scopes = scope ?? row.scopes;
    const extra = scopes.filter((s) => !row.scopes.includes(s));
    if (extra.length) throw new Invalid(`The refresh token was not granted: ${extra.join(', ')}.`);
    const access = await this.issueAccess(this.db, app.id, row.user_id, scopes, row.id);
    return { ...access, response_type: 'refresh_token' };
  }

  /** An access token acting for the app's owner (the client_credentials grant). */
  async clientCredentials(app: OAuthApp, scopes: string[]): Promise<TokenGrant> {
    if (!app.owner_id)
      throw new Invalid('This app has no owner account to act for; client_credentials needs one.');
    const access = await this.issueAccess(this.db, app.id, app.owner_id, scopes, null);
    return { ...access, response_type: 'client_credentials' };
  }

  /** Revokes a token of this app; revoking a refresh token also revokes the access tokens made from it. */
  async revoke(app: OAuthApp, token: string): Promise<void> {
    const revoked = await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: sql`now()` })
      .where('app_id', '=', app.id)
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('token_hash', '=', tokenHash(token)),
          eb(
            'refresh_id',
            'in',
            eb
              .selectFrom('oauth_tokens')
              .select('id')
              .where('token_hash', '=', tokenHash(token))
              .where('kind', '=', 'refresh'),
          ),
        ]),
      )
      .returning('token_hash')
      .execute();
    await this.cache.invalidate(...revoked.map((r) => `token:${r.token_hash}`));
  }

  /** A development token for a user through the built-in CLI app (`corkboard token`). */
  async devToken(userId: string, scopes: string[], days: number): Promise<string> {
    let app = await this.db
      .selectFrom('apps')
      .select('id')
      .where('name', '=', 'Corkboard CLI')
      .executeTakeFirst();
    if (!app) app = { id: (await this.createApp('Corkboard CLI', [])).id };
    const token = newToken('pina_');
    await this.db
      .insertInto('oauth_tokens')
      .values({
        token_hash: tokenHash(token),
        kind: 'access',
        app_id: app.id,
        user_id: userId,
        scopes,
        expires_at: new Date(Date.now() + days * 24 * 3600 * 1000),
      })
      .execute();
    return token;
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
          .select(['user_id', 'app_id', 'scopes', 'expires_at'])
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
      });
      this.principals.set(cached, principal);
    }
    return principal;
  }

  private async issuePair(
    db: Db,
    appId: string,
    userId: string,
    scopes: string[],
    responseType: TokenGrant['response_type'],
  ): Promise<TokenGrant> {
    const refresh = newToken('pinr_');
    const expiresAt = new Date(Date.now() + REFRESH_TTL_S * 1000);
    const row = await db
      .insertInto('oauth_tokens')
      .values({
        token_hash: tokenHash(refresh),
        kind: 'refresh',
        app_id: appId,
        user_id: userId,
        scopes,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const access = await this.issueAccess(db, appId, userId, scopes, row.id);
    return {
      ...access,
      response_type: responseType,
      refresh_token: refresh,
      refresh_token_expires_in: REFRESH_TTL_S,
      refresh_token_expires_at: Math.floor(expiresAt.getTime() / 1000),
    };
  }

  private async issueAccess(
    db: Db,
    appId: string,
    userId: string,
    scopes: string[],
    refreshId: string | null,
  ) {
    const token = newToken('pina_');
    await db
      .insertInto('oauth_tokens')
      .values({
        token_hash: tokenHash(token),
        kind: 'access',
        app_id: appId,
        user_id: userId,
        scopes,
        refresh_id: refreshId,
        expires_at: new Date(Date.now() + ACCESS_TTL_S * 1000),
      })
      .execute();
    return {
      access_token: token,
      token_type: 'bearer' as const,
      expires_in: ACCESS_TTL_S,
      scope: scopes.join(','),
    };
  }
}
