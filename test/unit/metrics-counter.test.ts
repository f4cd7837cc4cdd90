import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/platform/metrics.js';

/** The counter's value for one series, as a scrape shows it (undefined when the series is not shown). */
async function scraped(text: Promise<string>, series: string): Promise<number | undefined> {
  const line = (await text).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a counter series taken by labels()', () => {
  it('adds up in the scrape with the counter own series, and only grows', async () => {
    const metrics = createMetrics();
    const counter = metrics.counter('test_served_total', 'Served.', ['surface'] as const);
    const feed = counter.labels({ surface: 'HOME_FEED' });
    const search = counter.labels({ surface: 'SEARCH' });
    const name = 'test_served_total{surface="HOME_FEED"}';
    expect(await scraped(metrics.registry.metrics(), name)).toBeUndefined();
    feed.inc();
    feed.inc(2);
    counter.inc({ surface: 'HOME_FEED' }, 4);
    expect(await scraped(metrics.registry.metrics(), name)).toBe(7);
    // Counted once: a second scrape shows the same, and what comes after is added to it.
    expect(await scraped(metrics.registry.metrics(), name)).toBe(7);
    feed.inc(3);
    search.inc();
    expect(await scraped(metrics.registry.metrics(), name)).toBe(10);
    expect(await scraped(metrics.registry.metrics(), 'test_served_total{surface="SEARCH"}')).toBe(1);
    expect(() => feed.inc(-1)).toThrow(RangeError);
    expect(() => feed.inc(Number.NaN)).toThrow(RangeError);
    expect(await scraped(metrics.registry.metrics(), name)).toBe(10);
    // Labels the counter does not have are refused when the series is taken, as the counter refuses them.
    expect(() => counter.labels({ surface: 'X', other: 'y' } as never)).toThrow();
  });
});
