import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdKeywordTable } from '../../../platform/db/schema.js';

export type KeywordRow = Selectable<AdKeywordTable>;
export type ParentType = AdKeywordTable['parent_type'];

/** Reads and writes keywords. */
export const keywordsRepository = {
  async insert(db: Db, row: Omit<KeywordRow, 'created_at' | 'updated_at' | 'archived'>): Promise<KeywordRow> {
    return db.insertInto('ad_keywords').values(row).returningAll().executeTakeFirstOrThrow();
  },

  byId(db: Db, accountId: string, id: string, lock = false): Promise<KeywordRow | undefined> {
    let q = db
      .selectFrom('ad_keywords')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  async update(
    db: Db,
    id: string,
    changes: { archived?: boolean; bid?: number | null },
  ): Promise<KeywordRow> {
    return db
      .updateTable('ad_keywords')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  /** The same keyword (value case-insensitively, match type) on the parent already, archived or not. */
  existing(db: Db, parentId: string, value: string, matchType: string) {
    return db
      .selectFrom('ad_keywords')
      .select(['id', 'archived'])
      .where('parent_id', '=', parentId)
      .where(sql`lower(value)`, '=', value.toLowerCase())
      .where('match_type', '=', matchType)
      .executeTakeFirst();
  },

  async countOn(db: Db, parentId: string): Promise<number> {
    const row = await db
      .selectFrom('ad_keywords')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('parent_id', '=', parentId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  list(
    db: Db,
    accountId: string,
    f: { parentType: ParentType; parentIds: string[]; matchTypes?: string[]; after?: string; limit: number },
  ): Promise<KeywordRow[]> {
    if (f.parentIds.length === 0) return Promise.resolve([]);
    let q = db
      .selectFrom('ad_keywords')
      .selectAll()
      .where('ad_account_id', '=', accountId)
      .where('parent_type', '=', f.parentType)
      .where('parent_id', 'in', f.parentIds);
    if (f.matchTypes) q = q.where('match_type', 'in', f.matchTypes);
    if (f.after) q = q.where('id', '>', f.after);
    return q.orderBy('id').limit(f.limit).execute();
  },

  adGroup(db: Db, accountId: string, id: string) {
    return db
      .selectFrom('ad_groups')
      .select(['id', 'billable_event', 'placement_group', 'status'])
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  },

  async campaignExists(db: Db, accountId: string, id: string): Promise<boolean> {
    const row = await db
      .selectFrom('ad_campaigns')
      .select('id')
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  },
};
