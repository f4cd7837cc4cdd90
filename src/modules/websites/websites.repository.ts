import type { Db } from '../../platform/db/database.js';

export type WebsiteRow = { website: string; method: string; verified_at: Date };

/** Claimed websites, one row per person and website. */
export const websitesRepository = {
  /** A person's websites in name order, after `after`. */
  list(db: Db, userId: string, after: string | undefined, limit: number): Promise<WebsiteRow[]> {
    let q = db
      .selectFrom('user_websites')
      .select(['website', 'method', 'verified_at'])
      .where('user_id', '=', userId);
    if (after !== undefined) q = q.where('website', '>', after);
    return q.orderBy('website').limit(limit).execute();
  },

  /** Records a verified claim (again: its method and time are renewed). */
  async claim(db: Db, userId: string, website: string, method: 'METATAG' | 'FILENAME' | 'DNSTXT') {
    return db
      .insertInto('user_websites')
      .values({ user_id: userId, website, method })
      .onConflict((oc) => oc.columns(['user_id', 'website']).doUpdateSet({ method, verified_at: new Date() }))
      .returning(['website', 'method', 'verified_at'])
      .executeTakeFirstOrThrow();
  },

  /** Drops a claim; whether there was one. */
  async remove(db: Db, userId: string, website: string): Promise<boolean> {
    const r = await db
      .deleteFrom('user_websites')
      .where('user_id', '=', userId)
      .where('website', '=', website)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
};
