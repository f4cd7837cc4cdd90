import { Type } from 'typebox';
import { AdAccountIdParams, literals, Nullable } from '../ads.schemas.js';
import { GRANULARITIES, REPORT_TIMES, WINDOW_DAYS } from './ads-analytics.params.js';
import { COMMON_TARGETING } from './ads-analytics.schemas.js';

/** The spec's reporting levels (MetricsReportingLevel). */
export const REPORT_LEVELS = [
  'ADVERTISER',
  'ADVERTISER_TARGETING',
  'CAMPAIGN',
  'CAMPAIGN_TARGETING',
  'AD_GROUP',
  'AD_GROUP_TARGETING',
  'PIN_PROMOTION',
  'PIN_PROMOTION_TARGETING',
  'KEYWORD',
  'PRODUCT_GROUP',
  'PRODUCT_GROUP_TARGETING',
  'PRODUCT_ITEM',
  'PRODUCT_ITEM_TARGETING',
] as const;
export type ReportLevel = (typeof REPORT_LEVELS)[number];

/** The spec's targeting types of an async report (TargetingTypeFilter): the common ones and four more. */
export const REPORT_TARGETING_TYPES = [
  ...COMMON_TARGETING,
  'MEDIA_TYPE',
  'AUDIENCE_MULTIPLIER',
  'CREATIVE_ENHANCEMENTS',
  'LOCAL_ADS_STORE_CODE',
] as const;

export const REPORT_STATUSES = [
  'DOES_NOT_EXIST',
  'FINISHED',
  'IN_PROGRESS',
  'EXPIRED',
  'FAILED',
  'CANCELLED',
] as const;

const Day = Type.String({ pattern: '^(\\d{4})-(\\d{2})-(\\d{2})$', description: 'YYYY-MM-DD (UTC).' });
const Window = Type.Optional(Type.Union(WINDOW_DAYS.map((d) => Type.Literal(d))));
const IdArray = (what: string) =>
  Type.Optional(
    Type.Array(Type.String({ pattern: '^\\d{1,19}$' }), { minItems: 1, maxItems: 500, description: what }),
  );
const Statuses = Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 7 }));

/** POST /v5/ad_accounts/{id}/reports (AdsAnalyticsCreateAsyncRequest). */
export const ReportCreateBody = Type.Object({
  start_date: Day,
  end_date: Day,
  granularity: literals([...GRANULARITIES]),
  level: literals([...REPORT_LEVELS]),
  columns: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 700 }),
  report_format: Type.Optional(literals(['JSON', 'CSV'], { default: 'JSON' })),
  click_window_days: Window,
  engagement_window_days: Window,
  view_window_days: Window,
  conversion_report_time: Type.Optional(literals([...REPORT_TIMES])),
  attribution_types: Type.Optional(
    Type.Array(literals(['INDIVIDUAL', 'HOUSEHOLD']), { maxItems: 2, uniqueItems: true }),
  ),
  campaign_ids: IdArray('Only these campaigns.'),
  ad_group_ids: IdArray('Only these ad groups.'),
  ad_ids: IdArray('Only these ads.'),
  campaign_statuses: Statuses,
  campaign_objective_types: Statuses,
  ad_group_statuses: Statuses,
  ad_statuses: Statuses,
  targeting_types: Type.Optional(
    Type.Array(literals([...REPORT_TARGETING_TYPES]), { minItems: 1, maxItems: 5, uniqueItems: true }),
  ),
  combine_targeting_types: Type.Optional(Type.Boolean()),
  primary_sort: Type.Optional(literals(['BY_ID', 'BY_DATE'])),
  reporting_timezone: Type.Optional(literals(['PINTEREST_TIME_ZONE', 'AD_ACCOUNT_TIME_ZONE'])),
  start_hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  end_hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  campaign_brand_label: Type.Optional(Type.String({ maxLength: 200 })),
  product_group_ids: IdArray('Product groups (none exist: no catalogs).'),
  product_group_statuses: Statuses,
  product_item_ids: IdArray('Product items (none exist: no catalogs).'),
  metrics_filters: Type.Optional(Type.Array(Type.Object({}), { minItems: 1, maxItems: 20 })),
  custom_conversion_event_metrics: Type.Optional(Type.Array(Type.Object({}), { maxItems: 20 })),
});

export const ReportCreated = Type.Object({
  report_status: literals([...REPORT_STATUSES]),
  token: Type.String(),
  message: Nullable(Type.String()),
});

export const ReportTokenQuery = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token POST answered.' }),
});

export const ReportStatus = Type.Object({
  report_status: literals([...REPORT_STATUSES]),
  url: Nullable(Type.String()),
  size: Nullable(Type.Number()),
});

export const TemplateListQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 25 })),
  order: Type.Optional(literals(['ASCENDING', 'DESCENDING'])),
  bookmark: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const TemplatePage = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  bookmark: Nullable(Type.String()),
});

export const TemplateReportParams = Type.Object({
  ...AdAccountIdParams.properties,
  template_id: Type.String({ maxLength: 18 }),
});

export const TemplateReportQuery = Type.Object({
  start_date: Type.Optional(Type.String({ maxLength: 10 })),
  end_date: Type.Optional(Type.String({ maxLength: 10 })),
  granularity: Type.Optional(literals([...GRANULARITIES])),
});

export const TemplateReport = Type.Object({
  template_id: Type.String(),
  report_status: literals([...REPORT_STATUSES]),
  token: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const ReportFileParams = Type.Object({
  link: Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }),
});
