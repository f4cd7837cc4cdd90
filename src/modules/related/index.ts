import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { graphLogConsumer, pruneLogTask } from './graph-log.consumer.js';
import { RedisSnapshotStore } from './graph-snapshot.js';
import { GraphStore } from './graph-store.js';
import { relatedRoutes } from './related.routes.js';
import { RelatedService } from './related.service.js';
import { walkRunner } from './walk-pool.js';

export type { PinBoardGraph } from './graph.js';
export type { GraphStore } from './graph-store.js';
export { type Recommendation, RelatedService } from './related.service.js';

/**
 * Related pins: GET /v5/pins/{pin_id}/related (extension) and `service.recommend` for the home feed.
 * Each API process holds the graph in memory: built when its routes are registered (in services mode one
 * node builds and the others load its snapshot from Redis), kept current from the change log the
 * `related.graph-log` consumer writes, rebuilt every RELATED_REBUILD_MINUTES.
 */
export function relatedModule(
  deps: ModuleDeps,
  product: Pick<ProductServices, 'pins'>,
): AppModule & { readonly service: RelatedService; readonly graph: GraphStore } {
  const { config } = deps;
  // Services mode: nodes share one build through Redis (kept for two rebuild intervals, or a day).
  const snapshotTtlMs = config.relatedRebuildMs > 0 ? 2 * config.relatedRebuildMs : 86_400_000;
  const graph = new GraphStore(deps.db, deps.log, {
    boardCap: config.relatedBoardCap,
    pollMs: config.relatedPollMs,
    rebuildMs: config.relatedRebuildMs,
    ...(deps.redis
      ? {
          snapshots: new RedisSnapshotStore(
            deps.redis,
            config.redisPrefix,
            Math.max(snapshotTtlMs, 3_600_000),
          ),
        }
      : {}),
  });
  deps.metrics.gauge(
    'corkboard_related_graph',
    'The related-pins graph held by this process: bytes (its arrays plus an estimate of its overlay), pins, boards and edges.',
    ['measure'] as const,
    (set) => {
      const g = graph.peek();
      if (!g) return;
      set({ measure: 'bytes' }, g.memoryBytes().total);
      set({ measure: 'pins' }, g.pinCount);
      set({ measure: 'boards' }, g.nBaseBoards);
      set({ measure: 'edges' }, g.edgeCount);
    },
  );
  // Walks run on worker threads started with the first walk (processes that serve no walks start none).
  const walks = walkRunner(config.relatedWalkWorkers);
  const service = new RelatedService({
    db: deps.db,
    bookmarks: deps.bookmarks,
    pins: product.pins,
    store: graph,
    walks,
    steps: config.relatedWalkSteps,
  });
  return {
    name: 'related',
    service,
    graph,
    routes(app) {
      relatedRoutes(app, service);
      // Only processes that serve the API hold the graph; the first build runs in the background.
      void graph.start().catch(() => {});
      app.addHook('onClose', async () => {
        await graph.stop();
        await walks.close();
      });
    },
    consumers: () => [graphLogConsumer()],
    periodic: () => [pruneLogTask(deps.db)],
  };
}
