import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { dropIsolation, testEnv } from '../helpers/app.js';
import { makeBoard, makeUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';
import { testMode } from '../helpers/mode.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { Child, Children, get, STARTUP_MS } from './child.js';

/**
 * PostgreSQL itself restarted (stopped, down for a few seconds, started) while two API processes and a
 * worker serve a stream of writes: no process exits, every answer is a 201 or a 503 with {code, message},
 * the servers are ready again once the database is, and every acknowledged pin is there with its image
 * made by the worker. The server is one of the test's own (PrivatePostgres), so stopping it touches no
 * other test file.
 *
 * Services mode only: it needs Redis and PostgreSQL's server programs, like the rest of that run.
 */
describe.runIf(testMode() === 'services')('PostgreSQL restarted under load', () => {
  const children = new Children();
  let postgres: PrivatePostgres | undefined;
  afterEach(() => children.stopAll());
  afterAll(async () => {
    await postgres?.destroy();
  });

  it('keeps every process serving and loses nothing acknowledged', { timeout: 6 * STARTUP_MS }, async () => {
    postgres = await PrivatePostgres.create();
    const env = testEnv({
      DATABASE_URL: postgres.url,
      // info: the processes say they are listening (and where) at that level.
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      DB_CONNECT_TIMEOUT_MS: '1000',
      JOB_POLL_MS: '50',
    });
    const config = loadConfig({ ...process.env, ...env });

    // The world: migrated, one person with a token and a board, made in this process.
    const setup = await createApp(config, { runJobs: false });
    const owner = await makeUser(setup);
    const board = await makeBoard(setup, owner);
    const authorization = `Bearer ${await owner.token()}`;
    await setup.close();

    const serve = { ...env, RUN_JOBS: 'false', PORT: '0' };
    const servers = [
      children.add(new Child('api-a', ['src/main.ts', 'serve'], serve)),
      children.add(new Child('api-b', ['src/main.ts', 'serve'], serve)),
    ];
    const worker = children.add(new Child('worker', ['src/main.ts', 'worker'], { ...env, PORT: '0' }));
    const urls = await Promise.all(
      servers.map(async (s) => {
        const line = await s.waitFor((l) => l.msg === 'corkboard listening', STARTUP_MS);
        return String(line.address);
      }),
    );
    await worker.waitFor((l) => l.msg === 'corkboard worker running', STARTUP_MS);

    const png = (await makeImage({ width: 48, height: 32 })).toString('base64');
    const body = JSON.stringify({
      board_id: board.id,
      title: 'restart',
      media_source: { source_type: 'image_base64', content_type: 'image/png', data: png },
    });
    const acknowledged: string[] = [];
    const refused: { status: number; body: string }[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let n = 0; !stop; n++) {
        const res = await fetch(`${urls[(w + n) % urls.length]}/v5/pins`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body,
        });
        const text = await res.text();
        if (res.status === 201) acknowledged.push(JSON.parse(text).id);
        else refused.push({ status: res.status, body: text });
        // While the database is down every answer is immediate; do not spin.
        if (res.status !== 201) await sleep(50);
      }
    });

    await sleep(1500);
    const before = acknowledged.length;
    await postgres.stop();
    await sleep(3000);
    await postgres.start();
    await sleep(3000);
    stop = true;
    await Promise.all(writers);

    for (const child of [...servers, worker]) expect(child.exit, `${child.name} exited`).toBeUndefined();
    expect(before).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status, r.body).toBe(503);
      expect(JSON.parse(r.body)).toEqual({ code: 503, message: expect.any(String) });
    }
    // Writes acknowledged after the restart prove the pools came back without help.
    expect(acknowledged.length).toBeGreaterThan(before);

    for (const url of urls) {
      const ready = await get(`${url}/readyz`);
      expect(ready.status, ready.body).toBe(200);
    }
    // Every acknowledged pin is readable, and the worker made its image.
    const deadline = Date.now() + 60_000;
    const pending = new Set(acknowledged);
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const res = await fetch(`${urls[0]}/v5/pins/${id}`, { headers: { authorization } });
        expect(res.status, id).toBe(200);
        const pin = (await res.json()) as { media?: { status?: string } };
        if (pin.media?.status === undefined) pending.delete(id);
      }
      if (pending.size > 0) await sleep(250);
    }
    expect([...pending]).toEqual([]);
    for (const child of [...servers, worker]) expect(child.exit, `${child.name} exited`).toBeUndefined();
    await children.stopAll();
    await dropIsolation(config);
  });
});
