import type { AdAccountRole } from '../../platform/db/schema.js';

/** Who someone is on an ad account: its owner, or a member with a role the owner gave. */
export type AdRole = 'OWNER' | AdAccountRole;

/** What an operation does to an ad account. */
export type AdAction =
  /** See the account and everything in it. */
  | 'read'
  /** Read analytics and request reports. */
  | 'analytics'
  /** Create and change campaigns, ad groups, ads, keywords, audiences, templates and conversion tags. */
  | 'manage'
  /** Send conversion events. */
  | 'conversions'
  /** Grant and remove access. */
  | 'administer';

const EVERYTHING: ReadonlySet<AdAction> = new Set([
  'read',
  'analytics',
  'manage',
  'conversions',
  'administer',
]);

/**
 * The one table of who may do what on an ad account. Owner and ADMIN may do everything; a
 * CAMPAIGN_MANAGER runs campaigns but does not manage access; an ANALYST reads and measures, and may send
 * conversions (as Pinterest lets Analysts). Anyone else may not learn the account exists.
 */
export const AD_ROLE_ACTIONS: Readonly<Record<AdRole, ReadonlySet<AdAction>>> = {
  OWNER: EVERYTHING,
  ADMIN: EVERYTHING,
  CAMPAIGN_MANAGER: new Set(['read', 'analytics', 'manage', 'conversions']),
  ANALYST: new Set(['read', 'analytics', 'conversions']),
};

/** Whether someone with `role` (undefined: no relation to the account) may do `action`. */
export function mayAct(role: AdRole | undefined, action: AdAction): boolean {
  return role !== undefined && AD_ROLE_ACTIONS[role].has(action);
}
