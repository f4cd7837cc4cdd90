import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { operationSecurity, rateLimitCategory, specOperations } from './spec.js';

const toSpecPath = (url: string) => url.replace(/^\/v5/, '').replace(/:([a-z_]+)/g, '{$1}');

describe('routes against the v5 spec', () => {
  it('every implemented spec operation demands exactly its scopes and uses its rate-limit category', async () => {
    const app = await startTestApp({ runJobs: false });
    const spec = new Set(specOperations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    const checked: string[] = [];
    for (const route of app.http.securedRoutes) {
      const path = toSpecPath(route.url);
      const key = `${route.method} ${path}`;
      if (!spec.has(key)) continue;
      checked.push(key);
      expect({ key, scopes: [...route.scopes].sort() }).toEqual({
        key,
        scopes: [...operationSecurity(route.method, path)].sort(),
      });
      expect({ key, category: route.rateLimit }).toEqual({
        key,
        category: rateLimitCategory(route.method, path),
      });
    }
    const core = [
      'GET /user_account',
      'GET /user_account/followers',
      'GET /user_account/following',
      'GET /user_account/following/boards',
      'POST /user_account/following/{username}',
      'GET /boards',
      'POST /boards',
      'GET /boards/{board_id}',
      'PATCH /boards/{board_id}',
      'DELETE /boards/{board_id}',
      'GET /boards/{board_id}/pins',
      'GET /boards/{board_id}/sections',
      'POST /boards/{board_id}/sections',
      'PATCH /boards/{board_id}/sections/{section_id}',
      'DELETE /boards/{board_id}/sections/{section_id}',
      'GET /boards/{board_id}/sections/{section_id}/pins',
      'GET /pins',
      'POST /pins',
      'GET /pins/{pin_id}',
      'PATCH /pins/{pin_id}',
      'DELETE /pins/{pin_id}',
      'POST /pins/{pin_id}/save',
      'GET /media',
      'POST /media',
      'GET /media/{media_id}',
      'GET /search/pins',
      'GET /search/boards',
      'GET /user_account/analytics/top_video_pins',
      'GET /user_account/websites',
      'POST /user_account/websites',
      'DELETE /user_account/websites',
      'GET /user_account/websites/verification',
      'GET /user_account/businesses',
      'GET /users/{username}/interests/follow',
      'POST /oauth/conversion_token',
    ];
    expect(checked.sort()).toEqual(expect.arrayContaining(core));
    // Every operation of the subset (v5 core, discovery and the Ads API) is declared; the token endpoints
    // authenticate the app (HTTP Basic), not a bearer, so they are checked in the OAuth tests instead.
    const basic = ['POST /oauth/token', 'POST /oauth/token/revoke'];
    const missing = [...spec].filter((key) => !checked.includes(key) && !basic.includes(key)).sort();
    expect(missing).toEqual([]);
  });

  it('documents every product route in the generated OpenAPI document, with its security', async () => {
    const app = await startTestApp({ runJobs: false });
    const res = await app.http.inject({ method: 'GET', url: '/v5/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const route of app.http.securedRoutes) {
      const path = route.url.replace(/:([a-z_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${path}`).toBeDefined();
      // Conversion events also take a conversion token, as the spec's second security entry says.
      const conversion = path === '/v5/ad_accounts/{ad_account_id}/events' ? [{ conversion_token: [] }] : [];
      expect(op.security).toEqual([{ pinterest_oauth2: [...route.scopes] }, ...conversion]);
    }
    expect(doc.paths['/v5/oauth/token'].post).toBeDefined();
  });
});
