import type { ColumnType } from 'kysely';

/** int8 columns arrive as decimal strings from both pg and PGlite (see database.ts). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A generated int8 primary key (bigserial). */
type Int8Key = ColumnType<string, string | number | bigint | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default (now()). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface InstanceSecretTable {
  name: string;
  value: string;
  created_at: TimestampDefault;
}

export interface OutboxTable {
  id: Int8Key;
  topic: string;
  payload: Json;
  created_at: TimestampDefault;
  published_at: Timestamp | null;
}

export interface JobQueueTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: ColumnType<number, number | undefined, number>;
  run_at: TimestampDefault;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
}

export interface JobDoneTable {
  event_id: Int8;
  consumer: string;
  done_at: TimestampDefault;
}

export interface DeadLetterTable {
  event_id: Int8;
  consumer: string;
  topic: string;
  payload: Json;
  attempts: number;
  last_error: string | null;
  created_at: TimestampDefault;
}

export interface UserTable {
  id: Int8;
  username: string;
  email: string;
  password_hash: string;
  about: ColumnType<string, string | undefined, string>;
  website_url: ColumnType<string, string | undefined, string>;
  profile_image: ColumnType<string, string | undefined, string>;
  account_type: ColumnType<'PINNER' | 'BUSINESS', 'PINNER' | 'BUSINESS' | undefined, 'PINNER' | 'BUSINESS'>;
  business_name: string | null;
  created_at: TimestampDefault;
  /** SHA-256 of the trimmed, lower-cased e-mail (matching customer lists and conversions). */
  email_sha256: string | null;
}

export interface WebSessionTable {
  id_hash: string;
  user_id: Int8;
  csrf: string;
  expires_at: Timestamp;
}

export interface AppTable {
  id: Int8;
  name: string;
  owner_id: Int8 | null;
  secret_hash: string;
  redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  created_at: TimestampDefault;
}

export interface OauthCodeTable {
  code_hash: string;
  app_id: Int8;
  user_id: Int8;
  redirect_uri: string;
  scopes: string[];
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** The token family the code's first exchange created. */
  family_id: Int8 | null;
}

export interface OauthTokenTable {
  id: Int8Key;
  token_hash: string;
  kind: 'access' | 'refresh';
  app_id: Int8;
  user_id: Int8 | null;
  scopes: string[];
  refresh_id: Int8 | null;
  /** The authorization this token descends from (its first refresh token's id); null for none. */
  family_id: Int8 | null;
  /** When rotation replaced this refresh token; presenting it again is reuse. */
  rotated_at: Timestamp | null;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  created_at: TimestampDefault;
}

/** Addresses that signed a subject (`user:<id>`, `app:<id>`) in successfully (SHA-256 of the address). */
export interface AuthKnownAddressTable {
  subject: string;
  address_hash: string;
  last_success_at: TimestampDefault;
}

export type Privacy = 'PUBLIC' | 'PROTECTED' | 'SECRET';

export interface BoardTable {
  id: Int8;
  owner_id: Int8;
  name: string;
  description: string | null;
  privacy: ColumnType<Privacy, Privacy | undefined, Privacy>;
  is_ads_only: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: TimestampDefault;
  pins_modified_at: TimestampDefault;
}

export interface BoardSectionTable {
  id: Int8;
  board_id: Int8;
  name: string;
  created_at: TimestampDefault;
}

export interface ImageTable {
  id: Int8;
  key: string;
  status: 'pending' | 'ready' | 'failed';
  source_url: string | null;
  sha256: string | null;
  width: number | null;
  height: number | null;
  dominant_color: string | null;
  dhash: Int8 | null;
  variants: ColumnType<unknown, string | undefined, string>;
  error: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface PinTable {
  id: Int8;
  owner_id: Int8;
  board_id: Int8;
  section_id: Int8 | null;
  parent_pin_id: Int8 | null;
  title: string | null;
  description: string | null;
  alt_text: string | null;
  link: string | null;
  dominant_color: string | null;
  media_type: ColumnType<string, string | undefined, string>;
  created_at: TimestampDefault;
}

export interface PinImageTable {
  pin_id: Int8;
  position: number;
  image_id: Int8;
  title: string | null;
  description: string | null;
  link: string | null;
}

export interface FollowTable {
  follower_id: Int8;
  followee_id: Int8;
  created_at: TimestampDefault;
}

export interface UserWebsiteTable {
  user_id: Int8;
  website: string;
  method: 'METATAG' | 'FILENAME' | 'DNSTXT';
  verified_at: TimestampDefault;
}

export interface BoardFollowTable {
  user_id: Int8;
  board_id: Int8;
  created_at: TimestampDefault;
}

export interface MediaUploadTable {
  id: Int8;
  user_id: Int8;
  media_type: 'video';
  status: 'registered' | 'processing' | 'succeeded' | 'failed';
  upload_token_hash: string;
  content_type: string | null;
  bytes: Int8 | null;
  error: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  /** When a pin took this upload; null while unused (counted against the quota, and expiring). */
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface EventTable {
  /** UTC date of occurred_at, as 'YYYY-MM-DD' (the partition key). */
  day: ColumnType<string, string, string>;
  id: string;
  kind: string;
  occurred_at: Timestamp;
  received_at: TimestampDefault;
  user_id: Int8 | null;
  device_id: string | null;
  app_id: Int8 | null;
  pin_id: Int8 | null;
  board_id: Int8 | null;
  target_user_id: Int8 | null;
  query: string | null;
  surface: string | null;
  position: number | null;
  app_type: string;
  request_id: string | null;
  batch_id: Int8;
  /** The ad an event was about (a promoted item's impression or click); null for organic events. */
  ad_id: ColumnType<string | null, string | number | bigint | null | undefined, string | null>;
}

export interface ImpressionTokenUseTable {
  token_id: string;
  kind: string;
  event_id: string;
  expires_at: Timestamp;
}

/** A bigint counter with a default of 0. */
type Count = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;

/** The counters every analytics rollup row carries. */
interface RollupCounts {
  impressions: Count;
  pin_clicks: Count;
  saves: Count;
  outbound_clicks: Count;
}

export interface PinDailyRollupTable extends RollupCounts {
  pin_id: Int8;
  day: ColumnType<string, string, string>;
  app_type: string;
  owner_id: Int8;
}

export interface CreatorDailyRollupTable extends RollupCounts {
  user_id: Int8;
  day: ColumnType<string, string, string>;
  app_type: string;
}

export interface AppTypeDailyRollupTable extends RollupCounts {
  day: ColumnType<string, string, string>;
  app_type: string;
}

export interface AnalyticsRolledBatchTable {
  batch_id: Int8;
  rolled_at: TimestampDefault;
}

export interface PinHourlySignalTable {
  pin_id: Int8;
  hour: Timestamp;
  saves: Count;
  engagements: Count;
}

/** Every table Corkboard's code queries, as Kysely sees it. Modules add theirs here. */
export interface Database {
  instance_secrets: InstanceSecretTable;
  outbox: OutboxTable;
  job_queue: JobQueueTable;
  job_done: JobDoneTable;
  dead_letters: DeadLetterTable;
  users: UserTable;
  web_sessions: WebSessionTable;
  apps: AppTable;
  oauth_codes: OauthCodeTable;
  oauth_tokens: OauthTokenTable;
  auth_known_addresses: AuthKnownAddressTable;
  boards: BoardTable;
  board_sections: BoardSectionTable;
  images: ImageTable;
  pins: PinTable;
  pin_images: PinImageTable;
  follows: FollowTable;
  board_follows: BoardFollowTable;
  user_websites: UserWebsiteTable;
  media_uploads: MediaUploadTable;
  events: EventTable;
  impression_token_uses: ImpressionTokenUseTable;
  pin_daily_rollups: PinDailyRollupTable;
  creator_daily_rollups: CreatorDailyRollupTable;
  app_type_daily_rollups: AppTypeDailyRollupTable;
  pin_hourly_signals: PinHourlySignalTable;
  analytics_rolled_batches: AnalyticsRolledBatchTable;
  feed_activity: FeedActivityTable;
  feed_heavy_sources: FeedHeavySourceTable;
  ad_accounts: AdAccountTable;
  ad_account_members: AdAccountMemberTable;
  ad_campaigns: AdCampaignTable;
  ad_groups: AdGroupTable;
  ads: AdTable;
  ad_keywords: AdKeywordTable;
  ad_customer_lists: AdCustomerListTable;
  ad_customer_list_users: AdCustomerListUserTable;
  ad_audiences: AdAudienceTable;
  ad_audience_users: AdAudienceUserTable;
  ad_targeting_templates: AdTargetingTemplateTable;
  ad_conversion_tags: AdConversionTagTable;
  ad_conversions: AdConversionTable;
  ad_reports: AdReportTable;
  ad_hourly_stats: AdHourlyStatTable;
  ads_rolled_batches: AdsRolledBatchTable;
}

/** Who used the home feed or wrote a pin recently (fan-out goes only to them). */
export interface FeedActivityTable {
  user_id: Int8;
  active_at: TimestampDefault;
}

/** Authors and boards with too many followers to fan out to; their pins are merged at read time. */
export interface FeedHeavySourceTable {
  kind: 'user' | 'board';
  source_id: Int8;
  marked_at: TimestampDefault;
}

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
