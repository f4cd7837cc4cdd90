import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isDataException } from '../platform/db/errors.js';
import {
  Conflict,
  DomainError,
  Forbidden,
  Invalid,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  Unauthenticated,
  Unavailable,
} from '../platform/errors.js';
import { isRedisUnavailable } from '../platform/redis.js';
import type { HttpServer } from './types.js';

/** The one table from domain error to HTTP status. */
const STATUS = new Map<abstract new (...args: never[]) => DomainError, number>([
  [Invalid, 400],
  [Unauthenticated, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
  [PayloadTooLarge, 413],
  [RateLimited, 429],
  [Unavailable, 503],
]);

export interface ErrorBody {
  code: number;
  message: string;
}

function statusOf(err: DomainError): number {
  for (const [type, status] of STATUS) if (err instanceof type) return status;
  return 500;
}

/** Fastify's own client-error codes, with the Pinterest-style code and message we answer. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: number; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 1, message: 'Request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 1,
    message: 'Request body is empty but declared as JSON.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 413, message: 'Request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 415, message: 'Unsupported content type.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 1,
    message: 'Content-Length does not match the body.',
  },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 1 },
  FST_ERR_CTP_INVALID_HEADER: { status: 400, code: 1 },
  FST_ERR_BAD_URL: { status: 400, code: 1, message: 'Malformed URL.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 414, message: 'A path parameter is too long.' },
};

/** Turns any thrown value into status + `{code, message}`; 5xx never carry internals. */
export function toErrorResponse(err: unknown): {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
} {
  if (err instanceof DomainError) {
    const status = statusOf(err);
    const headers: Record<string, string> = {};
    if (err instanceof RateLimited)
      headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
    return status >= 500 && !(err instanceof Unavailable)
      ? { status: 500, body: { code: 500, message: 'Internal server error.' } }
      : { status, body: { code: err.code, message: err.message }, headers };
  }
  if (isDatabaseUnavailable(err) || isRedisUnavailable(err)) {
    // PostgreSQL or Redis went away under the request (a restart, a failover, a dropped connection);
    // the connection is replaced, so the same request succeeds once the server is back.
    return {
      status: 503,
      body: { code: 503, message: 'The service is temporarily unavailable; try again shortly.' },
      headers: { 'retry-after': '1' },
    };
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (fe.validation) {
    return {
      status: 400,
      body: { code: 1, message: `Invalid request: ${fe.message ?? 'schema violation'}` },
    };
  }
  // Defence in depth: a value the database refuses is the client's, even where validation missed it.
  if (isDataException(err)) {
    return {
      status: 400,
      body: { code: 1, message: 'Invalid request: a value cannot be stored or is out of range.' },
    };
  }
  const known = fe.code ? FASTIFY_CLIENT_ERRORS[fe.code] : undefined;
  if (known) {
    return {
      status: known.status,
      body: { code: known.code, message: known.message ?? fe.message ?? 'Bad request.' },
    };
  }
  // Any other client error Fastify or a plugin raised keeps its 4xx status; the message is theirs.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { code: fe.statusCode, message: fe.message ?? 'Bad request.' } };
  }
  return { status: 500, body: { code: 500, message: 'Internal server error.' } };
}

/** Installs the error and not-found handlers on a Fastify instance. */
export function installErrorHandling(app: HttpServer): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status === 503) request.log.warn({ err }, 'request failed: a dependency is unavailable');
    else if (status >= 500) request.log.error({ err }, 'request failed');
    // Still a bug to fix: the route's validation should have refused the value first.
    else if (isDataException(err))
      request.log.error({ err }, 'database refused a value validation let through');
    else request.log.info({ status, code: body.code, reason: body.message }, 'request rejected');
    if (headers) reply.headers(headers);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    return reply
      .status(404)
      .send({ code: 404, message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });
}
