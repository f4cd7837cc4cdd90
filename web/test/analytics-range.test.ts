import { describe, expect, it } from 'vitest';
import { parseRange, rangeOf } from '../src/api/analytics.js';

describe('the analytics ranges', () => {
  it('covers the last n UTC days up to today, both ends included', () => {
    const now = new Date('2026-03-10T23:30:00Z');
    expect(rangeOf(7, now)).toEqual({ start: '2026-03-04', end: '2026-03-10' });
    expect(rangeOf(30, now)).toEqual({ start: '2026-02-09', end: '2026-03-10' });
    // 90 days: the earliest start the API takes (89 days back, with today the 90th).
    expect(rangeOf(90, now)).toEqual({ start: '2025-12-11', end: '2026-03-10' });
    // Just after midnight UTC it is already the next day, whatever the browser's time zone.
    expect(rangeOf(7, new Date('2026-03-11T00:00:01Z')).end).toBe('2026-03-11');
  });

  it('reads ?days= as one of the offered ranges, else 30', () => {
    expect(parseRange('7')).toBe(7);
    expect(parseRange('90')).toBe(90);
    expect(parseRange('365')).toBe(30);
    expect(parseRange('abc')).toBe(30);
    expect(parseRange(null)).toBe(30);
  });
});
