import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import { MIN_AUDIENCE_SIZE, SIZE_STEP } from './audience-privacy.js';
import {
  Audience,
  AudienceCreateBody,
  AudienceListQuery,
  AudiencePage,
  AudienceParams,
  AudienceUpdateBody,
} from './audiences.schemas.js';
import type { AudiencesService } from './audiences.service.js';

const tags = ['audiences'];
const SIZE_NOTE = `An audience's size is shown rounded down to a multiple of ${SIZE_STEP}, and only from ${MIN_AUDIENCE_SIZE} people: below that it is TOO_SMALL with size null.`;
const RULES =
  'Rules: CUSTOMER_LIST {customer_list_id}; VISITOR {retention_days 1-540 (180), event, event_source {"=": [web, mobile, offline]}, ingestion_source {"=": [...]}, prefill, visitor_source_id (a conversion tag of the account; events do not carry one, so it does not narrow)}: people matched in the account\'s conversion events; ENGAGEMENT {retention_days, engagement_type click|save|closeup, engagement_domain, pin_id, ad_id, campaign_id, objective_type}: people who engaged with the public pins of the account\'s owner or ads; ACTALIKE {seed_id, country US|CA|GB (does not narrow: people\'s countries are not known), percentage 1-10}: the people whose interests are nearest the seed\'s. Other fields are refused by name; PERSONA is not offered.';

/** Audiences: create from a rule, update or archive, list, read. */
export function audiencesRoutes(app: HttpServer, service: AudiencesService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/audiences',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List audiences',
        description: SIZE_NOTE,
        params: AdAccountIdParams,
        querystring: AudienceListQuery,
        response: { 200: AudiencePage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/audiences',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create audience',
        description: `${RULES} ${SIZE_NOTE}`,
        params: AdAccountIdParams,
        body: AudienceCreateBody,
        response: { 200: Audience },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    '/v5/ad_accounts/:ad_account_id/audiences/:audience_id',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'Get audience',
        description: SIZE_NOTE,
        params: AudienceParams,
        response: { 200: Audience },
      },
    },
    async (request) =>
      service.get(principalOf(request).userId, request.params.ad_account_id, request.params.audience_id),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/audiences/:audience_id',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update audience',
        description:
          'UPDATE changes the name, description or rule (of the same type; its people are recomputed); REMOVE archives it for good (nobody is in it any more).',
        params: AudienceParams,
        body: AudienceUpdateBody,
        response: { 200: Audience },
      },
    },
    async (request) =>
      service.update(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.audience_id,
        request.body,
      ),
  );
}
