import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';

/** Search of the user's own content: /v5/search/pins and /v5/search/boards. */
export function searchModule(_deps: ModuleDeps, _product: ProductServices): AppModule {
  return { name: 'search' };
}
