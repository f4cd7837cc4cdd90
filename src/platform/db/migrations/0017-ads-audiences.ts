import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Customer lists of type HASHED_PINNER_ID name people by the SHA-256 of their decimal Corkboard id. The
// hash is a generated column, so every person has it from the moment they exist and no writer can forget
// it, and matching a list is an index lookup rather than hashing every id at each upload.
const statements = [
  sql`alter table users add column id_sha256 text generated always as (encode(sha256(id::text::bytea), 'hex')) stored`,
  sql`create index users_id_sha256_idx on users (id_sha256)`,
  // Audiences are refreshed by the customer list or seed they name; find them without a scan.
  sql`create index ad_audiences_customer_list_idx on ad_audiences ((rule ->> 'customer_list_id')) where audience_type = 'CUSTOMER_LIST'`,
  // When an audience's members were last computed: those that follow activity (visitors, engagers and
  // their lookalikes) are recomputed periodically, the longest-unrefreshed first.
  sql`alter table ad_audiences add column members_at timestamptz not null default now()`,
  sql`create index ad_audiences_members_at_idx on ad_audiences (members_at) where status <> 'ARCHIVED'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
