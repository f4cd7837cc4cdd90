import { type Selectable, sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdCustomerListTable } from '../../../platform/db/schema.js';

export type CustomerListRow = Selectable<AdCustomerListTable> & { matched: number };

/** How many hashes one `in (...)` lookup carries. */
const CHUNK = 1000;

const withMatched = (db: Db) =>
  db
    .selectFrom('ad_customer_lists as l')
    .selectAll('l')
    .select(
      sql<number>`(select count(*)::int from ad_customer_list_users u where u.customer_list_id = l.id)`.as(
        'matched',
      ),
    );

/** Reads and writes customer lists and the people they matched (never the hashes they were sent). */
export const customerListsRepository = {
  async insert(
    db: Db,
    row: { id: string; ad_account_id: string; name: string; list_type: string },
  ): Promise<void> {
    await db.insertInto('ad_customer_lists').values(row).execute();
  },

  byId(db: Db, accountId: string, id: string, lock = false): Promise<CustomerListRow | undefined> {
    let q = withMatched(db).where('l.ad_account_id', '=', accountId).where('l.id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  list(db: Db, accountId: string, f: { descending: boolean; after?: string; limit: number }) {
    let q = withMatched(db).where('l.ad_account_id', '=', accountId);
    if (f.after) q = q.where('l.id', f.descending ? '<' : '>', f.after);
    return q
      .orderBy('l.id', f.descending ? 'desc' : 'asc')
      .limit(f.limit)
      .execute();
  },

  /** The people whose e-mail hash (EMAIL) or id hash (HASHED_PINNER_ID) is among `hashes`. */
  async match(db: Db, column: 'email_sha256' | 'id_sha256', hashes: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const rows = await db
        .selectFrom('users')
        .select('id')
        .where(column, 'in', hashes.slice(i, i + CHUNK))
        .execute();
      out.push(...rows.map((r) => String(r.id)));
    }
    return out;
  },

  async addUsers(db: Db, listId: string, userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = userIds.slice(i, i + CHUNK).map((user_id) => ({ customer_list_id: listId, user_id }));
      await db
        .insertInto('ad_customer_list_users')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },

  async removeUsers(db: Db, listId: string, userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await db
        .deleteFrom('ad_customer_list_users')
        .where('customer_list_id', '=', listId)
        .where('user_id', 'in', userIds.slice(i, i + CHUNK))
        .execute();
    }
  },

  /** Counts a batch: one more batch, and its records as uploaded or removed (matched or not, as the spec counts). */
  async countBatch(db: Db, id: string, kind: 'ADD' | 'REMOVE', records: number): Promise<void> {
    await db
      .updateTable('ad_customer_lists')
      .set((eb) => ({
        num_batches: eb('num_batches', '+', 1),
        ...(kind === 'ADD'
          ? { num_uploaded_user_records: sql<string>`num_uploaded_user_records + ${records}` }
          : { num_removed_user_records: sql<string>`num_removed_user_records + ${records}` }),
        updated_at: new Date(),
      }))
      .where('id', '=', id)
      .execute();
  },
};
