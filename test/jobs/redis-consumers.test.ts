import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AppModule } from '../../src/modules/module.js';
import type { Config } from '../../src/platform/config.js';
import { emitUntyped as emit } from '../../src/platform/jobs/outbox.js';
import { dropIsolation, eventually, testConfig } from '../helpers/app.js';
import { servicesUrls, testMode } from '../helpers/mode.js';

const GROUP = 'probe.names';
const probe: AppModule = {
  name: 'probe',
  consumers: () => [
    {
      name: GROUP,
      topics: ['probe.named'],
      async handle(payload, ctx) {
        await sql`insert into probe_named (key) values (${(payload as { key: string }).key})`.execute(
          ctx.trx,
        );
      },
    },
  ],
};

// Consumer names are a Redis Streams matter: the database broker has none.
describe.runIf(testMode() === 'services')('consumer names in Redis stream groups', () => {
  // Made when the tests run: in embedded mode this block is only collected, and has no Redis.
  let redis: Redis;
  let config: Config;
  let stream: string;
  beforeAll(() => {
    redis = new Redis(servicesUrls().redisUrl);
    // JOB_LEASE_MS 200: a name idle 20 leases (4 s) with nothing pending is forgotten.
    config = testConfig({ JOB_LEASE_MS: '200' });
    stream = `${config.redisPrefix}s:probe.named`;
  });
  const names = async () =>
    ((await redis.xinfo('CONSUMERS', stream, GROUP)) as unknown[][]).map((c) => String(c[1])).sort();
  afterAll(async () => {
    await dropIsolation(config);
    redis.disconnect();
  });

  it('forgets the names of processes gone without leaving, once their entries are claimed', {
    timeout: 60_000,
  }, async () => {
    const app = await createApp(config, { modules: [probe], runJobs: false });
    try {
      await sql`create table probe_named (key text not null)`.execute(app.deps.db);
      await emit(app.deps.db, 'probe.named', { key: 'held-by-a-dead-process' });
      await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
      expect(await app.jobs.relayOnce()).toBe(1);
      // Two processes that died: one holding the entry (read, never acknowledged), one holding nothing.
      await redis.xreadgroup('GROUP', GROUP, 'dead-holder', 'COUNT', 1, 'STREAMS', stream, '>');
      await redis.xgroup('CREATECONSUMER', stream, GROUP, 'dead-idle');
      expect(await names()).toEqual(['dead-holder', 'dead-idle']);

      await app.jobs.start();
      // The live worker claims the dead holder's entry after the lease and runs it...
      await eventually(async () => {
        const { rows } = await sql<{ key: string }>`select key from probe_named`.execute(app.deps.db);
        return rows.length === 1;
      }, 15_000);
      // ...and, the dead names idle past 20 leases with nothing pending, they are deleted; its own stays.
      await eventually(async () => {
        const now = await names();
        return now.length === 1 && !now.includes('dead-holder') && !now.includes('dead-idle');
      }, 20_000);
    } finally {
      await app.close();
    }
    // Stopping leaves the group: no name is left behind.
    expect(await names()).toEqual([]);
  });
});
