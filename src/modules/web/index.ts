import type { AppModule } from '../module.js';
import type { OAuthService } from '../oauth/index.js';
import { WEB_CLIENT_KEY, WEB_CLIENT_NAME, webRedirectUris } from './first-party.js';
import { webRoutes } from './web.routes.js';

export { APP_PATHS } from './web.routes.js';

/**
 * The web app at `/` (web/): its static files, and its first-party public OAuth client, made at start
 * with redirect URIs that follow PUBLIC_URL. The app signs in with PKCE like any public client.
 */
export function webModule(oauth: OAuthService): AppModule {
  return {
    name: 'web',
    async routes(app, deps) {
      const client = await oauth.firstPartyClient(
        WEB_CLIENT_KEY,
        WEB_CLIENT_NAME,
        webRedirectUris(deps.config.publicUrl),
      );
      await webRoutes(app, { dir: deps.config.webDir, clientId: client.id });
    },
  };
}
