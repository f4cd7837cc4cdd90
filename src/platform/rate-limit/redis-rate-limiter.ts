import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { assertLimit, type RateLimit, type RateLimiter, type RateLimitResult } from './rate-limiter.js';

// GCRA check-and-increment, atomic. Same arithmetic as gcra() in rate-limiter.ts. The clock is Redis's
// own TIME, so skew between API nodes does not matter. State: hash {t = last change ms, b = backlog
// scaled by points}; it expires exactly when the backlog has drained. Refused hits write nothing.
const SCRIPT = `
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
local points = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cap = points * window
local s = redis.call('HMGET', KEYS[1], 't', 'b')
local b = 0
if s[1] and s[2] then
  local elapsed = now - tonumber(s[1])
  if elapsed < 0 then elapsed = 0 end
  b = tonumber(s[2]) - elapsed * points
  if b < 0 then b = 0 end
end
local allowed = 0
if b + window <= cap then
  b = b + window
  allowed = 1
  redis.call('HSET', KEYS[1], 't', string.format('%.0f', now), 'b', string.format('%.0f', b))
  redis.call('PEXPIRE', KEYS[1], math.ceil(b / points))
end
local remaining = math.floor((cap - b) / window)
local reset = 0
if remaining < points then reset = math.ceil(((remaining + 1) * window - (cap - b)) / points) end
return {allowed, remaining, reset}
`;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');

// Gives back one point, atomically: the same arithmetic as gcraRefund() in rate-limiter.ts.
const REFUND = `
local s = redis.call('HMGET', KEYS[1], 't', 'b')
if not (s[1] and s[2]) then return 0 end
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
local points = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local elapsed = now - tonumber(s[1])
if elapsed < 0 then elapsed = 0 end
local b = tonumber(s[2]) - elapsed * points - window
if b <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 't', string.format('%.0f', now), 'b', string.format('%.0f', b))
  redis.call('PEXPIRE', KEYS[1], math.ceil(b / points))
end
return 1
`;
const REFUND_SHA = createHash('sha1').update(REFUND).digest('hex');

/** GCRA limiter in Redis: every API node sharing the Redis (and prefix) enforces one shared limit. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** `now` is ignored: the script reads Redis's clock. */
  async hit(key: string, limit: RateLimit, _now?: number): Promise<RateLimitResult> {
    assertLimit(limit);
    const reply = await this.run(SCRIPT, SHA, key, limit);
    const [allowed, remaining, resetMs] = reply as [number, number, number];
    return { allowed: allowed === 1, limit: limit.points, remaining, resetMs };
  }

  /** `now` is ignored: the script reads Redis's clock. */
  async refund(key: string, limit: RateLimit, _now?: number): Promise<void> {
    assertLimit(limit);
    await this.run(REFUND, REFUND_SHA, key, limit);
  }

  private async run(script: string, sha: string, key: string, limit: RateLimit): Promise<unknown> {
    const k = `${this.prefix}rl:${key}`;
    try {
      return await this.redis.evalsha(sha, 1, k, limit.points, limit.windowMs);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(script, 1, k, limit.points, limit.windowMs);
    }
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the composition root.
  }
}
