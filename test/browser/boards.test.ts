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

// Boards, profiles and following in a real browser against a real server with the demo world
// (test/browser/harness.ts): person A signs up, creates a board, saves demo pins from the close-up (to
// that board, and to a board created in the picker), opens the board, adds and renames a section,
// edits the board and reorders the boards; person B follows A from A's profile and sees A's new pin in
// the home feed; A makes a board secret and B no longer sees it; unfollowing, the follower lists, and
// deleting a board. What each step changed is checked in the API, not only on the page.

/** expect.poll with room for a loaded two-core machine (its default gives up after a second). */
const poll = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000 });

interface BoardJson {
  id: string;
  name: string;
  description: string | null;
  privacy: string;
  pin_count: number;
}

describe.skipIf(SKIP_BROWSER)('boards, profiles and following in Chromium (embedded)', () => {
  let app: WebApp;
  let page: Page;
  let base = '';
  let tokenA = '';
  let tokenB = '';
  let pageB: Page;
  let kitchen: BoardJson;
  const A = 'boards_ann';
  const B = 'boards_ben';

  beforeAll(async () => {
    app = await startWebApp();
    ({ base, page } = app);
  }, HARNESS_START_MS);

  afterAll(async () => {
    await app?.stop();
  });

  const myBoards = async (token: string) =>
    (await app.api<{ items: BoardJson[] }>(token, 'GET', '/v5/boards?page_size=50')).body.items;
  const boardNamed = async (token: string, name: string) => {
    const board = (await myBoards(token)).find((b) => b.name === name);
    expect(board, `board ${name}`).toBeDefined();
    return board!;
  };
  const pinsOn = async (token: string, boardId: string) =>
    (
      await app.api<{ items: { id: string; title: string | null }[] }>(
        token,
        'GET',
        `/v5/boards/${boardId}/pins`,
      )
    ).body.items;

  /** Opens the first demo pin of the home feed (not one of A's) and its save picker. */
  const openSavePicker = async (nth: number) => {
    await page.goto(`${base}/`);
    await page.waitForSelector('.masonry-item a.pin-card-link');
    const card = page.locator('.masonry-item a.pin-card-link').nth(nth);
    const href = (await card.getAttribute('href'))!;
    await card.click();
    await page.waitForURL(`${base}${href}`);
    await page.waitForSelector('#pin-title');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.getByRole('dialog', { name: 'Save to a board' }).isVisible()).toBe(true);
    await poll(() => page.getByRole('list', { name: 'Your boards' }).isVisible()).toBe(true);
    return href.split('/').pop()!;
  };

  it('A signs up, creates a board from My boards, and saves demo pins to it from the close-up', {
    timeout: 60_000,
  }, async () => {
    tokenA = await app.signUp(page, { username: A });
    await page.getByRole('link', { name: 'Boards', exact: true }).click();
    await page.waitForURL(`${base}/boards`);
    await poll(() => page.getByText('You have no boards yet').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByLabel('Name').fill('Kitchen ideas');
    await page.getByLabel('Description (optional)').fill('Counters and shelves');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/board\/\d+$/);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Kitchen ideas');
    kitchen = await boardNamed(tokenA, 'Kitchen ideas');
    expect(kitchen).toMatchObject({ description: 'Counters and shelves', privacy: 'PUBLIC', pin_count: 0 });
    expect(page.url()).toBe(`${base}/board/${kitchen.id}`);

    // Save a demo pin (someone else's) to it.
    const pinId = await openSavePicker(0);
    await app.shot('desktop-save-picker');
    await page.getByRole('button', { name: 'Kitchen ideas' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Saved to' });
    await poll(() => status.textContent()).toBe('Saved to Kitchen ideas');
    const saved = await pinsOn(tokenA, kitchen.id);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.id).not.toBe(pinId);

    // Another, into a secret board made in the picker.
    await openSavePicker(1);
    await page.getByLabel('Board name').fill('Weekend');
    await page.getByLabel('Keep this board secret').check();
    await page.getByRole('button', { name: 'Create and save' }).click();
    await poll(() => status.textContent()).toBe('Saved to Weekend');
    const weekend = await boardNamed(tokenA, 'Weekend');
    expect(weekend).toMatchObject({ privacy: 'SECRET', pin_count: 1 });

    // The confirmation links to the board, which shows the pin.
    await status.getByRole('link', { name: 'Weekend' }).click();
    await page.waitForURL(`${base}/board/${weekend.id}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('WeekendSecret board');
    await page.waitForSelector('.masonry-item img');
    await poll(() => page.locator('.masonry-item').count()).toBe(1);
  });

  it('shows the board, adds and renames a section, saves into it, and edits the board', {
    timeout: 60_000,
  }, async () => {
    await page.goto(`${base}/board/${kitchen.id}`);
    await page.waitForSelector('.masonry-item img');
    await poll(() => page.locator('.masonry-item').count()).toBe(1);

    await page.getByRole('button', { name: 'Add section' }).click();
    await page.getByLabel('New section name').fill('Counters');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await poll(() =>
      page.getByRole('button', { name: 'Counters', exact: true, pressed: true }).isVisible(),
    ).toBe(true);
    await page.getByRole('button', { name: /^Rename section/ }).click();
    await page.getByLabel('Section name').fill('Countertops');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await poll(() => page.getByRole('button', { name: 'Countertops', exact: true }).isVisible()).toBe(true);
    const sections = await app.api<{ items: { id: string; name: string }[] }>(
      tokenA,
      'GET',
      `/v5/boards/${kitchen.id}/sections`,
    );
    expect(sections.body.items.map((s) => s.name)).toEqual(['Countertops']);
    // The section is empty: its filter shows no pins.
    await poll(() => page.getByText('No Pins in this section yet.').isVisible()).toBe(true);

    // Saving into the section from the close-up.
    await openSavePicker(2);
    await page.getByRole('button', { name: 'Kitchen ideas, section Countertops' }).click();
    await poll(() => page.getByRole('status').filter({ hasText: 'Saved to' }).textContent()).toBe(
      'Saved to Kitchen ideas (Countertops)',
    );
    const inSection = await app.api<{ items: unknown[] }>(
      tokenA,
      'GET',
      `/v5/boards/${kitchen.id}/sections/${sections.body.items[0]!.id}/pins`,
    );
    expect(inSection.body.items).toHaveLength(1);

    await page.goto(`${base}/board/${kitchen.id}`);
    await page.getByRole('button', { name: 'Countertops', exact: true }).click();
    await page.waitForSelector('.masonry-item img');
    await poll(() => page.locator('.masonry-item').count()).toBe(1);
    await page.getByRole('button', { name: 'All Pins' }).click();
    await poll(() => page.locator('.masonry-item').count()).toBe(2);

    await page.getByRole('button', { name: 'Edit board' }).click();
    await page.getByLabel('Name').fill('Kitchen');
    await page.getByLabel('Description').fill('Counters, shelves and tiles');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Kitchen');
    kitchen = await boardNamed(tokenA, 'Kitchen');
    expect(kitchen).toMatchObject({
      description: 'Counters, shelves and tiles',
      privacy: 'PUBLIC',
      pin_count: 2,
    });
    await app.picturesLoaded();
    await app.shot('desktop-board');
  });

  it('reorders the boards with the keyboard', { timeout: 60_000 }, async () => {
    await page.goto(`${base}/boards`);
    await page.waitForSelector('.board-card');
    const shown = () => page.locator('.board-name').allTextContents();
    // Never moved: newest first (the secret board's name carries its label for screen readers).
    expect(await shown()).toEqual(['WeekendSecret board', 'Kitchen']);
    expect(await page.locator('.secret-mark').count()).toBe(1);
    const down = page.getByRole('button', { name: 'Move down: Weekend' });
    await down.focus();
    await page.keyboard.press('Enter');
    await poll(shown).toEqual(['Kitchen', 'WeekendSecret board']);
    await poll(async () => (await myBoards(tokenA)).map((b) => b.name)).toEqual(['Kitchen', 'Weekend']);
    // The focus follows the board to its new place.
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Move up: Weekend',
    );
    await poll(() => page.getByRole('status').filter({ hasText: 'moved to place 2' }).count()).toBe(1);
    await page.reload();
    await page.waitForSelector('.board-card');
    expect(await shown()).toEqual(['Kitchen', 'WeekendSecret board']);
    await app.picturesLoaded();
    await app.shot('desktop-boards');
  });

  it("B follows A from A's profile and sees A's new pin in the home feed; follows A's board", {
    timeout: 60_000,
  }, async () => {
    ({ page: pageB } = await app.newPerson());
    tokenB = await app.signUp(pageB, { username: B });
    await pageB.goto(`${base}/user/${A}`);
    await poll(() => pageB.getByRole('heading', { level: 1 }).textContent()).toBe(A);
    // The page shows what the API gives B: A's public board, never the secret one.
    const api = await app.api<{ items: BoardJson[] }>(tokenB, 'GET', `/v5/users/${A}/boards`);
    expect(api.body.items.map((b) => b.name)).toEqual(['Kitchen']);
    await poll(() => pageB.locator('.board-name').allTextContents()).toEqual(['Kitchen']);
    await poll(() => pageB.getByText('1 board', { exact: true }).isVisible()).toBe(true);

    await pageB.getByRole('button', { name: `Follow ${A}` }).click();
    await poll(() => pageB.getByRole('button', { name: `Following ${A}`, pressed: true }).isVisible()).toBe(
      true,
    );
    const following = await app.api<{ items: { username: string }[] }>(
      tokenB,
      'GET',
      '/v5/user_account/following',
    );
    expect(following.body.items.map((u) => u.username)).toEqual([A]);
    await app.picturesLoaded(pageB);
    await app.shot('desktop-profile', pageB);

    // A pins something new (through the API); it reaches B's home feed.
    const data = (await makeImage({ width: 300, height: 400, color: '#884422' })).toString('base64');
    const made = await app.api<{ id: string }>(tokenA, 'POST', '/v5/pins', {
      board_id: kitchen.id,
      title: 'Fresh from Ann',
      media_source: { source_type: 'image_base64', content_type: 'image/png', data },
    });
    expect(made.status).toBe(201);
    await eventually(
      async () => {
        await pageB.goto(`${base}/`);
        await pageB.waitForSelector('.masonry-item');
        return (await pageB.locator(`.masonry-item a[href="/pin/${made.body.id}"]`).count()) === 1;
      },
      "A's new pin in B's home feed",
      20_000,
    );

    // B follows A's board from the board page.
    await pageB.goto(`${base}/board/${kitchen.id}`);
    await pageB.getByRole('button', { name: 'Follow board' }).click();
    await poll(() => pageB.getByRole('button', { name: 'Following board' }).isVisible()).toBe(true);
    const check = await app.api<{ following: boolean }>(
      tokenB,
      'GET',
      `/v5/user_account/following/boards/${kitchen.id}`,
    );
    expect(check.body.following).toBe(true);
  });

  it('lists followers and following; A makes the board secret and B no longer sees it', {
    timeout: 60_000,
  }, async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL(`${base}/user/${A}`);
    await page.getByRole('link', { name: '1 follower' }).click();
    await page.waitForURL(`${base}/user/${A}/followers`);
    await poll(() =>
      page
        .getByRole('list', { name: `People following ${A}` })
        .getByRole('link')
        .allTextContents(),
    ).toEqual([B]);
    await page.getByRole('link', { name: 'Following', exact: true }).click();
    await page.waitForURL(`${base}/user/${A}/following`);
    await poll(() => page.getByText('Not following anyone yet.').isVisible()).toBe(true);
    await pageB.goto(`${base}/user/${B}/following`);
    await poll(() =>
      pageB
        .getByRole('list', { name: `People ${B} follows` })
        .getByRole('link')
        .allTextContents(),
    ).toEqual([A]);

    await page.goto(`${base}/board/${kitchen.id}`);
    await page.getByRole('button', { name: 'Edit board' }).click();
    await page.getByLabel('Keep this board secret').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await poll(async () => (await boardNamed(tokenA, 'Kitchen')).privacy).toBe('SECRET');

    await pageB.goto(`${base}/user/${A}`);
    await poll(() => pageB.getByText('No boards to show.').isVisible()).toBe(true);
    expect(await pageB.locator('.board-card').count()).toBe(0);
    await pageB.goto(`${base}/board/${kitchen.id}`);
    await poll(() => pageB.getByRole('alert').textContent()).toContain('could not be found');
  });

  it('B unfollows A; A deletes a board after confirming', { timeout: 60_000 }, async () => {
    await pageB.goto(`${base}/user/${A}`);
    await pageB.getByRole('button', { name: `Following ${A}` }).click();
    await poll(() => pageB.getByRole('button', { name: `Follow ${A}`, pressed: false }).isVisible()).toBe(
      true,
    );
    const following = await app.api<{ items: unknown[] }>(tokenB, 'GET', '/v5/user_account/following');
    expect(following.body.items).toEqual([]);
    await page.goto(`${base}/user/${A}/followers`);
    await poll(() => page.getByText('No followers yet.').isVisible()).toBe(true);

    const weekend = await boardNamed(tokenA, 'Weekend');
    await page.goto(`${base}/board/${weekend.id}`);
    // The question takes the focus (a screen reader reads it); Cancel gives it back to the button.
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    await page.getByRole('button', { name: 'Delete board' }).click();
    await poll(() => page.getByRole('heading', { name: 'Delete “Weekend”?' }).isVisible()).toBe(true);
    await poll(focused).toBe('Delete “Weekend”?');
    await page.locator('.confirm').getByRole('button', { name: 'Cancel' }).click();
    await poll(focused).toBe('Delete board');
    await page.getByRole('button', { name: 'Delete board' }).click();
    await page.getByRole('button', { name: 'Yes, delete board' }).click();
    await page.waitForURL(`${base}/boards`);
    expect((await app.api(tokenA, 'GET', `/v5/boards/${weekend.id}`)).status).toBe(404);
    await poll(() => page.locator('.board-name').allTextContents()).toEqual(['KitchenSecret board']);
  });

  it('fits a phone: my boards, a board, a profile, the save picker', { timeout: 60_000 }, async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/boards`);
    await page.waitForSelector('.board-card');
    await app.picturesLoaded();
    await app.shot('phone-boards');
    await page.goto(`${base}/board/${kitchen.id}`);
    await page.waitForSelector('.masonry-item img');
    await app.picturesLoaded();
    await app.shot('phone-board');
    await page.goto(`${base}/user/${A}`);
    await page.waitForSelector('.board-card');
    await app.picturesLoaded();
    await app.shot('phone-profile');
    await openSavePicker(3);
    await app.shot('phone-save-picker');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(DESKTOP);
  });
});
