import { isIP } from 'node:net';
import { DomainError, RateLimited } from '../errors.js';
import type { RateLimit, RateLimiter, RateLimitResult } from './rate-limiter.js';

/** Which addresses signed a subject in before (KnownAddresses in the database). */
export interface KnownAddressStore {
  remember(subject: string, address: string): Promise<void>;
  knows(subject: string, address: string): Promise<boolean>;
}

/** One failure budget an attempt draws on. */
export interface FailureBudget {
  /** Counter key in the rate limiter (callers prefix it with what is being guessed). */
  readonly key: string;
  readonly limit: RateLimit;
  /** When spent, the attempt may still go ahead from an address known to the plan's subject. */
  readonly waivedForKnownAddress?: boolean;
}

/** What an attempt is counted against. */
export interface AttemptPlan {
  readonly budgets: readonly FailureBudget[];
  /** Who is being signed in (`user:<id>`, `app:<id>`) and from where; successes make the address known. */
  readonly known?: { readonly subject: string; readonly address: string };
  /** The message of the RateLimited error a refused attempt gets. */
  readonly message: string;
}

/**
 * Throttles guessing (passwords, app secrets, codes) by counting FAILURES only. Each attempt first takes
 * one point from every budget of its plan, atomically in the shared limiter, before any password hash is
 * computed; a budget with no point left refuses the attempt (RateLimited, nothing else runs). A success
 * gives its points back, so a person who signs in correctly is never slowed and never uses anyone's
 * budget; a failure keeps them. Reserving before the check (rather than checking, then counting after)
 * means concurrent guesses cannot overrun a budget. Null `limiter` (AUTH_THROTTLE=off) runs every
 * attempt unthrottled.
 */
export class FailureThrottle {
  constructor(
    private readonly limiter: RateLimiter | null,
    private readonly known: KnownAddressStore,
  ) {}

  /**
   * Runs `run` under the plan's budgets. `failed(result)` tells a failure from a success; a DomainError
   * thrown by `run` is a failure too (any other error gives the points back: an outage is no guess).
   */
  async attempt<T>(plan: AttemptPlan, run: () => Promise<T>, failed: (result: T) => boolean): Promise<T> {
    if (!this.limiter) return run();
    const limiter = this.limiter;
    const results = await Promise.all(plan.budgets.map((b) => limiter.hit(b.key, b.limit)));
    const taken = plan.budgets.filter((_, i) => results[i]!.allowed);
    const refused = plan.budgets.filter((_, i) => !results[i]!.allowed);
    const giveBack = () => Promise.all(taken.map((b) => limiter.refund(b.key, b.limit)));
    if (refused.length > 0) {
      const waivable = plan.known && refused.every((b) => b.waivedForKnownAddress);
      if (!waivable || !(await this.known.knows(plan.known!.subject, plan.known!.address))) {
        await giveBack();
        throw new RateLimited(plan.message, retryAfterSeconds(results.filter((r) => !r.allowed)));
      }
    }
    let result: T;
    try {
      result = await run();
    } catch (err) {
      if (!(err instanceof DomainError)) await giveBack();
      throw err;
    }
    if (!failed(result)) {
      await giveBack();
      if (plan.known) await this.known.remember(plan.known.subject, plan.known.address);
    }
    return result;
  }
}

function retryAfterSeconds(refused: RateLimitResult[]): number {
  return Math.max(1, Math.ceil(Math.max(...refused.map((r) => r.resetMs)) / 1000));
}

/**
 * The address a budget counts: IPv4 as it is (an IPv4-mapped IPv6 address as its IPv4), IPv6 by its /64
 * prefix, since one subscriber is usually given a whole /64 and could otherwise rotate through it.
 */
export function addressBucket(ip: string): string {
  const plain = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  if (isIP(plain) !== 6) return plain;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing dotted quad (e.g. 64:ff9b::192.0.2.1) fills two groups.
  const width = (gs: string[]) => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - width(left) - width(right)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
