import type { Db } from '../../../platform/db/database.js';
import type { ConversionRecord } from './conversion-event.js';

export interface ConversionTagRow {
  id: string;
  ad_account_id: string;
  name: string;
  status: string;
  configs: unknown;
  last_fired_at: Date | null;
  created_at: Date;
}

/** Reads and writes conversion events and tags. */
export const conversionsRepository = {
  /** The people whose e-mail hashes are among `hashes`, by hash. */
  async usersByEmailHash(db: Db, hashes: string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const rows = await db
      .selectFrom('users')
      .select(['id', 'email_sha256'])
      .where('email_sha256', 'in', hashes)
      .execute();
    return new Map(rows.map((r) => [r.email_sha256!, r.id]));
  },

  /** Inserts the events not already received (by event_id); answers the event ids that were new. */
  async insert(
    db: Db,
    accountId: string,
    records: (ConversionRecord & { user_id: string | null })[],
  ): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    const rows = await db
      .insertInto('ad_conversions')
      .values(
        records.map((r) => ({
          ad_account_id: accountId,
          event_id: r.event_id,
          event_name: r.event_name,
          action_source: r.action_source,
          event_time: r.event_time,
          user_id: r.user_id,
          click_id: r.click_id,
          value_micro: r.value_micro,
          currency: r.currency,
          order_id: r.order_id,
          num_items: r.num_items,
          user_hashes: JSON.stringify(r.user_hashes),
        })),
      )
      .onConflict((oc) => oc.columns(['ad_account_id', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    return new Set(rows.map((r) => r.event_id));
  },

  tags(db: Db, accountId: string, withDeleted: boolean): Promise<ConversionTagRow[]> {
    let q = db.selectFrom('ad_conversion_tags').selectAll().where('ad_account_id', '=', accountId);
    if (!withDeleted) q = q.where('status', '!=', 'DELETED');
    return q.orderBy('id').limit(1000).execute();
  },

  tag(db: Db, accountId: string, id: string): Promise<ConversionTagRow | undefined> {
    return db
      .selectFrom('ad_conversion_tags')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  },

  async insertTag(db: Db, row: { id: string; ad_account_id: string; name: string; configs: object }) {
    await db
      .insertInto('ad_conversion_tags')
      .values({ ...row, configs: JSON.stringify(row.configs) })
      .execute();
  },

  async countTags(db: Db, accountId: string): Promise<number> {
    const row = await db
      .selectFrom('ad_conversion_tags')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('ad_account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};
