import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { appOnlyBearer } from '../helpers/oauth.js';
import { daysAgo, insertBatch, noon, waitRolled } from '../modules/analytics/helpers.js';
import { addSearches, discovery, word } from '../modules/discovery-search/helpers.js';
import { distinctImage, imagesProcessed, relatedOf, world } from '../modules/related/helpers.js';

/*
 * The visibility rule as a table: every principal × board privacy × surface, each cell's expected outcome
 * derived from one function written from the rule in words (src/modules/boards/visibility.ts):
 *   - anyone may read a PUBLIC or PROTECTED board and its pins; a SECRET one only its owner, holding the
 *     `<kind>:read_secret` scope (without it the owner gets 403, anyone else 404);
 *   - lists of one's own content, and of what one follows, show what one may read;
 *   - discovery surfaces show PUBLIC boards and their pins only, to everyone, their owner included.
 */

type Privacy = 'PUBLIC' | 'PROTECTED' | 'SECRET';
const PRIVACIES: Privacy[] = ['PUBLIC', 'PROTECTED', 'SECRET'];
type Kind = 'boards' | 'pins';

interface Who {
  name: string;
  user: TestUser;
  scopes: readonly string[];
  owner: boolean;
  /** Follows the owner and each of the owner's boards (the secret one followed while it was public). */
  follower: boolean;
  headers: { authorization: string };
}

/** How a surface answers: a status for reads of one thing, whether the cell's content is in it for lists. */
type Outcome = number | boolean | 'either';

type SurfaceKind =
  | 'read' // GET of the board or pin itself: 200, or 403 (owner without the scope), or 404
  | 'owner-read' // a read only the owner may make at all (pin analytics): 404 for anyone else
  | 'own-list' // a list of the viewer's own content
  | 'followed-list' // a list of what the viewer follows
  | 'discovery' // shown to anyone, the owner included, for PUBLIC boards only
  | 'feed'; // the home feed: followed public content must show; other public content may

/** The rule, once: what `who` gets from a surface of `kind` about content of `privacy`. */
function expected(who: Who, privacy: Privacy, kind: SurfaceKind, scope: Kind): Outcome {
  const mayRead = privacy !== 'SECRET' || (who.owner && who.scopes.includes(`${scope}:read_secret`));
  const discoverable = privacy === 'PUBLIC';
  const status = mayRead ? 200 : who.owner ? 403 : 404;
  switch (kind) {
    case 'read':
      return status;
    case 'owner-read':
      return who.owner ? status : 404;
    case 'own-list':
      return who.owner && mayRead;
    case 'followed-list':
      return who.follower && mayRead;
    case 'discovery':
      return discoverable;
    case 'feed':
      return discoverable ? (who.follower ? true : 'either') : false;
  }
}

interface Cell {
  word: string;
  board: string;
  section: string;
  pin: string;
}

interface Surface {
  name: string;
  kind: SurfaceKind;
  scope: Kind;
  probe(who: Who, cell: Cell): Promise<Outcome>;
}

let app: App;
let owner: TestUser;
let anchor: string;
const cells = {} as Record<Privacy, Cell>;
const principals: Who[] = [];
const start = daysAgo(3);
const end = daysAgo(1);

async function get(who: Who, url: string) {
  return app.http.inject({ method: 'GET', url, headers: who.headers });
}

/** The body of a 200, or a thrown error naming the request. */
async function ok(who: Who, url: string): Promise<string> {
  const res = await get(who, url);
  if (res.statusCode !== 200) throw new Error(`${who.name} ${url}: ${res.statusCode} ${res.body}`);
  return res.body;
}

const status = (path: (c: Cell) => string) => async (who: Who, c: Cell) =>
  (await get(who, path(c))).statusCode;
const lists = (path: (c: Cell) => string, id: (c: Cell) => string) => async (who: Who, c: Cell) =>
  (await ok(who, path(c))).includes(`"${id(c)}"`);

const surfaces: Surface[] = [
  {
    name: 'GET /v5/boards/{id}',
    kind: 'read',
    scope: 'boards',
    probe: status((c) => `/v5/boards/${c.board}`),
  },
  {
    name: 'GET /v5/boards/{id}/pins',
    kind: 'read',
    scope: 'pins',
    probe: status((c) => `/v5/boards/${c.board}/pins`),
  },
  {
    name: 'GET /v5/boards/{id}/sections',
    kind: 'read',
    scope: 'boards',
    probe: status((c) => `/v5/boards/${c.board}/sections`),
  },
  {
    name: 'GET /v5/boards/{id}/sections/{id}/pins',
    kind: 'read',
    scope: 'pins',
    probe: status((c) => `/v5/boards/${c.board}/sections/${c.section}/pins`),
  },
  { name: 'GET /v5/pins/{id}', kind: 'read', scope: 'pins', probe: status((c) => `/v5/pins/${c.pin}`) },
  {
    name: 'GET /v5/pins/{id}/related (of the pin)',
    kind: 'read',
    scope: 'pins',
    probe: status((c) => `/v5/pins/${c.pin}/related`),
  },
  {
    name: 'GET /v5/pins/{id}/analytics',
    kind: 'owner-read',
    scope: 'pins',
    probe: status(
      (c) => `/v5/pins/${c.pin}/analytics?start_date=${start}&end_date=${end}&metric_types=IMPRESSION`,
    ),
  },
  {
    name: 'GET /v5/pins (own list)',
    kind: 'own-list',
    scope: 'pins',
    probe: lists(
      () => '/v5/pins?page_size=250',
      (c) => c.pin,
    ),
  },
  {
    name: 'GET /v5/boards (own list)',
    kind: 'own-list',
    scope: 'boards',
    probe: lists(
      () => '/v5/boards?page_size=250',
      (c) => c.board,
    ),
  },
  {
    name: 'GET /v5/search/pins (own)',
    kind: 'own-list',
    scope: 'pins',
    probe: lists(
      (c) => `/v5/search/pins?query=${c.word}`,
      (c) => c.pin,
    ),
  },
  {
    name: 'GET /v5/search/boards (own)',
    kind: 'own-list',
    scope: 'boards',
    probe: lists(
      (c) => `/v5/search/boards?query=${c.word}`,
      (c) => c.board,
    ),
  },
  {
    name: 'GET /v5/user_account/analytics/top_pins (own)',
    kind: 'own-list',
    scope: 'pins',
    probe: lists(
      () => `/v5/user_account/analytics/top_pins?start_date=${start}&end_date=${end}&sort_by=IMPRESSION`,
      (c) => c.pin,
    ),
  },
  {
    name: 'GET /v5/user_account/following/boards',
    kind: 'followed-list',
    scope: 'boards',
    probe: lists(
      () => '/v5/user_account/following/boards?page_size=250',
      (c) => c.board,
    ),
  },
  {
    name: 'GET /v5/search/partner/pins',
    kind: 'discovery',
    scope: 'pins',
    probe: lists(
      (c) => `/v5/search/partner/pins?country_code=US&term=${c.word}`,
      (c) => c.pin,
    ),
  },
  {
    name: 'GET /v5/search/global/boards',
    kind: 'discovery',
    scope: 'boards',
    probe: lists(
      (c) => `/v5/search/global/boards?term=${c.word}`,
      (c) => c.board,
    ),
  },
  {
    name: 'GET /v5/terms/suggested',
    kind: 'discovery',
    scope: 'pins',
    probe: async (who, c) =>
      JSON.parse(await ok(who, `/v5/terms/suggested?limit=10&term=${c.word}`)).length > 0,
  },
  {
    name: 'GET /v5/terms/related',
    kind: 'discovery',
    scope: 'pins',
    probe: async (who, c) =>
      JSON.parse(await ok(who, `/v5/terms/related?terms=${c.word}`)).related_terms_list[0].related_terms
        .length > 0,
  },
  {
    name: 'GET /v5/trends/keywords',
    kind: 'discovery',
    scope: 'pins',
    probe: async (who, c) =>
      JSON.parse(await ok(who, `/v5/trends/keywords/US/top/monthly?include_keywords=${c.word}`)).trends
        .length > 0,
  },
  {
    name: 'GET /v5/pins/{id}/related (of a public pin with the same words)',
    kind: 'discovery',
    scope: 'pins',
    probe: lists(
      () => `/v5/pins/${anchor}/related`,
      (c) => c.pin,
    ),
  },
  {
    name: 'GET /v5/feeds/home',
    kind: 'feed',
    scope: 'pins',
    probe: lists(
      () => '/v5/feeds/home?page_size=100',
      (c) => c.pin,
    ),
  },
];

async function as(user: TestUser, method: 'POST' | 'PATCH', url: string, payload: object) {
  const res = await app.http.inject({ method, url, headers: await user.auth(FULL), payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  app = await startTestApp();
  owner = await makeUser(app);
  const follower = await makeUser(app);
  const stranger = await makeUser(app);
  const developer = await makeUser(app);
  await as(follower, 'POST', `/v5/user_account/following/${owner.username}`, {});

  // One board of each privacy, each with a section holding a pin; a word only that board and pin carry.
  // The secret board is made public first, so the follower follows it and every index and feed takes in
  // its pin before it turns secret.
  for (const [i, privacy] of PRIVACIES.entries()) {
    const w = word('vt');
    const board = (
      await makeBoard(app, owner, { name: `${w} board`, privacy: privacy === 'SECRET' ? 'PUBLIC' : privacy })
    ).id;
    const section = (await as(owner, 'POST', `/v5/boards/${board}/sections`, { name: `${w} shelf` })).id;
    const pin = (
      await as(owner, 'POST', '/v5/pins', {
        board_id: board,
        board_section_id: section,
        title: `${w} lamp`,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/png',
          data: await distinctImage(8100 + i),
        },
      })
    ).id;
    cells[privacy] = { word: w, board, section, pin };
    await as(follower, 'POST', `/v5/user_account/following/boards/${board}`, {});
    // Searched by enough people to be suggested and trending, were its words public.
    await addSearches(app, `${w} lamp`, 0, 50);
  }
  await as(owner, 'PATCH', `/v5/boards/${cells.SECRET.board}`, { privacy: 'SECRET' });
  // A public pin of someone else's, alone on its board, whose text ("lamp") every cell's pin shares: its
  // related pins are its content neighbours, whatever their boards, less what discovery may not show.
  const shelf = (await makeBoard(app, developer, { name: 'Evening light' })).id;
  anchor = await world(app).pin(developer, shelf, { title: 'lamp', image: 8200 });
  // Impressions of every cell's pin, rolled up, for the analytics surfaces.
  const { eventId } = await insertBatch(
    app,
    PRIVACIES.map((p) => ({ kind: 'IMPRESSION' as const, pinId: cells[p].pin, at: noon(daysAgo(2)) })),
  );
  await waitRolled(app, eventId);
  await imagesProcessed(app);
  await discovery(app).index.reconcile();
  await discovery(app).terms.refresh();
  await relatedOf(app).graph.rebuild();

  // An app-only token: the client_credentials grant of an app the developer owns reads as the developer.
  const appOnly = await appOnlyBearer(app, developer.id, FULL, 'Visibility table');

  const noSecret = FULL.filter((s) => !s.endsWith('_read_secret'));
  const who = async (name: string, user: TestUser, scopes: readonly string[], flags: Partial<Who> = {}) =>
    principals.push({
      name,
      user,
      scopes,
      owner: false,
      follower: false,
      headers: await user.auth(scopes),
      ...flags,
    });
  await who('owner', owner, FULL, { owner: true });
  await who('owner without *_read_secret', owner, noSecret, { owner: true });
  await who('follower', follower, FULL, { follower: true });
  await who('stranger', stranger, FULL);
  principals.push({
    name: 'app-only token (client_credentials)',
    user: developer,
    scopes: FULL,
    owner: false,
    follower: false,
    headers: { authorization: appOnly },
  });
}, 120_000);

describe('visibility table: principal × board privacy × surface', () => {
  it('the cells are the ones meant', () => {
    expect(principals.map((p) => p.name)).toHaveLength(5);
    expect(surfaces.length).toBeGreaterThanOrEqual(20);
  });

  it.each(surfaces.map((s) => [s.name, s] as const))('%s', async (_name, surface) => {
    const wrong: string[] = [];
    for (const who of principals)
      for (const privacy of PRIVACIES) {
        const want = expected(who, privacy, surface.kind, surface.scope);
        const got = await surface.probe(who, cells[privacy]);
        if (want === 'either' ? typeof got !== 'boolean' : got !== want)
          wrong.push(`${who.name} × ${privacy} × ${surface.name}: expected ${want}, got ${got}`);
      }
    expect(wrong).toEqual([]);
  });

  it('every surface that lists content shows the PUBLIC cell to someone (the table tests something)', async () => {
    for (const surface of surfaces) {
      if (surface.kind === 'read' || surface.kind === 'owner-read') continue;
      const shown = [];
      for (const who of principals) shown.push(await surface.probe(who, cells.PUBLIC));
      expect(shown, surface.name).toContain(true);
    }
  });
});
