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
