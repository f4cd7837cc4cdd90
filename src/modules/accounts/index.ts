import type { AppModule } from '../module.js';
import { accountsRoutes } from './accounts.routes.js';
import type { AccountsService } from './accounts.service.js';

export { AccountsService, type SignUp, type User } from './accounts.service.js';
export { AGE_BUCKETS, type AgeBucket, ageBucket, type Demographics } from './demographics.js';
export { emailSha256 } from './email-hash.js';

/**
 * People: sign-up and sign-in (used by the OAuth consent page) and GET /v5/user_account, whose
 * `monthly_views` come from `monthlyViews` (analytics' rollups).
 */
export function accountsModule(
  accounts: AccountsService,
  monthlyViews: (userId: string) => Promise<number>,
): AppModule {
  return { name: 'accounts', routes: (app) => accountsRoutes(app, accounts, monthlyViews) };
}
