import { type Kysely, sql } from 'kysely';

// Frozen once shipped: never edit a migration that has shipped; add a new one.
// Conversions credited to an ad: at most one row per conversion (its primary key is the conversion's), made
// once when the conversion is received, from the person's last click (else last view) on an ad of the same
// account within the configured windows. The ad's group, campaign and pin are copied in, and the row counts
// in the UTC hour of the conversion's event time, so every reporting level sums it with one range read.
const statements = [
  sql`create table ad_attributions (
    ad_account_id bigint not null,
    event_id text not null,
    ad_id bigint not null,
    ad_group_id bigint not null,
    campaign_id bigint not null,
    pin_id bigint not null,
    hour timestamptz not null,
    app_type text not null,
    touch text not null check (touch in ('CLICK', 'VIEW')),
    touched_at timestamptz not null,
    event_name text not null,
    action_source text not null,
    value_micro bigint not null default 0 check (value_micro >= 0),
    attributed_at timestamptz not null default now(),
    primary key (ad_account_id, event_id),
    foreign key (ad_account_id, event_id) references ad_conversions (ad_account_id, event_id) on delete cascade
  )`,
  sql`create index ad_attributions_account_idx on ad_attributions (ad_account_id, hour)`,

  // A person's events about ads, newest first: the clicks and views a conversion may be credited to.
  // Partial: organic events, most of the stream, stay out.
  sql`create index events_ad_touches_idx on events (user_id, occurred_at desc)
      where user_id is not null and ad_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
