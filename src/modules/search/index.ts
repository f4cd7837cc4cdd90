import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { searchRoutes } from './search.routes.js';
import { SearchService } from './search.service.js';

export { SearchService } from './search.service.js';

/** Search of the user's own content: /v5/search/pins and /v5/search/boards. */
export function searchModule(deps: ModuleDeps, product: ProductServices): AppModule {
  const search = new SearchService(deps.db, deps.bookmarks, product);
  return { name: 'search', routes: (app) => searchRoutes(app, search) };
}
