import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Experiment exposures and metrics. An exposure is an `events` row of kind EXPOSURE naming the
// experiment, its run (the experiment's salt) and the variant; its id `<unit>:x:<run>` is unique per day
// partition, so the table's own primary key stores one exposure per unit, run and UTC day however many
// processes log it. The metrics consumer keeps, per run, each exposed unit's first exposure and its
// running totals per metric, and per variant and metric the sums of those totals (n, Σa, Σa², Σb, Σb²,
// Σab: a the metric or a ratio's numerator, b the pre-period value or the denominator), copied once a
// day into the looks the sequential test reads. Sums are numeric: Σa² of micro-currency outgrows bigint.
const statements = [
  sql`alter table events add column experiment text`,
  sql`alter table events add column experiment_run text`,
  sql`alter table events add column variant text`,

  // A unit's events, found when its first exposure is recorded (its pre-period and anything applied
  // before the exposure was): by user, or by device for signed-out traffic.
  sql`create index events_user_day on events (user_id, day) where user_id is not null`,
  sql`create index events_device_day on events (device_id, day) where device_id is not null and user_id is null`,
  // (The charge recorded with an event is found with the event's batch by ad_charges_batch_idx, on
  // batch_id and event_id: migration 0023.)

  // Batches of events the metrics consumer has applied (a batch announced twice counts once).
  sql`create table experiment_metric_batches (
    batch_id bigint primary key,
    done_at timestamptz not null default now()
  )`,

  // Each unit exposed in a run: its variant and its first exposure (the start of its analysis window).
  sql`create table experiment_exposed_units (
    run text not null,
    unit text not null,
    experiment text not null,
    variant text not null,
    first_at timestamptz not null,
    primary key (run, unit)
  )`,
  sql`create index experiment_exposed_units_unit on experiment_exposed_units (unit)`,

  // A unit's running totals for a metric within a run: a (the metric, or a ratio's numerator) and
  // b (the pre-period value of the metric, or the ratio's denominator).
  sql`create table experiment_unit_values (
    run text not null,
    unit text not null,
    metric text not null,
    a numeric not null default 0,
    b numeric not null default 0,
    primary key (run, unit, metric)
  )`,

  // Per run, variant and metric: exposed units and the sums of the units' totals.
  sql`create table experiment_variant_sums (
    run text not null,
    variant text not null,
    metric text not null,
    experiment text not null,
    n bigint not null default 0,
    s_a numeric not null default 0,
    s_aa numeric not null default 0,
    s_b numeric not null default 0,
    s_bb numeric not null default 0,
    s_ab numeric not null default 0,
    primary key (run, variant, metric)
  )`,

  // The sums as they stood at the end of each UTC day they changed on (the daily looks).
  sql`create table experiment_variant_looks (
    run text not null,
    variant text not null,
    metric text not null,
    day date not null,
    n bigint not null,
    s_a numeric not null,
    s_aa numeric not null,
    s_b numeric not null,
    s_bb numeric not null,
    s_ab numeric not null,
    primary key (run, variant, metric, day)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
