// How a reporting column is computed from an ad's counts. Pure: the same counts give the same row.

import type { AttributedConversions } from './conversion-metrics.js';
import { conversionMetrics } from './conversion-metrics.js';
import { ASYNC_COLUMNS } from './reporting-columns.js';

/** The counts rolled up per ad and hour; every other metric is derived from them. */
export interface AdCounts {
  impressions: number;
  /** Close-ups (PIN_CLICK events). */
  pinClicks: number;
  outboundClicks: number;
  saves: number;
  /** Integer micro-currency of the account. */
  spendMicro: number;
  /** Conversions credited to the ad(s), by touch, event name and action source. */
  conversions: readonly AttributedConversions[];
}

export const NO_COUNTS: Readonly<AdCounts> = Object.freeze({
  impressions: 0,
  pinClicks: 0,
  outboundClicks: 0,
  saves: 0,
  spendMicro: 0,
  conversions: Object.freeze([]),
});

/** Pinterest's "Pin clicks": every click on the ad, to content on Pinterest (close-up) or off it (outbound). */
const clicks = (c: AdCounts) => c.pinClicks + c.outboundClicks;
/** Engagements: saves and clicks of either kind. */
const engagements = (c: AdCounts) => c.saves + clicks(c);

/** `num * scale / den` rounded half up, in integers (no float error however large the spend); 0 when den is 0. */
export function microRatio(num: number, den: number, scale = 1): number {
  if (den <= 0) return 0;
  const n = BigInt(num) * BigInt(scale) * 2n + BigInt(den);
  return Number(n / (BigInt(den) * 2n));
}

/** A rate (count / impressions); 0 when there were no impressions. */
const rate = (num: number, den: number) => (den > 0 ? num / den : 0);
/** Micro-currency as currency units; integer micro / 10^6 prints as its exact decimal. */
const units = (micro: number) => micro / 1_000_000;

type Metric = (c: AdCounts) => number;

/**
 * The measured columns. Paid (`_1`) counts are the ad's own; earned (`_2`) activity (organic activity
 * that follows a paid one) is not told apart in Corkboard's events, so earned columns, like every other
 * spec column not listed here (video, shopping, the conversion columns conversion-metrics.ts does not
 * map), answer 0.
 */
const METRICS: Record<string, Metric> = {
  ...conversionMetrics(),
  PAID_IMPRESSION: (c) => c.impressions,
  IMPRESSION_1: (c) => c.impressions,
  IMPRESSION_1_GROSS: (c) => c.impressions,
  TOTAL_IMPRESSION: (c) => c.impressions,
  CLICKTHROUGH_1: clicks,
  CLICKTHROUGH_1_GROSS: clicks,
  TOTAL_CLICKTHROUGH: clicks,
  OUTBOUND_CLICK_1: (c) => c.outboundClicks,
  REPIN_1: (c) => c.saves,
  ENGAGEMENT_1: engagements,
  TOTAL_ENGAGEMENT: engagements,
  SPEND_IN_MICRO_DOLLAR: (c) => c.spendMicro,
  SPEND_IN_DOLLAR: (c) => units(c.spendMicro),
  CTR: (c) => rate(clicks(c), c.impressions),
  ECTR: (c) => rate(clicks(c), c.impressions),
  OUTBOUND_CTR: (c) => rate(c.outboundClicks, c.impressions),
  OUTBOUND_CTR_1: (c) => rate(c.outboundClicks, c.impressions),
  REPIN_RATE: (c) => rate(c.saves, c.impressions),
  TOTAL_REPIN_RATE: (c) => rate(c.saves, c.impressions),
  ENGAGEMENT_RATE: (c) => rate(engagements(c), c.impressions),
  EENGAGEMENT_RATE: (c) => rate(engagements(c), c.impressions),
  CPC_IN_MICRO_DOLLAR: (c) => microRatio(c.spendMicro, clicks(c)),
  ECPC_IN_MICRO_DOLLAR: (c) => microRatio(c.spendMicro, clicks(c)),
  ECPC_IN_DOLLAR: (c) => units(microRatio(c.spendMicro, clicks(c))),
  CPM_IN_MICRO_DOLLAR: (c) => microRatio(c.spendMicro, c.impressions, 1000),
  ECPM_IN_MICRO_DOLLAR: (c) => microRatio(c.spendMicro, c.impressions, 1000),
  CPM_IN_DOLLAR: (c) => units(microRatio(c.spendMicro, c.impressions, 1000)),
  ECPE_IN_DOLLAR: (c) => units(microRatio(c.spendMicro, engagements(c))),
  COST_PER_OUTBOUND_CLICK: (c) => microRatio(c.spendMicro, c.outboundClicks),
  COST_PER_OUTBOUND_CLICK_IN_DOLLAR: (c) => units(microRatio(c.spendMicro, c.outboundClicks)),
  COST_PER_OUTBOUND_CLICK_IN_DOLLAR_1: (c) => units(microRatio(c.spendMicro, c.outboundClicks)),
};

/** The measured column names (each one a spec name; checked by the tests). */
export const MEASURED_COLUMNS: readonly string[] = Object.keys(METRICS);

/**
 * Columns that describe an entity rather than count (ids, names, statuses, settings). A row answers
 * those its level knows (see `attributes`); the others are null, as Pinterest leaves out a column
 * with no value.
 */
const ATTRIBUTE =
  /(_ID|_IDS|_NAME|_STATUS|_TYPE|_LABEL|_LABELS|_URL|_CURRENCY|_TAG|_OPTIMIZATION|_SPEND_CAP|_BID_MULTIPLIER|_IN_LOCAL_CURRENCY)$|^IS_/;

/** Whether a spec column describes an entity (answered from attributes, else null). */
export function isAttributeColumn(name: string): boolean {
  return ATTRIBUTE.test(name) && !(name in METRICS);
}

/** One report row's value of `column`: its attribute, its measured metric, else 0 (nothing of that kind happens here). */
export function columnValue(
  column: string,
  counts: AdCounts,
  attributes: Readonly<Record<string, string | number | null>>,
): string | number | null {
  if (column in attributes) return attributes[column] ?? null;
  if (isAttributeColumn(column)) return null;
  const metric = METRICS[column];
  return metric ? metric(counts) : 0;
}

/** Every measured column must be one the spec lists for reports (a typo would silently answer nothing). */
export function unknownMeasuredColumns(): string[] {
  const known = new Set(ASYNC_COLUMNS);
  return MEASURED_COLUMNS.filter((c) => !known.has(c));
}
