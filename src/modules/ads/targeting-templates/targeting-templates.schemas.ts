import { Type } from 'typebox';
import { PageQuery } from '../../../http/pagination.js';
import { literals, Nullable, TrackingUrls } from '../ads.schemas.js';
import { Page } from '../entity.schemas.js';
import { TargetingSpecBody } from '../targeting/index.js';

export const MATCH_TYPES = ['BROAD', 'PHRASE', 'EXACT', 'EXACT_NEGATIVE', 'PHRASE_NEGATIVE'] as const;
/** Placements a template may name (OTHER is not a Corkboard surface). */
export const PLACEMENT_GROUPS = ['ALL', 'SEARCH', 'BROWSE', 'OTHER'] as const;

export const TargetingTemplateKeyword = Type.Object({
  match_type: literals([...MATCH_TYPES]),
  value: Type.String({ minLength: 1, maxLength: 120, description: 'The keyword (120 characters at most).' }),
});

export const TargetingTemplateCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  targeting_attributes: TargetingSpecBody,
  auto_targeting_enabled: Type.Optional(Type.Boolean({ default: true })),
  keywords: Type.Optional(Type.Array(TargetingTemplateKeyword, { maxItems: 2000 })),
  placement_group: Type.Optional(literals([...PLACEMENT_GROUPS], { default: 'ALL' })),
  tracking_urls: Type.Optional(Nullable(TrackingUrls)),
});

export const TargetingTemplateUpdateBody = Type.Object({
  id: Type.String({ pattern: '^\\d{1,19}$', description: 'Targeting template ID.' }),
  operation_type: literals(['UPDATE', 'REMOVE'], {
    description:
      'UPDATE replaces targeting_attributes; REMOVE deletes the template (targeting sent with it is ignored).',
  }),
  targeting_attributes: Type.Optional(TargetingSpecBody),
});

const ReachEstimate = Type.Object({
  estimate: Type.Optional(Type.Integer()),
  lower_bound: Type.Integer(),
  upper_bound: Type.Integer(),
});

export const TargetingTemplate = Type.Object({
  id: Type.String(),
  ad_account_id: Type.String(),
  name: Type.String(),
  status: literals(['ACTIVE', 'DELETED']),
  targeting_attributes: Type.Object({}, { additionalProperties: true }),
  keywords: Type.Array(TargetingTemplateKeyword),
  placement_group: Type.String(),
  auto_targeting_enabled: Type.Boolean(),
  tracking_urls: Nullable(TrackingUrls),
  created_time: Type.Integer(),
  updated_time: Type.Integer(),
  valid: Type.Boolean(),
  sizing: Type.Optional(Nullable(Type.Object({ reach_estimate: ReachEstimate }))),
});

export const TargetingTemplatePage = Page(TargetingTemplate);
export const TargetingTemplateListQuery = Type.Object({
  ...PageQuery.properties,
  order: Type.Optional(
    literals(['ASCENDING', 'DESCENDING'], { description: 'By id; ascending by default.' }),
  ),
  include_sizing: Type.Optional(Type.Boolean({ default: false })),
  search_query: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Words of the name.' }),
  ),
});
