import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { FeedService } from '../../../src/modules/feed/feed.service.js';
import { MemoryFeedStore } from '../../../src/modules/feed/memory-feed-store.js';
import { PopularPool } from '../../../src/modules/feed/popular-pool.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { feedJobsDone, feedWith, follow, getFeed, makePin, page, savePin, servicePage } from './helpers.js';

let app: App;

// A first page is reused for one second, then served once more while a fresh one is ranked.
beforeAll(async () => {
  app = await startTestApp({ env: { FEED_SNAPSHOT_SECONDS: '1' } });
});

const ids = (items: { id: string }[]) => items.map((i) => i.id);
const principal = (u: TestUser) => ({ userId: u.id, appId: '1', scopes: new Set(FULL) });

describe('first pages', () => {
  it('are reused while fresh, dropped when a followed person pins, refreshed in the background', async () => {
    const author = await makeUser(app);
    const board = await makeBoard(app, author);
    await makePin(app, author, board.id);
    const fan = await makeUser(app);
    await follow(app, fan, author);
    await feedJobsDone(app);
    const first = await page(app, fan);
    const again = await page(app, fan);
    expect(ids(again.items)).toEqual(ids(first.items));
    // A bookmark of the reused page continues either session.
    expect(again.bookmark === null || typeof again.bookmark === 'string').toBe(true);

    const fresh = await makePin(app, author, board.id);
    await feedJobsDone(app);
    expect(ids((await page(app, fan)).items)).toContain(fresh);

    // Past a second the stale page is served once more, and a fresh one ranked meanwhile.
    const maker = await makeUser(app);
    const suggestion = await makePin(app, maker, (await makeBoard(app, maker)).id);
    await savePin(app, fan, fresh, (await makeBoard(app, fan)).id);
    await feedJobsDone(app);
    const before = ids((await page(app, fan)).items);
    // The same feed with a walk that suggests one pin (no cache: the app's walk results for these seeds
    // are not reused).
    const walked = feedWith(
      app,
      { recommend: async () => [{ pinId: suggestion, score: 1 }] },
      { cache: undefined },
    );
    await new Promise((r) => setTimeout(r, 1100));
    expect(ids((await servicePage(walked, fan)).items)).toEqual(before);
    await eventually(async () => ids((await servicePage(walked, fan)).items).includes(suggestion), 5000, 100);
  });
});

describe('sessions', () => {
  it('are refilled past their first batch without repeating a pin', async () => {
    const fan = await makeUser(app);
    for (let i = 0; i < 5; i++) {
      const u = await makeUser(app);
      const b = await makeBoard(app, u);
      for (let j = 0; j < 3; j++) await makePin(app, u, b.id);
      await follow(app, fan, u);
    }
    await feedJobsDone(app);
    // The same service as the module's, ranking four items at a time.
    const small = new FeedService({
      db: app.database.db,
      store: new MemoryFeedStore(),
      pins: app.product.pins,
      recommender: { recommend: async () => [] },
      bookmarks: app.deps.bookmarks,
      pool: new PopularPool(app.database.db, app.log, undefined),
      exposures: app.product.exposures,
      config: app.config,
      log: app.log,
      batch: 4,
    });
    const seen: string[] = [];
    let bookmark: string | undefined;
    let pages = 0;
    do {
      const p = JSON.parse((await small.home(principal(fan), 3, bookmark, 'req')).toString());
      seen.push(...p.items.map((i: { id: string }) => i.id));
      bookmark = p.bookmark ?? undefined;
      pages++;
    } while (bookmark && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    // Every pin of the five people followed, then the popular pins (everything public here).
    const publicPins = await app.database.db
      .selectFrom('pins as p')
      .innerJoin('boards as b', 'b.id', 'p.board_id')
      .select('p.id')
      .where('b.privacy', '=', 'PUBLIC')
      .where('p.owner_id', '<>', fan.id)
      .execute();
    expect(seen.length).toBeGreaterThanOrEqual(15);
    expect(seen.length).toBeLessThanOrEqual(publicPins.length);
    expect(pages).toBeGreaterThan(5);
  });

  it('a bookmark whose session is gone is a 400 that says to start again', async () => {
    const u = await makeUser(app);
    const bookmark = app.deps.bookmarks.encode(`feed:home:${u.id}`, ['gone0000', 25]);
    const res = await getFeed(app, u, { bookmark });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('expired') });
    // Signed but malformed inside: still a 400.
    for (const cursor of [['x'], ['ok', -1], ['ok', 1.5], [1, 2], ['bad id!', 0]]) {
      const bad = app.deps.bookmarks.encode(`feed:home:${u.id}`, cursor);
      const r = await getFeed(app, u, { bookmark: bad });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ code: 1, message: expect.any(String) });
    }
  });
});
