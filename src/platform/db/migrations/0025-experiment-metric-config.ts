import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Per-experiment metric configuration, and server timings on the event stream.
const statements = [
  // The metrics an experiment is analysed on, in order (the first decides): a JSON array of
  // {key, guardrail?, minimumEffect?}; null when every catalog metric applies with its defaults.
  // Analysis only: the metrics consumer keeps every catalog metric whatever this says.
  sql`alter table experiments add column metrics jsonb`,

  // FEED_TIMING events (server-side): how many home feed requests of a unit a process served since
  // its last write, and their server time summed, in milliseconds.
  sql`alter table events add column timing_requests integer`,
  sql`alter table events add column timing_ms bigint`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
