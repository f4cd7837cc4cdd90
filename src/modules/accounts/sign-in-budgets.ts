import type { AttemptPlan } from '../../platform/rate-limit/failure-throttle.js';
import { addressBucket } from '../../platform/rate-limit/failure-throttle.js';

const minutes = (n: number) => n * 60_000;

/**
 * Failed sign-ins allowed (GCRA: a burst of `points`, then one more every windowMs / points). See
 * "Authentication, scopes and rate limits" in docs/architecture.md for why these three.
 */
export const SIGN_IN_BUDGETS = {
  /** One account from one address: a person mistyping, or one attacker on one account. */
  accountAddress: { points: 5, windowMs: minutes(15) },
  /** One address across accounts: password spraying from one machine (or one NAT). */
  address: { points: 30, windowMs: minutes(15) },
  /** One account across addresses: distributed guessing; known addresses are exempt. */
  account: { points: 20, windowMs: minutes(60) },
} as const;

/** The budgets a sign-in of `subject` (`user:<id>`, or `login:<name>` for no such account) from `ip` draws on. */
export function signInPlan(subject: string, ip: string): AttemptPlan {
  const address = addressBucket(ip);
  return {
    budgets: [
      { key: `auth:signin:pair:${subject}:${address}`, limit: SIGN_IN_BUDGETS.accountAddress },
      { key: `auth:signin:address:${address}`, limit: SIGN_IN_BUDGETS.address },
      {
        key: `auth:signin:account:${subject}`,
        limit: SIGN_IN_BUDGETS.account,
        waivedForKnownAddress: true,
      },
    ],
    known: { subject, address },
    message: 'Too many failed sign-in attempts. Retry after the time in Retry-After.',
  };
}

/**
 * Sign-ups allowed from one address, failed or not (GCRA as above): each makes an account, or says that a
 * username or email address is taken, which would otherwise let one machine list who has an account.
 */
export const SIGN_UP_BUDGET = { points: 20, windowMs: minutes(60) } as const;

/** The budget a sign-up from `ip` draws on: every attempt counts, a success as much as a failure. */
export function signUpPlan(ip: string): AttemptPlan {
  return {
    budgets: [{ key: `auth:signup:address:${addressBucket(ip)}`, limit: SIGN_UP_BUDGET }],
    message: 'Too many sign-ups from this address. Retry after the time in Retry-After.',
  };
}
