import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { METRIC_KINDS } from './metric-catalog.js';

/** An event of a batch as the metrics consumer reads it; `unit` is `u<user id>` or `d<device id>`. */
export interface BatchEventRow {
  kind: string;
  unit: string;
  at_ms: number;
  ad_id: string | null;
  charge_micro: string;
  /** FEED_TIMING: requests and summed server time (ms), as text; '0' for other kinds. */
  timing_requests: string;
  timing_ms: string;
  experiment: string | null;
  run: string | null;
  variant: string | null;
}

export interface ExposedUnitRow {
  run: string;
  unit: string;
  experiment: string;
  variant: string;
  first_ms: number;
}

/** A unit's totals for one metric in one run (numeric, as text). */
export interface UnitValueRow {
  run: string;
  unit: string;
  metric: string;
  a: string;
  b: string;
}

/** Increments of one variant's sums (numeric, as text). */
export interface SumsDelta {
  run: string;
  variant: string;
  metric: string;
  experiment: string;
  n: number;
  s_a: string;
  s_aa: string;
  s_b: string;
  s_bb: string;
  s_ab: string;
}

/** A variant's sums for one metric (numeric as text), now or at the end of a day. */
export interface SumsRow {
  variant: string;
  metric: string;
  n: string;
  s_a: string;
  s_aa: string;
  s_b: string;
  s_bb: string;
  s_ab: string;
}

const KINDS = [...METRIC_KINDS, 'EXPOSURE'];

/** Reads and writes the experiment metric tables (migration 0024). */
export const metricsRepository = {
  /** Serialises metric deliveries on this schema: a unit's exposure and its events must not pass each other. */
  async lock(db: Db): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':experiment-metrics'))`.execute(db);
  },

  /** Records the batch as applied; false when it was already. */
  async markBatch(db: Db, batchId: string): Promise<boolean> {
    const { rows } = await sql`insert into experiment_metric_batches (batch_id) values (${batchId}::bigint)
      on conflict do nothing returning batch_id`.execute(db);
    return rows.length > 0;
  },

  /**
   * Forgets applied batches older than `days` (whose events are gone with their partitions, and whose
   * outbox rows and delivery records are pruned: no redelivery can come). Returns how many.
   */
  async pruneBatches(db: Db, days: number): Promise<number> {
    const r = await sql`delete from experiment_metric_batches
      where done_at < now() - make_interval(days => ${days}::int)`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  },

  /** The batch's events a metric or the exposure log reads, with the charge recorded with each. */
  async batchEvents(db: Db, batchId: string, days: string[] | null): Promise<BatchEventRow[]> {
    const { rows } = await sql<BatchEventRow>`
      select e.kind, case when e.user_id is not null then 'u' || e.user_id else 'd' || e.device_id end as unit,
             (extract(epoch from e.occurred_at) * 1000)::float8 as at_ms, e.ad_id::text as ad_id,
             coalesce(c.amount_micro, 0)::text as charge_micro,
             coalesce(e.timing_requests, 0)::text as timing_requests, coalesce(e.timing_ms, 0)::text as timing_ms,
             e.experiment, e.experiment_run as run, e.variant
        from events e
        left join ad_charges c on c.batch_id = e.batch_id and c.event_id = e.id
       where e.batch_id = ${batchId}::bigint ${days ? sql`and e.day = any(${days}::date[])` : sql``}
         and e.kind = any(${KINDS}::text[])
         and (e.user_id is not null or e.device_id is not null)`.execute(db);
    return rows;
  },

  /** The unit's metric events since `fromDay` in batches applied before `exceptBatch`'s. */
  async appliedUnitEvents(
    db: Db,
    unit: string,
    fromDay: string,
    exceptBatch: string,
  ): Promise<BatchEventRow[]> {
    const who = unit.startsWith('u')
      ? sql`e.user_id = ${unit.slice(1)}::bigint`
      : sql`e.device_id = ${unit.slice(1)} and e.user_id is null`;
    const { rows } = await sql<BatchEventRow>`
      select e.kind, ${unit}::text as unit, (extract(epoch from e.occurred_at) * 1000)::float8 as at_ms,
             e.ad_id::text as ad_id, coalesce(c.amount_micro, 0)::text as charge_micro,
             coalesce(e.timing_requests, 0)::text as timing_requests, coalesce(e.timing_ms, 0)::text as timing_ms,
             null::text as experiment, null::text as run, null::text as variant
        from events e
        left join ad_charges c on c.batch_id = e.batch_id and c.event_id = e.id
       where ${who} and e.day >= ${fromDay}::date and e.kind = any(${[...METRIC_KINDS]}::text[])
         and e.batch_id <> ${exceptBatch}::bigint
         and exists (select 1 from experiment_metric_batches b where b.batch_id = e.batch_id)`.execute(db);
    return rows;
  },

  /** Exposed-unit rows of the given (run, unit) pairs. */
  async exposed(db: Db, runs: string[], units: string[]): Promise<ExposedUnitRow[]> {
    if (runs.length === 0) return [];
    const { rows } = await sql<ExposedUnitRow>`
      select x.run, x.unit, x.experiment, x.variant, (extract(epoch from x.first_at) * 1000)::float8 as first_ms
        from experiment_exposed_units x
        join unnest(${runs}::text[], ${units}::text[]) as q(run, unit) on x.run = q.run and x.unit = q.unit`.execute(
      db,
    );
    return rows;
  },

  /** Every run the units are exposed in. */
  async exposuresOf(db: Db, units: string[]): Promise<ExposedUnitRow[]> {
    if (units.length === 0) return [];
    const { rows } = await sql<ExposedUnitRow>`
      select run, unit, experiment, variant, (extract(epoch from first_at) * 1000)::float8 as first_ms
        from experiment_exposed_units where unit = any(${units}::text[])`.execute(db);
    return rows;
  },

  async saveExposed(db: Db, rows: ExposedUnitRow[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into experiment_exposed_units (run, unit, experiment, variant, first_at)
      select run, unit, experiment, variant, to_timestamp(first_ms / 1000)
        from unnest(${rows.map((r) => r.run)}::text[], ${rows.map((r) => r.unit)}::text[],
                    ${rows.map((r) => r.experiment)}::text[], ${rows.map((r) => r.variant)}::text[],
                    ${rows.map((r) => r.first_ms)}::float8[]) as u(run, unit, experiment, variant, first_ms)
      on conflict (run, unit) do update set first_at = least(experiment_exposed_units.first_at, excluded.first_at)`.execute(
      db,
    );
  },

  async unitValues(db: Db, keys: { run: string; unit: string; metric: string }[]): Promise<UnitValueRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await sql<UnitValueRow>`
      select v.run, v.unit, v.metric, v.a::text as a, v.b::text as b
        from experiment_unit_values v
        join unnest(${keys.map((k) => k.run)}::text[], ${keys.map((k) => k.unit)}::text[],
                    ${keys.map((k) => k.metric)}::text[]) as q(run, unit, metric)
          on v.run = q.run and v.unit = q.unit and v.metric = q.metric`.execute(db);
    return rows;
  },

  /** Writes units' new totals, in key order. */
  async saveUnitValues(db: Db, rows: UnitValueRow[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into experiment_unit_values (run, unit, metric, a, b)
      select * from unnest(${rows.map((r) => r.run)}::text[], ${rows.map((r) => r.unit)}::text[],
                           ${rows.map((r) => r.metric)}::text[], ${rows.map((r) => r.a)}::numeric[],
                           ${rows.map((r) => r.b)}::numeric[])
      on conflict (run, unit, metric) do update set a = excluded.a, b = excluded.b`.execute(db);
  },

  /** Adds increments to the variants' sums, in key order. */
  async addSums(db: Db, rows: SumsDelta[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <K extends keyof SumsDelta>(k: K) => rows.map((r) => r[k]);
    await sql`
      insert into experiment_variant_sums as s (run, variant, metric, experiment, n, s_a, s_aa, s_b, s_bb, s_ab)
      select * from unnest(${col('run')}::text[], ${col('variant')}::text[], ${col('metric')}::text[],
                           ${col('experiment')}::text[], ${col('n')}::bigint[], ${col('s_a')}::numeric[],
                           ${col('s_aa')}::numeric[], ${col('s_b')}::numeric[], ${col('s_bb')}::numeric[],
                           ${col('s_ab')}::numeric[])
      on conflict (run, variant, metric) do update set
        n = s.n + excluded.n, s_a = s.s_a + excluded.s_a, s_aa = s.s_aa + excluded.s_aa,
        s_b = s.s_b + excluded.s_b, s_bb = s.s_bb + excluded.s_bb, s_ab = s.s_ab + excluded.s_ab`.execute(db);
  },

  /** Copies the runs' current sums into the looks of `day` (the last copy of a day stands). */
  async snapshot(db: Db, runs: string[], day: string): Promise<void> {
    if (runs.length === 0) return;
    await sql`
      insert into experiment_variant_looks as l (run, variant, metric, day, n, s_a, s_aa, s_b, s_bb, s_ab)
      select run, variant, metric, ${day}::date, n, s_a, s_aa, s_b, s_bb, s_ab
        from experiment_variant_sums where run = any(${runs}::text[])
       order by run, variant, metric
      on conflict (run, variant, metric, day) do update set
        n = excluded.n, s_a = excluded.s_a, s_aa = excluded.s_aa, s_b = excluded.s_b, s_bb = excluded.s_bb,
        s_ab = excluded.s_ab`.execute(db);
  },

  /** A run's current sums. */
  async sums(db: Db, run: string): Promise<SumsRow[]> {
    const { rows } = await sql<SumsRow>`
      select variant, metric, n::text as n, s_a::text as s_a, s_aa::text as s_aa, s_b::text as s_b,
             s_bb::text as s_bb, s_ab::text as s_ab
        from experiment_variant_sums where run = ${run} order by metric, variant`.execute(db);
    return rows;
  },

  /** A run's daily looks, oldest first. */
  async looks(db: Db, run: string): Promise<(SumsRow & { day: string })[]> {
    const { rows } = await sql<SumsRow & { day: string }>`
      select day::text as day, variant, metric, n::text as n, s_a::text as s_a, s_aa::text as s_aa,
             s_b::text as s_b, s_bb::text as s_bb, s_ab::text as s_ab
        from experiment_variant_looks where run = ${run} order by day, metric, variant`.execute(db);
    return rows;
  },
};
