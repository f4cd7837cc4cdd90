import { pino } from 'pino';
import { Type } from 'typebox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { Page, PageQuery } from '../../src/http/pagination.js';
import type { AppModule } from '../../src/modules/module.js';
import { NotFound, RateLimited } from '../../src/platform/errors.js';
import { startTestApp } from '../helpers/app.js';

const ITEMS = Array.from({ length: 60 }, (_, i) => ({ id: String(1000 + i), name: `item ${i}` }));
const Item = Type.Object({ id: Type.String(), name: Type.String() });

/** Routes shaped like the product's, to exercise the shared plumbing. */
const probe: AppModule = {
  name: 'probe',
  routes(app, deps) {
    app.post(
      '/v5/probe/items',
      {
        schema: {
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 50 }),
            count: Type.Integer({ minimum: 0 }),
          }),
          response: { 201: Type.Object({ id: Type.String(), name: Type.String(), count: Type.Integer() }) },
        },
      },
      async (request, reply) => {
        const id = await deps.ids.next('pin');
        return reply.status(201).send({ id, ...request.body });
      },
    );
    app.get(
      '/v5/probe/items',
      { schema: { querystring: PageQuery, response: { 200: Page(Item) } } },
      async (request) => {
        const size = request.query.page_size ?? 25;
        const after = request.query.bookmark
          ? Number(deps.bookmarks.decode('probe', request.query.bookmark)[0])
          : -1;
        const rows = ITEMS.filter((_, i) => i > after).slice(0, size + 1);
        return deps.bookmarks.page('probe', rows, size, (last) => [ITEMS.indexOf(last)]);
      },
    );
    app.get('/v5/probe/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    app.get('/v5/probe/boom', async () => {
      throw new Error('connection to db at 10.0.0.5 failed: password=hunter2');
    });
    app.get('/v5/probe/missing', async () => {
      throw new NotFound('Pin not found.', 50);
    });
    app.get('/v5/probe/limited', async () => {
      throw new RateLimited('This request exceeded a rate limit.', 12.2);
    });
  },
};

let app: App;
beforeAll(async () => {
  app = await startTestApp({ modules: [probe], env: { BODY_LIMIT_BYTES: '2048' } });
});

function expectErrorBody(body: string, code?: number) {
  const parsed = JSON.parse(body);
  expect(Object.keys(parsed).sort()).toEqual(['code', 'message']);
  expect(Number.isInteger(parsed.code)).toBe(true);
  expect(typeof parsed.message).toBe('string');
  expect(parsed.message.length).toBeGreaterThan(0);
  if (code !== undefined) expect(parsed.code).toBe(code);
  return parsed as { code: number; message: string };
}

describe('bad input is a 4xx with {code, message}', () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    [
      'malformed JSON',
      { method: 'POST', url: '/v5/probe/items', headers: json, payload: '{"name": "x",' },
      400,
      1,
    ],
    ['empty JSON body', { method: 'POST', url: '/v5/probe/items', headers: json, payload: '' }, 400, 1],
    ['wrong type', { method: 'POST', url: '/v5/probe/items', payload: { name: 'x', count: 'many' } }, 400, 1],
    ['missing field', { method: 'POST', url: '/v5/probe/items', payload: { name: 'x' } }, 400, 1],
    [
      'too long',
      { method: 'POST', url: '/v5/probe/items', payload: { name: 'x'.repeat(51), count: 1 } },
      400,
      1,
    ],
    ['array for object', { method: 'POST', url: '/v5/probe/items', payload: [1, 2] }, 400, 1],
    [
      'body over the limit',
      { method: 'POST', url: '/v5/probe/items', payload: { name: 'x', count: 1, pad: 'y'.repeat(5000) } },
      413,
      413,
    ],
    [
      'unsupported content type',
      {
        method: 'POST',
        url: '/v5/probe/items',
        headers: { 'content-type': 'application/xml' },
        payload: '<a/>',
      },
      415,
      415,
    ],
    ['unknown route', { method: 'GET', url: '/v5/nothing/here' }, 404, 404],
    ['unknown method on a route', { method: 'DELETE', url: '/v5/probe/items' }, 404, 404],
    ['garbage bookmark', { method: 'GET', url: '/v5/probe/items?bookmark=garbage' }, 400, 1],
    ['page_size 0', { method: 'GET', url: '/v5/probe/items?page_size=0' }, 400, 1],
    ['page_size 251', { method: 'GET', url: '/v5/probe/items?page_size=251' }, 400, 1],
    ['page_size not a number', { method: 'GET', url: '/v5/probe/items?page_size=3e' }, 400, 1],
    ['domain NotFound', { method: 'GET', url: '/v5/probe/missing' }, 404, 50],
    // Raised by the router itself, before any route runs.
    [
      'path parameter over the length limit',
      { method: 'GET', url: `/v5/probe/items/${'1'.repeat(200)}` },
      414,
      414,
    ],
    ['malformed percent-encoding in the path', { method: 'GET', url: '/v5/probe/items/%E0%A4%A' }, 400, 1],
  ] as const)('%s', async (_name, request, status, code) => {
    const res = await app.http.inject(request as never);
    expect(res.statusCode).toBe(status);
    expectErrorBody(res.body, code);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('a tampered bookmark is a 400, not a 500', async () => {
    const first = await app.http.inject({ method: 'GET', url: '/v5/probe/items?page_size=5' });
    const bookmark = JSON.parse(first.body).bookmark as string;
    const [body, mac] = bookmark.split('.');
    const tampered = `${Buffer.from('[40]').toString('base64url')}.${mac}`;
    for (const b of [tampered, `${body}.${mac?.slice(1)}`, `${body}`, 'x'.repeat(2049)]) {
      const res = await app.http.inject({
        method: 'GET',
        url: `/v5/probe/items?bookmark=${encodeURIComponent(b)}`,
      });
      expect(res.statusCode).toBe(400);
      expectErrorBody(res.body, 1);
    }
  });

  it('rate limiting answers 429 with Retry-After', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/v5/probe/limited' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('13');
    expectErrorBody(res.body, 8);
  });

  it('a server fault is a 500 that hides its internals', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/v5/probe/boom' });
    expect(res.statusCode).toBe(500);
    const body = expectErrorBody(res.body, 500);
    expect(body.message).not.toMatch(/hunter2|10\.0\.0\.5|password/);
  });
});

describe('bookmark pagination', () => {
  it('walks every item once with the default and a custom page size', async () => {
    for (const size of [undefined, 7, 250]) {
      const seen: string[] = [];
      let bookmark: string | null = null;
      let pages = 0;
      do {
        const qs = new URLSearchParams();
        if (size) qs.set('page_size', String(size));
        if (bookmark) qs.set('bookmark', bookmark);
        const res = await app.http.inject({ method: 'GET', url: `/v5/probe/items?${qs}` });
        expect(res.statusCode).toBe(200);
        const page = JSON.parse(res.body) as { items: { id: string }[]; bookmark: string | null };
        expect(page.items.length).toBeLessThanOrEqual(size ?? 25);
        seen.push(...page.items.map((i) => i.id));
        bookmark = page.bookmark;
        pages++;
      } while (bookmark);
      expect(seen).toEqual(ITEMS.map((i) => i.id));
      expect(pages).toBe(Math.ceil(60 / (size ?? 25)));
    }
  });
});

describe('request ids, docs, health and metrics', () => {
  it('echoes a safe caller request id and makes one otherwise', async () => {
    const given = await app.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const unsafe = await app.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'has spaces <and> "quotes"' },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    const none = await app.http.inject({ method: 'GET', url: '/nowhere' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
  });

  it('serves an OpenAPI 3 document generated from the route schemas, and the docs page', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/v5/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toMatch(/^3\./);
    const post = doc.paths['/v5/probe/items'].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['name', 'count']);
    const params = doc.paths['/v5/probe/items'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['bookmark', 'page_size']));
    const docs = await app.http.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('reports liveness and readiness of its dependencies', async () => {
    expect((await app.http.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.http.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const checks = ready.json().checks;
    expect(checks.database).toBe('ok');
    if (app.config.redisUrl) expect(checks.redis).toBe('ok');
  });

  it('exposes request, job and pool metrics in Prometheus format', async () => {
    await app.http.inject({ method: 'GET', url: '/v5/probe/missing' });
    const res = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(
      /corkboard_http_requests_total\{method="GET",route="\/v5\/probe\/missing",status="404"\} [1-9]/,
    );
    expect(res.body).toMatch(
      /corkboard_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v5\/probe\/missing"/,
    );
    expect(res.body).toMatch(/corkboard_db_pool_connections\{state="total"\} \d+/);
    expect(res.body).toMatch(/corkboard_job_lag_seconds\{consumer="outbox"\} \d/);
  });
});

describe('readiness when a dependency is down', () => {
  it('answers 503 naming the failed check', async () => {
    const down = await startTestApp({ modules: [] });
    await down.database.close();
    const res = await down.http.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).not.toBe('ok');
  });
});

describe('request logs', () => {
  it('carry the request id on every line of the request, and no secrets', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const logged = await startTestApp({ modules: [probe], log });
    const res = await logged.http.inject({
      method: 'GET',
      url: '/v5/probe/missing',
      headers: { 'x-request-id': 'trace-me-1', authorization: 'Bearer sekrit-token' },
    });
    expect(res.headers['x-request-id']).toBe('trace-me-1');
    const mine = lines.filter((l) => l.reqId === 'trace-me-1');
    expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request rejected', 'request completed']);
    expect(JSON.stringify(lines)).not.toContain('sekrit-token');
    const quiet = await startTestApp({ modules: [probe], log: pino({ level: 'warn' }, { write: () => {} }) });
    expect((await quiet.http.inject({ method: 'GET', url: '/v5/probe/boom' })).statusCode).toBe(500);
  });
});
