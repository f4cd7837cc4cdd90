// Metric definitions and date-range rules of the analytics endpoints: pure functions, no I/O.
import { Invalid } from '../../platform/errors.js';

/** The four counts every rollup row carries. */
export interface Counts {
  impressions: number;
  pin_clicks: number;
  saves: number;
  outbound_clicks: number;
}

export const ZERO: Readonly<Counts> = Object.freeze({
  impressions: 0,
  pin_clicks: 0,
  saves: 0,
  outbound_clicks: 0,
});

export function addCounts(into: Counts, more: Counts): Counts {
  into.impressions += more.impressions;
  into.pin_clicks += more.pin_clicks;
  into.saves += more.saves;
  into.outbound_clicks += more.outbound_clicks;
  return into;
}

/** Metrics Corkboard measures. Every other metric type the spec lists is accepted and left out of answers. */
export const COUNT_METRICS = ['IMPRESSION', 'SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK', 'ENGAGEMENT'] as const;
export const RATE_METRICS = [
  'SAVE_RATE',
  'PIN_CLICK_RATE',
  'OUTBOUND_CLICK_RATE',
  'ENGAGEMENT_RATE',
] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];
export type RateMetric = (typeof RATE_METRICS)[number];
export type Measured = CountMetric | RateMetric;

/** ENGAGEMENT: a save, a close-up (PIN_CLICK) or an outbound click; impressions are not engagement. */
export function engagement(c: Counts): number {
  return c.saves + c.pin_clicks + c.outbound_clicks;
}

export function countOf(metric: CountMetric, c: Counts): number {
  switch (metric) {
    case 'IMPRESSION':
      return c.impressions;
    case 'SAVE':
      return c.saves;
    case 'PIN_CLICK':
      return c.pin_clicks;
    case 'OUTBOUND_CLICK':
      return c.outbound_clicks;
    case 'ENGAGEMENT':
      return engagement(c);
  }
}

/** A rate is its count divided by IMPRESSION over the same period; with no impressions it is 0. */
export function rateOf(metric: RateMetric, c: Counts): number {
  if (c.impressions === 0) return 0;
  return countOf(metric.slice(0, -'_RATE'.length) as CountMetric, c) / c.impressions;
}

export function isMeasured(metric: string): metric is Measured {
  return (
    (COUNT_METRICS as readonly string[]).includes(metric) ||
    (RATE_METRICS as readonly string[]).includes(metric)
  );
}

export function isCount(metric: string): metric is CountMetric {
  return (COUNT_METRICS as readonly string[]).includes(metric);
}

/** `{METRIC: value}` for the measured metrics among those asked for, in the order asked. */
export function metricValues(metrics: readonly string[], c: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    if (isCount(m)) out[m] = countOf(m, c);
    else if (isMeasured(m)) out[m] = rateOf(m as RateMetric, c);
  }
  return out;
}

/** Lifetime metrics are integers: the measured counts among those asked for. */
export function lifetimeValues(metrics: readonly string[], c: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) if (isCount(m)) out[m] = countOf(m, c);
  return out;
}

/** How far back a report may start, and how long it may be, in days (the spec's limits). */
export const MAX_DAYS_BACK = 90;
export const MAX_RANGE_DAYS = 90;

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' of a time, in UTC. */
export function utcDay(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

/** Every day from start to end, inclusive. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

function isDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && utcDay(Date.parse(`${text}T00:00:00Z`) || 0) === text;
}

/**
 * The spec's date rules: real dates, start ≤ end, end not after today (UTC), start at most 90 days before
 * today, end at most 90 days after start. Anything else is a 400 naming the rule.
 */
export function checkRange(start: string, end: string, now: Date): { start: string; end: string } {
  if (!isDay(start)) throw new Invalid(`Invalid start_date "${start}": expected YYYY-MM-DD.`);
  if (!isDay(end)) throw new Invalid(`Invalid end_date "${end}": expected YYYY-MM-DD.`);
  const today = utcDay(now);
  if (start > end) throw new Invalid('start_date must not be after end_date.');
  if (end > today) throw new Invalid(`end_date must not be in the future (today is ${today} UTC).`);
  if (start < addDays(today, -MAX_DAYS_BACK))
    throw new Invalid(`start_date cannot be more than ${MAX_DAYS_BACK} days back from today.`);
  if (end > addDays(start, MAX_RANGE_DAYS))
    throw new Invalid(`end_date cannot be more than ${MAX_RANGE_DAYS} days past start_date.`);
  return { start, end };
}
