import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Websites a person has claimed (GET/POST/DELETE /v5/user_account/websites): one row per person and
// website (domain, optionally with a path), with how and when it was verified.
const statements = [
  sql`create table user_websites (
    user_id bigint not null references users(id) on delete cascade,
    website text not null,
    method text not null,
    verified_at timestamptz not null default now(),
    primary key (user_id, website)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
