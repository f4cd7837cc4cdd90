import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// What a person may tell about themselves for ads to be relevant (GET/PATCH /v5/user_account/demographics):
// all optional, never shown to anyone else, used by the ad server's targeting only. The year of birth, not
// the date, is the least that gives an age bucket.
const statements = [
  sql`alter table users add column locale text`,
  sql`alter table users add column country text`,
  sql`alter table users add column gender text check (gender in ('female', 'male', 'unknown'))`,
  sql`alter table users add column birth_year smallint check (birth_year between 1900 and 2100)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
