import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccountView } from '../accounts/ad-accounts.repository.js';
import type { AdAccess } from '../ad-access.js';
import { eachItem, idList } from '../bulk.js';
import { entityPage } from '../entity-page.js';
import {
  checkBudget,
  checkSchedule,
  checkStatus,
  checkTrackingUrls,
  num,
  sameAccount,
  secondsOf,
  summaryStatus,
  timeOf,
} from '../entity-rules.js';
import {
  type CampaignChanges,
  type CampaignRow,
  campaignsRepository as repo,
} from './campaigns.repository.js';
import type { CampaignCreate, CampaignListQuery, CampaignUpdate } from './campaigns.schemas.js';

type Create = Static<typeof CampaignCreate>;
type Update = Static<typeof CampaignUpdate>;

/** Objectives that need what Corkboard does not have (video pins, catalogs). */
const UNAVAILABLE_OBJECTIVES: Record<string, string> = {
  VIDEO_COMPLETION: 'needs video pins, which Corkboard does not serve yet',
  CATALOG_SALES: 'needs product catalogs, which Corkboard does not have',
};

export interface CampaignsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly now?: () => number;
}

/** Campaigns: bulk create and update (each item alone), list with filters, read. */
export class CampaignsService {
  constructor(private readonly deps: CampaignsDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  present(row: CampaignRow) {
    return {
      id: row.id,
      ad_account_id: row.ad_account_id,
      name: row.name,
      status: row.status,
      objective_type: row.objective_type,
      lifetime_spend_cap: num(row.lifetime_spend_cap),
      daily_spend_cap: num(row.daily_spend_cap),
      order_line_id: row.order_line_id,
      tracking_urls: (row.tracking_urls as Record<string, string[]> | null) ?? null,
      start_time: secondsOf(row.start_time),
      end_time: secondsOf(row.end_time),
      is_flexible_daily_budgets: row.is_flexible_daily_budgets,
      default_ad_group_budget_in_micro_currency: num(row.default_ad_group_budget),
      is_automated_campaign: row.is_automated_campaign,
      is_campaign_budget_optimization: row.is_campaign_budget_optimization,
      is_performance_plus: row.is_performance_plus,
      summary_status: summaryStatus(row.status, row.start_time, row.end_time, this.now()),
      type: 'campaign' as const,
      created_time: secondsOf(row.created_at)!,
      updated_time: secondsOf(row.updated_at)!,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/campaigns. */
  async create(userId: string, accountId: string, items: Create[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    return eachItem(items, async (item) => {
      sameAccount(item.ad_account_id, accountId);
      const name = item.name?.trim();
      if (!name) throw new Invalid('name: a campaign needs a name.');
      const reason = UNAVAILABLE_OBJECTIVES[item.objective_type];
      if (reason) throw new Invalid(`objective_type ${item.objective_type} ${reason}.`);
      checkStatus(undefined, item.status);
      const fields = this.checked(account, item, undefined);
      return this.deps.db.transaction().execute(async (trx) => {
        const id = await this.deps.ids.next('campaign', trx);
        await repo.insert(trx, {
          id,
          ad_account_id: accountId,
          name,
          status: item.status ?? 'ACTIVE',
          objective_type: item.objective_type,
          ...fields,
        });
        return this.present((await repo.byId(trx, accountId, id))!);
      });
    });
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/campaigns: only the fields an item gives change. */
  async update(userId: string, accountId: string, items: Update[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    return eachItem(items, async (item) =>
      this.deps.db.transaction().execute(async (trx) => {
        sameAccount(item.ad_account_id, accountId);
        const row = await repo.byId(trx, accountId, item.id, true);
        if (!row) throw new NotFound(`Campaign ${item.id} not found in this ad account.`, 2603);
        const changes: CampaignChanges = this.checked(account, item, row);
        if (item.name !== undefined) {
          const name = item.name.trim();
          if (!name) throw new Invalid('name: a campaign needs a name.');
          changes.name = name;
        }
        if (item.status !== undefined) {
          checkStatus(row.status, item.status);
          changes.status = item.status;
        }
        if (item.objective_type != null && item.objective_type !== row.objective_type) {
          if (row.status !== 'DRAFT')
            throw new Invalid('objective_type can change only while a campaign is a draft.');
          const reason = UNAVAILABLE_OBJECTIVES[item.objective_type];
          if (reason) throw new Invalid(`objective_type ${item.objective_type} ${reason}.`);
          changes.objective_type = item.objective_type;
        }
        await repo.update(trx, row.id, changes);
        return this.present((await repo.byId(trx, accountId, row.id))!);
      }),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/campaigns. */
  async list(userId: string, accountId: string, q: Static<typeof CampaignListQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    return entityPage(
      this.deps.bookmarks,
      { kind: 'campaigns', accountId, query: q, filters: { ids: idList(q.campaign_ids) } },
      (filter) => repo.list(this.deps.db, accountId, filter),
      (r) => this.present(r),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/campaigns/{campaign_id}. */
  async get(userId: string, accountId: string, campaignId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.byId(this.deps.db, accountId, campaignId);
    if (!row) throw new NotFound('Campaign not found.', 2603);
    return this.present(row);
  }

  /**
   * The money, schedule and flag fields of a create or update item, checked against the account and
   * (for an update) the stored campaign: only fields the item gives are returned.
   */
  private checked(
    account: AdAccountView,
    item: Create | Update,
    row: CampaignRow | undefined,
  ): CampaignChanges {
    const out: CampaignChanges = {};
    const currency = account.currency;
    checkBudget('lifetime_spend_cap', item.lifetime_spend_cap, currency);
    checkBudget('daily_spend_cap', item.daily_spend_cap, currency);
    // 0 (as Pinterest's own example sends it) means no default.
    const defaultBudget = item.default_ad_group_budget_in_micro_currency || null;
    checkBudget('default_ad_group_budget_in_micro_currency', defaultBudget, currency);
    if (item.lifetime_spend_cap !== undefined) out.lifetime_spend_cap = item.lifetime_spend_cap;
    if (item.daily_spend_cap !== undefined) out.daily_spend_cap = item.daily_spend_cap;
    const lifetime =
      item.lifetime_spend_cap !== undefined ? item.lifetime_spend_cap : num(row?.lifetime_spend_cap ?? null);
    const daily =
      item.daily_spend_cap !== undefined ? item.daily_spend_cap : num(row?.daily_spend_cap ?? null);
    if (lifetime != null && daily != null)
      throw new Invalid('A campaign has a daily_spend_cap or a lifetime_spend_cap, not both.');
    const cbo = item.is_campaign_budget_optimization ?? row?.is_campaign_budget_optimization ?? false;
    if (cbo && lifetime == null && daily == null)
      throw new Invalid('Campaign budget optimization needs a daily_spend_cap or a lifetime_spend_cap.');
    if (item.order_line_id != null) throw new Invalid('order_line_id: order lines are not offered.');
    const start = timeOf(item.start_time);
    const end = timeOf(item.end_time);
    checkSchedule(
      start !== undefined ? start : (row?.start_time ?? null),
      end !== undefined ? end : (row?.end_time ?? null),
      this.now(),
      end !== undefined,
    );
    if (start !== undefined) out.start_time = start;
    if (end !== undefined) out.end_time = end;
    const tracking = checkTrackingUrls(item.tracking_urls);
    if (tracking !== undefined) out.tracking_urls = tracking === null ? null : JSON.stringify(tracking);
    if (item.default_ad_group_budget_in_micro_currency !== undefined)
      out.default_ad_group_budget = defaultBudget;
    if (item.is_flexible_daily_budgets != null)
      out.is_flexible_daily_budgets = item.is_flexible_daily_budgets;
    if (item.is_automated_campaign != null) out.is_automated_campaign = item.is_automated_campaign;
    if (item.is_campaign_budget_optimization != null) out.is_campaign_budget_optimization = cbo;
    if (item.is_performance_plus !== undefined) out.is_performance_plus = item.is_performance_plus;
    return out;
  }
}
