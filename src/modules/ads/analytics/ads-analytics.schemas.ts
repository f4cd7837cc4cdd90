import { Type } from 'typebox';
import { AdAccountIdParams, literals } from '../ads.schemas.js';
import { GRANULARITIES, REPORT_TIMES, WINDOW_DAYS } from './ads-analytics.params.js';

/** The targeting types every targeting-analytics operation and report takes (the spec's). */
export const COMMON_TARGETING = [
  'KEYWORD',
  'APPTYPE',
  'GENDER',
  'LOCATION',
  'PLACEMENT',
  'COUNTRY',
  'TARGETED_INTEREST',
  'PINNER_INTEREST',
  'AUDIENCE_INCLUDE',
  'GEO',
  'AGE_BUCKET',
  'REGION',
  'AGE_BUCKET_AND_GENDER',
] as const;
export const TARGETING_TYPES = {
  ADVERTISER: [...COMMON_TARGETING],
  CAMPAIGN: [...COMMON_TARGETING, 'CREATIVE_TYPE', 'AUDIENCE_MULTIPLIER'],
  AD_GROUP: [...COMMON_TARGETING, 'CREATIVE_ENHANCEMENTS'],
  PIN_PROMOTION: [...COMMON_TARGETING, 'QUIZ_RESULT'],
} as const;

const Window = (what: string, byDefault: number) =>
  Type.Optional(
    Type.Union(
      WINDOW_DAYS.map((d) => Type.Literal(d)),
      {
        description: `Conversion attribution window for ${what}, in days (default ${byDefault}). Checked and echoed in the x-corkboard-attribution header; conversions are attributed in a later release, so it does not change today's numbers.`,
      },
    ),
  );

/** A query list: repeated and/or comma-separated values. */
const List = (description: string, maxLength = 20_000) =>
  Type.Array(Type.String({ maxLength }), { minItems: 1, maxItems: 1000, description });

const Ids = (what: string, max: number) =>
  Type.Array(Type.String({ pattern: '^\\d{1,19}(,\\d{1,19})*$' }), {
    minItems: 1,
    maxItems: max,
    description: `${what} (repeated or comma-separated, at most ${max}).`,
  });

/** What every analytics query takes. */
const Common = {
  start_date: Type.String({ maxLength: 10, description: 'First day (UTC), YYYY-MM-DD.' }),
  end_date: Type.String({ maxLength: 10, description: 'Last day (UTC), YYYY-MM-DD, not before start_date.' }),
  columns: List('Reporting columns, comma-separated or repeated; a name outside the spec list is refused.'),
  granularity: literals([...GRANULARITIES], { description: 'TOTAL, DAY, HOUR, WEEK or MONTH.' }),
  click_window_days: Window('a click', 30),
  engagement_window_days: Window('an engagement', 30),
  view_window_days: Window('a view', 1),
  conversion_report_time: Type.Optional(literals([...REPORT_TIMES])),
  reporting_timezone: Type.Optional(
    literals(['PINTEREST_TIME_ZONE', 'AD_ACCOUNT_TIME_ZONE'], {
      description: 'Both are UTC here: ad accounts have no time zone of their own.',
    }),
  ),
};
const Aggregate = {
  aggregate_report_rows: Type.Optional(
    Type.Boolean({ default: false, description: 'One row per period for all the entities together.' }),
  ),
};
const Targeting = (types: readonly string[]) => ({
  targeting_types: List(`Targeting types: ${types.join(', ')}.`, 1000),
  attribution_types: Type.Optional(List('INDIVIDUAL and/or HOUSEHOLD.', 100)),
});

export const AccountAnalyticsQuery = Type.Object(Common);
export const CampaignAnalyticsQuery = Type.Object({
  ...Common,
  ...Aggregate,
  campaign_ids: Ids('Campaign ids', 250),
});
export const AdGroupAnalyticsQuery = Type.Object({
  ...Common,
  ...Aggregate,
  ad_group_ids: Ids('Ad group ids', 250),
});
export const AdAnalyticsQuery = Type.Object({
  ...Common,
  ad_ids: Type.Optional(Ids('Ad ids', 250)),
  campaign_ids: Type.Optional(Ids('Campaign ids (with pin_ids)', 250)),
  pin_ids: Type.Optional(Ids('Pin ids (with campaign_ids)', 100)),
});
export const PinAnalyticsQuery = Type.Object({
  ...Common,
  campaign_id: Type.String({ pattern: '^\\d{1,19}$', description: 'The campaign.' }),
  pin_ids: Ids('Pin ids', 100),
});
export const AccountTargetingQuery = Type.Object({ ...Common, ...Targeting(TARGETING_TYPES.ADVERTISER) });
export const CampaignTargetingQuery = Type.Object({
  ...Common,
  ...Targeting(TARGETING_TYPES.CAMPAIGN),
  campaign_ids: Ids('Campaign ids', 250),
});
export const AdGroupTargetingQuery = Type.Object({
  ...Common,
  ...Targeting(TARGETING_TYPES.AD_GROUP),
  ad_group_ids: Ids('Ad group ids', 250),
});
export const AdTargetingQuery = Type.Object({
  ...Common,
  ...Targeting(TARGETING_TYPES.PIN_PROMOTION),
  ad_ids: Ids('Ad ids', 250),
});

const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);
/** Rows keyed by `key` (an id), DATE when the granularity is not TOTAL, then the columns asked for. */
export const AnalyticsRows = (key: string | null) =>
  Type.Array(
    Type.Object(
      {
        ...(key ? { [key]: Type.Optional(Type.String()) } : {}),
        DATE: Type.Optional(Type.String({ format: 'date' })),
      },
      { additionalProperties: Cell },
    ),
  );
export const TargetingAnalytics = Type.Object({
  data: Type.Array(
    Type.Object({
      targeting_type: Type.String(),
      targeting_value: Type.String(),
      metrics: Type.Object({}, { additionalProperties: Cell }),
    }),
  ),
});

export { AdAccountIdParams };
