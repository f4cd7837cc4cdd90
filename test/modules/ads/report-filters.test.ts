import { describe, expect, it } from 'vitest';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeUser } from '../../helpers/factories.js';
import { at, daysAgo, makeAdWorld, times, writeAdEvents } from './analytics-helpers.js';
import { call } from './helpers.js';

describe('ads reports narrowed by status and objective', () => {
  it('keep the entities that stand so when the file is built', async () => {
    const app = await startTestApp();
    const owner = await makeUser(app);
    const w = await makeAdWorld(app, owner);
    const day = daysAgo(1);
    const [a1, a2, a3] = w.ads;
    await writeAdEvents(app, owner.id, [
      ...times(4, { kind: 'IMPRESSION', adId: a1, pinId: w.pins[0], at: at(day, 5) }),
      ...times(5, { kind: 'IMPRESSION', adId: a2, pinId: w.pins[1], at: at(day, 6) }),
      ...times(6, { kind: 'IMPRESSION', adId: a3, pinId: w.pins[0], at: at(day, 7) }),
    ]);
    const base = `/v5/ad_accounts/${w.account}`;
    // The second campaign is paused, and the second ad too.
    await call(app, owner, 'PATCH', `${base}/campaigns`, [{ id: w.campaigns[1], status: 'PAUSED' }]);
    await call(app, owner, 'PATCH', `${base}/ads`, [{ id: a2, status: 'PAUSED' }]);

    const report = async (level: string, filters: object) => {
      const res = await call(app, owner, 'POST', `${base}/reports`, {
        start_date: day,
        end_date: day,
        granularity: 'TOTAL',
        level,
        columns: ['IMPRESSION_1'],
        report_format: 'JSON',
        ...filters,
      });
      expect(res.statusCode, res.body).toBe(200);
      const done = await eventually(async () => {
        const s = await call(app, owner, 'GET', `${base}/reports?token=${res.json().token}`);
        return s.json().report_status === 'FINISHED' ? s.json() : undefined;
      });
      const url = new URL(done.url);
      const file = await app.http.inject({ method: 'GET', url: url.pathname + url.search });
      return Object.fromEntries(
        Object.entries(file.json() as Record<string, { IMPRESSION_1: number }[]>).map(([id, rows]) => [
          id,
          rows[0]!.IMPRESSION_1,
        ]),
      );
    };
    expect(await report('CAMPAIGN', { campaign_statuses: ['RUNNING'] })).toEqual({ [w.campaigns[0]]: 9 });
    expect(await report('CAMPAIGN', { campaign_statuses: ['PAUSED'] })).toEqual({ [w.campaigns[1]]: 6 });
    expect(await report('PIN_PROMOTION', { ad_statuses: ['APPROVED'] })).toEqual({ [a1]: 4, [a3]: 6 });
    expect(
      await report('PIN_PROMOTION', { ad_statuses: ['APPROVED'], campaign_statuses: ['RUNNING'] }),
    ).toEqual({
      [a1]: 4,
    });
    expect(await report('CAMPAIGN', { campaign_objective_types: ['AWARENESS'] })).toEqual({});
    await app.close();
  });
});
