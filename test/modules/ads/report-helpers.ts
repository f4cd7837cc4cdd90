import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { eventually } from '../../helpers/app.js';
import type { TestUser } from '../../helpers/factories.js';
import { call } from './helpers.js';

/** Creates a report of `account` as `user`, waits until it is built, and downloads its file. */
export async function fetchReportFile(
  app: App,
  user: TestUser,
  account: string,
  body: object,
): Promise<{ text: string; contentType: string }> {
  const base = `/v5/ad_accounts/${account}`;
  const res = await call(app, user, 'POST', `${base}/reports`, body);
  expect(res.statusCode, res.body).toBe(200);
  expectResponseMatchesSpec('POST', '/ad_accounts/{ad_account_id}/reports', 200, res.json());
  expect(res.json()).toMatchObject({ report_status: 'IN_PROGRESS', token: expect.any(String) });
  const token = res.json().token;
  const status = await eventually(async () => {
    const s = await call(app, user, 'GET', `${base}/reports?token=${token}`);
    return s.json().report_status === 'FINISHED' ? s : undefined;
  });
  expectResponseMatchesSpec('GET', '/ad_accounts/{ad_account_id}/reports', 200, status.json());
  const url = new URL(status.json().url);
  expect(url.pathname).toMatch(/^\/media\/ad-reports\//);
  // The link is the permission: no token needed.
  const file = await app.http.inject({ method: 'GET', url: url.pathname });
  expect(file.statusCode, file.body).toBe(200);
  expect(status.json().size).toBe(file.rawPayload.length);
  return { text: file.body, contentType: String(file.headers['content-type']) };
}

/** CSV text (no quoted cells here) as rows of typed values. */
export function parseCsv(text: string): Record<string, string | number | null>[] {
  const [head, ...lines] = text.trimEnd().split('\r\n');
  const names = head!.split(',');
  return lines.map((l) =>
    Object.fromEntries(
      l
        .split(',')
        .map((v, i) => [
          names[i],
          v === '' ? null : /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) && !/^\d{10,}$/.test(v) ? Number(v) : v,
        ]),
    ),
  );
}
