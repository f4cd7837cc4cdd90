import type { TopicConsumer } from '../../topics.js';
import type { AdReportsService } from './ad-reports.service.js';

export const AD_REPORTS_CONSUMER = 'ads.reports';

/** Builds the file of each requested ads report, in the delivery's transaction (see AdReportsService.build). */
export function adReportsConsumer(reports: AdReportsService): TopicConsumer<'ads.report.requested'> {
  return {
    name: AD_REPORTS_CONSUMER,
    topics: ['ads.report.requested'],
    async handle(payload, ctx) {
      if (typeof payload?.token !== 'string')
        throw new Error(`ads.report.requested without a token: ${JSON.stringify(payload)}`);
      await reports.build(ctx.trx, payload.token, ctx.log);
    },
  };
}
