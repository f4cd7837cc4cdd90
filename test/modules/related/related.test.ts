import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { PinsService } from '../../../src/modules/pins/index.js';
import { type GraphStore, RelatedService } from '../../../src/modules/related/index.js';
import type { RelatedDeps } from '../../../src/modules/related/related.service.js';
import { diversityCap } from '../../../src/modules/related/select.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { FULL, makeBoard, makeUser, PUBLIC_ONLY, type TestUser } from '../../helpers/factories.js';
import { ids, imagesProcessed, type PinItem, relatedOf, type World, world } from './helpers.js';

let app: App;
let w: World;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
const p: Record<string, string> = {};
const boards: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({ env: { RELATED_POLL_MS: '50', RELATED_REBUILD_MINUTES: '0' } });
  w = world(app);
  [alice, bob, carol, dave] = await Promise.all([makeUser(app), makeUser(app), makeUser(app), makeUser(app)]);
  boards.a1 = (await makeBoard(app, alice, { name: 'Garden ideas' })).id;
  boards.a2 = (await makeBoard(app, bob, { name: 'Backyard' })).id;
  boards.a3 = (await makeBoard(app, carol, { name: 'Flowers' })).id;
  boards.b1 = (await makeBoard(app, dave, { name: 'Cars' })).id;
  boards.b2 = (await makeBoard(app, dave, { name: 'Old cars' })).id;
  boards.secret = (await makeBoard(app, alice, { name: 'Private garden', privacy: 'SECRET' })).id;
  boards.bread = (await makeBoard(app, dave, { name: 'Kitchen' })).id;
  boards.baking = (await makeBoard(app, bob, { name: 'Baking' })).id;

  // A garden cluster: alice's pins, saved by bob and carol to their boards.
  for (const i of [1, 2, 3, 4, 5, 6]) {
    p[`a${i}`] = await w.pin(alice, boards.a1, {
      title: `Garden path ${i}`,
      image: i === 2 ? 1000 : undefined,
    });
  }
  for (const i of [1, 2, 3, 4]) await w.save(bob, p[`a${i}`]!, boards.a2);
  for (const i of [3, 5]) await w.save(carol, p[`a${i}`]!, boards.a3);
  p.c1 = await w.pin(carol, boards.a3, { title: 'Tulips' });
  p.c2 = await w.pin(carol, boards.a3, { title: 'Roses' });
  // The same picture as a2, pinned again (not saved): a duplicate.
  p.dup = await w.pin(alice, boards.a1, { title: 'Garden path again', image: 1000 });
  await w.save(bob, p.dup, boards.a2);
  // A car cluster, unconnected.
  for (const i of [1, 2, 3, 4]) p[`b${i}`] = await w.pin(dave, boards.b1, { title: `Vintage car ${i}` });
  for (const i of [1, 2]) await w.save(dave, p[`b${i}`]!, boards.b2);
  // Alice's secret board: a pin of its own and a save of a2.
  p.s1 = await w.pin(alice, boards.secret, { title: 'Secret garden path' });
  await w.save(alice, p.a2!, boards.secret);
  // A cold pin, and pins that only share words with it.
  p.cold = await w.pin(dave, boards.bread, { title: 'Sourdough bread loaf' });
  p.t1 = await w.pin(bob, boards.baking, { title: 'Sourdough starter' });
  p.t2 = await w.pin(bob, boards.baking, { title: 'Rye sourdough', description: 'A dense loaf' });
  p.t3 = await w.pin(bob, boards.baking, { title: 'Croissants' });
  boards.loaves = (await makeBoard(app, carol, { name: 'Bread' })).id;
  p.t4 = await w.pin(carol, boards.loaves, { title: 'Baguette' });

  await imagesProcessed(app);
  await relatedOf(app).graph.rebuild();
}, 120_000);

describe('GET /v5/pins/{pin_id}/related', () => {
  it('answers pins near the pin in the graph, as GET /v5/pins/{id} serves them, without the pin and its saves', async () => {
    const res = await w.related(dave, p.a1!);
    const found = ids(res);
    expect(found).toEqual(expect.arrayContaining([p.a3, p.a4, p.c1, p.c2]));
    expect(found).not.toContain(p.a1);
    for (const id of [p.b1, p.b2, p.s1, p.cold, p.t1]) expect(found).not.toContain(id);
    // The save chain of a1 is one pin: none of its saves come back either.
    const chain = await app.deps.db
      .selectFrom('pins')
      .select('id')
      .where('parent_pin_id', '=', p.a1!)
      .execute();
    expect(chain.length).toBeGreaterThan(0);
    for (const row of chain) expect(found).not.toContain(row.id);
    for (const item of res.body.items) {
      expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, item);
      expect(typeof item.impression_token).toBe('string');
      const { impression_token: _t, ...rest } = item;
      const single = await app.http.inject({
        method: 'GET',
        url: `/v5/pins/${item.id}`,
        headers: await dave.auth(),
      });
      expect(rest).toEqual(single.json());
    }
    const metrics = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/corkboard_related_graph\{measure="bytes"\} [1-9]\d*/);
    expect(metrics.body).toMatch(/corkboard_related_graph\{measure="edges"\} [1-9]\d*/);
    // Deterministic: the same list again.
    expect(ids(await w.related(dave, p.a1!))).toEqual(found);
  });

  it('leaves out exact and near duplicates of the pin and of each other (dHash)', async () => {
    const fromA1 = ids(await w.related(dave, p.a1!));
    expect(fromA1.filter((id) => id === p.a2 || id === p.dup)).toHaveLength(1);
    const fromA2 = ids(await w.related(dave, p.a2!));
    expect(fromA2).not.toContain(p.dup);
    expect(fromA2.length).toBeGreaterThan(0);
  });

  it('never shows pins of secret boards, to others or to their owner, and secret boards do not link pins', async () => {
    for (const user of [bob, alice]) {
      for (const from of [p.a2!, p.a1!, p.a4!]) {
        const res = await w.related(user, from);
        expect(ids(res)).not.toContain(p.s1);
        for (const item of res.body.items) expect(item.board_id).not.toBe(boards.secret);
      }
    }
    // Only its owner may ask for a secret pin's related pins (404 for others, as GET /v5/pins/{id}).
    const other = await w.related(bob, p.s1!);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ code: 50, message: 'Pin not found.' });
    const owner = await w.related(alice, p.s1!);
    expect(owner.status).toBe(200);
    expect(ids(owner)).not.toContain(p.s1);
    for (const item of owner.body.items) expect(item.board_id).not.toBe(boards.secret);
    const noSecretScope = await w.related(alice, p.s1!, {}, PUBLIC_ONLY);
    expect(noSecretScope.status).toBe(403);
    // The secret board is not in the graph at all.
    const graph = await relatedOf(app).graph.current();
    expect(graph.boardIndex(BigInt(boards.secret!))).toBe(-1);
    expect(graph.pinIndex(BigInt(p.s1!))).toBe(-1);
  });

  it('holds at most max(2, page_size / 5) pins of one board and one creator on a page', async () => {
    expect(diversityCap(25)).toBe(5);
    expect(diversityCap(5)).toBe(2);
    const unlimited = (await w.related(dave, p.a1!)).body.items as { board_owner: { username: string } }[];
    // Without the cap, alice's pins alone would fill more than two places.
    expect(unlimited.filter((i) => i.board_owner.username === alice.username).length).toBeGreaterThan(2);
    const res = await w.related(dave, p.a1!, { page_size: 5 });
    const items = res.body.items as { board_id: string; board_owner: { username: string } }[];
    expect(items.length).toBeGreaterThan(0);
    const count = (key: (i: (typeof items)[number]) => string) => {
      const m = new Map<string, number>();
      for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
      return Math.max(...m.values());
    };
    expect(count((i) => i.board_id)).toBeLessThanOrEqual(2);
    expect(count((i) => i.board_owner.username)).toBeLessThanOrEqual(2);
  });

  it('pages with bookmarks, without repeats', async () => {
    const seen: string[] = [];
    let bookmark: string | undefined;
    let pages = 0;
    do {
      const res = await w.related(dave, p.a1!, { page_size: 2, ...(bookmark ? { bookmark } : {}) });
      const page = ids(res);
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page);
      bookmark = res.body.bookmark ?? undefined;
      pages++;
    } while (bookmark && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    // A bookmark is bound to its list.
    const first = await w.related(dave, p.a1!, { page_size: 2 });
    const foreign = await w.related(dave, p.a3!, { page_size: 2, bookmark: String(first.body.bookmark) });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe(1);
  });

  it('starts the next page at the first pin a page left out (an ad took its place), losing none', async () => {
    const { service } = relatedOf(app);
    const deps = Reflect.get(service, 'deps') as RelatedDeps;
    // A page's last pin displaced, as an ad in a full page displaces it: the page covers one entry less.
    const displacing = new Proxy(deps.pins, {
      get(target, key, receiver) {
        if (key !== 'list') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<PinsService['list']>) => {
          const out = await target.list(...args);
          if (args[1].length < 2) return out;
          return { ids: out.ids.slice(0, -1), json: out.json.slice(0, -1), consumed: args[1].length - 1 };
        };
      },
    });
    const walk = async (svc: RelatedService) => {
      const seen: string[] = [];
      let bookmark: string | undefined;
      const viewer = { userId: dave.id, appId: '0', scopes: new Set(['boards:read', 'pins:read']) };
      for (let pages = 0; pages < 30; pages++) {
        const q = { page_size: 3, ...(bookmark ? { bookmark } : {}) };
        const body = JSON.parse((await svc.related(viewer, p.a1!, q, { requestId: 'r' })).toString());
        expect(body.items.length).toBeLessThanOrEqual(3);
        seen.push(...body.items.map((i: PinItem) => i.id));
        bookmark = body.bookmark ?? undefined;
        if (!bookmark) break;
      }
      return seen;
    };
    const whole = await walk(service);
    expect(whole.length).toBeGreaterThan(3);
    expect(await walk(new RelatedService({ ...deps, pins: displacing }))).toEqual(whole);
  });

  it('falls back to similar text (title, description, board name) for a pin the graph knows little about', async () => {
    const found = ids(await w.related(bob, p.cold!));
    expect(found.slice(0, 2).sort()).toEqual([p.t1, p.t2].sort());
    // Through its board's name alone.
    expect(found).toContain(p.t4);
    // Nothing in common: not there.
    expect(found).not.toContain(p.t3);
    expect(found).not.toContain(p.cold);
    expect(found).not.toContain(p.s1);
  });

  it('answers bad input with 4xx {code, message}', async () => {
    const unknown = await w.related(bob, '123456789');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 50, message: 'Pin not found.' });
    const huge = await w.related(bob, '9999999999999999999');
    expect(huge.status).toBe(404);
    for (const page_size of [0, 1000, 51]) {
      const res = await w.related(bob, p.a1!, { page_size });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    }
    const notId = await w.related(bob, 'abc');
    expect(notId.status).toBe(400);
    const badBookmark = await w.related(bob, p.a1!, { bookmark: 'nope' });
    expect(badBookmark.status).toBe(400);
    const noScope = await w.related(bob, p.a1!, {}, ['boards:read']);
    expect(noScope.status).toBe(403);
    expect(noScope.body).toMatchObject({ code: 3 });
    const anonymous = await app.http.inject({ method: 'GET', url: `/v5/pins/${p.a1}/related` });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 2, message: expect.any(String) });
  });

  it('shows a new save within seconds, from the change log (no rebuild)', async () => {
    const before = relatedOf(app).graph.lastBuild.at;
    const board = await makeBoard(app, dave, { name: 'Weekend' });
    const fresh = await w.pin(dave, board.id, { title: 'Stepping stones' });
    // Dave saves a6 next to his new pin: a6 and the new pin now share a board.
    await w.save(dave, p.a6!, board.id);
    const started = Date.now();
    await eventually(async () => ids(await w.related(bob, p.a6!)).includes(fresh), 10_000, 50);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(relatedOf(app).graph.lastBuild.at).toBe(before);
  });

  it('rebuilds when pins reach the tables without the change log (seed, restores)', async () => {
    const { db, ids: idGen } = app.deps;
    const boardId = await idGen.next('board');
    const pins = [await idGen.next('pin'), await idGen.next('pin')];
    const past = new Date(Date.now() - 60_000);
    await db
      .insertInto('boards')
      .values({ id: boardId, owner_id: dave.id, name: 'Imported', created_at: past })
      .execute();
    await db
      .insertInto('pins')
      .values(
        pins.map((id) => ({ id, owner_id: dave.id, board_id: boardId, title: 'Imported', created_at: past })),
      )
      .execute();
    const before = relatedOf(app).graph.lastBuild.at;
    await eventually(async () => {
      const graph = await relatedOf(app).graph.current();
      return graph.pinIndex(BigInt(pins[0]!)) >= 0 && graph.pinIndex(BigInt(pins[1]!)) >= 0;
    }, 15_000);
    expect(relatedOf(app).graph.lastBuild.at).toBeGreaterThan(before);
  });

  it('stops walking through a board made secret within seconds', async () => {
    const res = await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${boards.a3}`,
      headers: await carol.auth(FULL),
      payload: { privacy: 'SECRET' },
    });
    expect(res.statusCode).toBe(200);
    await eventually(async () => {
      const graph = await relatedOf(app).graph.current();
      return graph.isBlocked(graph.boardIndex(BigInt(boards.a3!)));
    }, 10_000);
    const found = ids(await w.related(dave, p.a1!));
    expect(found).not.toContain(p.c1);
    expect(found).not.toContain(p.c2);
    // And back: public again, its pins return.
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${boards.a3}`,
      headers: await carol.auth(FULL),
      payload: { privacy: 'PUBLIC' },
    });
    await eventually(async () => ids(await w.related(dave, p.a1!)).includes(p.c1!), 10_000, 50);
  });
});

describe('before the graph is built', () => {
  it('answers from content similarity, and recommends nothing, instead of waiting', async () => {
    const stuck = {
      peek: () => undefined,
      current: () => new Promise<never>(() => {}),
    } as unknown as GraphStore;
    const service = new RelatedService({
      db: app.deps.db,
      bookmarks: app.deps.bookmarks,
      pins: app.product.pins,
      store: stuck,
      steps: 1000,
      graphWaitMs: 50,
    });
    const viewer = { userId: bob.id, appId: '1', scopes: new Set(FULL) };
    const page = JSON.parse((await service.related(viewer, p.cold!, {}, { requestId: 'r' })).toString());
    expect(page.items.map((i: { id: string }) => i.id)).toContain(p.t1);
    expect(await service.recommend(viewer, [{ pinId: p.a1!, weight: 1 }], 10)).toEqual([]);
  });
});

describe('RelatedService.recommend', () => {
  it('walks from several weighted seeds, leaving out the seeds, their saves and what is excluded', async () => {
    const { service } = relatedOf(app);
    const viewer = { userId: bob.id, appId: '1', scopes: new Set(FULL) };
    const recs = await service.recommend(
      viewer,
      [
        { pinId: p.a1!, weight: 1 },
        { pinId: p.b1!, weight: 1 },
      ],
      20,
    );
    const got = recs.map((r) => r.pinId);
    expect(got).toEqual(expect.arrayContaining([p.b3, p.a4]));
    expect(got).not.toContain(p.a1);
    expect(got).not.toContain(p.b1);
    expect(got).not.toContain(p.s1);
    for (let i = 1; i < recs.length; i++) expect(recs[i - 1]!.score).toBeGreaterThanOrEqual(recs[i]!.score);
    const without = await service.recommend(viewer, [{ pinId: p.a1!, weight: 1 }], 20, {
      excludePinIds: new Set([p.a4!]),
    });
    expect(without.map((r) => r.pinId)).not.toContain(p.a4);
    expect(await service.recommend(viewer, [{ pinId: '123', weight: 1 }], 20)).toEqual([]);
    expect(await service.recommend(viewer, [], 20)).toEqual([]);
  });
});
