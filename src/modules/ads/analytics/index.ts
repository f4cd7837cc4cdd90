import { randomBytes } from 'node:crypto';
import type { AppModule, ModuleDeps } from '../../module.js';
import { AdAccess } from '../ad-access.js';
import { attributionConsumer } from '../attribution/attribution.consumer.js';
import { adReportsConsumer } from './ad-reports.consumer.js';
import { adReportsRoutes } from './ad-reports.routes.js';
import { AdReportsService } from './ad-reports.service.js';
import { adStatsConsumer } from './ad-stats.consumer.js';
import { adsAnalyticsRoutes } from './ads-analytics.routes.js';
import { AdsAnalyticsService } from './ads-analytics.service.js';

export { ATTRIBUTION_CONSUMER } from '../attribution/attribution.consumer.js';
export { AD_REPORTS_CONSUMER } from './ad-reports.consumer.js';
export { AD_STATS_CONSUMER } from './ad-stats.consumer.js';

/** How often expired report files are deleted. */
const EXPIRE_MS = 15 * 60_000;

/**
 * Ads analytics: the rollup of events about ads into ad_hourly_stats, the attribution of conversions to
 * ads (ad_attributions), the synchronous analytics and targeting analytics of ad accounts, campaigns, ad
 * groups, ads and promoted pins, and async reports.
 */
export function adsAnalyticsModule(deps: ModuleDeps): AppModule {
  const access = new AdAccess(deps.db);
  const analytics = new AdsAnalyticsService({ db: deps.db, access });
  const reports = new AdReportsService({
    db: deps.db,
    access,
    blobs: deps.blobs,
    bookmarks: deps.bookmarks,
    publicUrl: deps.config.publicUrl,
    // 128 random bits: a token names a report to anyone with access to its account, so it is not guessable.
    newToken: () => randomBytes(16).toString('hex'),
    eventsCommitted: deps.eventsCommitted,
  });
  return {
    name: 'ads-analytics',
    routes: (app) => {
      adsAnalyticsRoutes(app, analytics);
      adReportsRoutes(app, reports);
    },
    consumers: () => [
      adStatsConsumer(),
      adReportsConsumer(reports),
      attributionConsumer({
        clickDays: deps.config.adsAttributionClickDays,
        viewDays: deps.config.adsAttributionViewDays,
      }),
    ],
    periodic: () => [{ name: 'ads.reports.expire', everyMs: EXPIRE_MS, run: () => reports.expire() }],
  };
}
