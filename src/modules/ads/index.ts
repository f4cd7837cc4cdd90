import type { AppModule } from '../module.js';
import { targetingRoutes } from './targeting/index.js';

/** Advertising: the Pinterest v5 Ads API (ad accounts, campaigns, ad groups, ads, targeting, conversions). */
export function adsModule(): AppModule {
  return {
    name: 'ads',
    routes: (app) => {
      targetingRoutes(app);
    },
  };
}
