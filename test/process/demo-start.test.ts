import { afterAll, describe, expect, it } from 'vitest';
import { testMode } from '../helpers/mode.js';
import { Child, Children, STARTUP_MS } from './child.js';
import { processEnv } from './env.js';

describe(`serve on an empty database with the demo world (${testMode()})`, () => {
  const children = new Children();
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await children.stopAll();
    await cleanup?.();
  });

  it('answers global search, typeahead and a home feed with promoted pins from the first request', {
    timeout: 3 * STARTUP_MS,
  }, async () => {
    const place = await processEnv({ SEED_DEMO: 'true', LOG_LEVEL: 'info' });
    cleanup = place.cleanup;
    const server = children.add(new Child('demo', ['src/main.ts', 'serve'], place.env));
    const listening = await server.waitFor((l) => l.msg === 'corkboard listening', STARTUP_MS);
    const url = String(listening.address);
    // The banner (plain text) follows the listening line: the token is the line after its heading.
    let token: string | undefined;
    for (let i = 0; i < 100 && !token; i++) {
      const at = server.text.findIndex((t) => t.startsWith('Demo data:'));
      token = at >= 0 ? server.text[at + 1]?.trim() : undefined;
      if (!token) await new Promise((r) => setTimeout(r, 50));
    }
    expect(token, server.text.join('\n')).toMatch(/^\S{20,}$/);
    const get = async (path: string) => {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.text() };
    };

    // Every seeded pin's description has "idea": its public pins are found at once.
    const search = await get('/v5/search/partner/pins?country_code=US&term=idea&limit=5');
    expect(search.status, search.body).toBe(200);
    const items = (JSON.parse(search.body) as { items: { title: string }[] }).items;
    expect(items.length).toBe(5);

    // Typeahead completes the first result's title from its first two letters.
    const title = items[0]!.title.toLowerCase().replace(/\s+/g, ' ').trim();
    const suggested = await get(`/v5/terms/suggested?term=${encodeURIComponent(title.slice(0, 2))}&limit=10`);
    expect(suggested.status, suggested.body).toBe(200);
    expect((JSON.parse(suggested.body) as string[]).length).toBeGreaterThan(0);

    // The demo advertisers' promoted pins are in the demo person's home feed, labelled.
    const feed = await get('/v5/feeds/home?page_size=25');
    expect(feed.status, feed.body).toBe(200);
    const promoted = (
      JSON.parse(feed.body) as { items: { is_promoted?: boolean; advertiser_name?: string }[] }
    ).items.filter((i) => i.is_promoted);
    expect(promoted.length, feed.body.slice(0, 400)).toBeGreaterThan(0);
    expect(promoted.every((i) => typeof i.advertiser_name === 'string')).toBe(true);
  });
});
