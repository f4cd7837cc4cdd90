import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// When a pin took a media upload (null while unused). Unused uploads count against their owner's quota
// and expire: the media module's periodic task deletes them, with their blobs, once they have not
// changed for the configured time. The partial index serves that sweep and the quota sums.
const statements = [
  sql`alter table media_uploads add column used_at timestamptz`,
  sql`create index media_uploads_unused_idx on media_uploads (user_id, updated_at) where used_at is null`,
  sql`create index media_uploads_unused_age_idx on media_uploads (updated_at) where used_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
