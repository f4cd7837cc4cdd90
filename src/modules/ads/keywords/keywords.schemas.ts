import { Type } from 'typebox';
import { literals, Nullable } from '../ads.schemas.js';

export const MATCH_TYPES = ['BROAD', 'PHRASE', 'EXACT', 'EXACT_NEGATIVE', 'PHRASE_NEGATIVE'] as const;
const MatchType = literals([...MATCH_TYPES]);

export const KeywordInput = Type.Object({
  value: Type.String({ maxLength: 200 }),
  match_type: Nullable(MatchType),
  bid: Type.Optional(Nullable(Type.Integer({ description: 'Micro-currency per click.' }))),
});

export const KeywordsCreateBody = Type.Object({
  parent_id: Type.String({
    pattern: '^((AG)|C)?\\d{1,19}$',
    description: 'An ad group (AG prefix or bare id), a campaign (C prefix) or the ad account itself.',
  }),
  keywords: Type.Array(KeywordInput, { minItems: 1, maxItems: 2000 }),
});

export const KeywordsUpdateBody = Type.Object({
  keywords: Type.Array(
    Type.Object({
      id: Type.String({ pattern: '^\\d{1,19}$' }),
      archived: Type.Optional(Type.Boolean()),
      bid: Type.Optional(Nullable(Type.Integer({ description: 'Micro-currency per click.' }))),
    }),
    { minItems: 1, maxItems: 2000 },
  ),
});

/** A keyword; one that was not written (in `errors`) has no id, parent or archived flag. */
export const Keyword = Type.Object({
  id: Type.Optional(Type.String()),
  value: Type.String(),
  match_type: Nullable(Type.String()),
  bid: Nullable(Type.Integer()),
  archived: Type.Optional(Type.Boolean()),
  parent_id: Type.Optional(Type.String()),
  parent_type: Type.Optional(Type.String()),
  type: Type.Literal('keyword'),
});

export const KeywordsResult = Type.Object({
  keywords: Type.Array(Keyword),
  errors: Type.Array(Type.Object({ data: Keyword, error_messages: Type.Array(Type.String()) })),
});

export const KeywordsQuery = Type.Object({
  campaign_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  ad_group_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  ad_group_ids: Type.Optional(
    Type.Array(Type.String({ pattern: '^\\d{1,19}(,\\d{1,19})*$' }), { minItems: 1, maxItems: 250 }),
  ),
  match_types: Type.Optional(Type.Array(MatchType, { minItems: 1, maxItems: 5 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 25 })),
  bookmark: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});

export const KeywordPage = Type.Object({ items: Type.Array(Keyword), bookmark: Nullable(Type.String()) });

export const KeywordMetricsQuery = Type.Object({
  country_code: Type.String({
    pattern: '^[A-Z]{2}$',
    description: 'Checked, not used: searches carry no country.',
  }),
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { minItems: 1, maxItems: 2000 }),
});

export const KeywordMetrics = Type.Object({
  data: Type.Array(
    Type.Object({ keyword: Type.String(), metrics: Type.Object({ keyword_query_volume: Type.String() }) }),
  ),
});
