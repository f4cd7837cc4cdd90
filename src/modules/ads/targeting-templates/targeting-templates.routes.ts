import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { ADS_READ, ADS_WRITE } from '../accounts/ad-accounts.routes.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import { MIN_AUDIENCE_SIZE } from '../audiences/audience-privacy.js';
import {
  TargetingTemplate,
  TargetingTemplateCreateBody,
  TargetingTemplateListQuery,
  TargetingTemplatePage,
  TargetingTemplateUpdateBody,
} from './targeting-templates.schemas.js';
import type { TargetingTemplatesService } from './targeting-templates.service.js';

const tags = ['targeting_template'];

/** Targeting templates: list (with sizing on request), create, update or remove. */
export function targetingTemplatesRoutes(app: HttpServer, service: TargetingTemplatesService): void {
  app.get(
    '/v5/ad_accounts/:ad_account_id/targeting_templates',
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List targeting templates',
        description: `Live templates; search_query keeps those whose name holds it. With include_sizing, each gets a reach estimate counted as audience_sizing counts it: under ${MIN_AUDIENCE_SIZE} people only the bounds 0 to ${MIN_AUDIENCE_SIZE}; null for a template that is not valid (it names an audience archived since).`,
        params: AdAccountIdParams,
        querystring: TargetingTemplateListQuery,
        response: { 200: TargetingTemplatePage },
      },
    },
    async (request) => service.list(principalOf(request).userId, request.params.ad_account_id, request.query),
  );

  app.post(
    '/v5/ad_accounts/:ad_account_id/targeting_templates',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Create targeting templates',
        description:
          "targeting_attributes is checked as an ad group's targeting_spec is (values from GET /v5/resources/targeting/{type}, audiences the account's live ones); keywords are de-duplicated; placement_group ALL, BROWSE or SEARCH.",
        params: AdAccountIdParams,
        body: TargetingTemplateCreateBody,
        response: { 200: TargetingTemplate },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.patch(
    '/v5/ad_accounts/:ad_account_id/targeting_templates',
    {
      config: ADS_WRITE,
      schema: {
        tags,
        summary: 'Update targeting templates',
        description:
          'UPDATE replaces the targeting_attributes of the template `id`; REMOVE deletes it (it leaves the list). Answers 200 with no body, as the spec does.',
        params: AdAccountIdParams,
        body: TargetingTemplateUpdateBody,
      },
    },
    async (request, reply) => {
      await service.update(principalOf(request).userId, request.params.ad_account_id, request.body);
      return reply.status(200).send();
    },
  );
}
