import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { newToken, tokenHash } from '../../platform/secrets-hash.js';

const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface WebSession {
  userId: string;
  csrf: string;
}

/** Browser sessions of the consent page. The cookie carries a random id; the database its hash. */
export class Sessions {
  constructor(private readonly db: Db) {}

  async create(userId: string): Promise<{ id: string; session: WebSession }> {
    const id = newToken('');
    const csrf = newToken('');
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: tokenHash(id),
        user_id: userId,
        csrf,
        expires_at: new Date(Date.now() + SESSION_TTL_MS),
      })
      .execute();
    return { id, session: { userId, csrf } };
  }

  async get(id: string | undefined): Promise<WebSession | undefined> {
    if (!id || id.length > 100) return undefined;
    const row = await this.db
      .selectFrom('web_sessions')
      .select(['user_id', 'csrf'])
      .where('id_hash', '=', tokenHash(id))
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row ? { userId: row.user_id, csrf: row.csrf } : undefined;
  }

  async end(id: string | undefined): Promise<void> {
    if (id) await this.db.deleteFrom('web_sessions').where('id_hash', '=', tokenHash(id)).execute();
  }
}
