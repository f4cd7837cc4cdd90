import { Type } from 'typebox';
import { Page } from '../../http/pagination.js';
import { Board } from '../boards/index.js';
import { Pin } from '../pins/index.js';
import { MAX_TERM_LENGTH } from './text.js';
import { TREND_TYPES } from './trends.js';

const Term = Type.String({
  minLength: 1,
  maxLength: MAX_TERM_LENGTH,
  description: `Search term: up to ${MAX_TERM_LENGTH} characters and 8 words; case and spacing are ignored.`,
});
const Bookmark = Type.Optional(
  Type.String({ minLength: 1, maxLength: 2048, description: 'Cursor from a previous page.' }),
);
const Limit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Max search result size (1-50).' }),
);

/** Extension: whether a word with no public match is corrected to the nearest public word. */
const Correct = Type.Optional(
  Type.Boolean({
    default: true,
    description:
      'Corkboard extension. false: search the words as written, none corrected (e.g. after a corrected search, to search for what was typed).',
  }),
);
/** Extension, on a corrected search's pages: the term as searched. */
const CorrectedTerm = Type.Optional(
  Type.String({
    description:
      'Corkboard extension, present when a word had no match in public content and was corrected: the term searched, each corrected word replaced by the public word it was corrected to. Show it ("Showing results for ..."), and offer the term as typed with correct=false.',
  }),
);

export const PartnerPinsQuery = Type.Object({
  term: Term,
  correct: Correct,
  country_code: Type.String({
    pattern: '^[A-Za-z]{2}$',
    description: 'Two letter country code (ISO 3166-1 alpha-2). Accepted; results are the same everywhere.',
  }),
  bookmark: Bookmark,
  locale: Type.Optional(
    Type.String({ maxLength: 35, description: 'Search locale. Accepted; text is analysed as English.' }),
  ),
  limit: Limit,
});

export const GlobalQuery = Type.Object({ term: Term, bookmark: Bookmark, limit: Limit });
export const GlobalBoardsQuery = Type.Object({
  term: Term,
  bookmark: Bookmark,
  limit: Limit,
  correct: Correct,
});

export const PinResults = Type.Object({ ...Page(Pin).properties, corrected_term: CorrectedTerm });
export const BoardResults = Type.Object({ ...Page(Board).properties, corrected_term: CorrectedTerm });
export const UserResult = Type.Object({
  id: Type.String(),
  username: Type.String(),
  about: Type.String(),
  profile_image: Type.String(),
  website_url: Type.String(),
  account_type: Type.String(),
  follower_count: Type.Integer(),
});
export const UserResults = Page(UserResult);

export const SuggestedQuery = Type.Object({
  term: Term,
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10, default: 4, description: 'Max suggested terms to return.' }),
  ),
});
export const Suggested = Type.Array(Type.String());

export const RelatedQuery = Type.Object({
  terms: Type.Array(Type.String({ minLength: 1, maxLength: 1100 }), {
    minItems: 1,
    maxItems: 10,
    description: 'Input terms (repeated or comma-separated; at most 10).',
  }),
});
export const Related = Type.Object({
  id: Type.String(),
  related_term_count: Type.Integer(),
  related_terms_list: Type.Array(
    Type.Object({ term: Type.String(), related_terms: Type.Array(Type.String()) }),
  ),
});

const REGIONS = [
  'US',
  'CA',
  'DE',
  'FR',
  'ES',
  'IT',
  'DE+AT+CH',
  'GB+IE',
  'IT+ES+PT+GR+MT',
  'PL+RO+HU+SK+CZ',
  'SE+DK+FI+NO',
  'NL+BE+LU',
  'AR',
  'BR',
  'CO',
  'MX',
  'MX+AR+CO+CL',
  'AU+NZ',
] as const;
const INTERESTS = [
  'animals',
  'architecture',
  'art',
  'beauty',
  'childrens_fashion',
  'design',
  'diy_and_crafts',
  'education',
  'electronics',
  'entertainment',
  'event_planning',
  'finance',
  'food_and_drinks',
  'gardening',
  'health',
  'home_decor',
  'mens_fashion',
  'parenting',
  'quotes',
  'sport',
  'travel',
  'vehicles',
  'wedding',
  'womens_fashion',
] as const;
const GENDERS = ['female', 'male', 'unknown'] as const;
const AGES = ['18-24', '25-34', '35-44', '45-49', '50-54', '55-64', '65+'] as const;
// `{type: 'string', enum}` as the spec writes these (and one readable error, not one per value).
const literals = <V extends string[]>(values: readonly [...V]) => Type.Enum(values, { type: 'string' });

export const TrendParams = Type.Object({
  region: literals(REGIONS),
  trend_type: literals(TREND_TYPES),
});

const IGNORED = 'Validated; Corkboard does not know this about searchers, so it does not narrow the trends.';
export const TrendsQuery = Type.Object({
  interests: Type.Optional(Type.Array(literals(INTERESTS), { description: IGNORED })),
  genders: Type.Optional(Type.Array(literals(GENDERS), { description: IGNORED })),
  ages: Type.Optional(Type.Array(literals(AGES), { description: IGNORED })),
  include_keywords: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 }),
  ),
  normalize_against_group: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 50 })),
  include_prediction: Type.Optional(Type.Boolean({ default: false })),
  include_demographics: Type.Optional(Type.Boolean({ default: false })),
});

export const TrendingKeywords = Type.Object({
  trends: Type.Array(
    Type.Object({
      keyword: Type.String({ minLength: 1 }),
      pct_growth_wow: Type.Integer(),
      pct_growth_mom: Type.Integer(),
      pct_growth_yoy: Type.Integer(),
      time_series: Type.Record(Type.String(), Type.Integer()),
      has_prediction: Type.Boolean(),
      demographics: Type.Optional(Type.Null()),
    }),
  ),
});
