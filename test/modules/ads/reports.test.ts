import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { emit } from '../../../src/modules/topics.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import {
  type AdWorld,
  at,
  daysAgo,
  makeAdWorld,
  setSpend,
  times,
  writeAdEvents,
} from './analytics-helpers.js';
import { call } from './helpers.js';
import { fetchReportFile, parseCsv } from './report-helpers.js';

let app: App;
let owner: TestUser;
let stranger: TestUser;
let w: AdWorld;
const d1 = daysAgo(4);
const d2 = daysAgo(1);
const COLUMNS = [
  'IMPRESSION_1',
  'CLICKTHROUGH_1',
  'REPIN_1',
  'SPEND_IN_MICRO_DOLLAR',
  'CTR',
  'ECPM_IN_MICRO_DOLLAR',
  'CAMPAIGN_NAME',
  'TOTAL_CONVERSIONS',
];

beforeAll(async () => {
  app = await startTestApp();
  [owner, stranger] = await Promise.all([makeUser(app), makeUser(app)]);
  w = await makeAdWorld(app, owner);
  const [a1, a2, a3] = w.ads;
  const [p1, p2] = w.pins;
  await writeAdEvents(app, owner.id, [
    ...times(6, { kind: 'IMPRESSION', adId: a1, pinId: p1, at: at(d1, 8), appType: 'WEB' }),
    ...times(2, { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: at(d1, 8, 30), appType: 'WEB' }),
    ...times(3, { kind: 'IMPRESSION', adId: a2, pinId: p2, at: at(d1, 20), appType: 'TABLET' }),
    { kind: 'SAVE', adId: a2, pinId: p2, at: at(d2, 1), appType: 'TABLET' },
    ...times(9, { kind: 'IMPRESSION', adId: a3, pinId: p1, at: at(d2, 2), appType: 'MOBILE' }),
    { kind: 'OUTBOUND_CLICK', adId: a3, pinId: p1, at: at(d2, 2, 10), appType: 'MOBILE' },
  ]);
  await setSpend(app, a1, at(d1, 8), 700_001);
  await setSpend(app, a3, at(d2, 2), 2_000_000);
});

const base = () => `/v5/ad_accounts/${w.account}`;

async function create(body: object, user = owner) {
  return call(app, user, 'POST', `${base()}/reports`, body);
}

/** Creates a report as the owner, waits until it is built, and downloads its file. */
const reportFile = (body: object) => fetchReportFile(app, owner, w.account, body);

async function sync(path: string, query: string) {
  const res = await call(app, owner, 'GET', `${base()}${path}?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe(`ads reports (${testMode()})`, () => {
  it('a CSV campaign report holds what the synchronous endpoint answers for the same request', async () => {
    const file = await reportFile({
      start_date: d1,
      end_date: d2,
      granularity: 'DAY',
      level: 'CAMPAIGN',
      columns: COLUMNS,
      report_format: 'CSV',
    });
    expect(file.contentType).toMatch(/^text\/csv/);
    const q = `start_date=${d1}&end_date=${d2}&granularity=DAY&columns=${COLUMNS.join(',')}&campaign_ids=${w.campaigns.join(',')}`;
    const expected = await sync('/campaigns/analytics', q);
    expect(expected.length).toBe(3);
    expect(parseCsv(file.text)).toEqual(expected);
    expect(file.text.split('\r\n')[0]).toBe(`CAMPAIGN_ID,DATE,${COLUMNS.join(',')}`);
  });

  it('a JSON ad report is keyed by ad id and equals the ads analytics rows', async () => {
    const file = await reportFile({
      start_date: d1,
      end_date: d2,
      granularity: 'TOTAL',
      level: 'PIN_PROMOTION',
      columns: COLUMNS,
      ad_ids: [w.ads[0], w.ads[2]],
    });
    expect(file.contentType).toMatch(/^application\/json/);
    const expected = await sync(
      '/ads/analytics',
      `start_date=${d1}&end_date=${d2}&granularity=TOTAL&columns=${COLUMNS.join(',')}&ad_ids=${w.ads[0]},${w.ads[2]}`,
    );
    expect(JSON.parse(file.text)).toEqual({ [w.ads[0]]: [expected[0]], [w.ads[2]]: [expected[1]] });
    expect(expected[1]).toMatchObject({
      IMPRESSION_1: 9,
      CLICKTHROUGH_1: 1,
      SPEND_IN_MICRO_DOLLAR: 2_000_000,
      ECPM_IN_MICRO_DOLLAR: 222_222_222,
    });
  });

  it('a targeting report has the APPTYPE rows of targeting analytics; HOUR rows by date first', async () => {
    const file = await reportFile({
      start_date: d1,
      end_date: d1,
      granularity: 'HOUR',
      level: 'ADVERTISER_TARGETING',
      targeting_types: ['APPTYPE'],
      columns: ['IMPRESSION_1', 'CLICKTHROUGH_1'],
      primary_sort: 'BY_DATE',
    });
    expect(JSON.parse(file.text)).toEqual({
      [w.account]: [
        {
          AD_ACCOUNT_ID: w.account,
          DATE: d1,
          HOUR: 8,
          TARGETING_TYPE: 'APPTYPE',
          TARGETING_VALUE: 'web',
          IMPRESSION_1: 6,
          CLICKTHROUGH_1: 2,
        },
        {
          AD_ACCOUNT_ID: w.account,
          DATE: d1,
          HOUR: 20,
          TARGETING_TYPE: 'APPTYPE',
          TARGETING_VALUE: 'tablet',
          IMPRESSION_1: 3,
          CLICKTHROUGH_1: 0,
        },
      ],
    });
    const t = await sync(
      '/targeting_analytics',
      `start_date=${d1}&end_date=${d1}&granularity=HOUR&columns=IMPRESSION_1,CLICKTHROUGH_1&targeting_types=APPTYPE`,
    );
    expect(t.data.map((r: { metrics: object }) => r.metrics)).toEqual([
      { AD_ACCOUNT_ID: w.account, DATE: d1, HOUR: 8, IMPRESSION_1: 6, CLICKTHROUGH_1: 2 },
      { AD_ACCOUNT_ID: w.account, DATE: d1, HOUR: 20, IMPRESSION_1: 3, CLICKTHROUGH_1: 0 },
    ]);
  });

  it('keyword and catalog levels give empty files', async () => {
    const file = await reportFile({
      start_date: d1,
      end_date: d2,
      granularity: 'TOTAL',
      level: 'PRODUCT_ITEM',
      columns: ['IMPRESSION_1'],
      report_format: 'CSV',
    });
    expect(file.text).toBe('IMPRESSION_1\r\n');
  });

  it('refuses bad requests with 400 and records nothing', async () => {
    const good = {
      start_date: d1,
      end_date: d2,
      granularity: 'DAY',
      level: 'CAMPAIGN',
      columns: ['IMPRESSION_1'],
    };
    const count = async () =>
      Number(
        (
          await app.deps.db
            .selectFrom('ad_reports')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const cases: [object, RegExp][] = [
      [{ ...good, columns: ['IMPRESSION_1', 'BOGUS_COLUMN'] }, /"BOGUS_COLUMN" is not a reporting column/],
      [{ ...good, start_date: d2, end_date: d1 }, /end_date must not be before start_date/],
      [{ ...good, start_date: daysAgo(200), end_date: daysAgo(10) }, /186 days past start_date/],
      [{ ...good, start_date: daysAgo(920), end_date: daysAgo(900) }, /914 days back/],
      [
        { ...good, granularity: 'HOUR', start_date: daysAgo(6), end_date: d2 },
        /3 days past start_date with HOUR/,
      ],
      [{ ...good, granularity: 'FORTNIGHT' }, /granularity/],
      [{ ...good, level: 'UNIVERSE' }, /level/],
      [{ ...good, level: 'CAMPAIGN_TARGETING' }, /targeting_types is required/],
      [{ ...good, targeting_types: ['APPTYPE'] }, /_TARGETING/],
      [{ ...good, campaign_statuses: ['FLYING'] }, /campaign_statuses: "FLYING" is not one of/],
      [{ ...good, start_hour: 3 }, /start_hour is not supported/],
      [{ ...good, click_window_days: 2 }, /click_window_days/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.stringMatching(message) });
    }
    expect(await count()).toBe(before);
  });

  it('access: a stranger gets 404, a token without ads:read 403, another account’s token DOES_NOT_EXIST', async () => {
    const body = {
      start_date: d1,
      end_date: d2,
      granularity: 'TOTAL',
      level: 'ADVERTISER',
      columns: ['IMPRESSION_1'],
    };
    expect((await create(body, stranger)).statusCode).toBe(404);
    const scoped = await call(app, owner, 'POST', `${base()}/reports`, body, ['boards:read']);
    expect(scoped.statusCode).toBe(403);
    const token = (await create(body)).json().token;
    expect((await call(app, stranger, 'GET', `${base()}/reports?token=${token}`)).statusCode).toBe(404);
    const other = await makeAdWorld(app, stranger);
    const res = await call(app, stranger, 'GET', `/v5/ad_accounts/${other.account}/reports?token=${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ report_status: 'DOES_NOT_EXIST', url: null, size: null });
  });

  it('download links are signed and short-lived; reports expire after an hour and their files go', async () => {
    const res = await create({
      start_date: d1,
      end_date: d2,
      granularity: 'TOTAL',
      level: 'ADVERTISER',
      columns: ['IMPRESSION_1'],
    });
    const token = res.json().token;
    const done = await eventually(async () => {
      const s = await call(app, owner, 'GET', `${base()}/reports?token=${token}`);
      return s.json().report_status === 'FINISHED' ? s.json() : undefined;
    });
    const path = new URL(done.url).pathname;
    const file = await app.http.inject({ method: 'GET', url: path });
    expect(JSON.parse(file.body)).toEqual({ [w.account]: [{ AD_ACCOUNT_ID: w.account, IMPRESSION_1: 18 }] });
    expect((await app.http.inject({ method: 'GET', url: `${path.slice(0, -3)}AAA` })).statusCode).toBe(404);
    const stale = app.deps.bookmarks.encode('ads:report-file', [token, Date.now() - 1]);
    const expired = await app.http.inject({ method: 'GET', url: `/media/ad-reports/${stale}` });
    expect(expired.statusCode).toBe(404);
    expect(expired.json().message).toMatch(/expired/);

    // A redelivered request leaves a finished report as it is.
    const row = () =>
      app.deps.db.selectFrom('ad_reports').selectAll().where('token', '=', token).executeTakeFirstOrThrow();
    const finished = await row();
    const eventId = await app.deps.db
      .transaction()
      .execute((trx) => emit(trx, 'ads.report.requested', { token }));
    app.deps.eventsCommitted();
    await eventually(() =>
      app.deps.db
        .selectFrom('job_done')
        .select('event_id')
        .where('event_id', '=', eventId)
        .where('consumer', '=', 'ads.reports')
        .executeTakeFirst(),
    );
    expect(await row()).toEqual(finished);

    await app.deps.db
      .updateTable('ad_reports')
      .set({ finished_at: new Date(Date.now() - 2 * 3_600_000) })
      .where('token', '=', token)
      .execute();
    const late = await call(app, owner, 'GET', `${base()}/reports?token=${token}`);
    expect(late.json()).toEqual({ report_status: 'EXPIRED', url: null, size: null });
    const module = app.product.modules.find((m) => m.name === 'ads-analytics')!;
    const task = module.periodic!(app.deps).find((t) => t.name === 'ads.reports.expire')!;
    expect(await task.run()).toBeGreaterThanOrEqual(1);
    expect((await row()).blob_key).toBeNull();
    expect(await app.deps.blobs.get(finished.blob_key!)).toBeUndefined();
  });

  it('templates: an empty list in the spec shape; a template report of an unknown template is a 404', async () => {
    const list = await call(app, owner, 'GET', `${base()}/templates`);
    expect(list.statusCode, list.body).toBe(200);
    expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/templates', 200, list.json());
    expect(list.json()).toEqual({ items: [], bookmark: null });
    expect((await call(app, stranger, 'GET', `${base()}/templates`)).statusCode).toBe(404);
    const rep = await call(
      app,
      owner,
      'POST',
      `${base()}/templates/12345/reports?start_date=${d1}&end_date=${d2}`,
    );
    expect(rep.statusCode).toBe(404);
    expect(rep.json()).toEqual({ code: expect.any(Number), message: 'Template 12345 not found.' });
  });
});
