import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../../src/app.js';
import type { Principal } from '../../../src/platform/principal.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { postEvents } from '../events/helpers.js';
import {
  allPages,
  type FeedModule,
  feedJobsDone,
  feedOf,
  feedWith,
  follow,
  followBoard,
  getFeed,
  makePin,
  page,
  savePin,
  servicePage,
} from './helpers.js';

let app: App;
let feed: FeedModule;

// Authors with more than three followers are heavy (read-time merge). The first page is ranked anew on
// every request here (no reuse of a recent first page), so each read sees the latest fan-out.
beforeAll(async () => {
  app = await startTestApp({ env: { FEED_CELEBRITY_FOLLOWERS: '3', FEED_SNAPSHOT_SECONDS: '0' } });
  feed = feedOf(app);
});

/** A person who has read their feed once (so they are active and have a following list). */
async function reader(): Promise<TestUser> {
  const u = await makeUser(app);
  await page(app, u);
  return u;
}

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('fan-out on write', () => {
  it("puts a followed person's new pin in their active followers' feeds, with reason FOLLOWING", async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    const fan = await reader();
    await follow(app, fan, author);
    const pinId = await makePin(app, author, board.id, 'Fresh sourdough');
    await feedJobsDone(app);
    expect(await feed.store.read(fan.id, 800)).toContain(pinId);
    const first = await page(app, fan);
    const item = first.items.find((i) => i.id === pinId);
    expect(item).toMatchObject({ reason: 'FOLLOWING', board_id: board.id });
    expect(item!.impression_token).toEqual(expect.any(String));
    // A save by someone followed is fanned out too.
    const other = await makeUser(app);
    const otherBoard = await makeBoard(app, other);
    const original = await makePin(app, other, otherBoard.id);
    const saved = await savePin(app, author, original, board.id);
    await feedJobsDone(app);
    expect(await feed.store.read(fan.id, 800)).toContain(saved);
  });

  it('keeps only the newest 800 entries of a list', async () => {
    const u = await reader();
    // Built on the first read, empty (follows nobody) yet existing: no rebuild on every read.
    expect(await feed.store.read(u.id, 10)).toEqual([]);
    const base = Date.now();
    for (let i = 0; i < 805; i++)
      await feed.store.push([u.id], { pinId: String(1_000_000 + i), at: base + i }, 800);
    const list = (await feed.store.read(u.id, 10_000))!;
    expect(list).toHaveLength(800);
    expect(list[0]).toBe(String(1_000_804));
    expect(list.at(-1)).toBe(String(1_000_005));
    // Pushed again, an entry is not duplicated.
    await feed.store.push([u.id], { pinId: String(1_000_804), at: base + 804 }, 800);
    expect((await feed.store.read(u.id, 10_000))!.filter((id) => id === String(1_000_804))).toHaveLength(1);
  });

  it('does not fan out to followers who have not been active lately, nor to people without a list', async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    const active = await reader();
    const dormant = await reader();
    const never = await makeUser(app);
    for (const u of [active, dormant, never]) await follow(app, u, author);
    // Following counts as activity: send the dormant reader's last activity 30 days back.
    await feedJobsDone(app);
    await app.database.db
      .updateTable('feed_activity')
      .set({ active_at: new Date(Date.now() - 30 * 86_400_000) })
      .where('user_id', '=', dormant.id)
      .execute();
    const pinId = await makePin(app, author, board.id);
    await feedJobsDone(app);
    expect(await feed.store.read(active.id, 800)).toContain(pinId);
    expect(await feed.store.read(dormant.id, 800)).not.toContain(pinId);
    expect(await feed.store.read(never.id, 800)).toBeUndefined();
    // The one who never read gets the pin when their list is first built from the follows.
    expect(ids((await page(app, never)).items)).toContain(pinId);
  });

  it('redelivery of a fan-out job adds nothing twice', async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    const fan = await reader();
    await follow(app, fan, author);
    const pinId = await makePin(app, author, board.id);
    await feedJobsDone(app);
    const before = (await feed.store.read(fan.id, 800))!;
    const consumer = feed.consumers!(app.deps).find((c) => c.name === 'feed.fanout')!;
    // The handler run again, as a retry after a failure past its Redis writes would run it.
    for (let attempt = 2; attempt <= 3; attempt++)
      await app.database.db.transaction().execute((trx) =>
        consumer.handle(
          { pinId, ownerId: author.id, boardId: board.id },
          {
            trx,
            eventId: '999999999',
            topic: 'pin.created',
            attempt,
            log: app.log,
            afterCommit: () => {},
          },
        ),
      );
    expect(await feed.store.read(fan.id, 800)).toEqual(before);
    expect(before.filter((id) => id === pinId)).toHaveLength(1);
  });

  it('heavy authors are not fanned out; their pins are merged when followers read', async () => {
    const star = await makeUser(app);
    const board = await makeBoard(app, star);
    const fans = [await reader(), await reader(), await reader(), await reader()];
    for (const f of fans) await follow(app, f, star);
    const pinId = await makePin(app, star, board.id, 'Star pin');
    await feedJobsDone(app);
    const heavy = await app.database.db
      .selectFrom('feed_heavy_sources')
      .selectAll()
      .where('source_id', '=', star.id)
      .execute();
    expect(heavy).toMatchObject([{ kind: 'user' }]);
    // The follow backfill ran before the pin existed, so the list does not have it ...
    expect(await feed.store.read(fans[0]!.id, 800)).not.toContain(pinId);
    // ... yet it is in the feed, as FOLLOWING.
    const items = (await page(app, fans[0]!, { page_size: 100 })).items;
    expect(items.find((i) => i.id === pinId)?.reason).toBe('FOLLOWING');
  });

  it('heavy boards are merged at read time too, while their owner is still fanned out', async () => {
    const owner = await makeUser(app);
    const popularBoard = await makeBoard(app, owner);
    const boardFans = [await reader(), await reader(), await reader(), await reader()];
    for (const f of boardFans) await followBoard(app, f, popularBoard.id);
    const ownerFan = await reader();
    await follow(app, ownerFan, owner);
    const pinId = await makePin(app, owner, popularBoard.id);
    await feedJobsDone(app);
    const marks = await app.database.db
      .selectFrom('feed_heavy_sources')
      .select(['kind', 'source_id'])
      .where('source_id', 'in', [owner.id, popularBoard.id])
      .execute();
    expect(marks).toEqual([{ kind: 'board', source_id: popularBoard.id }]);
    expect(await feed.store.read(boardFans[0]!.id, 800)).not.toContain(pinId);
    expect(await feed.store.read(ownerFan.id, 800)).toContain(pinId);
    const items = (await page(app, boardFans[0]!, { page_size: 100 })).items;
    expect(items.find((i) => i.id === pinId)?.reason).toBe('FOLLOWING');
  });

  it('board follows: pins on a followed board come through, other boards of its owner do not', async () => {
    const owner = await makeUser(app);
    const followed = await makeBoard(app, owner);
    const other = await makeBoard(app, owner);
    const fan = await reader();
    await followBoard(app, fan, followed.id);
    const onFollowed = await makePin(app, owner, followed.id);
    const onOther = await makePin(app, owner, other.id);
    await feedJobsDone(app);
    const list = (await feed.store.read(fan.id, 800))!;
    expect(list).toContain(onFollowed);
    expect(list).not.toContain(onOther);
    const items = (await page(app, fan, { page_size: 100 })).items;
    expect(items.find((i) => i.id === onFollowed)?.reason).toBe('FOLLOWING');
    expect(items.find((i) => i.id === onOther)?.reason).not.toBe('FOLLOWING');
  });

  it('a new follow shows at once (recent pins backfilled), an unfollow drops them', async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    const older = await makePin(app, author, board.id);
    const fan = await reader();
    await follow(app, fan, author);
    await feedJobsDone(app);
    expect(await feed.store.read(fan.id, 800)).toContain(older);
    const items = (await page(app, fan, { page_size: 100 })).items;
    expect(items.find((i) => i.id === older)?.reason).toBe('FOLLOWING');
    await app.http.inject({
      method: 'DELETE',
      url: `/v5/user_account/following/${author.username}`,
      headers: await fan.auth(),
    });
    const after = (await page(app, fan, { page_size: 100 })).items;
    expect(after.find((i) => i.id === older)?.reason).not.toBe('FOLLOWING');
  });
});

describe('ranking and sessions', () => {
  it('spreads boards and creators: at most 2 of one board or creator in any 10 items', async () => {
    const prolific = await makeUser(app);
    const board = await makeBoard(app, prolific);
    const fan = await reader();
    await follow(app, fan, prolific);
    // Others to mix in, then the prolific one's pins, the newest of all.
    for (let i = 0; i < 10; i++) {
      const u = await makeUser(app);
      const b = await makeBoard(app, u);
      await makePin(app, u, b.id);
      await follow(app, fan, u);
    }
    for (let i = 0; i < 8; i++) await makePin(app, prolific, board.id);
    await feedJobsDone(app);
    const items = (await page(app, fan, { page_size: 10 })).items;
    expect(items).toHaveLength(10);
    const fromProlific = items.filter((i) => i.board_owner.username === prolific.username);
    expect(fromProlific.length).toBeGreaterThanOrEqual(1);
    // Every followed person gets a turn before anyone's second pin: the prolific one's newest pins do not
    // push out the others' (ten people, each one pin, here).
    const following = items.filter((i) => i.reason === 'FOLLOWING');
    expect(following.length).toBeGreaterThanOrEqual(3);
    expect(new Set(following.map((i) => i.board_owner.username)).size).toBe(following.length);
    for (let start = 0; start + 10 <= items.length; start++) {
      const window = items.slice(start, start + 10);
      const perBoard = new Map<string, number>();
      const perOwner = new Map<string, number>();
      for (const i of window) {
        perBoard.set(i.board_id, (perBoard.get(i.board_id) ?? 0) + 1);
        perOwner.set(i.board_owner.username, (perOwner.get(i.board_owner.username) ?? 0) + 1);
      }
      expect(Math.max(...perBoard.values())).toBeLessThanOrEqual(2);
      expect(Math.max(...perOwner.values())).toBeLessThanOrEqual(2);
    }
  });

  it("puts followed pins in the viewer's topics first, then the newest of each followed account", async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author, { name: 'Weekend ideas' });
    const onTopic = await makePin(app, author, board.id, 'Sourdough loaf');
    const newer = await makePin(app, author, board.id, 'Mountain lighthouse');
    // Interest words are read (and kept) at the first ranking: the board comes first.
    const fan = await makeUser(app);
    await makeBoard(app, fan, { name: 'Sourdough baking' });
    await page(app, fan);
    await follow(app, fan, author);
    await feedJobsDone(app);
    const following = (await page(app, fan, { page_size: 250 })).items.filter(
      (i) => i.reason === 'FOLLOWING',
    );
    expect(ids(following).slice(0, 2)).toEqual([onTopic, newer]);
  });

  it('never repeats a pin (or a save of it) across the pages of one session', async () => {
    const fan = await reader();
    for (let i = 0; i < 4; i++) {
      const u = await makeUser(app);
      const b = await makeBoard(app, u);
      for (let j = 0; j < 3; j++) await makePin(app, u, b.id);
      await follow(app, fan, u);
    }
    await feedJobsDone(app);
    const pages = await allPages(app, fan, 4);
    const all = pages.flat();
    expect(pages.length).toBeGreaterThan(2);
    expect(new Set(ids(all)).size).toBe(all.length);
    const canonical = all.map((i) => i.parent_pin_id ?? i.id);
    expect(new Set(canonical).size).toBe(canonical.length);
    // The last page says there is no more.
    expect(pages.at(-1)!.length).toBeLessThanOrEqual(4);
  });

  it("leaves out pins the viewer saved (and the viewer's own pins)", async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    const fan = await reader();
    const fanBoard = await makeBoard(app, fan);
    await follow(app, fan, author);
    const a = await makePin(app, author, board.id);
    const b = await makePin(app, author, board.id);
    await feedJobsDone(app);
    expect(ids((await page(app, fan, { page_size: 250 })).items)).toEqual(expect.arrayContaining([a, b]));
    const mine = await savePin(app, fan, a, fanBoard.id);
    // Someone else followed saves it too: that save is the same pin to the viewer.
    const friend = await makeUser(app);
    const friendBoard = await makeBoard(app, friend);
    await follow(app, fan, friend);
    const friendsSave = await savePin(app, friend, a, friendBoard.id);
    await feedJobsDone(app);
    const shown = ids((await page(app, fan, { page_size: 250 })).items);
    expect(shown).toContain(b);
    expect(shown).not.toContain(a);
    expect(shown).not.toContain(mine);
    expect(shown).not.toContain(friendsSave);
  });

  it('never shows secret pins, even from people followed, nor pins whose board became secret', async () => {
    const author = await makeUser(app);
    const open = await makeBoard(app, author);
    const secret = await makeBoard(app, author, { privacy: 'SECRET' });
    const fan = await reader();
    await follow(app, fan, author);
    const protectedBoard = await makeBoard(app, author, { privacy: 'PROTECTED' });
    const hidden = await makePin(app, author, secret.id);
    // Protected boards are readable by link but not distributed.
    const undistributed = await makePin(app, author, protectedBoard.id);
    const later = await makePin(app, author, open.id);
    await feedJobsDone(app);
    expect(await feed.store.read(fan.id, 800)).not.toContain(hidden);
    expect(await feed.store.read(fan.id, 800)).not.toContain(undistributed);
    expect(ids((await page(app, fan, { page_size: 250 })).items)).not.toContain(undistributed);
    expect(ids((await page(app, fan, { page_size: 250 })).items)).toContain(later);
    const res = await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${open.id}`,
      headers: await author.auth(),
      payload: { privacy: 'SECRET' },
    });
    expect(res.statusCode).toBe(200);
    const shown = ids(
      (await allPages(app, fan, 50)).flat().concat((await page(app, fan, { page_size: 250 })).items),
    );
    expect(shown).not.toContain(hidden);
    expect(shown).not.toContain(later);
  });

  it('a brand-new person with no follows and no saves gets a non-empty feed of popular pins', async () => {
    // Some saves somewhere, so something is popular.
    const maker = await makeUser(app);
    const board = await makeBoard(app, maker, { name: 'Weeknight dinners' });
    const pasta = await makePin(app, maker, board.id, 'Creamy pasta');
    for (let i = 0; i < 3; i++) {
      const u = await makeUser(app);
      await savePin(app, u, pasta, (await makeBoard(app, u)).id);
    }
    feed.pool.clear();
    const newcomer = await makeUser(app);
    const items = (await page(app, newcomer)).items;
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(['POPULAR', 'POPULAR_IN_TOPIC']).toContain(i.reason);
    expect(ids(items)).toContain(pasta);
    // With a board of the same topic, the same pin is popular in their topic.
    const cook = await makeUser(app);
    await makeBoard(app, cook, { name: 'Dinners for two' });
    const cooksItems = (await page(app, cook, { page_size: 250 })).items;
    expect(cooksItems.find((i) => i.id === pasta)?.reason).toBe('POPULAR_IN_TOPIC');
    // In-topic pins come before the merely popular ones.
    const firstPopular = cooksItems.findIndex((i) => i.reason === 'POPULAR');
    if (firstPopular >= 0) expect(cooksItems.findIndex((i) => i.id === pasta)).toBeLessThan(firstPopular);
  });

  it('asks the walk with recent saves and close-ups as seeds; its pins come as RELATED_TO_SAVE', async () => {
    const maker = await makeUser(app);
    const board = await makeBoard(app, maker);
    const seedPin = await makePin(app, maker, board.id);
    const clicked = await makePin(app, maker, board.id);
    const suggestion = await makePin(app, maker, board.id);
    const viewer = await makeUser(app);
    const viewerBoard = await makeBoard(app, viewer);
    await savePin(app, viewer, seedPin, viewerBoard.id);
    // A close-up of a pin served in the feed, reported with its impression token.
    feed.pool.clear();
    const served = (await page(app, viewer, { page_size: 250 })).items.find((i) => i.id === clicked);
    expect(served).toBeDefined();
    const ev = await postEvents(app, viewer, {
      events: [
        {
          event_id: `click-${clicked}`,
          kind: 'PIN_CLICK',
          time: new Date().toISOString(),
          impression_token: served!.impression_token,
          pin_id: clicked,
          app_type: 'WEB',
        },
      ],
    });
    expect(ev.json()).toMatchObject({ accepted: 1 });
    const calls: { seeds: { pinId: string; weight: number }[]; exclude: Set<string> }[] = [];
    let down = false;
    const walked = feedWith(app, {
      async recommend(_viewer: Principal, seeds, limit, opts) {
        if (down) throw new Error('walk down');
        calls.push({ seeds, exclude: opts?.excludePinIds ?? new Set() });
        return [
          { pinId: suggestion, score: 1 },
          { pinId: seedPin, score: 0.5 },
        ].slice(0, limit);
      },
    });
    {
      const items = (await servicePage(walked, viewer, { page_size: 250 })).items;
      expect(items.find((i) => i.id === suggestion)?.reason).toBe('RELATED_TO_SAVE');
      // What the viewer saved is not offered back, even if the walk returns it.
      expect(ids(items)).not.toContain(seedPin);
      const seeds = new Map(calls[0]!.seeds.map((s) => [s.pinId, s.weight]));
      expect(seeds.get(seedPin)).toBeGreaterThan(seeds.get(clicked)!);
      expect(seeds.get(clicked)).toBeGreaterThan(0);
      expect(calls[0]!.exclude.has(seedPin)).toBe(true);
      // A walk that fails leaves the page to the other sources (a new save: new seeds, so a new walk).
      down = true;
      await savePin(app, viewer, suggestion, viewerBoard.id);
      expect((await servicePage(walked, viewer)).items.length).toBeGreaterThan(0);
    }
  });
});

describe('walk results', () => {
  it('walks once per set of seeds for first pages; a new save walks again', async () => {
    const maker = await makeUser(app);
    const board = await makeBoard(app, maker);
    const [a, b, suggestion] = [
      await makePin(app, maker, board.id),
      await makePin(app, maker, board.id),
      await makePin(app, maker, board.id),
    ];
    const viewer = await makeUser(app);
    const viewerBoard = await makeBoard(app, viewer);
    await savePin(app, viewer, a, viewerBoard.id);
    let calls = 0;
    const walked = feedWith(app, {
      async recommend() {
        calls++;
        return [{ pinId: suggestion, score: 1 }];
      },
    });
    // Every first page is ranked anew here (FEED_SNAPSHOT_SECONDS=0), the walk asked once.
    for (let i = 0; i < 3; i++) {
      const items = (await servicePage(walked, viewer)).items;
      expect(items.find((x) => x.id === suggestion)?.reason).toBe('RELATED_TO_SAVE');
    }
    expect(calls).toBe(1);
    await savePin(app, viewer, b, viewerBoard.id);
    await servicePage(walked, viewer);
    expect(calls).toBe(2);
    // What was saved since is still left out of a reused walk's pins.
    await savePin(app, viewer, suggestion, viewerBoard.id);
    expect(ids((await servicePage(walked, viewer)).items)).not.toContain(suggestion);
  });
});

describe('written pages', () => {
  it('writes each pin from its cached JSON: the same as GET /v5/pins/{id} with token and extra members', async () => {
    const author = await makeUser(app);
    const open = await makeBoard(app, author);
    const secret = await makeBoard(app, author, { privacy: 'SECRET' });
    const a = await makePin(app, author, open.id, 'First');
    const b = await makePin(app, author, open.id, 'Second');
    const hidden = await makePin(app, author, secret.id, 'Hidden');
    const viewer = await makeUser(app);
    const asPrincipal = (u: { id: string }, scopes: string[]): Principal => ({
      userId: u.id,
      appId: '0',
      scopes: new Set(scopes),
    });
    const pins = app.product.pins;
    // Images are processed by jobs: wait until the pins' cached copies show them done.
    for (const id of [a, b])
      await eventually(async () => {
        const res = await app.http.inject({
          method: 'GET',
          url: `/v5/pins/${id}`,
          headers: await author.auth(),
        });
        return !res.body.includes('"pending"');
      });
    const listed = await pins.list(
      asPrincipal(viewer, ['boards:read', 'pins:read']),
      [b, hidden, '999999999', a],
      {
        surface: 'HOME_FEED',
        requestId: 'r1',
        extra: (id) => `"reason":"${id === a ? 'FOLLOWING' : 'POPULAR'}"`,
      },
    );
    // Order kept; another's secret pin and an unknown id left out.
    expect(listed.ids).toEqual([b, a]);
    const parsed = listed.json.map((j) => JSON.parse(j.toString()));
    for (const [i, id] of [b, a].entries()) {
      const res = await app.http.inject({
        method: 'GET',
        url: `/v5/pins/${id}`,
        headers: await viewer.auth(),
      });
      expect(parsed[i]).toEqual({
        ...res.json(),
        impression_token: expect.any(String),
        reason: id === a ? 'FOLLOWING' : 'POPULAR',
      });
    }
    // The owner sees their secret pin only with pins:read_secret.
    const own = (scopes: string[]) =>
      pins.list(asPrincipal(author, scopes), [hidden], { surface: 'HOME_FEED', requestId: 'r2' });
    expect((await own(['boards:read', 'pins:read'])).ids).toEqual([]);
    const withSecret = await own(['boards:read', 'pins:read', 'pins:read_secret']);
    expect(withSecret.ids).toEqual([hidden]);
    expect(JSON.parse(withSecret.json[0]!.toString())).toMatchObject({ id: hidden, is_owner: true });
    // Public surfaces (global search) leave it out for its owner too.
    const publicOnly = await pins.list(
      asPrincipal(author, ['boards:read', 'pins:read', 'pins:read_secret']),
      [hidden, a],
      { surface: 'SEARCH', requestId: 'r3', publicOnly: true },
    );
    expect(publicOnly.ids).toEqual([a]);
    // An item that is not an organic pin (a promoted pin) goes through the same renderer: the pin as it is
    // shown anywhere, its own token and members in place of the organic ones, the same visibility rule.
    // The page the ad server lays out is taken as it is: here the organic `a`, then two promoted pins
    // (one on a secret board), with `c` displaced to the next page.
    const c = await makePin(app, author, open.id, 'Third');
    const promoted = (pinId: string) => ({ pinId, token: `promo-${pinId}`, members: '"is_promoted":true' });
    const fill = vi
      .spyOn(app.product.promotions, 'fill')
      .mockImplementationOnce(async (_viewer, organic) => [organic[0]!, promoted(b), promoted(hidden)]);
    const mixed = await pins.list(asPrincipal(viewer, ['boards:read', 'pins:read']), [a, c], {
      surface: 'HOME_FEED',
      requestId: 'r4',
      extra: () => '"reason":"POPULAR"',
      promote: {},
    });
    expect(fill).toHaveBeenCalledOnce();
    fill.mockRestore();
    expect(mixed.consumed).toBe(1);
    expect(mixed.ids).toEqual([a, b]);
    const [organic, inserted] = mixed.json.map((j) => JSON.parse(j.toString()));
    expect(organic).toMatchObject({ id: a, reason: 'POPULAR' });
    expect(organic.is_promoted).toBeUndefined();
    expect(organic.impression_token).not.toBe(`promo-${a}`);
    expect(inserted).toEqual({
      ...parsed[0],
      impression_token: `promo-${b}`,
      is_promoted: true,
      reason: undefined,
    });
  });

  it('serves the page the service ranks: the route continues the session home() continues', async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    for (let i = 0; i < 6; i++) await makePin(app, author, board.id, `Pin ${i}`);
    const fan = await reader();
    await follow(app, fan, author);
    const first = await getFeed(app, fan, { page_size: 3 });
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const bookmark = first.json().bookmark as string;
    expect(bookmark).toEqual(expect.any(String));
    // The same session's second page, written by the route and built by home().
    const written = await page(app, fan, { page_size: 3, bookmark });
    const built = JSON.parse(
      (
        await feed.service.home(
          { userId: fan.id, appId: '0', scopes: new Set(['boards:read', 'pins:read']) },
          3,
          bookmark,
          'r3',
        )
      ).toString(),
    );
    const strip = (items: object[]) =>
      items.map((i) => ({ ...JSON.parse(JSON.stringify(i)), impression_token: undefined }));
    expect(written.items.length).toBeGreaterThan(0);
    expect(strip(written.items)).toEqual(strip(built.items));
    expect(written.bookmark).toBe(built.bookmark);
  });
});

describe('bad input', () => {
  it('answers 400 {code, message} for a bookmark that is not ours, edited or of another person', async () => {
    const u = await reader();
    const v = await reader();
    for (const bookmark of ['nope', 'abc.def', `${'x'.repeat(40)}.${'y'.repeat(22)}`]) {
      const res = await getFeed(app, u, { bookmark });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('bookmark') });
    }
    const first = await page(app, u, { page_size: 1 });
    expect(first.bookmark).not.toBeNull();
    const foreign = await getFeed(app, v, { bookmark: first.bookmark! });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toEqual({ code: 1, message: expect.any(String) });
  });

  it('answers 400 for a page_size out of range, 401 without a token, 403 without pins:read', async () => {
    const u = await reader();
    for (const page_size of [0, 251, 'ten']) {
      const res = await getFeed(app, u, { page_size });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    const anonymous = await app.http.inject({ method: 'GET', url: '/v5/feeds/home' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ code: 2, message: expect.any(String) });
    const res = await getFeed(app, u, {}, await u.auth(['boards:read']));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 3, message: expect.stringContaining('pins:read') });
  });
});
