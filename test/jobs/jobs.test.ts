import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { AppModule } from '../../src/modules/module.js';
import type { Db } from '../../src/platform/db/database.js';
import { emitUntyped as emit } from '../../src/platform/jobs/outbox.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';

const failuresBeforeSuccess = new Map<string, number>();
/** Deliveries of a key that fail as if the database had gone away (PostgreSQL's admin shutdown). */
const outagesBeforeSuccess = new Map<string, number>();
const seen: { consumer: string; attempt: number; key: string }[] = [];
/** Deliveries of probe.parallel running now, and the most at once. */
const parallel = { now: 0, most: 0 };

const probe: AppModule = {
  name: 'probe',
  consumers: () => [
    {
      name: 'probe.record',
      topics: ['probe.happened'],
      async handle(payload, ctx) {
        const { key } = payload as { key: string };
        seen.push({ consumer: 'probe.record', attempt: ctx.attempt, key });
        await sql`insert into probe_effects (key, n) values (${key}, 1)
                  on conflict (key) do update set n = probe_effects.n + 1`.execute(ctx.trx);
        const outages = outagesBeforeSuccess.get(key) ?? 0;
        if (outages > 0) {
          outagesBeforeSuccess.set(key, outages - 1);
          throw Object.assign(new Error('terminating connection due to administrator command'), {
            code: '57P01',
          });
        }
        const left = failuresBeforeSuccess.get(key) ?? 0;
        if (left > 0) {
          failuresBeforeSuccess.set(key, left - 1);
          throw new Error(`planned failure for ${key}`);
        }
      },
    },
    {
      name: 'probe.parallel',
      topics: ['probe.parallel'],
      concurrency: 3,
      async handle(payload, ctx) {
        const { key } = payload as { key: string };
        parallel.now++;
        parallel.most = Math.max(parallel.most, parallel.now);
        try {
          await new Promise((r) => setTimeout(r, 60));
          const outages = outagesBeforeSuccess.get(key) ?? 0;
          if (outages > 0) {
            outagesBeforeSuccess.set(key, outages - 1);
            throw Object.assign(new Error('terminating connection due to administrator command'), {
              code: '57P01',
            });
          }
          await sql`insert into probe_effects (key, n) values (${key}, 1)
                    on conflict (key) do update set n = probe_effects.n + 1`.execute(ctx.trx);
        } finally {
          parallel.now--;
        }
      },
    },
    {
      name: 'probe.second',
      topics: ['probe.happened'],
      async handle(payload, ctx) {
        const { key } = payload as { key: string };
        await sql`insert into probe_second (key) values (${key})`.execute(ctx.trx);
      },
    },
  ],
};

async function effects(db: Db, table: string) {
  const { rows } = await sql<{
    key: string;
    n: number;
  }>`select key, ${sql.ref('n')} as n from ${sql.table(table)} order by key`.execute(db);
  return rows;
}

describe('outbox and job delivery', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ modules: [probe], env: { JOB_MAX_ATTEMPTS: '3' } });
    await sql`create table probe_effects (key text primary key, n int not null)`.execute(app.deps.db);
    await sql`create table probe_second (key text primary key, n int not null default 1)`.execute(
      app.deps.db,
    );
  });

  it('delivers a committed event to every consumer of its topic, once in effect', async () => {
    await app.deps.db.transaction().execute(async (trx) => {
      await emit(trx, 'probe.happened', { key: 'a' });
      await emit(trx, 'probe.happened', { key: 'b' });
    });
    app.deps.eventsCommitted();
    await eventually(async () => (await effects(app.deps.db, 'probe_second')).length === 2);
    await eventually(async () => (await effects(app.deps.db, 'probe_effects')).length === 2);
    expect(await effects(app.deps.db, 'probe_effects')).toEqual([
      { key: 'a', n: 1 },
      { key: 'b', n: 1 },
    ]);
  });

  it('drops the event when the transaction that emitted it rolls back', async () => {
    await expect(
      app.deps.db.transaction().execute(async (trx) => {
        await emit(trx, 'probe.happened', { key: 'rolled-back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await emit(app.deps.db, 'probe.happened', { key: 'marker' });
    await eventually(async () =>
      (await effects(app.deps.db, 'probe_second')).some((r) => r.key === 'marker'),
    );
    expect((await effects(app.deps.db, 'probe_second')).map((r) => r.key)).not.toContain('rolled-back');
  });

  it('retries a failing delivery with its writes rolled back, then succeeds', async () => {
    failuresBeforeSuccess.set('flaky', 2);
    await emit(app.deps.db, 'probe.happened', { key: 'flaky' });
    await eventually(async () =>
      (await effects(app.deps.db, 'probe_effects')).some((r) => r.key === 'flaky'),
    );
    // Two failed attempts rolled back their increments: exactly one effect remains.
    expect((await effects(app.deps.db, 'probe_effects')).find((r) => r.key === 'flaky')).toEqual({
      key: 'flaky',
      n: 1,
    });
    expect(seen.filter((s) => s.key === 'flaky').map((s) => s.attempt)).toEqual([1, 2, 3]);
  });

  it('does not count failures of an unavailable database towards the dead-letter limit', {
    timeout: 30_000,
  }, async () => {
    // Five outages against JOB_MAX_ATTEMPTS 3: counted as attempts, they would dead-letter the job.
    outagesBeforeSuccess.set('outage', 5);
    await emit(app.deps.db, 'probe.happened', { key: 'outage' });
    await eventually(
      async () => (await effects(app.deps.db, 'probe_effects')).some((r) => r.key === 'outage'),
      20_000,
    );
    expect(outagesBeforeSuccess.get('outage')).toBe(0);
    const dead = await app.deps.db
      .selectFrom('dead_letters')
      .select('event_id')
      .where(sql`payload->>'key'`, '=', 'outage')
      .execute();
    expect(dead).toEqual([]);
    // The delivery that finally ran saw the attempt number of a job that never failed on its own.
    expect(seen.filter((s) => s.key === 'outage').at(-1)?.attempt).toBe(1);
  });

  it("runs up to a consumer's concurrency of its deliveries at once (services), each once in effect, outages included", {
    timeout: 30_000,
  }, async () => {
    outagesBeforeSuccess.set('par-4', 2);
    await app.deps.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 12; i++) await emit(trx, 'probe.parallel', { key: `par-${i}` });
    });
    app.deps.eventsCommitted();
    const done = async () =>
      (await effects(app.deps.db, 'probe_effects')).filter((r) => r.key.startsWith('par-'));
    await eventually(async () => (await done()).length === 12, 20_000);
    expect((await done()).every((r) => r.n === 1)).toBe(true);
    expect(outagesBeforeSuccess.get('par-4')).toBe(0);
    // The database queue (embedded) runs one delivery at a time.
    expect(parallel.most).toBe(testMode() === 'services' ? 3 : 1);
  });

  it('dead-letters a delivery after JOB_MAX_ATTEMPTS failures and keeps going', async () => {
    failuresBeforeSuccess.set('poison', 100);
    await emit(app.deps.db, 'probe.happened', { key: 'poison' });
    const dead = await eventually(async () =>
      app.deps.db
        .selectFrom('dead_letters')
        .selectAll()
        .where('consumer', '=', 'probe.record')
        .executeTakeFirst(),
    );
    expect(dead.attempts).toBe(3);
    expect(dead.last_error).toContain('planned failure for poison');
    expect(dead.topic).toBe('probe.happened');
    expect((await effects(app.deps.db, 'probe_effects')).map((r) => r.key)).not.toContain('poison');
    // The other consumer of the same event was unaffected.
    expect((await effects(app.deps.db, 'probe_second')).map((r) => r.key)).toContain('poison');
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toMatch(/corkboard_jobs_total\{consumer="probe.record",outcome="dead"\} 1/);
    expect(metrics).toMatch(/corkboard_jobs_total\{consumer="probe.record",outcome="failed"\} [1-9]/);
  });
});

describe('retention', () => {
  it('prunes published outbox rows and delivery records past retention, and nothing newer', async () => {
    const app = await startTestApp({ modules: [], runJobs: false, env: { JOB_RETENTION_DAYS: '1' } });
    const db = app.deps.db;
    const old = new Date(Date.now() - 2 * 24 * 3_600_000);
    await db
      .insertInto('outbox')
      .values([
        { topic: 't', payload: '{}', published_at: old },
        { topic: 't', payload: '{}', published_at: new Date() },
        { topic: 't', payload: '{}', published_at: null },
      ])
      .execute();
    await db
      .insertInto('job_done')
      .values([
        { event_id: '1', consumer: 'c', done_at: old },
        { event_id: '2', consumer: 'c' },
      ])
      .execute();
    expect(await app.jobs.prune()).toEqual({ outbox: 1, done: 1 });
    expect((await db.selectFrom('outbox').select('id').execute()).length).toBe(2);
    expect((await db.selectFrom('job_done').select('event_id').execute()).map((r) => r.event_id)).toEqual([
      '2',
    ]);
  });
});
