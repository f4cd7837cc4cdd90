import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { HttpServer } from '../../http/server.js';
import { esc } from '../../platform/html.js';

/**
 * The app's own paths, each answered with index.html (the app routes in the browser). Listed rather
 * than caught by a wildcard, so no API path, and no unknown path's JSON 404, is ever shadowed.
 */
export const APP_PATHS = [
  '/',
  '/callback',
  '/signin',
  '/pin/:pinId',
  '/ads',
  '/ads/:adAccountId',
  '/ads/:adAccountId/analytics',
  '/ads/:adAccountId/campaigns/new',
  '/ads/:adAccountId/campaigns/:campaignId',
  '/ads/:adAccountId/campaigns/:campaignId/analytics',
  '/ads/:adAccountId/ad_groups/new',
  '/ads/:adAccountId/ad_groups/:adGroupId',
  '/ads/:adAccountId/ads/new',
  '/ads/:adAccountId/ads/:adId',
  '/boards',
  '/board/:boardId',
  '/user/:username',
  '/user/:username/followers',
  '/user/:username/following',
  '/analytics',
  '/experiments',
  '/experiments/:key',
  '/search',
  '/create',
] as const;

/** Marks the spot in index.html where the web client's id is written (web/index.html). */
const CLIENT_ID_MARK = '__CORKBOARD_CLIENT_ID__';

// The page may load scripts and styles from here only, and talk only to this origin; images come from
// wherever pins' images are served (PUBLIC_URL may name another host than the page's).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  'img-src * data: blob:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function notBuiltPage(dir: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corkboard</title></head>
<body><main><h1>The web app is not built</h1><p>No built app was found in <code>${esc(dir)}</code>.
Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when missing), then reload.
The API is up: <a href="/docs">/docs</a>.</p></main></body></html>`;
}

/**
 * Serves the built web app: hashed files under /assets/ (cached for good), and index.html, with the
 * web client's id written in, at each of the app's paths.
 */
export async function webRoutes(app: HttpServer, opts: { dir: string; clientId: string }): Promise<void> {
  const indexFile = path.join(opts.dir, 'index.html');
  const built = existsSync(indexFile);
  const html = built ? readFileSync(indexFile, 'utf8').replaceAll(CLIENT_ID_MARK, opts.clientId) : '';
  const page = (reply: FastifyReply) => {
    reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff');
    if (!built) return reply.status(503).type('text/html').send(notBuiltPage(opts.dir));
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'same-origin')
      .send(html);
  };
  for (const url of APP_PATHS) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => page(reply));
  }
  const assets = path.join(opts.dir, 'assets');
  if (built && existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // File names carry a hash of their content: a changed file is a new name.
      immutable: true,
      maxAge: '365d',
      preCompressed: false,
    });
  }
}
