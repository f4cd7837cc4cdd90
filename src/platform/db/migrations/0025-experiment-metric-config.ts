import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Per-experiment metric configuration, server timings on the event stream, and app-only access tokens.
const statements = [
  // The metrics an experiment is analysed on, in order (the first decides): a JSON array of
  // {key, guardrail?, minimumEffect?}; null when every catalog metric applies with its defaults.
  // Analysis only: the metrics consumer keeps every catalog metric whatever this says.
  sql`alter table experiments add column metrics jsonb`,

  // FEED_TIMING events (server-side): how many home feed requests of a unit a process served since
  // its last write, and their server time summed, in milliseconds.
  sql`alter table events add column timing_requests integer`,
  sql`alter table events add column timing_ms bigint`,

  // Access tokens of the client_credentials grant act for the app alone (signed-out traffic): the
  // user they carry is the app's owner, for what needs an account, but they are no person.
  sql`alter table oauth_tokens add column app_only boolean not null default false`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
