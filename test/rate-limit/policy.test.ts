import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMITS,
  parseRateLimits,
  RATE_LIMIT_CATEGORIES,
  rateLimitKey,
} from '../../src/platform/rate-limit/policy.js';

describe('rate limit policy', () => {
  it('has a sane default for every category, writes below reads', () => {
    for (const c of RATE_LIMIT_CATEGORIES) expect(DEFAULT_RATE_LIMITS[c].points).toBeGreaterThan(0);
    expect(DEFAULT_RATE_LIMITS.org_read).toEqual({ points: 1000, windowMs: 60_000 });
    expect(DEFAULT_RATE_LIMITS.org_write.points).toBeLessThan(DEFAULT_RATE_LIMITS.org_read.points);
  });

  it('returns the defaults for an empty or missing spec', () => {
    expect(parseRateLimits(undefined)).toEqual(DEFAULT_RATE_LIMITS);
    expect(parseRateLimits('  ')).toEqual(DEFAULT_RATE_LIMITS);
  });

  it('returns null for off', () => {
    expect(parseRateLimits('off')).toBeNull();
    expect(parseRateLimits(' OFF ')).toBeNull();
  });

  it('overrides the named categories and keeps the rest', () => {
    const t = parseRateLimits('org_read=1000/60s, org_write = 50/1m,ads_write=5/500ms,trends_read=3600/h');
    expect(t).toEqual({
      ...DEFAULT_RATE_LIMITS,
      org_read: { points: 1000, windowMs: 60_000 },
      org_write: { points: 50, windowMs: 60_000 },
      ads_write: { points: 5, windowMs: 500 },
      trends_read: { points: 3600, windowMs: 3_600_000 },
    });
    expect(parseRateLimits('default=10/2min')?.default).toEqual({ points: 10, windowMs: 120_000 });
  });

  it.each([
    ['org_read=1000', 'org_read=1000'],
    ['org_read=1000/60', 'org_read=1000/60'],
    ['org_read=1000/60x', 'org_read=1000/60x'],
    ['pins_read=10/1s', 'unknown category'],
    ['org_read=0/60s', 'points'],
    ['org_read=-5/60s', 'org_read=-5/60s'],
    ['org_read=10/0s', 'window'],
    ['org_read=10/2d', 'org_read=10/2d'],
    ['org_read=10/48h', 'window'],
    ['org_read=10/1s,org_read=20/1s', 'given twice'],
    ['org_read=10/1s,,org_write=1/1s', 'entry ""'],
  ])('rejects %s', (spec, fragment) => {
    expect(() => parseRateLimits(spec)).toThrow(fragment);
  });

  it('names the bad entry among good ones', () => {
    expect(() => parseRateLimits('org_read=1/1s,org_wrte=1/1s')).toThrow(/"org_wrte=1\/1s"/);
  });

  it('keys per category, app and user without ambiguity', () => {
    expect(rateLimitKey('org_read', '42', '7')).toBe('org_read:7:42');
    expect(rateLimitKey('org_read', 'a:b', 'c')).not.toBe(rateLimitKey('org_read', 'b', 'c:a'));
    expect(rateLimitKey('org_read', '42', '7')).not.toBe(rateLimitKey('org_write', '42', '7'));
  });
});
