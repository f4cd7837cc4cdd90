import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Experiment definitions (layers, experiments, feature flags) and the append-only audit log of every
// change to them. Variants, bucket ranges, targeting and flag values are the assignment engine's JSON
// (src/modules/experiments/assignment/types.ts); salts are unique so no two hash streams correlate.
const statements = [
  sql`create table experiment_layers (
    key text primary key,
    salt text not null unique,
    holdout integer not null default 0 check (holdout between 0 and 10000),
    description text not null default '',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create table experiments (
    key text primary key,
    layer text not null references experiment_layers (key),
    description text not null default '',
    hypothesis text not null default '',
    owner text not null default '',
    salt text not null unique,
    buckets jsonb not null,
    variants jsonb not null,
    targeting jsonb not null,
    ramp integer not null check (ramp between 0 and 10000),
    status text not null check (status in ('draft', 'running', 'stopped')),
    started_at timestamptz,
    stopped_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index experiments_layer on experiments (layer)`,
  sql`create table feature_flags (
    key text primary key,
    description text not null default '',
    owner text not null default '',
    salt text not null unique,
    rollout integer not null check (rollout between 0 and 10000),
    value jsonb not null,
    default_value jsonb not null,
    targeting jsonb not null,
    status text not null check (status in ('draft', 'running', 'stopped')),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create table experiment_audit (
    id bigserial primary key,
    subject text not null check (subject in ('experiment', 'layer', 'flag')),
    subject_key text not null,
    action text not null,
    actor text not null,
    at timestamptz not null default now(),
    before jsonb,
    after jsonb,
    notes jsonb not null default '[]'
  )`,
  sql`create index experiment_audit_subject on experiment_audit (subject, subject_key, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
