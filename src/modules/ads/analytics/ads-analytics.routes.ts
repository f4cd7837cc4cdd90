import type { FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';
import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import type { Attribution } from './ads-analytics.params.js';
import {
  AccountAnalyticsQuery,
  AccountTargetingQuery,
  AdAccountIdParams,
  AdAnalyticsQuery,
  AdGroupAnalyticsQuery,
  AdGroupTargetingQuery,
  AdTargetingQuery,
  AnalyticsRows,
  CampaignAnalyticsQuery,
  CampaignTargetingQuery,
  PinAnalyticsQuery,
  TargetingAnalytics,
} from './ads-analytics.schemas.js';
import type { AdsAnalyticsService, AnalyticsAnswer } from './ads-analytics.service.js';

export const ADS_ANALYTICS = { scopes: ['ads:read'], rateLimit: 'ads_analytics' };
const tags = ['ad_accounts'];

/** What every analytics description says about the numbers. */
export const NUMBERS_NOTE =
  'Counts come from the event stream (events that carry the ad): IMPRESSION_1 = impressions, CLICKTHROUGH_1 = pin clicks (close-ups and outbound clicks), OUTBOUND_CLICK_1, REPIN_1 = saves, ENGAGEMENT_1 = saves + pin clicks; CTR and other rates are count / impressions; money is integer micro-currency of the account (ECPM = spend × 1000 / impressions, ECPC = spend / pin clicks, rounded half up; 0 when dividing by zero). Spend is written by billing and reads 0 until ads serve; TOTAL_CONVERSIONS and other conversion columns read 0 until conversions are attributed (a later release). Earned (_2), video and shopping columns are valid and answer 0; descriptive columns the row does not know are null. Only periods with activity have rows, except TOTAL, which has one per entity asked about. HOUR rows carry DATE (the day) and HOUR (0–23, UTC). Limits: start at most 90 days back and a range of at most 90 days; with HOUR, 8 days back and 3 days.';

/** Echoes the attribution settings the answer was computed with. */
function answer<T>(reply: FastifyReply, a: AnalyticsAnswer<T>): T {
  reply.header('x-corkboard-attribution', attributionHeader(a.attribution));
  return a.body;
}

/** The attribution settings as one header value. */
export function attributionHeader(a: Attribution): string {
  return `click_window_days=${a.clickWindowDays}; engagement_window_days=${a.engagementWindowDays}; view_window_days=${a.viewWindowDays}; conversion_report_time=${a.conversionReportTime}`;
}

/** Synchronous ads analytics and targeting analytics of an ad account and its campaigns, ad groups and ads. */
export function adsAnalyticsRoutes(app: HttpServer, service: AdsAnalyticsService): void {
  const base = '/v5/ad_accounts/:ad_account_id';
  const schema = <Q extends TSchema, R extends TSchema>(summary: string, querystring: Q, response: R) => ({
    tags,
    summary,
    description: NUMBERS_NOTE,
    params: AdAccountIdParams,
    querystring,
    response: { 200: response },
  });

  app.get(
    `${base}/analytics`,
    {
      config: ADS_ANALYTICS,
      schema: schema('Get ad account analytics', AccountAnalyticsQuery, AnalyticsRows('AD_ACCOUNT_ID')),
    },
    async (request, reply) =>
      answer(
        reply,
        await service.account(principalOf(request).userId, request.params.ad_account_id, request.query),
      ),
  );
  app.get(
    `${base}/campaigns/analytics`,
    {
      config: ADS_ANALYTICS,
      schema: schema('Get campaign analytics', CampaignAnalyticsQuery, AnalyticsRows('CAMPAIGN_ID')),
    },
    async (request, reply) =>
      answer(
        reply,
        await service.campaigns(principalOf(request).userId, request.params.ad_account_id, request.query),
      ),
  );
  app.get(
    `${base}/ad_groups/analytics`,
    {
      config: ADS_ANALYTICS,
      schema: schema('Get ad group analytics', AdGroupAnalyticsQuery, AnalyticsRows('AD_GROUP_ID')),
    },
    async (request, reply) =>
      answer(
        reply,
        await service.adGroups(principalOf(request).userId, request.params.ad_account_id, request.query),
      ),
  );
  app.get(
    `${base}/ads/analytics`,
    {
      config: ADS_ANALYTICS,
      schema: schema('Get ad analytics', AdAnalyticsQuery, AnalyticsRows('AD_ID')),
    },
    async (request, reply) =>
      answer(
        reply,
        await service.ads(principalOf(request).userId, request.params.ad_account_id, request.query),
      ),
  );
  app.get(
    `${base}/pins/analytics`,
    {
      config: ADS_ANALYTICS,
      schema: schema('Get pin analytics for a campaign', PinAnalyticsQuery, AnalyticsRows('PIN_ID')),
    },
    async (request, reply) =>
      answer(
        reply,
        await service.pins(principalOf(request).userId, request.params.ad_account_id, request.query),
      ),
  );

  const targeting = [
    ['', 'ADVERTISER', AccountTargetingQuery, 'ad account'],
    ['/campaigns', 'CAMPAIGN', CampaignTargetingQuery, 'campaigns'],
    ['/ad_groups', 'AD_GROUP', AdGroupTargetingQuery, 'ad groups'],
    ['/ads', 'PIN_PROMOTION', AdTargetingQuery, 'ads'],
  ] as const;
  for (const [path, level, query, what] of targeting) {
    app.get(
      `${base}${path}/targeting_analytics`,
      {
        config: ADS_ANALYTICS,
        schema: {
          ...schema(`Get targeting analytics for ${what}`, query, TargetingAnalytics),
          description: `${NUMBERS_NOTE} Broken down by APPTYPE only (web, mobile, tablet, other: the viewer's app type as events record it); the other targeting types are accepted and have no rows, since an ad event does not record the viewer's age, gender, location, interests, keyword or placement.`,
        },
      },
      async (request, reply) =>
        answer(
          reply,
          await service.targeting(
            principalOf(request).userId,
            request.params.ad_account_id,
            level,
            request.query,
          ),
        ),
    );
  }
}
