import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { HttpServer } from '../../http/server.js';
import { Conflict, Invalid, RateLimited, Unauthenticated } from '../../platform/errors.js';
import type { AccountsService } from '../accounts/index.js';
import { formToken, formTokenMatches, sameSecret } from './consent.csrf.js';
import { consentPage, errorPage, signInPage, tooManyAttemptsPage } from './consent.pages.js';
import { safeNext } from './next.js';
import type { OAuthApp, OAuthService } from './oauth.service.js';
import { isCodeChallenge, PKCE_METHOD } from './pkce.js';
import { parseScopes } from './scopes.js';
import type { Sessions } from './sessions.js';

const COOKIE = 'cb_session';

// `consumer_id` is the name Pinterest's own consent URL and its quickstart use for `client_id`; both are
// read, and a request naming two different apps is refused.
const AuthorizeQuery = Type.Object({
  client_id: Type.Optional(Type.String({ maxLength: 64 })),
  consumer_id: Type.Optional(Type.String({ maxLength: 64 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  response_type: Type.Optional(Type.String({ maxLength: 64 })),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  state: Type.Optional(Type.String({ maxLength: 1024 })),
  // Extension (RFC 7636): PKCE, S256 only.
  code_challenge: Type.Optional(Type.String({ maxLength: 128 })),
  code_challenge_method: Type.Optional(Type.String({ maxLength: 16 })),
  // Extension: `prompt=create` opens the sign-up form first (as in OpenID Connect's prompt=create).
  prompt: Type.Optional(Type.String({ maxLength: 32 })),
});

const Next = Type.String({ maxLength: 4096 });
const Csrf = Type.String({ maxLength: 100 });

type Validated = {
  app: OAuthApp;
  redirectUri: string;
  scopes: string[];
  state: string;
  codeChallenge: string | null;
};

type AuthorizeParams = {
  client_id?: string;
  consumer_id?: string;
  redirect_uri?: string;
  response_type?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
};

/** The app a request names, by `client_id` or its alias `consumer_id`; null when they name different apps. */
function requestedClientId(q: { client_id?: string; consumer_id?: string }): string | undefined | null {
  const { client_id: clientId, consumer_id: consumerId } = q;
  if (clientId && consumerId && clientId !== consumerId) return null;
  return clientId || consumerId || undefined;
}

/** Sends the user back to the app with an RFC 6749 error. */
function redirectError(reply: FastifyReply, redirectUri: string, error: string, state: string | undefined) {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  if (state) url.searchParams.set('state', state);
  return reply.redirect(url.toString(), 303);
}

export function consentRoutes(
  app: HttpServer,
  deps: { oauth: OAuthService; accounts: AccountsService; sessions: Sessions; secureCookies: boolean },
): void {
  const { oauth, accounts, sessions } = deps;
  const cookieOptions = {
    path: '/oauth',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
  };

  /** Checks the app and redirect URI (errors shown here, never redirected), then the rest (redirected). */
  async function validate(q: AuthorizeParams, reply: FastifyReply): Promise<Validated | undefined> {
    const clientId = requestedClientId(q);
    if (clientId === null) {
      reply
        .status(400)
        .type('text/html')
        .send(errorPage('client_id and consumer_id name different apps: give one of them.'));
      return undefined;
    }
    const client = clientId ? await oauth.app(clientId) : undefined;
    if (!client) {
      reply
        .status(400)
        .type('text/html')
        .send(errorPage('Unknown client_id: no app is registered with that id.'));
      return undefined;
    }
    if (!q.redirect_uri || !client.redirect_uris.includes(q.redirect_uri)) {
      reply
        .status(400)
        .type('text/html')
        .send(errorPage('redirect_uri does not exactly match any redirect URI registered for this app.'));
      return undefined;
    }
    if (q.response_type !== 'code') {
      redirectError(reply, q.redirect_uri, 'unsupported_response_type', q.state);
      return undefined;
    }
    const scopes = parseScopes(q.scope ?? '');
    if (!scopes) {
      redirectError(reply, q.redirect_uri, 'invalid_scope', q.state);
      return undefined;
    }
    // PKCE (RFC 7636 §4.4.1): a missing method means plain, which is refused like any method but S256;
    // a public client must use it, having no secret to bind its code to.
    const challenge = q.code_challenge || null;
    const pkceOk =
      challenge === null
        ? !client.public && !q.code_challenge_method
        : q.code_challenge_method === PKCE_METHOD && isCodeChallenge(challenge);
    if (!pkceOk) {
      redirectError(reply, q.redirect_uri, 'invalid_request', q.state);
      return undefined;
    }
    return {
      app: client,
      redirectUri: q.redirect_uri,
      scopes,
      state: q.state ?? '',
      codeChallenge: challenge,
    };
  }

  const session = (request: FastifyRequest) => sessions.get(request.cookies[COOKIE]);

  /** A POST whose CSRF token is wrong or missing: refused, nothing changed. */
  const forged = (reply: FastifyReply) =>
    reply
      .status(403)
      .type('text/html')
      .send(
        errorPage(
          'This form expired or did not come from this site. Go back, reload the page and try again.',
        ),
      );

  app.get('/oauth/', { schema: { hide: true, querystring: AuthorizeQuery } }, async (request, reply) => {
    const v = await validate(request.query, reply);
    if (!v) return reply;
    const s = await session(request);
    const user = s && (await accounts.byId(s.userId));
    reply.type('text/html').header('cache-control', 'no-store').header('x-frame-options', 'DENY');
    if (!s || !user)
      return signInPage(
        safeNext(request.url),
        v.app.name,
        formToken(request, reply, deps.secureCookies),
        undefined,
        request.query.prompt === 'create',
      );
    return consentPage(user.username, v.app.name, v.scopes, {
      client_id: v.app.id,
      redirect_uri: v.redirectUri,
      scope: v.scopes.join(','),
      state: v.state,
      csrf: s.csrf,
      ...(v.codeChallenge ? { code_challenge: v.codeChallenge, code_challenge_method: PKCE_METHOD } : {}),
    });
  });

  app.post(
    '/oauth/signin',
    {
      schema: {
        hide: true,
        body: Type.Object({
          login: Type.String({ maxLength: 320 }),
          password: Type.String({ maxLength: 256 }),
          next: Next,
          csrf: Type.Optional(Csrf),
        }),
      },
    },
    async (request, reply) => {
      const { login, password, next, csrf } = request.body;
      if (!formTokenMatches(request, csrf)) return forged(reply);
      let user: Awaited<ReturnType<AccountsService['signIn']>>;
      try {
        user = await accounts.signIn(login, password, request.ip);
      } catch (err) {
        if (!(err instanceof RateLimited)) throw err;
        request.log.warn({ ip: request.ip }, 'sign-in throttled');
        return reply
          .status(429)
          .header('retry-after', String(err.retryAfterSeconds))
          .type('text/html')
          .send(tooManyAttemptsPage(err.retryAfterSeconds));
      }
      if (!user) {
        return reply
          .status(401)
          .type('text/html')
          .send(signInPage(safeNext(next), 'the app', csrf!, 'Wrong username, email or password.'));
      }
      const { id } = await sessions.create(user.id);
      return reply.setCookie(COOKIE, id, cookieOptions).redirect(safeNext(next), 303);
    },
  );

  app.post(
    '/oauth/signup',
    {
      schema: {
        hide: true,
        body: Type.Object({
          username: Type.String({ maxLength: 64 }),
          email: Type.String({ maxLength: 320 }),
          password: Type.String({ maxLength: 256 }),
          next: Next,
          csrf: Type.Optional(Csrf),
        }),
      },
    },
    async (request, reply) => {
      const { next, csrf, ...signUp } = request.body;
      if (!formTokenMatches(request, csrf)) return forged(reply);
      try {
        const user = await accounts.signUp(signUp, request.ip);
        const { id } = await sessions.create(user.id);
        return reply.setCookie(COOKIE, id, cookieOptions).redirect(safeNext(next), 303);
      } catch (err) {
        if (err instanceof RateLimited) {
          request.log.warn({ ip: request.ip }, 'sign-up throttled');
          return reply
            .status(429)
            .header('retry-after', String(err.retryAfterSeconds))
            .type('text/html')
            .send(tooManyAttemptsPage(err.retryAfterSeconds, 'sign-up'));
        }
        if (err instanceof Invalid || err instanceof Conflict) {
          return reply
            .status(400)
            .type('text/html')
            .send(signInPage(safeNext(next), 'the app', csrf!, err.message, true));
        }
        throw err;
      }
    },
  );

  app.post(
    '/oauth/authorize',
    {
      schema: {
        hide: true,
        body: Type.Object({
          client_id: Type.Optional(Type.String({ maxLength: 64 })),
          consumer_id: Type.Optional(Type.String({ maxLength: 64 })),
          redirect_uri: Type.String({ maxLength: 2048 }),
          scope: Type.String({ maxLength: 1024 }),
          state: Type.String({ maxLength: 1024 }),
          code_challenge: Type.Optional(Type.String({ maxLength: 128 })),
          code_challenge_method: Type.Optional(Type.String({ maxLength: 16 })),
          csrf: Type.String({ maxLength: 100 }),
          decision: Type.Union([Type.Literal('approve'), Type.Literal('deny')]),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const v = await validate({ ...body, response_type: 'code' }, reply);
      if (!v) return reply;
      const s = await session(request);
      if (!s || !sameSecret(s.csrf, body.csrf)) {
        return reply
          .status(403)
          .type('text/html')
          .send(errorPage('Your session expired. Start the sign-in again from the app.'));
      }
      if (body.decision === 'deny') return redirectError(reply, v.redirectUri, 'access_denied', body.state);
      const code = await oauth.issueCode(v.app, s.userId, v.redirectUri, v.scopes, v.codeChallenge);
      const url = new URL(v.redirectUri);
      url.searchParams.set('code', code);
      if (body.state) url.searchParams.set('state', body.state);
      return reply.redirect(url.toString(), 303);
    },
  );

  // The web app's sign-out (a same-origin fetch, which carries the consent page's cookie): ends the consent
  // page's session as well as the app's token, so the next person at a shared computer must sign in again
  // rather than approve the app as the last one. The bearer header is the guard against cross-site
  // requests: a page elsewhere cannot send it without a CORS preflight, which this server never grants.
  // The session ends only when it is the token's own account's.
  app.post('/oauth/session/end', { schema: { hide: true } }, async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (\S{1,200})$/.exec(header)?.[1];
    if (!token) throw new Unauthenticated('Signing out needs the bearer token being given up.');
    const principal = await oauth.authenticate(token);
    if (!principal) throw new Unauthenticated('The token is not valid (expired or already revoked).');
    const s = await session(request);
    const ended = Boolean(s && s.userId === principal.userId);
    if (ended) await sessions.end(request.cookies[COOKIE]);
    const app = await oauth.app(principal.appId);
    if (app) await oauth.revoke(app, token);
    if (ended) reply.clearCookie(COOKIE, cookieOptions);
    return reply.status(200).send({ revoked: true, session_ended: ended });
  });

  app.post(
    '/oauth/signout',
    {
      schema: {
        hide: true,
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }), next: Type.Optional(Next) }),
      },
    },
    async (request, reply) => {
      const s = await session(request);
      if (s && !sameSecret(s.csrf, request.body.csrf)) return forged(reply);
      if (s) await sessions.end(request.cookies[COOKIE]);
      return reply
        .clearCookie(COOKIE, cookieOptions)
        .type('text/html')
        .send(errorPage('You are signed out.'));
    },
  );
}
