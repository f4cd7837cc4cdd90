import { Type } from 'typebox';
import { AdAccountIdParams, BulkItems, literals, Nullable, TrackingUrls } from '../ads.schemas.js';
import { EntityListQuery, EntityStatusSchema, IdsQuery, Page } from '../entity.schemas.js';
import { TargetingSpecBody } from '../targeting/index.js';

export const BUDGET_TYPES = ['DAILY', 'LIFETIME', 'CBO_ADGROUP'] as const;
export const BID_STRATEGIES = ['AUTOMATIC_BID', 'MAX_BID', 'TARGET_AVG'] as const;
export const BILLABLE_EVENTS = ['CLICKTHROUGH', 'IMPRESSION', 'VIDEO_V_50_MRC'] as const;
export const PACING_TYPES = ['STANDARD', 'ACCELERATED'] as const;
export const PLACEMENT_GROUPS = ['ALL', 'SEARCH', 'BROWSE', 'OTHER'] as const;

const Money = Nullable(Type.Integer({ description: 'Micro-currency.' }));
const Seconds = Nullable(Type.Integer({ minimum: 0, maximum: 253402300799, description: 'Unix seconds.' }));
const GoalMetadata = Nullable(
  Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
    description: 'Optimization goal metadata, kept as given (at most 4 KB of JSON).',
  }),
);

const common = {
  name: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(EntityStatusSchema),
  budget_in_micro_currency: Type.Optional(Money),
  bid_in_micro_currency: Type.Optional(Money),
  budget_type: Type.Optional(literals([...BUDGET_TYPES])),
  start_time: Type.Optional(Seconds),
  end_time: Type.Optional(Seconds),
  targeting_spec: Type.Optional(TargetingSpecBody),
  lifetime_frequency_cap: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'Impressions per person in 30 days; 0 for none.',
    }),
  ),
  tracking_urls: Type.Optional(Nullable(TrackingUrls)),
  auto_targeting_enabled: Type.Optional(Nullable(Type.Boolean())),
  placement_group: Type.Optional(literals([...PLACEMENT_GROUPS])),
  pacing_delivery_type: Type.Optional(literals([...PACING_TYPES])),
  bid_strategy_type: Type.Optional(Nullable(literals([...BID_STRATEGIES]))),
  targeting_template_ids: Type.Optional(
    Nullable(Type.Array(Type.String({ pattern: '^\\d{1,19}$' }), { maxItems: 1 })),
  ),
  optimization_goal_metadata: Type.Optional(GoalMetadata),
  is_creative_optimization: Type.Optional(Nullable(Type.Boolean())),
  promotion_id: Type.Optional(Nullable(Type.String({ maxLength: 19 }))),
};

export const AdGroupCreate = Type.Object({
  ...common,
  name: Type.String({ maxLength: 255 }),
  campaign_id: Type.String({ pattern: '^C?\\d{1,19}$' }),
  billable_event: literals([...BILLABLE_EVENTS]),
});
export const AdGroupUpdate = Type.Object({
  id: Type.String({ pattern: '^\\d{1,19}$' }),
  ...common,
  campaign_id: Type.Optional(Type.String({ pattern: '^C?\\d{1,19}$' })),
  billable_event: Type.Optional(literals([...BILLABLE_EVENTS])),
});
export const AdGroupCreateBody = Type.Array(AdGroupCreate, { minItems: 1, maxItems: 30 });
export const AdGroupUpdateBody = Type.Array(AdGroupUpdate, { minItems: 1, maxItems: 30 });

export const AdGroup = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  campaign_id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  budget_in_micro_currency: Money,
  bid_in_micro_currency: Money,
  budget_type: Type.String(),
  start_time: Seconds,
  end_time: Seconds,
  targeting_spec: Type.Record(Type.String(), Type.Unknown()),
  lifetime_frequency_cap: Type.Integer(),
  tracking_urls: Nullable(TrackingUrls),
  auto_targeting_enabled: Type.Boolean(),
  placement_group: Type.String(),
  pacing_delivery_type: Type.String(),
  bid_strategy_type: Nullable(Type.String()),
  billable_event: Type.String(),
  targeting_template_ids: Nullable(Type.Array(Type.String())),
  optimization_goal_metadata: GoalMetadata,
  is_creative_optimization: Nullable(Type.Boolean()),
  promotion_id: Nullable(Type.String()),
  conversion_learning_mode_type: Nullable(Type.String()),
  summary_status: Type.String(),
  type: Type.Literal('adgroup'),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
});

export const AdGroupBulkResult = BulkItems(AdGroup);
export const AdGroupPage = Page(AdGroup);
export const AdGroupListQuery = Type.Object({
  ...EntityListQuery,
  campaign_ids: IdsQuery('campaigns'),
  ad_group_ids: IdsQuery('ad groups'),
  translate_interests_to_names: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'Interest names instead of ids in targeting_spec.INTEREST.',
    }),
  ),
});
export const AdGroupParams = Type.Object({
  ...AdAccountIdParams.properties,
  ad_group_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
