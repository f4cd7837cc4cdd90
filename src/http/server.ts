import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Config } from '../platform/config.js';
import { type Logger, requestLogLevel } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { Authenticator } from '../platform/principal.js';
import { installAuth, type RateLimitCheck } from './auth.js';
import { clientErrorHandler } from './client-error.js';
import { installErrorHandling, toErrorResponse } from './error-handler.js';
import { installInputGuard } from './input-guard.js';
import { lazyChildLoggerFactory } from './lazy-logger.js';
import { healthRoutes, type ReadinessChecks } from './readiness.js';
import { DebugRequestLines } from './request-log.js';
import { installJsonBodies, validatorCompiler } from './validation.js';
import { installWrittenJson } from './written-json.js';

export interface HttpDeps extends ReadinessChecks {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Serve the OpenAPI document and docs UI (API nodes; not a worker's metrics listener). */
  docs: boolean;
  /** Resolves bearer tokens for routes that declare `config.scopes`. */
  authenticate: Authenticator;
  rateLimit?: RateLimitCheck;
}

import type { HttpServer } from './types.js';

export type { HttpServer };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Request ids made here: a random per-process prefix and a counter, unique across nodes and cheap. */
function requestIdMaker(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

/** TRUST_PROXY as Fastify takes it: a hop count trusts that many proxies nearest the server. */
function trustProxyOption(trust: Config['trustProxy']) {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}

/** Builds the Fastify instance with the plumbing every route relies on; modules add their routes after. */
export async function buildHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const { config, log, metrics } = deps;
  const newRequestId = requestIdMaker();
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    childLoggerFactory: lazyChildLoggerFactory,
    // Readable logs (a terminal in development) get their per-request lines at debug.
    ...(requestLogLevel(log) === 'debug' ? { logController: new DebugRequestLines() } : {}),
    bodyLimit: config.bodyLimitBytes,
    // Fastify would trust the header as it is; genReqId checks it first.
    requestIdHeader: false,
    // A caller's request id is kept when it is safe to log and echo; otherwise we make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId();
    },
    // request.ip is the client address the sign-in and token throttles count; see TRUST_PROXY.
    trustProxy: trustProxyOption(config.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // What the router refuses before any route runs (a malformed URL, a path parameter over the length
    // limit) gets the same {code, message} body as every other error.
    frameworkErrors: (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = toErrorResponse(err);
      reply.status(status).send(body);
    },
    // What Node's HTTP parser refuses (a NUL in a header) gets that body too.
    clientErrorHandler,
    ajv: {
      customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  installJsonBodies(app);
  installErrorHandling(app);
  installAuth(app, deps.authenticate, deps.rateLimit);
  installInputGuard(app);
  installWrittenJson(app, config.checkWrittenJson);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });

  // Callback-style hooks: on the hot path of every request, they cost less than async ones.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.http.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  if (deps.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Corkboard API',
          version: '5.23.0-corkboard',
          description:
            'Pinterest REST API v5 compatible backend for visual discovery, with documented extensions.',
        },
        servers: [{ url: config.publicUrl }],
        components: {
          securitySchemes: {
            pinterest_oauth2: {
              type: 'oauth2',
              flows: {
                authorizationCode: {
                  authorizationUrl: `${config.publicUrl}/oauth/`,
                  tokenUrl: `${config.publicUrl}/v5/oauth/token`,
                  scopes: {},
                },
              },
            },
            conversion_token: {
              type: 'http',
              scheme: 'bearer',
              description:
                'A conversion token (POST /v5/oauth/conversion_token): sends conversion events only.',
            },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/v5/openapi.json' } });
    app.get('/v5/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  healthRoutes(app, deps);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return app;
}
