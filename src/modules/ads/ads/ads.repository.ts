import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdTable } from '../../../platform/db/schema.js';
import { discoverableBoard } from '../../boards/index.js';
import type { EntityFilter } from '../campaigns/campaigns.repository.js';

export type AdInsert = Insertable<AdTable>;
export type AdChanges = Updateable<AdTable>;

/** Whether a pin may be promoted now: `live` (not deleted) and `public` (on a board discovery shows). */
export interface PinStanding {
  owner_id: string | null;
  pin_live: boolean;
  pin_public: boolean;
}

function ads(db: Db) {
  return db
    .selectFrom('ads as a')
    .leftJoin('pins as p', 'p.id', 'a.pin_id')
    .leftJoin('boards as b', 'b.id', 'p.board_id')
    .selectAll('a')
    .select((eb) => [
      sql<boolean>`p.id is not null`.as('pin_live'),
      eb.fn.coalesce(discoverableBoard('b'), eb.val(false)).as('pin_public'),
    ]);
}

export type AdRow = Awaited<ReturnType<ReturnType<typeof ads>['executeTakeFirstOrThrow']>>;

/** Reads and writes ads, each with where its pin stands now. */
export const adsRepository = {
  async insert(db: Db, row: AdInsert): Promise<void> {
    await db.insertInto('ads').values(row).execute();
  },

  async update(db: Db, id: string, changes: AdChanges): Promise<void> {
    await db
      .updateTable('ads')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  async byId(db: Db, accountId: string, id: string, lock = false): Promise<AdRow | undefined> {
    if (lock) {
      await db.selectFrom('ads').select('id').where('id', '=', id).forUpdate().execute();
    }
    return ads(db).where('a.ad_account_id', '=', accountId).where('a.id', '=', id).executeTakeFirst();
  },

  list(
    db: Db,
    accountId: string,
    f: EntityFilter & { campaignIds?: string[]; adGroupIds?: string[] },
  ): Promise<AdRow[]> {
    if (f.ids?.length === 0 || f.campaignIds?.length === 0 || f.adGroupIds?.length === 0)
      return Promise.resolve([]);
    let q = ads(db)
      .where('a.ad_account_id', '=', accountId)
      .where('a.status', 'in', [...f.statuses]);
    if (f.ids) q = q.where('a.id', 'in', f.ids);
    if (f.campaignIds) q = q.where('a.campaign_id', 'in', f.campaignIds);
    if (f.adGroupIds) q = q.where('a.ad_group_id', 'in', f.adGroupIds);
    if (f.after) q = q.where('a.id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('a.id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },

  /** Every ad of the account, with where its pin stands. */
  ofAccount(db: Db, accountId: string): Promise<AdRow[]> {
    return ads(db).where('a.ad_account_id', '=', accountId).execute();
  },

  /** Where a pin stands: its owner, and whether it exists and is public. */
  async pin(db: Db, pinId: string): Promise<PinStanding & { link: string | null }> {
    const row = await db
      .selectFrom('pins as p')
      .innerJoin('boards as b', 'b.id', 'p.board_id')
      .select(['p.owner_id', 'p.link', discoverableBoard('b').as('pin_public')])
      .where('p.id', '=', pinId)
      .executeTakeFirst();
    return row
      ? { owner_id: row.owner_id, link: row.link, pin_live: true, pin_public: row.pin_public }
      : { owner_id: null, link: null, pin_live: false, pin_public: false };
  },

  adGroup(db: Db, accountId: string, id: string) {
    return db
      .selectFrom('ad_groups')
      .select(['id', 'campaign_id', 'status'])
      .where('ad_account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  },
};
