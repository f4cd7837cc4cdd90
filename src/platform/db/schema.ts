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
