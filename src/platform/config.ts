import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRateLimits, type RateLimitTable } from './rate-limit/policy.js';

/** Validated, frozen runtime configuration. Built once at start from the environment. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  /** PostgreSQL URL; undefined selects embedded PGlite. `memory://` selects an in-memory PGlite. */
  readonly databaseUrl: string | undefined;
  /** Redis URL; undefined selects in-process cache and database-backed jobs. */
  readonly redisUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * LOG_FORMAT: `json` lines, `pretty` readable lines (pino-pretty, a development dependency), or `auto`
   * (the default): pretty on a terminal unless NODE_ENV=production, JSON otherwise (logger.ts).
   */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** The 16-bit shard written into every ID this database creates. */
  readonly shardId: number;
  readonly bodyLimitBytes: number;
  readonly dbPoolMax: number;
  /** How long a request waits for a new database connection before it fails with 503. */
  readonly dbConnectTimeoutMs: number;
  /** Whether `serve` also runs the job consumers (always true in embedded mode unless set false). */
  readonly runJobs: boolean;
  readonly jobMaxAttempts: number;
  readonly jobLeaseMs: number;
  readonly jobPollMs: number;
  readonly jobBackoffBaseMs: number;
  /** After this long, an event some consumer has not finished is republished (the broker lost it). */
  readonly jobReconcileAfterMs: number;
  /** Days to keep published outbox rows and delivery records (the redelivery guard). */
  readonly jobRetentionDays: number;
  /**
   * `/readyz?verbose` reports the jobs as stalled when the oldest outbox row no relay has published is
   * older than this (JOBS_STALL_SECONDS): no process is running jobs, or none keeps up.
   */
  readonly jobsStallSeconds: number;
  readonly cacheMaxEntries: number;
  readonly shutdownTimeoutMs: number;
  /** Key prefix for Redis keys and streams, so several deployments or test runs can share one Redis. */
  readonly redisPrefix: string;
  /** Largest image accepted (upload, base64 or fetched), in bytes. */
  readonly imageMaxBytes: number;
  /** Largest image accepted, in pixels (width × height): refuses decompression bombs. */
  readonly imageMaxPixels: number;
  /** Largest media (video) upload accepted, in bytes. */
  readonly videoMaxBytes: number;
  /** Media uploads: bytes one person may hold in uploads no pin has used yet (MEDIA_QUOTA_BYTES). */
  readonly mediaQuotaBytes: number;
  /** Media uploads: registrations one person may have waiting for their file (MEDIA_PENDING_MAX). */
  readonly mediaPendingMax: number;
  /** Media uploads: an upload no pin has used is deleted, blobs and all, this long after its last change. */
  readonly mediaUnusedTtlMs: number;
  /** Time budget of one outbound fetch of a user-given URL. */
  readonly fetchTimeoutMs: number;
  /** Hosts (`host` or `host:port`) outbound fetches may reach even if private; empty in production. */
  readonly fetchAllowHosts: readonly string[];
  /** Fill an empty database with the demo world at `serve` (embedded default), and print a token. */
  readonly seedDemo: boolean;
  /** Where images and uploads are stored (a directory). */
  readonly mediaDir: string;
  /** The built web app (static files) served at `/`; `web/dist` of this package unless WEB_DIR says. */
  readonly webDir: string;
  /** Per user and app, per `x-ratelimit-category`; null turns rate limiting off (RATE_LIMITS=off). */
  readonly rateLimits: RateLimitTable | null;
  /**
   * Throttling of password, app-secret and grant guessing (AUTH_THROTTLE, on by default). A security
   * control, separate from RATE_LIMITS (the API quota): turning quotas off leaves it on.
   */
  readonly authThrottle: boolean;
  /**
   * Whether answers a service wrote as JSON bytes (pin lists, a held pin) are parsed and checked against
   * their route's response schema before they go out (CHECK_WRITTEN_JSON, off by default; the tests turn
   * it on). A mismatch is a 500 naming the first difference.
   */
  readonly checkWrittenJson: boolean;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (TRUST_PROXY; Fastify's
   * `trustProxy`): false (default: the socket's peer is the client), true (any), a hop count, or a list
   * of proxy addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** PostgreSQL schema holding Corkboard's tables (services mode). */
  readonly dbSchema: string;
  /** How long an impression token stays valid after it is issued. */
  readonly impressionTokenTtlMs: number;
  /** How far in the future an event's `time` may be (client clocks drift). */
  readonly eventsMaxSkewMs: number;
  /** How old an event's `time` may be when it arrives (offline clients send late). */
  readonly eventsLatenessMs: number;
  /** Days of raw events kept; older daily partitions are dropped. */
  readonly eventsRetentionDays: number;
  /** Daily partitions made ahead of today. */
  readonly eventsPartitionsAhead: number;
  /** Home feed: entries kept per person's materialised following list (FEED_LIST_SIZE). */
  readonly feedListSize: number;
  /** Home feed: people who used the feed or wrote a pin within this many days get fan-out. */
  readonly feedActiveDays: number;
  /** Home feed: authors and boards with more followers than this are merged at read time, not fanned out. */
  readonly feedCelebrityFollowers: number;
  /** Home feed: relative shares of following, related-to-saves and popular pins in a page. */
  readonly feedShares: { readonly following: number; readonly related: number; readonly popular: number };
  /** Home feed: at most `max` pins per board and per creator in any `window` consecutive items. */
  readonly feedDiversity: { readonly max: number; readonly window: number };
  /** Home feed: how long a session's bookmark stays usable after its last page. */
  readonly feedSessionTtlMs: number;
  /**
   * Home feed: a first page ranked longer ago than this is served once more while a fresh one is ranked
   * in the background (0: every first page is ranked while the person waits).
   */
  readonly feedSnapshotTtlMs: number;
  /**
   * Ads attribution: a conversion is credited to its person's last click on an ad of the account within
   * this many days before it (ADS_ATTRIBUTION_CLICK_DAYS)...
   */
  readonly adsAttributionClickDays: number;
  /** ...else to their last view (impression) within this many days (ADS_ATTRIBUTION_VIEW_DAYS; 0: none). */
  readonly adsAttributionViewDays: number;
  /**
   * Who may use the experiments API (`EXPERIMENT_ADMINS`): user ids or usernames (case-insensitive) of
   * the instance's operators. Empty: nobody, whatever scopes their token holds.
   */
  readonly experimentAdmins: readonly string[];
  /** Related pins: random-walk steps per query (RELATED_WALK_STEPS). */
  readonly relatedWalkSteps: number;
  /** Related pins: pins a board keeps in the graph, its newest (RELATED_BOARD_DEGREE_CAP). */
  readonly relatedBoardCap: number;
  /** Related pins: how often each node reads the graph's change log (RELATED_POLL_MS). */
  readonly relatedPollMs: number;
  /** Related pins: how often each node rebuilds its graph from the tables (RELATED_REBUILD_MINUTES, 0: never). */
  readonly relatedRebuildMs: number;
  /** Related pins: worker threads that run walks (RELATED_WALK_WORKERS, default min(2, cores); 0: on the event loop). */
  readonly relatedWalkWorkers: number;
  /** Ads serving: whether promoted pins go into pages, and the auction's and layout's settings. */
  readonly adsServing: AdsServingConfig;
}

/** How promoted pins are served (ADS_* settings). */
export interface AdsServingConfig {
  /** ADS_SERVING: lay promoted pins into the home feed, related pins and search. */
  readonly enabled: boolean;
  /** Least eCPM an ad must reach per placement, micro per thousand impressions (ADS_RESERVE_CPM_MICRO_*). */
  readonly reserveEcpmMicro: { readonly BROWSE: number; readonly SEARCH: number };
  /** The organic quality guard: least relevance, 0 to 1 (ADS_MIN_RELEVANCE_PERCENT / 100). */
  readonly minRelevance: number;
  /** How long a served ad's budget is held for its billable event (ADS_RESERVATION_MINUTES). */
  readonly reservationTtlMs: number;
  /** ...for a per-click ad, whose click seldom comes (ADS_CLICK_RESERVATION_SECONDS). */
  readonly clickReservationTtlMs: number;
  /** Share of auctions written to the auction log, 0 to 1 (ADS_AUCTION_LOG_PERMILLE / 1000). */
  readonly logRate: number;
  /** Index of a page's first ad and the least organic items between two (ADS_FIRST_SLOT, ADS_SPACING). */
  readonly firstSlot: number;
  readonly spacing: number;
  /** How often a node looks for changed ads (ADS_REFRESH_SECONDS). */
  readonly refreshMs: number;
  /** The currency auctions rank and reserve prices are in (ADS_AUCTION_CURRENCY). */
  readonly auctionCurrency: string;
  /**
   * What one unit of each other currency is worth in the auction currency (ADS_EXCHANGE_RATES,
   * `EUR=1.08,JPY=0.0067`); ads in a currency without a rate are not served.
   */
  readonly exchangeRates: Readonly<Record<string, number>>;
  /**
   * How long a node hands out budget from one block it holds before giving the rest back
   * (ADS_BUDGET_BLOCK_MS; see BudgetBlocks).
   */
  readonly budgetBlockMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function currencyCode(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  if (!/^[A-Z]{3}$/.test(v)) throw new ConfigError(name, 'expected a currency code of three capital letters');
  return v;
}

/** `CODE=rate` pairs, comma-separated: each rate a positive decimal number. */
function exchangeRates(env: Env, name: string): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const pair of str(env, name, '').split(',')) {
    if (pair.trim() === '') continue;
    const m = /^\s*([A-Z]{3})\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(pair);
    const rate = m ? Number(m[2]) : Number.NaN;
    if (!m || !(rate > 0) || !Number.isFinite(rate))
      throw new ConfigError(name, `expected CODE=rate pairs with positive rates, got "${pair.trim()}"`);
    out[m[1]!] = rate;
  }
  return Object.freeze(out);
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `expected ${min}..${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a URL starting with ${protocols.join(' or ')}`);
  }
  return raw;
}

/** TRUST_PROXY: off/false (default), on/true, a hop count, or comma-separated addresses and CIDRs. */
function trustProxy(env: Env): boolean | number | readonly string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '') return false;
  const lower = raw.toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (/^\d+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 1, 20);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > maxBits);
    if (!family || badBits || extra !== undefined) {
      throw new ConfigError(
        'TRUST_PROXY',
        `expected off, on, a hop count or comma-separated addresses/CIDRs, got "${entry}"`,
      );
    }
  }
  return Object.freeze(entries);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = str(env, 'HOST', '127.0.0.1');
  const logLevel = str(env, 'LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const logFormat = str(env, 'LOG_FORMAT', 'auto');
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError('LOG_FORMAT', `expected one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`);
  }
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:', 'memory:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const dbSchema = str(env, 'DB_SCHEMA', 'public');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbSchema)) {
    throw new ConfigError('DB_SCHEMA', 'expected a lower-case SQL identifier');
  }
  const redisPrefix = str(env, 'REDIS_PREFIX', 'cb:');
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError('REDIS_PREFIX', 'expected 1..64 characters of A-Z a-z 0-9 : _ -');
  }
  const embedded = redisUrl === undefined;
  let rateLimits: RateLimitTable | null;
  try {
    rateLimits = parseRateLimits(optional(env, 'RATE_LIMITS'));
  } catch (err) {
    throw new ConfigError('RATE_LIMITS', (err as Error).message);
  }
  const dataDir = path.resolve(str(env, 'DATA_DIR', './data'));
  const eventsLatenessHours = int(env, 'EVENTS_LATENESS_HOURS', 48, 1, 24 * 365);
  const eventsRetentionDays = int(env, 'EVENTS_RETENTION_DAYS', 30, 2, 3650);
  // A late event must land in a partition that is still kept: the window fits inside retention.
  if (eventsLatenessHours >= (eventsRetentionDays - 1) * 24) {
    throw new ConfigError(
      'EVENTS_LATENESS_HOURS',
      `must be shorter than EVENTS_RETENTION_DAYS - 1 days (${(eventsRetentionDays - 1) * 24} hours)`,
    );
  }
  return Object.freeze({
    port,
    host,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dataDir,
    databaseUrl,
    redisUrl,
    logLevel: logLevel as Config['logLevel'],
    logFormat: logFormat as Config['logFormat'],
    shardId: int(env, 'SHARD_ID', 1, 0, 65535),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
    dbConnectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    runJobs: bool(env, 'RUN_JOBS', embedded),
    jobMaxAttempts: int(env, 'JOB_MAX_ATTEMPTS', 8, 1, 100),
    jobLeaseMs: int(env, 'JOB_LEASE_MS', 30_000, 100, 3_600_000),
    jobPollMs: int(env, 'JOB_POLL_MS', 500, 10, 60_000),
    jobBackoffBaseMs: int(env, 'JOB_BACKOFF_BASE_MS', 1000, 1, 600_000),
    jobReconcileAfterMs: int(env, 'JOB_RECONCILE_AFTER_MS', 10 * 60_000, 100, 7 * 24 * 3_600_000),
    jobRetentionDays: int(env, 'JOB_RETENTION_DAYS', 7, 1, 3650),
    jobsStallSeconds: int(env, 'JOBS_STALL_SECONDS', 120, 1, 7 * 86_400),
    cacheMaxEntries: int(env, 'CACHE_MAX_ENTRIES', 10_000, 0, 10_000_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    redisPrefix,
    dbSchema,
    imageMaxBytes: int(env, 'IMAGE_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    imageMaxPixels: int(env, 'IMAGE_MAX_PIXELS', 50_000_000, 1_000, 500_000_000),
    videoMaxBytes: int(env, 'VIDEO_MAX_BYTES', 512 * 1024 * 1024, 1024, 8 * 1024 * 1024 * 1024),
    // Media upload limits: four full-size videos waiting to be pinned, twenty registrations without their
    // file yet, and a day to use an upload before it is swept.
    mediaQuotaBytes: int(env, 'MEDIA_QUOTA_BYTES', 2 * 1024 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024),
    mediaPendingMax: int(env, 'MEDIA_PENDING_MAX', 20, 1, 10_000),
    mediaUnusedTtlMs: int(env, 'MEDIA_UNUSED_TTL_MINUTES', 24 * 60, 1, 365 * 24 * 60) * 60_000,
    fetchTimeoutMs: int(env, 'FETCH_TIMEOUT_MS', 10_000, 100, 120_000),
    fetchAllowHosts: Object.freeze(
      str(env, 'FETCH_ALLOW_HOSTS', '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
    rateLimits,
    authThrottle: bool(env, 'AUTH_THROTTLE', true),
    checkWrittenJson: bool(env, 'CHECK_WRITTEN_JSON', false),
    trustProxy: trustProxy(env),
    seedDemo: bool(env, 'SEED_DEMO', embedded && databaseUrl === undefined),
    mediaDir: path.resolve(str(env, 'MEDIA_DIR', path.join(dataDir, 'media'))),
    webDir: path.resolve(str(env, 'WEB_DIR', fileURLToPath(new URL('../../web/dist', import.meta.url)))),
    impressionTokenTtlMs: int(env, 'IMPRESSION_TOKEN_TTL_MINUTES', 24 * 60, 1, 45 * 24 * 60) * 60_000,
    eventsMaxSkewMs: int(env, 'EVENTS_MAX_SKEW_SECONDS', 300, 0, 86_400) * 1000,
    eventsLatenessMs: eventsLatenessHours * 3_600_000,
    eventsRetentionDays,
    eventsPartitionsAhead: int(env, 'EVENTS_PARTITIONS_AHEAD', 3, 1, 60),
    ...feedSettings(env),
    adsServing: Object.freeze({
      enabled: bool(env, 'ADS_SERVING', true),
      reserveEcpmMicro: Object.freeze({
        BROWSE: int(env, 'ADS_RESERVE_CPM_MICRO_BROWSE', 500_000, 1, 1_000_000_000_000),
        SEARCH: int(env, 'ADS_RESERVE_CPM_MICRO_SEARCH', 1_000_000, 1, 1_000_000_000_000),
      }),
      minRelevance: int(env, 'ADS_MIN_RELEVANCE_PERCENT', 30, 0, 100) / 100,
      reservationTtlMs: int(env, 'ADS_RESERVATION_MINUTES', 15, 1, 24 * 60) * 60_000,
      clickReservationTtlMs: int(env, 'ADS_CLICK_RESERVATION_SECONDS', 60, 1, 24 * 3600) * 1000,
      logRate: int(env, 'ADS_AUCTION_LOG_PERMILLE', 10, 0, 1000) / 1000,
      firstSlot: int(env, 'ADS_FIRST_SLOT', 3, 0, 100),
      spacing: int(env, 'ADS_SPACING', 7, 1, 100),
      refreshMs: int(env, 'ADS_REFRESH_SECONDS', 5, 1, 3600) * 1000,
      auctionCurrency: currencyCode(env, 'ADS_AUCTION_CURRENCY', 'USD'),
      exchangeRates: exchangeRates(env, 'ADS_EXCHANGE_RATES'),
      budgetBlockMs: int(env, 'ADS_BUDGET_BLOCK_MS', 1_000, 100, 60_000),
    }),
    ...relatedSettings(env),
    adsAttributionClickDays: int(env, 'ADS_ATTRIBUTION_CLICK_DAYS', 30, 1, 365),
    adsAttributionViewDays: int(env, 'ADS_ATTRIBUTION_VIEW_DAYS', 1, 0, 365),
    experimentAdmins: experimentAdmins(env),
  });
}

/** `EXPERIMENT_ADMINS`: comma-separated user ids or usernames. */
function experimentAdmins(env: Env): readonly string[] {
  const entries = str(env, 'EXPERIMENT_ADMINS', '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const e of entries)
    if (!/^[a-z0-9_.-]{1,64}$/.test(e))
      throw new ConfigError('EXPERIMENT_ADMINS', `${JSON.stringify(e)} is not a user id or username`);
  return Object.freeze(entries);
}

/** Related pins' settings (see the related-pins section of docs/architecture.md). */
function relatedSettings(env: Env) {
  return {
    relatedWalkSteps: int(env, 'RELATED_WALK_STEPS', 50_000, 100, 10_000_000),
    relatedBoardCap: int(env, 'RELATED_BOARD_DEGREE_CAP', 5_000, 1, 100_000_000),
    relatedPollMs: int(env, 'RELATED_POLL_MS', 1000, 10, 600_000),
    relatedRebuildMs: int(env, 'RELATED_REBUILD_MINUTES', 15, 0, 7 * 24 * 60) * 60_000,
    relatedWalkWorkers: int(env, 'RELATED_WALK_WORKERS', Math.min(2, availableParallelism()), 0, 64),
  };
}

/** The home feed's settings (see the feed section of docs/architecture.md). */
function feedSettings(env: Env) {
  const feedShares = Object.freeze({
    following: int(env, 'FEED_SHARE_FOLLOWING', 40, 0, 100),
    related: int(env, 'FEED_SHARE_RELATED', 30, 0, 100),
    popular: int(env, 'FEED_SHARE_POPULAR', 30, 0, 100),
  });
  if (feedShares.following + feedShares.related + feedShares.popular === 0) {
    throw new ConfigError('FEED_SHARE_POPULAR', 'the three FEED_SHARE_* settings cannot all be 0');
  }
  return {
    feedListSize: int(env, 'FEED_LIST_SIZE', 800, 10, 100_000),
    feedActiveDays: int(env, 'FEED_ACTIVE_DAYS', 14, 1, 365),
    feedCelebrityFollowers: int(env, 'FEED_CELEBRITY_FOLLOWERS', 10_000, 1, 100_000_000),
    feedShares,
    feedDiversity: Object.freeze({
      max: int(env, 'FEED_DIVERSITY_MAX', 2, 1, 100),
      window: int(env, 'FEED_DIVERSITY_WINDOW', 10, 1, 250),
    }),
    feedSessionTtlMs: int(env, 'FEED_SESSION_MINUTES', 60, 1, 24 * 60) * 60_000,
    feedSnapshotTtlMs: int(env, 'FEED_SNAPSHOT_SECONDS', 30, 0, 3600) * 1000,
  };
}
