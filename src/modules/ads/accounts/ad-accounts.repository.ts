import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdAccountRole } from '../../../platform/db/schema.js';
import type { AdRole } from '../ads.policy.js';

export interface AdAccountRow {
  id: string;
  owner_id: string;
  owner_username: string;
  name: string;
  country: string;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

/** An account as one person sees it: with their role on it. */
export interface AdAccountView extends AdAccountRow {
  role: AdRole;
}

export interface MemberRow {
  user_id: string;
  username: string;
  role: AdAccountRole;
  created_at: Date;
}

function accounts(db: Db, userId: string) {
  return db
    .selectFrom('ad_accounts as a')
    .innerJoin('users as o', 'o.id', 'a.owner_id')
    .leftJoin('ad_account_members as m', (join) =>
      join.onRef('m.ad_account_id', '=', 'a.id').on('m.user_id', '=', userId),
    )
    .select([
      'a.id',
      'a.owner_id',
      'o.username as owner_username',
      'a.name',
      'a.country',
      'a.currency',
      'a.created_at',
      'a.updated_at',
      sql<AdRole>`case when a.owner_id = ${userId} then 'OWNER' else m.role end`.as('role'),
    ]);
}

/** Reads and writes ad accounts and their members. */
export const adAccountsRepository = {
  /** The account with the person's role on it; undefined when it does not exist or they have none. */
  async viewOf(db: Db, userId: string, id: string): Promise<AdAccountView | undefined> {
    const row = await accounts(db, userId).where('a.id', '=', id).executeTakeFirst();
    return row?.role ? row : undefined;
  },

  /** Accounts the person owns (and those shared with them), by id, after `after`. */
  list(db: Db, userId: string, shared: boolean, after: string | undefined, limit: number) {
    let q = accounts(db, userId).where((eb) =>
      shared
        ? eb.or([eb('a.owner_id', '=', userId), eb('m.user_id', 'is not', null)])
        : eb('a.owner_id', '=', userId),
    );
    if (after) q = q.where('a.id', '>', after);
    return q.orderBy('a.id').limit(limit).execute() as Promise<AdAccountView[]>;
  },

  async countOwned(db: Db, userId: string): Promise<number> {
    const row = await db
      .selectFrom('ad_accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('owner_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async insert(
    db: Db,
    row: { id: string; owner_id: string; name: string; country: string; currency: string },
  ) {
    await db.insertInto('ad_accounts').values(row).execute();
  },

  members(db: Db, accountId: string, after: string | undefined, limit: number): Promise<MemberRow[]> {
    let q = db
      .selectFrom('ad_account_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.username', 'm.role', 'm.created_at'])
      .where('m.ad_account_id', '=', accountId);
    if (after) q = q.where('m.user_id', '>', after);
    return q.orderBy('m.user_id').limit(limit).execute();
  },

  async putMember(db: Db, accountId: string, userId: string, role: AdAccountRole): Promise<MemberRow> {
    await db
      .insertInto('ad_account_members')
      .values({ ad_account_id: accountId, user_id: userId, role })
      .onConflict((oc) => oc.columns(['ad_account_id', 'user_id']).doUpdateSet({ role }))
      .execute();
    return db
      .selectFrom('ad_account_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.username', 'm.role', 'm.created_at'])
      .where('m.ad_account_id', '=', accountId)
      .where('m.user_id', '=', userId)
      .executeTakeFirstOrThrow();
  },

  async removeMember(db: Db, accountId: string, userId: string): Promise<boolean> {
    const result = await db
      .deleteFrom('ad_account_members')
      .where('ad_account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
