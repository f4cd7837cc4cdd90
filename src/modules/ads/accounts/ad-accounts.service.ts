import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import type { AdAccountRole } from '../../../platform/db/schema.js';
import { Forbidden, Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AccountsService } from '../../accounts/index.js';
import type { AdAccess } from '../ad-access.js';
import { AD_ACCOUNT_COUNTRIES } from '../targeting/index.js';
import {
  type AdAccountView,
  type MemberRow,
  adAccountsRepository as repo,
} from './ad-accounts.repository.js';
import type { AdAccountCreate } from './ad-accounts.schemas.js';

/**
 * The currency of a new account: as given, or (not given, or UNK, the spec's "unknown") the currency of
 * its country where Pinterest lists one, else USD.
 */
function currencyOf(country: string, given: string | undefined): string {
  if (given !== undefined && given !== 'UNK') return given;
  return AD_ACCOUNT_COUNTRIES.find(([c]) => c === country)?.[1] ?? 'USD';
}

/** Pinterest's limit of ad accounts one person may own. */
export const MAX_OWNED_AD_ACCOUNTS = 50;

const seconds = (d: Date) => Math.floor(new Date(d).getTime() / 1000);

/** The spec's AdAccount as one person sees it. */
export function presentAdAccount(a: AdAccountView) {
  return {
    id: a.id,
    name: a.name,
    owner: { id: a.owner_id, username: a.owner_username },
    country: a.country,
    currency: a.currency,
    permissions: [a.role],
    created_time: seconds(a.created_at),
    updated_time: seconds(a.updated_at),
  };
}

const presentMember = (m: MemberRow) => ({
  user: { id: m.user_id, username: m.username },
  role: m.role,
  created_time: seconds(m.created_at),
});

export interface AdAccountsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly accounts: Pick<AccountsService, 'byUsername'>;
}

/** Ad accounts: create, list, read; and who else may act on one (the members extension). */
export class AdAccountsService {
  constructor(private readonly deps: AdAccountsDeps) {}

  /** GET /v5/ad_accounts: owned accounts, and those shared with the person unless told not to. */
  async list(userId: string, shared: boolean, pageSize: number, bookmark: string | undefined) {
    const scope = `ad_accounts:${userId}:${shared}`;
    const after = bookmark ? String(this.deps.bookmarks.decode(scope, bookmark)[0]) : undefined;
    const rows = await repo.list(this.deps.db, userId, shared, after, pageSize + 1);
    return this.deps.bookmarks.page(scope, rows, pageSize, (last) => [last.id], presentAdAccount);
  }

  /** POST /v5/ad_accounts: an account owned by the caller. */
  async create(userId: string, body: Static<typeof AdAccountCreate>) {
    if (body.owner_user_id !== undefined && body.owner_user_id !== userId)
      throw new Forbidden('An ad account can be created only for yourself (owner_user_id is your user id).');
    // The spec makes every field optional: an account without a name gets one.
    const name = body.name === undefined ? 'Ad account' : body.name.trim();
    if (!name) throw new Invalid('name: an ad account needs a name.');
    const id = await this.deps.db.transaction().execute(async (trx) => {
      // One creation at a time per owner, so the limit holds under concurrent requests.
      await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      if ((await repo.countOwned(trx, userId)) >= MAX_OWNED_AD_ACCOUNTS)
        throw new Invalid(`A person may own at most ${MAX_OWNED_AD_ACCOUNTS} ad accounts.`);
      const id = await this.deps.ids.next('adAccount', trx);
      await repo.insert(trx, {
        id,
        owner_id: userId,
        name,
        country: body.country ?? 'US',
        currency: currencyOf(body.country ?? 'US', body.currency),
      });
      return id;
    });
    return this.get(userId, id);
  }

  /** GET /v5/ad_accounts/{ad_account_id}. */
  async get(userId: string, accountId: string) {
    return presentAdAccount(await this.deps.access.require(userId, accountId, 'read'));
  }

  /** GET /v5/ad_accounts/{ad_account_id}/members. */
  async members(userId: string, accountId: string, pageSize: number, bookmark: string | undefined) {
    await this.deps.access.require(userId, accountId, 'read');
    const scope = `ad_account_members:${accountId}`;
    const after = bookmark ? String(this.deps.bookmarks.decode(scope, bookmark)[0]) : undefined;
    const rows = await repo.members(this.deps.db, accountId, after, pageSize + 1);
    return this.deps.bookmarks.page(scope, rows, pageSize, (last) => [last.user_id], presentMember);
  }

  /** PUT /v5/ad_accounts/{ad_account_id}/members/{username}: grants or changes a role. */
  async putMember(userId: string, accountId: string, username: string, role: AdAccountRole) {
    const account = await this.deps.access.require(userId, accountId, 'administer');
    const member = await this.person(username);
    if (member.id === account.owner_id)
      throw new Invalid('The owner of an ad account has every right already.');
    return presentMember(await repo.putMember(this.deps.db, accountId, member.id, role));
  }

  /** DELETE /v5/ad_accounts/{ad_account_id}/members/{username}. */
  async removeMember(userId: string, accountId: string, username: string): Promise<void> {
    await this.deps.access.require(userId, accountId, 'administer');
    const member = await this.person(username);
    if (!(await repo.removeMember(this.deps.db, accountId, member.id)))
      throw new NotFound(`${username} has no role on this ad account.`);
  }

  private async person(username: string) {
    const user = await this.deps.accounts.byUsername(username);
    if (!user) throw new NotFound('User not found.');
    return user;
  }
}
