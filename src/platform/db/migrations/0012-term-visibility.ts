import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Typeahead and related terms check, on every request, that each term they are about to answer is still
// carried by public content now (a pin title or a board name on a public board), reading the boards'
// privacy at that moment rather than the vocabulary the index consumer keeps (which lags a board made
// secret until the consumer runs). These indexes make that check a few index probes per term:
// - pins by their title as typeahead spells it, through the index's documents;
// - boards by their name as typeahead spells it (the same expression as TERM_OF in the module, so the
//   planner matches it: lower case, whitespace collapsed, cut at 101 characters).
const statements = [
  sql`create index search_pin_docs_title_term_idx on search_pin_docs (title_term) where title_term is not null`,
  sql`create index boards_name_term_idx on boards
    ((nullif(left(lower(btrim(regexp_replace(name, '[[:space:][:cntrl:]]+', ' ', 'g'))), 101), '')))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
