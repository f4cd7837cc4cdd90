import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// People, apps and OAuth; boards, sections, pins and their images; follows; media uploads.
const statements = [
  sql`create table users (
    id bigint primary key,
    username text not null,
    email text not null,
    password_hash text not null,
    about text not null default '',
    website_url text not null default '',
    profile_image text not null default '',
    account_type text not null default 'PINNER' check (account_type in ('PINNER', 'BUSINESS')),
    business_name text,
    created_at timestamptz not null default now()
  )`,
  sql`create unique index users_username_key on users (lower(username))`,
  sql`create unique index users_email_key on users (lower(email))`,

  // Browser sessions for the OAuth consent page; the cookie holds a random id, we keep its hash.
  sql`create table web_sessions (
    id_hash text primary key,
    user_id bigint not null references users (id) on delete cascade,
    csrf text not null,
    expires_at timestamptz not null
  )`,

  sql`create table apps (
    id bigint primary key,
    name text not null,
    owner_id bigint references users (id) on delete set null,
    secret_hash text not null,
    redirect_uris text[] not null default '{}',
    created_at timestamptz not null default now()
  )`,
  sql`create table oauth_codes (
    code_hash text primary key,
    app_id bigint not null references apps (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    redirect_uri text not null,
    scopes text[] not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  // Access and refresh tokens, stored as SHA-256 of the token (tokens are random, 256-bit).
  sql`create table oauth_tokens (
    id bigserial primary key,
    token_hash text not null unique,
    kind text not null check (kind in ('access', 'refresh')),
    app_id bigint not null references apps (id) on delete cascade,
    user_id bigint references users (id) on delete cascade,
    scopes text[] not null,
    refresh_id bigint references oauth_tokens (id) on delete cascade,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  sql`create index oauth_tokens_user_idx on oauth_tokens (user_id)`,

  sql`create table boards (
    id bigint primary key,
    owner_id bigint not null references users (id) on delete cascade,
    name text not null,
    description text,
    privacy text not null default 'PUBLIC' check (privacy in ('PUBLIC', 'PROTECTED', 'SECRET')),
    is_ads_only boolean not null default false,
    created_at timestamptz not null default now(),
    pins_modified_at timestamptz not null default now(),
    search tsvector generated always as (
      setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')
    ) stored
  )`,
  sql`create index boards_owner_idx on boards (owner_id, id desc)`,
  sql`create index boards_search_idx on boards using gin (search)`,

  sql`create table board_sections (
    id bigint primary key,
    board_id bigint not null references boards (id) on delete cascade,
    name text not null,
    created_at timestamptz not null default now()
  )`,
  sql`create unique index board_sections_name_key on board_sections (board_id, lower(name))`,

  // One row per stored image; pins saved from one another share it.
  // `key` is random and names the image's files and URLs, so an image URL cannot be guessed from an ID.
  sql`create table images (
    id bigint primary key,
    key text not null unique,
    status text not null check (status in ('pending', 'ready', 'failed')),
    source_url text,
    sha256 text,
    width integer,
    height integer,
    dominant_color text,
    dhash bigint,
    variants jsonb not null default '{}',
    error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index images_dhash_idx on images (dhash)`,

  sql`create table pins (
    id bigint primary key,
    owner_id bigint not null references users (id) on delete cascade,
    board_id bigint not null references boards (id) on delete cascade,
    section_id bigint references board_sections (id) on delete set null,
    parent_pin_id bigint,
    title text,
    description text,
    alt_text text,
    link text,
    dominant_color text,
    media_type text not null default 'image',
    created_at timestamptz not null default now(),
    search tsvector generated always as (
      setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', coalesce(description, '')), 'B')
      || setweight(to_tsvector('english', coalesce(alt_text, '')), 'C')
    ) stored
  )`,
  // Lists are newest first by id (ids grow with time), so the indexes are on id.
  sql`create index pins_board_idx on pins (board_id, id desc)`,
  sql`create index pins_section_idx on pins (section_id, id desc) where section_id is not null`,
  sql`create index pins_owner_idx on pins (owner_id, id desc)`,
  sql`create index pins_parent_idx on pins (parent_pin_id) where parent_pin_id is not null`,
  sql`create index pins_search_idx on pins using gin (search)`,
  // The images of a pin, in order (one for an image pin, several for a carousel).
  sql`create table pin_images (
    pin_id bigint not null references pins (id) on delete cascade,
    position smallint not null,
    image_id bigint not null references images (id),
    title text,
    description text,
    link text,
    primary key (pin_id, position)
  )`,
  sql`create index pin_images_image_idx on pin_images (image_id)`,

  sql`create table follows (
    follower_id bigint not null references users (id) on delete cascade,
    followee_id bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (follower_id, followee_id),
    check (follower_id <> followee_id)
  )`,
  sql`create index follows_followee_idx on follows (followee_id, created_at desc)`,
  sql`create table board_follows (
    user_id bigint not null references users (id) on delete cascade,
    board_id bigint not null references boards (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (user_id, board_id)
  )`,
  sql`create index board_follows_board_idx on board_follows (board_id)`,

  // Media registered for upload (video in the spec), with the upload's lifecycle.
  sql`create table media_uploads (
    id bigint primary key,
    user_id bigint not null references users (id) on delete cascade,
    media_type text not null check (media_type in ('video')),
    status text not null check (status in ('registered', 'processing', 'succeeded', 'failed')),
    upload_token_hash text not null,
    content_type text,
    bytes bigint,
    error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index media_uploads_user_idx on media_uploads (user_id, created_at desc, id desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
