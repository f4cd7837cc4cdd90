import type { Authenticator } from '../platform/principal.js';
import { FailureThrottle } from '../platform/rate-limit/failure-throttle.js';
import { KnownAddresses } from '../platform/rate-limit/known-addresses.js';
import { AccountsService, accountsModule } from './accounts/index.js';
import { adsAnalyticsModule } from './ads/analytics/index.js';
import { AdsServing, adsModule, budgetReservations } from './ads/index.js';
import {
  type AnalyticsService,
  analyticsModule,
  MonthlyViewsReader,
  PinMetricsReader,
} from './analytics/index.js';
import { BoardsService, boardsModule } from './boards/index.js';
import { discoverySearchModule } from './discovery-search/index.js';
import { EventsService, eventsModule, ImpressionTokens, viewerOf } from './events/index.js';
import {
  type DefinitionsService,
  type Exposures,
  experimentsModule,
  type ResultsService,
} from './experiments/index.js';
import { feedModule } from './feed/index.js';
import { followsModule } from './follows/index.js';
import { InterestsService, interestsModule } from './interests/index.js';
import { mediaModule } from './media/index.js';
import type { AppModule, ModuleDeps } from './module.js';
import { OAuthService, oauthModule } from './oauth/index.js';
import { ImagesService, PinStore, PinsService, pinsModule } from './pins/index.js';
import type { ProductServices } from './product-services.js';
import { relatedModule } from './related/index.js';
import { searchModule } from './search/index.js';
import { webModule } from './web/index.js';
import { WebsitesService, websitesModule } from './websites/index.js';

/** The product's services, shared by its modules, the CLI and the HTTP auth plumbing. */
export interface Product extends ProductServices {
  /** Every product module, in registration order. */
  readonly modules: readonly AppModule[];
  readonly authenticate: Authenticator;
  /** Analytics: the v5 analytics endpoints, popularity signals for discovery. */
  readonly analytics: AnalyticsService;
  /** `pin_metrics` for pin reads. */
  readonly pinMetrics: PinMetricsReader;
  /** The ad server the list surfaces lay promoted pins in with. */
  readonly promotions: AdsServing;
  /** Experiment and flag definitions; `runningLayers()` for serving code. */
  readonly experiments: DefinitionsService;
  /**
   * Serving code's parameters: `(await exposures.forUnit(unit)).number(name, fallback)` gives the value
   * of the running experiment the unit is in (else the fallback) and logs its exposure.
   * docs/experiments-exposures.md.
   */
  readonly exposures: Exposures;
  /** Experiment results (the route and the CLI's report). */
  readonly experimentResults: ResultsService;
}

/** Builds the product's services and modules from the platform dependencies. */
export function buildProduct(deps: ModuleDeps): Product {
  // Password, app-secret and grant guessing: its own switch, not RATE_LIMITS (a security control).
  const knownAddresses = new KnownAddresses(deps.db);
  const throttle = new FailureThrottle(deps.config.authThrottle ? deps.rateLimiter : null, knownAddresses);
  const accounts = new AccountsService(deps.db, deps.ids, throttle);
  const oauth = new OAuthService(deps.db, deps.ids, deps.cache, throttle);
  const images = new ImagesService(deps.blobs, deps.ids, deps.config);
  // What boards need of pins (covers, emptying a section) and what pins need of events and analytics
  // depend on nothing built later: each service is finished when its constructor returns.
  const pinStore = new PinStore(deps.db, deps.cache, images);
  const boards = new BoardsService(deps.db, deps.ids, deps.bookmarks, deps.cache, pinStore);
  // Promoted items' tokens carry the ad server's budget reservation ids packed (every node packs alike).
  const impressionTokens = new ImpressionTokens(
    deps.impressionTokenKey,
    deps.config.impressionTokenTtlMs,
    budgetReservations,
  );
  const events = new EventsService({
    db: deps.db,
    ids: deps.ids,
    tokens: impressionTokens,
    metrics: deps.metrics,
    config: deps.config,
    eventsCommitted: deps.eventsCommitted,
  });
  // Serving code reads its settings under test through the experiments' exposures (feed, ad server).
  const experiments = experimentsModule(deps, events);
  // The ad server lays promoted pins into the pages of the surfaces that carry them (PinsService.list).
  const promotions = new AdsServing({
    db: deps.db,
    cache: deps.cache,
    spend: deps.spend,
    tokens: impressionTokens,
    metrics: deps.metrics,
    log: deps.log,
    settings: deps.config.adsServing,
    exposures: experiments.exposures,
    eventsCommitted: deps.eventsCommitted,
  });
  const pinMetrics = new PinMetricsReader(deps.db);
  const monthlyViews = new MonthlyViewsReader(deps.db);
  const pins = new PinsService({
    db: deps.db,
    ids: deps.ids,
    bookmarks: deps.bookmarks,
    boards,
    images,
    store: pinStore,
    limits: deps.config,
    ownMedia: { publicUrl: deps.config.publicUrl, blobs: deps.blobs },
    promotions,
    serving: {
      tokens: (viewer, pinIds, surface, requestId) => {
        const who: { viewerUserId?: string; viewerAppId?: string } = viewerOf(viewer);
        // Every field written, not `{ ...who, pinIds }`: such a spread gets a new V8 map per call, and
        // issueList's reads of it then miss on every page (docs/architecture.md, "Object shapes").
        return impressionTokens.issueList({
          viewerUserId: who.viewerUserId,
          viewerAppId: who.viewerAppId,
          pinIds,
          surface,
          firstPosition: 0,
          requestId,
        });
      },
      metrics: (ids) => pinMetrics.of(ids),
    },
    saved: async (trx, viewer, pinId, boardId) => {
      await events.record(trx, [
        { kind: 'SAVE', userId: viewer.userId, appId: viewer.appId, pinId, boardId },
      ]);
    },
  });
  const services: ProductServices = { accounts, oauth, boards, pins, events, impressionTokens };
  const analytics = analyticsModule(deps, services);
  const related = relatedModule(deps, services);
  const discovery = discoverySearchModule(deps, services);
  // The home feed's recommendations are random walks seeded by the viewer's recent saves and close-ups.
  const feed = feedModule(deps, services, {
    signals: (ids) => analytics.service.signals(ids),
    recommender: related.service,
    exposures: experiments.exposures,
  });
  return {
    ...services,
    analytics: analytics.service,
    pinMetrics,
    promotions,
    experiments: experiments.service,
    exposures: experiments.exposures,
    experimentResults: experiments.results,
    modules: [
      accountsModule(accounts, (userId) => monthlyViews.of(userId)),
      oauthModule(oauth, accounts, knownAddresses),
      boardsModule(boards),
      pinsModule(pins, images, pinStore),
      followsModule(deps, services),
      mediaModule(deps, services),
      searchModule(deps, services),
      discovery,
      related,
      analytics,
      eventsModule(events),
      interestsModule(
        new InterestsService({
          db: deps.db,
          bookmarks: deps.bookmarks,
          accounts,
          publicUrl: deps.config.publicUrl,
        }),
      ),
      websitesModule(new WebsitesService({ db: deps.db, bookmarks: deps.bookmarks, fetch: deps.config })),
      feed,
      adsModule(deps, {
        accounts,
        oauth,
        pins,
        searchVolumes: (phrases) => discovery.trends.searchVolumes(phrases),
      }),
      adsAnalyticsModule(deps),
      experiments,
      webModule(oauth),
    ],
    authenticate: Object.assign((token: string) => oauth.authenticate(token), {
      held: (token: string) => oauth.authenticateHeld(token),
    }),
  };
}
