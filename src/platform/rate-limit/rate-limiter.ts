/**
 * Rate limiting port. Algorithm: GCRA (generic cell rate algorithm, the "virtual scheduling" form of a
 * leaky bucket). A limit of `points` per `windowMs` admits a burst of at most `points` and refills one
 * point every `windowMs / points`: a span of d ms admits at most points + floor(d * points / windowMs),
 * the long-run rate is exactly points per window, and an idle key is full again after one window.
 * Chosen over a sliding-window counter because it is exact (no "previous window was uniform"
 * approximation), keeps ONE small record per key (time of last change + backlog), needs no cleanup
 * (a record is meaningless once its backlog has drained, so it simply expires), and tells precisely
 * when the next point frees up. Both adapters run the same integer arithmetic ({@link gcra}): the
 * backlog is kept scaled by `points`, so one point costs exactly `windowMs` units and nothing rounds.
 */

/** A limit: at most `points` hits per `windowMs`, refilling continuously. */
export interface RateLimit {
  readonly points: number;
  readonly windowMs: number;
}

/** The verdict on one hit. */
export interface RateLimitResult {
  /** Whether this hit was admitted (and counted). Refused hits are not counted. */
  readonly allowed: boolean;
  /** The limit's `points`. */
  readonly limit: number;
  /** Further hits admissible right now. */
  readonly remaining: number;
  /** Milliseconds until one more point is free (the wait before retrying when refused); 0 if full. */
  readonly resetMs: number;
}

/** Counts hits per key against a limit; shared by every API node when the adapter is. */
export interface RateLimiter {
  /** Checks and, if admitted, counts one hit. `now` (epoch ms) is for tests; adapters may ignore it. */
  hit(key: string, limit: RateLimit, now?: number): Promise<RateLimitResult>;
  /**
   * Gives back one point an admitted hit took (a reservation that turned out not to count, e.g. a
   * sign-in that succeeded where only failures are limited). A key with nothing to give back is left
   * alone.
   */
  refund(key: string, limit: RateLimit, now?: number): Promise<void>;
  close(): Promise<void>;
}

/** Upper bounds that keep `points * windowMs` (the scaled capacity) an exact integer in a double. */
export const MAX_POINTS = 1_000_000;
/** The longest window accepted: one day. */
export const MAX_WINDOW_MS = 86_400_000;

/** Throws unless `limit` has integer points in 1..MAX_POINTS and an integer window in 1..MAX_WINDOW_MS. */
export function assertLimit(limit: RateLimit): void {
  const { points, windowMs } = limit;
  if (!Number.isInteger(points) || points < 1 || points > MAX_POINTS)
    throw new Error(`rate limit points must be an integer in 1..${MAX_POINTS}, got ${points}`);
  if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > MAX_WINDOW_MS)
    throw new Error(`rate limit window must be an integer in 1..${MAX_WINDOW_MS} ms, got ${windowMs}`);
}

/** A key's stored GCRA state: when it last changed (epoch ms) and its backlog scaled by `points`. */
export interface GcraState {
  t: number;
  b: number;
}

/**
 * One GCRA step (the same arithmetic as the Redis script). Returns the verdict and, when admitted, the
 * new state to store; `ttlMs` is how long until the backlog has fully drained.
 */
export function gcra(
  state: GcraState | undefined,
  limit: RateLimit,
  now: number,
): { result: RateLimitResult; next?: GcraState; ttlMs: number } {
  const { points, windowMs } = limit;
  const cap = points * windowMs;
  let b = state ? Math.max(0, state.b - Math.max(0, now - state.t) * points) : 0;
  const allowed = b + windowMs <= cap;
  if (allowed) b += windowMs;
  const remaining = Math.floor((cap - b) / windowMs);
  const resetMs = remaining >= points ? 0 : Math.ceil(((remaining + 1) * windowMs - (cap - b)) / points);
  const result = { allowed, limit: points, remaining, resetMs };
  return allowed ? { result, next: { t: now, b }, ttlMs: Math.ceil(b / points) } : { result, ttlMs: 0 };
}

/**
 * The state after giving back one point (the same arithmetic as the Redis refund script): the drained
 * backlog less one point's worth, never below empty. Undefined when nothing is left to keep.
 */
export function gcraRefund(
  state: GcraState | undefined,
  limit: RateLimit,
  now: number,
): GcraState | undefined {
  if (!state) return undefined;
  const b = Math.max(0, state.b - Math.max(0, now - state.t) * limit.points - limit.windowMs);
  return b > 0 ? { t: now, b } : undefined;
}
