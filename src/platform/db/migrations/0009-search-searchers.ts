import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Who searched each term (the last day they did), so that a searched query is suggested, related or
// trending only once several people have searched it lately: one person's query is never shown to
// others. Rows are pruned once their last day is older than the popularity window (30 days). Filled at
// once from the SEARCH events of that window.
const statements = [
  sql`create table search_term_searchers (
    term text not null,
    user_id bigint not null,
    last_day date not null,
    primary key (term, user_id)
  )`,
  // "At least three people since day D" reads three entries of a term (index-only), not all its rows.
  sql`create index search_term_searchers_recent_idx on search_term_searchers (term, last_day desc)`,
  sql`create index search_term_searchers_day_idx on search_term_searchers (last_day)`,
  // Terms normalised as the search-term rollup does (lower case, whitespace collapsed, at most 100).
  sql`insert into search_term_searchers (term, user_id, last_day)
    select term, user_id, max(day) from (
      select lower(btrim(regexp_replace(query, '[[:space:][:cntrl:]]+', ' ', 'g'))) as term, user_id, day
      from events
      where kind = 'SEARCH' and user_id is not null and query is not null and day > current_date - 30
    ) s
    where term <> '' and length(term) <= 100
    group by term, user_id`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
