import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ImpressionTokens } from '../../src/modules/events/index.js';
import { testMode } from '../helpers/mode.js';
import { Child, Children, ROOT } from './child.js';
import { openForInspection, processEnv } from './env.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/events-process.ts');

/** POST over its own connection; resolves with the status and body, or rejects when the server dies. */
function post(url: string, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An accepted event is committed before its 2xx: a server SIGKILLed the moment a response arrives (with
 * more batches in flight) still has every event of every batch it answered 200, each once, with the
 * events.batch outbox row the rollups will read.
 */
describe(`SIGKILL right after POST /v5/events answers (${testMode()})`, () => {
  const children = new Children();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(() => children.stopAll());
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('keeps every accepted event', { timeout: 240_000 }, async () => {
    const { env, config, cleanup } = await processEnv({
      LOG_LEVEL: 'warn',
      RUN_JOBS: 'false',
      SEED_DEMO: 'false',
    });
    cleanups.push(cleanup);
    const server = children.add(new Child('events', [FIXTURE], env));
    const ready = await server.waitFor((l) => l.probe === 'ready', 150_000);
    const tokens = new ImpressionTokens(Buffer.from(String(ready.key), 'base64'));
    const pins = ready.pins as string[];
    const userId = String(ready.userId);
    const url = `${ready.address}/v5/events`;

    let n = 0;
    const batch = (size: number) => {
      const events = Array.from({ length: size }, () => {
        const i = n++;
        const pinId = pins[i % pins.length]!;
        return {
          event_id: `k-${i}`,
          kind: 'IMPRESSION',
          time: new Date().toISOString(),
          impression_token: tokens.issue({
            viewerUserId: userId,
            pinId,
            surface: 'HOME_FEED',
            position: i % 50,
            requestId: 'r',
          }),
          pin_id: pinId,
          app_type: 'WEB',
        };
      });
      return { ids: events.map((e) => e.event_id), body: JSON.stringify({ events }) };
    };

    // Warm up: one batch all the way.
    const first = batch(100);
    const warm = await post(url, String(ready.token), first.body);
    expect(warm.status, warm.body).toBe(200);
    const acked: { ids: string[]; batchId: string }[] = [
      { ids: first.ids, batchId: JSON.parse(warm.body).batch_id },
    ];

    // Eight streams of batches; the first 2xx after the fifth kills the server on the spot.
    let killed = false;
    let answered = 0;
    const stream = async () => {
      while (!killed) {
        const b = batch(250);
        let res: { status: number; body: string };
        try {
          res = await post(url, String(ready.token), b.body);
        } catch {
          return;
        }
        if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
        const parsed = JSON.parse(res.body);
        expect(parsed).toMatchObject({ accepted: 250, duplicates: 0, rejected: [] });
        acked.push({ ids: b.ids, batchId: parsed.batch_id });
        if (++answered >= 5 && !killed) {
          killed = true;
          server.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, stream));
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(6);

    const database = await openForInspection(config);
    try {
      const db = database.db;
      const want = acked.flatMap((a) => a.ids.map((id) => `u${userId}:${id}`));
      const found = await db
        .selectFrom('events')
        .select(['id', 'batch_id'])
        .where('id', 'in', want)
        .execute();
      expect(found.length).toBe(want.length);
      expect(new Set(found.map((f) => f.id)).size).toBe(want.length);
      const outbox = await db
        .selectFrom('outbox')
        .select('payload')
        .where('topic', '=', 'events.batch')
        .execute();
      const batches = new Set(outbox.map((o) => (o.payload as { batchId: string }).batchId));
      for (const a of acked) expect(batches.has(a.batchId)).toBe(true);
    } finally {
      await database.close();
    }
  });
});
