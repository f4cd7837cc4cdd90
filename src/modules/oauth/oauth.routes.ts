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
  // Extension (RFC 7636, PKCE): the verifier of the code_challenge the code was issued with. A public
  // client (no secret) names itself with client_id instead of HTTP Basic and must send a verifier.
  code_verifier: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        'Extension (PKCE, RFC 7636): the verifier whose S256 code_challenge the code was issued with; required then.',
    }),
  ),
  client_id: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'Extension: a public client (no secret) names itself here instead of HTTP Basic.',
    }),
  ),
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
  // Extension: a public client names itself with client_id (RFC 7009 §2.1), having no secret.
  client_id: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'Extension: a public client (no secret) names itself here instead of HTTP Basic.',
    }),
  ),
});

/**
 * HTTP Basic `app_id:app_secret`, as the token endpoints require; or, with no Authorization header, a
 * public client named by `client_id` in the body (it has no secret to send).
 */
async function client(
  request: FastifyRequest,
  oauth: OAuthService,
  clientId: string | undefined,
): Promise<OAuthApp> {
  const header = request.headers.authorization;
  if (header === undefined && clientId !== undefined) return oauth.publicClient(clientId);
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
      const body = request.body;
      const app = await client(request, oauth, body.client_id);
      // A public client's tokens come only from a code and its verifier: it cannot keep a refresh token
      // secret, nor hold client credentials.
      if (app.public && body.grant_type !== 'authorization_code')
        throw new Invalid(
          `A public client may use only the authorization_code grant, not ${body.grant_type}.`,
        );
      switch (body.grant_type) {
        case 'authorization_code':
          if (!body.code || !body.redirect_uri)
            throw new Invalid('authorization_code needs code and redirect_uri.');
          return oauth.exchangeCode(app, body.code, {
            redirectUri: body.redirect_uri,
            codeVerifier: body.code_verifier,
          });
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
      const app = await client(request, oauth, request.body.client_id);
      await oauth.revoke(app, request.body.token);
      return reply.status(200).send();
    },
  );
}
