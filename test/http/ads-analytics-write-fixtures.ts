import type { Call, World } from './write-fixtures.js';

/** The ads analytics operations' valid calls for the mass-assignment walk (see write-fixtures.ts). */
export function adsAnalyticsWriteFixtures(w: World): Record<string, () => Promise<Call>> {
  const { app, owner } = w;
  const db = app.deps.db;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  return {
    'POST /v5/ad_accounts/{ad_account_id}/reports': async () => {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v5/ad_accounts',
        headers: await owner.auth(),
        payload: { name: 'Reports walk' },
      });
      if (res.statusCode !== 200) throw new Error(`ad account: ${res.statusCode} ${res.body}`);
      const account = res.json().id as string;
      const body = {
        start_date: day(3),
        end_date: day(1),
        granularity: 'DAY',
        level: 'CAMPAIGN',
        columns: ['IMPRESSION_1', 'CTR'],
        report_format: 'CSV',
      };
      return {
        url: `/v5/ad_accounts/${account}/reports`,
        body,
        readOnly: { token: 'zz-token', report_status: 'FINISHED', url: 'https://example.com/x', size: 1 },
        // The token is random text, so it is left out of what the walk searches for injected values.
        state: async (r) => {
          const row = await db
            .selectFrom('ad_reports')
            .select(['ad_account_id', 'user_id', 'request'])
            .where('token', '=', r!.json().token)
            .executeTakeFirstOrThrow();
          return { ...row };
        },
        expected: {
          ad_account_id: account,
          user_id: owner.id,
          request: { ...body, primary_sort: 'BY_ID' },
        },
      };
    },
  };
}
