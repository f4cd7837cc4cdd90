import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';
import { adsAnalyticsWriteFixtures } from './ads-analytics-write-fixtures.js';
import { adsAudienceWriteFixtures } from './ads-audience-write-fixtures.js';
import { adsWriteFixtures } from './ads-write-fixtures.js';
import { experimentsWriteFixtures, WALK_OPERATOR } from './experiments-write-fixtures.js';
import { type Call, type Res, type World, writeFixtures } from './write-fixtures.js';

/**
 * Every write operation of the server's own OpenAPI document, called with a valid body plus fields it
 * does not document (ids, owners, timestamps, unknown keys, at every depth): what is stored must be what
 * the documented fields say and nothing else, and no answer may be a 5xx. The operations come from the
 * document, so a new write route without a fixture here fails this file.
 */

const FAKE_ID = '4242424242';
const FUTURE = '2099-01-01T00:00:00.000Z';
const UNKNOWN = 'zz-unknown-value';

// A website the caller may claim (POST /v5/user_account/websites fetches it): it answers what `pages` holds.
const pages = new Map<string, string>();
const site = createServer((req, res) => {
  const body = pages.get(req.url ?? '');
  if (body === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': 'text/html' }).end(body);
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));
const siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;

// Built while the file is collected, so that each operation the document lists is a test of its own.
const app: App = await startTestApp({
  env: { FETCH_ALLOW_HOSTS: siteHost, EXPERIMENT_ADMINS: WALK_OPERATOR },
});
const world: World = {
  app,
  owner: await makeUser(app),
  bystander: await makeUser(app),
  target: await makeUser(app),
  site: { host: siteHost, pages },
};
const fixtures = {
  ...writeFixtures(world),
  ...adsWriteFixtures(world),
  ...adsAnalyticsWriteFixtures(world),
  ...adsAudienceWriteFixtures(world),
  ...experimentsWriteFixtures(world),
};
const operations: { key: string; consumes: string[] }[] = [];
const doc = (await app.http.inject({ method: 'GET', url: '/v5/openapi.json' })).json();
for (const [path, item] of Object.entries<Record<string, { requestBody?: { content: object } }>>(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (['post', 'patch', 'put'].includes(method) && op.requestBody) {
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        consumes: Object.keys(op.requestBody.content),
      });
    }
  }
}

/** The fields a client might post back from an object it read, or make up. */
function extras(): Record<string, unknown> {
  const { bystander } = world;
  return {
    id: FAKE_ID,
    owner_id: bystander.id,
    user_id: bystander.id,
    owner: { username: bystander.username },
    created_at: FUTURE,
    updated_at: FUTURE,
    zz_unknown_field: UNKNOWN,
  };
}

/** `body` with the extras added to every object in it, nested ones too (a form body is flat). */
function withExtras(body: unknown, more: Record<string, unknown>, flat: boolean): unknown {
  // A bulk body (an array of items) gets the resource's read-only fields in each item.
  if (Array.isArray(body)) return body.map((v) => withExtras(v, more, flat));
  if (typeof body !== 'object' || body === null) return body;
  const inner = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, withExtras(v, {}, flat)]));
  const added = { ...extras(), ...more };
  const out = { ...added, ...inner };
  if (!flat) return out;
  return Object.fromEntries(
    Object.entries(out)
      .filter(([, v]) => typeof v !== 'object' || v === null)
      .map(([k, v]) => [k, String(v)]),
  );
}

async function send(method: string, call: Call, body: unknown): Promise<Res> {
  const headers: Record<string, string> = { ...(await world.owner.auth()), ...call.headers };
  if (call.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  return app.http.inject({
    method: method as 'POST',
    url: call.url,
    headers,
    payload: call.form ? new URLSearchParams(body as Record<string, string>).toString() : (body as object),
  });
}

/** The keys whose values differ between two states (compared as JSON). */
function changed(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

describe('mass assignment through request bodies, every write operation of the document', () => {
  it('knows every write operation the document lists, and nothing else', () => {
    const known = Object.keys(fixtures).sort();
    const listed = operations.map((o) => o.key).sort();
    expect(
      listed.filter((k) => !known.includes(k)),
      'write operations without a fixture',
    ).toEqual([]);
    expect(
      known.filter((k) => !listed.includes(k)),
      'fixtures of operations not in the document',
    ).toEqual([]);
    expect(listed.length).toBeGreaterThanOrEqual(12);
  });

  it.each(operations.map((o) => o.key))(
    '%s stores only the documented fields of a body with ids, owners, timestamps and unknown keys',
    async (key) => {
      const prepare = fixtures[key];
      if (!prepare) throw new Error(`${key} has no fixture: add one to test/http/write-fixtures.ts`);
      const call = await prepare();
      const before = call.writable ? await call.state() : undefined;
      const res = await send(
        key.split(' ')[0]!,
        call,
        withExtras(call.body, call.readOnly ?? {}, !!call.form),
      );
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
      const after = await call.state(res);
      expect(after).toMatchObject(call.expected);
      const stored = JSON.stringify(after);
      for (const injected of [
        FAKE_ID,
        FUTURE.slice(0, 4),
        UNKNOWN,
        world.bystander.id,
        world.bystander.username,
      ]) {
        expect(stored, 'stored a value only the extras carried').not.toContain(injected);
      }
      if (before && call.writable) {
        expect(changed(before, after).filter((k) => !call.writable!.includes(k))).toEqual([]);
      }
    },
  );

  it('answers 415 {code, message}, never a 5xx, to a JSON operation sent a form, text or an untyped body', async () => {
    const headers = await world.owner.auth();
    const json = operations.filter((o) => o.consumes.length === 1 && o.consumes[0] === 'application/json');
    expect(json.length).toBeGreaterThanOrEqual(10);
    for (const { key } of json) {
      const [method, path] = key.split(' ') as [string, string];
      const url = path.replace(/\{[^}]+\}/g, '1');
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', 'name=x&owner_id=1&id=2'],
        ['text/plain', '{"name":"x"}'],
        ['application/xml', '<name>x</name>'],
        [undefined, '{"name":"x"}'],
      ] as const) {
        const res = await app.http.inject({
          method: method as 'POST',
          url,
          headers: type ? { ...headers, 'content-type': type } : headers,
          payload,
        });
        expect(res.statusCode, `${key} as ${type}: ${res.body}`).toBe(415);
        expect(res.json(), key).toEqual({ code: 415, message: expect.any(String) });
      }
    }
  });
});

describe('the three findings', () => {
  let owner: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    owner = await makeUser(app);
    other = await makeUser(app);
  });
  const call = async (user: TestUser, method: string, url: string, payload?: object) =>
    app.http.inject({ method: method as 'GET', url, headers: await user.auth(), payload });

  it('owner_id in a board PATCH does not give the board to someone else', async () => {
    const board = await makeBoard(app, owner);
    const res = await call(owner, 'PATCH', `/v5/boards/${board.id}`, { name: 'Mine', owner_id: other.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().owner.username).toBe(owner.username);
    const theirs = (await call(other, 'GET', '/v5/boards')).json().items.map((b: { id: string }) => b.id);
    expect(theirs).not.toContain(board.id);
    const mine = (await call(owner, 'GET', '/v5/boards')).json().items.map((b: { id: string }) => b.id);
    expect(mine).toContain(board.id);
    expect((await call(owner, 'GET', `/v5/boards/${board.id}`)).json().name).toBe('Mine');
  });

  it('created_at in a pin PATCH leaves the pin created when it was', async () => {
    const board = await makeBoard(app, owner);
    const pin = await makePin(app, owner, board.id);
    const created = (await call(owner, 'GET', `/v5/pins/${pin}`)).json().created_at;
    const res = await call(owner, 'PATCH', `/v5/pins/${pin}`, { title: 'Later', created_at: FUTURE });
    expect(res.statusCode, res.body).toBe(200);
    const got = (await call(owner, 'GET', `/v5/pins/${pin}`)).json();
    expect(got).toMatchObject({ title: 'Later', created_at: created });
  });

  it('id in a board PATCH changes no id, and boards are still created afterwards', async () => {
    const board = await makeBoard(app, owner);
    const pin = await makePin(app, owner, board.id);
    const res = await call(owner, 'PATCH', `/v5/boards/${board.id}`, { description: 'x', id: FAKE_ID });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: board.id, description: 'x', pin_count: 1 });
    expect((await call(owner, 'GET', `/v5/boards/${FAKE_ID}`)).statusCode).toBe(404);
    expect((await call(owner, 'GET', `/v5/pins/${pin}`)).json().board_id).toBe(board.id);
    const next = await call(owner, 'POST', '/v5/boards', { name: 'Next one' });
    expect(next.statusCode, next.body).toBe(201);
    expect(next.json().id).not.toBe(FAKE_ID);
  });

  it('strips a body union by its tag: a video_id source keeps its fields and gets its own answer', async () => {
    const board = await makeBoard(app, owner);
    // `pin_url` is the loosest branch; tried first, it would strip the video fields before their branch ran.
    const res = await call(owner, 'POST', '/v5/pins', {
      board_id: board.id,
      media_source: {
        source_type: 'video_id',
        media_id: '123',
        cover_image_url: 'https://example.org/c.jpg',
        id: '1',
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(/Video Pins are not supported/);
  });
});

describe('services write the documented fields only, whatever object they are handed', () => {
  // The schema strips extras before a handler runs; the services must not rely on it (a route with a
  // looser schema, or another module calling them, would pass an object through).
  it('boards.update and pins.update ignore ids, owners and timestamps in their input', async () => {
    const { owner, bystander } = world;
    const viewer = { userId: owner.id, appId: '1', scopes: new Set(FULL) };
    const board = await makeBoard(app, owner);
    const pin = await makePin(app, owner, board.id);
    const db = app.deps.db;
    const boardBefore = await db
      .selectFrom('boards')
      .selectAll()
      .where('id', '=', board.id)
      .executeTakeFirstOrThrow();
    const pinBefore = await db.selectFrom('pins').selectAll().where('id', '=', pin).executeTakeFirstOrThrow();
    const extra = {
      owner_id: bystander.id,
      created_at: new Date(FUTURE),
      is_ads_only: true,
      media_type: 'video',
    };

    await app.product.boards.update(viewer, board.id, { name: 'Service', ...extra } as never);
    await app.product.pins.update(viewer, pin, { title: 'Service', ...extra } as never);

    const boardAfter = await db
      .selectFrom('boards')
      .selectAll()
      .where('id', '=', board.id)
      .executeTakeFirstOrThrow();
    const pinAfter = await db.selectFrom('pins').selectAll().where('id', '=', pin).executeTakeFirstOrThrow();
    expect(boardAfter).toEqual({ ...boardBefore, name: 'Service', search: expect.anything() });
    expect(pinAfter).toEqual({ ...pinBefore, title: 'Service', search: expect.anything() });
  });
});
