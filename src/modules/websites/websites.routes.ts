import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/types.js';
import {
  VerificationCode,
  VerificationQuery,
  WebsiteDeleteQuery,
  WebsitePage,
  WebsiteSummary,
  WebsitesQuery,
  WebsiteVerify,
} from './websites.schemas.js';
import type { WebsitesService } from './websites.service.js';

const READ = { scopes: ['user_accounts:read'], rateLimit: 'org_read' };
const WRITE = { scopes: ['user_accounts:write'], rateLimit: 'org_write' };
const tags = ['user_account'];

export function websitesRoutes(app: HttpServer, websites: WebsitesService): void {
  app.get(
    '/v5/user_account/websites',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get user websites',
        querystring: WebsitesQuery,
        response: { 200: WebsitePage },
      },
    },
    async (request) =>
      websites.list(principalOf(request), request.query.page_size ?? 25, request.query.bookmark),
  );

  app.post(
    '/v5/user_account/websites',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Verify website',
        description:
          'Claims a website: the code of GET /v5/user_account/websites/verification must be on it, as the meta tag on its page (METATAG, the default), the file at its root (FILENAME) or a DNS TXT record (DNSTXT). The page and file are fetched over https, else http, by the same fetcher as pin images (private addresses refused); a website without the code is a 400.',
        querystring: VerificationQuery,
        body: WebsiteVerify,
        response: { 200: WebsiteSummary },
      },
    },
    async (request) => websites.verify(principalOf(request), request.body, request.query.ad_account_id),
  );

  app.delete(
    '/v5/user_account/websites',
    { config: WRITE, schema: { tags, summary: 'Unverify website', querystring: WebsiteDeleteQuery } },
    async (request, reply) => {
      await websites.remove(principalOf(request), request.query.website);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v5/user_account/websites/verification',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get user verification code for website claiming',
        querystring: VerificationQuery,
        response: { 200: VerificationCode },
      },
    },
    async (request) => websites.verification(principalOf(request), request.query.ad_account_id),
  );
}
