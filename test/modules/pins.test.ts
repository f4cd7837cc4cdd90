import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makeUser, PUBLIC_ONLY, type TestUser } from '../helpers/factories.js';
import { makeImage, serveFiles } from '../helpers/images.js';

let app: App;
let alice: TestUser;
let bob: TestUser;
let base: string;
let png: Buffer;

beforeAll(async () => {
  png = await makeImage({ color: '#cc2200' });
  base = await serveFiles({
    '/red.png': { body: png, type: 'image/png' },
    '/blue.jpg': { body: await makeImage({ color: '#0033cc', format: 'jpeg' }), type: 'image/jpeg' },
    '/not-an-image.png': { body: 'hello, I am text', type: 'image/png' },
    '/article.html': {
      body: '<html><head><meta content="/red.png" property="og:image"><title>Red</title></head><body>Hi</body></html>',
      type: 'text/html',
    },
    '/plain.html': { body: '<html><head><title>No image</title></head></html>', type: 'text/html' },
  });
  const host = new URL(base).host;
  app = await startTestApp({ env: { FETCH_ALLOW_HOSTS: host, IMAGE_MAX_BYTES: '2000000' } });
  alice = await makeUser(app);
  bob = await makeUser(app);
});

async function call(
  user: TestUser,
  method: string,
  url: string,
  payload?: unknown,
  scopes?: readonly string[],
) {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers: await user.auth(scopes),
    payload: payload as object,
  });
}

async function countRows() {
  const pins = await app.deps.db
    .selectFrom('pins')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const images = await app.deps.db
    .selectFrom('images')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return { pins: Number(pins?.n), images: Number(images?.n) };
}

describe('pins', () => {
  it('creates a pin from a URL; the images appear once processed, served with cache headers', async () => {
    const board = await makeBoard(app, alice);
    const res = await call(alice, 'POST', '/v5/pins', {
      board_id: board.id,
      title: 'Red thing',
      description: 'Very red',
      link: 'https://example.org/red',
      media_source: { source_type: 'image_url', url: `${base}/red.png` },
    });
    expect(res.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/pins', 201, res.json());
    const pin = res.json();
    expect(pin).toMatchObject({
      title: 'Red thing',
      board_id: board.id,
      is_owner: true,
      media: { media_type: 'image' },
    });

    const ready = await eventually(async () => {
      const got = await call(alice, 'GET', `/v5/pins/${pin.id}`);
      return got.json().media.images?.['600x'] ? got.json() : undefined;
    });
    expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, ready);
    expect(Object.keys(ready.media.images).sort()).toEqual(['1200x', '150x150', '400x300', '600x']);
    expect(ready.media.images['150x150']).toMatchObject({ width: 150, height: 150 });
    expect(ready.media.images['600x']).toMatchObject({ width: 320, height: 240 }); // never upscaled
    expect(ready.dominant_color).toMatch(/^#[0-9A-F]{6}$/);
    expect(ready.media.status).toBeUndefined();

    const url = new URL(ready.media.images['400x300'].url);
    const file = await app.http.inject({ method: 'GET', url: url.pathname });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['cache-control']).toContain('immutable');
    const etag = file.headers.etag as string;
    const again = await app.http.inject({
      method: 'GET',
      url: url.pathname,
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
  });

  it('creates pins from base64 and from several images, and lists board pins across pages', async () => {
    const board = await makeBoard(app, alice);
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        title: `b64 ${i}`,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      });
      expect(res.statusCode).toBe(201);
      made.push(res.json().id);
    }
    const multi = await call(alice, 'POST', '/v5/pins', {
      board_id: board.id,
      media_source: {
        source_type: 'multiple_image_urls',
        items: [
          { url: `${base}/red.png`, title: 'one' },
          { url: `${base}/blue.jpg`, title: 'two' },
        ],
      },
    });
    expect(multi.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/pins', 201, multi.json());
    expect(multi.json().media.media_type).toBe('multiple_images');
    expect(multi.json().media.items.map((i: { title: string }) => i.title)).toEqual(['one', 'two']);
    made.push(multi.json().id);

    const seen: string[] = [];
    let bookmark: string | null = null;
    do {
      const res = await call(
        alice,
        'GET',
        `/v5/boards/${board.id}/pins?page_size=2${bookmark ? `&bookmark=${bookmark}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      expectResponseMatchesSpec('GET', '/boards/{board_id}/pins', 200, res.json());
      seen.push(...res.json().items.map((p: { id: string }) => p.id));
      bookmark = res.json().bookmark;
    } while (bookmark);
    expect(seen).toEqual([...made].reverse());
    const boardView = (await call(alice, 'GET', `/v5/boards/${board.id}`)).json();
    expect(boardView.pin_count).toBe(5);
  });

  it("saves another user's pin into a section, records the parent, and keeps the save when the original goes", async () => {
    const aliceBoard = await makeBoard(app, alice);
    const original = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: aliceBoard.id,
        title: 'Original',
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      })
    ).json();
    const bobBoard = await makeBoard(app, bob);
    const section = (await call(bob, 'POST', `/v5/boards/${bobBoard.id}/sections`, { name: 'Reds' })).json();
    const saved = await call(bob, 'POST', `/v5/pins/${original.id}/save`, {
      board_id: bobBoard.id,
      board_section_id: section.id,
    });
    expect(saved.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/pins/{pin_id}/save', 201, saved.json());
    expect(saved.json()).toMatchObject({
      parent_pin_id: original.id,
      board_section_id: section.id,
      title: 'Original',
      is_owner: true,
    });
    const inSection = await call(bob, 'GET', `/v5/boards/${bobBoard.id}/sections/${section.id}/pins`);
    expectResponseMatchesSpec('GET', '/boards/{board_id}/sections/{section_id}/pins', 200, inSection.json());
    expect(inSection.json().items.map((p: { id: string }) => p.id)).toEqual([saved.json().id]);

    // Bob cannot edit or delete Alice's pin.
    expect((await call(bob, 'PATCH', `/v5/pins/${original.id}`, { title: 'mine' })).statusCode).toBe(403);
    expect((await call(bob, 'DELETE', `/v5/pins/${original.id}`)).statusCode).toBe(403);
    // Alice edits, then deletes; Bob's save stays, with its images.
    const patched = await call(alice, 'PATCH', `/v5/pins/${original.id}`, {
      title: 'Edited',
      alt_text: 'a red square',
    });
    expect(patched.statusCode).toBe(200);
    expectResponseMatchesSpec('PATCH', '/pins/{pin_id}', 200, patched.json());
    expect(patched.json()).toMatchObject({ title: 'Edited', alt_text: 'a red square' });
    expect((await call(alice, 'DELETE', `/v5/pins/${original.id}`)).statusCode).toBe(204);
    expect((await call(alice, 'GET', `/v5/pins/${original.id}`)).statusCode).toBe(404);
    const still = await call(bob, 'GET', `/v5/pins/${saved.json().id}`);
    expect(still.statusCode).toBe(200);
    expect(still.json().parent_pin_id).toBe(original.id);
  });

  it('deleting a board deletes its sections and pins', async () => {
    const board = await makeBoard(app, alice);
    const section = (await call(alice, 'POST', `/v5/boards/${board.id}/sections`, { name: 'S' })).json();
    const pin = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        board_section_id: section.id,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      })
    ).json();
    expect((await call(alice, 'DELETE', `/v5/boards/${board.id}`)).statusCode).toBe(204);
    expect((await call(alice, 'GET', `/v5/pins/${pin.id}`)).statusCode).toBe(404);
    const left = await app.deps.db
      .selectFrom('board_sections')
      .select('id')
      .where('board_id', '=', board.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('keeps pins on secret boards invisible to others, and needs the secret scopes for the owner', async () => {
    const secret = await makeBoard(app, alice, { privacy: 'SECRET' });
    const pin = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: secret.id,
        title: 'hidden',
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      })
    ).json();
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).statusCode).toBe(404);
    expect(
      (await call(bob, 'POST', `/v5/pins/${pin.id}/save`, { board_id: (await makeBoard(app, bob)).id }))
        .statusCode,
    ).toBe(404);
    expect((await call(bob, 'GET', `/v5/boards/${secret.id}/pins`)).statusCode).toBe(404);
    expect((await call(alice, 'GET', `/v5/pins/${pin.id}`, undefined, PUBLIC_ONLY)).statusCode).toBe(403);
    const listed = (await call(alice, 'GET', '/v5/pins?page_size=250', undefined, PUBLIC_ONLY))
      .json()
      .items.map((p: { id: string }) => p.id);
    expect(listed).not.toContain(pin.id);
    const all = await call(alice, 'GET', '/v5/pins?page_size=250');
    expectResponseMatchesSpec('GET', '/pins', 200, all.json());
    expect(all.json().items.map((p: { id: string }) => p.id)).toContain(pin.id);
  });
});

describe('bad pin input: 4xx with {code, message}, and nothing written', () => {
  let board: { id: string };
  beforeAll(async () => {
    board = await makeBoard(app, alice);
  });

  const cases: [string, () => Record<string, unknown>, number][] = [
    [
      'unknown board',
      () => ({ board_id: '123456789', media_source: { source_type: 'image_url', url: `${base}/red.png` } }),
      404,
    ],
    [
      'malformed board id',
      () => ({ board_id: 'abc', media_source: { source_type: 'image_url', url: `${base}/red.png` } }),
      400,
    ],
    [
      'wrong source type enum',
      () => ({ board_id: board.id, media_source: { source_type: 'image_ftp', url: 'x' } }),
      400,
    ],
    [
      'too-long title',
      () => ({
        board_id: board.id,
        title: 't'.repeat(101),
        media_source: { source_type: 'image_url', url: `${base}/red.png` },
      }),
      400,
    ],
    [
      'non-image bytes (URL)',
      () => ({
        board_id: board.id,
        media_source: { source_type: 'image_url', url: `${base}/not-an-image.png` },
      }),
      400,
    ],
    [
      'non-image bytes (base64)',
      () => ({
        board_id: board.id,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: Buffer.from('plain text, not a picture').toString('base64'),
        },
      }),
      400,
    ],
    [
      'loopback URL',
      () => ({
        board_id: board.id,
        media_source: { source_type: 'image_url', url: 'http://127.0.0.1:1/x.png' },
      }),
      400,
    ],
    [
      'metadata URL',
      () => ({
        board_id: board.id,
        media_source: { source_type: 'image_url', url: 'http://169.254.169.254/latest/meta-data/' },
      }),
      400,
    ],
    [
      'missing image',
      () => ({ board_id: board.id, media_source: { source_type: 'image_url', url: `${base}/missing.png` } }),
      400,
    ],
    [
      'video pin',
      () => ({ board_id: board.id, media_source: { source_type: 'video_id', media_id: '1' } }),
      400,
    ],
    [
      "someone else's board",
      () => ({ board_id: 'BOB', media_source: { source_type: 'image_url', url: `${base}/red.png` } }),
      403,
    ],
  ];

  it.each(cases)('%s', async (_name, body, status) => {
    const payload = body();
    if (payload.board_id === 'BOB') payload.board_id = (await makeBoard(app, bob)).id;
    const before = await countRows();
    const res = await call(alice, 'POST', '/v5/pins', payload);
    expect(res.statusCode).toBe(status);
    const json = res.json();
    expect(Object.keys(json).sort()).toEqual(['code', 'message']);
    expectResponseMatchesSpec('POST', '/pins', status, json);
    expect(await countRows()).toEqual(before);
  });

  it('refuses an image over the byte limit with 413', async () => {
    const big = Buffer.alloc(2_100_000, 1);
    const before = await countRows();
    const res = await call(alice, 'POST', '/v5/pins', {
      board_id: board.id,
      media_source: { source_type: 'image_base64', content_type: 'image/png', data: big.toString('base64') },
    });
    expect(res.statusCode).toBe(413);
    expect(await countRows()).toEqual(before);
  });
});

describe('pin_url media source', () => {
  it('pins the og:image of the page at link', async () => {
    const board = await makeBoard(app, alice);
    const res = await call(alice, 'POST', '/v5/pins', {
      board_id: board.id,
      link: `${base}/article.html`,
      media_source: { source_type: 'pin_url' },
    });
    expect(res.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/pins', 201, res.json());
    const ready = await eventually(async () => {
      const got = (await call(alice, 'GET', `/v5/pins/${res.json().id}`)).json();
      return got.media.images?.['600x'] ? got : undefined;
    });
    expect(ready.media.images['600x']).toMatchObject({ width: 320, height: 240 });
  });

  it.each([
    ['no link', {}],
    ['a page without a preview image', { link: 'PLAIN' }],
    ['a private page', { link: 'http://10.0.0.1/page.html' }],
  ])('refuses %s with 400 and writes nothing', async (_name, extra) => {
    const board = await makeBoard(app, alice);
    const link = (extra as { link?: string }).link;
    const before = await countRows();
    const res = await call(alice, 'POST', '/v5/pins', {
      board_id: board.id,
      ...(link ? { link: link === 'PLAIN' ? `${base}/plain.html` : link } : {}),
      media_source: { source_type: 'pin_url' },
    });
    expect(res.statusCode).toBe(400);
    expect(await countRows()).toEqual(before);
  });
});

describe('board covers', () => {
  it("shows the newest pin's image as the cover and up to four thumbnails", async () => {
    const board = await makeBoard(app, alice);
    for (let i = 0; i < 5; i++) {
      await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      });
    }
    const view = await eventually(async () => {
      const res = (await call(bob, 'GET', `/v5/boards/${board.id}`)).json();
      return res.media.pin_thumbnail_urls.length === 4 ? res : undefined;
    });
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, view);
    expect(view.media.image_cover_url).toMatch(/\/media\/images\/[0-9a-f]{32}\/400x300\.jpg$/);
    expect(view.media.pin_thumbnail_urls.every((u: string) => u.endsWith('/150x150.jpg'))).toBe(true);
  });
});

describe('cached pin reads', () => {
  it('never serve a pin stale after an edit, a privacy change or a delete', async () => {
    const board = await makeBoard(app, alice);
    const pin = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        title: 'v1',
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      })
    ).json();
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).json().title).toBe('v1');
    await call(alice, 'PATCH', `/v5/pins/${pin.id}`, { title: 'v2' });
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).json().title).toBe('v2');
    await call(alice, 'PATCH', `/v5/boards/${board.id}`, { privacy: 'SECRET' });
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).statusCode).toBe(404);
    await call(alice, 'PATCH', `/v5/boards/${board.id}`, { privacy: 'PUBLIC' });
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).statusCode).toBe(200);
    await call(alice, 'DELETE', `/v5/boards/${board.id}`);
    expect((await call(bob, 'GET', `/v5/pins/${pin.id}`)).statusCode).toBe(404);
  });
});

const newestFirst = (ids: string[]) => [...ids].sort((x, y) => (BigInt(y) > BigInt(x) ? 1 : -1));

describe('cached board pin lists', () => {
  const image = () => ({
    source_type: 'image_base64',
    content_type: 'image/png',
    data: png.toString('base64'),
  });
  const ids = async (url: string) =>
    ((await call(bob, 'GET', url)).json().items as { id: string }[]).map((p) => p.id);

  it('show every create, move, section deletion and delete on the next read', async () => {
    const one = await makeBoard(app, alice);
    const two = await makeBoard(app, alice);
    const section = (await call(alice, 'POST', `/v5/boards/${one.id}/sections`, { name: 'Keepers' })).json();
    const sectionUrl = `/v5/boards/${one.id}/sections/${section.id}/pins`;
    const a = (await call(alice, 'POST', '/v5/pins', { board_id: one.id, media_source: image() })).json();
    // Read (and so cache) the lists, then change them.
    expect(await ids(`/v5/boards/${one.id}/pins`)).toEqual([a.id]);
    expect(await ids(sectionUrl)).toEqual([]);
    const b = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: one.id,
        board_section_id: section.id,
        media_source: image(),
      })
    ).json();
    expect(await ids(`/v5/boards/${one.id}/pins`)).toEqual([b.id, a.id]);
    expect(await ids(sectionUrl)).toEqual([b.id]);
    // Moved to the other board.
    await call(alice, 'PATCH', `/v5/pins/${a.id}`, { board_id: two.id });
    expect(await ids(`/v5/boards/${one.id}/pins`)).toEqual([b.id]);
    expect(await ids(`/v5/boards/${two.id}/pins`)).toEqual([a.id]);
    // Moved into the section and back out.
    await call(alice, 'PATCH', `/v5/pins/${a.id}`, { board_id: one.id, board_section_id: section.id });
    expect(await ids(sectionUrl)).toEqual(newestFirst([b.id, a.id]));
    expect(await ids(`/v5/boards/${two.id}/pins`)).toEqual([]);
    // The section deleted: its pins stay on the board, in no section.
    expect((await call(alice, 'DELETE', `/v5/boards/${one.id}/sections/${section.id}`)).statusCode).toBe(204);
    expect((await call(bob, 'GET', `/v5/pins/${b.id}`)).json().board_section_id).toBeNull();
    expect(await ids(`/v5/boards/${one.id}/pins`)).toEqual(newestFirst([b.id, a.id]));
    // Deleted.
    await call(alice, 'DELETE', `/v5/pins/${b.id}`);
    expect(await ids(`/v5/boards/${one.id}/pins`)).toEqual([a.id]);
  });

  it('pages past the cached head of a long board from the database, without gaps or repeats', async () => {
    const board = await makeBoard(app, alice);
    // Rows written directly (the cached head holds 200 ids): 230 pins sharing one image.
    const first = (
      await call(alice, 'POST', '/v5/pins', { board_id: board.id, media_source: image() })
    ).json();
    const link = await app.deps.db
      .selectFrom('pin_images')
      .select('image_id')
      .where('pin_id', '=', first.id)
      .executeTakeFirstOrThrow();
    const made: string[] = [first.id];
    for (let i = 0; i < 229; i++) made.push(await app.deps.ids.next('pin'));
    await app.deps.db
      .insertInto('pins')
      .values(made.slice(1).map((id) => ({ id, owner_id: alice.id, board_id: board.id })))
      .execute();
    await app.deps.db
      .insertInto('pin_images')
      .values(made.slice(1).map((id) => ({ pin_id: id, position: 0, image_id: link.image_id })))
      .execute();
    const seen: string[] = [];
    let bookmark: string | null = null;
    do {
      const page: { items: { id: string }[]; bookmark: string | null } = (
        await call(
          bob,
          'GET',
          `/v5/boards/${board.id}/pins?page_size=100${bookmark ? `&bookmark=${bookmark}` : ''}`,
        )
      ).json();
      seen.push(...page.items.map((p) => p.id));
      bookmark = page.bookmark;
    } while (bookmark);
    expect(seen).toEqual(newestFirst(made));
  });
});

describe('pin JSON from cached parts', () => {
  it('is the same pin, field for field, on a board page, a section page and a single read', async () => {
    const board = await makeBoard(app, alice);
    const section = (await call(alice, 'POST', `/v5/boards/${board.id}/sections`, { name: 'S' })).json();
    const created = (
      await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        board_section_id: section.id,
        title: 'Quotes " and \\ backslashes, \u2028 and emoji 🎉',
        description: null,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: png.toString('base64'),
        },
      })
    ).json();
    // Once its image is processed the pin no longer changes.
    const single = await eventually(async () => {
      const res = await call(bob, 'GET', `/v5/pins/${created.id}`);
      return res.json().media.status === undefined && res.json().media.images['150x150'] ? res : undefined;
    });
    expect(single.headers['content-type']).toMatch(/^application\/json/);
    const pin = single.json();
    expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, pin);
    expect(pin.title).toBe('Quotes " and \\ backslashes, \u2028 and emoji 🎉');
    expect(pin).toMatchObject({ id: created.id, board_id: board.id, board_section_id: section.id });
    expect(pin.board_owner).toEqual({ username: alice.username });
    const page = (await call(bob, 'GET', `/v5/boards/${board.id}/pins`)).json();
    expectResponseMatchesSpec('GET', '/boards/{board_id}/pins', 200, page);
    const { impression_token, ...listed } = page.items[0];
    expect(impression_token).toEqual(expect.any(String));
    expect(listed).toEqual(pin);
    const inSection = (await call(bob, 'GET', `/v5/boards/${board.id}/sections/${section.id}/pins`)).json();
    expect({ ...inSection.items[0], impression_token: undefined }).toEqual({
      ...pin,
      impression_token: undefined,
    });
    // The owner reads the same cached pin as theirs.
    expect((await call(alice, 'GET', `/v5/pins/${created.id}`)).json()).toEqual({ ...pin, is_owner: true });
  });
});
