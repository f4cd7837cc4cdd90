import type { HttpServer } from '../../../http/types.js';
import {
  AdAccountCountries,
  DeliveryMetrics,
  DeliveryMetricsQuery,
  InterestIdParams,
  MetricsReadyQuery,
  MetricsReadyState,
  SingleInterest,
  TargetingOptions,
  TargetingOptionsQuery,
  TargetingTypeParams,
} from './targeting.schemas.js';
import type { TargetingService } from './targeting.service.js';

const READ = { scopes: ['ads:read'], rateLimit: 'ads_read' };
const tags = ['resources'];

/** The /v5/resources operations. */
export function resourcesRoutes(app: HttpServer, targeting: TargetingService): void {
  app.get(
    '/v5/resources/targeting/:targeting_type',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get targeting options',
        description:
          "The values a targeting type takes in a targeting spec, one `{value: label}` object each. LOCATION lists country codes (no US metro codes); GEO lists country codes, US states and Canadian provinces (no postal codes); LOCALE lists ISO 639-1 languages and language-region locales; INTEREST lists Corkboard's interest taxonomy. KEYWORD, AUDIENCE_INCLUDE and AUDIENCE_EXCLUDE have no catalogue and answer an empty list. client_id, oauth_signature, timestamp and ad_account_id are accepted and ignored.",
        params: TargetingTypeParams,
        querystring: TargetingOptionsQuery,
        response: { 200: TargetingOptions },
      },
    },
    async (request) => targeting.options(request.params.targeting_type),
  );

  app.get(
    '/v5/resources/targeting/interests/:interest_id',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get interest details',
        description:
          "An interest of Corkboard's taxonomy (the INTEREST targeting values). The taxonomy is flat: every interest is level 1 and has no child interests. An unknown id is a 404.",
        params: InterestIdParams,
        response: { 200: SingleInterest },
      },
    },
    async (request) => targeting.interest(request.params.interest_id),
  );

  app.get(
    '/v5/resources/ad_account_countries',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get ad accounts countries',
        description:
          "The advertiser countries and the currency each one's ad accounts bill in, as an ISO 4217 code (Pinterest answers a currency name). Creating an ad account is not limited to these: any country and supported currency is taken.",
        response: { 200: AdAccountCountries },
      },
    },
    async () => targeting.adAccountCountries(),
  );

  app.get(
    '/v5/resources/delivery_metrics',
    {
      config: { scopes: ['ads:read', 'pins:read', 'user_accounts:read'], rateLimit: 'ads_read' },
      schema: {
        tags,
        summary: "Get available metrics' definitions",
        description:
          "The metrics Corkboard's ads reports answer (all of category ADS; organic metrics are not listed). Synchronous and asynchronous reports offer the same metrics, so report_type does not change the answer.",
        querystring: DeliveryMetricsQuery,
        response: { 200: DeliveryMetrics },
      },
    },
    async () => targeting.deliveryMetrics(),
  );

  app.get(
    '/v5/resources/metrics_ready_state',
    {
      config: { scopes: ['ads:read'], rateLimit: 'ads_analytics' },
      schema: {
        tags,
        summary: 'Get metrics ready state',
        description:
          "Corkboard's reports are computed from the events recorded so far, with no later closing of the books: metrics of any date up to today (UTC) are ready, conversion and non-conversion alike; a later date is not. A date that is not a calendar date is a 400.",
        querystring: MetricsReadyQuery,
        response: { 200: MetricsReadyState },
      },
    },
    async (request) => targeting.metricsReadyState(request.query.date),
  );
}
