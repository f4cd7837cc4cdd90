import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// PKCE (RFC 7636) and public clients. A public client (the web app in a browser) has no secret: its
// secret_hash is null, and it may exchange a code only with the code_verifier of the code_challenge
// the code was issued for. A first-party app (the web app Corkboard serves) is found by its key, made
// once and kept in step with PUBLIC_URL at start.
const statements = [
  sql`alter table apps alter column secret_hash drop not null`,
  sql`alter table apps add column first_party text`,
  sql`create unique index apps_first_party_key on apps (first_party) where first_party is not null`,
  // S256 only: the challenge is base64url(SHA-256(verifier)), 43 characters.
  sql`alter table oauth_codes add column code_challenge text`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
