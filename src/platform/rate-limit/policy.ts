import { assertLimit, type RateLimit } from './rate-limiter.js';

/** Pinterest's `x-ratelimit-category` values for the operations Corkboard implements, plus a fallback. */
export const RATE_LIMIT_CATEGORIES = [
  'org_read',
  'org_write',
  'org_analytics',
  'ads_read',
  'ads_write',
  'ads_analytics',
  'ads_conversions',
  'trends_read',
  'events_write',
  'default',
] as const;

/** One of {@link RATE_LIMIT_CATEGORIES}. */
export type RateLimitCategory = (typeof RATE_LIMIT_CATEGORIES)[number];

/** The limit of every category. */
export type RateLimitTable = Readonly<Record<RateLimitCategory, RateLimit>>;

const perMinute = (points: number): RateLimit => ({ points, windowMs: 60_000 });

/**
 * Defaults per user per app, after Pinterest's Standard-access table where it publishes a number
 * (org_read, ads_read 1000/min; ads_analytics 300/min); the rest are chosen: writes are dearer than
 * reads (org_write 100/min, ads_write 400/min), analytics and trends are heavy queries (300/min),
 * event reports (POST /v5/events, an extension, up to 1,000 events a call) have their own 600/min so they
 * never use up a client's writes, conversion batches get Pinterest's 5000/min, and anything uncategorised
 * gets 1000/min.
 */
export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  org_read: perMinute(1000),
  org_write: perMinute(100),
  org_analytics: perMinute(300),
  ads_read: perMinute(1000),
  ads_write: perMinute(400),
  ads_analytics: perMinute(300),
  ads_conversions: perMinute(5000),
  trends_read: perMinute(300),
  events_write: perMinute(600),
  default: perMinute(1000),
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** True for a known category name. */
export function isRateLimitCategory(name: string): name is RateLimitCategory {
  return (RATE_LIMIT_CATEGORIES as readonly string[]).includes(name);
}

/**
 * Parses `RATE_LIMITS`: empty for the defaults, `off` for no limiting (null), or comma-separated
 * `category=points/window` overrides (window `500ms`, `60s`, `1m`, `min`, `1h`; count optional).
 * Throws an Error naming the first bad entry.
 */
export function parseRateLimits(spec: string | undefined): RateLimitTable | null {
  const text = (spec ?? '').trim();
  if (text.toLowerCase() === 'off') return null;
  const table: Record<RateLimitCategory, RateLimit> = { ...DEFAULT_RATE_LIMITS };
  if (text === '') return table;
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const bad = (why: string) => new Error(`RATE_LIMITS entry "${entry}" is invalid: ${why}`);
    const m = /^([a-z_]+)\s*=\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|min|m|h)$/i.exec(entry);
    if (!m) throw bad('expected category=points/window, e.g. org_read=1000/60s');
    const [, name = '', points = '', count = '', unit = ''] = m;
    const category = name.toLowerCase();
    if (!isRateLimitCategory(category))
      throw bad(`unknown category; use one of ${RATE_LIMIT_CATEGORIES.join(', ')}`);
    if (seen.has(category)) throw bad(`${category} is given twice`);
    seen.add(category);
    const limit = {
      points: Number(points),
      windowMs: (count === '' ? 1 : Number(count)) * (UNIT_MS[unit.toLowerCase()] ?? Number.NaN),
    };
    try {
      assertLimit(limit);
    } catch (err) {
      throw bad((err as Error).message);
    }
    table[category] = limit;
  }
  return table;
}

/** The counter key of one category for one user through one app (Pinterest limits per user per app). */
export function rateLimitKey(category: RateLimitCategory, userId: string, appId: string): string {
  return `${category}:${encodeURIComponent(appId)}:${encodeURIComponent(userId)}`;
}
