import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp, testConfig } from '../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';
import { servicesUrls, testMode } from '../helpers/mode.js';
import { TcpProxy, throughProxy } from '../helpers/tcp-proxy.js';

/**
 * PostgreSQL ending connections under a running app (a restart, a failover, an idle-connection killer,
 * pg_terminate_backend): the process keeps serving, requests caught on a dead connection get 503 with
 * {code, message}, later ones succeed, and every acknowledged write and its jobs survive.
 *
 * Services mode only: PGlite lives in the process and has no connection to lose.
 */
describe.runIf(testMode() === 'services')('a dropped PostgreSQL connection', () => {
  let app: App;
  let owner: TestUser;
  let png: string;
  let admin: pg.Client;

  beforeAll(async () => {
    app = await startTestApp();
    owner = await makeUser(app);
    png = (await makeImage({ width: 40, height: 30 })).toString('base64');
    admin = new pg.Client({ connectionString: servicesUrls().databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
  });

  /** Ends every session of this app (and only of it: other test files share the server). */
  async function terminateAll(which: App): Promise<number> {
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = $1 and pid <> pg_backend_pid()) t`,
      [`corkboard:${which.config.dbSchema}`],
    );
    return rows[0]!.n;
  }

  async function createPin(boardId: string, headers: { authorization: string }) {
    return app.http.inject({
      method: 'POST',
      url: '/v5/pins',
      headers,
      payload: {
        board_id: boardId,
        title: 'outage',
        media_source: { source_type: 'image_base64', content_type: 'image/png', data: png },
      },
    });
  }

  /** Pins of the app whose image job has not finished. */
  async function pendingImages(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const row = await sql<{ n: number }>`
      select count(*)::int as n from pin_images pi join images i on i.id = pi.image_id
       where pi.pin_id = any(${ids}::bigint[]) and i.status <> 'ready'`.execute(app.database.db);
    return row.rows[0]!.n;
  }

  it('replaces connections ended while idle: the next requests succeed', async () => {
    const auth = await owner.auth();
    // Fill the pool with several connections, then end them all while nothing runs.
    await Promise.all(
      Array.from({ length: 8 }, () => app.http.inject({ method: 'GET', url: '/v5/boards', headers: auth })),
    );
    expect(await terminateAll(app)).toBeGreaterThan(0);
    await sleep(200);
    for (let i = 0; i < 5; i++) {
      const res = await app.http.inject({ method: 'GET', url: '/v5/boards', headers: auth });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const board = await makeBoard(app, owner);
    const res = await createPin(board.id, auth);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('fails requests caught on an ended connection with 503, and loses nothing acknowledged', {
    timeout: 120_000,
  }, async () => {
    const board = await makeBoard(app, owner);
    // Made before the load: the test's own token query would meet the ended connections too.
    const auth = await owner.auth();
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let stop = false;
    // Writers: pin creations (a transaction with outbox rows, then image jobs), back to back.
    const writers = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const res = await createPin(board.id, auth);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 201) acknowledged.push(res.json().id);
        else {
          expect(res.statusCode, res.body).toBe(503);
          expect(res.json()).toEqual({ code: 503, message: expect.any(String) });
          expect(res.headers['retry-after']).toBeDefined();
        }
      }
    });
    // Sessions ended again and again while writes run, until several rounds have passed and some
    // writes got through between them (on a busy machine one write takes longer than a round).
    let terminated = 0;
    let rounds = 0;
    const loadUntil = Date.now() + 60_000;
    while ((rounds < 8 || acknowledged.length < 3) && Date.now() < loadUntil) {
      await sleep(150 + 50 * Math.min(rounds, 10));
      terminated += await terminateAll(app);
      rounds++;
    }
    stop = true;
    await Promise.all(writers);
    expect(terminated).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);

    // Serving again at once, and every acknowledged pin is there with its image made by the jobs.
    const after = await createPin(board.id, auth);
    expect(after.statusCode, after.body).toBe(201);
    acknowledged.push(after.json().id);
    for (const id of acknowledged) {
      const got = await app.http.inject({ method: 'GET', url: `/v5/pins/${id}`, headers: auth });
      expect(got.statusCode, got.body).toBe(200);
    }
    const deadline = Date.now() + 60_000;
    while ((await pendingImages(acknowledged)) > 0 && Date.now() < deadline) await sleep(200);
    expect(await pendingImages(acknowledged)).toBe(0);
    const dead = await sql<{ n: number }>`select count(*)::int as n from dead_letters`.execute(
      app.database.db,
    );
    expect(dead.rows[0]!.n).toBe(0);
  });
});

describe.runIf(testMode() === 'services')('PostgreSQL unreachable for a while', () => {
  const target = new URL(testMode() === 'services' ? servicesUrls().databaseUrl : 'postgres://x');
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let cut: App;
  let png: string;

  beforeAll(async () => {
    await proxy.up();
    // Registered before the app's own hooks, so it runs after them (after-hooks run in reverse): the
    // app closes and its schema is dropped through the proxy first.
    afterAll(() => proxy.down());
    cut = await startTestApp({
      config: testConfig({
        DATABASE_URL: throughProxy(servicesUrls().databaseUrl, proxy),
        DB_CONNECT_TIMEOUT_MS: '1000',
      }),
    });
    png = (await makeImage({ width: 40, height: 30 })).toString('base64');
  });

  it('answers 503 (and /readyz 503) while it is away, and recovers when it is back', {
    timeout: 120_000,
  }, async () => {
    const person = await makeUser(cut);
    const auth = await person.auth();
    const board = await makeBoard(cut, person);
    const pinBody = {
      board_id: board.id,
      title: 'before the outage',
      media_source: { source_type: 'image_base64', content_type: 'image/png', data: png },
    };
    const before = await cut.http.inject({
      method: 'POST',
      url: '/v5/pins',
      headers: auth,
      payload: pinBody,
    });
    expect(before.statusCode, before.body).toBe(201);

    await proxy.down();
    const ready = await cut.http.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database).not.toBe('ok');
    const read = await cut.http.inject({ method: 'GET', url: `/v5/boards/${board.id}`, headers: auth });
    // The board may be held in the cache; whatever the answer, it is not a 500.
    expect([200, 503]).toContain(read.statusCode);
    const write = await cut.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board.id}`,
      headers: auth,
      payload: { description: 'during the outage' },
    });
    expect(write.statusCode, write.body).toBe(503);
    expect(write.json()).toEqual({ code: 503, message: expect.any(String) });
    // Let the relay and the consumers fail and back off for a while.
    await sleep(2500);

    await proxy.up();
    expect(await readyWithin(cut, 30_000)).toBe(200);
    const patched = await cut.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board.id}`,
      headers: auth,
      payload: { description: 'after the outage' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().description).toBe('after the outage');
    // The pin acknowledged before the outage gets its image from the jobs once the database is back.
    const pin = before.json().id as string;
    const jobsDeadline = Date.now() + 30_000;
    let status: string | undefined = 'pending';
    while (status !== undefined && Date.now() < jobsDeadline) {
      const got = await cut.http.inject({ method: 'GET', url: `/v5/pins/${pin}`, headers: auth });
      status = got.json().media?.status;
      if (status !== undefined) await sleep(200);
    }
    expect(status).toBeUndefined();
  });
});

describe.runIf(testMode() === 'services')('Redis unreachable for a while', () => {
  const target = new URL(testMode() === 'services' ? servicesUrls().redisUrl : 'redis://x');
  const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
  let cut: App;

  beforeAll(async () => {
    await proxy.up();
    afterAll(() => proxy.down());
    cut = await startTestApp({
      config: testConfig({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
    });
  });

  it('answers 503 (and /readyz 503) while it is away, and serves again when it is back', {
    timeout: 120_000,
  }, async () => {
    const person = await makeUser(cut);
    const auth = await person.auth();
    const board = await makeBoard(cut, person);
    const routes = [
      { method: 'GET' as const, url: '/v5/boards' },
      { method: 'GET' as const, url: `/v5/boards/${board.id}/pins` },
      { method: 'POST' as const, url: '/v5/boards', payload: { name: 'while Redis is away' } },
    ];

    await proxy.down();
    const ready = await cut.http.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.redis).not.toBe('ok');
    for (const route of routes) {
      const res = await cut.http.inject({ ...route, headers: auth });
      // Served from what the node can vouch for, or refused as unavailable: never a 500.
      expect([200, 201, 503], `${route.method} ${route.url}: ${res.body}`).toContain(res.statusCode);
      if (res.statusCode === 503) expect(res.json()).toEqual({ code: 503, message: expect.any(String) });
    }

    await proxy.up();
    expect(await readyWithin(cut, 30_000)).toBe(200);
    for (const route of routes) {
      const res = await cut.http.inject({ ...route, headers: auth });
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBeLessThan(300);
    }
  });
});

/** Polls /readyz until it answers 200 or the time is up; the last status. */
async function readyWithin(app: App, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode;
    if (status === 200) break;
    await sleep(100);
  }
  return status;
}
