import type { MinimumEffect } from '../stats/index.js';

/** The fields of an event a metric reads. */
export interface MetricEvent {
  readonly kind: string;
  /** The promoted item's ad; null for organic events. */
  readonly adId: string | null;
  /** The price recorded for the promoted event billed (ad_charges.amount_micro), else 0. */
  readonly chargeMicro: bigint;
  /** FEED_TIMING events: home feed requests and their summed server time (ms); else 0. */
  readonly timingRequests: bigint;
  readonly timingMs: bigint;
}

interface MetricBase {
  readonly key: string;
  readonly description: string;
  /** A guardrail: a significant move in the wrong direction is flagged in the results. */
  readonly guardrail: boolean;
  /** Which direction is good: a guardrail is flagged when it moves the other way. */
  readonly higherIsBetter: boolean;
  /** The effect worth detecting: sets the power reported and the mSPRT's mixing variance. */
  readonly minimumEffect: MinimumEffect;
}

/** A per-unit mean: each unit's total y over its analysis window; CUPED with its pre-period total. */
export interface MeanMetric extends MetricBase {
  readonly type: 'mean';
  /** What one event adds to its unit's total (0: nothing). */
  value(e: MetricEvent): bigint;
}

/** A ratio of sums over units (Σnumerator / Σdenominator), analysed by the delta method. */
export interface RatioMetric extends MetricBase {
  readonly type: 'ratio';
  numerator(e: MetricEvent): bigint;
  denominator(e: MetricEvent): bigint;
}

export type MetricDefinition = MeanMetric | RatioMetric;

/** Days before a unit's first exposure whose events make its pre-period value (CUPED). */
export const PRE_PERIOD_DAYS = 14;

const count =
  (...kinds: string[]) =>
  (e: MetricEvent) =>
    kinds.includes(e.kind) ? 1n : 0n;
const promoted =
  (...kinds: string[]) =>
  (e: MetricEvent) =>
    e.adId !== null && kinds.includes(e.kind) ? 1n : 0n;

const relative = (r: number): MinimumEffect => ({ relative: r });

/**
 * Every metric the platform computes for every experiment, over the events Corkboard records. Order is
 * the report's when an experiment names none; the first is then the primary metric. Sessions are what
 * clients report (SESSION_START), not a gap rule over other events: a gap rule is not exactly
 * maintainable from events that arrive late and out of order.
 */
export const METRICS: readonly MetricDefinition[] = [
  {
    key: 'saves_per_user',
    type: 'mean',
    description: 'Saves (SAVE events) per exposed unit.',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('SAVE'),
  },
  {
    key: 'closeups_per_user',
    type: 'mean',
    description: 'Close-ups (PIN_CLICK events) per exposed unit.',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('PIN_CLICK'),
  },
  {
    key: 'outbound_clicks_per_user',
    type: 'mean',
    description: 'Outbound clicks (OUTBOUND_CLICK events) per exposed unit.',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('OUTBOUND_CLICK'),
  },
  {
    key: 'impressions_per_user',
    type: 'mean',
    description: 'Impressions (IMPRESSION events, organic and promoted) per exposed unit.',
    guardrail: true,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('IMPRESSION'),
  },
  {
    key: 'searches_per_user',
    type: 'mean',
    description: 'Searches (SEARCH events) per exposed unit.',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('SEARCH'),
  },
  {
    key: 'ad_revenue_micro_per_user',
    type: 'mean',
    description:
      'Ad revenue per exposed unit, micro-currency: the price recorded with each billed promoted event (ad_charges.amount_micro).',
    guardrail: true,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: (e) => e.chargeMicro,
  },
  {
    key: 'sessions_per_user',
    type: 'mean',
    description: 'Sessions (SESSION_START events reported by clients) per exposed unit.',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    value: count('SESSION_START'),
  },
  {
    key: 'outbound_click_rate',
    type: 'ratio',
    description: 'Outbound clicks / impressions over exposed units (delta method).',
    guardrail: false,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    numerator: count('OUTBOUND_CLICK'),
    denominator: count('IMPRESSION'),
  },
  {
    key: 'ad_ctr',
    type: 'ratio',
    description:
      'Clicks on promoted items (PIN_CLICK, OUTBOUND_CLICK with an ad) / promoted impressions, over exposed units (delta method).',
    guardrail: true,
    higherIsBetter: true,
    minimumEffect: relative(0.05),
    numerator: promoted('PIN_CLICK', 'OUTBOUND_CLICK'),
    denominator: promoted('IMPRESSION'),
  },
  {
    key: 'feed_latency_ms',
    type: 'ratio',
    description:
      "Home feed server time per request, ms: Σ ms / Σ requests of exposed units' FEED_TIMING events (delta method). Lower is better.",
    guardrail: true,
    higherIsBetter: false,
    minimumEffect: relative(0.05),
    numerator: (e) => e.timingMs,
    denominator: (e) => e.timingRequests,
  },
];

/** Event kinds any metric reads. */
export const METRIC_KINDS = [
  'SAVE',
  'PIN_CLICK',
  'OUTBOUND_CLICK',
  'IMPRESSION',
  'SEARCH',
  'SESSION_START',
  'FEED_TIMING',
] as const;

/** What one event adds to a unit's (a, b) for a metric, given where it falls against the unit's window. */
export function contribution(
  m: MetricDefinition,
  e: MetricEvent,
  at: number,
  firstAt: number,
): { a: bigint; b: bigint } | null {
  if (m.type === 'ratio') {
    if (at < firstAt) return null;
    const a = m.numerator(e);
    const b = m.denominator(e);
    return a === 0n && b === 0n ? null : { a, b };
  }
  const v = m.value(e);
  if (v === 0n) return null;
  if (at >= firstAt) return { a: v, b: 0n };
  if (at >= firstAt - PRE_PERIOD_DAYS * 86_400_000) return { a: 0n, b: v };
  return null;
}
