import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  Campaign,
  CampaignBulkResult,
  CampaignCreateBody,
  CampaignListQuery,
  CampaignPage,
  CampaignParams,
  CampaignUpdateBody,
} from './campaigns.schemas.js';
import type { CampaignsService } from './campaigns.service.js';

const tags = ['campaigns'];

export function campaignsRoutes(app: HttpServer, service: CampaignsService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/campaigns',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List campaigns',
        params: AdAccountIdParams,
        querystring: CampaignListQuery,
        response: { 200: CampaignPage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/campaigns',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create campaigns',
        description:
          "Up to 30 campaigns; each item succeeds or fails alone (its `exceptions` say why). Money is micro-currency in the account currency: a spend cap is at least the currency's least daily budget, and a campaign has a daily or a lifetime cap, not both. VIDEO_COMPLETION and CATALOG_SALES objectives are refused (no video pins or catalogs).",
        params: AdAccountIdParams,
        body: CampaignCreateBody,
        response: { 200: CampaignBulkResult },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/campaigns',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update campaigns',
        description:
          'Up to 30 campaigns by id; only the fields an item gives change, and each item succeeds or fails alone. ARCHIVED is final; objective_type changes only on drafts.',
        params: AdAccountIdParams,
        body: CampaignUpdateBody,
        response: { 200: CampaignBulkResult },
      },
    },
    async (request) =>
      service.update(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/campaigns/:campaign_id',
    {
      config: ADS_READ,
      schema: { tags, summary: 'Get campaign', params: CampaignParams, response: { 200: Campaign } },
    },
    async (request) =>
      service.get(principalOf(request).userId, request.params.ad_account_id, request.params.campaign_id),
  );
}
