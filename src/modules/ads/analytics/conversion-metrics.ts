// The conversion columns of reports, computed from the conversions credited to ads (ad_attributions).
// Pure: the same tallies give the same values.
import type { AdCounts } from './ad-metrics.js';
import { ASYNC_COLUMNS, SYNC_COLUMNS } from './reporting-columns.js';

/** Conversions credited to an ad of one touch, event name and action source: how many, and their value. */
export interface AttributedConversions {
  touch: 'CLICK' | 'VIEW';
  /** The conversions API's event name (checkout, signup, ...). */
  eventName: string;
  /** The conversions API's action source (web, app_android, app_ios, offline). */
  actionSource: string;
  count: number;
  /** Summed integer micro-currency. */
  valueMicro: bigint;
}

/**
 * The event names that have columns of their own, as the columns spell them. The others Corkboard takes
 * (add_payment_info, initiate_checkout, view_content) have none and count in TOTAL_CONVERSIONS only.
 */
export const CONVERSION_COLUMN_NAMES: Readonly<Record<string, string>> = Object.freeze({
  add_to_cart: 'ADD_TO_CART',
  add_to_wishlist: 'ADD_TO_WISHLIST',
  app_install: 'APP_INSTALL',
  checkout: 'CHECKOUT',
  custom: 'CUSTOM',
  lead: 'LEAD',
  page_visit: 'PAGE_VISIT',
  search: 'SEARCH',
  signup: 'SIGNUP',
  subscribe: 'SUBSCRIBE',
  view_category: 'VIEW_CATEGORY',
  watch_video: 'WATCH_VIDEO',
});

/** The columns' split by where the conversion happened: the action source, as the columns spell it. */
const SOURCE_OF: Readonly<Record<string, string>> = {
  web: 'WEB',
  app_android: 'INAPP',
  app_ios: 'INAPP',
  offline: 'OFFLINE',
};

type Match = (c: AttributedConversions) => boolean;

const countSum = (match: Match) => (counts: AdCounts) =>
  counts.conversions.reduce((n, c) => (match(c) ? n + c.count : n), 0);

/** Summed in BigInt; a value past 2^53 micro (9 billion in currency units) would print rounded. */
const valueSum = (match: Match) => (counts: AdCounts) =>
  Number(counts.conversions.reduce((v, c) => (match(c) ? v + c.valueMicro : v), 0n));

/**
 * The conversion columns the spec lists, each a count and, where the spec has one, a
 * `_VALUE_IN_MICRO_DOLLAR` sum: TOTAL_CONVERSIONS (every credited conversion), and per event name
 * `TOTAL_[source_][touch_]<NAME>`: source WEB, INAPP (app_android, app_ios) or OFFLINE, touch CLICK or
 * VIEW; without a source or a touch, all of them. Engagement-credited (TOTAL_ENGAGEMENT_*), quantity,
 * cross-device, cost-per-action, ROAS and conversion-rate columns are not measured (they answer 0).
 */
export function conversionMetrics(): Record<string, (c: AdCounts) => number> {
  const known = new Set([...SYNC_COLUMNS, ...ASYNC_COLUMNS]);
  const metrics: Record<string, (c: AdCounts) => number> = {};
  const add = (name: string, match: Match) => {
    if (!known.has(name)) return;
    metrics[name] = countSum(match);
    if (known.has(`${name}_VALUE_IN_MICRO_DOLLAR`))
      metrics[`${name}_VALUE_IN_MICRO_DOLLAR`] = valueSum(match);
  };
  add('TOTAL_CONVERSIONS', () => true);
  for (const [eventName, name] of Object.entries(CONVERSION_COLUMN_NAMES)) {
    for (const source of [undefined, 'WEB', 'INAPP', 'OFFLINE']) {
      for (const touch of [undefined, 'CLICK', 'VIEW'] as const) {
        add(
          ['TOTAL', source, touch, name].filter(Boolean).join('_'),
          (c) =>
            c.eventName === eventName &&
            (source === undefined || SOURCE_OF[c.actionSource] === source) &&
            (touch === undefined || c.touch === touch),
        );
      }
    }
  }
  return metrics;
}
