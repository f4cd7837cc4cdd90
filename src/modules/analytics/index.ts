import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { analyticsRoutes } from './analytics.routes.js';
import { AnalyticsService } from './analytics.service.js';
import { MemorySignalStore } from './popularity/memory-signal-store.js';
import { PopularityService } from './popularity/popularity.service.js';
import { RedisSignalStore } from './popularity/redis-signal-store.js';
import { rollupConsumer } from './rollup.consumer.js';
import { RollupProgress } from './rollup-progress.js';

export { engagement } from './analytics.metrics.js';
export { AnalyticsService } from './analytics.service.js';
export {
  MonthlyViewsReader,
  type PinMetricCounts,
  type PinMetrics,
  PinMetricsReader,
} from './pin-metrics.js';
export { type PopularitySignals, signalsOf, weight } from './popularity/popularity.js';
export { rollupTestHooks } from './rollup.consumer.js';

/**
 * Analytics: the rollup of accepted event batches into daily counts, the v5 analytics endpoints
 * (/v5/pins/{id}/analytics, /v5/pins/analytics, /v5/user_account/analytics[/top_pins]), `pin_metrics`
 * for pin reads and popularity signals for discovery.
 */
export function analyticsModule(
  deps: ModuleDeps,
  product: ProductServices,
): AppModule & { readonly service: AnalyticsService } {
  // Batch marks outlive the delivery records (JOB_RETENTION_DAYS), after which no redelivery happens.
  const markerTtlMs = (deps.config.jobRetentionDays + 1) * 86_400_000;
  const store = deps.redis
    ? new RedisSignalStore(deps.redis, deps.config.redisPrefix, markerTtlMs)
    : new MemorySignalStore(markerTtlMs);
  const popularity = new PopularityService(deps.db, store, deps.log);
  const progress = new RollupProgress(deps.db);
  const service = new AnalyticsService({
    db: deps.db,
    cache: deps.cache,
    pins: product.pins,
    progress,
    popularity,
  });
  deps.metrics.gauge(
    'corkboard_analytics_rollup_lag_seconds',
    'Age of the oldest accepted event batch not yet rolled up into analytics (0 when none).',
    [] as const,
    async (set) => {
      const { oldestPendingAt } = await progress.current();
      set({}, oldestPendingAt ? Math.max(0, (Date.now() - oldestPendingAt.getTime()) / 1000) : 0);
    },
  );
  return {
    name: 'analytics',
    service,
    routes: (app) => analyticsRoutes(app, service),
    consumers: () => [
      rollupConsumer(popularity, progress, (creators) => service.creatorsChanged(creators)),
      popularity.privacyConsumer(),
    ],
  };
}
