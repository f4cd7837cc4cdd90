import { isIdText } from '../../platform/ids.js';
import { type AttemptPlan, addressBucket } from '../../platform/rate-limit/failure-throttle.js';

const minutes = (n: number) => n * 60_000;

/**
 * Failures allowed at the token endpoints (GCRA: a burst of `points`, then one more every
 * windowMs / points). App secrets and codes are 256-bit random, so these stop noise and hash-burning
 * floods rather than guesses that could succeed; see docs/architecture.md.
 */
export const CLIENT_BUDGETS = {
  /** Wrong secrets for one app id from one address. */
  appAddress: { points: 10, windowMs: minutes(15) },
  /** Wrong secrets from one address across app ids. */
  address: { points: 30, windowMs: minutes(15) },
  /** Wrong secrets for one app id across addresses; addresses the app authenticated from are exempt. */
  app: { points: 100, windowMs: minutes(60) },
  /** Authorization codes and refresh tokens refused for one (authenticated) app. */
  grant: { points: 60, windowMs: minutes(10) },
} as const;

/** The budgets an app-secret check for `appId` from `ip` draws on. */
export function clientPlan(appId: string, ip: string): AttemptPlan {
  const subject = isIdText(appId) ? `app:${appId}` : 'app:malformed';
  const address = addressBucket(ip);
  return {
    budgets: [
      { key: `auth:client:pair:${subject}:${address}`, limit: CLIENT_BUDGETS.appAddress },
      { key: `auth:client:address:${address}`, limit: CLIENT_BUDGETS.address },
      { key: `auth:client:app:${subject}`, limit: CLIENT_BUDGETS.app, waivedForKnownAddress: true },
    ],
    known: { subject, address },
    message: 'Too many failed app authentications. Retry after the time in Retry-After.',
  };
}

/** The budget a code or refresh-token grant of an authenticated app draws on. */
export function grantPlan(appId: string): AttemptPlan {
  return {
    budgets: [{ key: `auth:grant:app:${appId}`, limit: CLIENT_BUDGETS.grant }],
    message: 'Too many refused authorization codes or refresh tokens. Retry after the time in Retry-After.',
  };
}
