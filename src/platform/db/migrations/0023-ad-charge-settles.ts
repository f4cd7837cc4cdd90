import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// A charge's settlement gets its own narrow row, inserted once, instead of rewriting the charge's row:
// ad_charges (written with the event) never changes, and billing inserts ad_charge_settles. A charge is
// pending while it has no settle row. Inserting narrow rows costs billing far less than updating wide
// ones (every update of a row whose indexed state changed wrote an entry in each of its indexes).
const statements = [
  sql`create table ad_charge_settles (
    token_id text primary key,
    state text not null check (state in ('charged', 'overdelivered', 'released', 'unknown')),
    charged_micro bigint not null check (charged_micro >= 0),
    overdelivered_micro bigint not null check (overdelivered_micro >= 0),
    settled_at timestamptz not null default now()
  )`,
  sql`insert into ad_charge_settles (token_id, state, charged_micro, overdelivered_micro, settled_at)
      select token_id, state, charged_micro, overdelivered_micro, coalesce(settled_at, now())
        from ad_charges where state <> 'pending'`,
  // A batch's charges (billing), and the charge recorded with one of its events (experiment metrics).
  sql`create index ad_charges_batch_idx on ad_charges (batch_id, event_id)`,
  sql`drop index ad_charges_pending_idx`,
  sql`alter table ad_charges drop column state, drop column charged_micro, drop column overdelivered_micro,
        drop column settled_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
