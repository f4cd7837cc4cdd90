import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// The change log of the related-pins graph: the consumer `related.graph-log` turns pin and board events
// into graph changes (an edge of a canonical pin and a board; a board made secret or public again), once
// each, and every API node polls the log by `seq` to keep its in-memory graph current between rebuilds.
const statements = [
  sql`create table related_graph_log (
    seq bigserial primary key,
    kind text not null check (kind in ('edge', 'block', 'unblock')),
    board_id bigint not null,
    pin_id bigint,
    canonical_id bigint,
    created_at timestamptz not null default now()
  )`,
  sql`create index related_graph_log_created_idx on related_graph_log (created_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
