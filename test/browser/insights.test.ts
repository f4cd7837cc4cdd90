import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignInLayer,
  compileLayer,
  type Experiment as EngineExperiment,
  UnitKey,
  type Variant,
} from '../../src/modules/experiments/assignment/index.js';
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
    // The simulated people sign up from addresses of their own (X-Forwarded-For, believed from loopback
    // only): sign-ups are throttled per address, as from one household, 20 an hour.
    app = await startWebApp({ EXPERIMENT_ADMINS: OPERATOR, TRUST_PROXY: '127.0.0.1,::1' });
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
    // Each person's own address (in 198.18.0.0/15, set aside for benchmarks), from their name.
    const [a, b] = createHash('sha256').update(username).digest();
    const from = { 'x-forwarded-for': `198.18.${a}.${b}` };
    const signInPage = await fetch(`${base}${authorize}`, { headers: from });
    const formCookie = cookiesOf(signInPage).join('; ');
    const action = create ? '/oauth/signup' : '/oauth/signin';
    const fields = hiddenFields(await signInPage.text(), action);
    const person: Record<string, string> = create
      ? { username, email: `${username}@example.org`, password: 'a long password' }
      : { login: username, password: 'a long password' };
    const signedIn = await fetch(`${base}${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie, ...from },
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
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await page.locator('.top-pins').scrollIntoViewIfNeeded();
    await app.picturesLoaded();
    await app.shot('phone-analytics-top-pins');
    await page.setViewportSize(DESKTOP);
  });

  /** The experiment's variant for a user, computed from the definitions the API shows (salts included). */
  async function variantOf(token: string, layerKey: string, key: string) {
    const layer = (
      await app.api<{ key: string; salt: string; holdout: number }>(
        token,
        'GET',
        `/v5/experiments/layers/${layerKey}`,
      )
    ).body;
    const e = (
      await app.api<{
        key: string;
        salt: string;
        layer: string;
        buckets: { start: number; end: number }[];
        variants: {
          key: string;
          weight: number;
          parameters: { name: string; type: string; value: unknown }[];
        }[];
        ramp: number;
        status: 'running';
      }>(token, 'GET', `/v5/experiments/${key}`)
    ).body;
    const variants: Variant[] = e.variants.map((v) => ({
      key: v.key,
      weight: v.weight,
      params: Object.fromEntries(v.parameters.map((p) => [p.name, { type: p.type, value: p.value }])),
    })) as Variant[];
    const engine: EngineExperiment = { ...e, variants, targeting: {} };
    const compiled = compileLayer({
      key: layer.key,
      salt: layer.salt,
      holdout: layer.holdout,
      experiments: [engine],
    });
    return (userId: string) =>
      assignInLayer(new UnitKey(userId), { id: userId, attributes: {} }, compiled)?.variant ?? null;
  }

  type Results = {
    status: string;
    exposures: { variants: { variant: string; units: number }[]; srm: { alarm: boolean; p_value: number } };
    metrics: {
      metric: string;
      guardrail: boolean;
      variants: { variant: string; units: number; mean: number | null }[];
      comparisons: {
        variant: string;
        fixed_horizon: { significant: boolean; relative: { estimate: number | null } };
        sequential: { significant: boolean; p_value: number | null; looks: number };
      }[];
    }[];
  };

  it("shows an experiment's results: intervals drawn per metric, the SRM warning, the sequential verdict", {
    timeout: 120_000,
  }, async () => {
    const ops = await tokenOver(OPERATOR, 'user_accounts:read,experiments:read,experiments:write', false);
    const post = async (url: string, body?: unknown) => {
      const res = await app.api(ops, 'POST', url, body);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res;
    };
    await post('/v5/experiments/layers', { key: 'ins-blend', holdout: 0 });
    await post('/v5/experiments/layers', { key: 'ins-diversity', holdout: 0 });
    await post('/v5/experiments/layers', { key: 'ins-later', holdout: 0 });
    const param = (name: string, value: number) => [{ name, type: 'number', value }];
    await post('/v5/experiments', {
      key: 'related-boost',
      layer: 'ins-blend',
      buckets: [{ start: 0, end: 10_000 }],
      ramp: 10_000,
      description: 'More related Pins in the home feed.',
      hypothesis: 'People come back more often when the feed follows what they saved.',
      variants: [
        { key: 'control', weight: 1, parameters: param('feed.share.related', 1) },
        { key: 'more-related', weight: 1, parameters: param('feed.share.related', 3) },
      ],
      metrics: [
        { key: 'sessions_per_user', minimum_effect: { relative: 0.2 } },
        { key: 'impressions_per_user', guardrail: true },
      ],
    });
    await post('/v5/experiments', {
      key: 'diversity-cap',
      layer: 'ins-diversity',
      buckets: [{ start: 0, end: 10_000 }],
      ramp: 10_000,
      description: 'At most one Pin of a board in a row.',
      variants: [
        { key: 'control', weight: 1, parameters: param('feed.diversity.max', 3) },
        { key: 'one-per-board', weight: 1, parameters: param('feed.diversity.max', 1) },
      ],
      metrics: [{ key: 'sessions_per_user' }],
    });
    await post('/v5/experiments', {
      key: 'draft-idea',
      layer: 'ins-later',
      buckets: [{ start: 0, end: 10_000 }],
      description: 'Not started yet.',
      variants: [
        { key: 'control', weight: 1, parameters: param('feed.diversity.window', 10) },
        { key: 'wider', weight: 1, parameters: param('feed.diversity.window', 20) },
      ],
    });
    await post('/v5/experiments/related-boost/start');
    await post('/v5/experiments/diversity-cap/start');

    // People. Everyone in diversity-cap's treatment reads the home feed (the read is the exposure), but
    // only one of its control: its exposures do not match its weights, as a variant that loses its
    // people would (a sample ratio mismatch). related-boost, in another layer, gets the readers in
    // about equal halves.
    const diversity = await variantOf(ops, 'ins-diversity', 'diversity-cap');
    const blend = await variantOf(ops, 'ins-blend', 'related-boost');
    const readers: { token: string; id: string; blend: string }[] = [];
    let treated = 0;
    let controls = 0;
    for (let i = 0; treated < 14 && i < 64; i += 4) {
      const batch = await Promise.all(
        [0, 1, 2, 3].map(async (j) => {
          const token = await tokenOver(
            `ins_person_${i + j}`,
            'user_accounts:read,boards:read,pins:read',
            true,
          );
          const me = await app.api<{ id: string }>(token, 'GET', '/v5/user_account');
          return { token, id: me.body.id };
        }),
      );
      for (const p of batch) {
        const v = diversity(p.id);
        if (v === 'control' && controls++ > 0) continue;
        if (v === 'one-per-board') treated++;
        readers.push({ ...p, blend: blend(p.id)! });
      }
    }
    expect(treated).toBeGreaterThanOrEqual(14);
    const sessions = new Map<string, number>();
    await Promise.all(
      readers.map(async (r, i) => {
        const feed = await app.api<{ items: { id: string; impression_token: string }[] }>(
          r.token,
          'GET',
          '/v5/feeds/home?page_size=10',
        );
        expect(feed.status).toBe(200);
        (r as { feed?: typeof feed.body.items }).feed = feed.body.items;
        sessions.set(r.id, (r.blend === 'more-related' ? 3 : 1) + (i % 3));
      }),
    );
    const results = async (key: string) =>
      (await app.api<Results>(ops, 'GET', `/v5/experiments/${key}/results`)).body;
    await eventually(
      async () => {
        const r = await results('related-boost');
        return r.exposures.variants.reduce((n, v) => n + v.units, 0) === readers.length;
      },
      'the exposures',
      30_000,
    );
    // What they did after: sessions (more in the treatment) and impressions of what they were served.
    let sent = 0;
    await Promise.all(
      readers.map(async (r) => {
        const items = (r as { feed?: { id: string; impression_token: string }[] }).feed ?? [];
        const events = [
          ...Array.from({ length: sessions.get(r.id)! }, () => ({
            event_id: randomBytes(6).toString('hex'),
            kind: 'SESSION_START',
            time: new Date().toISOString(),
            app_type: 'WEB',
          })),
          ...items.slice(0, 2 + (Number(r.id.slice(-1)) % 4)).map((p, position) => ({
            event_id: randomBytes(6).toString('hex'),
            kind: 'IMPRESSION',
            time: new Date().toISOString(),
            impression_token: p.impression_token,
            pin_id: p.id,
            surface: 'HOME_FEED',
            position,
            app_type: 'WEB',
          })),
        ];
        const res = await app.api<{ accepted: number }>(r.token, 'POST', '/v5/events', { events });
        expect(res.body.accepted).toBe(events.length);
        sent += sessions.get(r.id)!;
      }),
    );
    let blendResults: Results | undefined;
    await eventually(
      async () => {
        blendResults = await results('related-boost');
        const m = blendResults.metrics.find((x) => x.metric === 'sessions_per_user')!;
        const total = m.variants.reduce((n, v) => n + (v.mean ?? 0) * v.units, 0);
        return Math.abs(total - sent) < 1e-6;
      },
      'the sessions in the results',
      30_000,
    );
    const srmResults = await results('diversity-cap');
    expect(srmResults.exposures.srm.alarm).toBe(true);
    expect(blendResults!.exposures.srm.alarm).toBe(false);

    // The list: every experiment with its state. (Not through the home feed: the operator would be
    // exposed too, and the results would move under the test.)
    await page.goto(`${base}/analytics`);
    await page.getByRole('link', { name: 'Experiments' }).click();
    await page.waitForURL(`${base}/experiments`);
    await page.locator('.experiment-item').first().waitFor();
    const states = await page
      .locator('.experiment-item')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-key'), e.querySelector('.status')!.textContent]),
      );
    expect(states).toEqual([
      ['diversity-cap', 'Running'],
      ['draft-idea', 'Draft'],
      ['related-boost', 'Running'],
    ]);
    await app.shot('desktop-experiments');

    // Results with data: an interval drawn per metric, the verdicts the API gives.
    await page.getByRole('link', { name: 'related-boost' }).click();
    await page.waitForURL(`${base}/experiments/related-boost`);
    await page.locator('.metric-card').first().waitFor();
    const r = blendResults!;
    for (const m of r.metrics) {
      const card = page.locator(`.metric-card[data-metric="${m.metric}"]`);
      expect(await card.locator('svg.interval-plot').count(), m.metric).toBe(1);
      const c = m.comparisons[0]!;
      expect(await card.locator('svg .interval-bar').count(), m.metric).toBe(
        c.fixed_horizon.relative.estimate === null ? 0 : 1,
      );
      expect(await card.locator('.tag-guardrail').count()).toBe(m.guardrail ? 1 : 0);
      const verdict = await card
        .locator(`.comparison[data-variant="${c.variant}"] .verdict-sequential`)
        .textContent();
      expect(verdict, m.metric).toMatch(
        c.sequential.significant ? /^Significant: / : /^Not significant yet: /,
      );
      expect(verdict).toContain(`after ${c.sequential.looks} look`);
    }
    const sessionsCard = page.locator('.metric-card[data-metric="sessions_per_user"]');
    expect(await sessionsCard.locator('svg .interval-bar').count()).toBe(1);
    for (const v of r.exposures.variants) {
      expect(
        await page.locator(`.exposures-table tr[data-variant="${v.variant}"] .units`).textContent(),
      ).toBe(count(v.units));
    }
    expect(await page.locator('.srm-ok').count()).toBe(1);
    expect(await page.locator('.srm-alarm').count()).toBe(0);
    await app.shot('desktop-results');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(200);
    await app.shot('phone-results');
    // Nothing wider than the phone: the page never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await page.locator('.metric-card').first().scrollIntoViewIfNeeded();
    await app.shot('phone-results-metric');

    // The mismatched one warns.
    await page.goto(`${base}/experiments/diversity-cap`);
    const alarm = page.locator('.srm-alarm');
    await alarm.waitFor();
    expect(await alarm.textContent()).toContain('Sample ratio mismatch');
    expect(await page.locator('.metric-card svg.interval-plot').count()).toBe(srmResults.metrics.length);
    await app.shot('phone-results-srm');
    await page.goto(`${base}/experiments`);
    await page.locator('.experiment-item').first().waitFor();
    await app.shot('phone-experiments');
    await page.setViewportSize(DESKTOP);
    await page.goto(`${base}/experiments/diversity-cap`);
    await page.locator('.srm-alarm').waitFor();
    await app.shot('desktop-results-srm');
  });

  it('tells a person who is not an operator, in words, that experiments are not for them', {
    timeout: 60_000,
  }, async () => {
    const { page: other, context } = await app.newPerson();
    await app.signUp(other, { username: 'insights_stranger' });
    await other.locator('.masonry-item').first().waitFor();
    expect(await other.getByRole('link', { name: 'Analytics' }).count()).toBe(1);
    expect(await other.getByRole('link', { name: 'Experiments' }).count()).toBe(0);
    await other.goto(`${base}/experiments/related-boost`);
    const alert = other.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('You cannot see experiments');
    expect(await alert.textContent()).toContain('EXPERIMENT_ADMINS');
    await app.shot('desktop-experiments-forbidden', other);
    await context.close();
  });
});
