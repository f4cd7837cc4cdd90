import type { RateLimitResult } from './rate-limiter.js';

/**
 * The headers Pinterest sends with a rate-limited response: `x-ratelimit-limit`, `x-ratelimit-remaining`
 * and `x-ratelimit-reset` (whole seconds until a point frees up), plus `retry-after` (seconds, at least
 * 1) when the hit was refused and the answer is a 429.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const resetSeconds = Math.ceil(Math.max(0, result.resetMs) / 1000);
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(result.limit),
    'x-ratelimit-remaining': String(Math.max(0, result.remaining)),
    'x-ratelimit-reset': String(resetSeconds),
  };
  if (!result.allowed) headers['retry-after'] = String(Math.max(1, resetSeconds));
  return headers;
}
