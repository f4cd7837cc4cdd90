import type { AccountsService } from '../accounts/index.js';
import type { AppModule, ModuleDeps } from '../module.js';
import type { OAuthService } from '../oauth/index.js';
import type { PinsService } from '../pins/index.js';
import { adAccountsRoutes } from './accounts/ad-accounts.routes.js';
import { AdAccountsService } from './accounts/ad-accounts.service.js';
import { AdAccess } from './ad-access.js';
import { adGroupsRoutes } from './ad-groups/ad-groups.routes.js';
import { AdGroupsService } from './ad-groups/ad-groups.service.js';
import { bidFloorRoutes } from './ad-groups/bid-floor.js';
import { adsRoutes } from './ads/ads.routes.js';
import { AdsService } from './ads/ads.service.js';
import { audienceServices } from './audiences/index.js';
import { adBillingConsumer } from './billing/ad-billing.consumer.js';
import { campaignsRoutes } from './campaigns/campaigns.routes.js';
import { CampaignsService } from './campaigns/campaigns.service.js';
import { conversionsRoutes } from './conversions/conversions.routes.js';
import { ConversionsService } from './conversions/conversions.service.js';
import { keywordsRoutes } from './keywords/keywords.routes.js';
import { KeywordsService, type SearchVolumes } from './keywords/keywords.service.js';
import { adPreviewsRoutes } from './previews/ad-previews.routes.js';
import { AdPreviewsService } from './previews/ad-previews.service.js';
import { auctionLogConsumer, pruneAuctionLog } from './serving/auction-log.consumer.js';
import { targetingRoutes } from './targeting/index.js';

export { AdAccess } from './ad-access.js';
export { AD_BILLING_CONSUMER, billingTestHooks } from './billing/ad-billing.consumer.js';
export { AdsServing } from './serving/ads-serving.js';
export { budgetReservations } from './serving/budget-keys.js';

/** What the ads module needs of the rest of the product. */
export interface AdsProductDeps {
  readonly accounts: Pick<AccountsService, 'byUsername'>;
  readonly oauth: Pick<OAuthService, 'conversionToken'>;
  /** Pins as their viewers see them (ad previews). */
  readonly pins: Pick<PinsService, 'get'>;
  /** Searches of each phrase lately (keyword metrics). */
  readonly searchVolumes: SearchVolumes;
}

/** Advertising: the Pinterest v5 Ads API (ad accounts, campaigns, ad groups, ads, targeting, conversions). */
export function adsModule(deps: ModuleDeps, product: AdsProductDeps): AppModule {
  const access = new AdAccess(deps.db);
  const adAccounts = new AdAccountsService({
    db: deps.db,
    ids: deps.ids,
    bookmarks: deps.bookmarks,
    access,
    accounts: product.accounts,
  });
  const conversions = new ConversionsService({
    db: deps.db,
    ids: deps.ids,
    access,
    oauth: product.oauth,
    publicUrl: deps.config.publicUrl,
    eventsCommitted: deps.eventsCommitted,
  });
  const campaigns = new CampaignsService({ db: deps.db, ids: deps.ids, bookmarks: deps.bookmarks, access });
  const adGroups = new AdGroupsService({ db: deps.db, ids: deps.ids, bookmarks: deps.bookmarks, access });
  const ads = new AdsService({ db: deps.db, ids: deps.ids, bookmarks: deps.bookmarks, access });
  const keywords = new KeywordsService({
    db: deps.db,
    ids: deps.ids,
    bookmarks: deps.bookmarks,
    access,
    searchVolumes: product.searchVolumes,
  });
  const previews = new AdPreviewsService({
    db: deps.db,
    access,
    pins: product.pins,
    publicUrl: deps.config.publicUrl,
  });
  // Audiences, customer lists, targeting templates and audience sizing.
  const audiences = audienceServices(deps, access);
  return {
    name: 'ads',
    routes: (app) => {
      adAccountsRoutes(app, adAccounts);
      conversionsRoutes(app, conversions);
      campaignsRoutes(app, campaigns);
      adGroupsRoutes(app, adGroups);
      adsRoutes(app, ads);
      keywordsRoutes(app, keywords);
      bidFloorRoutes(app, access);
      adPreviewsRoutes(app, previews);
      targetingRoutes(app);
      audiences.routes(app);
    },
    // Billing settles the charges of each batch of events; the auction log stores sampled auctions.
    consumers: () => [adBillingConsumer(deps.spend, deps.metrics), auctionLogConsumer()],
    periodic: () => [
      {
        name: 'ads.audiences.refresh',
        everyMs: 600_000,
        run: async () => void (await audiences.audiences.refreshStale()),
      },
      {
        name: 'ads.auctions.prune',
        everyMs: 3_600_000,
        run: async () => void (await pruneAuctionLog(deps.db)),
      },
    ],
  };
}
