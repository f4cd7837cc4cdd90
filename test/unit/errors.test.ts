import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../src/http/error-handler.js';
import {
  Conflict,
  Forbidden,
  Invalid,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  Unauthenticated,
  Unavailable,
} from '../../src/platform/errors.js';

describe('domain errors to HTTP', () => {
  it.each([
    [new Invalid('bad'), 400, 1],
    [new Invalid('bad pin id', 50), 400, 50],
    [new Unauthenticated('no token'), 401, 2],
    [new Forbidden('missing scope pins:read'), 403, 3],
    [new NotFound('Pin not found.', 50), 404, 50],
    [new NotFound('nothing'), 404, 404],
    [new Conflict('exists'), 409, 409],
    [new PayloadTooLarge('too big'), 413, 413],
    [new RateLimited('slow down', 3), 429, 8],
    [new Unavailable('shutting down'), 503, 503],
  ])('%s', (err, status, code) => {
    const res = toErrorResponse(err);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ code, message: err.message });
    expect(err.name).toBe(err.constructor.name);
  });

  it('hides anything that is not a domain or client error behind a 500', () => {
    const res = toErrorResponse(new TypeError('cannot read x of undefined at /srv/app.js'));
    expect(res).toEqual({ status: 500, body: { code: 500, message: 'Internal server error.' } });
    expect(toErrorResponse('a string').status).toBe(500);
  });
});
