import { type Static, Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';
import type { BoardView } from '../boards/index.js';

/** The spec's UserSummary: how a person appears in follower and following lists. */
export const UserSummary = Type.Object({
  type: Type.Literal('user'),
  username: Type.String(),
});
export const UserPage = Page(UserSummary);

/** The spec's `path_username`: any name that is not all digits (digits would read as a user id). */
export const UsernameParams = Type.Object({
  username: Type.String({ pattern: '(?!^\\d+$)^.+$', maxLength: 100, description: 'A valid username' }),
});

export const BoardIdParams = Type.Object({
  board_id: Type.String({ pattern: '^\\d{1,19}$', description: 'Decimal ID.' }),
});

const AdAccountId = Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 18 }));
const ExplicitFollowing = Type.Optional(
  Type.Boolean({
    default: false,
    description:
      'Accepted for compatibility. Only explicit follows are stored, so the lists are the same either way.',
  }),
);

export const FollowersQuery = PageQuery;

export const FollowingQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    feed_type: Type.Optional(
      Type.Union(
        [
          Type.Literal('ALL'),
          Type.Literal('RANKED'),
          Type.Literal('CREATOR_ONLY'),
          Type.Literal('RANKED_CREATOR_ONLY'),
        ],
        {
          default: 'ALL',
          description:
            'Accepted for compatibility. There is no ranking or creator classification, so every value lists all followees, newest first.',
        },
      ),
    ),
    explicit_following: ExplicitFollowing,
    ad_account_id: AdAccountId,
  }),
]);

export const FollowingBoardsQuery = Type.Intersect([
  PageQuery,
  Type.Object({ explicit_following: ExplicitFollowing, ad_account_id: AdAccountId }),
]);

/** The spec's FollowUserRequest. */
export const FollowUserRequest = Type.Object({
  auto_follow: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'Accepted and recorded on the event; there are no auto-follow partners to verify.',
    }),
  ),
});

/**
 * The spec's Board as the boards module renders it (`BoardView`). The boards module's door does not
 * export its TypeBox schema, so this mirrors it; the type checks below fail the build if the two drift.
 */
export const Board = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  privacy: Type.Union([Type.Literal('PUBLIC'), Type.Literal('PROTECTED'), Type.Literal('SECRET')]),
  is_ads_only: Type.Boolean(),
  owner: Type.Object({ username: Type.String() }),
  created_at: Type.String({ format: 'date-time' }),
  board_pins_modified_at: Type.String({ format: 'date-time' }),
  collaborator_count: Type.Integer({ minimum: 0 }),
  follower_count: Type.Integer({ minimum: 0 }),
  pin_count: Type.Integer({ minimum: 0 }),
  media: Type.Object({
    image_cover_url: Type.Union([Type.String(), Type.Null()]),
    pin_thumbnail_urls: Type.Array(Type.String()),
  }),
});
export const BoardPage = Page(Board);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const boardSchemaMatchesView: Same<Static<typeof Board>, BoardView> = true;
void boardSchemaMatchesView;
