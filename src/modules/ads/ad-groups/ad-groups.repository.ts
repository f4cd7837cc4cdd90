import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdGroupTable } from '../../../platform/db/schema.js';
import type { EntityFilter } from '../campaigns/campaigns.repository.js';

export type AdGroupRow = Selectable<AdGroupTable>;
export type AdGroupInsert = Insertable<AdGroupTable>;
export type AdGroupChanges = Updateable<AdGroupTable>;

/** Reads and writes ad groups. */
export const adGroupsRepository = {
  async insert(db: Db, row: AdGroupInsert): Promise<void> {
    await db.insertInto('ad_groups').values(row).execute();
  },

  async update(db: Db, id: string, changes: AdGroupChanges): Promise<void> {
    await db
      .updateTable('ad_groups')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  byId(db: Db, accountId: string, id: string, lock = false): Promise<AdGroupRow | undefined> {
    let q = db
      .selectFrom('ad_groups')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  list(db: Db, accountId: string, f: EntityFilter & { campaignIds?: string[] }): Promise<AdGroupRow[]> {
    if (f.ids?.length === 0 || f.campaignIds?.length === 0) return Promise.resolve([]);
    let q = db
      .selectFrom('ad_groups')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('status', 'in', [...f.statuses]);
    if (f.ids) q = q.where('id', 'in', f.ids);
    if (f.campaignIds) q = q.where('campaign_id', 'in', f.campaignIds);
    if (f.after) q = q.where('id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },

  /** Which of `ids` are audiences of the account that can still be targeted (not archived). */
  async audiencesOf(db: Db, accountId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom('ad_audiences')
      .select('id')
      .where('ad_account_id', '=', accountId)
      .where('id', 'in', ids)
      .where('status', '!=', 'ARCHIVED')
      .execute();
    return new Set(rows.map((r) => r.id));
  },

  templateOf(db: Db, accountId: string, id: string) {
    return db
      .selectFrom('ad_targeting_templates')
      .select(['id', 'targeting_attributes', 'status'])
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  },
};
