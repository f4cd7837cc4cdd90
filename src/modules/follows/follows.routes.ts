import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/server.js';
import {
  Board,
  BoardIdParams,
  BoardPage,
  FollowersQuery,
  FollowingBoardsQuery,
  FollowingQuery,
  FollowUserRequest,
  UsernameParams,
  UserPage,
  UserSummary,
} from './follows.schemas.js';
import type { FollowsService } from './follows.service.js';

// Scopes and rate-limit categories as the spec's `security` and `x-ratelimit-category` give them;
// the spec puts the followers list under `ads_read`, unlike its neighbours.
const READ = { scopes: ['user_accounts:read'], rateLimit: 'org_read' };
const FOLLOWERS = { scopes: ['user_accounts:read'], rateLimit: 'ads_read' };
const WRITE = { scopes: ['user_accounts:write'], rateLimit: 'org_write' };
const tags = ['user_account'];
const EXTENSION = 'Extension: not in Pinterest API v5.';

export function followsRoutes(app: HttpServer, follows: FollowsService): void {
  app.get(
    '/v5/user_account/followers',
    {
      config: FOLLOWERS,
      schema: {
        tags,
        summary: 'List followers',
        description: 'People following you, newest follow first.',
        querystring: FollowersQuery,
        response: { 200: UserPage },
      },
    },
    async (request) =>
      follows.followers(principalOf(request), request.query.page_size ?? 25, request.query.bookmark),
  );

  app.get(
    '/v5/user_account/following',
    {
      config: READ,
      schema: {
        tags,
        summary: 'List following',
        description:
          'People you follow, newest follow first. `feed_type` and `explicit_following` are accepted; only explicit follows exist and none are ranked, so they do not change the list.',
        querystring: FollowingQuery,
        response: { 200: UserPage },
      },
    },
    async (request) =>
      follows.following(principalOf(request), request.query.page_size ?? 25, request.query.bookmark),
  );

  app.get(
    '/v5/user_account/following/boards',
    {
      config: READ,
      schema: {
        tags,
        summary: 'List following boards',
        description:
          'Boards you follow, newest follow first. Boards you may no longer see (made secret since) are left out. `explicit_following` is accepted and does not change the list.',
        querystring: FollowingBoardsQuery,
        response: { 200: BoardPage },
      },
    },
    async (request) =>
      follows.followingBoards(principalOf(request), request.query.page_size ?? 25, request.query.bookmark),
  );

  app.post(
    '/v5/user_account/following/:username',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Follow user',
        description:
          'Follow another user. Following someone you already follow succeeds and changes nothing; following yourself is a 400; an unknown username is a 404 (code 30).',
        params: UsernameParams,
        body: FollowUserRequest,
        response: { 200: UserSummary },
      },
    },
    async (request) =>
      follows.followUser(principalOf(request), request.params.username, request.body.auto_follow ?? false),
  );

  app.delete(
    '/v5/user_account/following/:username',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Unfollow user (extension)',
        description: `${EXTENSION} Stop following a user; 204 whether or not you followed them. Unknown username: 404 (code 30).`,
        params: UsernameParams,
      },
    },
    async (request, reply) => {
      await follows.unfollowUser(principalOf(request), request.params.username);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v5/user_account/following/boards/:board_id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Follow board (extension)',
        description: `${EXTENSION} Follow a board you can see; answers with the board. Following it again changes nothing. A board you cannot see is a 404 (code 40); your own board is a 400.`,
        params: BoardIdParams,
        response: { 200: Board },
      },
    },
    async (request) => follows.followBoard(principalOf(request), request.params.board_id),
  );

  app.delete(
    '/v5/user_account/following/boards/:board_id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Unfollow board (extension)',
        description: `${EXTENSION} Stop following a board; 204 whether or not you followed it. A board you cannot see and do not follow is a 404 (code 40).`,
        params: BoardIdParams,
      },
    },
    async (request, reply) => {
      await follows.unfollowBoard(principalOf(request), request.params.board_id);
      return reply.status(204).send();
    },
  );
}
