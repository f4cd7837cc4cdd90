import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  AdGroup,
  AdGroupBulkResult,
  AdGroupCreateBody,
  AdGroupListQuery,
  AdGroupPage,
  AdGroupParams,
  AdGroupUpdateBody,
} from './ad-groups.schemas.js';
import type { AdGroupsService } from './ad-groups.service.js';

const tags = ['ad_groups'];

export function adGroupsRoutes(app: HttpServer, service: AdGroupsService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/ad_groups',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List ad groups',
        params: AdAccountIdParams,
        querystring: AdGroupListQuery,
        response: { 200: AdGroupPage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/ad_groups',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create ad groups',
        description:
          "Up to 30 ad groups, each alone. The billable event follows the campaign's objective (AWARENESS and WEB_CONVERSION pay per IMPRESSION, with bids per thousand; CONSIDERATION per CLICKTHROUGH). A budget (DAILY or LIFETIME, micro-currency, at least the currency's least daily budget) unless the campaign optimizes its budget (CBO_ADGROUP); a bid with MAX_BID and TARGET_AVG, at least the bid floor (POST .../bid_floor), none with AUTOMATIC_BID. Targeting values must exist (GET /v5/resources/targeting/{type}) and audiences must be the account's. Placements: ALL, BROWSE (home feed, related pins), SEARCH.",
        params: AdAccountIdParams,
        body: AdGroupCreateBody,
        response: { 200: AdGroupBulkResult },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/ad_groups',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update ad groups',
        description:
          'Up to 30 ad groups by id; only the fields an item gives change, checked as on creation; each item alone. budget_type changes only on drafts, and an ad group stays in its campaign.',
        params: AdAccountIdParams,
        body: AdGroupUpdateBody,
        response: { 200: AdGroupBulkResult },
      },
    },
    async (request) =>
      service.update(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/ad_groups/:ad_group_id',
    {
      config: ADS_READ,
      schema: { tags, summary: 'Get ad group', params: AdGroupParams, response: { 200: AdGroup } },
    },
    async (request) =>
      service.get(principalOf(request).userId, request.params.ad_account_id, request.params.ad_group_id),
  );
}
