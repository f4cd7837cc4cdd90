import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// The backlog metrics read, per topic, how many outbox rows wait to be relayed and how old the first is.
// With no relay running (an API node in services mode and no worker) that set grows without bound; this
// index keeps each topic's reading a short index range scan (the oldest by id, a count up to a cap)
// instead of a walk over every unpublished row, and lets the metrics find the topics present by skipping
// from one topic to the next. It holds only unpublished rows, so it stays small in a healthy system.
const statements = [
  sql`create index outbox_unpublished_topic_idx on outbox (topic, id) where published_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
