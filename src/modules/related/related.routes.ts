import { principalOf } from '../../http/auth.js';
import { DEVICE_ID_DOC, deviceIdOf } from '../../http/device-id.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import { RelatedPage, RelatedParams, RelatedQuery } from './related.schemas.js';
import type { RelatedService } from './related.service.js';

// As GET /v5/pins/{pin_id}: reading pins.
const READ = { scopes: ['boards:read', 'pins:read'], rateLimit: 'org_read' };

export function relatedRoutes(app: HttpServer, related: RelatedService): void {
  app.get(
    '/v5/pins/:pin_id/related',
    {
      config: READ,
      schema: {
        tags: ['pins'],
        summary: 'List related Pins',
        description:
          'Extension (not in Pinterest API v5). Pins related to a Pin the caller may see: random walks on ' +
          'the graph of pins and boards, then pins with similar text for pins with few saves. Pins on ' +
          'secret boards never appear; near-duplicate images are left out; a page holds at most ' +
          'max(2, ceil(page_size / 5)) pins of one board and of one creator. ' +
          DEVICE_ID_DOC,
        params: RelatedParams,
        querystring: RelatedQuery,
        response: { 200: RelatedPage },
      },
    },
    async (request, reply) =>
      sendWritten(
        reply,
        await related.related(principalOf(request), request.params.pin_id, request.query, {
          requestId: request.id,
          deviceId: deviceIdOf(request),
        }),
      ),
  );
}
