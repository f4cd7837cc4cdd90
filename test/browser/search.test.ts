import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  eventually,
  HARNESS_START_MS,
  PHONE,
  SKIP_BROWSER,
  startWebApp,
  type WebApp,
} from './harness.js';

// The web app's create-a-pin page and search in Chromium against a real server with the demo world:
// a pin made by dropping a PNG (upload progress, processing, close-up) and one from an image address of
// the server's own (a private address is refused, in words); search with a typo, corrected visibly;
// typeahead by keyboard, trending searches, the boards and people tabs, related-term chips; impressions
// and clicks on the SEARCH surface; screenshots at desktop and phone sizes (test-results/screenshots/).

/** A made-up word (letters only) that the demo world does not have. */
function word(): string {
  const letters = 'bcdfghjklmnprstvz';
  return `zo${[...randomBytes(6)].map((b) => letters[b % letters.length]).join('')}a`;
}

interface ApiPin {
  id: string;
  title: string | null;
  board_id: string;
  media: { status?: string; images: Record<string, { url: string }> };
}

describe.skipIf(SKIP_BROWSER)('search and creating pins in Chromium (embedded)', () => {
  let app: WebApp;
  let page: Page;
  let base = '';
  let token = '';
  let dir = '';
  let pngPath = '';
  const unique = word();
  const username = `searcher_${unique.slice(2, 8)}`;
  const firstTitle = `Sourdough ${unique} loaf`;
  const secondTitle = `Crusty ${unique} boule`;
  let firstPin: ApiPin;

  beforeAll(async () => {
    app = await startWebApp();
    ({ base, page } = app);
    dir = await mkdtemp(path.join(tmpdir(), 'corkboard-search-'));
    // Noise compresses badly: a picture big enough for the upload to take a moment when throttled.
    const png = await sharp({
      create: {
        width: 420,
        height: 300,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian' as const, mean: 140, sigma: 50 },
      },
    })
      .png()
      .toBuffer();
    pngPath = path.join(dir, 'loaf.png');
    await writeFile(pngPath, png);
  }, HARNESS_START_MS);

  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const searchBox = () => page.getByRole('combobox', { name: 'Search Corkboard' });
  /** The search page's tabs (the top bar has a "Boards" link too). */
  const tabs = () => page.getByRole('navigation', { name: 'What to search' });

  it('signs up on the consent pages, which wear the app’s look on a phone', { timeout: 60_000 }, async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/create`);
    await page.waitForURL(/\/signin\?return_to=%2Fcreate/);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.waitForURL(/\/oauth\/\?/);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Email', { exact: true }).fill(`${username}@example.org`);
    await page.getByLabel('Password (8 characters or more)').fill('a long password');
    // The same brand, colours and card as the app (base.css, inlined by the oauth module).
    expect(await page.locator('.brand').textContent()).toBe('Corkboard');
    expect(
      await page
        .locator('.btn-primary')
        .first()
        .evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe('rgb(200, 16, 46)');
    await app.shot('phone-signup-search');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Allow' }).isVisible()).toBe(true);
    // The app asks for what search (ads:read: typeahead and related terms) and creating pins need.
    expect(await page.locator('.scopes').textContent()).toContain('search suggestions and related terms');
    await app.shot('phone-consent-search');
    await page.setViewportSize(DESKTOP);
    await app.shot('desktop-consent-search');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}/create`);
    token = await app.tokenOf(page);
  });

  it('creates a pin from a dropped picture: upload progress, processing, then its close-up', {
    timeout: 60_000,
  }, async () => {
    await expect.poll(() => page.getByLabel('Name of a new board').isVisible()).toBe(true);
    await app.shot('desktop-create');

    // Nothing chosen: said in words, nothing sent.
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.locator('#create-status').textContent()).toContain('Add a picture');

    // A file of the wrong kind, dropped: refused in words.
    const drop = async (name: string, type: string, base64: string) =>
      page.evaluate(
        ({ name, type, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], name, { type }));
          const zone = document.querySelector('.dropzone')!;
          zone.dispatchEvent(
            new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }),
          );
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        { name, type, base64 },
      );
    await drop('notes.txt', 'text/plain', Buffer.from('hello').toString('base64'));
    await expect
      .poll(() => page.locator('#create-status').textContent())
      .toContain('“notes.txt” is not a picture. Choose a JPEG or PNG picture.');

    await drop('loaf.png', 'image/png', (await readFile(pngPath)).toString('base64'));
    await expect.poll(() => page.getByAltText('Preview of the new Pin').isVisible()).toBe(true);
    await page.getByLabel('Name of a new board').fill(`Bread ${unique}`);
    await page.getByLabel('Title', { exact: true }).fill(firstTitle);
    await page.getByLabel('Description').fill('Proved overnight, baked in a pot.');
    await page.getByLabel('Link', { exact: true }).fill('https://example.org/bread');
    await page.getByLabel(/^Alt text/).fill('A loaf of bread');

    // The upload is throttled so its progress can be seen (and photographed) on loopback.
    const cdp = await app.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 120 * 1024,
    });
    const seen: string[] = [];
    await page.exposeFunction('recordStatus', (t: string) => seen.push(t));
    await page.evaluate(() => {
      const status = document.getElementById('create-status')!;
      new MutationObserver(() =>
        (window as unknown as { recordStatus: (t: string) => void }).recordStatus(status.textContent ?? ''),
      ).observe(status, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByText(/Uploading the picture… [1-9]\d?%/).isVisible()).toBe(true);
    const bar = page.locator('progress#create-progress-bar');
    expect(Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
    await app.shot('desktop-create-progress');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    await page.waitForURL(/\/pin\/\d+$/, { timeout: 30_000 });
    await expect.poll(() => page.locator('#pin-title').textContent()).toBe(firstTitle);
    const pinId = page.url().split('/').pop()!;
    // Progress went up, then the picture was processed, before the close-up.
    expect(seen.some((t) => /Uploading the picture… \d+%/.test(t))).toBe(true);
    expect(seen.some((t) => t.includes('Processing the picture'))).toBe(true);

    // What the API now holds: the pin, on the new board, its picture processed.
    const pin = await app.api<ApiPin & { link: string; alt_text: string }>(token, 'GET', `/v5/pins/${pinId}`);
    expect(pin.status).toBe(200);
    expect(pin.body).toMatchObject({
      title: firstTitle,
      link: 'https://example.org/bread',
      alt_text: 'A loaf of bread',
    });
    expect(pin.body.media.status).toBeUndefined();
    expect(pin.body.media.images['600x']).toBeDefined();
    const board = await app.api<{ name: string; owner: { username: string } }>(
      token,
      'GET',
      `/v5/boards/${pin.body.board_id}`,
    );
    expect(board.body).toMatchObject({ name: `Bread ${unique}`, owner: { username } });
    firstPin = pin.body;

    // From the close-up to its board, where the new pin is.
    await page.getByRole('link', { name: `Bread ${unique}`, exact: true }).click();
    await page.waitForURL(`${base}/board/${pin.body.board_id}`);
    await expect
      .poll(() => page.locator(`.masonry-item a[href="/pin/${pinId}"]`).count(), { timeout: 15_000 })
      .toBe(1);
  });

  it('creates a pin from an image address of the server’s own, and says in words why another is refused', {
    timeout: 60_000,
  }, async () => {
    await page.getByRole('link', { name: 'Create', exact: true }).click();
    await page.waitForURL(`${base}/create`);
    await expect.poll(() => page.getByLabel('Board', { exact: true }).inputValue()).toBe(firstPin.board_id);

    // Not a web address: the page says so before sending anything.
    await page.getByLabel('Or the web address of an image').fill('not a web address');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.locator('#create-status').textContent()).toContain('is not a web address');

    // An address on this machine that is not one of the server's own pictures: fetching it is refused.
    await page.getByLabel('Or the web address of an image').fill(`${base}/somewhere/else.png`);
    await page.getByLabel('Title', { exact: true }).fill('Refused');
    await page.getByRole('button', { name: 'Publish' }).click();
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toContain(
        'The picture could not be used: 127.0.0.1 is a private or reserved address and cannot be fetched.',
      );

    // One of the server's own pictures (the first pin's) is read from its store.
    await page.getByLabel('Or the web address of an image').fill(firstPin.media.images['600x']!.url);
    await page.getByLabel('Title', { exact: true }).fill(secondTitle);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/pin\/\d+$/, { timeout: 30_000 });
    await expect.poll(() => page.locator('#pin-title').textContent()).toBe(secondTitle);
    const mine = await app.api<{ items: ApiPin[] }>(token, 'GET', `/v5/boards/${firstPin.board_id}/pins`);
    expect(mine.body.items.map((p) => p.title).sort()).toEqual([secondTitle, firstTitle].sort());
  });

  it('finds the new pin through a misspelt search, saying what it searched for, and reports SEARCH events', {
    timeout: 60_000,
  }, async () => {
    // The index consumer has indexed the pins (search them through the API until it has).
    await eventually(async () => {
      const res = await app.api<{ items: ApiPin[] }>(
        token,
        'GET',
        `/v5/search/partner/pins?country_code=US&term=${unique}`,
      );
      return res.body.items.length === 2;
    }, 'the new pins in the search index');

    const typo = `sourdugh ${unique}`;
    await searchBox().fill(typo);
    await searchBox().press('Enter');
    await page.waitForURL(`${base}/search?q=${encodeURIComponent(typo).replaceAll('%20', '+')}`);
    const correction = page.locator('.search-correction');
    await expect
      .poll(() => correction.textContent())
      .toBe(`Showing results for sourdough ${unique}. Search instead for ${typo}`);
    // The pin titled so, and not the other pin of its board (a promoted pin may be laid in as well).
    const cards = page.locator('.masonry-item a.pin-card-link');
    const found = page.locator(`.masonry-item a.pin-card-link[href="/pin/${firstPin.id}"]`);
    await expect.poll(() => found.count()).toBe(1);
    const hrefs = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(hrefs.filter((h) => h !== `/pin/${firstPin.id}`).length).toBeLessThanOrEqual(1);
    await app.picturesLoaded();
    await app.shot('desktop-search');

    // Impressions of search results go out on the SEARCH surface, and the server takes them.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await eventually(
      () =>
        app.sent.some((e) => e.kind === 'IMPRESSION' && e.pin_id === firstPin.id && e.surface === 'SEARCH'),
      'the search result’s impression',
    );
    await found.click();
    await page.waitForURL(`${base}/pin/${firstPin.id}`);
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await eventually(
      () =>
        app.sent.some((e) => e.kind === 'PIN_CLICK' && e.pin_id === firstPin.id && e.surface === 'SEARCH'),
      'the search result’s PIN_CLICK',
    );
    expect(app.answers.flatMap((a) => a.rejected)).toEqual([]);

    // "Search instead for" the words as typed: nothing matches them.
    await page.goBack();
    await page.getByRole('link', { name: typo }).click();
    await page.waitForURL(/exact=1/);
    await expect.poll(() => page.getByText(`No Pins match “${typo}”`).isVisible()).toBe(true);
    expect(await correction.count()).toBe(0);
  });

  it('suggests as the person types, chosen by keyboard; Escape closes the list', {
    timeout: 60_000,
  }, async () => {
    const box = searchBox();
    await box.fill('');
    await box.pressSequentially('spic', { delay: 30 });
    const options = page.getByRole('option');
    await expect.poll(() => page.getByRole('listbox', { name: 'Suggested searches' }).isVisible()).toBe(true);
    await expect.poll(() => options.count()).toBeGreaterThan(1);
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('listbox', { name: 'Suggested searches' }).isVisible()).toBe(true);
    const texts = await options.allTextContents();
    expect(texts.every((t) => t.startsWith('spic'))).toBe(true);

    await box.press('ArrowDown');
    await box.press('ArrowDown');
    const second = options.nth(1);
    expect(await box.getAttribute('aria-activedescendant')).toBe(await second.getAttribute('id'));
    expect(await second.getAttribute('aria-selected')).toBe('true');
    await app.shot('desktop-typeahead');
    await box.press('ArrowUp');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(0).getAttribute('id'));

    await box.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await box.getAttribute('aria-activedescendant')).toBeNull();
    // Down opens the list again on its first option; down again, the second; Enter searches it.
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(0).getAttribute('id'));
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.waitForURL(`${base}/search?q=${encodeURIComponent(texts[1]!).replaceAll('%20', '+')}`);
    expect(await box.inputValue()).toBe(texts[1]);
    await page.waitForSelector('.masonry-item');
  });

  it('shows trending searches when the box is empty', { timeout: 90_000 }, async () => {
    // A term is trending once three people searched it (never one person's query).
    const others = [await app.newPerson(), await app.newPerson()];
    const tokens = [token];
    for (const [i, o] of others.entries())
      tokens.push(await app.signUp(o.page, { username: `trend${i}_${unique.slice(2, 8)}` }));
    for (const t of tokens) {
      expect(
        (await app.api(t, 'GET', '/v5/search/partner/pins?country_code=US&term=lighthouse')).status,
      ).toBe(200);
    }
    for (const o of others) await o.context.close();
    await eventually(
      async () =>
        (
          await app.api<{ trends: { keyword: string }[] }>(token, 'GET', '/v5/trends/keywords/US/top/growing')
        ).body.trends.some((t) => t.keyword === 'lighthouse'),
      'lighthouse in the trends',
      30_000,
    );
    await page.reload();
    const box = searchBox();
    await box.fill('');
    await box.focus();
    const listbox = page.getByRole('listbox', { name: 'Trending searches' });
    await expect.poll(() => listbox.isVisible()).toBe(true);
    expect(await listbox.getByRole('option').allTextContents()).toContain('↗lighthouse');
    await listbox.getByRole('option', { name: 'lighthouse' }).click();
    await page.waitForURL(`${base}/search?q=lighthouse`);
    await page.waitForSelector('.masonry-item');
  });

  it('has boards and people tabs, and related-term chips that search', { timeout: 60_000 }, async () => {
    await page.goto(`${base}/search?q=${unique}`);
    await expect.poll(() => page.locator('.masonry-item').count()).toBe(2);

    // Related terms: the titles of pins found with the term.
    const chips = page.getByRole('navigation', { name: 'Related searches' }).getByRole('link');
    await expect.poll(() => chips.count()).toBeGreaterThan(0);
    const chipTexts = await chips.allTextContents();
    expect(chipTexts).toContain(secondTitle.toLowerCase());

    await tabs().getByRole('link', { name: 'Boards' }).click();
    await page.waitForURL(`${base}/search?q=${unique}&type=boards`);
    expect(await tabs().getByRole('link', { name: 'Boards' }).getAttribute('aria-current')).toBe('page');
    const boards = page.getByRole('list', { name: `Boards for ${unique}` }).getByRole('listitem');
    await expect.poll(() => boards.count()).toBe(1);
    expect(await boards.first().textContent()).toContain(`Bread ${unique}`);
    expect(await boards.first().textContent()).toContain(`by ${username}`);
    expect(
      await boards
        .first()
        .getByRole('link', { name: `Bread ${unique}` })
        .getAttribute('href'),
    ).toMatch(/^\/board\/\d+$/);
    await app.shot('desktop-search-boards');

    await searchBox().fill(username);
    await searchBox().press('Enter');
    // The search box keeps the tab it is on.
    await page.waitForURL(`${base}/search?q=${username}&type=boards`);
    await tabs().getByRole('link', { name: 'People' }).click();
    await page.waitForURL(`${base}/search?q=${username}&type=people`);
    const people = page.getByRole('list', { name: `People for ${username}` }).getByRole('listitem');
    await expect.poll(() => people.count()).toBeGreaterThan(0);
    expect(await people.first().textContent()).toContain(username);
    // A person found opens their profile.
    await people.first().getByRole('link', { name: username, exact: true }).click();
    await page.waitForURL(`${base}/user/${username}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(username);

    // A chip searches its term.
    await page.goto(`${base}/search?q=${unique}`);
    await chips.filter({ hasText: secondTitle.toLowerCase() }).first().click();
    await page.waitForURL(
      `${base}/search?q=${encodeURIComponent(secondTitle.toLowerCase()).replaceAll('%20', '+')}`,
    );
    // The box takes the chip's term when the page renders for the new address (a moment after it).
    await expect.poll(() => searchBox().inputValue()).toBe(secondTitle.toLowerCase());
    await expect.poll(() => page.locator('.masonry-item').count()).toBeGreaterThan(0);
  });

  it('fits a phone: search results, the open typeahead, the create page empty and in progress', {
    timeout: 60_000,
  }, async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/search?q=sourdough`);
    await page.waitForSelector('.masonry-item img');
    await app.picturesLoaded();
    // The phone's top bar: the search box shares the first row with the brand's mark and sign-out, wide
    // enough to type in, and the whole bar (links on a second row) stays within the screen and two rows.
    const box = await searchBox().boundingBox();
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect(box!.width).toBeGreaterThan(180);
    expect(Math.abs(box!.y + box!.height / 2 - (signOut!.y + signOut!.height / 2))).toBeLessThan(4);
    const bar = await page.locator('header.topbar').boundingBox();
    expect(bar!.height).toBeLessThan(120);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await app.shot('phone-search');
    await searchBox().fill('');
    await searchBox().pressSequentially('spic', { delay: 30 });
    await expect.poll(() => page.getByRole('listbox', { name: 'Suggested searches' }).isVisible()).toBe(true);
    expect(await page.getByRole('option').first().textContent()).toMatch(/^spic/);
    await searchBox().press('ArrowDown');
    await app.shot('phone-typeahead');
    await searchBox().press('Escape');

    await page.goto(`${base}/create`);
    await expect.poll(() => page.getByLabel('Board', { exact: true }).isVisible()).toBe(true);
    await app.shot('phone-create');
    await page.locator('#create-file').setInputFiles(pngPath);
    await page.getByLabel('Title', { exact: true }).fill(`Phone ${unique}`);
    const cdp = await app.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 120 * 1024,
    });
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByText(/Uploading the picture… [1-9]\d?%/).isVisible()).toBe(true);
    await app.shot('phone-create-progress');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.waitForURL(/\/pin\/\d+$/, { timeout: 30_000 });
    await expect.poll(() => page.locator('#pin-title').textContent()).toBe(`Phone ${unique}`);
    await page.setViewportSize(DESKTOP);
  });
});
