import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';

/** Follows of people and boards: /v5/user_account/followers, /following, /following/boards, ... */
export function followsModule(_deps: ModuleDeps, _product: ProductServices): AppModule {
  return { name: 'follows' };
}
