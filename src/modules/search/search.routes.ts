import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import { BoardSearchPage, PinSearchPage, SearchBoardsQuery, SearchPinsQuery } from './search.schemas.js';
import type { SearchService } from './search.service.js';

// Exactly the spec's security entries: it asks for the *_secret scopes even though a user searches only
// their own content (secret boards and pins included).
const PINS = {
  scopes: ['boards:read', 'boards:read_secret', 'pins:read', 'pins:read_secret'],
  rateLimit: 'org_read',
};
const BOARDS = { scopes: ['boards:read', 'boards:read_secret'], rateLimit: 'org_read' };
const tags = ['search'];

export function searchRoutes(app: HttpServer, search: SearchService): void {
  app.get(
    '/v5/search/pins',
    {
      config: PINS,
      schema: {
        tags,
        summary: "Search user's Pins",
        querystring: SearchPinsQuery,
        response: { 200: PinSearchPage },
      },
    },
    async (request, reply) =>
      sendWritten(reply, await search.pins(principalOf(request), request.query, { requestId: request.id })),
  );

  app.get(
    '/v5/search/boards',
    {
      config: BOARDS,
      schema: {
        tags,
        summary: "Search user's boards",
        querystring: SearchBoardsQuery,
        response: { 200: BoardSearchPage },
      },
    },
    async (request) => {
      const { query, page_size, bookmark } = request.query;
      const viewer = principalOf(request);
      return query === undefined
        ? search.allBoards(viewer, page_size, bookmark)
        : search.boards(viewer, { query, page_size, bookmark }, { requestId: request.id });
    },
  );
}
