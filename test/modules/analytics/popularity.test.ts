import { describe, expect, it } from 'vitest';
import { MemorySignalStore } from '../../../src/modules/analytics/popularity/memory-signal-store.js';
import { HOUR_MS, signalsOf, weight } from '../../../src/modules/analytics/popularity/popularity.js';

const NOW = Date.parse('2026-03-10T12:30:00Z');
const hour = Math.floor(NOW / HOUR_MS);

describe('popularity decay', () => {
  it('weighs an hour by exp(-age / (window / 2)) inside the window and 0 after it', () => {
    expect(weight(hour, NOW, 24)).toBeCloseTo(Math.exp(-0.5 / 12), 12);
    expect(weight(hour - 12, NOW, 24)).toBeCloseTo(Math.exp(-12.5 / 12), 12);
    expect(weight(hour - 23, NOW, 24)).toBeCloseTo(Math.exp(-23.5 / 12), 12);
    expect(weight(hour - 24, NOW, 24)).toBe(0);
    expect(weight(hour - 100, NOW, 168)).toBeCloseTo(Math.exp(-100.5 / 84), 12);
    expect(weight(hour - 168, NOW, 168)).toBe(0);
    // An hour in the future (clock skew) counts fully.
    expect(weight(hour + 2, NOW, 24)).toBe(1);
  });

  it('sums saves and engagements over 1 and 7 days', () => {
    const s = signalsOf(
      [
        { hour, saves: 2, engagements: 5 },
        { hour: hour - 30, saves: 4, engagements: 4 },
        { hour: hour - 200, saves: 100, engagements: 100 },
      ],
      NOW,
    );
    const w1 = Math.exp(-0.5 / 12);
    expect(s.save_1d).toBeCloseTo(2 * w1, 12);
    expect(s.engagement_1d).toBeCloseTo(5 * w1, 12);
    expect(s.save_7d).toBeCloseTo(2 * Math.exp(-0.5 / 84) + 4 * Math.exp(-30.5 / 84), 12);
    expect(s.engagement_7d).toBeCloseTo(5 * Math.exp(-0.5 / 84) + 4 * Math.exp(-30.5 / 84), 12);
  });
});

describe('memory signal store', () => {
  it('applies a batch once, forgets pins, and a rebuild replaces everything', async () => {
    const store = new MemorySignalStore(86_400_000, () => NOW);
    expect(await store.isBuilt()).toBe(false);
    expect(await store.apply('1', [{ pinId: 'p', hour, saves: 1, engagements: 2 }])).toBe(true);
    expect(await store.apply('1', [{ pinId: 'p', hour, saves: 1, engagements: 2 }])).toBe(false);
    await store.apply('2', [
      { pinId: 'p', hour, saves: 1, engagements: 1 },
      { pinId: 'q', hour: hour - 200, saves: 9, engagements: 9 },
    ]);
    expect(await store.read(['p', 'q'])).toEqual(new Map([['p', [{ hour, saves: 2, engagements: 3 }]]]));
    await store.forget(['p']);
    expect((await store.read(['p'])).size).toBe(0);
    await store.replace([{ pinId: 'r', hour, saves: 3, engagements: 3 }]);
    expect(await store.isBuilt()).toBe(true);
    expect([...(await store.read(['p', 'r'])).keys()]).toEqual(['r']);
    // Marks are cleared by a rebuild: a batch not yet committed can be applied after it.
    expect(await store.apply('1', [])).toBe(true);
  });
});
