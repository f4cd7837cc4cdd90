import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';
import { addSearches, discovery, word } from '../modules/discovery-search/helpers.js';
import { ids, imagesProcessed, relatedOf, world } from '../modules/related/helpers.js';

let app: App;
let owner: TestUser;
let stranger: TestUser;
const secret: Record<string, string> = {};

async function call(user: TestUser, method: string, url: string, payload?: unknown) {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers: await user.auth(FULL),
    payload: payload as object,
  });
}

beforeAll(async () => {
  app = await startTestApp();
  owner = await makeUser(app);
  stranger = await makeUser(app);
  const data = (await makeImage({ width: 64, height: 48 })).toString('base64');
  const board = await makeBoard(app, owner, {
    name: 'Surprise gifts',
    description: 'unicorn plans',
    privacy: 'SECRET',
  });
  secret.board = board.id;
  secret.section = (
    await call(owner, 'POST', `/v5/boards/${board.id}/sections`, { name: 'For Sam' })
  ).json().id;
  secret.pin = (
    await call(owner, 'POST', '/v5/pins', {
      board_id: board.id,
      board_section_id: secret.section,
      title: 'Unicorn lamp',
      media_source: { source_type: 'image_base64', content_type: 'image/png', data },
    })
  ).json().id;
  // A public board of the owner's that later turns secret, followed by the stranger meanwhile.
  const turning = await makeBoard(app, owner, { name: 'Was public' });
  secret.turned = turning.id;
  expect(
    (await call(stranger, 'POST', `/v5/user_account/following/boards/${turning.id}`, {})).statusCode,
  ).toBe(200);
  expect((await call(owner, 'PATCH', `/v5/boards/${turning.id}`, { privacy: 'SECRET' })).statusCode).toBe(
    200,
  );
  secret.strangerBoard = (await makeBoard(app, stranger)).id;
});

describe('privacy matrix: another user with every scope never sees secret content', () => {
  const notFound: [string, string, () => string, unknown?][] = [
    ['read a secret board', 'GET', () => `/v5/boards/${secret.board}`],
    ['update a secret board', 'PATCH', () => `/v5/boards/${secret.board}`, { name: 'x' }],
    ['delete a secret board', 'DELETE', () => `/v5/boards/${secret.board}`],
    ['list its pins', 'GET', () => `/v5/boards/${secret.board}/pins`],
    ['list its sections', 'GET', () => `/v5/boards/${secret.board}/sections`],
    ['add a section', 'POST', () => `/v5/boards/${secret.board}/sections`, { name: 'mine' }],
    [
      'rename its section',
      'PATCH',
      () => `/v5/boards/${secret.board}/sections/${secret.section}`,
      { name: 'mine' },
    ],
    ['delete its section', 'DELETE', () => `/v5/boards/${secret.board}/sections/${secret.section}`],
    ["list its section's pins", 'GET', () => `/v5/boards/${secret.board}/sections/${secret.section}/pins`],
    ['read a secret pin', 'GET', () => `/v5/pins/${secret.pin}`],
    ['update a secret pin', 'PATCH', () => `/v5/pins/${secret.pin}`, { title: 'x' }],
    ['delete a secret pin', 'DELETE', () => `/v5/pins/${secret.pin}`],
    ['save a secret pin', 'POST', () => `/v5/pins/${secret.pin}/save`, { board_id: secret.strangerBoard }],
    ['follow a secret board', 'POST', () => `/v5/user_account/following/boards/${secret.board}`, {}],
    ['read a board that turned secret', 'GET', () => `/v5/boards/${secret.turned}`],
  ];

  it.each(notFound)('%s: 404, existence not revealed', async (_name, method, url, payload) => {
    const res = await call(stranger, method, url(), payload);
    expect(res.statusCode).toBe(404);
    expect(JSON.stringify(res.json())).not.toMatch(/Surprise|unicorn|Unicorn|Sam/);
  });

  it('lists, searches and follows never include it', async () => {
    const bodies = await Promise.all(
      [
        '/v5/boards?page_size=250',
        '/v5/pins?page_size=250',
        '/v5/search/pins?query=unicorn',
        '/v5/search/boards?query=surprise',
        '/v5/user_account/following/boards?page_size=250',
        `/v5/boards/${secret.strangerBoard}/pins`,
      ].map(async (url) => {
        const res = await call(stranger, 'GET', url);
        expect(res.statusCode).toBe(200);
        return res.body;
      }),
    );
    for (const body of bodies) {
      expect(body).not.toContain(secret.board);
      expect(body).not.toContain(secret.pin);
      expect(body).not.toContain(secret.turned);
      expect(body).not.toMatch(/Surprise|Unicorn|unicorn/);
    }
  });

  it('a pin created as saved from a secret pin, or from no pin, is refused: 404, parent unchanged', async () => {
    const data = (await makeImage({ width: 8, height: 8 })).toString('base64');
    const create = (user: TestUser, board: string, parent: string) =>
      call(user, 'POST', '/v5/pins', {
        board_id: board,
        parent_pin_id: parent,
        title: 'Mine now',
        media_source: { source_type: 'image_base64', content_type: 'image/png', data },
      });
    const saves = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*)::text as n from pins where parent_pin_id = ${secret.pin}`.execute(
            app.database.db,
          )
        ).rows[0]?.n,
      );
    for (const parent of [secret.pin as string, '9123456789012345678']) {
      const res = await create(stranger, secret.strangerBoard as string, parent);
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toEqual({ code: 50, message: 'Pin not found.' });
    }
    expect(await saves()).toBe(0);
    // The owner may (with the secret scopes), and anyone may name a pin they can see.
    const own = await create(owner, secret.board as string, secret.pin as string);
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json().parent_pin_id).toBe(secret.pin);
    expect(await saves()).toBe(1);
    const seen = await create(stranger, secret.strangerBoard as string, own.json().id);
    expect(seen.statusCode, seen.body).toBe(404); // on the secret board too
    await call(owner, 'DELETE', `/v5/pins/${own.json().id}`);
    const mine = (await create(stranger, secret.strangerBoard as string, '')).statusCode;
    expect(mine).toBe(400); // not a pin id at all
    const first = await call(stranger, 'POST', '/v5/pins', {
      board_id: secret.strangerBoard,
      media_source: { source_type: 'image_base64', content_type: 'image/png', data },
    });
    const again = await create(stranger, secret.strangerBoard as string, first.json().id);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().parent_pin_id).toBe(first.json().id);
    for (const id of [first.json().id, again.json().id]) await call(stranger, 'DELETE', `/v5/pins/${id}`);
  });

  it('while the owner, with the secret scopes, sees all of it', async () => {
    expect((await call(owner, 'GET', `/v5/boards/${secret.board}`)).statusCode).toBe(200);
    expect((await call(owner, 'GET', `/v5/pins/${secret.pin}`)).statusCode).toBe(200);
    const pins = (
      await call(owner, 'GET', `/v5/boards/${secret.board}/sections/${secret.section}/pins`)
    ).json();
    expect(pins.items.map((p: { id: string }) => p.id)).toEqual([secret.pin]);
    const found = (await call(owner, 'GET', '/v5/search/pins?query=unicorn')).json();
    expect(found.items.map((p: { id: string }) => p.id)).toContain(secret.pin);
  });

  it('/v5/user_account counts secret boards and their pins only for a token with the secret scopes', async () => {
    const counts = async (scopes: readonly string[]) => {
      const res = await app.http.inject({
        method: 'GET',
        url: '/v5/user_account',
        headers: await owner.auth(scopes),
      });
      expect(res.statusCode, res.body).toBe(200);
      const { board_count, pin_count } = res.json();
      return { board_count, pin_count };
    };
    const all = await counts(FULL);
    const without = (...drop: string[]) => counts(FULL.filter((s) => !drop.includes(s)));
    // Two secret boards (one turned secret), one pin on them: as /v5/boards and /v5/pins list them.
    expect(await without('boards:read_secret', 'pins:read_secret')).toEqual({
      board_count: all.board_count - 2,
      pin_count: all.pin_count - 1,
    });
    expect(await without('boards:read_secret')).toEqual({
      board_count: all.board_count - 2,
      pin_count: all.pin_count,
    });
    expect(await without('pins:read_secret')).toEqual({
      board_count: all.board_count,
      pin_count: all.pin_count - 1,
    });
  });

  it('counts another viewer sees leave secret boards and pins out', async () => {
    const own = await app.product.accounts.account(owner.id, owner.id);
    const seen = await app.product.accounts.account(owner.id, stranger.id);
    expect(own.board_count - seen.board_count).toBe(2);
    expect(own.pin_count - seen.pin_count).toBe(1);
  });
});

type Privacy = 'PUBLIC' | 'PROTECTED' | 'SECRET';
const PRIVACIES: Privacy[] = ['PUBLIC', 'PROTECTED', 'SECRET'];

describe('privacy matrix: discovery surfaces show pins and boards of PUBLIC boards only', () => {
  // One board of each privacy, each with a pin, and a word only that board and pin carry.
  const m = {} as Record<Privacy, { word: string; board: string; pin: string }>;
  let saves: string;
  let linked: string;

  beforeAll(async () => {
    const w = world(app);
    for (const [i, privacy] of PRIVACIES.entries()) {
      const x = word('pm');
      const board = (await makeBoard(app, owner, { name: `${x} board`, privacy })).id;
      const pin = await w.pin(owner, board, { title: `${x} lamp`, image: 7000 + i });
      m[privacy] = { word: x, board, pin };
      // Searched by enough people to be suggested and trending, were its words public.
      await addSearches(app, `${x} lamp`, 0, 50);
    }
    // The stranger follows the owner and saves the public pin and another pin of the protected board
    // (anyone may read a protected board) to one public board of theirs: the graph links the two
    // through it. (The save is public content of the stranger's, with its own id: its title may show.)
    linked = await w.pin(owner, m.PROTECTED.board, { title: 'Desk light', image: 7100 });
    expect(
      (await call(stranger, 'POST', `/v5/user_account/following/${owner.username}`, {})).statusCode,
    ).toBe(200);
    saves = (await makeBoard(app, stranger, { name: 'Lamps I like' })).id;
    await w.save(stranger, m.PUBLIC.pin, saves);
    await w.save(stranger, linked, saves);
    await imagesProcessed(app);
    await discovery(app).index.reconcile();
    await discovery(app).terms.refresh();
    await relatedOf(app).graph.rebuild();
  }, 120_000);

  const body = async (user: TestUser, url: string) => {
    const res = await call(user, 'GET', url);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  };

  const surfaces: [string, (user: TestUser, privacy: Privacy) => Promise<boolean>][] = [
    [
      'partner pin search',
      async (user, p) =>
        (await body(user, `/v5/search/partner/pins?country_code=US&term=${m[p].word}`)).items.some(
          (i: { id: string }) => i.id === m[p].pin,
        ),
    ],
    [
      'global board search',
      async (user, p) =>
        (await body(user, `/v5/search/global/boards?term=${m[p].word}`)).items.some(
          (i: { id: string }) => i.id === m[p].board,
        ),
    ],
    [
      'typeahead',
      async (user, p) => (await body(user, `/v5/terms/suggested?limit=10&term=${m[p].word}`)).length > 0,
    ],
    [
      'related terms',
      async (user, p) =>
        (await body(user, `/v5/terms/related?terms=${m[p].word}`)).related_terms_list[0].related_terms
          .length > 0,
    ],
    [
      'trending keywords',
      async (user, p) =>
        (await body(user, `/v5/trends/keywords/US/top/monthly?include_keywords=${m[p].word}`)).trends.length >
        0,
    ],
  ];

  it.each(surfaces)(
    '%s: only the PUBLIC board’s pin, board or words, for others and the owner',
    async (_n, shows) => {
      for (const user of [stranger, owner]) {
        const seen = [];
        for (const p of PRIVACIES) seen.push(await shows(user, p));
        expect(seen, user === owner ? 'owner' : 'stranger').toEqual([true, false, false]);
      }
    },
  );

  it('related pins: a pin on a protected board is never served, though a public save of it links it', async () => {
    for (const user of [stranger, owner]) {
      const res = await world(app).related(user, m.PUBLIC.pin);
      expect(res.status).toBe(200);
      expect(ids(res).length).toBeGreaterThan(0);
      expect(ids(res)).not.toContain(m.PROTECTED.pin);
      expect(ids(res)).not.toContain(linked);
      expect(ids(res)).not.toContain(m.SECRET.pin);
      for (const item of res.body.items)
        expect([m.PROTECTED.board, m.SECRET.board]).not.toContain(item.board_id);
      // The protected pin's public save is what links the two: served in its place.
      expect(res.body.items.some((i) => i.board_id === saves)).toBe(true);
    }
  });

  it('home feed: the follower is never offered a pin of a protected or secret board', async () => {
    const feed = JSON.stringify(await body(stranger, '/v5/feeds/home?page_size=100'));
    expect(feed).not.toContain(m.PROTECTED.pin);
    expect(feed).not.toContain(linked);
    expect(feed).not.toContain(m.SECRET.pin);
    expect(feed).not.toContain(m.PROTECTED.board);
  });
});
