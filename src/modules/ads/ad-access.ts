import type { Db } from '../../platform/db/database.js';
import { Forbidden, NotFound } from '../../platform/errors.js';
import { type AdAccountView, adAccountsRepository } from './accounts/ad-accounts.repository.js';
import { type AdAction, mayAct } from './ads.policy.js';

const VERB: Record<AdAction, string> = {
  read: 'read it',
  analytics: 'read its analytics',
  manage: 'change its campaigns',
  conversions: 'send its conversions',
  administer: 'manage who has access',
};

/**
 * Every ads operation starts here: the ad account, for someone who may do `action` on it. Someone with
 * no role on the account gets the same 404 as for an account that does not exist (its existence is not
 * theirs to learn); someone whose role does not allow the action gets a 403 naming the role.
 */
export class AdAccess {
  constructor(private readonly db: Db) {}

  async require(userId: string, accountId: string, action: AdAction): Promise<AdAccountView> {
    const account = await adAccountsRepository.viewOf(this.db, userId, accountId);
    if (!account) throw new NotFound('Ad account not found.', 2602);
    if (!mayAct(account.role, action))
      throw new Forbidden(`Your role on this ad account (${account.role}) may not ${VERB[action]}.`);
    return account;
  }
}
