import type { Bookmarks, Cursor } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { isForeignKeyViolation } from '../../platform/db/errors.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import type { BoardView } from '../boards/index.js';
import type { ProductServices } from '../product-services.js';
import { emit } from '../topics.js';
import { type Position, followsRepository as repo } from './follows.repository.js';

export interface UserSummary {
  type: 'user';
  username: string;
}

export interface FollowsDeps {
  db: Db;
  bookmarks: Bookmarks;
  accounts: ProductServices['accounts'];
  boards: ProductServices['boards'];
  /** Records FOLLOW / UNFOLLOW in the event stream, in the follow's transaction. */
  events: ProductServices['events'];
  /** Wakes the outbox relay after a commit that emitted an event. */
  eventsCommitted: () => void;
}

const summary = (username: string): UserSummary => ({ type: 'user', username });

function userNotFound(): NotFound {
  return new NotFound('User not found.', 30);
}

function boardNotFound(): NotFound {
  return new NotFound('Board not found.', 40);
}

/** Reads a bookmark of a newest-first list back into its keyset position. */
function position(bookmarks: Bookmarks, scope: string, bookmark: string | undefined): Position | undefined {
  if (!bookmark) return undefined;
  const cursor = bookmarks.decode(scope, bookmark);
  const [at, id] = cursor;
  // A signed bookmark is one we made, but a malformed one must still be a 400, never a SQL error.
  if (cursor.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || !/^\d{1,19}$/.test(id)) {
    throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
  }
  return { at, id };
}

const cursorOf = (row: Position): Cursor => [row.at, row.id];

/**
 * Follows of people and boards. Every change is idempotent: following twice leaves one row, unfollowing
 * what is not followed succeeds. A change that writes or removes a row emits its event (`user.followed`,
 * `user.unfollowed`, `board.followed`, `board.unfollowed`) in the same transaction; a no-op emits none.
 */
export class FollowsService {
  constructor(private readonly deps: FollowsDeps) {}

  private get db(): Db {
    return this.deps.db;
  }

  /** Follows the person named `username`. Unknown: NotFound (30); oneself: Invalid. */
  async followUser(viewer: Principal, username: string, autoFollow = false): Promise<UserSummary> {
    const followee = await this.person(viewer, username);
    const emitted = await this.db.transaction().execute(async (trx) => {
      try {
        if (!(await repo.followUser(trx, viewer.userId, followee.id))) return false;
      } catch (err) {
        // The person was deleted between the lookup and the insert.
        if (isForeignKeyViolation(err)) throw userNotFound();
        throw err;
      }
      await emit(trx, 'user.followed', {
        followerId: viewer.userId,
        followeeId: followee.id,
        autoFollow,
      });
      await this.deps.events.record(trx, [
        { kind: 'FOLLOW', userId: viewer.userId, appId: viewer.appId, targetUserId: followee.id },
      ]);
      return true;
    });
    if (emitted) this.deps.eventsCommitted();
    return summary(followee.username);
  }

  /** Stops following the person named `username` (an extension); not following them is no error. */
  async unfollowUser(viewer: Principal, username: string): Promise<void> {
    const followee = await this.person(viewer, username);
    const emitted = await this.db.transaction().execute(async (trx) => {
      if (!(await repo.unfollowUser(trx, viewer.userId, followee.id))) return false;
      await emit(trx, 'user.unfollowed', { followerId: viewer.userId, followeeId: followee.id });
      await this.deps.events.record(trx, [
        { kind: 'UNFOLLOW', userId: viewer.userId, appId: viewer.appId, targetUserId: followee.id },
      ]);
      return true;
    });
    if (emitted) this.deps.eventsCommitted();
  }

  /**
   * Follows a board the viewer may read (an extension). A board the viewer may not know of is NotFound;
   * the viewer's own board is Invalid: its pins are already the owner's, and a board's follower_count
   * should count other people, as on Pinterest.
   */
  async followBoard(viewer: Principal, boardId: string): Promise<BoardView> {
    const emitted = await this.db.transaction().execute(async (trx) => {
      const board = await this.deps.boards.authorize(viewer, boardId, 'read', trx);
      if (board.owner_id === viewer.userId) throw new Invalid('You cannot follow your own board.');
      try {
        if (!(await repo.followBoard(trx, viewer.userId, boardId))) return false;
      } catch (err) {
        if (isForeignKeyViolation(err)) throw boardNotFound();
        throw err;
      }
      await emit(trx, 'board.followed', { userId: viewer.userId, boardId, ownerId: board.owner_id });
      await this.deps.events.record(trx, [
        { kind: 'FOLLOW', userId: viewer.userId, appId: viewer.appId, boardId, targetUserId: board.owner_id },
      ]);
      return true;
    });
    if (emitted) this.deps.eventsCommitted();
    return this.deps.boards.get(viewer, boardId);
  }

  /**
   * Stops following a board (an extension). A follow the viewer has is removed even if the board has
   * since become invisible to them (they know of it already); otherwise a board they may not know of is
   * NotFound, and a visible board they do not follow is no error.
   */
  async unfollowBoard(viewer: Principal, boardId: string): Promise<void> {
    const emitted = await this.db.transaction().execute(async (trx) => {
      if (await repo.unfollowBoard(trx, viewer.userId, boardId)) {
        await emit(trx, 'board.unfollowed', { userId: viewer.userId, boardId });
        await this.deps.events.record(trx, [
          { kind: 'UNFOLLOW', userId: viewer.userId, appId: viewer.appId, boardId },
        ]);
        return true;
      }
      await this.deps.boards.authorize(viewer, boardId, 'read', trx);
      return false;
    });
    if (emitted) this.deps.eventsCommitted();
  }

  /** People following the viewer (or, an extension, the person `userId`), newest first. */
  async followers(viewer: Principal, pageSize: number, bookmark?: string, userId = viewer.userId) {
    const scope = `followers:${userId}`;
    const rows = await repo.followers(
      this.db,
      userId,
      position(this.deps.bookmarks, scope, bookmark),
      pageSize + 1,
    );
    return this.deps.bookmarks.page(scope, rows, pageSize, cursorOf, (r) => summary(r.username));
  }

  /** People the viewer (or, an extension, the person `userId`) follows, newest first. */
  async following(viewer: Principal, pageSize: number, bookmark?: string, userId = viewer.userId) {
    const scope = `following:${userId}`;
    const rows = await repo.following(
      this.db,
      userId,
      position(this.deps.bookmarks, scope, bookmark),
      pageSize + 1,
    );
    return this.deps.bookmarks.page(scope, rows, pageSize, cursorOf, (r) => summary(r.username));
  }

  /**
   * Boards the viewer follows, newest first, as the boards module renders them. Follows of boards the
   * viewer may no longer see (made secret since) are skipped, so a page is filled from further rows.
   */
  async followingBoards(viewer: Principal, pageSize: number, bookmark?: string) {
    const scope = `following_boards:${viewer.userId}`;
    let after = position(this.deps.bookmarks, scope, bookmark);
    const shown: { pos: Position; view: BoardView }[] = [];
    // One more than a page tells whether another page exists.
    while (shown.length <= pageSize) {
      const want = pageSize + 1 - shown.length;
      const rows = await repo.followedBoards(this.db, viewer.userId, after, want);
      const views = new Map(
        (
          await this.deps.boards.byIds(
            viewer,
            rows.map((r) => r.id),
          )
        ).map((b) => [b.id, b]),
      );
      for (const pos of rows) {
        const view = views.get(pos.id);
        if (view) shown.push({ pos, view });
      }
      if (rows.length < want) break;
      after = rows[rows.length - 1];
    }
    return this.deps.bookmarks.page(
      scope,
      shown,
      pageSize,
      (last) => cursorOf(last.pos),
      (s) => s.view,
    );
  }

  /**
   * A person's profile as the viewer sees it (an extension, GET /v5/users/{username}): the account's
   * public fields, counts that leave out secret boards unless they are the viewer's own (read with the
   * secret scopes), and whether the viewer follows them. Unknown: NotFound (30).
   */
  async profile(viewer: Principal, username: string) {
    const user = await this.userNamed(username);
    const [account, following] = await Promise.all([
      this.deps.accounts.account(user.id, viewer.userId, viewer.scopes),
      repo.followsUser(this.db, viewer.userId, user.id),
    ]);
    return {
      username: account.username,
      profile_image: account.profile_image,
      about: account.about,
      website_url: account.website_url,
      board_count: account.board_count,
      pin_count: account.pin_count,
      follower_count: account.follower_count,
      following_count: account.following_count,
      is_following: following,
    };
  }

  /** The person named `username` (for the /v5/users/{username} extensions); unknown: NotFound (30). */
  async userNamed(username: string) {
    const user = await this.deps.accounts.byUsername(username);
    if (!user) throw userNotFound();
    return user;
  }

  /** Whether the viewer follows a board they may read (an extension); one they may not: NotFound (40). */
  async followsBoard(viewer: Principal, boardId: string): Promise<{ following: boolean }> {
    await this.deps.boards.authorize(viewer, boardId, 'read');
    return { following: await repo.followsBoard(this.db, viewer.userId, boardId) };
  }

  private async person(viewer: Principal, username: string) {
    const user = await this.deps.accounts.byUsername(username);
    if (!user) throw userNotFound();
    if (user.id === viewer.userId) throw new Invalid('You cannot follow or unfollow yourself.');
    return user;
  }
}
