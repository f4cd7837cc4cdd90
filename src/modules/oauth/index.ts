import cookie from '@fastify/cookie';
import type { KnownAddresses } from '../../platform/rate-limit/known-addresses.js';
import type { AccountsService } from '../accounts/index.js';
import type { AppModule } from '../module.js';
import { consentRoutes } from './consent.routes.js';
import { oauthRoutes } from './oauth.routes.js';
import type { OAuthService } from './oauth.service.js';
import { Sessions } from './sessions.js';

export { ACCESS_TTL_S, MAX_DEV_TOKEN_DAYS, OAuthService, type TokenGrant } from './oauth.service.js';
export { ALL_SCOPES, parseScopes } from './scopes.js';

/** OAuth 2.0: the consent page at /oauth/, the token and revoke endpoints under /v5/oauth. */
export function oauthModule(
  oauth: OAuthService,
  accounts: AccountsService,
  knownAddresses: KnownAddresses,
): AppModule {
  return {
    name: 'oauth',
    async routes(app, deps) {
      oauthRoutes(app, oauth);
      // Cookies only where they are used: API requests do not pay for the cookie plugin's hooks.
      await app.register(async (pages) => {
        await pages.register(cookie);
        consentRoutes(pages, {
          oauth,
          accounts,
          sessions: new Sessions(deps.db),
          secureCookies: deps.config.publicUrl.startsWith('https:'),
        });
      });
    },
    // The guessing throttle's known addresses (see FailureThrottle) stop counting after 90 days.
    periodic: () => [
      {
        name: 'oauth.prune-known-addresses',
        everyMs: 6 * 3_600_000,
        run: async () => {
          await knownAddresses.prune();
        },
      },
    ],
  };
}
