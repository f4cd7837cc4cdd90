import { describe, expect, it } from 'vitest';
import { centroid, nearest } from '../../../src/modules/ads/audiences/audience-members.js';

describe('nearest interests (ACTALIKE ranking)', () => {
  const p = (entries: [string, number][]) => new Map(entries);
  it('weighs every seed member alike and keeps the most similar, up to the share wanted', () => {
    const centre = centroid([
      p([['garden', 10]]),
      p([
        ['garden', 1],
        ['art', 1],
      ]),
      undefined,
    ]);
    expect(centre.get('garden')).toBeCloseTo(1 + Math.SQRT1_2);
    expect(centre.get('art')).toBeCloseTo(Math.SQRT1_2);
    const profiles = new Map([
      ['10', p([['garden', 3]])],
      [
        '11',
        p([
          ['garden', 1],
          ['art', 1],
        ]),
      ],
      ['12', p([['art', 5]])],
      ['13', p([['cars', 9]])],
      ['9', p([['garden', 2]])],
    ]);
    // 9 and 10 point the same way (the closest); 11 next; 12 last; 13 shares nothing.
    expect(nearest(profiles, centre, new Set(), 2)).toEqual(['9', '10']);
    expect(nearest(profiles, centre, new Set(['9']), 3)).toEqual(['10', '11', '12']);
    expect(nearest(profiles, centre, new Set(), 10)).not.toContain('13');
    expect(nearest(profiles, new Map(), new Set(), 10)).toEqual([]);
  });
});
