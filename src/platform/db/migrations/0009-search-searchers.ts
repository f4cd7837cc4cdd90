import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Who searched each term (the last day they did), so that a searched query is suggested, related or
// trending only once several people have searched it: one person's query is never shown to others.
// Rows are pruned a year after their last day.
const statements = [
  sql`create table search_term_searchers (
    term text not null,
    user_id bigint not null,
    last_day date not null,
    primary key (term, user_id)
  )`,
  sql`create index search_term_searchers_day_idx on search_term_searchers (last_day)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
