import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Database, Privacy } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/principal.js';
import { privacyIn, visibleBoards } from './visibility.js';

/** Where a board stands in its owner's order (a list's keyset cursor). */
export interface BoardPosition {
  position: number | null;
  id: string;
}

export interface BoardRow {
  id: string;
  owner_id: string;
  owner_username: string;
  name: string;
  description: string | null;
  privacy: Privacy;
  is_ads_only: boolean;
  created_at: Date;
  pins_modified_at: Date;
  pin_count: string;
  follower_count: string;
}

function withCounts(db: Db) {
  return db
    .selectFrom('boards as b')
    .innerJoin('users as u', 'u.id', 'b.owner_id')
    .select([
      'b.id',
      'b.owner_id',
      'u.username as owner_username',
      'b.name',
      'b.description',
      'b.privacy',
      'b.is_ads_only',
      'b.created_at',
      'b.pins_modified_at',
      (eb: ExpressionBuilder<Database & { b: Database['boards'] }, 'b'>) =>
        eb
          .selectFrom('pins as p')
          .select(sql<string>`count(*)::text`.as('n'))
          .whereRef('p.board_id', '=', 'b.id')
          .as('pin_count'),
      (eb: ExpressionBuilder<Database & { b: Database['boards'] }, 'b'>) =>
        eb
          .selectFrom('board_follows as f')
          .select(sql<string>`count(*)::text`.as('n'))
          .whereRef('f.board_id', '=', 'b.id')
          .as('follower_count'),
    ]);
}

/** Reads and writes boards and their sections. */
export const boardsRepository = {
  async byId(db: Db, id: string): Promise<BoardRow | undefined> {
    return (await withCounts(db).where('b.id', '=', id).executeTakeFirst()) as BoardRow | undefined;
  },

  /** The boards with these ids that the viewer may read. */
  async byIds(db: Db, ids: readonly string[], viewer: Principal): Promise<BoardRow[]> {
    if (ids.length === 0) return [];
    return (await withCounts(db)
      .where('b.id', 'in', [...ids])
      .$call(visibleBoards(viewer, 'boards', 'b'))
      .execute()) as BoardRow[];
  },

  /**
   * The owner's boards with the given privacies in the owner's order (`position`, boards never placed
   * first, newest first; migration 0027), after the cursor's (position, id).
   */
  async listByOwner(
    db: Db,
    ownerId: string,
    privacies: Privacy[],
    after: BoardPosition | undefined,
    limit: number,
  ) {
    let q = withCounts(db)
      .select('b.position')
      .where('b.owner_id', '=', ownerId)
      .$call(privacyIn('b', privacies));
    if (after) {
      const id = after.id;
      q =
        after.position === null
          ? q.where((eb) =>
              eb.or([
                eb.and([eb('b.position', 'is', null), eb('b.id', '<', id)]),
                eb('b.position', 'is not', null),
              ]),
            )
          : q.where((eb) =>
              eb.or([
                eb('b.position', '>', after.position),
                eb.and([eb('b.position', '=', after.position), eb('b.id', '<', id)]),
              ]),
            );
    }
    return (await q
      .orderBy(sql`b.position asc nulls first`)
      .orderBy('b.id', 'desc')
      .limit(limit)
      .execute()) as (BoardRow & { position: number | null })[];
  },

  /** Every board id of the owner in their order, locked for an update of the order. */
  async orderOf(db: Db, ownerId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('boards')
      .select('id')
      .where('owner_id', '=', ownerId)
      .orderBy(sql`position asc nulls first`)
      .orderBy('id', 'desc')
      .forUpdate()
      .execute();
    return rows.map((r) => String(r.id));
  },

  /** Numbers the owner's boards 0..n-1 in the order of `ids`. */
  async setOrder(db: Db, ownerId: string, ids: readonly string[]) {
    if (ids.length === 0) return;
    const positions = ids.map((id, i) => sql`(${id}::bigint, ${i}::integer)`);
    await sql`update boards set position = o.position from (values ${sql.join(positions)}) as o(id, position)
      where boards.id = o.id and boards.owner_id = ${ownerId}`.execute(db);
  },

  accessWithOwner(db: Db, id: string) {
    return db
      .selectFrom('boards as b')
      .innerJoin('users as u', 'u.id', 'b.owner_id')
      .select(['b.owner_id', 'b.privacy', 'u.username as owner_username'])
      .where('b.id', '=', id)
      .executeTakeFirst();
  },

  /** Just what the policy needs, optionally locking the row for an update. */
  async access(db: Db, id: string, lock = false) {
    let q = db.selectFrom('boards').select(['id', 'owner_id', 'privacy']).where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  async insert(
    db: Db,
    row: {
      id: string;
      owner_id: string;
      name: string;
      description: string | null;
      privacy: Privacy;
      is_ads_only: boolean;
    },
  ) {
    await db.insertInto('boards').values(row).execute();
  },

  async update(db: Db, id: string, patch: { name?: string; description?: string | null; privacy?: Privacy }) {
    if (Object.keys(patch).length === 0) return;
    await db.updateTable('boards').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: string) {
    await db.deleteFrom('boards').where('id', '=', id).execute();
  },

  async touch(db: Db, id: string) {
    await db.updateTable('boards').set({ pins_modified_at: new Date() }).where('id', '=', id).execute();
  },

  async sections(db: Db, boardId: string, afterId: string | undefined, limit: number) {
    let q = db.selectFrom('board_sections').select(['id', 'name']).where('board_id', '=', boardId);
    if (afterId) q = q.where('id', '>', afterId);
    return q.orderBy('id').limit(limit).execute();
  },

  section(db: Db, boardId: string, sectionId: string) {
    return db
      .selectFrom('board_sections')
      .select(['id', 'name'])
      .where('board_id', '=', boardId)
      .where('id', '=', sectionId)
      .executeTakeFirst();
  },

  async insertSection(db: Db, row: { id: string; board_id: string; name: string }) {
    await db.insertInto('board_sections').values(row).execute();
  },

  async renameSection(db: Db, boardId: string, sectionId: string, name: string) {
    const r = await db
      .updateTable('board_sections')
      .set({ name })
      .where('board_id', '=', boardId)
      .where('id', '=', sectionId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async deleteSection(db: Db, boardId: string, sectionId: string) {
    const r = await db
      .deleteFrom('board_sections')
      .where('board_id', '=', boardId)
      .where('id', '=', sectionId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
};
