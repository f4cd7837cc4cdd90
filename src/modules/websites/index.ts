import type { AppModule } from '../module.js';
import { websitesRoutes } from './websites.routes.js';
import type { WebsitesService } from './websites.service.js';

export { WebsitesService } from './websites.service.js';

/** Claimed websites: /v5/user_account/websites and its verification code. */
export function websitesModule(websites: WebsitesService): AppModule {
  return { name: 'websites', routes: (app) => websitesRoutes(app, websites) };
}
