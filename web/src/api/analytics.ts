import { api, query } from './client.js';
import type { Pin } from './types.js';

/** The account metrics the analytics page reads (GET /v5/user_account/analytics). */
export const COUNT_METRICS = ['IMPRESSION', 'ENGAGEMENT', 'SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK'] as const;
export const RATE_METRICS = [
  'ENGAGEMENT_RATE',
  'SAVE_RATE',
  'PIN_CLICK_RATE',
  'OUTBOUND_CLICK_RATE',
] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];
export type RateMetric = (typeof RATE_METRICS)[number];

/** What each metric is called on the page. */
export const METRIC_LABELS: Record<CountMetric, string> = {
  IMPRESSION: 'Impressions',
  ENGAGEMENT: 'Engagements',
  SAVE: 'Saves',
  PIN_CLICK: 'Pin clicks',
  OUTBOUND_CLICK: 'Outbound clicks',
};

export const RATE_OF: Record<CountMetric, RateMetric | undefined> = {
  IMPRESSION: undefined,
  ENGAGEMENT: 'ENGAGEMENT_RATE',
  SAVE: 'SAVE_RATE',
  PIN_CLICK: 'PIN_CLICK_RATE',
  OUTBOUND_CLICK: 'OUTBOUND_CLICK_RATE',
};

export type DataStatus = 'READY' | 'PROCESSING' | 'BEFORE_PIN_CREATED' | string;

export interface DailyMetrics {
  date: string;
  data_status: DataStatus;
  metrics: Record<string, number>;
}

export interface AnalyticsSeries {
  daily_metrics: DailyMetrics[];
  summary_metrics: Record<string, number>;
}

/** The answer: one series per split; without a split, under "all". */
export type AnalyticsReport = Record<string, AnalyticsSeries>;

export interface TopPin {
  pin_id: string;
  metrics: Record<string, number>;
  data_status: Record<string, DataStatus>;
}

export interface TopPinsReport {
  date_availability: { is_realtime: boolean; latest_available_timestamp: number };
  pins: TopPin[];
  sort_by: string;
}

/** The ranges the page offers, in days (the API looks at most 90 days back). */
export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];

/** 'YYYY-MM-DD' in UTC (the API's days are UTC). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The last `days` days up to today (UTC), both ends included: what the API's start and end dates take. */
export function rangeOf(days: number, now: Date = new Date()): { start: string; end: string } {
  const end = utcDay(now);
  const start = utcDay(new Date(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000));
  return { start, end };
}

/** A range from the page's `?days=` (7, 30 or 90), else 30. */
export function parseRange(raw: string | null): RangeDays {
  const n = Number(raw);
  return (RANGES as readonly number[]).includes(n) ? (n as RangeDays) : 30;
}

export function userAnalytics(range: { start: string; end: string }): Promise<AnalyticsReport> {
  return api<AnalyticsReport>(
    `/v5/user_account/analytics${query({
      start_date: range.start,
      end_date: range.end,
      metric_types: [...COUNT_METRICS, ...RATE_METRICS].join(','),
    })}`,
  );
}

export function topPins(range: { start: string; end: string }, sortBy: CountMetric): Promise<TopPinsReport> {
  return api<TopPinsReport>(
    `/v5/user_account/analytics/top_pins${query({
      start_date: range.start,
      end_date: range.end,
      sort_by: sortBy,
      num_of_pins: 12,
      metric_types: COUNT_METRICS.join(','),
    })}`,
  );
}

export function pinById(id: string): Promise<Pin> {
  return api<Pin>(`/v5/pins/${id}`);
}

/** Numbers as the person's locale writes them. */
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const formatCount = (n: number): string => integer.format(n);
export const formatRate = (r: number): string => percent.format(r);
export const formatCompact = (n: number): string => compact.format(n);

/** A day 'YYYY-MM-DD' as the locale writes a short date (the day itself, not shifted by the time zone). */
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
export const formatDay = (day: string): string => shortDate.format(new Date(`${day}T00:00:00Z`));
export const formatLongDay = (day: string): string => longDate.format(new Date(`${day}T00:00:00Z`));
