import type { AppModule, ModuleDeps } from '../module.js';
import type { ProductServices } from '../product-services.js';
import { followsRoutes } from './follows.routes.js';
import { FollowsService } from './follows.service.js';
import { profilesRoutes } from './profiles.routes.js';

export { FollowsService, type UserSummary } from './follows.service.js';

/** Follows of people and boards (/v5/user_account/followers, /following, ...) and profiles (/v5/users/{username}...). */
export function followsModule(deps: ModuleDeps, product: ProductServices): AppModule {
  const follows = new FollowsService({
    db: deps.db,
    bookmarks: deps.bookmarks,
    accounts: product.accounts,
    boards: product.boards,
    events: product.events,
    eventsCommitted: deps.eventsCommitted,
  });
  return {
    name: 'follows',
    routes: (app) => {
      followsRoutes(app, follows);
      profilesRoutes(app, follows, product.boards);
    },
  };
}
