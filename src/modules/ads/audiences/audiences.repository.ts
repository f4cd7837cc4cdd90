import { type Selectable, sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdAudienceTable } from '../../../platform/db/schema.js';

export type AudienceRow = Selectable<AdAudienceTable> & { members: number };

/** How many people one insert carries. */
const CHUNK = 1000;

const withMembers = (db: Db) =>
  db
    .selectFrom('ad_audiences as a')
    .selectAll('a')
    .select(
      sql<number>`(select count(*)::int from ad_audience_users u where u.audience_id = a.id)`.as('members'),
    );

/** Reads and writes audiences and who is in them. */
export const audiencesRepository = {
  async insert(
    db: Db,
    row: {
      id: string;
      ad_account_id: string;
      name: string;
      audience_type: string;
      description: string | null;
      rule: string;
    },
  ): Promise<void> {
    await db.insertInto('ad_audiences').values(row).execute();
  },

  async update(
    db: Db,
    id: string,
    changes: { name?: string; description?: string | null; rule?: string; status?: string },
  ): Promise<void> {
    await db
      .updateTable('ad_audiences')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  byId(db: Db, accountId: string, id: string, lock = false): Promise<AudienceRow | undefined> {
    let q = withMembers(db).where('a.ad_account_id', '=', accountId).where('a.id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  list(db: Db, accountId: string, f: { descending: boolean; after?: string; limit: number }) {
    let q = withMembers(db).where('a.ad_account_id', '=', accountId);
    if (f.after) q = q.where('a.id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('a.id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },

  /** The audiences of the account among `ids`, with their status. */
  async statusesOf(db: Db, accountId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('ad_audiences')
      .select(['id', 'status'])
      .where('ad_account_id', '=', accountId)
      .where('id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [String(r.id), r.status]));
  },

  /** Replaces who is in an audience. */
  async setMembers(db: Db, audienceId: string, userIds: readonly string[]): Promise<void> {
    await db
      .updateTable('ad_audiences')
      .set({ members_at: new Date() })
      .where('id', '=', audienceId)
      .execute();
    await db.deleteFrom('ad_audience_users').where('audience_id', '=', audienceId).execute();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = userIds.slice(i, i + CHUNK).map((user_id) => ({ audience_id: audienceId, user_id }));
      await db
        .insertInto('ad_audience_users')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },

  /**
   * One audience that follows activity (VISITOR, ENGAGEMENT, ACTALIKE) and was last computed before
   * `before`, locked for its refresh; one another process is refreshing is skipped.
   */
  stale(db: Db, before: Date) {
    return db
      .selectFrom('ad_audiences')
      .select(['id', 'ad_account_id', 'audience_type', 'rule'])
      .where('status', '<>', 'ARCHIVED')
      .where('audience_type', 'in', ['VISITOR', 'ENGAGEMENT', 'ACTALIKE'])
      .where('members_at', '<', before)
      .orderBy('members_at')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
  },

  /** Everyone in any of the audiences. */
  async membersOf(db: Db, audienceIds: readonly string[]): Promise<string[]> {
    if (audienceIds.length === 0) return [];
    const rows = await db
      .selectFrom('ad_audience_users')
      .select('user_id')
      .distinct()
      .where('audience_id', 'in', [...audienceIds])
      .execute();
    return rows.map((r) => String(r.user_id));
  },

  /** The live audiences of the account built on a customer list, and the live ACTALIKEs seeded by any of `seeds`. */
  async dependents(db: Db, accountId: string, by: { customerList?: string; seeds?: readonly string[] }) {
    let q = db
      .selectFrom('ad_audiences')
      .select(['id', 'audience_type', 'rule'])
      .where('ad_account_id', '=', accountId)
      .where('status', '<>', 'ARCHIVED');
    if (by.customerList !== undefined) {
      q = q
        .where('audience_type', '=', 'CUSTOMER_LIST')
        .where(sql<string>`rule ->> 'customer_list_id'`, '=', by.customerList);
    } else {
      const seeds = by.seeds ?? [];
      if (seeds.length === 0) return [];
      q = q
        .where('audience_type', '=', 'ACTALIKE')
        .where(sql<boolean>`rule -> 'seed_id' ?| array[${sql.join([...seeds])}]::text[]`);
    }
    // Locked, so a concurrent PATCH of one of them waits rather than mixing two recomputations.
    return q.orderBy('id').forUpdate().execute();
  },
};
