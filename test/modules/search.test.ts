import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import {
  makePin as createPin,
  FULL,
  makeBoard,
  makeUser,
  PUBLIC_ONLY,
  type TestUser,
} from '../helpers/factories.js';

let app: App;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  app = await startTestApp();
  alice = await makeUser(app);
  bob = await makeUser(app);
});

/** A pin of `owner` on `boardId` with these texts (the shared factory, on this file's app). */
const makePin = (owner: TestUser, boardId: string, text: Parameters<typeof createPin>[3]) =>
  createPin(app, owner, boardId, text);

type Kind = 'pins' | 'boards';

/** GET /v5/search/{kind}, checked against the spec whatever the status. */
async function search(
  kind: Kind,
  user: TestUser,
  params: Record<string, string | number | undefined>,
  scopes: readonly string[] = FULL,
) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  const res = await app.http.inject({
    method: 'GET',
    url: `/v5/search/${kind}?${qs}`,
    headers: await user.auth(scopes),
  });
  expectResponseMatchesSpec('GET', `/search/${kind}`, res.statusCode, res.json());
  return res;
}

/** Ids of one page of a successful search. */
async function ids(kind: Kind, user: TestUser, query: string, extra: Record<string, string | number> = {}) {
  const res = await search(kind, user, { query, ...extra });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { id: string }[]).map((i) => i.id);
}

/** Every page of a search, following bookmarks. */
async function allPages(kind: Kind, user: TestUser, query: string | undefined, pageSize: number) {
  const pages: string[][] = [];
  let bookmark: string | undefined;
  do {
    const res = await search(kind, user, { query, page_size: pageSize, bookmark });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    pages.push(body.items.map((i: { id: string }) => i.id));
    bookmark = body.bookmark ?? undefined;
  } while (bookmark && pages.length < 50);
  return pages;
}

describe('GET /v5/search/pins', () => {
  it('ranks a title match above a description-only match, then the newest first', async () => {
    const board = await makeBoard(app, alice);
    const inTitle = await makePin(alice, board.id, { title: 'Sourdough loaf', description: 'Crusty bread' });
    const inDescription = await makePin(alice, board.id, {
      title: 'Weekend baking',
      description: 'My sourdough starter after a week',
    });
    const inAlt = await makePin(alice, board.id, { title: 'Jar', alt_text: 'A jar of sourdough starter' });
    const olderTwin = await makePin(alice, board.id, { title: 'Kitchen', description: 'Sourdough' });
    const newerTwin = await makePin(alice, board.id, { title: 'Kitchen', description: 'Sourdough' });

    const found = await ids('pins', alice, 'sourdough');
    expect(found[0]).toBe(inTitle);
    expect(found.indexOf(inDescription)).toBeLessThan(found.indexOf(inAlt));
    expect(found.indexOf(newerTwin)).toBeLessThan(found.indexOf(olderTwin));
    expect(new Set(found)).toEqual(new Set([inTitle, inDescription, inAlt, olderTwin, newerTwin]));

    // The whole Pin comes back, as GET /v5/pins/{id} shows it.
    const res = await search('pins', alice, { query: 'sourdough loaf' });
    expect(res.json().items[0]).toMatchObject({ id: inTitle, title: 'Sourdough loaf', is_owner: true });

    // Web search syntax: a phrase, and an excluded word.
    expect(await ids('pins', alice, '"sourdough starter"')).toEqual(
      expect.arrayContaining([inDescription, inAlt]),
    );
    expect(await ids('pins', alice, '"sourdough starter"')).toHaveLength(2);
    expect(await ids('pins', alice, 'sourdough -starter -kitchen')).toEqual([inTitle]);
  });

  it('stems: "recipes" finds "recipe", "baked" finds "baking"', async () => {
    const board = await makeBoard(app, alice);
    const recipe = await makePin(alice, board.id, { title: 'Grandma’s lasagne recipe' });
    const baking = await makePin(alice, board.id, { description: 'Baking with rye flour' });
    expect(await ids('pins', alice, 'recipes')).toContain(recipe);
    expect(await ids('pins', alice, 'Lasagnes RECIPES')).toEqual([recipe]);
    expect(await ids('pins', alice, 'baked rye')).toEqual([baking]);
  });

  it('paginates across pages without duplicates or gaps, in the order of one big page', async () => {
    const board = await makeBoard(app, alice);
    const made: string[] = [];
    // Different ranks (title, description, alt text, repeated words) and ties broken by age.
    const texts = [
      { title: 'zebra' },
      { description: 'zebra' },
      { alt_text: 'zebra' },
      { title: 'zebra zebra', description: 'zebra stripes' },
      { description: 'a zebra and another zebra' },
      { title: 'zebra' },
      { alt_text: 'zebra crossing' },
      { description: 'zebra' },
      { title: 'zebras at dusk' },
      { description: 'zebra' },
      { title: 'zebra' },
    ];
    for (const text of texts) made.push(await makePin(alice, board.id, text));

    const oneBigPage = await ids('pins', alice, 'zebra', { page_size: 250 });
    expect(new Set(oneBigPage)).toEqual(new Set(made));

    for (const size of [1, 3, 4]) {
      const pages = await allPages('pins', alice, 'zebra', size);
      expect(pages.every((p) => p.length <= size)).toBe(true);
      expect(pages.flat()).toEqual(oneBigPage);
      expect(pages.length).toBe(Math.ceil(made.length / size));
    }
  });

  it('rejects bookmarks that were edited or belong to another query or user', async () => {
    const board = await makeBoard(app, alice);
    for (let i = 0; i < 3; i++) await makePin(alice, board.id, { title: `quokka ${i}` });
    const first = (await search('pins', alice, { query: 'quokka', page_size: 1 })).json();
    expect(first.bookmark).toEqual(expect.any(String));

    const next = await search('pins', alice, { query: 'quokka', page_size: 1, bookmark: first.bookmark });
    expect(next.statusCode).toBe(200);
    const other = await search('pins', alice, { query: 'quokkas!', page_size: 1, bookmark: first.bookmark });
    expect(other.statusCode).toBe(400);
    const edited = `${first.bookmark.slice(0, -2)}xx`;
    expect((await search('pins', alice, { query: 'quokka', bookmark: edited })).statusCode).toBe(400);
    expect((await search('pins', bob, { query: 'quokka', bookmark: first.bookmark })).statusCode).toBe(400);
    expect((await search('boards', alice, { query: 'quokka', bookmark: first.bookmark })).statusCode).toBe(
      400,
    );
  });

  it("returns the user's own pins only, secret ones included, never another user's", async () => {
    const alicePublic = await makeBoard(app, alice);
    const aliceSecret = await makeBoard(app, alice, { privacy: 'SECRET' });
    const bobPublic = await makeBoard(app, bob);
    const bobSecret = await makeBoard(app, bob, { privacy: 'SECRET' });
    const a1 = await makePin(alice, alicePublic.id, { title: 'Narwhal plush' });
    const a2 = await makePin(alice, aliceSecret.id, { title: 'Narwhal gift idea' });
    const b1 = await makePin(bob, bobPublic.id, { title: 'Narwhal plush' });
    const b2 = await makePin(bob, bobSecret.id, { title: 'Narwhal surprise' });

    expect(new Set(await ids('pins', alice, 'narwhal'))).toEqual(new Set([a1, a2]));
    expect(new Set(await ids('pins', bob, 'narwhal'))).toEqual(new Set([b1, b2]));
    // Bob saving Alice's pin makes a pin of Bob's; Alice still sees only her own.
    const save = await app.http.inject({
      method: 'POST',
      url: `/v5/pins/${a1}/save`,
      headers: await bob.auth(),
      payload: { board_id: bobPublic.id },
    });
    expect(save.statusCode).toBe(201);
    expect(new Set(await ids('pins', alice, 'narwhal'))).toEqual(new Set([a1, a2]));
    expect(await ids('pins', bob, 'narwhal')).toContain(save.json().id);
  });

  it('needs the secret scopes the spec lists, and names the missing one', async () => {
    const noSecrets = await search('pins', alice, { query: 'anything' }, PUBLIC_ONLY);
    expect(noSecrets.statusCode).toBe(403);
    expect(noSecrets.json().code).toBe(3);
    expect(noSecrets.json().message).toContain('boards:read_secret');
    expect(noSecrets.json().message).toContain('pins:read_secret');

    const noPinSecret = await search(
      'pins',
      alice,
      { query: 'anything' },
      FULL.filter((s) => s !== 'pins:read_secret'),
    );
    expect(noPinSecret.statusCode).toBe(403);
    expect(noPinSecret.json().message).toMatch(/needs the scope pins:read_secret\.$/);

    const anonymous = await app.http.inject({ method: 'GET', url: '/v5/search/pins?query=x' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 400 {code, message} to a missing, empty, blank or overlong query', async () => {
    for (const query of [undefined, '', '   ', '\t\n', '\u0000', 'x'.repeat(257), ` ${'y'.repeat(256)}z `]) {
      const res = await search('pins', alice, { query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.any(String) });
    }
    expect((await search('pins', alice, { query: 'x'.repeat(256) })).statusCode).toBe(200);
    expect((await search('pins', alice, { query: 'q', page_size: 0 })).statusCode).toBe(400);
    expect((await search('pins', alice, { query: 'q', page_size: 251 })).statusCode).toBe(400);
  });

  it('returns an empty page for a query of stop words or punctuation only', async () => {
    const board = await makeBoard(app, alice);
    await makePin(alice, board.id, { title: 'The and of it', description: 'to be or not to be' });
    for (const query of ['the', 'to be or not to be', '...', '!!!', '-', '"', '&&', '* * *']) {
      const res = await search('pins', alice, { query });
      expect(res.statusCode, query).toBe(200);
      expect(res.json()).toEqual({ items: [], bookmark: null });
    }
  });

  it('never fails on tsquery or SQL special characters', async () => {
    const board = await makeBoard(app, alice);
    const pin = await makePin(alice, board.id, { title: 'Pelican (brown) & friends: "wild" <birds>' });
    const queries = [
      `'"&|!():*<>`,
      '"unbalanced pelican',
      'pelican"',
      '""""',
      "pelican'",
      "'pelican'",
      'pelican:*',
      'pel:*',
      'pelican & | !',
      '!pelican',
      '(pelican',
      'pelican)',
      'pelican <-> friends',
      'pelican <2> brown',
      'pelican OR',
      'or or or',
      '-"pelican',
      '\\',
      "'; drop table pins; --",
      '%_%',
      ['$1', '$' + '{x}', '?'].join(' '), // placeholders of other SQL and template syntaxes
      '\u0001pelican\u007f',
      '🦩 pélican ΠΕΛΕΚΑΝΟΣ',
      '\ud800 lone surrogate', // sent as U+FFFD: a URL cannot carry a lone surrogate
    ];
    for (const query of queries) {
      const res = await search('pins', alice, { query });
      expect(res.statusCode, `${JSON.stringify(query)}: ${res.body}`).toBe(200);
      const boards = await search('boards', alice, { query });
      expect(boards.statusCode, `${JSON.stringify(query)}: ${boards.body}`).toBe(200);
    }
    expect(await ids('pins', alice, '"unbalanced pelican')).toEqual([]);
    expect(await ids('pins', alice, 'pelican"')).toEqual([pin]);
    expect(await ids('pins', alice, '(pelican & brown)')).toEqual([pin]);
    // NUL and unpaired surrogates are refused in any input, as everywhere (http/input-guard.ts): a 400
    // naming the parameter, never a 500.
    for (const query of ['pelican\u0000friends', '\u0000']) {
      const res = await search('pins', alice, { query });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('query') });
    }
  });
});

describe('GET /v5/search/boards', () => {
  it('ranks a name match above a description match, stems, and keeps to the user’s own boards', async () => {
    const named = await makeBoard(app, alice, { name: 'Gardening ideas', description: 'For spring' });
    const described = await makeBoard(app, alice, { name: 'Outdoors', description: 'Garden furniture' });
    const secret = await makeBoard(app, alice, { name: 'Secret garden', privacy: 'SECRET' });
    await makeBoard(app, bob, { name: 'Garden', description: 'garden garden' });
    await makeBoard(app, alice, { name: 'Kitchen' });

    const found = await ids('boards', alice, 'gardens');
    expect(new Set(found)).toEqual(new Set([named.id, described.id, secret.id]));
    expect(found.indexOf(named.id)).toBeLessThan(found.indexOf(described.id));
    expect(found.indexOf(secret.id)).toBeLessThan(found.indexOf(described.id));

    const res = await search('boards', alice, { query: 'gardening ideas' });
    expect(res.json().items[0]).toMatchObject({ id: named.id, name: 'Gardening ideas', privacy: 'PUBLIC' });
  });

  it('paginates without duplicates or gaps', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const body = i % 2 ? { name: `Okapi ${i}` } : { name: `Board ${i}`, description: 'okapi' };
      made.push((await makeBoard(app, alice, body)).id);
    }
    const oneBigPage = await ids('boards', alice, 'okapi', { page_size: 250 });
    expect(new Set(oneBigPage)).toEqual(new Set(made));
    const pages = await allPages('boards', alice, 'okapi', 2);
    expect(pages.flat()).toEqual(oneBigPage);
    expect(pages).toHaveLength(4);
  });

  it('without a query (optional in the spec) lists every board of the user, newest first', async () => {
    const user = await makeUser(app);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await makeBoard(app, user)).id);
    await makeBoard(app, bob);
    expect((await allPages('boards', user, undefined, 2)).flat()).toEqual(made.reverse());
  });

  it('validates the query, needs boards:read_secret, and survives special characters', async () => {
    for (const query of ['', '  ', 'b'.repeat(257)]) {
      const res = await search('boards', alice, { query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.any(String) });
    }
    expect(await ids('boards', alice, 'the of and')).toEqual([]);
    const noSecret = await search('boards', alice, { query: 'garden' }, PUBLIC_ONLY);
    expect(noSecret.statusCode).toBe(403);
    expect(noSecret.json().message).toMatch(/needs the scope boards:read_secret\.$/);
    // The pins scopes are not needed for boards.
    const boardsOnly = await search('boards', alice, { query: 'garden' }, [
      'boards:read',
      'boards:read_secret',
    ]);
    expect(boardsOnly.statusCode).toBe(200);
  });
});
