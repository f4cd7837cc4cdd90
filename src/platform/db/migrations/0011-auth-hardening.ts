import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Token families (every access and refresh token descended from one authorization, so a replayed code
// or a reused rotated-out refresh token revokes them all), and the addresses that signed an account or
// an app in before (exempt from the account-wide guessing budget, so an attacker cannot lock them out).
const statements = [
  // The family is the id of the authorization's first refresh token; null for client_credentials and
  // development tokens, which belong to no authorization.
  sql`alter table oauth_tokens add column family_id bigint`,
  // When a refresh token was replaced by rotation (refresh_on=true); presenting it again is reuse.
  sql`alter table oauth_tokens add column rotated_at timestamptz`,
  sql`update oauth_tokens set family_id = id where kind = 'refresh'`,
  sql`update oauth_tokens set family_id = refresh_id where kind = 'access' and refresh_id is not null`,
  sql`create index oauth_tokens_family_idx on oauth_tokens (family_id) where family_id is not null`,
  // The family a code's first exchange created: a second exchange revokes it (RFC 6749 §4.1.2).
  sql`alter table oauth_codes add column family_id bigint`,
  sql`create table auth_known_addresses (
    subject text not null,
    address_hash text not null,
    last_success_at timestamptz not null default now(),
    primary key (subject, address_hash)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
