import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Ads delivery counted per ad and hour, rolled up from the event stream (events with an ad_id), so ads
// analytics and reports read small rows instead of raw events.
const statements = [
  // One row per ad, UTC hour and app type. The ad's account, campaign, ad group and pin are copied in at
  // rollup time, so every level of reporting is one indexed range read. Counters only ever grow by the
  // increments of a batch; spend_micro is written by billing (integer micro-currency of the account).
  sql`create table ad_hourly_stats (
    ad_id bigint not null,
    hour timestamptz not null,
    app_type text not null,
    ad_account_id bigint not null references ad_accounts (id) on delete cascade,
    campaign_id bigint not null,
    ad_group_id bigint not null,
    pin_id bigint not null,
    impressions bigint not null default 0,
    pin_clicks bigint not null default 0,
    outbound_clicks bigint not null default 0,
    saves bigint not null default 0,
    spend_micro bigint not null default 0,
    primary key (ad_id, hour, app_type)
  )`,
  sql`create index ad_hourly_stats_account_idx on ad_hourly_stats (ad_account_id, hour)`,
  sql`create index ad_hourly_stats_campaign_idx on ad_hourly_stats (campaign_id, hour)`,
  sql`create index ad_hourly_stats_ad_group_idx on ad_hourly_stats (ad_group_id, hour)`,

  // Impressions and clicks (close-ups and outbound) of each ad per placement, all time: what predicted
  // click-through learns from (BROWSE: home feed and related pins; SEARCH: search results). Rolled up by
  // the same consumer, in the same transaction, as ad_hourly_stats.
  sql`create table ad_placement_stats (
    ad_id bigint not null,
    placement text not null check (placement in ('BROWSE', 'SEARCH')),
    ad_group_id bigint not null,
    campaign_id bigint not null,
    impressions bigint not null default 0,
    clicks bigint not null default 0,
    primary key (ad_id, placement)
  )`,

  // Event batches already added to ad_hourly_stats: a batch announced twice counts once.
  sql`create table ads_rolled_batches (
    batch_id bigint primary key,
    rolled_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
