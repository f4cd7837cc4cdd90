import { Type } from 'typebox';

/** The spec's `Account` (GET /v5/user_account). */
export const Account = Type.Object({
  account_type: Type.Union([Type.Literal('PINNER'), Type.Literal('BUSINESS')]),
  id: Type.String({ pattern: '^\\d+$' }),
  username: Type.String(),
  profile_image: Type.String(),
  website_url: Type.String(),
  about: Type.String(),
  business_name: Type.Union([Type.String(), Type.Null()]),
  board_count: Type.Integer({ minimum: 0 }),
  pin_count: Type.Integer({ minimum: 0 }),
  follower_count: Type.Integer({ minimum: 0 }),
  following_count: Type.Integer({ minimum: 0 }),
  monthly_views: Type.Integer({ minimum: 0 }),
});

export const AdAccountQuery = Type.Object({
  ad_account_id: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 })),
});

/** A business account linked to the caller's (none exist in Corkboard yet). */
export const LinkedBusiness = Type.Object({
  username: Type.String(),
  image_small_url: Type.String(),
  image_medium_url: Type.String(),
  image_large_url: Type.String(),
  image_xlarge_url: Type.String(),
});

const Nullable = <T extends import('typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** What a person tells of themselves for ads targeting (an extension; each optional, null clears it). */
export const DemographicsPatch = Type.Object({
  locale: Type.Optional(
    Nullable(Type.String({ maxLength: 10, description: 'A language, e.g. en or en-US.' })),
  ),
  country: Type.Optional(
    Nullable(Type.String({ maxLength: 2, description: 'ISO 3166-1 alpha-2, e.g. US.' })),
  ),
  gender: Type.Optional(Nullable(Type.Enum(['female', 'male', 'unknown'], { type: 'string' }))),
  birth_year: Type.Optional(
    Nullable(Type.Integer({ description: 'Year of birth (the date is not asked).' })),
  ),
});

export const Demographics = Type.Object({
  locale: Nullable(Type.String()),
  country: Nullable(Type.String()),
  gender: Nullable(Type.String()),
  birth_year: Nullable(Type.Integer()),
  age_bucket: Nullable(Type.String({ description: 'From birth_year; null under 18 or unknown.' })),
});
