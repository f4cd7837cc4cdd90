import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdCampaignTable } from '../../../platform/db/schema.js';

export type CampaignRow = Selectable<AdCampaignTable>;
export type CampaignInsert = Insertable<AdCampaignTable>;
export type CampaignChanges = Updateable<AdCampaignTable>;

/** A page of an account's entities: optional id and status filters, by id either way. */
export interface EntityFilter {
  ids?: string[];
  statuses: readonly string[];
  descending: boolean;
  after?: string;
  limit: number;
}

/** Reads and writes campaigns. */
export const campaignsRepository = {
  async insert(db: Db, row: CampaignInsert): Promise<void> {
    await db.insertInto('ad_campaigns').values(row).execute();
  },

  async update(db: Db, id: string, changes: CampaignChanges): Promise<void> {
    await db
      .updateTable('ad_campaigns')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  /** The campaign of the account, locked for update when `lock` (a bulk update's item). */
  byId(db: Db, accountId: string, id: string, lock = false): Promise<CampaignRow | undefined> {
    let q = db
      .selectFrom('ad_campaigns')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  list(db: Db, accountId: string, f: EntityFilter): Promise<CampaignRow[]> {
    if (f.ids?.length === 0) return Promise.resolve([]);
    let q = db
      .selectFrom('ad_campaigns')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('status', 'in', [...f.statuses]);
    if (f.ids) q = q.where('id', 'in', f.ids);
    if (f.after) q = q.where('id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },
};
