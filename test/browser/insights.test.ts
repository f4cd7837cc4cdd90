import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/images.js';
import { hiddenFields } from '../helpers/oauth.js';
import {
  DESKTOP,
  eventually,
  HARNESS_START_MS,
  PHONE,
  SKIP_BROWSER,
  startWebApp,
  type WebApp,
} from './harness.js';

// The creator analytics and experiments pages in Chromium against a real embedded server
// (test/browser/harness.ts): what the pages show is what the API answers.

const OPERATOR = 'insights_admin';
const WRITE_SCOPES = 'user_accounts:read,boards:read,boards:write,pins:read,pins:write';
const today = () => new Date().toISOString().slice(0, 10);
const daysBefore = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const count = (n: number) => new Intl.NumberFormat('en-US').format(n);

describe.skipIf(SKIP_BROWSER)('analytics and experiments pages in Chromium (embedded)', () => {
  let app: WebApp;
  let page: Page;
  let base = '';
  let clientId = '';

  beforeAll(async () => {
    app = await startWebApp({ EXPERIMENT_ADMINS: OPERATOR });
    ({ base, page } = app);
    const html = await (await fetch(`${base}/`)).text();
    clientId = /name="corkboard-client-id" content="([^"]+)"/.exec(html)![1]!;
  }, HARNESS_START_MS);

  afterAll(async () => {
    await app?.stop();
  });

  /** Cookies `name=value` a response sets. */
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

  /**
   * A token of the web client for `username` with `scope`, through the consent pages over HTTP (as the
   * browser would, PKCE included): signs the person up first when `create`, else signs them in.
   */
  async function tokenOver(username: string, scope: string, create: boolean): Promise<string> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = `${base}/callback`;
    const authorize = `/oauth/?${new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirect,
      response_type: 'code',
      scope,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })}`;
    const signInPage = await fetch(`${base}${authorize}`);
    const formCookie = cookiesOf(signInPage).join('; ');
    const action = create ? '/oauth/signup' : '/oauth/signin';
    const fields = hiddenFields(await signInPage.text(), action);
    const person: Record<string, string> = create
      ? { username, email: `${username}@example.org`, password: 'a long password' }
      : { login: username, password: 'a long password' };
    const signedIn = await fetch(`${base}${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie },
      body: new URLSearchParams({ ...fields, ...person }),
    });
    expect(signedIn.status, await signedIn.clone().text()).toBe(303);
    const session = cookiesOf(signedIn).join('; ');
    const consent = await fetch(new URL(signedIn.headers.get('location')!, base), {
      headers: { cookie: session },
    });
    const approve = await fetch(`${base}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session },
      body: new URLSearchParams({
        ...hiddenFields(await consent.text(), '/oauth/authorize'),
        decision: 'approve',
      }),
    });
    const code = new URL(approve.headers.get('location')!).searchParams.get('code')!;
    const grant = await fetch(`${base}/v5/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const body = (await grant.json()) as { access_token: string };
    expect(body.access_token).toBeTruthy();
    return body.access_token;
  }

  const event = (kind: string, pinId: string, token: string, position: number) => ({
    event_id: randomBytes(6).toString('hex'),
    kind,
    time: new Date().toISOString(),
    impression_token: token,
    pin_id: pinId,
    surface: 'BOARD',
    position,
    app_type: 'WEB',
  });

  type Summary = Record<string, number>;
  let creatorToken = '';
  const pinIds: string[] = [];

  it('shows the totals the API reports, draws the charts, and asks again for another range', {
    timeout: 90_000,
  }, async () => {
    const browserToken = await app.signUp(page, { username: OPERATOR });
    creatorToken = await tokenOver(OPERATOR, WRITE_SCOPES, false);
    // The creator's board and three pins.
    const board = await app.api<{ id: string }>(creatorToken, 'POST', '/v5/boards', {
      name: 'Insights board',
    });
    expect(board.status).toBe(201);
    const colors = ['#cc3344', '#3366cc', '#33aa66'];
    for (const [i, color] of colors.entries()) {
      const data = (await makeImage({ width: 300, height: 200 + 60 * i, color })).toString('base64');
      const pin = await app.api<{ id: string }>(creatorToken, 'POST', '/v5/pins', {
        board_id: board.body.id,
        title: `Insight pin ${i + 1}`,
        media_source: { source_type: 'image_base64', content_type: 'image/png', data },
      });
      expect(pin.status).toBe(201);
      pinIds.push(pin.body.id);
    }
    // A viewer is served the board's pins, sees all three, opens two, follows one link, saves one.
    const viewer = await tokenOver('insights_viewer', WRITE_SCOPES, true);
    const served = await app.api<{ items: { id: string; impression_token: string }[] }>(
      viewer,
      'GET',
      `/v5/boards/${board.body.id}/pins`,
    );
    const tokens = new Map(served.body.items.map((p, i) => [p.id, { token: p.impression_token, i }]));
    const ev = (kind: string, pinId: string) =>
      event(kind, pinId, tokens.get(pinId)!.token, tokens.get(pinId)!.i);
    const [p1, p2, p3] = pinIds as [string, string, string];
    const sent = await app.api<{ accepted: number }>(viewer, 'POST', '/v5/events', {
      events: [
        ev('IMPRESSION', p1),
        ev('IMPRESSION', p2),
        ev('IMPRESSION', p3),
        ev('PIN_CLICK', p1),
        ev('PIN_CLICK', p2),
        ev('OUTBOUND_CLICK', p1),
      ],
    });
    expect(sent.body.accepted).toBe(6);
    const viewerBoard = await app.api<{ id: string }>(viewer, 'POST', '/v5/boards', { name: 'Saved' });
    expect(
      (await app.api(viewer, 'POST', `/v5/pins/${p1}/save`, { board_id: viewerBoard.body.id })).status,
    ).toBe(201);

    // What the API reports once the rollup has counted them.
    const week = `start_date=${daysBefore(6)}&end_date=${today()}`;
    let summary: Summary = {};
    await eventually(
      async () => {
        const res = await app.api<{ all: { summary_metrics: Summary } }>(
          browserToken,
          'GET',
          `/v5/user_account/analytics?${week}`,
        );
        summary = res.body.all?.summary_metrics ?? {};
        return summary.IMPRESSION === 3 && summary.SAVE === 1;
      },
      'the rollup of the viewer events',
      30_000,
    );

    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v5/user_account/analytics?')) asked.push(r.url());
    });
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(`${base}/analytics`);
    await page.getByRole('radio', { name: 'Last 7 days' }).check();
    await page.waitForURL(/days=7/);
    const totals = page.locator('.totals');
    await totals.waitFor();
    for (const metric of ['IMPRESSION', 'ENGAGEMENT', 'SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK']) {
      expect(await page.locator(`.total[data-metric="${metric}"] .total-value`).textContent(), metric).toBe(
        count(summary[metric]!),
      );
    }
    expect(summary).toMatchObject({ IMPRESSION: 3, SAVE: 1, PIN_CLICK: 2, OUTBOUND_CLICK: 1, ENGAGEMENT: 4 });
    expect(await page.locator('.total[data-metric="SAVE"] .total-rate').textContent()).toContain('33.3%');
    expect(new URL(asked.at(-1)!).searchParams.get('start_date')).toBe(daysBefore(6));

    // The charts are drawn: the impressions line's colour is on the canvas.
    const drawn = await page.locator('#chart-impressions canvas').evaluate((c: HTMLCanvasElement) => {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (Math.abs(px[i]! - 26) < 30 && Math.abs(px[i + 1]! - 95) < 30 && Math.abs(px[i + 2]! - 214) < 30)
          n++;
      }
      return n;
    });
    expect(drawn).toBeGreaterThan(20);

    // The numbers as a table, a row per day.
    await page.getByRole('button', { name: 'Show as a table' }).click();
    const rows = page.locator('#daily-table tbody tr');
    expect(await rows.count()).toBe(7);
    const todayRow = rows.last();
    expect(await todayRow.locator('td').first().textContent()).toBe(count(summary.IMPRESSION!));

    // The top Pins link to their close-ups.
    await page.locator('.top-pin img').first().waitFor();
    const hrefs = await page
      .locator('.top-pin a.pin-card-link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.sort()).toEqual(pinIds.map((id) => `/pin/${id}`).sort());
    await app.picturesLoaded();
    await app.shot('desktop-analytics');

    // Another range: a new request for 30 days, and a row per day.
    const before = asked.length;
    await page.getByRole('radio', { name: 'Last 30 days' }).check();
    await page.waitForURL(/days=30/);
    await eventually(() => asked.length > before, 'the 30-day request');
    expect(new URL(asked.at(-1)!).searchParams.get('start_date')).toBe(daysBefore(29));
    await expect.poll(() => page.locator('#daily-table tbody tr').count()).toBe(30);

    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Hide the table' }).click();
    await page.waitForTimeout(300);
    await app.shot('phone-analytics');
    await page.locator('.top-pins').scrollIntoViewIfNeeded();
    await app.picturesLoaded();
    await app.shot('phone-analytics-top-pins');
    await page.setViewportSize(DESKTOP);
  });
});
