import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  ConversionEvents,
  ConversionEventsQuery,
  ConversionResult,
  ConversionTag,
  ConversionTagCreate,
  ConversionTagList,
  ConversionTagParams,
  ConversionTagsQuery,
  ConversionToken,
  ConversionTokenQuery,
} from './conversions.schemas.js';
import type { ConversionsService } from './conversions.service.js';

export function conversionsRoutes(app: HttpServer, service: ConversionsService): void {
  app.post(
    '/v5/oauth/conversion_token',
    {
      config: { scopes: ['ads:write'], rateLimit: 'org_write' },
      schema: {
        tags: ['oauth'],
        summary: 'Generate OAuth access token for conversion API',
        description:
          'A long-lived token that can only send conversion events, for the ad accounts on which you are owner, ADMIN, CAMPAIGN_MANAGER or ANALYST (or, with ad_account_id, for that one account). It is refused by every other operation and revoked like any access token (POST /v5/oauth/token/revoke).',
        querystring: ConversionTokenQuery,
        response: { 200: ConversionToken },
      },
    },
    async (request) => service.token(principalOf(request), request.query.ad_account_id),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/events',
    {
      config: { scopes: ['ads:write'], rateLimit: 'ads_conversions', conversionToken: true },
      schema: {
        tags: ['conversion_events'],
        summary: 'Send conversions',
        description:
          'Up to 1,000 events, each checked alone (a failed event says why in its error_message) and counted once per event_id. User data must be SHA-256 hashed as the spec says; the IP address and user agent are kept only as their own SHA-256. Events are matched to people by their e-mail hash. With test=true, events are checked and not recorded.',
        params: AdAccountIdParams,
        querystring: ConversionEventsQuery,
        body: ConversionEvents,
        response: { 200: ConversionResult },
      },
    },
    async (request) =>
      service.send(
        principalOf(request),
        request.params.ad_account_id,
        request.body,
        request.query.test ?? false,
      ),
  );

  const tags = ['conversion_tags'];
  app.get(
    '/v5/ad_accounts/:ad_account_id/conversion_tags',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get conversion tags',
        params: AdAccountIdParams,
        querystring: ConversionTagsQuery,
        response: { 200: ConversionTagList },
      },
    },
    async (request) =>
      service.tags(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.query.filter_deleted ?? false,
      ),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/conversion_tags',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create conversion tag',
        params: AdAccountIdParams,
        body: ConversionTagCreate,
        response: { 200: ConversionTag },
      },
    },
    async (request) =>
      service.createTag(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/conversion_tags/:conversion_tag_id',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get conversion tag',
        params: ConversionTagParams,
        response: { 200: ConversionTag },
      },
    },
    async (request) =>
      service.tag(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.conversion_tag_id,
      ),
  );
}
