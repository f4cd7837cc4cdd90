import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Global search, typeahead and trends (the discovery-search module):
// - a search document per public pin and an impact-ordered posting list per lexeme (champion lists),
//   kept current by the module's index consumer and its periodic reconciliation;
// - the lexicon of public lexemes (trigram-indexed, for typo correction) and the vocabulary of public
//   phrases (pin titles, board names) that typeahead ranks by frequency;
// - the exact daily rollup of SEARCH events per normalised query term, for typeahead and trends.
//
// pg_trgm lives in one schema per database. It is created in `public` when missing; wherever it is, the
// index below names its operator class by schema, and the module looks the schema up at start.
async function trgmSchema(db: Kysely<unknown>): Promise<string> {
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  const { rows } = await sql<{ schema: string }>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm'`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('pg_trgm is not installed');
  return schema;
}

const statements = [
  // One row per pin on a board that is not secret. `lexemes` are the lexemes it has postings for (so
  // they can be removed without reading the pin again); `static_key` is the query-independent part of
  // the score: ln(1 + 0.5 ln(1 + engagement)) + created_at in days / 120.
  sql`create table search_pin_docs (
    pin_id bigint primary key,
    board_id bigint not null,
    created_at timestamptz not null,
    board_name text not null,
    title_term text,
    engagement bigint not null default 0,
    static_key double precision not null,
    lexemes text[] not null,
    indexed_at timestamptz not null default now()
  )`,
  sql`create index search_pin_docs_board_idx on search_pin_docs (board_id)`,

  // The posting of a lexeme in a pin: the weight of the best field it occurs in (title 1, description
  // 0.4, board name 0.3, alt text 0.2) and rank_key = ln(weight) + static_key, the pin's full score for a
  // one-word query. The second index reads a lexeme's best pins in score order without a sort.
  sql`create table search_postings (
    lexeme text not null,
    pin_id bigint not null,
    weight real not null,
    rank_key double precision not null,
    primary key (lexeme, pin_id)
  )`,
  sql`create index search_postings_rank_idx on search_postings (lexeme, rank_key desc, pin_id desc)`,

  // Public lexemes with their document counts (refreshed periodically from the postings).
  sql`create table search_lexicon (
    lexeme text primary key,
    doc_count integer not null
  )`,

  // Public phrases (lower-cased pin titles and board names) with how many pins or boards carry them.
  sql`create table search_vocabulary (
    term text primary key,
    doc_count integer not null
  )`,

  // SEARCH events per normalised query term and UTC day, exact: a batch counts once (rolled batches).
  sql`create table search_term_daily (
    term text not null,
    day date not null,
    searches bigint not null,
    primary key (term, day)
  )`,
  sql`create index search_term_daily_day_idx on search_term_daily (day) include (term, searches)`,
  sql`create table search_rolled_batches (
    batch_id bigint primary key,
    rolled_at timestamptz not null default now()
  )`,
  // Where the periodic reconciliation and engagement refresh left off.
  sql`create table search_index_state (
    name text primary key,
    value text not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const trgm = await trgmSchema(db);
  for (const statement of statements) await statement.execute(db);
  const ops = sql.raw(`"${trgm.replaceAll('"', '""')}".gin_trgm_ops`);
  await sql`create index search_lexicon_trgm_idx on search_lexicon using gin (lexeme ${ops})`.execute(db);
  await sql`create index search_vocabulary_trgm_idx on search_vocabulary using gin (term ${ops})`.execute(db);
  await sql`create index users_username_trgm_idx on users using gin (lower(username) ${ops})`.execute(db);
}
