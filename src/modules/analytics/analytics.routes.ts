import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import {
  AnalyticsResponse,
  BulkPinAnalyticsResponse,
  MultiPinAnalyticsQuery,
  PinAnalyticsQuery,
  PinAnalyticsResponse,
  PinIdParams,
  TopPinsQuery,
  TopPinsResponse,
  TopVideoPinsQuery,
  TopVideoPinsResponse,
  UserAnalyticsQuery,
} from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';

// Scopes and rate-limit categories as the spec's `security` and `x-ratelimit-category` give them.
const PIN = { scopes: ['boards:read', 'pins:read'], rateLimit: 'org_analytics' };
const USER = { scopes: ['user_accounts:read'], rateLimit: 'org_analytics' };
const TOP = { scopes: ['pins:read', 'user_accounts:read'], rateLimit: 'org_analytics' };

const RULES =
  'Days are UTC; start_date at most 90 days back, end_date not in the future and at most 90 days after start_date (400 otherwise). data_status is PROCESSING for today and for days with events not yet rolled up.';

export function analyticsRoutes(app: HttpServer, analytics: AnalyticsService): void {
  app.get(
    '/v5/pins/analytics',
    {
      config: PIN,
      schema: {
        tags: ['pins'],
        summary: 'Get multiple Pin analytics',
        description: `Analytics of up to 100 of your Pins, keyed by Pin id, then "all". Any Pin that is not yours is a 404. ${RULES}`,
        querystring: MultiPinAnalyticsQuery,
        response: { 200: BulkPinAnalyticsResponse },
      },
    },
    async (request) => analytics.multiPinAnalytics(principalOf(request), request.query),
  );

  app.get(
    '/v5/pins/:pin_id/analytics',
    {
      config: PIN,
      schema: {
        tags: ['pins'],
        summary: 'Get Pin analytics',
        description: `Daily, summary and lifetime metrics of one of your Pins, under "all" or per app type (split_field=APP_TYPE). Someone else's Pin is a 404. ${RULES}`,
        params: PinIdParams,
        querystring: PinAnalyticsQuery,
        response: { 200: PinAnalyticsResponse },
      },
    },
    async (request) => analytics.pinAnalytics(principalOf(request), request.params.pin_id, request.query),
  );

  app.get(
    '/v5/user_account/analytics',
    {
      config: USER,
      schema: {
        tags: ['user_account'],
        summary: 'Get user account analytics',
        description: `Activity on the Pins you own, per day and in total. ${RULES}`,
        querystring: UserAnalyticsQuery,
        response: { 200: AnalyticsResponse },
      },
    },
    // Answers are written once and reused while nothing they depend on changes.
    async (request, reply) =>
      sendWritten(reply, await analytics.userAnalytics(principalOf(request), request.query)),
  );

  app.get(
    '/v5/user_account/analytics/top_pins',
    {
      config: TOP,
      schema: {
        tags: ['user_account'],
        summary: 'Get user account top pins analytics',
        description: `Your Pins with the most of sort_by in the range (at most 50). Pins on secret boards need pins:read_secret. ${RULES}`,
        querystring: TopPinsQuery,
        response: { 200: TopPinsResponse },
      },
    },
    async (request) => analytics.topPins(principalOf(request), request.query),
  );

  app.get(
    '/v5/user_account/analytics/top_video_pins',
    {
      config: TOP,
      schema: {
        tags: ['user_account'],
        summary: 'Get user account top video pins analytics',
        description: `Your video Pins with the most of sort_by in the range (at most 50). Video Pins cannot be made yet (media uploads are accepted but not pinned), so the list is empty. ${RULES}`,
        querystring: TopVideoPinsQuery,
        response: { 200: TopVideoPinsResponse },
      },
    },
    async (request) => analytics.topVideoPins(principalOf(request), request.query),
  );
}
