import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROBE_CONSUMER, PROBE_TOPIC } from '../fixtures/probe-names.js';
import { testMode } from '../helpers/mode.js';
import { type Child, Children, STARTUP_MS, startProbe } from './child.js';
import { openForInspection, processEnv } from './env.js';

/**
 * A worker SIGKILLed in the middle of a delivery (its handler has written through ctx.trx and has not
 * returned) must not lose the job nor leave its half-done write: another process takes the delivery over
 * once the lease (JOB_LEASE_MS) runs out, and the effect exists exactly once.
 */
describe(`SIGKILL during a job delivery (${testMode()})`, () => {
  const children = new Children();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(() => children.stopAll());
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('another process redelivers the job and its effect exists exactly once', {
    timeout: 4 * STARTUP_MS,
  }, async () => {
    const key = `k-${Date.now()}`;
    const { env, config, cleanup } = await processEnv({
      JOB_LEASE_MS: '1500',
      JOB_MAX_ATTEMPTS: '3',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    cleanups.push(cleanup);

    const first = children.add(startProbe('first', 'hold', { ...env, PROBE_KEY: key }));
    const emitted = await first.waitProbe('emitted', STARTUP_MS);
    const eventId = String(emitted.eventId);
    const inFlight = await first.waitFor((l) => l.probe === 'in-flight' && l.eventId === eventId);
    expect(inFlight.attempt).toBe(1);

    let second: Child;
    if (testMode() === 'services') {
      // A second worker is already running when the first dies: it must take over from Redis's
      // pending list, and must not run the job while the first still holds it.
      second = children.add(startProbe('second', 'finish', env));
      await second.address(STARTUP_MS);
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
    } else {
      // One process per DATA_DIR: the replacement starts once the first is gone (its pid file is stale).
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      second = children.add(startProbe('second', 'finish', env));
    }

    const handled = await second.waitFor((l) => l.probe === 'handled' && l.eventId === eventId, STARTUP_MS);
    expect(handled.attempt).toBeGreaterThanOrEqual(2);
    // Graceful stop waits for the delivery's transaction to commit.
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(first.lines.filter((l) => l.probe === 'handled')).toEqual([]);

    const database = await openForInspection(config);
    try {
      const db = database.db;
      const { rows: effects } = await sql<{ key: string; pid: number; attempt: number }>`
        select key, pid, attempt from probe_effects where event_id = ${eventId}`.execute(db);
      // The killed worker's write rolled back; only the replacement's remains.
      expect(effects).toEqual([{ key, pid: second.pid, attempt: handled.attempt }]);

      const done = await db.selectFrom('job_done').selectAll().where('event_id', '=', eventId).execute();
      expect(done.map((d) => d.consumer)).toEqual([PROBE_CONSUMER]);
      expect(await db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
      const outbox = await db
        .selectFrom('outbox')
        .selectAll()
        .where('id', '=', eventId)
        .executeTakeFirstOrThrow();
      expect(outbox.published_at).not.toBeNull();
      // Nothing left to deliver (embedded: the database broker's queue).
      expect(await db.selectFrom('job_queue').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }

    if (testMode() === 'services') {
      // Nothing left pending in the consumer group (services: the Redis Streams broker).
      const { Redis } = await import('ioredis');
      const redis = new Redis(config.redisUrl!);
      try {
        const [count] = (await redis.xpending(`${config.redisPrefix}s:${PROBE_TOPIC}`, PROBE_CONSUMER)) as [
          number,
        ];
        expect(count).toBe(0);
      } finally {
        redis.disconnect();
      }
    }
  });
});
