import { Type } from 'typebox';
import { AdAccountIdParams, BulkItems, literals, Nullable, TrackingUrls } from '../ads.schemas.js';
import { EntityListQuery, EntityStatusSchema, IdsQuery, Page } from '../entity.schemas.js';

export const OBJECTIVE_TYPES = [
  'AWARENESS',
  'CONSIDERATION',
  'WEB_CONVERSION',
  'CATALOG_SALES',
  'VIDEO_COMPLETION',
] as const;
const ObjectiveType = literals([...OBJECTIVE_TYPES]);
const Money = Nullable(Type.Integer({ description: 'Micro-currency.' }));
const Seconds = Nullable(Type.Integer({ minimum: 0, maximum: 253402300799, description: 'Unix seconds.' }));

const common = {
  ad_account_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(EntityStatusSchema),
  lifetime_spend_cap: Type.Optional(Money),
  daily_spend_cap: Type.Optional(Money),
  order_line_id: Type.Optional(Nullable(Type.String({ pattern: '^\\d{1,19}$' }))),
  tracking_urls: Type.Optional(Nullable(TrackingUrls)),
  start_time: Type.Optional(Seconds),
  end_time: Type.Optional(Seconds),
  is_flexible_daily_budgets: Type.Optional(Nullable(Type.Boolean())),
  default_ad_group_budget_in_micro_currency: Type.Optional(Money),
  is_automated_campaign: Type.Optional(Nullable(Type.Boolean())),
  is_campaign_budget_optimization: Type.Optional(Nullable(Type.Boolean())),
  is_performance_plus: Type.Optional(Type.Boolean()),
};

export const CampaignCreate = Type.Object({ ...common, objective_type: ObjectiveType });
export const CampaignUpdate = Type.Object({
  id: Type.String({ pattern: '^\\d{1,19}$' }),
  ...common,
  objective_type: Type.Optional(Nullable(ObjectiveType)),
});
export const CampaignCreateBody = Type.Array(CampaignCreate, { minItems: 1, maxItems: 30 });
export const CampaignUpdateBody = Type.Array(CampaignUpdate, { minItems: 1, maxItems: 30 });

export const Campaign = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  objective_type: Type.String(),
  lifetime_spend_cap: Money,
  daily_spend_cap: Money,
  order_line_id: Nullable(Type.String()),
  tracking_urls: Nullable(TrackingUrls),
  start_time: Seconds,
  end_time: Seconds,
  is_flexible_daily_budgets: Type.Boolean(),
  default_ad_group_budget_in_micro_currency: Money,
  is_automated_campaign: Type.Boolean(),
  is_campaign_budget_optimization: Type.Boolean(),
  is_performance_plus: Type.Boolean(),
  summary_status: Type.String(),
  type: Type.Literal('campaign'),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
});

export const CampaignBulkResult = BulkItems(Campaign);
export const CampaignPage = Page(Campaign);
export const CampaignListQuery = Type.Object({ ...EntityListQuery, campaign_ids: IdsQuery('campaigns') });
export const CampaignParams = Type.Object({
  ...AdAccountIdParams.properties,
  campaign_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
