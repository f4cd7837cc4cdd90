import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import { AdAccountIdParams } from '../ads.schemas.js';
import {
  ReportCreateBody,
  ReportCreated,
  ReportFileParams,
  ReportStatus,
  ReportTokenQuery,
  TemplateListQuery,
  TemplatePage,
  TemplateReport,
  TemplateReportParams,
  TemplateReportQuery,
} from './ad-reports.schemas.js';
import type { AdReportsService } from './ad-reports.service.js';
import { ADS_ANALYTICS, NUMBERS_NOTE } from './ads-analytics.routes.js';

const ADS_READ = { scopes: ['ads:read'], rateLimit: 'ads_read' };
const tags = ['ad_accounts'];

/** Asynchronous ads reports, their download links, and report templates. */
export function adReportsRoutes(app: HttpServer, service: AdReportsService): void {
  const base = '/v5/ad_accounts/:ad_account_id';

  app.post(
    `${base}/reports`,
    {
      config: ADS_ANALYTICS,
      schema: {
        tags,
        summary: 'Create async request for an account analytics report',
        description: `${NUMBERS_NOTE} Reports: start at most 914 days back, a range of at most 186 days (HOUR: 8 days back, 3 days). Levels ADVERTISER, CAMPAIGN, AD_GROUP, PIN_PROMOTION and their _TARGETING forms (APPTYPE rows only); KEYWORD and PRODUCT_* levels give empty files (no keyword statistics, no catalogs). Status filters (summary statuses, as the entities stand when the file is built) and campaign_objective_types narrow the report; filters by brand label, metrics, product, custom conversion events and start/end hour are refused by name. The file is CSV or JSON (an object keyed by entity id, each an array of rows).`,
        params: AdAccountIdParams,
        body: ReportCreateBody,
        response: { 200: ReportCreated },
      },
    },
    async (request) =>
      service.create(principalOf(request).userId, request.params.ad_account_id, request.body),
  );

  app.get(
    `${base}/reports`,
    {
      config: ADS_ANALYTICS,
      schema: {
        tags,
        summary: 'Get the account analytics report created by the async call',
        description:
          'IN_PROGRESS until the file is built, then FINISHED with a download URL served by this server (valid five minutes; ask again for a new one) and its size in bytes; EXPIRED an hour after it finished; DOES_NOT_EXIST for a token this account never issued.',
        params: AdAccountIdParams,
        querystring: ReportTokenQuery,
        response: { 200: ReportStatus },
      },
    },
    async (request) =>
      service.status(principalOf(request).userId, request.params.ad_account_id, request.query.token),
  );

  app.get(
    `${base}/templates`,
    {
      config: ADS_READ,
      schema: {
        tags,
        summary: 'List templates',
        description: 'Report templates of the ad account. None can be made yet, so the list is empty.',
        params: AdAccountIdParams,
        querystring: TemplateListQuery,
        response: { 200: TemplatePage },
      },
    },
    async (request) => service.templates(principalOf(request).userId, request.params.ad_account_id),
  );

  app.post(
    `${base}/templates/:template_id/reports`,
    {
      config: ADS_ANALYTICS,
      schema: {
        tags,
        summary: 'Create async request for an analytics report using a template',
        description: 'No report template exists yet, so every template id is a 404.',
        params: TemplateReportParams,
        querystring: TemplateReportQuery,
        response: { 200: TemplateReport },
      },
    },
    async (request) =>
      service.templateReport(
        principalOf(request).userId,
        request.params.ad_account_id,
        request.params.template_id,
      ),
  );

  // The download link GET reports hands out: the signed link is the permission, as a storage URL is.
  app.get(
    '/media/ad-reports/:link',
    { schema: { hide: true, params: ReportFileParams } },
    async (request, reply) => {
      const file = await service.download(request.params.link);
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .type(file.contentType)
        .send(file.bytes);
    },
  );
}
