import type { ColumnType, Generated } from 'kysely';
import type { Count, Int8, Json, Timestamp, TimestampDefault } from './column-types.js';

// The advertising tables (migrations 0015-0020), in the Database map of schema.ts.

/** Money in micro-currency: int8, read as a decimal string like every int8. */
type Micro = Int8;
type Updated = TimestampDefault;

export type AdAccountRole = 'ADMIN' | 'ANALYST' | 'CAMPAIGN_MANAGER';

export interface AdAccountTable {
  id: Int8;
  owner_id: Int8;
  name: string;
  country: string;
  currency: string;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdAccountMemberTable {
  ad_account_id: Int8;
  user_id: Int8;
  role: AdAccountRole;
  created_at: TimestampDefault;
}

export interface AdCampaignTable {
  id: Int8;
  ad_account_id: Int8;
  name: string;
  status: string;
  objective_type: string;
  daily_spend_cap: Micro | null;
  lifetime_spend_cap: Micro | null;
  start_time: Timestamp | null;
  end_time: Timestamp | null;
  tracking_urls: Json | null;
  order_line_id: Int8 | null;
  is_flexible_daily_budgets: ColumnType<boolean, boolean | undefined, boolean>;
  is_campaign_budget_optimization: ColumnType<boolean, boolean | undefined, boolean>;
  default_ad_group_budget: Micro | null;
  is_automated_campaign: ColumnType<boolean, boolean | undefined, boolean>;
  is_performance_plus: ColumnType<boolean, boolean | undefined, boolean>;
  bid_options: Json | null;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdGroupTable {
  id: Int8;
  ad_account_id: Int8;
  campaign_id: Int8;
  name: string;
  status: string;
  budget_type: string;
  budget: Micro | null;
  bid: Micro | null;
  bid_strategy_type: string | null;
  billable_event: string;
  pacing_delivery_type: string;
  placement_group: string;
  lifetime_frequency_cap: number | null;
  start_time: Timestamp | null;
  end_time: Timestamp | null;
  targeting_spec: Json;
  auto_targeting_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  tracking_urls: Json | null;
  targeting_template_ids: Json | null;
  optimization_goal_metadata: Json | null;
  is_creative_optimization: boolean | null;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdTable {
  id: Int8;
  ad_account_id: Int8;
  campaign_id: Int8;
  ad_group_id: Int8;
  pin_id: Int8;
  name: string | null;
  status: string;
  creative_type: string;
  destination_url: string | null;
  click_tracking_url: string | null;
  view_tracking_url: string | null;
  tracking_urls: Json | null;
  details: ColumnType<unknown, string | undefined, string>;
  review_status: string;
  rejected_reasons: ColumnType<string[], string[] | undefined, string[]>;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdKeywordTable {
  id: Int8;
  ad_account_id: Int8;
  parent_type: 'advertiser' | 'campaign' | 'ad_group';
  parent_id: Int8;
  value: string;
  match_type: string;
  bid: Micro | null;
  archived: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdCustomerListTable {
  id: Int8;
  ad_account_id: Int8;
  name: string;
  list_type: string;
  num_batches: ColumnType<number, number | undefined, number>;
  num_uploaded_user_records: Count;
  num_removed_user_records: Count;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdCustomerListUserTable {
  customer_list_id: Int8;
  user_id: Int8;
}

export interface AdAudienceTable {
  id: Int8;
  ad_account_id: Int8;
  name: string;
  audience_type: string;
  description: string | null;
  rule: Json;
  status: ColumnType<string, string | undefined, string>;
  created_at: TimestampDefault;
  updated_at: Updated;
  /** When its members were last computed. */
  members_at: TimestampDefault;
}

export interface AdAudienceUserTable {
  audience_id: Int8;
  user_id: Int8;
}

export interface AdTargetingTemplateTable {
  id: Int8;
  ad_account_id: Int8;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  targeting_attributes: Json;
  keywords: ColumnType<unknown, string | undefined, string>;
  placement_group: ColumnType<string, string | undefined, string>;
  auto_targeting_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  tracking_urls: Json | null;
  created_at: TimestampDefault;
  updated_at: Updated;
}

export interface AdConversionTagTable {
  id: Int8;
  ad_account_id: Int8;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  configs: Json;
  last_fired_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface AdConversionTable {
  ad_account_id: Int8;
  event_id: string;
  event_name: string;
  action_source: string;
  event_time: Timestamp;
  user_id: Int8 | null;
  click_id: string | null;
  value_micro: Micro | null;
  currency: string | null;
  order_id: string | null;
  num_items: Int8 | null;
  user_hashes: ColumnType<unknown, string | undefined, string>;
  is_test: ColumnType<boolean, boolean | undefined, boolean>;
  received_at: TimestampDefault;
}

export interface AdReportTable {
  token: string;
  ad_account_id: Int8;
  user_id: Int8;
  request: Json;
  status: string;
  blob_key: string | null;
  error: string | null;
  size: number | null;
  created_at: TimestampDefault;
  finished_at: Timestamp | null;
}

/** Ads delivery per ad, UTC hour and app type (rolled up from events with an ad_id). */
export interface AdHourlyStatTable {
  ad_id: Int8;
  hour: Timestamp;
  app_type: string;
  ad_account_id: Int8;
  campaign_id: Int8;
  ad_group_id: Int8;
  pin_id: Int8;
  impressions: Int8;
  pin_clicks: Int8;
  outbound_clicks: Int8;
  saves: Int8;
  spend_micro: Micro;
}

/** Event batches already counted in ad_hourly_stats. */
export interface AdsRolledBatchTable {
  batch_id: Int8;
  rolled_at: TimestampDefault;
}

/** Impressions and clicks of an ad per placement, all time (predicted click-through). */
export interface AdPlacementStatTable {
  ad_id: Int8;
  placement: 'BROWSE' | 'SEARCH';
  ad_group_id: Int8;
  campaign_id: Int8;
  impressions: Count;
  clicks: Count;
}

/** One billed item (impression token) of a promoted pin, and how billing settled it. */
export interface AdChargeTable {
  token_id: string;
  batch_id: Int8;
  ad_id: Int8;
  event_id: string;
  kind: string;
  app_type: string;
  served_at: Timestamp;
  amount_micro: Micro;
  /** What the item held of its budget block (at most this comes off the block's hold). */
  hold_micro: Micro;
  reservation_id: string;
}

/** How a charge was settled: one row, inserted once by billing (a charge without one is pending). */
export interface AdChargeSettleTable {
  token_id: string;
  state: AdChargeState;
  charged_micro: Count;
  overdelivered_micro: Count;
  settled_at: TimestampDefault;
}

export type AdChargeState = 'charged' | 'overdelivered' | 'released' | 'unknown';

/** The spend ledger: charges per ad group and UTC day of serving. */
export interface AdSpendDailyTable {
  ad_group_id: Int8;
  day: ColumnType<string, string, string>;
  ad_account_id: Int8;
  campaign_id: Int8;
  spend_micro: Micro;
  billed_events: Count;
  overdelivered_micro: Micro;
  overdelivered_events: Count;
}

/** Lifetime impressions of a frequency-capped ad group per viewer. */
export interface AdViewerImpressionTable {
  user_id: Int8;
  ad_group_id: Int8;
  impressions: Count;
}

/** A sampled auction: its candidates scored and ranked, and the winners. */
export interface AdAuctionTable {
  id: Generated<string>;
  at: Timestamp;
  request_id: string;
  surface: string;
  placement: string;
  candidates: Json;
  winners: Json;
}

/** A conversion credited to an ad (its last click or view before the conversion), one per conversion. */
export interface AdAttributionTable {
  ad_account_id: Int8;
  event_id: string;
  ad_id: Int8;
  ad_group_id: Int8;
  campaign_id: Int8;
  pin_id: Int8;
  /** The UTC hour of the conversion's event time: where it counts in reports. */
  hour: Timestamp;
  /** The app type of the click or view. */
  app_type: string;
  touch: 'CLICK' | 'VIEW';
  touched_at: Timestamp;
  event_name: string;
  action_source: string;
  value_micro: Micro;
  attributed_at: TimestampDefault;
}
