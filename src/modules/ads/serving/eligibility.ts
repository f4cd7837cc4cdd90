import { type KeywordRule, keywordsAllow } from './keyword-match.js';

/**
 * Whether an ad group may show to a viewer on a surface now: the checks every surface applies before
 * the auction, pure so that every node answers the same. The statuses, schedules and targeting come from
 * the live snapshot of ads; the viewer's side from what Corkboard knows of them.
 */

export type Placement = 'BROWSE' | 'SEARCH';

/** What Corkboard knows of the viewer (null: not known, or signed out). */
export interface ViewerProfile {
  readonly userId: string | null;
  /** Interest ids of the viewer's boards and saves. */
  readonly interests: ReadonlySet<string>;
  readonly locale: string | null;
  readonly country: string | null;
  readonly gender: string | null;
  readonly ageBucket: string | null;
  /** The app type of the request, in targeting terms (web, web_mobile, iphone, ipad, android_mobile, ...). */
  readonly appType: string | null;
  /** Audiences of the candidate ad groups the viewer is in. */
  readonly audiences: ReadonlySet<string>;
}

/** Where and when the ad would show. */
export interface ServingContext {
  readonly placement: Placement;
  readonly nowMs: number;
  /** The search query (SEARCH placement). */
  readonly query?: string;
  /** Interests of what is on screen (the pin related pins are for), matched as the viewer's own. */
  readonly contextInterests?: ReadonlySet<string>;
}

/** An ad group as the live snapshot holds it, with its campaign's state. */
export interface LiveAdGroup {
  readonly id: string;
  readonly status: string;
  readonly campaignStatus: string;
  readonly start: number | null;
  readonly end: number | null;
  readonly campaignStart: number | null;
  readonly campaignEnd: number | null;
  readonly placementGroup: string;
  readonly targeting: Readonly<Record<string, readonly string[] | string | undefined>>;
  /** `targeting` as the checks read it (compileTargeting), made once when the group is loaded. */
  readonly rules: TargetingRules;
  readonly keywords: readonly KeywordRule[];
  /** Excluding keywords of its campaign and account. */
  readonly inheritedNegatives: readonly KeywordRule[];
  readonly frequencyCap: number | null;
}

/** Why an ad group may not show, or null when it may. */
export type Ineligible =
  | 'status'
  | 'schedule'
  | 'placement'
  | 'interest'
  | 'gender'
  | 'age'
  | 'locale'
  | 'location'
  | 'apptype'
  | 'audience'
  | 'keyword'
  | 'frequency';

const list = (v: readonly string[] | string | undefined): readonly string[] | undefined =>
  Array.isArray(v) && v.length > 0 ? v : undefined;

const within = (nowMs: number, start: number | null, end: number | null) =>
  (start === null || start <= nowMs) && (end === null || nowMs < end);

/** Numbers of the age buckets, to compare with MINIMUM_AGE / MAXIMUM_AGE. */
const BUCKET_RANGE: Record<string, [number, number]> = {
  '18-24': [18, 24],
  '25-34': [25, 34],
  '35-44': [35, 44],
  '45-49': [45, 49],
  '50-54': [50, 54],
  '55-64': [55, 64],
  '65+': [65, 200],
};

/** An ad group's targeting read once into what the checks compare (undefined: the rule is absent). */
export interface TargetingRules {
  readonly interests?: readonly string[];
  readonly genders?: readonly string[];
  readonly buckets?: readonly string[];
  /** MINIMUM_AGE / MAXIMUM_AGE, when either is set. */
  readonly ages?: { readonly min: number; readonly max: number; readonly maxOpen: boolean };
  readonly locales?: readonly string[];
  /** LOCATION and GEO together. */
  readonly places?: readonly string[];
  readonly apps?: readonly string[];
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** A group's targeting as the checks read it. */
export function compileTargeting(t: LiveAdGroup['targeting']): TargetingRules {
  const places = [...(list(t.LOCATION) ?? []), ...(list(t.GEO) ?? [])];
  const ageSet = typeof t.MINIMUM_AGE === 'string' || typeof t.MAXIMUM_AGE === 'string';
  return {
    interests: list(t.INTEREST),
    genders: list(t.GENDER),
    buckets: list(t.AGE_BUCKET),
    ages: ageSet
      ? {
          min: typeof t.MINIMUM_AGE === 'string' ? Number.parseInt(t.MINIMUM_AGE, 10) : 0,
          max: typeof t.MAXIMUM_AGE === 'string' ? Number.parseInt(t.MAXIMUM_AGE, 10) : 200,
          maxOpen: typeof t.MAXIMUM_AGE === 'string' && t.MAXIMUM_AGE.endsWith('+'),
        }
      : undefined,
    locales: list(t.LOCALE),
    places: places.length > 0 ? places : undefined,
    apps: list(t.APPTYPE),
    include: list(t.AUDIENCE_INCLUDE),
    exclude: list(t.AUDIENCE_EXCLUDE),
  };
}

/**
 * The first reason the ad group may not show to this viewer here and now, or null. `shown` is how many
 * times the viewer saw its ads in the frequency window. Targeting on what the viewer did not tell (no
 * gender, no age, no country, signed out) does not match: an ad targeted at women is not shown to someone
 * whose gender is not known, unless "unknown" is targeted.
 */
export function ineligibility(
  group: LiveAdGroup,
  viewer: ViewerProfile,
  ctx: ServingContext,
  shown = 0,
): Ineligible | null {
  return standingIneligibility(group, viewer, ctx) ?? momentIneligibility(group, ctx.nowMs, shown);
}

/**
 * What of {@link ineligibility} holds whatever the moment: status, placement, targeting, keywords. The
 * same for every request of one viewer on one surface while the catalog is the same, so the ad server
 * reuses it (see AdServer); the rest, {@link momentIneligibility}, is checked on every request.
 */
export function standingIneligibility(
  group: LiveAdGroup,
  viewer: ViewerProfile,
  ctx: Omit<ServingContext, 'nowMs'>,
): Ineligible | null {
  if (group.status !== 'ACTIVE' || group.campaignStatus !== 'ACTIVE') return 'status';
  if (group.placementGroup !== 'ALL' && group.placementGroup !== ctx.placement) return 'placement';
  const t = group.rules;
  if (t.interests && !t.interests.some((i) => viewer.interests.has(i) || ctx.contextInterests?.has(i)))
    return 'interest';
  if (t.genders && !t.genders.includes(viewer.gender ?? 'unknown')) return 'gender';
  if (t.buckets && (viewer.ageBucket === null || !t.buckets.includes(viewer.ageBucket))) return 'age';
  if (t.ages) {
    const range = viewer.ageBucket ? BUCKET_RANGE[viewer.ageBucket] : undefined;
    if (!range || range[0] < t.ages.min || (!t.ages.maxOpen && range[1] > t.ages.max)) return 'age';
  }
  if (t.locales) {
    const locale = viewer.locale;
    const language = locale?.split('-')[0];
    if (!locale || !t.locales.some((l) => l === locale || l === language)) return 'locale';
  }
  if (t.places && (!viewer.country || !t.places.includes(viewer.country))) return 'location';
  if (t.apps && (!viewer.appType || !t.apps.includes(viewer.appType))) return 'apptype';
  if (t.include && !t.include.some((a) => viewer.audiences.has(a))) return 'audience';
  if (t.exclude?.some((a) => viewer.audiences.has(a))) return 'audience';
  if (ctx.placement === 'SEARCH' && !keywordsAllow(group.keywords, group.inheritedNegatives, ctx.query ?? ''))
    return 'keyword';
  return null;
}

/** What of {@link ineligibility} depends on the moment: the schedules, and the viewer's frequency cap. */
export function momentIneligibility(group: LiveAdGroup, nowMs: number, shown = 0): Ineligible | null {
  if (!within(nowMs, group.start, group.end) || !within(nowMs, group.campaignStart, group.campaignEnd))
    return 'schedule';
  if (group.frequencyCap !== null && shown >= group.frequencyCap) return 'frequency';
  return null;
}
