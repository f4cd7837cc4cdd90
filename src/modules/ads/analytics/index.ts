import type { AppModule, ModuleDeps } from '../../module.js';
import { AdAccess } from '../ad-access.js';
import { adStatsConsumer } from './ad-stats.consumer.js';
import { adsAnalyticsRoutes } from './ads-analytics.routes.js';
import { AdsAnalyticsService } from './ads-analytics.service.js';

export { AD_STATS_CONSUMER } from './ad-stats.consumer.js';

/**
 * Ads analytics: the rollup of events about ads into ad_hourly_stats, the synchronous analytics and
 * targeting analytics of ad accounts, campaigns, ad groups, ads and promoted pins, and async reports.
 */
export function adsAnalyticsModule(deps: ModuleDeps): AppModule {
  const access = new AdAccess(deps.db);
  const analytics = new AdsAnalyticsService({ db: deps.db, access });
  return {
    name: 'ads-analytics',
    routes: (app) => {
      adsAnalyticsRoutes(app, analytics);
    },
    consumers: () => [adStatsConsumer()],
  };
}
