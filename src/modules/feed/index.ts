import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { fanoutConsumer, followConsumer } from './fanout.js';
import { feedRoutes } from './feed.routes.js';
import { type FeedDeps, FeedService } from './feed.service.js';
import type { FeedStore } from './feed-store.js';
import { MemoryFeedStore } from './memory-feed-store.js';
import { PopularPool, type SignalSource } from './popular-pool.js';
import { RedisFeedStore } from './redis-feed-store.js';
import type { WalkRecommender } from './walk-recommender.js';

export { FeedService } from './feed.service.js';
export type { FeedReason, FeedStore } from './feed-store.js';
export type { WalkRecommender } from './walk-recommender.js';

/**
 * The home feed: GET /v5/feeds/home, and the fan-out of new pins and follows into the following lists
 * (memory in embedded mode, Redis in services mode). `signals` lifts recently engaged pins in the popular
 * pool; `recommender` gives the related pins (random walks).
 */
export function feedModule(
  deps: ModuleDeps,
  product: ProductServices,
  sources: { signals: SignalSource; recommender: WalkRecommender; exposures: FeedDeps['exposures'] },
): AppModule & { readonly service: FeedService; readonly store: FeedStore; readonly pool: PopularPool } {
  const store: FeedStore = deps.redis
    ? new RedisFeedStore(deps.redis, deps.config.redisPrefix)
    : new MemoryFeedStore();
  const pool = new PopularPool(deps.db, deps.log, sources.signals);
  const service = new FeedService({
    db: deps.db,
    store,
    pins: product.pins,
    recommender: sources.recommender,
    bookmarks: deps.bookmarks,
    pool,
    exposures: sources.exposures,
    config: deps.config,
    log: deps.log,
    cache: deps.cache,
  });
  return {
    name: 'feed',
    service,
    store,
    pool,
    routes: (app) => feedRoutes(app, service),
    consumers: () => [fanoutConsumer(store, deps.config), followConsumer(store, deps.config)],
  };
}
