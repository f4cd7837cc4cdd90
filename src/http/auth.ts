import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { Forbidden, RateLimited, Unauthenticated } from '../platform/errors.js';
import type { Authenticator, Principal } from '../platform/principal.js';
import { rateLimitHeaders } from '../platform/rate-limit/headers.js';
import type { RateLimitResult } from '../platform/rate-limit/rate-limiter.js';
import type { HttpServer } from './types.js';

/** Counts one call of `category` for the principal; undefined when that category is not limited. */
export type RateLimitCheck = (principal: Principal, category: string) => Promise<RateLimitResult | undefined>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** OAuth scopes the operation demands, all of them (the spec's `security` entry). */
    scopes?: readonly string[];
    /** The spec's `x-ratelimit-category` of the operation. */
    rateLimit?: string;
    /** The operation also takes a conversion token (POST /v5/oauth/conversion_token) instead of `scopes`. */
    conversionToken?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every authenticated route with its scopes and rate-limit category (for conformance checks). */
    securedRoutes: SecuredRoute[];
  }
}

export interface SecuredRoute {
  method: string;
  url: string;
  scopes: readonly string[];
  rateLimit: string;
}

/**
 * The scope a conversion token carries instead of API scopes: it is accepted only by operations that say
 * so (`config.conversionToken`) and refused by every other, whatever they demand.
 */
export const CONVERSION_SCOPE = 'conversion';

/** The principal of an authenticated route's request. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthenticated('Authentication failed.');
  return request.principal;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})\s*$/i.exec(header);
  return match?.[1];
}

/** Sets the rate-limit headers of a counted call; a call over the limit is refused. */
function limit(reply: FastifyReply, limited: RateLimitResult | undefined): void {
  if (!limited) return;
  reply.headers(rateLimitHeaders(limited));
  if (!limited.allowed) {
    throw new RateLimited(
      'This request exceeded a rate limit. Retry after the time in Retry-After.',
      limited.resetMs / 1000,
    );
  }
}

/**
 * Every route whose config names `scopes` gets authentication, a scope check and its rate limit (per
 * user and app, by the route's `rateLimit` category) before anything else, and the matching `security`
 * entry in the OpenAPI document. Register before the routes.
 */
export function installAuth(app: HttpServer, authenticate: Authenticator, rateLimit?: RateLimitCheck): void {
  app.decorate('securedRoutes', []);
  app.addHook('onRoute', (route: RouteOptions) => {
    const scopes = route.config?.scopes;
    if (!scopes) return;
    const category = route.config?.rateLimit;
    if (!category)
      throw new Error(`${route.method} ${route.url}: an authenticated route needs config.rateLimit`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.securedRoutes.push({ method, url: route.url, scopes, rateLimit: category });
    }
    const conversionToken = route.config?.conversionToken === true;
    const security: Record<string, string[]>[] = [{ pinterest_oauth2: [...scopes] }];
    if (conversionToken) security.push({ conversion_token: [] });
    route.schema = { ...route.schema, security } as typeof route.schema;
    const admit = (request: FastifyRequest, reply: FastifyReply, principal: Principal | null | undefined) => {
      if (!principal)
        throw new Unauthenticated('Authentication failed: the access token is invalid, expired or revoked.');
      const conversion = principal.scopes.has(CONVERSION_SCOPE);
      if (conversion && !conversionToken)
        throw new Forbidden('Not authorized: a conversion token only sends conversion events.');
      const missing = conversion ? [] : scopes.filter((s) => !principal.scopes.has(s));
      if (missing.length > 0) {
        throw new Forbidden(
          `Not authorized: this operation needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
        );
      }
      request.principal = principal;
      return rateLimit ? rateLimit(principal, category).then((limited) => limit(reply, limited)) : undefined;
    };
    // Callback style, so a token whose principal this node holds costs no promise: the hot read paths.
    const check = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      try {
        const token = bearer(request);
        if (!token)
          throw new Unauthenticated('Authentication failed: send an OAuth access token as a Bearer token.');
        const held = authenticate.held?.(token);
        const pending =
          held === undefined
            ? authenticate(token).then((principal) => admit(request, reply, principal))
            : admit(request, reply, held);
        if (pending) pending.then(() => done(), done);
        else done();
      } catch (err) {
        done(err as Error);
      }
    };
    // onRequest: a caller without the right token learns nothing about the body or the parameters.
    const existing = route.onRequest;
    route.onRequest = existing ? [check, ...(Array.isArray(existing) ? existing : [existing])] : [check];
  });
}
