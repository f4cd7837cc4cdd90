import { describe, expect, it } from 'vitest';
import { rateLimitHeaders } from '../../src/platform/rate-limit/headers.js';

describe('rateLimitHeaders', () => {
  it('reports limit, remaining and reset in whole seconds (rounded up) on an admitted hit', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 1000, remaining: 999, resetMs: 60 })).toEqual({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '999',
      'x-ratelimit-reset': '1',
    });
    expect(rateLimitHeaders({ allowed: true, limit: 5, remaining: 5, resetMs: 0 })).toEqual({
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '5',
      'x-ratelimit-reset': '0',
    });
  });

  it('adds retry-after on a refused hit', () => {
    expect(rateLimitHeaders({ allowed: false, limit: 100, remaining: 0, resetMs: 12_001 })).toEqual({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '13',
      'retry-after': '13',
    });
  });

  it('never tells a refused caller to retry after 0 seconds', () => {
    const h = rateLimitHeaders({ allowed: false, limit: 1, remaining: 0, resetMs: 0 });
    expect(h['retry-after']).toBe('1');
  });
});
