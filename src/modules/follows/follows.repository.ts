import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/**
 * A keyset position in a newest-first list. `at` is `created_at::text`, which PostgreSQL parses back to
 * the same microsecond (a JS Date would drop the microseconds and skip or repeat rows on a tie).
 */
export interface Position {
  at: string;
  id: string;
}

export interface PersonRow extends Position {
  username: string;
}

/** Reads and writes `follows` (person -> person) and `board_follows` (person -> board). */
export const followsRepository = {
  /** Adds the follow unless it exists; true when a row was written. */
  async followUser(db: Db, followerId: string, followeeId: string): Promise<boolean> {
    const r = await db
      .insertInto('follows')
      .values({ follower_id: followerId, followee_id: followeeId })
      .onConflict((oc) => oc.columns(['follower_id', 'followee_id']).doNothing())
      .returning('follower_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  /** Removes the follow; true when a row was removed. */
  async unfollowUser(db: Db, followerId: string, followeeId: string): Promise<boolean> {
    const r = await db
      .deleteFrom('follows')
      .where('follower_id', '=', followerId)
      .where('followee_id', '=', followeeId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  async followBoard(db: Db, userId: string, boardId: string): Promise<boolean> {
    const r = await db
      .insertInto('board_follows')
      .values({ user_id: userId, board_id: boardId })
      .onConflict((oc) => oc.columns(['user_id', 'board_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async unfollowBoard(db: Db, userId: string, boardId: string): Promise<boolean> {
    const r = await db
      .deleteFrom('board_follows')
      .where('user_id', '=', userId)
      .where('board_id', '=', boardId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  /** Whether `followerId` follows the person `followeeId`. */
  async followsUser(db: Db, followerId: string, followeeId: string): Promise<boolean> {
    const r = await db
      .selectFrom('follows')
      .select('follower_id')
      .where('follower_id', '=', followerId)
      .where('followee_id', '=', followeeId)
      .executeTakeFirst();
    return r !== undefined;
  },

  /** Whether `userId` follows the board `boardId`. */
  async followsBoard(db: Db, userId: string, boardId: string): Promise<boolean> {
    const r = await db
      .selectFrom('board_follows')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('board_id', '=', boardId)
      .executeTakeFirst();
    return r !== undefined;
  },

  /** People following `userId`, newest follow first, after `after`. */
  async followers(db: Db, userId: string, after: Position | undefined, limit: number): Promise<PersonRow[]> {
    let q = db
      .selectFrom('follows as f')
      .innerJoin('users as u', 'u.id', 'f.follower_id')
      .select([sql<string>`f.created_at::text`.as('at'), 'u.id as id', 'u.username as username'])
      .where('f.followee_id', '=', userId);
    if (after)
      q = q.where(
        sql<boolean>`(f.created_at, f.follower_id) < (${after.at}::timestamptz, ${after.id}::bigint)`,
      );
    return q.orderBy('f.created_at', 'desc').orderBy('f.follower_id', 'desc').limit(limit).execute();
  },

  /** People `userId` follows, newest follow first, after `after`. */
  async following(db: Db, userId: string, after: Position | undefined, limit: number): Promise<PersonRow[]> {
    let q = db
      .selectFrom('follows as f')
      .innerJoin('users as u', 'u.id', 'f.followee_id')
      .select([sql<string>`f.created_at::text`.as('at'), 'u.id as id', 'u.username as username'])
      .where('f.follower_id', '=', userId);
    if (after)
      q = q.where(
        sql<boolean>`(f.created_at, f.followee_id) < (${after.at}::timestamptz, ${after.id}::bigint)`,
      );
    return q.orderBy('f.created_at', 'desc').orderBy('f.followee_id', 'desc').limit(limit).execute();
  },

  /** Boards `userId` follows (whatever their privacy now), newest follow first, after `after`. */
  async followedBoards(
    db: Db,
    userId: string,
    after: Position | undefined,
    limit: number,
  ): Promise<Position[]> {
    let q = db
      .selectFrom('board_follows as f')
      .select([sql<string>`f.created_at::text`.as('at'), 'f.board_id as id'])
      .where('f.user_id', '=', userId);
    if (after)
      q = q.where(sql<boolean>`(f.created_at, f.board_id) < (${after.at}::timestamptz, ${after.id}::bigint)`);
    return q.orderBy('f.created_at', 'desc').orderBy('f.board_id', 'desc').limit(limit).execute();
  },
};
