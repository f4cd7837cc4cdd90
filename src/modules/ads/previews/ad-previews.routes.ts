import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import { previewPage } from './ad-preview.page.js';
import { AdPreviewRequest, AdPreviewUrl, PreviewQuery } from './ad-previews.schemas.js';
import type { AdPreviewsService } from './ad-previews.service.js';

export function adPreviewsRoutes(app: HttpServer, service: AdPreviewsService): void {
  app.post(
    '/v5/ad_accounts/:ad_account_id/ad_previews',
    {
      config: { scopes: ['ads:write'], rateLimit: 'ads_write' },
      schema: {
        tags: ['ads'],
        summary: 'Create ad preview with pin or image',
        description:
          "A URL of a page showing the pin (one of the account owner's public pins) or an image and title as a promoted pin, for seven days. The page is checked again each time it is shown. Catalog previews are refused.",
        params: AdAccountIdParams,
        body: AdPreviewRequest,
        response: { 200: AdPreviewUrl },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  // The preview page itself: anyone with the URL (its token is signed and expires), like a shared link.
  app.get('/ad_previews', { schema: { hide: true, querystring: PreviewQuery } }, async (request, reply) => {
    const preview = await service.show(request.query.token);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'private, max-age=300')
      .header('content-security-policy', "default-src 'none'; img-src * data:; style-src 'unsafe-inline'")
      .header('referrer-policy', 'no-referrer')
      .send(previewPage(preview));
  });
}
