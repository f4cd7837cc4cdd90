import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../helpers/factories.js';

let app: App;
let me: TestUser;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  me = await makeUser(app);
  alice = await makeUser(app);
  bob = await makeUser(app);
});

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  user: TestUser,
  payload?: unknown,
  scopes: readonly string[] = FULL,
) {
  return app.http.inject({ method, url, headers: await user.auth(scopes), payload: payload as object });
}

const follow = (who: TestUser, username: string, body: unknown = {}) =>
  call('POST', `/v5/user_account/following/${username}`, who, body);
const unfollow = (who: TestUser, username: string) =>
  call('DELETE', `/v5/user_account/following/${username}`, who);

/** Every item of a list, page by page, each page checked against the spec. */
async function all<T>(user: TestUser, path: string, specPath: string, pageSize = 2): Promise<T[]> {
  const items: T[] = [];
  let bookmark: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(
      'GET',
      `/v5${path}${sep}page_size=${pageSize}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`,
      user,
    );
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', specPath, 200, res.json());
    expect(res.json().items.length).toBeLessThanOrEqual(pageSize);
    items.push(...res.json().items);
    bookmark = res.json().bookmark;
    if (++pages > 50) throw new Error('too many pages');
  } while (bookmark);
  return items;
}

const usernames = (items: { username: string }[]) => items.map((i) => i.username);

async function account(user: TestUser) {
  const res = await call('GET', '/v5/user_account', user);
  expect(res.statusCode).toBe(200);
  expectResponseMatchesSpec('GET', '/user_account', 200, res.json());
  return res.json() as { follower_count: number; following_count: number };
}

async function events(topic: string, match: Record<string, string>) {
  const rows = await app.deps.db
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', topic)
    .where(sql<boolean>`payload @> ${JSON.stringify(match)}::jsonb`)
    .execute();
  return rows.length;
}

describe('following people', () => {
  it('follows, lists both ways newest first across pages, and counts agree', async () => {
    const star = await makeUser(app);
    const fans: TestUser[] = [];
    for (let i = 0; i < 5; i++) fans.push(await makeUser(app));
    for (const fan of fans) {
      const res = await follow(fan, star.username, { auto_follow: false });
      expect(res.statusCode, res.body).toBe(200);
      expectResponseMatchesSpec('POST', '/user_account/following/{username}', 200, res.json());
      expect(res.json()).toEqual({ type: 'user', username: star.username });
    }
    const followed: TestUser[] = [];
    for (let i = 0; i < 5; i++) {
      const u = await makeUser(app);
      followed.push(u);
      expect((await follow(star, u.username)).statusCode).toBe(200);
    }

    const followers = await all<{ type: string; username: string }>(
      star,
      '/user_account/followers',
      '/user_account/followers',
    );
    expect(usernames(followers)).toEqual(fans.map((f) => f.username).reverse());
    expect(followers.every((f) => f.type === 'user')).toBe(true);

    const following = await all<{ username: string }>(
      star,
      '/user_account/following?feed_type=ALL&explicit_following=true',
      '/user_account/following',
    );
    expect(usernames(following)).toEqual(followed.map((f) => f.username).reverse());
    // A page size that divides the list exactly still ends with a null bookmark.
    expect(usernames(await all(star, '/user_account/following', '/user_account/following', 5))).toEqual(
      usernames(following),
    );

    const counts = await account(star);
    expect(counts.follower_count).toBe(fans.length);
    expect(counts.following_count).toBe(followed.length);
    expect((await account(fans[0]!)).following_count).toBe(1);
  });

  it('pages exactly through follows made in the same microsecond', async () => {
    const target = await makeUser(app);
    const fans: TestUser[] = [];
    for (let i = 0; i < 4; i++) fans.push(await makeUser(app));
    // Equal timestamps with microseconds (which a JS Date would drop): the id breaks the tie.
    await app.deps.db
      .insertInto('follows')
      .values(
        fans.map((f) => ({
          follower_id: f.id,
          followee_id: target.id,
          created_at: '2026-01-02T03:04:05.123456Z',
        })),
      )
      .execute();
    const expected = [...fans].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).map((f) => f.username);
    for (const size of [1, 3]) {
      expect(
        usernames(await all(target, '/user_account/followers', '/user_account/followers', size)),
      ).toEqual(expected);
    }
  });

  it('is idempotent: following twice is one row and one event; unfollowing twice is fine', async () => {
    const a = await makeUser(app);
    const b = await makeUser(app);
    expect((await follow(a, b.username)).statusCode).toBe(200);
    const again = await follow(a, b.username.toUpperCase());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ type: 'user', username: b.username });
    expect(usernames(await all(b, '/user_account/followers', '/user_account/followers'))).toEqual([
      a.username,
    ]);
    expect((await account(b)).follower_count).toBe(1);
    expect(await events('user.followed', { followerId: a.id, followeeId: b.id })).toBe(1);

    const gone = await unfollow(a, b.username);
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expect((await unfollow(a, b.username)).statusCode).toBe(204);
    expect(await events('user.unfollowed', { followerId: a.id, followeeId: b.id })).toBe(1);
    expect(await all(b, '/user_account/followers', '/user_account/followers')).toEqual([]);
    expect(await all(a, '/user_account/following', '/user_account/following')).toEqual([]);
    expect(await account(b)).toMatchObject({ follower_count: 0 });
    expect(await account(a)).toMatchObject({ following_count: 0 });
  });

  it('refuses to follow yourself (400) and unknown people (404, code 30)', async () => {
    const self = await follow(me, me.username);
    expect(self.statusCode).toBe(400);
    expectResponseMatchesSpec('POST', '/user_account/following/{username}', 400, self.json());
    expect(self.json().code).toBe(1);
    expect((await unfollow(me, me.username)).statusCode).toBe(400);

    const unknown = await follow(me, 'nobody_by_that_name');
    expect(unknown.statusCode).toBe(404);
    expectResponseMatchesSpec('POST', '/user_account/following/{username}', 404, unknown.json());
    expect(unknown.json()).toEqual({ code: 30, message: 'User not found.' });
    expect((await unfollow(me, 'nobody_by_that_name')).json().code).toBe(30);

    // The spec's path_username refuses all-digit names; the body is required and strict.
    expect((await follow(me, '12345')).statusCode).toBe(400);
    expect((await follow(me, alice.username, { auto_follow: 'yes' })).statusCode).toBe(400);
    expect((await follow(me, alice.username, null)).statusCode).toBe(400);
    expect((await account(me)).following_count).toBe(0);
  });
});

describe('following boards', () => {
  it('follows a public board, shows its follower_count, lists it, and unfollows', async () => {
    const board = await makeBoard(app, alice, { name: 'Lamps' });
    const res = await call('POST', `/v5/user_account/following/boards/${board.id}`, me);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, res.json());
    expect(res.json()).toMatchObject({
      id: board.id,
      follower_count: 1,
      owner: { username: alice.username },
    });
    // Again: no second row, no second event.
    expect(
      (await call('POST', `/v5/user_account/following/boards/${board.id}`, me)).json().follower_count,
    ).toBe(1);
    expect(await events('board.followed', { userId: me.id, boardId: board.id })).toBe(1);
    expect((await call('POST', `/v5/user_account/following/boards/${board.id}`, bob)).statusCode).toBe(200);

    const got = await call('GET', `/v5/boards/${board.id}`, bob);
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, got.json());
    expect(got.json().follower_count).toBe(2);

    const listed = await all<{ id: string }>(
      me,
      '/user_account/following/boards',
      '/user_account/following/boards',
    );
    expect(listed.map((b) => b.id)).toContain(board.id);

    const del = await call('DELETE', `/v5/user_account/following/boards/${board.id}`, me);
    expect(del.statusCode).toBe(204);
    expect((await call('DELETE', `/v5/user_account/following/boards/${board.id}`, me)).statusCode).toBe(204);
    expect(await events('board.unfollowed', { userId: me.id, boardId: board.id })).toBe(1);
    expect((await call('GET', `/v5/boards/${board.id}`, bob)).json().follower_count).toBe(1);
    const after = await all<{ id: string }>(
      me,
      '/user_account/following/boards',
      '/user_account/following/boards',
    );
    expect(after.map((b) => b.id)).not.toContain(board.id);
  });

  it('pages followed boards newest first without duplicates or gaps, skipping boards gone secret', async () => {
    const reader = await makeUser(app);
    const owner = await makeUser(app);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const b = await makeBoard(app, owner, { name: `b${i}` });
      ids.push(b.id);
      expect((await call('POST', `/v5/user_account/following/boards/${b.id}`, reader)).statusCode).toBe(200);
    }
    // Two followed boards become secret: they leave the list, and pages still fill up around them.
    for (const id of [ids[2]!, ids[3]!]) {
      const res = await call('PATCH', `/v5/boards/${id}`, owner, { privacy: 'SECRET' });
      expect(res.statusCode, res.body).toBe(200);
    }
    const visible = [...ids].reverse().filter((id) => id !== ids[2] && id !== ids[3]);
    for (const size of [1, 2, 3, 5]) {
      const listed = await all<{ id: string }>(
        reader,
        '/user_account/following/boards?explicit_following=false',
        '/user_account/following/boards',
        size,
      );
      expect(listed.map((b) => b.id)).toEqual(visible);
    }
    // A follow of a board gone secret can still be removed; after that the board is a 404.
    expect((await call('DELETE', `/v5/user_account/following/boards/${ids[2]}`, reader)).statusCode).toBe(
      204,
    );
    expect((await call('DELETE', `/v5/user_account/following/boards/${ids[2]}`, reader)).statusCode).toBe(
      404,
    );
  });

  it("cannot follow another user's secret board (404) nor see it in following/boards", async () => {
    const secret = await makeBoard(app, alice, { name: 'Hidden', privacy: 'SECRET' });
    const res = await call('POST', `/v5/user_account/following/boards/${secret.id}`, me);
    expect(res.statusCode).toBe(404);
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 404, res.json());
    expect(res.json().code).toBe(40);
    expect((await call('DELETE', `/v5/user_account/following/boards/${secret.id}`, me)).statusCode).toBe(404);
    expect((await call('POST', '/v5/user_account/following/boards/999999999', me)).statusCode).toBe(404);
    const listed = await all<{ id: string }>(
      me,
      '/user_account/following/boards',
      '/user_account/following/boards',
    );
    expect(listed.map((b) => b.id)).not.toContain(secret.id);
    const rows = await app.deps.db
      .selectFrom('board_follows')
      .select('user_id')
      .where('board_id', '=', secret.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('refuses to follow your own board (400)', async () => {
    const mine = await makeBoard(app, me);
    const res = await call('POST', `/v5/user_account/following/boards/${mine.id}`, me);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(1);
  });
});

describe('scopes and bookmarks', () => {
  it('answers 403 naming the missing scope', async () => {
    const readOnly = FULL.filter((s) => s !== 'user_accounts:write');
    const noRead = FULL.filter((s) => s !== 'user_accounts:read');
    const board = await makeBoard(app, alice);
    const cases: [string, string, readonly string[], string, string | undefined][] = [
      ['GET', '/v5/user_account/followers', noRead, 'user_accounts:read', '/user_account/followers'],
      ['GET', '/v5/user_account/following', noRead, 'user_accounts:read', '/user_account/following'],
      [
        'GET',
        '/v5/user_account/following/boards',
        noRead,
        'user_accounts:read',
        '/user_account/following/boards',
      ],
      [
        'POST',
        `/v5/user_account/following/${alice.username}`,
        readOnly,
        'user_accounts:write',
        '/user_account/following/{username}',
      ],
      ['DELETE', `/v5/user_account/following/${alice.username}`, readOnly, 'user_accounts:write', undefined],
      ['POST', `/v5/user_account/following/boards/${board.id}`, readOnly, 'user_accounts:write', undefined],
      ['DELETE', `/v5/user_account/following/boards/${board.id}`, readOnly, 'user_accounts:write', undefined],
    ];
    for (const [method, url, scopes, missing, specPath] of cases) {
      const res = await call(method as 'GET', url, me, method === 'POST' ? {} : undefined, scopes);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().message).toContain(missing);
      if (specPath) expectResponseMatchesSpec(method, specPath, 403, res.json());
    }
    expect((await account(me)).following_count).toBe(0);
  });

  it('rejects edited, foreign and made-up bookmarks with 400', async () => {
    const a = await makeUser(app);
    for (const u of [alice, bob]) await follow(a, u.username);
    await follow(alice, a.username);
    await follow(bob, a.username);
    const page = (await call('GET', '/v5/user_account/following?page_size=1', a)).json();
    expect(page.bookmark).toEqual(expect.any(String));
    const followersPage = (await call('GET', '/v5/user_account/followers?page_size=1', a)).json();
    const bad = [
      'garbage',
      `${page.bookmark}x`,
      followersPage.bookmark, // another list's bookmark
    ];
    for (const bookmark of bad) {
      const res = await call('GET', `/v5/user_account/following?bookmark=${encodeURIComponent(bookmark)}`, a);
      expect(res.statusCode, bookmark).toBe(400);
      expectResponseMatchesSpec('GET', '/user_account/following', 400, res.json());
    }
    // Someone else's bookmark of the same list is foreign too.
    const res = await call(
      'GET',
      `/v5/user_account/following?bookmark=${encodeURIComponent(page.bookmark)}`,
      bob,
    );
    expect(res.statusCode).toBe(400);
    const boards = await call('GET', '/v5/user_account/following/boards?bookmark=x.y', a);
    expect(boards.statusCode).toBe(400);
    expectResponseMatchesSpec('GET', '/user_account/following/boards', 400, boards.json());
  });
});
