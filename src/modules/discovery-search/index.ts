import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { discoverySearchRoutes } from './discovery-search.routes.js';
import { GlobalSearchRepository } from './global-search.repository.js';
import { GlobalSearchService } from './global-search.service.js';
import { RECONCILE_MS, SearchIndexService } from './search-index.service.js';
import { termsRepository } from './terms.repository.js';
import { TermsService } from './terms.service.js';
import { searchTermsConsumer, TrendsService } from './trends.service.js';

export { GlobalSearchService } from './global-search.service.js';
export { SearchIndexService } from './search-index.service.js';
export { TermsService } from './terms.service.js';
export { TrendsService } from './trends.service.js';

export interface DiscoverySearchModule extends AppModule {
  readonly index: SearchIndexService;
  readonly search: GlobalSearchService;
  readonly terms: TermsService;
  readonly trends: TrendsService;
}

/**
 * Global search of public pins, boards and people, typeahead and related terms, and trending keywords:
 * /v5/search/partner/pins, /v5/search/global/{boards,users}, /v5/terms/{suggested,related},
 * /v5/trends/keywords/{region}/top/{trend_type}.
 */
export function discoverySearchModule(deps: ModuleDeps, product: ProductServices): DiscoverySearchModule {
  const index = new SearchIndexService(deps.db, deps.log);
  const search = new GlobalSearchService(
    new GlobalSearchRepository(deps.db),
    deps.bookmarks,
    product,
    product.events,
  );
  const terms = new TermsService(deps.db, deps.cache, search, deps.log);
  const trends = new TrendsService(deps.db);
  return {
    name: 'discovery-search',
    index,
    search,
    terms,
    trends,
    routes: (app) => {
      discoverySearchRoutes(app, { search, terms, trends });
    },
    consumers: () => [index.consumer(), searchTermsConsumer()],
    periodic: () => [
      { name: 'discovery-search.reconcile', everyMs: RECONCILE_MS, run: () => index.reconcile() },
      {
        name: 'discovery-search.prune-searchers',
        everyMs: 3_600_000,
        run: async () => void (await termsRepository.pruneSearchers(deps.db)),
      },
    ],
  };
}
