import { Type } from 'typebox';
import { Id } from '../../http/id.js';
import { Page, PageQuery } from '../../http/pagination.js';

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

export const BoardIdParams = Type.Object({ board_id: Id });

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

export { Board, BoardPage } from '../boards/index.js';

/** A person's profile as another sees it (an extension: GET /v5/users/{username}). */
export const Profile = Type.Object({
  username: Type.String(),
  profile_image: Type.String(),
  about: Type.String(),
  website_url: Type.String(),
  board_count: Type.Integer({ minimum: 0, description: 'Boards the caller may see.' }),
  pin_count: Type.Integer({ minimum: 0, description: 'Pins on boards the caller may see.' }),
  follower_count: Type.Integer({ minimum: 0 }),
  following_count: Type.Integer({ minimum: 0 }),
  is_following: Type.Boolean({ description: 'Whether the caller follows this person.' }),
});

/** Whether the caller follows a board (an extension: GET /v5/user_account/following/boards/{board_id}). */
export const FollowState = Type.Object({ following: Type.Boolean() });
