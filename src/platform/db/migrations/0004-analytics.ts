import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Analytics rollups: daily counts per pin, per creator and per app type, made from `events` by the
// analytics module's rollup consumer (one upsert of increments per accepted batch, exactly once), and
// the hourly save/engagement counts of recent days that popularity signals are rebuilt from.
const counts = sql`
    impressions bigint not null default 0,
    pin_clicks bigint not null default 0,
    saves bigint not null default 0,
    outbound_clicks bigint not null default 0`;

const statements = [
  // Batches already rolled up: a batch announced twice (two outbox events with one batch id) still
  // counts once. Rows are pruned long after the batch's raw events are gone.
  sql`create table analytics_rolled_batches (
    batch_id bigint primary key,
    rolled_at timestamptz not null default now()
  )`,

  // Per pin, day and app type. `owner_id` is the pin's owner when the events were rolled (pins never
  // change owner), so a creator's pins can be ranked from this table alone.
  sql`create table pin_daily_rollups (
    pin_id bigint not null,
    day date not null,
    app_type text not null,
    owner_id bigint not null,
    ${counts},
    primary key (pin_id, day, app_type)
  )`,
  // Top pins: a creator's rows in a date range, read from the index alone.
  sql`create index pin_daily_rollups_owner_idx on pin_daily_rollups (owner_id, day)
      include (pin_id, app_type, impressions, pin_clicks, saves, outbound_clicks)`,

  // Per creator (the owner of the pins the events were about), day and app type.
  sql`create table creator_daily_rollups (
    user_id bigint not null,
    day date not null,
    app_type text not null,
    ${counts},
    primary key (user_id, day, app_type)
  )`,

  // Per app type and day, over pins on boards that were not secret when rolled.
  sql`create table app_type_daily_rollups (
    day date not null,
    app_type text not null,
    ${counts},
    primary key (day, app_type)
  )`,

  // Saves and engagements per pin per hour, for pins on boards that were not secret when rolled; kept
  // for the popularity signals' longest window and pruned after it.
  sql`create table pin_hourly_signals (
    pin_id bigint not null,
    hour timestamptz not null,
    saves bigint not null default 0,
    engagements bigint not null default 0,
    primary key (pin_id, hour)
  )`,
  sql`create index pin_hourly_signals_hour_idx on pin_hourly_signals (hour)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
