import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  Ad,
  AdBulkResult,
  AdCreateBody,
  AdListQuery,
  AdPage,
  AdParams,
  AdUpdateBody,
} from './ads.schemas.js';
import type { AdsService } from './ads.service.js';

const tags = ['ads'];

export function adsRoutes(app: HttpServer, service: AdsService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/ads',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List ads',
        params: AdAccountIdParams,
        querystring: AdListQuery,
        response: { 200: AdPage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/ads',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create ads',
        description:
          "Up to 30 ads, each alone. An ad promotes one of the ad account owner's own pins (another's pin, or none, is refused); destination_url defaults to the pin's link. Review is immediate: APPROVED, or REJECTED while the pin is not on a public board or has been deleted (a rejected ad is never served). Creative types other than REGULAR (video, carousel, shopping, collections, quizzes, lead forms) are refused.",
        params: AdAccountIdParams,
        body: AdCreateBody,
        response: { 200: AdBulkResult },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/ads',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update ads',
        description:
          'Up to 30 ads by id; only the fields an item gives change, each item alone; an ad keeps its ad group and pin. Every update reviews the pin again.',
        params: AdAccountIdParams,
        body: AdUpdateBody,
        response: { 200: AdBulkResult },
      },
    },
    async (request) =>
      service.update(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/ads/:ad_id',
    { config: ADS_READ, schema: { tags, summary: 'Get ad', params: AdParams, response: { 200: Ad } } },
    async (request) =>
      service.get(principalOf(request).userId, request.params.ad_account_id, request.params.ad_id),
  );
}
