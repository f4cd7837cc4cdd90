import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../src/app.js';
import type { ExposureEvent } from '../../../src/modules/events/index.js';
import { ExposureBuffer } from '../../../src/modules/experiments/exposure/exposure-buffer.js';
import { Exposures } from '../../../src/modules/experiments/index.js';
import { loadConfig } from '../../../src/platform/config.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { dropIsolation, startTestApp, testEnv } from '../../helpers/app.js';
import { testMode } from '../../helpers/mode.js';
import { exposureRows, runningExperiment } from './helpers.js';

const DAY = 86_400_000;

describe('exposure logging', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ runJobs: false });
  });

  it('logs nothing when a unit is merely bucketed, or reads a parameter no experiment of its defines', async () => {
    await runningExperiment(app, 'bucketed', { param: 'bucketed_share' });
    const params = await app.product.exposures.forUnit({ userId: '1001' });
    expect(params.assignments.map((a) => a.experiment)).toContain('bucketed');
    expect(params.number('no_such_param', 7)).toBe(7);
    await app.product.exposures.flush();
    expect((await exposureRows(app)).filter((r) => r.experiment === 'bucketed')).toEqual([]);

    // Reading the experiment's parameter exposes the unit, with its variant's value.
    const value = params.number('bucketed_share', -1);
    await app.product.exposures.flush();
    const rows = (await exposureRows(app)).filter((r) => r.experiment === 'bucketed');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: '1001', device_id: null });
    expect(value).toBe(rows[0]!.variant === 'control' ? 0 : 1);
  });

  it('exposes a unit in a variant that leaves the parameter unset, which reads the default', async () => {
    await runningExperiment(app, 'unset', { param: 'unset_param', controlSetsParam: false });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const p = await app.product.exposures.forUnit({ deviceId: `dev-unset-${i}` });
      const variant = p.assignments.find((a) => a.experiment === 'unset')!.variant;
      expect(p.number('unset_param', 42)).toBe(variant === 'control' ? 42 : 1);
      seen.add(variant);
    }
    await app.product.exposures.flush();
    const rows = (await exposureRows(app)).filter((r) => r.experiment === 'unset');
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.variant))).toEqual(seen);
    expect(rows.every((r) => r.user_id === null && r.device_id?.startsWith('dev-unset-'))).toBe(true);
  });

  it('stores one exposure per unit, run and UTC day, and another the next day', async () => {
    const { salt } = await runningExperiment(app, 'daily', { param: 'daily_param' });
    let now = Date.parse('2026-03-10T23:59:00Z');
    const metrics = createMetrics();
    const log = createLogger({ logLevel: 'silent' });
    const written: number[] = [];
    const buffer = new ExposureBuffer(
      async (xs) => {
        const n = await app.product.events.recordExposures(xs);
        written.push(n);
        return n;
      },
      log,
      metrics,
      () => now,
    );
    const exposures = new Exposures(
      () => app.product.experiments.runningLayers(),
      buffer,
      log,
      () => now,
    );
    const read = async () => (await exposures.forUnit({ userId: '2002' })).number('daily_param', 0);
    for (let i = 0; i < 5; i++) await read();
    expect(buffer.waiting).toBe(1); // the in-process set let one through
    await exposures.flush();
    // A restart forgets the set: the database's key stops the second copy.
    buffer.forgetSeen();
    await read();
    await exposures.flush();
    expect(written).toEqual([1, 0]);
    now += 2 * 60_000; // past midnight UTC
    await read();
    await exposures.flush();
    const rows = (await exposureRows(app)).filter((r) => r.experiment === 'daily');
    expect(rows.map((r) => [r.day, r.id])).toEqual([
      ['2026-03-10', `u2002:x:${salt}`],
      ['2026-03-11', `u2002:x:${salt}`],
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/corkboard_experiment_exposures_total\{outcome="skipped"\} 4/);
    expect(text).toMatch(/corkboard_experiment_exposures_total\{outcome="duplicate"\} 1/);
    expect(now - Date.parse('2026-03-10T00:00:00Z')).toBeGreaterThan(DAY);
  });

  it('announces stored exposures on events.batch, and a restarted experiment (new salt) is a new run', async () => {
    const { salt } = await runningExperiment(app, 'rerun', { param: 'rerun_param' });
    await (await app.product.exposures.forUnit({ userId: '3003' })).number('rerun_param', 0);
    await app.product.exposures.flush();
    const restarted = await app.product.experiments.restartExperiment('cli:test', 'rerun', {});
    expect(restarted.salt).not.toBe(salt);
    // The cache reloads after a local write.
    await (await app.product.exposures.forUnit({ userId: '3003' })).number('rerun_param', 0);
    await app.product.exposures.flush();
    const rows = (await exposureRows(app)).filter((r) => r.experiment === 'rerun');
    expect(rows.map((r) => r.experiment_run)).toEqual([salt, restarted.salt]);
    const { rows: batches } = await sql<{ n: number }>`
      select count(*)::int as n from outbox o
       where o.topic = 'events.batch'
         and exists (select 1 from events e where e.batch_id = (o.payload->>'batchId')::bigint
                      and e.kind = 'EXPOSURE' and e.experiment = 'rerun')`.execute(app.deps.db);
    expect(batches[0]!.n).toBe(2);
  });
});

describe('the buffer never fails the caller', () => {
  const unit = (i: number): ExposureEvent => ({
    unit: { userId: String(i) },
    experiment: 'e',
    run: 'salt',
    variant: 'control',
    at: new Date(Date.parse('2026-01-01T12:00:00Z')),
  });

  it('logs and retries a failed write, then stores it; drops past the bound, counted', async () => {
    const metrics = createMetrics();
    let fail = true;
    const stored: ExposureEvent[] = [];
    const buffer = new ExposureBuffer(
      async (xs) => {
        if (fail) throw new Error('database away');
        stored.push(...xs);
        return xs.length;
      },
      createLogger({ logLevel: 'silent' }),
      metrics,
      Date.now,
      { maxPending: 3, flushMs: 60_000 },
    );
    for (let i = 0; i < 5; i++) expect(() => buffer.log(unit(i))).not.toThrow();
    expect(buffer.waiting).toBe(3);
    await expect(buffer.flush()).resolves.toBeUndefined();
    expect(buffer.waiting).toBe(3); // kept for a retry
    fail = false;
    await buffer.flush();
    expect(stored.map((x) => ('userId' in x.unit ? x.unit.userId : ''))).toEqual(['0', '1', '2']);
    // Units dropped when the buffer was full were not marked seen: a later read logs them.
    buffer.log(unit(3));
    await buffer.close();
    expect(stored).toHaveLength(4);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/outcome="dropped"\} 2/);
    expect(text).toMatch(/outcome="failed"\} 3/);
    expect(text).toMatch(/outcome="stored"\} 4/);
  });

  it('gives up on a write after maxAttempts and forgets the unit', async () => {
    const metrics = createMetrics();
    const buffer = new ExposureBuffer(
      async () => {
        throw new Error('always');
      },
      createLogger({ logLevel: 'silent' }),
      metrics,
      Date.now,
      { maxAttempts: 2, flushMs: 60_000 },
    );
    buffer.log(unit(1));
    await buffer.flush();
    await buffer.flush();
    expect(buffer.waiting).toBe(0);
    expect(await metrics.registry.metrics()).toMatch(/outcome="dropped"\} 1/);
  });

  it('serves defaults when the definitions cannot be loaded', async () => {
    const buffer = new ExposureBuffer(
      async (xs) => xs.length,
      createLogger({ logLevel: 'silent' }),
      createMetrics(),
    );
    const exposures = new Exposures(
      async () => {
        throw new Error('database away');
      },
      buffer,
      createLogger({ logLevel: 'silent' }),
    );
    const p = await exposures.forUnit({ userId: '1' });
    expect(p.number('anything', 3)).toBe(3);
    expect(buffer.waiting).toBe(0);
  });
});

describe('across processes and restarts', () => {
  // Two app instances on one database: services mode (embedded PGlite is one process by design; its
  // restart case reopens the same data directory).
  const env = testEnv({});
  if (testMode() === 'embedded') delete (env as Record<string, string | undefined>).DATABASE_URL;
  const config = loadConfig(env);
  const open: App[] = [];
  const start = async () => {
    const a = await createApp(config, { runJobs: false });
    open.push(a);
    return a;
  };
  afterAll(async () => {
    for (const a of open) await a.close().catch(() => {});
    await dropIsolation(config);
  });

  it('stores one exposure per unit and day whichever instances read it, and after a restart', async () => {
    const first = await start();
    await runningExperiment(first, 'shared', { param: 'shared_param' });
    const units = Array.from({ length: 30 }, (_, i) => String(5000 + i));
    const readAll = async (a: App) => {
      for (const u of units) (await a.product.exposures.forUnit({ userId: u })).number('shared_param', 0);
      await a.product.exposures.flush();
    };
    await readAll(first);
    if (testMode() === 'services') {
      const second = await start();
      await readAll(second);
      await Promise.all([readAll(first), readAll(second)]);
    }
    await first.close();
    const restarted = await start();
    await readAll(restarted);
    const rows = (await exposureRows(restarted)).filter((r) => r.experiment === 'shared');
    expect(rows.map((r) => r.user_id).sort()).toEqual([...units].sort());
  });
});
