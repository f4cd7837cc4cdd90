import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { followsRoutes } from './follows.routes.js';
import { FollowsService } from './follows.service.js';

export { FollowsService, type UserSummary } from './follows.service.js';

/** Follows of people and boards: /v5/user_account/followers, /following, /following/boards, ... */
export function followsModule(deps: ModuleDeps, product: ProductServices): AppModule {
  const follows = new FollowsService({
    db: deps.db,
    bookmarks: deps.bookmarks,
    accounts: product.accounts,
    boards: product.boards,
    events: product.events,
    eventsCommitted: deps.eventsCommitted,
  });
  return { name: 'follows', routes: (app) => followsRoutes(app, follows) };
}
