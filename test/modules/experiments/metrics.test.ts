import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { METRICS } from '../../../src/modules/experiments/index.js';
import {
  metricsRepository,
  type SumsRow,
} from '../../../src/modules/experiments/metrics/metrics.repository.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { bruteForce, DAY, metricsCaughtUp, storeBatch, type WorkEvent, workload } from './workload.js';

let app: App;
beforeAll(async () => {
  app = await startTestApp();
});

async function appliedBatches(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from experiment_metric_batches`.execute(
    app.deps.db,
  );
  return rows[0]!.n;
}

async function storedSums() {
  const { rows } = await sql<
    SumsRow & { run: string }
  >`select run, variant, metric, n::text as n, s_a::text as s_a, s_aa::text as s_aa, s_b::text as s_b,
            s_bb::text as s_bb, s_ab::text as s_ab from experiment_variant_sums`.execute(app.deps.db);
  return new Map(rows.map((r) => [`${r.run}|${r.variant}|${r.metric}`, r]));
}

describe('experiment metrics from the event stream', () => {
  it('equal a brute-force recomputation from the raw events, whatever order the batches come in', async () => {
    const runs = [
      { experiment: 'm-one', run: 'run-one', variants: ['control', 'treatment'] },
      { experiment: 'm-two', run: 'run-two', variants: ['control', 'a', 'b'] },
    ];
    const end = Date.now() - 60_000;
    const events = workload(20261203, runs, { units: 60, eventsPerUnit: 12, days: 20, end });
    expect(events.filter((e) => e.kind === 'EXPOSURE').length).toBeGreaterThan(60);

    // Batches of 1 to 40 events; one is announced twice (it must count once).
    const batches: WorkEvent[][] = [];
    for (let i = 0; i < events.length; ) {
      const size = 1 + ((i * 7919) % 40);
      batches.push(events.slice(i, i + size));
      i += size;
    }
    const before = await appliedBatches();
    for (let i = 0; i < batches.length; i++) await storeBatch(app, batches[i]!, i === 3);
    await eventually(async () => (await appliedBatches()) === before + batches.length, 60_000, 100);
    // Let a second announcement of batch 3 be delivered too.
    await metricsCaughtUp(app, 30_000);

    const expected = bruteForce(events);
    const stored = await storedSums();
    expect(expected.size).toBe(runs.reduce((s, r) => s + r.variants.length, 0) * METRICS.length);
    for (const [k, e] of expected) {
      const s = stored.get(k);
      expect(s, k).toBeDefined();
      expect({ n: s!.n, a: s!.s_a, aa: s!.s_aa, b: s!.s_b, bb: s!.s_bb, ab: s!.s_ab }, k).toEqual({
        n: e.n.toString(),
        a: e.a.toString(),
        aa: e.aa.toString(),
        b: e.b.toString(),
        bb: e.bb.toString(),
        ab: e.ab.toString(),
      });
    }
    expect([...stored.keys()].filter((k) => k.startsWith('run-')).sort()).toEqual(
      [...expected.keys()].sort(),
    );
    // Some units were exposed before and after events in the pre-period: CUPED has data to use.
    expect(Number(stored.get('run-one|control|impressions_per_user')!.s_b)).toBeGreaterThan(0);
    expect(BigInt(stored.get('run-one|control|ad_revenue_micro_per_user')!.s_aa)).toBeGreaterThan(2n ** 63n); // past bigint: numeric keeps it exact

    // Today's look is the current sums.
    const { rows: looks } = await sql<{ n: number }>`
      select count(*)::int as n from experiment_variant_looks l join experiment_variant_sums s using (run, variant, metric)
       where l.day = (select max(day) from experiment_variant_looks) and l.run like 'run-%'
         and (l.n, l.s_a, l.s_aa, l.s_b, l.s_bb, l.s_ab) = (s.n, s.s_a, s.s_aa, s.s_b, s.s_bb, s.s_ab)`.execute(
      app.deps.db,
    );
    expect(looks[0]!.n).toBe(expected.size);
  });

  it('attributes nothing to a unit before its exposure arrives later in an earlier time', async () => {
    // Events first, exposure later in processing but earlier in time: the unit's totals are recomputed.
    const now = Date.now() - 60_000;
    const unit = 'u777001';
    const ev = (kind: string, at: number, i: number): WorkEvent => ({
      id: `${unit}:t:late${i}`,
      unit,
      kind,
      at,
      adId: null,
      chargeMicro: 0,
    });
    await storeBatch(app, [
      ev('SAVE', now - 3 * DAY, 1),
      ev('SAVE', now - DAY, 2),
      ev('SAVE', now - 1000, 3),
    ]);
    const exposure = (at: number): WorkEvent => ({
      id: `${unit}:x:run-late`,
      unit,
      kind: 'EXPOSURE',
      at,
      adId: null,
      chargeMicro: 0,
      experiment: 'late',
      run: 'run-late',
      variant: 'control',
    });
    await storeBatch(app, [exposure(now - 500)]);
    await storeBatch(app, [exposure(now - 2 * DAY)]);
    await storeBatch(app, [ev('SAVE', now - 200, 4)]);
    const value = async () => {
      const { rows } = await sql<{ a: string; b: string }>`select a::text as a, b::text as b
        from experiment_unit_values where run = 'run-late' and unit = ${unit} and metric = 'saves_per_user'`.execute(
        app.deps.db,
      );
      return rows[0];
    };
    // After the earlier exposure: SAVEs at −1 day, −1 s and −200 ms count; the one at −3 days is pre-period.
    const v = await eventually(
      async () => {
        const r = await value();
        return r && r.a === '3' ? r : undefined;
      },
      30_000,
      100,
    );
    expect(v).toEqual({ a: '3', b: '1' });
    const sums = await storedSums();
    expect(sums.get('run-late|control|saves_per_user')).toMatchObject({
      n: '1',
      s_a: '3',
      s_aa: '9',
      s_b: '1',
      s_bb: '1',
      s_ab: '3',
    });
  });

  it('forgets applied-batch marks only past the events retention and the delivery records', async () => {
    const { rows } = await sql<{ batch_id: string }>`
      select batch_id::text as batch_id from experiment_metric_batches order by batch_id limit 1`.execute(
      app.deps.db,
    );
    const old = rows[0]!.batch_id;
    await sql`update experiment_metric_batches set done_at = now() - interval '40 days' where batch_id = ${old}::bigint`.execute(
      app.deps.db,
    );
    const before = await appliedBatches();
    expect(await metricsRepository.pruneBatches(app.deps.db, 41)).toBe(0);
    expect(await metricsRepository.pruneBatches(app.deps.db, 39)).toBe(1);
    expect(await appliedBatches()).toBe(before - 1);
  });
});
