import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  KeywordMetrics,
  KeywordMetricsQuery,
  KeywordPage,
  KeywordsCreateBody,
  KeywordsQuery,
  KeywordsResult,
  KeywordsUpdateBody,
} from './keywords.schemas.js';
import type { KeywordsService } from './keywords.service.js';

const tags = ['keywords'];

export function keywordsRoutes(app: HttpServer, service: KeywordsService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/keywords',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get keywords',
        description:
          "An ad group's keywords (ad_group_id or ad_group_ids), a campaign's (campaign_id) or, with neither, the ad account's own, as the spec says.",
        params: AdAccountIdParams,
        querystring: KeywordsQuery,
        response: { 200: KeywordPage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/keywords',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create keywords',
        description:
          'Keywords for an ad group (every match type; bids per click on CLICKTHROUGH ad groups only, at the bid floor or above), or excluding keywords for a campaign or the account. Each keyword is written or listed in `errors` alone.',
        params: AdAccountIdParams,
        body: KeywordsCreateBody,
        response: { 200: KeywordsResult },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/keywords',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update keywords',
        params: AdAccountIdParams,
        body: KeywordsUpdateBody,
        response: { 200: KeywordsResult },
      },
    },
    async (request) =>
      service.update(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/keywords/metrics',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get country keyword metrics',
        description:
          'How often Corkboard\'s people searched for each keyword in the last 30 days (searches of terms that hold it as whole words), as a range from "<100" to "5M+". Searches carry no country, so country_code is checked and not used.',
        params: AdAccountIdParams,
        querystring: KeywordMetricsQuery,
        response: { 200: KeywordMetrics },
      },
    },
    async (request) =>
      service.metrics(principalOf(request).userId, request.params.ad_account_id, request.query),
  );
}
