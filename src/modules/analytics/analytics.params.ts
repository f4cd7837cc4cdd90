// What the analytics endpoints accept: metric names, sorts, app-type and split parameters, and the
// filters no Corkboard pin can match.
import { Forbidden, Invalid } from '../../platform/errors.js';
import { APP_TYPES } from './analytics.repository.js';

/** Every Pin metric type the spec lets a client ask for; only the measured ones come back. */
const PIN_METRIC_TYPES = [
  'IMPRESSION',
  'OUTBOUND_CLICK',
  'PIN_CLICK',
  'SAVE',
  'SAVE_RATE',
  'TOTAL_COMMENTS',
  'TOTAL_REACTIONS',
  'USER_FOLLOW',
  'PROFILE_VISIT',
  'VIDEO_MRC_VIEW',
  'VIDEO_10S_VIEW',
  'QUARTILE_95_PERCENT_VIEW',
  'VIDEO_V50_WATCH_TIME',
  'VIDEO_START',
  'VIDEO_AVG_WATCH_TIME',
];
export const USER_METRIC_TYPES = [
  'ENGAGEMENT',
  'ENGAGEMENT_RATE',
  'IMPRESSION',
  'OUTBOUND_CLICK',
  'OUTBOUND_CLICK_RATE',
  'PIN_CLICK',
  'PIN_CLICK_RATE',
  'SAVE',
  'SAVE_RATE',
];
export const SORT_COLUMN = {
  ENGAGEMENT: 'engagement',
  IMPRESSION: 'impressions',
  OUTBOUND_CLICK: 'outbound_clicks',
  PIN_CLICK: 'pin_clicks',
  SAVE: 'saves',
} as const;

export type Split = { key: string; appTypes: readonly string[] | null };

/** Splits a repeated and/or comma-separated list parameter; unknown items are a 400. */
export function parseList(
  raw: readonly string[] | undefined,
  allowed: readonly string[] | null,
  name: string,
): string[] {
  const out: string[] = [];
  for (const part of (raw ?? []).flatMap((r) => r.split(','))) {
    const item = part.trim();
    if (!item) continue;
    if (allowed && !allowed.includes(item)) throw new Invalid(`Invalid ${name}: "${item}".`);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** Business access (acting for an ad account's owner on their content) is not offered: ad_account_id is refused. */
export function noBusinessAccess(
  adAccountId: string | undefined,
  message = 'Not authorized to access board or Pin.',
) {
  if (adAccountId !== undefined) throw new Forbidden(message);
}

export function requiredMetrics(raw: readonly string[]): string[] {
  const metrics = parseList(raw, PIN_METRIC_TYPES, 'metric_types');
  if (metrics.length === 0) throw new Invalid('metric_types is required.');
  return metrics;
}

export function appTypeFilter(appTypes: string | undefined): readonly string[] | null {
  return appTypes && appTypes !== 'ALL' ? [appTypes] : null;
}

export function inSplit(appType: string, split: Split): boolean {
  return split.appTypes === null || split.appTypes.includes(appType);
}

/**
 * The groups of an answer. APP_TYPE: one per app type asked for (all four, OTHER included, for ALL).
 * Every Corkboard pin is the creator's own organic image pin on unclaimed content, so OWNED_CONTENT,
 * SOURCE and PIN_FORMAT each have one group: OTHER, YOUR_PINS and ORGANIC_IMAGE.
 */
export function splitsOf(field: string, appTypes: readonly string[] | null): Split[] {
  switch (field) {
    case 'APP_TYPE':
      return (appTypes ?? APP_TYPES).map((t) => ({ key: t, appTypes: [t] }));
    case 'OWNED_CONTENT':
      return [{ key: 'OTHER', appTypes: null }];
    case 'SOURCE':
      return [{ key: 'YOUR_PINS', appTypes: null }];
    case 'PIN_FORMAT':
      return [{ key: 'ORGANIC_IMAGE', appTypes: null }];
    default:
      return [{ key: 'all', appTypes: null }];
  }
}

/** Filters no Corkboard pin can match: claimed content, paid content, others' pins, other formats. */
export function matchesNothing(q: {
  from_claimed_content?: string;
  pin_format?: string;
  content_type?: string;
  source?: string;
}) {
  return (
    q.from_claimed_content === 'CLAIMED' ||
    q.content_type === 'PAID' ||
    q.source === 'OTHER_PINS' ||
    (q.pin_format !== undefined && q.pin_format !== 'ALL' && q.pin_format !== 'ORGANIC_IMAGE')
  );
}
