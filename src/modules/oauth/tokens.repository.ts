import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { newToken, tokenHash } from '../../platform/secrets-hash.js';

export const ACCESS_TTL_S = 30 * 24 * 3600;
export const REFRESH_TTL_S = 365 * 24 * 3600;

/** What a new token is issued for. */
export interface TokenOwner {
  appId: string;
  userId: string;
  scopes: string[];
  /** The authorization it descends from (its first refresh token's id); null for none. */
  familyId: string | null;
  /** A client_credentials token: it acts for the app alone (signed-out traffic). */
  appOnly?: boolean;
}

/** A refresh token's row, as the refresh grant reads it. */
export interface RefreshRow {
  id: string;
  user_id: string | null;
  scopes: string[];
  family_id: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  rotated_at: Date | null;
}

/** Access and refresh tokens, stored as SHA-256 of the token. Each function runs on the executor given. */
export const tokensRepository = {
  /** A new access token; `refreshId` is the refresh token it was made from, if any. */
  async insertAccess(db: Db, owner: TokenOwner, refreshId: string | null, ttlS = ACCESS_TTL_S) {
    const token = newToken('pina_');
    await db
      .insertInto('oauth_tokens')
      .values({
        token_hash: tokenHash(token),
        kind: 'access',
        app_id: owner.appId,
        user_id: owner.userId,
        scopes: owner.scopes,
        refresh_id: refreshId,
        family_id: owner.familyId,
        app_only: owner.appOnly ?? false,
        expires_at: new Date(Date.now() + ttlS * 1000),
      })
      .execute();
    return token;
  },

  /** A new refresh token; one without a family starts its own (its id becomes the family id). */
  async insertRefresh(db: Db, owner: TokenOwner) {
    const token = newToken('pinr_');
    const expiresAt = new Date(Date.now() + REFRESH_TTL_S * 1000);
    const { id } = await db
      .insertInto('oauth_tokens')
      .values({
        token_hash: tokenHash(token),
        kind: 'refresh',
        app_id: owner.appId,
        user_id: owner.userId,
        scopes: owner.scopes,
        family_id: owner.familyId,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const familyId = owner.familyId ?? id;
    if (!owner.familyId)
      await db.updateTable('oauth_tokens').set({ family_id: id }).where('id', '=', id).execute();
    return { token, id, familyId, expiresAt };
  },

  /** The app's refresh token with this value, whatever its state. */
  async refreshRow(db: Db, appId: string, token: string): Promise<RefreshRow | undefined> {
    return db
      .selectFrom('oauth_tokens')
      .select(['id', 'user_id', 'scopes', 'family_id', 'expires_at', 'revoked_at', 'rotated_at'])
      .where('token_hash', '=', tokenHash(token))
      .where('kind', '=', 'refresh')
      .where('app_id', '=', appId)
      .executeTakeFirst();
  },

  /** Marks a live refresh token as replaced; false if it was already replaced or revoked (a race lost). */
  async markRotated(db: Db, id: string): Promise<boolean> {
    const row = await db
      .updateTable('oauth_tokens')
      .set({ rotated_at: sql`now()` })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  },

  /** Revokes every live token of a family; returns their hashes (for the principal cache). */
  async revokeFamily(db: Db, familyId: string): Promise<string[]> {
    const rows = await db
      .updateTable('oauth_tokens')
      .set({ revoked_at: sql`now()` })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .returning('token_hash')
      .execute();
    return rows.map((r) => r.token_hash);
  },

  /** Revokes one token of the app; returns its kind, family and hash, or undefined if none was live. */
  async revokeOne(db: Db, appId: string, token: string) {
    return db
      .updateTable('oauth_tokens')
      .set({ revoked_at: sql`now()` })
      .where('token_hash', '=', tokenHash(token))
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .returning(['kind', 'family_id', 'id', 'token_hash'])
      .executeTakeFirst();
  },

  /** Spends an unused, unexpired code of the app; undefined if there is none. */
  async spendCode(db: Db, appId: string, code: string) {
    return db
      .updateTable('oauth_codes')
      .set({ used_at: sql`now()` })
      .where('code_hash', '=', tokenHash(code))
      .where('app_id', '=', appId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['user_id', 'redirect_uri', 'scopes', 'code_challenge'])
      .executeTakeFirst();
  },

  async setCodeFamily(db: Db, code: string, familyId: string): Promise<void> {
    await db
      .updateTable('oauth_codes')
      .set({ family_id: familyId })
      .where('code_hash', '=', tokenHash(code))
      .execute();
  },

  /** The family a code's earlier exchange created, if the code was used before. */
  async spentCodeFamily(db: Db, code: string): Promise<string | null | undefined> {
    const row = await db
      .selectFrom('oauth_codes')
      .select('family_id')
      .where('code_hash', '=', tokenHash(code))
      .where('used_at', 'is not', null)
      .executeTakeFirst();
    return row?.family_id;
  },
};
