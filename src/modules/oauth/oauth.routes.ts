import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { HttpServer } from '../../http/server.js';
import { Invalid, Unauthenticated } from '../../platform/errors.js';
import type { OAuthApp, OAuthService } from './oauth.service.js';
import { parseScopes } from './scopes.js';

const TokenRequest = Type.Object({
  grant_type: Type.Union([
    Type.Literal('authorization_code'),
    Type.Literal('refresh_token'),
    Type.Literal('client_credentials'),
  ]),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  redirect_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  // Pinterest's continuous refresh: with true, a refresh grant also answers a new refresh token and the
  // old one stops working (rotation); without it the same refresh token stays valid.
  // Form bodies are text and are not coerced: "true"/"false" as sent, or a JSON boolean.
  refresh_on: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')])),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.String(),
  expires_in: Type.Integer(),
  scope: Type.String(),
  response_type: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  refresh_token_expires_in: Type.Optional(Type.Integer()),
  refresh_token_expires_at: Type.Optional(Type.Integer()),
});

const RevokeRequest = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 512 }),
  token_type_hint: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('refresh_token')])),
});

/** HTTP Basic `app_id:app_secret`, as the token endpoints require. */
async function client(request: FastifyRequest, oauth: OAuthService): Promise<OAuthApp> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match)
    throw new Unauthenticated('Authentication failed: send HTTP Basic credentials app_id:app_secret.');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new Unauthenticated('Authentication failed: malformed Basic credentials.');
  return oauth.authenticateClient(decoded.slice(0, colon), decoded.slice(colon + 1), request.ip);
}

function scopesOf(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const scopes = parseScopes(raw);
  if (!scopes) throw new Invalid('scope lists an unknown scope or none.');
  return scopes;
}

export function oauthRoutes(app: HttpServer, oauth: OAuthService): void {
  app.post(
    '/v5/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Generate OAuth access token',
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenRequest,
        response: { 200: TokenResponse },
      },
    },
    async (request) => {
      const app = await client(request, oauth);
      const body = request.body;
      switch (body.grant_type) {
        case 'authorization_code':
          if (!body.code || !body.redirect_uri)
            throw new Invalid('authorization_code needs code and redirect_uri.');
          return oauth.exchangeCode(app, body.code, body.redirect_uri);
        case 'refresh_token':
          if (!body.refresh_token) throw new Invalid('refresh_token grant needs refresh_token.');
          return oauth.refresh(
            app,
            body.refresh_token,
            scopesOf(body.scope),
            String(body.refresh_on) === 'true',
          );
        case 'client_credentials': {
          const scopes = scopesOf(body.scope);
          if (!scopes) throw new Invalid('client_credentials needs scope.');
          return oauth.clientCredentials(app, scopes);
        }
      }
    },
  );

  app.post(
    '/v5/oauth/token/revoke',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Revoke a token',
        consumes: ['application/x-www-form-urlencoded'],
        body: RevokeRequest,
      },
    },
    async (request, reply) => {
      const app = await client(request, oauth);
      await oauth.revoke(app, request.body.token);
      return reply.status(200).send();
    },
  );
}
