import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import { FeedPage, FeedQuery } from './feed.schemas.js';
import type { FeedService } from './feed.service.js';

// Items are Pins, read with the scopes of GET /v5/pins/{pin_id}; a read like the others.
const READ = { scopes: ['boards:read', 'pins:read'], rateLimit: 'org_read' };

export function feedRoutes(app: HttpServer, feed: FeedService): void {
  app.get(
    '/v5/feeds/home',
    {
      config: READ,
      schema: {
        tags: ['feeds'],
        summary: 'Home feed (extension)',
        description:
          'Extension: not in Pinterest API v5. Your home feed: Pins from people and boards you follow, Pins related to what you saved or opened lately, and popular Pins in your topics, blended and spread out so no board or creator crowds a stretch of the feed. Each item is the Pin as GET /v5/pins/{pin_id} shows it, with its `impression_token` and a `reason`. A bookmark continues the same session: no Pin comes twice in one session, and Pins you have saved never appear. A bookmark expires an hour after its page (400: start again without one).',
        querystring: FeedQuery,
        response: { 200: FeedPage },
      },
    },
    async (request, reply) => {
      const { page_size, bookmark } = request.query;
      const page = await feed.home(
        principalOf(request),
        page_size ?? 25,
        bookmark,
        request.id,
        () => reply.elapsedTime,
      );
      sendWritten(reply, page);
    },
  );
}
