import { LRUCache } from 'lru-cache';
import {
  assertLimit,
  type GcraState,
  gcra,
  gcraRefund,
  type RateLimit,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter.js';

/**
 * In-process GCRA limiter for embedded mode. Memory is bounded by an LRU of `maxKeys` records; a key
 * evicted under pressure restarts with a full allowance (keys are per user and app, so pressure
 * means more than `maxKeys` callers active within one window). No TTL timers: a drained record is
 * equivalent to none, so stale records only wait for eviction.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly states: LRUCache<string, GcraState>;

  constructor(maxKeys = 100_000) {
    this.states = new LRUCache({ max: Math.max(1, maxKeys) });
  }

  async hit(key: string, limit: RateLimit, now = Date.now()): Promise<RateLimitResult> {
    assertLimit(limit);
    const { result, next } = gcra(this.states.get(key), limit, now);
    if (next) this.states.set(key, next);
    return result;
  }

  async refund(key: string, limit: RateLimit, now = Date.now()): Promise<void> {
    assertLimit(limit);
    const next = gcraRefund(this.states.get(key), limit, now);
    if (next) this.states.set(key, next);
    else this.states.delete(key);
  }

  async close(): Promise<void> {
    this.states.clear();
  }
}
