import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  eventually,
  HARNESS_START_MS,
  PHONE,
  SHOTS,
  SKIP_BROWSER,
  startWebApp,
  type WebApp,
} from './harness.js';

// The web app's sign-in, home feed and close-up in a real browser against a real server on the embedded
// default (test/browser/harness.ts): sign up, consent, home feed, pin close-up, sign-out, and an expired
// token sent through sign-in and back; screenshots at desktop and phone sizes land in
// test-results/screenshots/ (not committed).

describe.skipIf(SKIP_BROWSER)('the web app in Chromium (embedded)', () => {
  let app: WebApp;
  let context: BrowserContext;
  let page: Page;
  let base = '';
  let sent: WebApp['sent'] = [];
  let answers: WebApp['answers'] = [];

  beforeAll(async () => {
    app = await startWebApp();
    ({ base, context, page, sent, answers } = app);
  }, HARNESS_START_MS);

  afterAll(async () => {
    await app?.stop();
  });

  const shot = (name: string) => app.shot(name);
  const picturesLoaded = () => app.picturesLoaded();

  it('signs up through the consent page with PKCE and lands on the home feed', {
    timeout: 120_000,
  }, async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(/\/signin/);
    await expect.poll(() => page.getByRole('button', { name: 'Create an account' }).isVisible()).toBe(true);
    await shot('desktop-signin');

    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.waitForURL(/\/oauth\/\?/);
    const consentUrl = new URL(page.url());
    expect(consentUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consentUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByLabel('Username', { exact: true }).fill('browser_person');
    await page.getByLabel('Email', { exact: true }).fill('browser@example.org');
    await page.getByLabel('Password (8 characters or more)').fill('a long password');
    await shot('desktop-signup');
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect.poll(() => page.getByRole('button', { name: 'Allow' }).isVisible()).toBe(true);
    await expect(page.getByRole('heading', { level: 1 })).toBeTruthy();
    await shot('desktop-consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL(`${base}/`);
    await page.waitForSelector('.masonry-item img');
    expect(await page.locator('.masonry-item').count()).toBeGreaterThan(5);
    const token = await page.evaluate(() => sessionStorage.getItem('corkboard.token'));
    expect(token).toMatch(/^pina_/);
  });

  it('lays the feed out from known sizes: no layout shift as pictures load, placeholders in their colour', {
    timeout: 60_000,
  }, async () => {
    await page.evaluate(() => {
      (window as unknown as { cls: number }).cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
        })[]) {
          if (!e.hadRecentInput) (window as unknown as { cls: number }).cls += e.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const before = await page.locator('.masonry-item').first().boundingBox();
    await picturesLoaded();
    const after = await page.locator('.masonry-item').first().boundingBox();
    expect(after).toEqual(before);
    expect(await page.evaluate(() => (window as unknown as { cls: number }).cls)).toBeLessThan(0.01);
    const background = await page
      .locator('.pin-picture')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toMatch(/^rgb/);
    await shot('desktop-home');

    // Impressions go out in batches with each item's token.
    await eventually(() => sent.some((e) => e.kind === 'IMPRESSION'), 'impressions');
    expect(sent.find((e) => e.kind === 'IMPRESSION')).toMatchObject({ surface: 'HOME_FEED' });
    expect(sent.every((e) => e.impression_token.length > 20)).toBe(true);
    // The server takes them: the tokens are the ones it served, none refused.
    await eventually(() => answers.length > 0, 'the answer to POST /v5/events');
    expect(answers[0]!.accepted).toBeGreaterThan(0);
    expect(answers.flatMap((a) => a.rejected)).toEqual([]);
  });

  it('scrolls for more through the bookmark, nothing on screen moving as pages arrive', {
    timeout: 60_000,
  }, async () => {
    // Scrolling faster than pages arrive shows the end of the grid: what stands there must not jump
    // down when the next page is laid out (a status line below the grid did).
    await page.evaluate(() => {
      const w = window as unknown as { scrollShift: number; shiftedNodes: string[] };
      w.scrollShift = 0;
      w.shiftedNodes = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
          sources?: { node?: Node }[];
        })[]) {
          if (e.hadRecentInput) continue;
          w.scrollShift += e.value;
          for (const src of e.sources ?? []) w.shiftedNodes.push(String((src.node as Element)?.className));
        }
      }).observe({ type: 'layout-shift' });
    });
    const first = await page.locator('.masonry-item').count();
    const ids = async () =>
      page.locator('.masonry-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-index')));
    const deepest = async () => Math.max(...(await ids()).map(Number));
    for (let i = 0; i < 40 && (await deepest()) < 120; i++) {
      await page.mouse.wheel(0, 3000);
      await page.waitForTimeout(250);
    }
    expect(await deepest()).toBeGreaterThanOrEqual(Math.max(first, 120));
    // Only the pins near the screen are in the page, however many have been read.
    expect((await ids()).length).toBeLessThan(100);
    const moved = await page.evaluate(() => {
      const w = window as unknown as { scrollShift: number; shiftedNodes: string[] };
      return { scrollShift: w.scrollShift, shiftedNodes: w.shiftedNodes };
    });
    expect({ shift: moved.scrollShift < 0.01, nodes: moved.shiftedNodes }).toEqual({
      shift: true,
      nodes: [],
    });
    await page.evaluate(() => scrollTo(0, 0));
  });

  it('paints the first pins soon after the page opens', { timeout: 30_000 }, async () => {
    await page.goto(`${base}/`);
    const ms = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const check = () => {
            const img = document.querySelector<HTMLImageElement>('.masonry-item img');
            if (img?.complete && img.naturalWidth > 0) resolve(performance.now());
            else requestAnimationFrame(check);
          };
          check();
        }),
    );
    // The budget is 1 s on loopback; a loaded two-core CI machine gets more room before this fails.
    await writeFile(
      path.join(SHOTS, '..', 'web-metrics.json'),
      `${JSON.stringify({ firstPinPaintedMs: Math.round(ms) })}\n`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it('says in words what the API answered when a pin cannot be shown', { timeout: 30_000 }, async () => {
    await page.goto(`${base}/pin/1`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('could not be found');
    await expect.poll(() => page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    await page.goto(`${base}/`);
    await page.waitForSelector('.masonry-item img');
  });

  it('opens a pin close-up, reports the close-up and an outbound click, and shows related pins', {
    timeout: 60_000,
  }, async () => {
    const card = page.locator('.masonry-item a.pin-card-link').first();
    const href = await card.getAttribute('href');
    const pinId = href!.split('/').pop()!;
    await card.click();
    await page.waitForURL(`${base}/pin/${pinId}`);
    await page.waitForSelector('#pin-title');
    await page.waitForSelector('.related .masonry-item img');
    await picturesLoaded();
    await shot('desktop-pin');

    const visit = page.getByRole('link', { name: /^Visit / });
    const popup = context.waitForEvent('page');
    await visit.click();
    await (await popup).close();
    // Leaving the page (hidden) sends what waits at once, with keepalive.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await eventually(
      () => sent.some((e) => e.kind === 'PIN_CLICK' && e.pin_id === pinId),
      'the close-up (PIN_CLICK) event',
    );
    await eventually(
      () => sent.some((e) => e.kind === 'OUTBOUND_CLICK' && e.pin_id === pinId),
      'the OUTBOUND_CLICK event',
    );
  });

  it("scrolls a close-up's related pins to their end, as many as the API has", {
    timeout: 60_000,
  }, async () => {
    // The feed pin (of the first ten) with the most related pins, counted through the API's bookmarks.
    const token = await app.tokenOf(page);
    const feed = await app.api<{ items: { id: string }[] }>(token, 'GET', '/v5/feeds/home?page_size=10');
    let chosen = { id: '', total: 0 };
    for (const { id } of feed.body.items) {
      let total = 0;
      let bookmark: string | null = null;
      do {
        const q: string = bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : '';
        const res: { body: { items: unknown[]; bookmark: string | null } } = await app.api(
          token,
          'GET',
          `/v5/pins/${id}/related?page_size=25${q}`,
        );
        total += res.body.items.length;
        bookmark = res.body.bookmark;
      } while (bookmark);
      if (total > chosen.total) chosen = { id, total };
    }
    expect(chosen.total).toBeGreaterThan(5);
    await page.goto(`${base}/pin/${chosen.id}`);
    await page.waitForSelector('.related .masonry-item img');
    const related = page.locator('.related .masonry-item');
    const deepest = async () =>
      Math.max(...(await related.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))))));
    const caughtUp = page.locator('.related').getByText("You're all caught up.");
    for (let i = 0; i < 30 && (await deepest()) < chosen.total - 1; i++) {
      await page.mouse.wheel(0, 1500);
      await page.waitForTimeout(250);
    }
    expect(await caughtUp.isVisible()).toBe(true);
    expect(await deepest()).toBe(chosen.total - 1);
    await page.evaluate(() => scrollTo(0, 0));
  });

  it('fits a phone: two columns, the close-up stacked', { timeout: 60_000 }, async () => {
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    await page.evaluate(() => scrollTo(0, 0));
    await picturesLoaded();
    await shot('phone-pin');
    await page.goto(`${base}/`);
    await page.waitForSelector('.masonry-item img');
    await picturesLoaded();
    const columns = await page
      .locator('.masonry-item')
      .evaluateAll((els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().left))).size);
    expect(columns).toBe(2);
    await shot('phone-home');
    await page.setViewportSize(DESKTOP);
  });

  it('sends an expired token through sign-in and back to where the person was', {
    timeout: 60_000,
  }, async () => {
    const pinHref = await page.locator('.masonry-item a.pin-card-link').first().getAttribute('href');
    await page.evaluate(() => sessionStorage.setItem('corkboard.token', 'pina_no-longer-good'));
    await page.goto(`${base}${pinHref}`);
    await page.waitForURL(/\/signin\?expired=1/);
    await expect.poll(() => page.getByText('Your session ended').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The consent page's session is still signed in: approve, and come back to the pin.
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}${pinHref}`);
    await page.waitForSelector('#pin-title');
  });

  it("signs out by revoking the token and ending the consent page's session", {
    timeout: 30_000,
  }, async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('corkboard.token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    expect(await page.evaluate(() => sessionStorage.getItem('corkboard.token'))).toBeNull();
    const res = await fetch(`${base}/v5/user_account`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    await page.setViewportSize(PHONE);
    await shot('phone-signin');
    // The consent page's session ended with the token: the next person here signs in with a password
    // rather than approving the app as the last one.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/oauth\/\?/);
    await expect.poll(() => page.getByLabel('Password', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('Signed in as').count()).toBe(0);
    await shot('phone-signin-password');
    await page.getByLabel('Username or email', { exact: true }).fill('browser_person');
    await page.getByLabel('Password', { exact: true }).fill('a long password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('button:has-text("Allow")');
    await shot('phone-consent');
  });
});
