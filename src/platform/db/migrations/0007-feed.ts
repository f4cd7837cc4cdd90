import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// The home feed: who read Corkboard recently (only they get pins fanned out to their following lists),
// which authors and boards have too many followers to fan out to (their pins are merged at read time),
// and two partial indexes the feed reads by (a viewer's recent close-ups, and their saves).
const statements = [
  // One row per person who used the feed or wrote a pin recently; `active_at` is moved forward at most
  // about once an hour per person, so reads do not turn into a write each.
  sql`create table feed_activity (
    user_id bigint primary key references users (id) on delete cascade,
    active_at timestamptz not null default now()
  )`,

  // Authors ('user') and boards ('board') above the fan-out threshold, as last seen by the fan-out.
  sql`create table feed_heavy_sources (
    kind text not null check (kind in ('user', 'board')),
    source_id bigint not null,
    marked_at timestamptz not null default now(),
    primary key (kind, source_id)
  )`,

  // A viewer's recent close-ups seed recommendations. Partial: impressions, most of the stream, stay out.
  sql`create index events_feed_closeups_idx on events (user_id, occurred_at desc)
      where user_id is not null and kind = 'PIN_CLICK'`,

  // A viewer's saves, newest first (recommendation seeds, and the pins the feed must not offer back):
  // through pins_owner_idx a prolific creator's few saves would be found among all their pins.
  sql`create index pins_feed_saves_idx on pins (owner_id, id desc) include (parent_pin_id)
      where parent_pin_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
