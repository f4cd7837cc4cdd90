// What ads analytics and reports accept: dates and their limits, granularity, column names and the
// attribution windows. Pure checks; a broken rule is a 400 naming it.
import { Invalid } from '../../../platform/errors.js';

export const GRANULARITIES = ['TOTAL', 'DAY', 'HOUR', 'WEEK', 'MONTH'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const WINDOW_DAYS = [0, 1, 7, 14, 30, 60] as const;
export const REPORT_TIMES = ['TIME_OF_AD_ACTION', 'TIME_OF_CONVERSION'] as const;

/** The spec's limits: how far back a request may start and how long its range may be, in days. */
export interface RangeLimits {
  daysBack: number;
  maxRange: number;
}
/** Synchronous analytics: 90 days back, 90 days long. */
export const SYNC_LIMITS: RangeLimits = { daysBack: 90, maxRange: 90 };
/** Asynchronous reports: 914 days back, 186 days long. */
export const REPORT_LIMITS: RangeLimits = { daysBack: 914, maxRange: 186 };
/** HOUR granularity, everywhere: 8 days back, 3 days long. */
export const HOUR_LIMITS: RangeLimits = { daysBack: 8, maxRange: 3 };

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The day `n` days after `day`. */
export function addDays(day: string, n: number): string {
  return utcDay(dayMs(day) + n * DAY_MS);
}

function isDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && utcDay(dayMs(text) || 0) === text;
}

/** A checked date range: whole UTC days, both inclusive. */
export interface DateRange {
  start: string;
  end: string;
}

/**
 * The date rules: real YYYY-MM-DD dates, end not before start, end not after today (UTC), start at most
 * `daysBack` days before today and end at most `maxRange` days after start; with HOUR granularity the
 * tighter hourly limits apply.
 */
export function checkRange(
  start: string,
  end: string,
  granularity: Granularity,
  limits: RangeLimits,
  now: number,
): DateRange {
  if (!isDay(start)) throw new Invalid(`Invalid start_date "${start}": expected YYYY-MM-DD.`);
  if (!isDay(end)) throw new Invalid(`Invalid end_date "${end}": expected YYYY-MM-DD.`);
  if (end < start) throw new Invalid('end_date must not be before start_date.');
  const today = utcDay(now);
  if (end > today) throw new Invalid(`end_date must not be in the future (today is ${today} UTC).`);
  const { daysBack, maxRange } = granularity === 'HOUR' ? HOUR_LIMITS : limits;
  const hourly = granularity === 'HOUR' ? ' with HOUR granularity' : '';
  if (start < addDays(today, -daysBack))
    throw new Invalid(`start_date cannot be more than ${daysBack} days back from today${hourly}.`);
  if (end > addDays(start, maxRange))
    throw new Invalid(`end_date cannot be more than ${maxRange} days past start_date${hourly}.`);
  return { start, end };
}

/**
 * Column names from a repeated and/or comma-separated list, in the order given, without repeats; a name
 * outside `allowed` is refused by name, and at least one is needed.
 */
export function parseColumns(raw: readonly string[] | undefined, allowed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const unknown: string[] = [];
  for (const part of (raw ?? []).flatMap((r) => r.split(','))) {
    const name = part.trim();
    if (!name) continue;
    if (!allowed.has(name)) unknown.push(name);
    else if (!out.includes(name)) out.push(name);
  }
  if (unknown.length > 0)
    throw new Invalid(
      `Invalid columns: ${unknown
        .slice(0, 5)
        .map((n) => `"${n.slice(0, 100)}"`)
        .join(', ')} ${unknown.length > 1 ? 'are not reporting columns' : 'is not a reporting column'}.`,
    );
  if (out.length === 0) throw new Invalid('columns is required: name at least one reporting column.');
  return out;
}

/** A list of enum values (repeated or comma-separated), each checked against `allowed`. */
export function parseEnumList(
  raw: readonly string[] | undefined,
  allowed: readonly string[],
  name: string,
  max: number,
): string[] {
  const out: string[] = [];
  for (const part of (raw ?? []).flatMap((r) => r.split(','))) {
    const v = part.trim();
    if (!v) continue;
    if (!allowed.includes(v)) throw new Invalid(`Invalid ${name}: "${v.slice(0, 100)}".`);
    if (!out.includes(v)) out.push(v);
  }
  if (out.length === 0) throw new Invalid(`${name} is required.`);
  if (out.length > max) throw new Invalid(`${name} takes at most ${max} values.`);
  return out;
}

/** The attribution settings a request names (defaults as the spec's), echoed back with the answer. */
export interface Attribution {
  clickWindowDays: number;
  engagementWindowDays: number;
  viewWindowDays: number;
  conversionReportTime: (typeof REPORT_TIMES)[number];
}

/** The attribution settings with the spec's defaults (click 30, engagement 30, view 1, time of ad action). */
export function attributionOf(q: {
  click_window_days?: number;
  engagement_window_days?: number;
  view_window_days?: number;
  conversion_report_time?: (typeof REPORT_TIMES)[number];
}): Attribution {
  return {
    clickWindowDays: q.click_window_days ?? 30,
    engagementWindowDays: q.engagement_window_days ?? 30,
    viewWindowDays: q.view_window_days ?? 1,
    conversionReportTime: q.conversion_report_time ?? 'TIME_OF_AD_ACTION',
  };
}
