import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { backdate, discovery, get, makePin, searchPins, swapTypo, word } from './helpers.js';

let app: App;
let alice: TestUser;
let bob: TestUser;
let aliceBoard: string;
let bobBoard: string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await makeUser(app);
  bob = await makeUser(app);
  aliceBoard = (await makeBoard(app, alice, { name: 'Kitchen things' })).id;
  bobBoard = (await makeBoard(app, bob, { name: 'Bob saves' })).id;
});

/** Indexes whatever the consumers have not yet (and refreshes the lexicon), as the periodic task does. */
const reconcile = () => discovery(app).index.reconcile();

describe('GET /v5/search/partner/pins: ranking', () => {
  it('finds a new pin through the index consumer, without waiting for the reconciliation', async () => {
    const w = word();
    const id = await makePin(app, alice, aliceBoard, { title: `Fresh ${w}` });
    await eventually(async () => (await searchPins(app, bob, w)).ids.includes(id));
  });

  it('ranks a title match above a description match, and both above an alt-text match', async () => {
    const w = word();
    // The newest first, so freshness works against the expected order.
    const inTitle = await makePin(app, alice, aliceBoard, { title: `A ${w} dish` });
    const inDescription = await makePin(app, alice, aliceBoard, { title: 'Plain', description: `with ${w}` });
    const inAlt = await makePin(app, alice, aliceBoard, { title: 'Other', alt_text: `a ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([inTitle, inDescription, inAlt]);
  });

  it('matches the board name, below the pin’s own text', async () => {
    const w = word();
    const board = (await makeBoard(app, alice, { name: `Board of ${w}` })).id;
    const byBoard = await makePin(app, alice, board, { title: 'Nothing else' });
    const byTitle = await makePin(app, alice, aliceBoard, { title: `One ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([byTitle, byBoard]);
  });

  it('lifts pins with engagement (saves) above newer ones', async () => {
    const w = word();
    const older = await makePin(app, alice, aliceBoard, { title: `Saved ${w}` });
    const newer = await makePin(app, alice, aliceBoard, { title: `Saved ${w}` });
    await reconcile();
    // With no engagement the newer pin comes first (freshness).
    expect((await searchPins(app, bob, w)).ids).toEqual([newer, older]);
    for (let i = 0; i < 3; i++) {
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/pins/${older}/save`,
        headers: await bob.auth(),
        payload: { board_id: bobBoard },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await eventually(async () => (await searchPins(app, bob, `saved ${w}`)).ids[0] === older);
  });

  it('lifts pins with close-ups and outbound clicks from the rollups, at the next reconciliation', async () => {
    const w = word();
    const older = await makePin(app, alice, aliceBoard, { title: `Clicked ${w}` });
    const newer = await makePin(app, alice, aliceBoard, { title: `Clicked ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([newer, older]);
    // What the analytics rollup writes for 40 close-ups and 10 outbound clicks today.
    await sql`insert into pin_daily_rollups (pin_id, day, app_type, owner_id, pin_clicks, outbound_clicks)
      values (${older}, current_date, 'WEB', ${alice.id}, 40, 10)`.execute(app.database.db);
    await sql`insert into pin_hourly_signals (pin_id, hour, engagements)
      values (${older}, date_trunc('hour', now()), 50)`.execute(app.database.db);
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([older, newer]);
    const { rows } = await sql<{ engagement: string }>`
      select engagement::text from search_pin_docs where pin_id = ${older}`.execute(app.database.db);
    expect(rows[0]?.engagement).toBe('50');
  });

  it('prefers fresh pins: a year-old title match falls below a new description match', async () => {
    const w = word();
    const old = await makePin(app, alice, aliceBoard, { title: `Old ${w}` });
    const fresh = await makePin(app, alice, aliceBoard, { title: 'New', description: `about ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([old, fresh]);
    await backdate(app, old, 365);
    expect((await searchPins(app, bob, w)).ids).toEqual([fresh, old]);
  });

  it('needs every word of the term (stemmed), in any field', async () => {
    const a = word();
    const b = word();
    const both = await makePin(app, alice, aliceBoard, { title: `${a} cooking`, description: b });
    await makePin(app, alice, aliceBoard, { title: `${a} only` });
    await reconcile();
    expect((await searchPins(app, bob, `${a} ${b}`)).ids).toEqual([both]);
    expect((await searchPins(app, bob, `${b} cooked ${a}`)).ids).toEqual([both]);
  });
});

describe('GET /v5/search/partner/pins: typo tolerance', () => {
  it('corrects a misspelt word to the nearest public word', async () => {
    const id = await makePin(app, alice, aliceBoard, {
      title: 'Grandmothers quintessentially rhubarbish crumble',
    });
    await reconcile();
    expect((await searchPins(app, bob, 'rhubarbish')).ids).toContain(id);
    expect((await searchPins(app, bob, 'rhubrabish')).ids).toContain(id);
    expect((await searchPins(app, bob, 'quintesentially rhubarbsh')).ids).toContain(id);
  });

  it('says what it searched for (corrected_term, in words of public text) and searches as typed with correct=false', async () => {
    const w = word('qu');
    const id = await makePin(app, alice, aliceBoard, { title: `Crumbles of ${w}` });
    await reconcile();
    const typo = swapTypo(w);
    const search = (extra: Record<string, string> = {}) =>
      get(
        app,
        bob,
        '/v5/search/partner/pins',
        { term: `${typo} CRUMBLES`, country_code: 'US', ...extra },
        { specPath: '/search/partner/pins' },
      );
    const corrected = await search();
    expect(corrected.statusCode, corrected.body).toBe(200);
    // The stem of the title's word is `crumbl`; the correction is shown as the word itself.
    expect(corrected.json()).toMatchObject({ corrected_term: `${w} crumbles` });
    expect(corrected.json().items.map((i: { id: string }) => i.id)).toContain(id);
    const asTyped = await search({ correct: 'false' });
    expect(asTyped.statusCode).toBe(200);
    expect(asTyped.json()).toEqual({ items: [], bookmark: null });
    // Spelt right: no correction, no field.
    const right = await get(app, bob, '/v5/search/partner/pins', { term: w, country_code: 'US' });
    expect(right.json().corrected_term).toBeUndefined();
    expect(right.json().items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('finds nothing for a word unlike any public word', async () => {
    expect((await searchPins(app, bob, 'xqzvkwpj')).ids).toEqual([]);
  });
});

describe('GET /v5/search/partner/pins: privacy', () => {
  it('never returns pins of secret boards, not even to their owner', async () => {
    const w = word();
    const secret = (await makeBoard(app, alice, { name: 'Hidden', privacy: 'SECRET' })).id;
    const hidden = await makePin(app, alice, secret, { title: `Secret ${w}` });
    await reconcile();
    expect((await searchPins(app, alice, w)).ids).toEqual([]);
    expect((await searchPins(app, bob, w)).ids).toEqual([]);
    const { rows } = await sql`select 1 from search_pin_docs where pin_id = ${hidden}`.execute(
      app.database.db,
    );
    expect(rows).toEqual([]);
  });

  it('drops a board’s pins when it becomes secret, and brings them back when it is public again', async () => {
    const w = word();
    const board = (await makeBoard(app, alice, { name: 'Soon secret' })).id;
    const id = await makePin(app, alice, board, { title: `Shy ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([id]);
    const res = await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board}`,
      headers: await alice.auth(),
      payload: { privacy: 'SECRET' },
    });
    expect(res.statusCode, res.body).toBe(200);
    // Immediately: the read-time check hides it before the index consumer has run.
    expect((await searchPins(app, bob, w)).ids).toEqual([]);
    await eventually(async () => {
      const { rows } = await sql`select 1 from search_pin_docs where pin_id = ${id}`.execute(app.database.db);
      return rows.length === 0;
    });
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board}`,
      headers: await alice.auth(),
      payload: { privacy: 'PUBLIC' },
    });
    await eventually(async () => (await searchPins(app, bob, w)).ids.includes(id));
  });

  it('forgets deleted pins', async () => {
    const w = word();
    const id = await makePin(app, alice, aliceBoard, { title: `Gone ${w}` });
    await reconcile();
    expect((await searchPins(app, bob, w)).ids).toEqual([id]);
    const res = await app.http.inject({
      method: 'DELETE',
      url: `/v5/pins/${id}`,
      headers: await alice.auth(),
    });
    expect(res.statusCode).toBe(204);
    expect((await searchPins(app, bob, w)).ids).toEqual([]);
    await eventually(async () => {
      const { rows } = await sql`select 1 from search_pin_docs where pin_id = ${id}`.execute(app.database.db);
      return rows.length === 0;
    });
  });

  it('hides a pin whose board became secret before the index hears of it, from its owner too', async () => {
    const w = word();
    const board = (await makeBoard(app, alice, { name: 'Quietly secret' })).id;
    const id = await makePin(app, alice, board, { title: `Stale ${w}` });
    const other = await makePin(app, alice, aliceBoard, { title: `Stale ${w}` });
    await reconcile();
    expect(new Set((await searchPins(app, alice, w)).ids)).toEqual(new Set([id, other]));
    // Straight in the database: no event, so the index still holds the pin (as it does until the
    // consumer runs); the read-time check must drop it, even for the owner with pins:read_secret.
    await sql`update boards set privacy = 'SECRET' where id = ${board}`.execute(app.database.db);
    expect((await searchPins(app, alice, w)).ids).toEqual([other]);
    expect((await searchPins(app, bob, w)).ids).toEqual([other]);
    // A pin moved onto a secret board likewise.
    const secret = (await makeBoard(app, alice, { name: 'Vault', privacy: 'SECRET' })).id;
    await sql`update pins set board_id = ${secret} where id = ${other}`.execute(app.database.db);
    expect((await searchPins(app, alice, w)).ids).toEqual([]);
  });
});

describe('GET /v5/search/partner/pins: pages', () => {
  it('walks every result once with bookmarks', async () => {
    const w = word();
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add(await makePin(app, alice, aliceBoard, { title: `Many ${w} ${i}` }));
    await reconcile();
    const seen: string[] = [];
    let bookmark: string | undefined;
    let pages = 0;
    do {
      const page = await searchPins(app, bob, w, { limit: 3, ...(bookmark ? { bookmark } : {}) });
      seen.push(...page.ids);
      bookmark = page.bookmark ?? undefined;
      pages++;
    } while (bookmark && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(made);
  });

  it('answers 10 results by default', async () => {
    const w = word();
    for (let i = 0; i < 11; i++) await makePin(app, alice, aliceBoard, { title: `Default ${w}` });
    await reconcile();
    const page = await searchPins(app, bob, w);
    expect(page.ids).toHaveLength(10);
    expect(page.bookmark).toEqual(expect.any(String));
  });
});

describe('GET /v5/search/partner/pins: bad requests', () => {
  const path = '/v5/search/partner/pins';
  const bad = async (
    params: Record<string, string | number>,
    status = 400,
    user: TestUser | undefined = bob,
  ) => {
    const res = await get(app, user, path, params, { specPath: '/search/partner/pins' });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    return res.json();
  };

  it('refuses empty, blank and overlong terms, and too many words', async () => {
    await bad({ term: '', country_code: 'US' });
    await bad({ term: '   \t ', country_code: 'US' });
    await bad({ term: 'a'.repeat(101), country_code: 'US' });
    await bad({ term: 'a b c d e f g h i', country_code: 'US' });
    await bad({ country_code: 'US' });
  });

  it('refuses limits out of range, a missing country code and bad bookmarks', async () => {
    await bad({ term: 'pasta', country_code: 'US', limit: 0 });
    await bad({ term: 'pasta', country_code: 'US', limit: 51 });
    await bad({ term: 'pasta', country_code: 'US', limit: 'ten' });
    await bad({ term: 'pasta' });
    await bad({ term: 'pasta', country_code: 'USA' });
    await bad({ term: 'pasta', country_code: 'US', bookmark: 'not-a-bookmark' });
  });

  it('refuses a bookmark of another term', async () => {
    const w = word();
    for (let i = 0; i < 3; i++) await makePin(app, alice, aliceBoard, { title: `Bm ${w}` });
    await reconcile();
    const { bookmark } = await searchPins(app, bob, w, { limit: 1 });
    expect(bookmark).toEqual(expect.any(String));
    await bad({ term: `${w} other`, country_code: 'US', bookmark: bookmark as string });
  });

  it('answers odd but valid terms (query syntax, punctuation, unicode, stop words) with 200, never 500', async () => {
    const w = word();
    const id = await makePin(app, alice, aliceBoard, { title: `Odd ${w}` });
    await reconcile();
    const odd = [
      "&|!():*'\\",
      `${w}:*`,
      `!${w} | (x & y)`,
      `'${w}'`,
      '<->',
      '%_\\',
      '!!!',
      'the of and',
      '日本語 料理',
      '\u{1F35D}',
      'a\u200bb',
      `\u0001${w}\u0007`,
      'é'.repeat(100),
    ];
    for (const term of odd) {
      for (const [path, spec] of [
        ['/v5/search/partner/pins', '/search/partner/pins'],
        ['/v5/search/global/boards', undefined],
        ['/v5/search/global/users', undefined],
        ['/v5/terms/suggested', '/terms/suggested'],
      ] as const) {
        const res = await get(app, bob, path, { term, country_code: 'US' }, { specPath: spec });
        expect(res.statusCode, `${path} ${JSON.stringify(term)}: ${res.body}`).toBe(200);
      }
      const related = await get(
        app,
        bob,
        '/v5/terms/related',
        { terms: [term] },
        { specPath: '/terms/related' },
      );
      expect(related.statusCode, `related ${JSON.stringify(term)}: ${related.body}`).toBe(200);
    }
    // NUL and unpaired surrogates are refused in any input, as everywhere (http/input-guard.ts): a 400
    // naming the parameter, never a 500.
    for (const term of [`\u0000${w}`, `${w}\u0000${w}`]) {
      const res = await get(app, bob, '/v5/search/partner/pins', { term, country_code: 'US' });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('term') });
    }
    // Query syntax is text: the words still match, the operators do nothing.
    expect((await searchPins(app, bob, `${w}:*`)).ids).toEqual([id]);
    expect((await searchPins(app, bob, `!${w}`)).ids).toEqual([id]);
  });

  it('refuses a term given twice, as an object, or blank in unicode spaces', async () => {
    for (const url of [
      `${path}?country_code=US&term=a&term=b`,
      `${path}?country_code=US&term[x]=a`,
      `${path}?country_code=US&term=%C2%A0%E2%80%83%E2%80%A8`,
      `${path}?term=pasta&country_code=US&country_code=FR`,
      '/v5/search/global/boards?term=a&term=b',
      '/v5/terms/suggested?term=a&term=b',
    ]) {
      const res = await app.http.inject({ method: 'GET', url, headers: await bob.auth() });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
  });

  it('refuses a bookmark of another search or another endpoint', async () => {
    const w = word();
    for (let i = 0; i < 2; i++) await makePin(app, alice, aliceBoard, { title: `Cross ${w}` });
    await makeBoard(app, alice, { name: `${w} one` });
    await makeBoard(app, alice, { name: `${w} two` });
    await reconcile();
    const { bookmark } = await searchPins(app, bob, w, { limit: 1 });
    const boards = (await get(app, bob, '/v5/search/global/boards', { term: w, limit: 1 })).json();
    expect(bookmark).toEqual(expect.any(String));
    expect(boards.bookmark).toEqual(expect.any(String));
    for (const [p, bm] of [
      ['/v5/search/global/boards', bookmark],
      ['/v5/search/global/users', bookmark],
      [path, boards.bookmark],
      ['/v5/search/pins', bookmark],
    ] as const) {
      const res = await get(app, bob, p, { term: w, query: w, country_code: 'US', bookmark: bm as string });
      expect(res.statusCode, `${p}: ${res.body}`).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
  });

  it('needs a token (401) with boards:read and pins:read (403)', async () => {
    const res = await app.http.inject({ method: 'GET', url: `${path}?term=x&country_code=US` });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    const noPins = await get(app, bob, path, { term: 'x', country_code: 'US' }, { scopes: ['boards:read'] });
    expect(noPins.statusCode).toBe(403);
    expect(noPins.json()).toEqual({
      code: expect.any(Number),
      message: expect.stringContaining('pins:read'),
    });
  });
});

describe('GET /v5/search/global/boards and /v5/search/global/users', () => {
  it('finds public boards by name and description, never secret ones', async () => {
    const w = word();
    const pub = (await makeBoard(app, alice, { name: `${w} ideas` })).id;
    const desc = (await makeBoard(app, bob, { name: 'Misc', description: `some ${w}` })).id;
    await makeBoard(app, alice, { name: `${w} private`, privacy: 'SECRET' });
    await reconcile();
    const res = await get(app, alice, '/v5/search/global/boards', { term: w });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((b: { id: string }) => b.id)).toEqual([pub, desc]);
  });

  it('corrects a misspelt board word as pin search does, saying so, unless correct=false', async () => {
    const w = word('qb');
    const board = (await makeBoard(app, alice, { name: `${w} shelf` })).id;
    await makePin(app, alice, board, { title: 'Anything' });
    await reconcile();
    const typo = swapTypo(w);
    const res = await get(app, alice, '/v5/search/global/boards', { term: typo });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().corrected_term).toBe(w);
    expect(res.json().items.map((b: { id: string }) => b.id)).toEqual([board]);
    const asTyped = await get(app, alice, '/v5/search/global/boards', { term: typo, correct: false });
    expect(asTyped.json()).toEqual({ items: [], bookmark: null });
  });

  it('finds people by username prefix and by resemblance, paginated', async () => {
    const stem = word('pp');
    const exact = await makeUser(app, `${stem}x`);
    const other = await makeUser(app, `${stem}yy`);
    const first = await get(app, alice, '/v5/search/global/users', { term: stem, limit: 1 });
    expect(first.statusCode, first.body).toBe(200);
    const next = await get(app, alice, '/v5/search/global/users', {
      term: stem,
      limit: 1,
      bookmark: first.json().bookmark,
    });
    const names = [...first.json().items, ...next.json().items].map((u: { username: string }) => u.username);
    expect(new Set(names)).toEqual(new Set([exact.username, other.username]));
    const typo = await get(app, alice, '/v5/search/global/users', { term: `${stem}y` });
    expect(typo.json().items[0].username).toBe(other.username);
    expect(typo.json().items[0]).toEqual({
      id: other.id,
      username: other.username,
      about: '',
      profile_image: '',
      website_url: '',
      account_type: 'PINNER',
      follower_count: 0,
    });
  });

  it('applies the same limits', async () => {
    const res = await get(app, alice, '/v5/search/global/boards', { term: 'x', limit: 99 });
    expect(res.statusCode).toBe(400);
    expect((await get(app, alice, '/v5/search/global/users', { term: '' })).statusCode).toBe(400);
    const scopes = FULL.filter((s) => s !== 'user_accounts:read');
    expect((await get(app, alice, '/v5/search/global/users', { term: 'x' }, { scopes })).statusCode).toBe(
      403,
    );
  });

  it('are documented in the served OpenAPI document', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/v5/openapi.json' })).json();
    for (const p of ['/v5/search/global/boards', '/v5/search/global/users', '/v5/search/partner/pins']) {
      expect(doc.paths[p]?.get?.security, p).toBeDefined();
    }
  });
});
