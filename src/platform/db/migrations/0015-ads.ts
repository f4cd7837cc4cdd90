import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Advertising: ad accounts and who may act on them; campaigns, ad groups and ads (money is integer
// micro-currency in bigint columns, never numeric or float); keywords, audiences, customer lists,
// targeting templates, conversion tags and conversion events. Events gain the ad they were about, and
// people an SHA-256 of their e-mail so customer lists and conversions match them without plain text.
const statements = [
  sql`create table ad_accounts (
    id bigint primary key,
    owner_id bigint not null references users (id) on delete cascade,
    name text not null,
    country text not null,
    currency text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index ad_accounts_owner_idx on ad_accounts (owner_id, id)`,

  // People the owner lets act on the account, each with one role.
  sql`create table ad_account_members (
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    role text not null check (role in ('ADMIN', 'ANALYST', 'CAMPAIGN_MANAGER')),
    created_at timestamptz not null default now(),
    primary key (ad_account_id, user_id)
  )`,
  sql`create index ad_account_members_user_idx on ad_account_members (user_id, ad_account_id)`,

  sql`create table ad_campaigns (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    name text not null,
    status text not null,
    objective_type text not null,
    daily_spend_cap bigint,
    lifetime_spend_cap bigint,
    start_time timestamptz,
    end_time timestamptz,
    tracking_urls jsonb,
    order_line_id bigint,
    is_flexible_daily_budgets boolean not null default false,
    is_campaign_budget_optimization boolean not null default false,
    default_ad_group_budget bigint,
    is_automated_campaign boolean not null default false,
    is_performance_plus boolean not null default false,
    bid_options jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (daily_spend_cap is null or daily_spend_cap > 0),
    check (lifetime_spend_cap is null or lifetime_spend_cap > 0)
  )`,
  sql`create index ad_campaigns_account_idx on ad_campaigns (ad_account_id, id)`,

  sql`create table ad_groups (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    campaign_id bigint not null references ad_campaigns (id) on delete cascade,
    name text not null,
    status text not null,
    budget_type text not null,
    budget bigint,
    bid bigint,
    bid_strategy_type text,
    billable_event text not null,
    pacing_delivery_type text not null,
    placement_group text not null,
    lifetime_frequency_cap integer,
    start_time timestamptz,
    end_time timestamptz,
    targeting_spec jsonb not null,
    auto_targeting_enabled boolean not null default true,
    tracking_urls jsonb,
    targeting_template_ids jsonb,
    optimization_goal_metadata jsonb,
    is_creative_optimization boolean,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (budget is null or budget > 0),
    check (bid is null or bid > 0)
  )`,
  sql`create index ad_groups_account_idx on ad_groups (ad_account_id, id)`,
  sql`create index ad_groups_campaign_idx on ad_groups (campaign_id, id)`,

  // An ad promotes a pin; the pin is not a foreign key, so a deleted pin leaves the ad (is_pin_deleted).
  sql`create table ads (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    campaign_id bigint not null references ad_campaigns (id) on delete cascade,
    ad_group_id bigint not null references ad_groups (id) on delete cascade,
    pin_id bigint not null,
    name text,
    status text not null,
    creative_type text not null,
    destination_url text,
    click_tracking_url text,
    view_tracking_url text,
    tracking_urls jsonb,
    details jsonb not null default '{}',
    review_status text not null,
    rejected_reasons text[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index ads_account_idx on ads (ad_account_id, id)`,
  sql`create index ads_group_idx on ads (ad_group_id, id)`,
  sql`create index ads_pin_idx on ads (pin_id)`,

  // A keyword belongs to an ad group (every match type) or, negative only, to a campaign or the account.
  sql`create table ad_keywords (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    parent_type text not null check (parent_type in ('advertiser', 'campaign', 'ad_group')),
    parent_id bigint not null,
    value text not null,
    match_type text not null,
    bid bigint,
    archived boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (bid is null or bid > 0)
  )`,
  sql`create unique index ad_keywords_value_key on ad_keywords (parent_id, lower(value), match_type)`,
  sql`create index ad_keywords_account_idx on ad_keywords (ad_account_id, id)`,

  // Customer lists keep only who matched: the uploaded hashes are matched and dropped.
  sql`create table ad_customer_lists (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    name text not null,
    list_type text not null,
    num_batches integer not null default 0,
    num_uploaded_user_records bigint not null default 0,
    num_removed_user_records bigint not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index ad_customer_lists_account_idx on ad_customer_lists (ad_account_id, id)`,
  sql`create table ad_customer_list_users (
    customer_list_id bigint not null references ad_customer_lists (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    primary key (customer_list_id, user_id)
  )`,

  sql`create table ad_audiences (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    name text not null,
    audience_type text not null,
    description text,
    rule jsonb not null,
    status text not null default 'READY',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index ad_audiences_account_idx on ad_audiences (ad_account_id, id)`,
  // Who is in an audience, as last computed from its rule.
  sql`create table ad_audience_users (
    audience_id bigint not null references ad_audiences (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    primary key (audience_id, user_id)
  )`,
  sql`create index ad_audience_users_user_idx on ad_audience_users (user_id)`,

  sql`create table ad_targeting_templates (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    name text not null,
    status text not null default 'ACTIVE',
    targeting_attributes jsonb not null,
    keywords jsonb not null default '[]',
    placement_group text not null default 'ALL',
    auto_targeting_enabled boolean not null default true,
    tracking_urls jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index ad_targeting_templates_account_idx on ad_targeting_templates (ad_account_id, id)`,

  sql`create table ad_conversion_tags (
    id bigint primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    name text not null,
    status text not null default 'ACTIVE',
    configs jsonb not null,
    last_fired_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  sql`create index ad_conversion_tags_account_idx on ad_conversion_tags (ad_account_id, id)`,

  // Conversion events an advertiser sent (POST /v5/ad_accounts/{id}/events), one per event_id. Only
  // hashed user data is kept, and the person it matched when it matched one.
  sql`create table ad_conversions (
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    event_id text not null,
    event_name text not null,
    action_source text not null,
    event_time timestamptz not null,
    user_id bigint,
    click_id text,
    value_micro bigint,
    currency text,
    order_id text,
    num_items bigint,
    user_hashes jsonb not null default '{}',
    is_test boolean not null default false,
    received_at timestamptz not null default now(),
    primary key (ad_account_id, event_id)
  )`,
  sql`create index ad_conversions_time_idx on ad_conversions (ad_account_id, event_time)`,
  sql`create index ad_conversions_user_idx on ad_conversions (user_id, event_time) where user_id is not null`,

  // Asynchronous ads reports: the request, its state and where the finished file is.
  sql`create table ad_reports (
    token text primary key,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    request jsonb not null,
    status text not null,
    blob_key text,
    error text,
    size integer,
    created_at timestamptz not null default now(),
    finished_at timestamptz
  )`,
  sql`create index ad_reports_account_idx on ad_reports (ad_account_id, created_at)`,

  sql`alter table events add column ad_id bigint`,
  sql`alter table users add column email_sha256 text`,
  sql`create index users_email_sha256_idx on users (email_sha256)`,
];

/** SHA-256 of a normalised (trimmed, lower-case) e-mail, as advertisers hash them. */
function emailSha256(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
  // Existing people get their hash here; new ones get it when they sign up or change their e-mail.
  const { rows } = await sql<{ id: string; email: string }>`select id::text, email from users`.execute(db);
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    await sql`
      update users set email_sha256 = h.hash
      from unnest(${batch.map((r) => r.id)}::bigint[], ${batch.map((r) => emailSha256(r.email))}::text[])
        as h(id, hash)
      where users.id = h.id
    `.execute(db);
  }
}
