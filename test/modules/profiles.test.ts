import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makePin, makeUser, PUBLIC_ONLY, type TestUser } from '../helpers/factories.js';

// The extensions behind the web app's profile and board pages: GET /v5/users/{username} (+ /boards,
// /followers, /following), GET /v5/user_account/following/boards/{board_id}, and the board order
// (PATCH /v5/boards/{board_id} with `position`, migration 0027).

let app: App;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  ann = await makeUser(app);
  ben = await makeUser(app);
  cat = await makeUser(app);
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

/** Every item of a list, page by page. */
async function all<T>(user: TestUser, path: string, pageSize = 2, scopes: readonly string[] = FULL) {
  const items: T[] = [];
  let bookmark: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(
      'GET',
      `${path}${sep}page_size=${pageSize}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`,
      user,
      undefined,
      scopes,
    );
    expect(res.statusCode, res.body).toBe(200);
    items.push(...res.json().items);
    bookmark = res.json().bookmark;
  } while (bookmark);
  return items;
}

const names = (items: { name: string }[]) => items.map((b) => b.name);

describe('profiles (extension)', () => {
  it("shows a person's profile and public boards; another person's secret boards never appear", async () => {
    const open = await makeBoard(app, ann, { name: 'Open' });
    await makeBoard(app, ann, { name: 'Hidden', privacy: 'SECRET' });
    await makePin(app, ann, open.id);

    const seen = await call('GET', `/v5/users/${ann.username}`, ben);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toMatchObject({
      username: ann.username,
      board_count: 1,
      pin_count: 1,
      follower_count: 0,
      following_count: 0,
      is_following: false,
    });
    expect(names(await all(ben, `/v5/users/${ann.username}/boards`, 1))).toEqual(['Open']);

    // Her own view: the secret board too, with the secret scope only.
    expect((await call('GET', `/v5/users/${ann.username}`, ann)).json().board_count).toBe(2);
    expect(names(await all(ann, `/v5/users/${ann.username}/boards`))).toEqual(['Hidden', 'Open']);
    expect(names(await all(ann, `/v5/users/${ann.username}/boards`, 2, PUBLIC_ONLY))).toEqual(['Open']);

    expect((await call('GET', '/v5/users/nobody_here_at_all', ben)).statusCode).toBe(404);
    expect((await call('GET', '/v5/users/nobody_here_at_all/boards', ben)).statusCode).toBe(404);
  });

  it("lists a person's followers and followees, and says whether the caller follows them", async () => {
    expect((await call('POST', `/v5/user_account/following/${ann.username}`, ben, {})).statusCode).toBe(200);
    expect((await call('POST', `/v5/user_account/following/${ann.username}`, cat, {})).statusCode).toBe(200);
    expect((await call('POST', `/v5/user_account/following/${cat.username}`, ann, {})).statusCode).toBe(200);

    const followers = await all<{ username: string }>(cat, `/v5/users/${ann.username}/followers`, 1);
    expect(followers.map((u) => u.username)).toEqual([cat.username, ben.username]);
    const following = await all<{ username: string }>(ben, `/v5/users/${ann.username}/following`);
    expect(following.map((u) => u.username)).toEqual([cat.username]);

    const profile = (await call('GET', `/v5/users/${ann.username}`, ben)).json();
    expect(profile).toMatchObject({ follower_count: 2, following_count: 1, is_following: true });
    await call('DELETE', `/v5/user_account/following/${ann.username}`, ben);
    expect((await call('GET', `/v5/users/${ann.username}`, ben)).json().is_following).toBe(false);
  });

  it('says whether the caller follows a board, and hides a board they may not see', async () => {
    const board = await makeBoard(app, cat, { name: 'Followed' });
    const url = `/v5/user_account/following/boards/${board.id}`;
    expect((await call('GET', url, ben)).json()).toEqual({ following: false });
    expect((await call('POST', url, ben)).statusCode).toBe(200);
    expect((await call('GET', url, ben)).json()).toEqual({ following: true });

    await call('PATCH', `/v5/boards/${board.id}`, cat, { privacy: 'SECRET' });
    expect((await call('GET', url, ben)).statusCode).toBe(404);
  });
});

describe('board order (extension: position)', () => {
  it('changes nothing when renumbering fails part-way: the name and the order stay as they were', async () => {
    const fay = await makeUser(app);
    const made: string[] = [];
    for (const name of ['A', 'B', 'C']) made.push((await makeBoard(app, fay, { name })).id);
    expect((await call('PATCH', `/v5/boards/${made[0]}`, fay, { position: 2 })).statusCode).toBe(200);
    expect(names(await all(fay, '/v5/boards'))).toEqual(['C', 'B', 'A']);
    // The renumbering's statement fails on one of its rows, as a connection dropped mid-way would.
    await sql`create function fail_renumbering() returns trigger language plpgsql as $$
      begin if new.position = 1 then raise exception 'renumbering interrupted'; end if; return new; end $$`.execute(
      app.deps.db,
    );
    await sql`create trigger fail_renumbering before update of position on boards for each row
      when (new.owner_id = ${sql.lit(Number(fay.id))}) execute function fail_renumbering()`.execute(
      app.deps.db,
    );
    try {
      const failed = await call('PATCH', `/v5/boards/${made[2]}`, fay, { name: 'Renamed', position: 2 });
      expect(failed.statusCode, failed.body).toBeGreaterThanOrEqual(500);
      expect(failed.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    } finally {
      await sql`drop trigger fail_renumbering on boards`.execute(app.deps.db);
      await sql`drop function fail_renumbering()`.execute(app.deps.db);
    }
    // Neither the new name nor any part of the new order was kept.
    expect(names(await all(fay, '/v5/boards'))).toEqual(['C', 'B', 'A']);
    const rows = await app.deps.db
      .selectFrom('boards')
      .select(['name', 'position'])
      .where('owner_id', '=', fay.id)
      .orderBy('position')
      .execute();
    expect(rows).toEqual([
      { name: 'C', position: 0 },
      { name: 'B', position: 1 },
      { name: 'A', position: 2 },
    ]);
  });

  it('moves a board to a place in its owner list; lists read the order through bookmarks', async () => {
    const dee = await makeUser(app);
    const made: string[] = [];
    for (const name of ['A', 'B', 'C', 'D']) made.push((await makeBoard(app, dee, { name })).id);
    // Never moved: newest first.
    expect(names(await all(dee, '/v5/boards', 1))).toEqual(['D', 'C', 'B', 'A']);

    const moved = await call('PATCH', `/v5/boards/${made[0]}`, dee, { position: 1 });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().name).toBe('A');
    expect(names(await all(dee, '/v5/boards', 1))).toEqual(['D', 'A', 'C', 'B']);
    expect((await call('PATCH', `/v5/boards/${made[3]}`, dee, { position: 99 })).statusCode).toBe(200);
    expect(names(await all(dee, '/v5/boards', 3))).toEqual(['A', 'C', 'B', 'D']);
    expect((await call('PATCH', `/v5/boards/${made[2]}`, dee, { position: 0 })).statusCode).toBe(200);
    expect(names(await all(dee, '/v5/boards', 2))).toEqual(['C', 'A', 'B', 'D']);

    // A board made since is listed first, before the placed ones; others see the same order.
    await makeBoard(app, dee, { name: 'E' });
    expect(names(await all(dee, '/v5/boards', 1))).toEqual(['E', 'C', 'A', 'B', 'D']);
    expect(names(await all(ben, `/v5/users/${dee.username}/boards`, 2))).toEqual(['E', 'C', 'A', 'B', 'D']);
  });

  it('only the owner moves a board; a bad position is a 400', async () => {
    const board = await makeBoard(app, ann, { name: 'Mine' });
    expect((await call('PATCH', `/v5/boards/${board.id}`, ben, { position: 0 })).statusCode).toBe(403);
    expect((await call('PATCH', `/v5/boards/${board.id}`, ann, { position: -1 })).statusCode).toBe(400);
    expect((await call('PATCH', `/v5/boards/${board.id}`, ann, { position: 'first' })).statusCode).toBe(400);
  });

  it('refuses a bookmark that was not made for the list', async () => {
    const res = await call('GET', '/v5/boards?bookmark=not-a-bookmark', ann);
    expect(res.statusCode).toBe(400);
  });
});
