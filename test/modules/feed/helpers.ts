import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import { type FeedDeps, FeedService } from '../../../src/modules/feed/feed.service.js';
import type { feedModule, WalkRecommender } from '../../../src/modules/feed/index.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { eventually } from '../../helpers/app.js';
import { FULL, makePin as makeAnyPin, type TestUser } from '../../helpers/factories.js';

export type FeedModule = ReturnType<typeof feedModule>;

export interface FeedItem {
  id: string;
  board_id: string;
  parent_pin_id: string | null;
  board_owner: { username: string };
  reason: string;
  impression_token: string;
}

export function feedOf(app: App): FeedModule {
  return app.product.modules.find((m) => m.name === 'feed') as FeedModule;
}

/**
 * A feed service like the app's (its store, popular pool, cache and settings) with another recommender:
 * what a test of the walk's part in the feed pages through instead of GET /v5/feeds/home.
 */
export function feedWith(app: App, recommender: WalkRecommender, more: Partial<FeedDeps> = {}): FeedService {
  const module = feedOf(app);
  return new FeedService({
    db: app.database.db,
    store: module.store,
    pins: app.product.pins,
    recommender,
    bookmarks: app.deps.bookmarks,
    pool: module.pool,
    exposures: app.product.exposures,
    config: app.config,
    log: app.log,
    cache: app.deps.cache,
    ...more,
  });
}

/** One page of `service`'s home feed for `user` (as GET /v5/feeds/home would answer it), parsed. */
export async function servicePage(
  service: FeedService,
  user: TestUser,
  params: { page_size?: number; bookmark?: string } = {},
): Promise<{ items: FeedItem[]; bookmark: string | null }> {
  const principal = { userId: user.id, appId: '1', scopes: new Set(FULL) };
  const json = await service.home(principal, params.page_size ?? 25, params.bookmark, 'test');
  const parsed = JSON.parse(json.toString());
  for (const item of parsed.items) expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, item);
  return parsed;
}

/** A pin of `owner` on `boardId`, made through the API. */
export function makePin(app: App, owner: TestUser, boardId: string, title?: string): Promise<string> {
  return makeAnyPin(app, owner, boardId, title ? { title } : {});
}

export { savePin } from '../../helpers/factories.js';

export async function follow(app: App, user: TestUser, other: TestUser): Promise<void> {
  const res = await app.http.inject({
    method: 'POST',
    url: `/v5/user_account/following/${other.username}`,
    headers: await user.auth(),
    payload: {},
  });
  if (res.statusCode !== 200) throw new Error(`follow: ${res.statusCode} ${res.body}`);
}

export async function followBoard(app: App, user: TestUser, boardId: string): Promise<void> {
  const res = await app.http.inject({
    method: 'POST',
    url: `/v5/user_account/following/boards/${boardId}`,
    headers: await user.auth(),
  });
  if (res.statusCode !== 200) throw new Error(`followBoard: ${res.statusCode} ${res.body}`);
}

/** GET /v5/feeds/home; every item of a 200 is checked against the spec's Pin. */
export async function getFeed(
  app: App,
  user: TestUser,
  params: Record<string, string | number | undefined> = {},
  headers?: Record<string, string>,
) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  const res = await app.http.inject({
    method: 'GET',
    url: `/v5/feeds/home${qs.size ? `?${qs}` : ''}`,
    headers: headers ?? (await user.auth()),
  });
  if (res.statusCode === 200) {
    for (const item of res.json().items) expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, item);
  }
  return res;
}

/** One page of the feed: its items and bookmark. */
export async function page(
  app: App,
  user: TestUser,
  params: Record<string, string | number | undefined> = {},
): Promise<{ items: FeedItem[]; bookmark: string | null }> {
  const res = await getFeed(app, user, params);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Every page of one session. */
export async function allPages(app: App, user: TestUser, pageSize: number): Promise<FeedItem[][]> {
  const pages: FeedItem[][] = [];
  let bookmark: string | undefined;
  do {
    const p = await page(app, user, { page_size: pageSize, bookmark });
    pages.push(p.items);
    bookmark = p.bookmark ?? undefined;
  } while (bookmark && pages.length < 200);
  return pages;
}

/** Waits until every outbox event so far has been handled by the feed's consumers. */
export async function feedJobsDone(app: App): Promise<void> {
  await eventually(async () => {
    const pending = await app.database.db
      .selectFrom('outbox as o')
      .select('o.id')
      .where('o.topic', 'in', ['pin.created', 'pin.saved', 'user.followed', 'board.followed'])
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('job_done as d')
              .select('d.event_id')
              .whereRef('d.event_id', '=', 'o.id')
              .where('d.consumer', 'in', ['feed.fanout', 'feed.follows']),
          ),
        ),
      )
      .limit(1)
      .execute();
    return pending.length === 0;
  });
}
