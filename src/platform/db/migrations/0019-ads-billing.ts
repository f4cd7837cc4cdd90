import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Billing of promoted items: each billable event recorded with the event that caused it, settled against
// the shared spend store, and summed into a ledger per ad group and day. Frequency counts per viewer, and
// the auction log.
const statements = [
  // One row per billed item (its impression token): written in the statement that stores the event
  // (POST /v5/events), so an event and its charge commit together; settled by the billing consumer.
  // `served_at` is when the auction served the item: its budget day and the hour its spend counts in.
  sql`create table ad_charges (
    token_id text primary key,
    batch_id bigint not null,
    ad_id bigint not null,
    event_id text not null,
    kind text not null,
    app_type text not null,
    served_at timestamptz not null,
    amount_micro bigint not null check (amount_micro >= 0),
    reservation_id text not null,
    state text not null default 'pending'
      check (state in ('pending', 'charged', 'overdelivered', 'released', 'unknown')),
    charged_micro bigint not null default 0,
    overdelivered_micro bigint not null default 0,
    settled_at timestamptz
  )`,
  sql`create index ad_charges_pending_idx on ad_charges (batch_id) where state = 'pending'`,
  sql`create index ad_charges_ad_idx on ad_charges (ad_id, served_at)`,

  // The spend ledger: what billing charged per ad group and UTC day of serving (the budget's day), and
  // what was served beyond a cap (free to the advertiser). Written only by the billing consumer, in the
  // transaction that settles the charges, so it always equals the sum of its settled ad_charges.
  sql`create table ad_spend_daily (
    ad_group_id bigint not null,
    day date not null,
    ad_account_id bigint not null,
    campaign_id bigint not null,
    spend_micro bigint not null default 0,
    billed_events bigint not null default 0,
    overdelivered_micro bigint not null default 0,
    overdelivered_events bigint not null default 0,
    primary key (ad_group_id, day)
  )`,
  sql`create index ad_spend_daily_campaign_idx on ad_spend_daily (campaign_id, day)`,
  sql`create index ad_spend_daily_day_idx on ad_spend_daily (day)`,

  // Impressions of each frequency-capped ad group per viewer (lifetime), rolled up from the events.
  sql`create table ad_viewer_impressions (
    user_id bigint not null,
    ad_group_id bigint not null,
    impressions bigint not null default 0,
    primary key (user_id, ad_group_id)
  )`,

  // The auction log: sampled auctions with every candidate scored and the winners' prices, stored from
  // the ads.auction topic of the event stream for pricing and experiment analysis (kept 30 days).
  sql`create table ad_auctions (
    id bigint generated always as identity primary key,
    at timestamptz not null,
    request_id text not null,
    surface text not null,
    placement text not null,
    candidates jsonb not null,
    winners jsonb not null
  )`,
  sql`create index ad_auctions_at_idx on ad_auctions (at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
