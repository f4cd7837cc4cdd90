import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { AppModule } from '../../src/modules/module.js';
import { emitUntyped as emit } from '../../src/platform/jobs/outbox.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';

const probe: AppModule = {
  name: 'probe',
  consumers: () => [
    {
      name: 'probe.count',
      topics: ['probe.lost'],
      async handle(payload, ctx) {
        await sql`insert into probe_count (key) values (${(payload as { key: string }).key})`.execute(
          ctx.trx,
        );
      },
    },
  ],
};

// Only the Redis Streams broker can lose a published event: the database broker keeps deliveries in
// the same database as the outbox, so there is nothing to lose in embedded mode.
describe.runIf(testMode() === 'services')('durability when Redis loses its streams', () => {
  it('republishes from the outbox an event a consumer never finished', async () => {
    const app = await startTestApp({
      modules: [probe],
      runJobs: false,
      env: { JOB_RECONCILE_AFTER_MS: '300' },
    });
    await sql`create table probe_count (key text not null)`.execute(app.deps.db);
    await emit(app.deps.db, 'probe.lost', { key: 'survivor' });
    expect(await app.jobs.relayOnce()).toBe(1);
    // Redis restarts with nothing on disk: the stream and its groups are gone.
    const streams = await app.redis!.keys(`${app.config.redisPrefix}s:*`);
    expect(streams.length).toBe(1);
    await app.redis!.del(...streams);

    await app.jobs.start();
    await eventually(async () => {
      const { rows } = await sql<{ n: string }>`select count(*)::text as n from probe_count`.execute(
        app.deps.db,
      );
      return rows[0]!.n === '1';
    }, 15_000);
    // Once finished, reconciling finds nothing more to republish, and the effect stays single.
    await new Promise((r) => setTimeout(r, 400));
    expect(await app.jobs.reconcile()).toBe(0);
    const { rows } = await sql<{ key: string }>`select key from probe_count`.execute(app.deps.db);
    expect(rows).toEqual([{ key: 'survivor' }]);
  });
});
