import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GlobalSearchService } from '../../../src/modules/discovery-search/global-search.service.js';
import { score, staticKey } from '../../../src/modules/discovery-search/ranking.js';
import { TermIndex } from '../../../src/modules/discovery-search/term-index.js';
import { termScore } from '../../../src/modules/discovery-search/terms.service.js';
import {
  listParam,
  normaliseTerm,
  rollupTerm,
  searchTerm,
} from '../../../src/modules/discovery-search/text.js';
import {
  addDays,
  normalise,
  pctGrowth,
  type TermWindows,
  trendScore,
  weeklySeries,
} from '../../../src/modules/discovery-search/trends.js';
import { Bookmarks } from '../../../src/platform/bookmarks.js';

const zero: TermWindows = { term: 't', w0: 0, w1: 0, prev4w: 0, m0: 0, m1: 0, y0: 0, y1: 0, lastYear30: 0 };

describe('trend formulas', () => {
  it('growing = (w0 + 5) / (prev4w / 4 + 5), only when above the mean week', () => {
    expect(trendScore('growing', { ...zero, w0: 30, prev4w: 8 })).toBe(5);
    expect(trendScore('growing', { ...zero, w0: 10, prev4w: 40 })).toBeUndefined();
    expect(trendScore('growing', { ...zero, w0: 1 })).toBeCloseTo(1.2);
  });

  it('monthly and yearly are volumes', () => {
    expect(trendScore('monthly', { ...zero, m0: 7 })).toBe(7);
    expect(trendScore('monthly', zero)).toBeUndefined();
    expect(trendScore('yearly', { ...zero, y0: 9 })).toBe(9);
  });

  it('seasonal = month growth × last year’s same month against that year’s monthly mean', () => {
    const c = { ...zero, m0: 12, m1: 3, lastYear30: 60, y1: 73 };
    expect(trendScore('seasonal', c)).toBeCloseTo((17 / 8) * (65 / ((73 * 30) / 365 + 5)));
    expect(trendScore('seasonal', { ...c, lastYear30: 0 })).toBeUndefined();
    expect(trendScore('seasonal', { ...c, m0: 3 })).toBeUndefined();
  });

  it('percent growth is rounded, capped, and 10001 from nothing', () => {
    expect(pctGrowth(30, 2)).toBe(1400);
    expect(pctGrowth(15, 73)).toBe(-79);
    expect(pctGrowth(1, 0)).toBe(10001);
    expect(pctGrowth(0, 0)).toBe(0);
    expect(pctGrowth(200_000, 1)).toBe(10001);
    expect(pctGrowth(10_001, 100)).toBe(9901);
  });

  it('weekly series end on today and sum seven days each; normalisation is per series or per group', () => {
    const daily = new Map([
      ['2026-03-10', 4],
      ['2026-03-04', 1],
      ['2026-03-03', 2],
    ]);
    const s = weeklySeries(daily, '2026-03-10');
    expect(s.size).toBe(52);
    expect(s.get('2026-03-10')).toBe(5); // 03-04..03-10
    expect(s.get('2026-03-03')).toBe(2);
    expect([...s.keys()].at(0)).toBe(addDays('2026-03-10', -7 * 51));
    const other = new Map([['2026-03-10', 20]]);
    expect(normalise([s, other], false).map((x) => x['2026-03-10'])).toEqual([100, 100]);
    expect(normalise([s, other], true).map((x) => x['2026-03-10'])).toEqual([25, 100]);
    expect(normalise([new Map([['d', 0]])], false)).toEqual([{ d: 0 }]);
  });
});

describe('ranking', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('a title match beats a description match of the same pin age and engagement', () => {
    expect(score([1], 0, now)).toBeGreaterThan(score([0.4], 0, now));
  });
  it('engagement lifts and age lowers, by the documented factors', () => {
    expect(score([1], 100, now) - score([1], 0, now)).toBeCloseTo(Math.log(1 + 0.5 * Math.log(101)));
    const older = new Date(now.getTime() - 120 * 86_400_000);
    expect(staticKey(0, now) - staticKey(0, older)).toBeCloseTo(1);
  });
});

describe('TermIndex', () => {
  const index = new TermIndex([
    { term: 'sports bar', score: 5 },
    { term: 'sportswear', score: 7 },
    { term: 'motor sports', score: 9 },
    { term: 'spa day', score: 1 },
    { term: 'sports bar', score: 1 },
  ]);
  it('completes prefixes only, best first, merging duplicate terms', () => {
    expect(index.complete('sport', 10)).toEqual(['sportswear', 'sports bar']);
    expect(index.complete('s', 10)).toEqual(['sportswear', 'sports bar', 'spa day']);
    expect(index.complete('s', 1)).toEqual(['sportswear']);
    expect(index.complete('sports b', 10)).toEqual(['sports bar']);
    expect(index.complete('x', 10)).toEqual([]);
    expect(index.score('sports bar')).toBe(6);
  });
  it('finds terms containing given words', () => {
    expect(index.containing(['sports'], 'sports', 10)).toEqual(['motor sports', 'sports bar']);
  });
  it('scores searches twice as much as frequency, logarithmically', () => {
    expect(termScore(0, 0)).toBe(0);
    expect(termScore(Math.E - 1, 0)).toBeCloseTo(2);
  });
});

describe('terms', () => {
  it('normalises, bounds and splits', () => {
    expect(normaliseTerm('  Easy\tPASTA \u0000 ')).toBe('easy pasta');
    expect(() => searchTerm(' \n ')).toThrow(/empty/);
    expect(() => searchTerm('x'.repeat(101))).toThrow(/100/);
    expect(rollupTerm(null)).toBeUndefined();
    expect(rollupTerm('x'.repeat(101))).toBeUndefined();
    expect(listParam(['a,b', ' c '])).toEqual(['a', 'b', 'c']);
  });
});

describe('GlobalSearchService.pins', () => {
  it('fails with the page’s error, and leaves no unhandled rejection when the event write fails too', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const repo = {
        lexemes: async (words: string[]) =>
          words.map((word) => ({ word, lexemes: [word], known: [word], counts: [1] })),
        pins: async () => [{ id: '1', score: 1, visible: true }],
      };
      const product = {
        pins: {
          list: async () => {
            throw new Error('cache down');
          },
        },
      };
      const events = {
        recordNow: () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('db down')), 10)),
      };
      const search = new GlobalSearchService(
        repo as never,
        new Bookmarks(randomBytes(32)),
        product as never,
        events,
      );
      const viewer = { userId: '1', appId: '1', scopes: new Set<string>() } as never;
      await expect(search.pins(viewer, { term: 'pie' }, { requestId: 'r' })).rejects.toThrow('cache down');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
