import { Type } from 'typebox';
import { PageQuery } from '../../../http/pagination.js';
import { AdAccountIdParams, literals, Nullable } from '../ads.schemas.js';
import { Page } from '../entity.schemas.js';

export const AUDIENCE_TYPES = ['CUSTOMER_LIST', 'VISITOR', 'ENGAGEMENT', 'ACTALIKE', 'PERSONA'] as const;

const Ids = (description: string) =>
  Type.Optional(Type.Array(Type.String({ pattern: '^\\d{1,19}$' }), { maxItems: 100, description }));
/** A whole number the spec's examples also write as text ("180"). */
const Count = (description: string) =>
  Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: '^\\d{1,6}$' })], { description }));
const Equals = (description: string) =>
  Type.Optional(
    Type.Object({ '=': Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }) }, { description }),
  );

/** The spec's AudienceRule; which fields each audience type takes is checked in audience-rules.ts. */
export const AudienceRuleBody = Type.Object({
  ad_account_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  customer_list_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$', description: 'CUSTOMER_LIST.' })),
  seed_id: Ids('ACTALIKE: the seed audiences.'),
  country: Type.Optional(Type.String({ maxLength: 2, description: 'ACTALIKE: US, CA or GB.' })),
  percentage: Count('ACTALIKE: 1-10, the share of Corkboard people the audience holds.'),
  visitor_source_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$', description: 'VISITOR.' })),
  retention_days: Count('VISITOR and ENGAGEMENT: 1-540, 180 by default.'),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'VISITOR: an event name.' })),
  event_source: Equals('VISITOR: {"=": [web, mobile, offline]}.'),
  ingestion_source: Equals('VISITOR: {"=": [tag, mmp, file_upload, conversions_api]}.'),
  prefill: Type.Optional(Type.Boolean({ description: 'VISITOR: fill from past events (default true).' })),
  event_data: Type.Optional(Type.Object({}, { additionalProperties: true })),
  url: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })),
  engagement_domain: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      maxItems: 20,
      description: "ENGAGEMENT: only pins linking to these domains (the advertiser's).",
    }),
  ),
  engagement_type: Type.Optional(
    Type.String({ maxLength: 20, description: 'ENGAGEMENT: click, save or closeup.' }),
  ),
  engager_type: Type.Optional(Type.Integer()),
  pin_id: Ids('ENGAGEMENT: only these pins.'),
  ad_id: Ids('ENGAGEMENT: only the pins of these ads.'),
  campaign_id: Ids('ENGAGEMENT: only the pins of these campaigns.'),
  objective_type: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
});

const common = {
  ad_account_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
};

export const AudienceCreateBody = Type.Object({
  ...common,
  rule: AudienceRuleBody,
  audience_type: literals([...AUDIENCE_TYPES]),
});

export const AudienceUpdateBody = Type.Object({
  ad_account_id: common.ad_account_id,
  name: Type.Optional(common.name),
  description: common.description,
  rule: Type.Optional(AudienceRuleBody),
  operation_type: Type.Optional(
    literals(['UPDATE', 'REMOVE'], { default: 'UPDATE', description: 'REMOVE archives the audience.' }),
  ),
});

export const Audience = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  name: Type.String(),
  audience_type: Type.String(),
  description: Nullable(Type.String()),
  rule: Type.Object({}, { additionalProperties: true }),
  size: Nullable(Type.Integer()),
  status: Type.String(),
  type: Type.Literal('audience'),
  created_by_company_name: Nullable(Type.String()),
  created_timestamp: Type.Integer(),
  updated_timestamp: Type.Integer(),
});

export const AudiencePage = Page(Audience);
export const AudienceListQuery = Type.Object({
  ...PageQuery.properties,
  order: Type.Optional(
    literals(['ASCENDING', 'DESCENDING'], { description: 'By id; ascending by default.' }),
  ),
  ownership_type: Type.Optional(
    literals(['OWNED', 'RECEIVED'], {
      default: 'OWNED',
      description: 'RECEIVED is always empty: audiences are not shared between accounts.',
    }),
  ),
});
export const AudienceParams = Type.Object({
  ...AdAccountIdParams.properties,
  audience_id: Type.String({ pattern: '^\\d{1,19}$' }),
});
