import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Board order (an extension: Pinterest v5 has no board ordering field). A person's board list is in
// `position` order, boards never placed (null: every board until its owner first moves one, and boards
// made since) first, newest first. Moving a board (PATCH /v5/boards/{id} with `position`) numbers all
// the owner's boards 0..n-1 in their new order.
const statements = [
  sql`alter table boards add column position integer`,
  sql`create index boards_owner_position on boards (owner_id, position asc nulls first, id desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
