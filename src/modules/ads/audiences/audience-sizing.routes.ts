import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import { MIN_AUDIENCE_SIZE, SIZE_STEP } from './audience-privacy.js';
import { AudienceSizing, AudienceSizingBody, type AudienceSizingService } from './audience-sizing.js';

/** POST /v5/ad_accounts/{ad_account_id}/ad_groups/audience_sizing. */
export function audienceSizingRoutes(app: HttpServer, service: AudienceSizingService): void {
  app.post(
    '/v5/ad_accounts/:ad_account_id/ad_groups/audience_sizing',
    {
      config: ADS_READ,
      schema: {
        tags: ['ad_groups'],
        summary: 'Get audience sizing',
        description: `How many Corkboard people the targeting reaches, counted from Corkboard's own people: INTEREST (read from people's public boards and pins) and AUDIENCE_INCLUDE/AUDIENCE_EXCLUDE narrow it; GENDER, AGE_BUCKET, MINIMUM_AGE/MAXIMUM_AGE, LOCALE, LOCATION and GEO are checked but not known of people yet, so they do not narrow it, nor do keywords, placements and creative types. Under ${MIN_AUDIENCE_SIZE} people the answer is 0 to ${MIN_AUDIENCE_SIZE}; above, the ${SIZE_STEP}-wide step the count falls in.`,
        params: AdAccountIdParams,
        body: AudienceSizingBody,
        response: { 200: AudienceSizing },
      },
    },
    async (request) => service.size(principalOf(request).userId, request.params.ad_account_id, request.body),
  );
}
