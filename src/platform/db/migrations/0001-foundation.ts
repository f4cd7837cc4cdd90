import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
const statements = [
  // Local parts of 64-bit IDs (see platform/ids.ts). One sequence per database: shard and type bits
  // make IDs unique across databases and kinds.
  sql`create sequence id_local_seq as bigint minvalue 1 maxvalue 68719476735 cache 1`,

  // Per-instance secrets (bookmark signing, ...), made once by the first process that needs them so
  // every API node shares them without configuration.
  sql`create table instance_secrets (
    name text primary key,
    value text not null,
    created_at timestamptz not null default now()
  )`,

  // Transactional outbox: a service writes its change and the event in one transaction.
  sql`create table outbox (
    id bigserial primary key,
    topic text not null,
    payload jsonb not null,
    created_at timestamptz not null default now(),
    published_at timestamptz
  )`,
  sql`create index outbox_unpublished_idx on outbox (id) where published_at is null`,
  sql`create index outbox_published_at_idx on outbox (published_at)`,

  // Deliveries waiting for a consumer when the database is the broker (embedded mode).
  sql`create table job_queue (
    event_id bigint not null,
    consumer text not null,
    topic text not null,
    payload jsonb not null,
    attempts integer not null default 0,
    run_at timestamptz not null default now(),
    locked_until timestamptz,
    locked_by text,
    last_error text,
    primary key (event_id, consumer)
  )`,
  sql`create index job_queue_run_at_idx on job_queue (run_at)`,

  // Completed deliveries: written in the handler's own transaction, so a redelivery is a no-op.
  sql`create table job_done (
    event_id bigint not null,
    consumer text not null,
    done_at timestamptz not null default now(),
    primary key (event_id, consumer)
  )`,

  // Deliveries that failed JOB_MAX_ATTEMPTS times.
  sql`create table dead_letters (
    event_id bigint not null,
    consumer text not null,
    topic text not null,
    payload jsonb not null,
    attempts integer not null,
    last_error text,
    created_at timestamptz not null default now(),
    primary key (event_id, consumer)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
