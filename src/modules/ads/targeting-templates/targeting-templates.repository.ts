import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdTargetingTemplateTable } from '../../../platform/db/schema.js';

export type TemplateRow = Selectable<AdTargetingTemplateTable>;

/** Reads and writes targeting templates. */
export const targetingTemplatesRepository = {
  async insert(db: Db, row: Insertable<AdTargetingTemplateTable>): Promise<void> {
    await db.insertInto('ad_targeting_templates').values(row).execute();
  },

  async update(db: Db, id: string, changes: Updateable<AdTargetingTemplateTable>): Promise<void> {
    await db
      .updateTable('ad_targeting_templates')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  byId(db: Db, accountId: string, id: string, lock = false): Promise<TemplateRow | undefined> {
    let q = db
      .selectFrom('ad_targeting_templates')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  /** A page of the account's live templates, optionally those whose name holds `search` (any case). */
  list(
    db: Db,
    accountId: string,
    f: { descending: boolean; after?: string; limit: number; search?: string },
  ) {
    let q = db
      .selectFrom('ad_targeting_templates')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('status', '=', 'ACTIVE');
    if (f.search) q = q.where('name', 'ilike', `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.after) q = q.where('id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },
};
