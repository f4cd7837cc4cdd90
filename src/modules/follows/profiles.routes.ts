import { principalOf } from '../../http/auth.js';
import { PageQuery } from '../../http/pagination.js';
import type { HttpServer } from '../../http/server.js';
import type { BoardsService } from '../boards/index.js';
import {
  BoardIdParams,
  BoardPage,
  FollowState,
  Profile,
  UsernameParams,
  UserPage,
} from './follows.schemas.js';
import type { FollowsService } from './follows.service.js';

// People's profiles, for the web app's profile pages (extensions: Pinterest v5 reads only the caller's
// own account). What they show follows the visibility rule (src/modules/boards/visibility.ts): another
// person's secret boards, and the pins on them, never appear, in lists or in counts.
const PEOPLE = { scopes: ['user_accounts:read'], rateLimit: 'org_read' };
const BOARDS = { scopes: ['boards:read'], rateLimit: 'org_read' };
const tags = ['user_account'];
const EXTENSION = 'Extension: not in Pinterest API v5.';

export function profilesRoutes(app: HttpServer, follows: FollowsService, boards: BoardsService): void {
  app.get(
    '/v5/users/:username',
    {
      config: PEOPLE,
      schema: {
        tags,
        summary: 'Get a profile (extension)',
        description: `${EXTENSION} A person's public profile: counts of what the caller may see (another person's secret boards and their pins are not counted) and whether the caller follows them. Unknown username: 404 (code 30).`,
        params: UsernameParams,
        response: { 200: Profile },
      },
    },
    async (request) => follows.profile(principalOf(request), request.params.username),
  );

  app.get(
    '/v5/users/:username/boards',
    {
      config: BOARDS,
      schema: {
        tags,
        summary: "List a person's boards (extension)",
        description: `${EXTENSION} The person's boards the caller may read, in the owner's order (see \`position\` on PATCH /v5/boards/{board_id}): their public and protected boards; the caller's own list (secret boards with boards:read_secret) when it is the caller. Unknown username: 404 (code 30).`,
        params: UsernameParams,
        querystring: PageQuery,
        response: { 200: BoardPage },
      },
    },
    async (request) => {
      const owner = await follows.userNamed(request.params.username);
      return boards.listOf(
        principalOf(request),
        owner.id,
        request.query.page_size ?? 25,
        request.query.bookmark,
      );
    },
  );

  for (const list of ['followers', 'following'] as const) {
    app.get(
      `/v5/users/:username/${list}`,
      {
        config: PEOPLE,
        schema: {
          tags,
          summary:
            list === 'followers'
              ? "List a person's followers (extension)"
              : 'List whom a person follows (extension)',
          description: `${EXTENSION} As /v5/user_account/${list}, for the person named; newest follow first. Unknown username: 404 (code 30).`,
          params: UsernameParams,
          querystring: PageQuery,
          response: { 200: UserPage },
        },
      },
      async (request) => {
        const person = await follows.userNamed(request.params.username);
        const { page_size, bookmark } = request.query;
        return follows[list](principalOf(request), page_size ?? 25, bookmark, person.id);
      },
    );
  }

  app.get(
    '/v5/user_account/following/boards/:board_id',
    {
      config: PEOPLE,
      schema: {
        tags,
        summary: 'Check a board follow (extension)',
        description: `${EXTENSION} Whether you follow the board. A board you cannot see is a 404 (code 40).`,
        params: BoardIdParams,
        response: { 200: FollowState },
      },
    },
    async (request) => follows.followsBoard(principalOf(request), request.params.board_id),
  );
}
