import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// The event stream: raw events partitioned by day (partitions are made and dropped by the events
// module's maintenance, not here), and the impression-token uses that make each served item count once.
const statements = [
  // One row per accepted event. `id` is unique per actor (`u<user id>:<client id>` or
  // `d<device id>:<client id>`), so a retried batch finds its events already here and counts nothing twice.
  // `batch_id` names the accepted batch (one POST /v5/events, or one server-side write); the rollup reads
  // events back by batch.
  sql`create table events (
    day date not null,
    id text not null,
    kind text not null,
    occurred_at timestamptz not null,
    received_at timestamptz not null default now(),
    user_id bigint,
    device_id text,
    app_id bigint,
    pin_id bigint,
    board_id bigint,
    target_user_id bigint,
    query text,
    surface text,
    position integer,
    app_type text not null,
    request_id text,
    batch_id bigint not null,
    primary key (day, id)
  ) partition by range (day)`,
  sql`create index events_batch_idx on events (batch_id)`,

  // Which impression token has been used for which event kind; a second use with another event id is a
  // replay. Rows outlive their token's expiry only until the next prune.
  sql`create table impression_token_uses (
    token_id text not null,
    kind text not null,
    event_id text not null,
    expires_at timestamptz not null,
    primary key (token_id, kind)
  )`,
  sql`create index impression_token_uses_expiry_idx on impression_token_uses (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
