import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/images.js';
import {
  DESKTOP,
  eventually,
  HARNESS_START_MS,
  PHONE,
  SKIP_BROWSER,
  startWebApp,
  type WebApp,
} from './harness.js';

// The ads manager (/ads) in Chromium against a real server with the demo world: an advertiser signs up,
// makes an ad account, a campaign, an ad group (budget and bid typed in dollars, held in exact micros,
// targeting and keywords) and an ad for their own Pin; a second person sees it promoted in their home
// feed and opens it; the advertiser pauses the ad group, reads the spend, the chart, and downloads a report.

interface AdGroupJson {
  id: string;
  status: string;
  budget_in_micro_currency: number;
  bid_in_micro_currency: number;
  budget_type: string;
  pacing_delivery_type: string;
  billable_event: string;
  targeting_spec: Record<string, string[]>;
}

const HOME_DECOR = '903000000002';

describe.skipIf(SKIP_BROWSER)('the ads manager in Chromium (embedded)', () => {
  let app: WebApp;
  let page: Page;
  let base = '';
  let token = '';
  let pinId = '';
  let accountId = '';
  let campaignId = '';
  let groupId = '';
  let adId = '';

  beforeAll(async () => {
    // The ad server looks for new ads every second, so the new ad serves soon after it is made.
    app = await startWebApp({ ADS_REFRESH_SECONDS: '1' });
    ({ base, page } = app);
  }, HARNESS_START_MS);

  afterAll(async () => {
    await app?.stop();
  });

  /** Makes a public board and a Pin on it as `as`, through the API with a base64 picture. */
  async function boardAndPin(as: string, board: string, title: string, color: string): Promise<string> {
    const b = await app.api<{ id: string }>(as, 'POST', '/v5/boards', { name: board, privacy: 'PUBLIC' });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    const image = await makeImage({ width: 400, height: 500, color });
    const p = await app.api<{ id: string }>(as, 'POST', '/v5/pins', {
      board_id: b.body.id,
      title,
      media_source: {
        source_type: 'image_base64',
        content_type: 'image/png',
        data: image.toString('base64'),
      },
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    return p.body.id;
  }

  it('creates an ad account, a campaign, an ad group with exact micros and targeting, and an ad', {
    timeout: 90_000,
  }, async () => {
    token = await app.signUp(page, { username: 'lamp_seller' });
    pinId = await boardAndPin(token, 'Living room lighting', 'Brass lamp for a cozy living room', '#b08d57');

    await page.getByRole('link', { name: 'Ads', exact: true }).click();
    await page.waitForURL(`${base}/ads`);
    await page.getByText('No ad accounts yet').waitFor();
    await page.getByLabel('Name').fill('Lamp shop');
    await page.getByLabel('Country').selectOption('US');
    await app.shot('desktop-ads-accounts');
    await page.getByRole('button', { name: 'Create ad account' }).click();
    await page.waitForURL(/\/ads\/\d+$/);
    accountId = page.url().split('/').pop()!;
    const account = await app.api<{ name: string; currency: string }>(
      token,
      'GET',
      `/v5/ad_accounts/${accountId}`,
    );
    expect(account.body).toMatchObject({ name: 'Lamp shop', currency: 'USD' });

    // A campaign with a daily cap typed in dollars.
    await page.getByRole('link', { name: 'Create your first campaign' }).click();
    await page.getByLabel('Name').fill('Autumn lamps');
    await page.getByLabel('Objective').selectOption('CONSIDERATION');
    await page.getByLabel('Daily cap (USD)').fill('100.10');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(`${base}/ads/${accountId}`);
    const campaigns = await app.api<{ items: { id: string; daily_spend_cap: number; name: string }[] }>(
      token,
      'GET',
      `/v5/ad_accounts/${accountId}/campaigns`,
    );
    expect(campaigns.body.items).toHaveLength(1);
    expect(campaigns.body.items[0]).toMatchObject({ name: 'Autumn lamps', daily_spend_cap: 100_100_000 });
    campaignId = campaigns.body.items[0]!.id;

    // An ad group: the client refuses what it can check, the API's 400 is shown in its words.
    await page.getByRole('link', { name: 'Add ad group to Autumn lamps' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Decor lovers');
    await page.getByLabel('Budget (USD)').fill('25.001');
    await page.getByLabel('Bid per click (USD)').fill('0.01');
    await page.getByRole('button', { name: 'Create ad group' }).click();
    await expect
      .poll(() => page.locator('#group-budget-error').textContent())
      .toBe('At most 2 decimals in USD.');
    expect(await page.getByLabel('Budget (USD)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Budget (USD)').fill('25.00');
    await page.getByRole('button', { name: 'Create ad group' }).click();
    // 0.01 is under the bid floor: the API says so, and nothing was made.
    await expect.poll(() => page.locator('.ads-form-error [role="alert"]').textContent()).toMatch(/bid/i);
    await page.getByLabel('Bid per click (USD)').fill('1.50');
    await page.getByLabel('Pacing').selectOption('ACCELERATED');
    await page.getByRole('checkbox', { name: 'Home decor' }).check();
    await page.getByRole('checkbox', { name: 'Female' }).check();
    await page.getByRole('checkbox', { name: 'Unknown' }).check();
    await page.getByRole('button', { name: 'Add keyword' }).click();
    await page.getByLabel('Keyword 1', { exact: true }).fill('brass lamp');
    await page.getByRole('button', { name: 'Add keyword' }).click();
    await page.getByLabel('Keyword 2', { exact: true }).fill('cheap');
    await page.getByLabel('Match type of keyword 2').selectOption('EXACT_NEGATIVE');
    await app.shot('desktop-ads-ad-group-form');
    await page.getByRole('button', { name: 'Create ad group' }).click();
    await page.waitForURL(`${base}/ads/${accountId}`);

    const groups = await app.api<{ items: AdGroupJson[] }>(
      token,
      'GET',
      `/v5/ad_accounts/${accountId}/ad_groups`,
    );
    expect(groups.body.items).toHaveLength(1);
    const group = groups.body.items[0]!;
    groupId = group.id;
    expect(group).toMatchObject({
      status: 'ACTIVE',
      budget_type: 'DAILY',
      budget_in_micro_currency: 25_000_000,
      bid_in_micro_currency: 1_500_000,
      pacing_delivery_type: 'ACCELERATED',
      billable_event: 'CLICKTHROUGH',
      targeting_spec: { GENDER: ['unknown', 'female'], INTEREST: [HOME_DECOR] },
    });
    const keywords = await app.api<{ items: { value: string; match_type: string }[] }>(
      token,
      'GET',
      `/v5/ad_accounts/${accountId}/keywords?ad_group_id=${groupId}`,
    );
    expect(keywords.body.items.map((k) => [k.value, k.match_type]).sort()).toEqual([
      ['brass lamp', 'BROAD'],
      ['cheap', 'EXACT_NEGATIVE'],
    ]);

    // An ad for the person's own Pin, chosen from their Pins.
    await page.getByRole('link', { name: 'Add ad to Decor lovers' }).click();
    await page.getByRole('radio', { name: 'Brass lamp for a cozy living room' }).check();
    await page.getByLabel('Name (optional)').fill('Brass lamp ad');
    await page.getByRole('button', { name: 'Create ad' }).click();
    await page.waitForURL(`${base}/ads/${accountId}`);
    const list = await app.api<{
      items: { id: string; pin_id: string; review_status: string; status: string }[];
    }>(token, 'GET', `/v5/ad_accounts/${accountId}/ads`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ pin_id: pinId, review_status: 'APPROVED', status: 'ACTIVE' });
    adId = list.body.items[0]!.id;

    // The tree: campaign > ad group > ad, each with its status, and spend against budget in words.
    await page.getByRole('heading', { level: 4, name: /Brass lamp ad/ }).waitFor();
    await expect
      .poll(() => page.locator('.ads-group .ads-spend-text').textContent())
      .toMatch(/^\$0\.00 of \$25\.00 spent today$/);
    expect(await page.locator('.ads-campaign > .ads-node-row .ads-spend-text').textContent()).toBe(
      '$0.00 of $100.10 spent today',
    );
    // The tree's disclosure buttons fold and unfold with the keyboard.
    const toggle = page.getByRole('button', { name: 'Campaign Autumn lamps', exact: true });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('heading', { level: 3 }).count()).toBe(0);
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await app.shot('desktop-ads-tree');
  });

  it("shows the ad as promoted, with the advertiser's name, in a second person's home feed", {
    timeout: 60_000,
  }, async () => {
    const viewer = await app.newPerson();
    // The ad server reads what it knows of a person once per ten minutes: the feed waits until their
    // interests exist (a public board and Pin about home decor), so the first read sees them.
    await viewer.context.route('**/v5/feeds/home**', (route) => route.abort());
    const viewerToken = await app.signUp(viewer.page, { username: 'decor_fan' });
    await boardAndPin(viewerToken, 'Home decor ideas', 'Cozy bedroom with a wool rug and a sofa', '#7a9e7e');
    await viewer.context.unroute('**/v5/feeds/home**');

    const promoted = viewer.page.locator('.masonry-item', {
      has: viewer.page.locator('.pin-promoted', { hasText: 'Promoted by Lamp shop' }),
    });
    await eventually(
      async () => {
        await viewer.page.goto(`${base}/`);
        await viewer.page.waitForSelector('.masonry-item');
        return (await promoted.count()) > 0;
      },
      'the promoted pin in the home feed',
      30_000,
    );
    await expect
      .poll(() => promoted.first().locator('a.pin-card-link').getAttribute('href'))
      .toBe(`/pin/${pinId}`);
    // Opened: a close-up (PIN_CLICK), which is what a per-click ad is billed for.
    const sent = viewer.page.waitForResponse(
      (r) => r.url() === `${base}/v5/events` && (r.request().postData() ?? '').includes('"PIN_CLICK"'),
    );
    await promoted.first().locator('a.pin-card-link').click();
    await viewer.page.waitForURL(`${base}/pin/${pinId}`);
    const answer = (await (await sent).json()) as { accepted: number; rejected: unknown[] };
    expect(answer.rejected).toEqual([]);
    expect(answer.accepted).toBeGreaterThan(0);
    await viewer.context.close();
  });

  it('reads the spend again while the page is open, and pauses the ad group', {
    timeout: 60_000,
  }, async () => {
    // The click is billed at most the bid (the second price): the bar says so in words within 10 s reads.
    const spendText = page.locator('.ads-group .ads-spend-text');
    await eventually(
      async () =>
        /^\$(0\.[1-9]\d|1\.[0-4]\d|1\.50) of \$25\.00 spent today$/.test(
          (await spendText.textContent()) ?? '',
        ),
      'the spend bar to show the billed click',
      40_000,
    );
    expect(await page.locator('.ads-group meter').getAttribute('aria-valuetext')).toBe(
      await spendText.textContent(),
    );

    await page.getByRole('button', { name: 'Pause ad group Decor lovers' }).click();
    await page.getByRole('button', { name: 'Activate ad group Decor lovers' }).waitFor();
    const group = await app.api<AdGroupJson>(
      token,
      'GET',
      `/v5/ad_accounts/${accountId}/ad_groups/${groupId}`,
    );
    expect(group.body.status).toBe('PAUSED');
    expect(await page.locator('.ads-group > .ads-node-row .ads-status').textContent()).toBe('Paused');
  });

  it('charts the campaign and downloads a report made through the async report API', {
    timeout: 60_000,
  }, async () => {
    await page.getByRole('link', { name: 'Analytics of campaign Autumn lamps' }).click();
    await page.waitForURL(`${base}/ads/${accountId}/campaigns/${campaignId}/analytics`);
    await page.waitForSelector('.ads-chart canvas');
    await expect.poll(() => page.locator('.ads-totals').textContent()).toMatch(/, 1 click\./);
    await app.shot('desktop-ads-analytics');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download report' }).click();
    const file = await download;
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'The report is ready' }).count())
      .toBe(1);
    const csv = await readFile((await file.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    const columns = header!.split(',');
    expect(columns).toEqual(
      expect.arrayContaining(['CAMPAIGN_ID', 'CAMPAIGN_NAME', 'SPEND_IN_MICRO_DOLLAR', 'CLICKTHROUGH_1']),
    );
    const cells = rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [columns[i], v])));
    expect(cells.length).toBe(1);
    expect(cells[0]).toMatchObject({
      CAMPAIGN_ID: campaignId,
      CAMPAIGN_NAME: 'Autumn lamps',
      CLICKTHROUGH_1: '1',
    });
    expect(Number(cells[0]!.SPEND_IN_MICRO_DOLLAR)).toBeGreaterThan(0);
    expect(Number(cells[0]!.SPEND_IN_MICRO_DOLLAR)).toBeLessThanOrEqual(1_500_000);
    expect(adId).toMatch(/^\d+$/);
  });

  it('fits a phone: accounts, tree, ad group form and analytics', { timeout: 60_000 }, async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/ads`);
    await page.getByRole('link', { name: /Lamp shop/ }).waitFor();
    await app.shot('phone-ads-accounts');
    await page.goto(`${base}/ads/${accountId}`);
    await page.locator('.ads-group .ads-spend-text').waitFor();
    await app.shot('phone-ads-tree');
    await page.goto(`${base}/ads/${accountId}/ad_groups/${groupId}`);
    await expect.poll(() => page.getByLabel('Budget (USD)').inputValue()).toBe('25');
    expect(await page.getByLabel('Bid per click (USD)').inputValue()).toBe('1.5');
    await app.shot('phone-ads-ad-group-form');
    await page.goto(`${base}/ads/${accountId}/analytics`);
    await page.waitForSelector('.ads-chart canvas');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await app.shot('phone-ads-analytics');
    await page.setViewportSize(DESKTOP);
  });
});
