import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import { INTERESTS } from '../../interests/index.js';
import type { AdAccess } from '../ad-access.js';
import { eachItem, idList } from '../bulk.js';
import { type CampaignRow, campaignsRepository } from '../campaigns/campaigns.repository.js';
import { entityPage } from '../entity-page.js';
import {
  checkSchedule,
  checkStatus,
  checkTrackingUrls,
  jsonOrNull,
  num,
  secondsOf,
  summaryStatus,
  timeOf,
} from '../entity-rules.js';
import { validateTargetingSpec } from '../targeting/index.js';
import { checkDelivery, type Delivery, deliveryOf } from './ad-group-rules.js';
import { type AdGroupChanges, type AdGroupRow, adGroupsRepository as repo } from './ad-groups.repository.js';
import type { AdGroupCreate, AdGroupListQuery, AdGroupUpdate } from './ad-groups.schemas.js';

type Create = Static<typeof AdGroupCreate>;
type Update = Static<typeof AdGroupUpdate>;

const INTEREST_NAMES = new Map(INTERESTS.map((i) => [i.id, i.name]));
const MAX_GOAL_METADATA_BYTES = 4096;

export interface AdGroupsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly now?: () => number;
}

/** Ad groups: budgets, bids, schedule and targeting of a campaign's ads; bulk create and update, list, read. */
export class AdGroupsService {
  constructor(private readonly deps: AdGroupsDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  present(row: AdGroupRow, interestNames = false) {
    const spec = { ...(row.targeting_spec as Record<string, unknown>) };
    if (interestNames && Array.isArray(spec.INTEREST))
      spec.INTEREST = (spec.INTEREST as string[]).map((id) => INTEREST_NAMES.get(id) ?? id);
    return {
      id: row.id,
      ad_account_id: row.ad_account_id,
      campaign_id: row.campaign_id,
      name: row.name,
      status: row.status,
      budget_in_micro_currency: num(row.budget),
      bid_in_micro_currency: num(row.bid),
      budget_type: row.budget_type,
      start_time: secondsOf(row.start_time),
      end_time: secondsOf(row.end_time),
      targeting_spec: spec,
      lifetime_frequency_cap: row.lifetime_frequency_cap ?? 0,
      tracking_urls: (row.tracking_urls as Record<string, string[]> | null) ?? null,
      auto_targeting_enabled: row.auto_targeting_enabled,
      placement_group: row.placement_group,
      pacing_delivery_type: row.pacing_delivery_type,
      bid_strategy_type: row.bid_strategy_type,
      billable_event: row.billable_event,
      targeting_template_ids: (row.targeting_template_ids as string[] | null) ?? null,
      optimization_goal_metadata: (row.optimization_goal_metadata as Record<string, unknown> | null) ?? null,
      is_creative_optimization: row.is_creative_optimization,
      promotion_id: null,
      conversion_learning_mode_type: null,
      summary_status: summaryStatus(row.status, row.start_time, row.end_time, this.now()),
      type: 'adgroup' as const,
      created_time: secondsOf(row.created_at)!,
      updated_time: secondsOf(row.updated_at)!,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/ad_groups. */
  async create(userId: string, accountId: string, items: Create[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    return eachItem(items, async (item) =>
      this.deps.db.transaction().execute(async (trx) => {
        const campaign = await this.campaign(trx, accountId, item.campaign_id);
        const name = item.name.trim();
        if (!name) throw new Invalid('name: an ad group needs a name.');
        noPromotion(item.promotion_id);
        checkStatus(undefined, item.status);
        const start = timeOf(item.start_time) ?? null;
        const end = timeOf(item.end_time) ?? null;
        checkSchedule(start, end, this.now(), true);
        const delivery: Delivery = {
          budget_type:
            item.budget_type ?? (campaign.is_campaign_budget_optimization ? 'CBO_ADGROUP' : 'DAILY'),
          budget: item.budget_in_micro_currency ?? null,
          bid: item.bid_in_micro_currency ?? null,
          bid_strategy_type: item.bid_strategy_type ?? null,
          billable_event: item.billable_event,
          lifetime_frequency_cap: item.lifetime_frequency_cap || null,
          start_time: start,
          end_time: end,
          placement_group: item.placement_group ?? 'ALL',
        };
        checkDelivery(delivery, campaign, account.currency);
        const targeting = await this.targeting(
          trx,
          accountId,
          item.targeting_spec,
          item.targeting_template_ids,
        );
        const id = await this.deps.ids.next('adGroup', trx);
        await repo.insert(trx, {
          id,
          ad_account_id: accountId,
          campaign_id: campaign.id,
          name,
          status: item.status ?? 'ACTIVE',
          budget_type: delivery.budget_type,
          budget: delivery.budget,
          bid: delivery.bid,
          bid_strategy_type:
            delivery.bid_strategy_type ?? (delivery.bid === null ? 'AUTOMATIC_BID' : 'MAX_BID'),
          billable_event: delivery.billable_event,
          pacing_delivery_type: item.pacing_delivery_type ?? 'STANDARD',
          placement_group: delivery.placement_group,
          lifetime_frequency_cap: delivery.lifetime_frequency_cap,
          start_time: start,
          end_time: end,
          targeting_spec: JSON.stringify(targeting.spec ?? {}),
          targeting_template_ids: targeting.templateIds ? JSON.stringify(targeting.templateIds) : null,
          auto_targeting_enabled: item.auto_targeting_enabled ?? true,
          tracking_urls: jsonOrNull(checkTrackingUrls(item.tracking_urls)),
          optimization_goal_metadata: goalMetadata(item.optimization_goal_metadata) ?? null,
          is_creative_optimization: item.is_creative_optimization ?? null,
        });
        return this.present((await repo.byId(trx, accountId, id))!);
      }),
    );
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/ad_groups: only the fields an item gives change. */
  async update(userId: string, accountId: string, items: Update[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    return eachItem(items, async (item) =>
      this.deps.db.transaction().execute(async (trx) => {
        const row = await repo.byId(trx, accountId, item.id, true);
        if (!row) throw new NotFound(`Ad group ${item.id} not found in this ad account.`, 2604);
        if (item.campaign_id !== undefined && item.campaign_id.replace(/^C/, '') !== row.campaign_id)
          throw new Invalid('An ad group stays in its campaign: campaign_id cannot change.');
        const campaign = await this.campaign(trx, accountId, row.campaign_id);
        noPromotion(item.promotion_id);
        const changes: AdGroupChanges = {};
        if (item.name !== undefined) {
          const name = item.name.trim();
          if (!name) throw new Invalid('name: an ad group needs a name.');
          changes.name = name;
        }
        if (item.status !== undefined) {
          checkStatus(row.status, item.status);
          changes.status = item.status;
        }
        if (item.budget_type !== undefined && item.budget_type !== row.budget_type && row.status !== 'DRAFT')
          throw new Invalid('budget_type can change only while an ad group is a draft.');
        const before = deliveryOf(row);
        const start = timeOf(item.start_time);
        const end = timeOf(item.end_time);
        const after: Delivery = {
          budget_type: item.budget_type ?? before.budget_type,
          budget: item.budget_in_micro_currency !== undefined ? item.budget_in_micro_currency : before.budget,
          bid: item.bid_in_micro_currency !== undefined ? item.bid_in_micro_currency : before.bid,
          bid_strategy_type:
            item.bid_strategy_type !== undefined ? item.bid_strategy_type : before.bid_strategy_type,
          billable_event: item.billable_event ?? before.billable_event,
          lifetime_frequency_cap:
            item.lifetime_frequency_cap !== undefined
              ? item.lifetime_frequency_cap || null
              : before.lifetime_frequency_cap,
          start_time: start !== undefined ? start : before.start_time,
          end_time: end !== undefined ? end : before.end_time,
          placement_group: item.placement_group ?? before.placement_group,
        };
        // A strategy change away from a bid drops the bid unless the item gives one.
        if (item.bid_strategy_type === 'AUTOMATIC_BID' && item.bid_in_micro_currency === undefined)
          after.bid = null;
        checkSchedule(after.start_time, after.end_time, this.now(), end !== undefined);
        checkDelivery(after, campaign, account.currency);
        Object.assign(changes, {
          budget_type: after.budget_type,
          budget: after.budget,
          bid: after.bid,
          bid_strategy_type: after.bid_strategy_type ?? (after.bid === null ? 'AUTOMATIC_BID' : 'MAX_BID'),
          billable_event: after.billable_event,
          lifetime_frequency_cap: after.lifetime_frequency_cap,
          start_time: after.start_time,
          end_time: after.end_time,
          placement_group: after.placement_group,
        });
        if (item.targeting_spec !== undefined || item.targeting_template_ids !== undefined) {
          const targeting = await this.targeting(
            trx,
            accountId,
            item.targeting_spec ?? (item.targeting_template_ids ? undefined : (row.targeting_spec as object)),
            item.targeting_template_ids,
          );
          changes.targeting_spec = JSON.stringify(targeting.spec ?? {});
          changes.targeting_template_ids = targeting.templateIds
            ? JSON.stringify(targeting.templateIds)
            : null;
        }
        if (item.pacing_delivery_type !== undefined) changes.pacing_delivery_type = item.pacing_delivery_type;
        if (item.auto_targeting_enabled != null) changes.auto_targeting_enabled = item.auto_targeting_enabled;
        if (item.tracking_urls !== undefined)
          changes.tracking_urls = jsonOrNull(checkTrackingUrls(item.tracking_urls));
        if (item.optimization_goal_metadata !== undefined)
          changes.optimization_goal_metadata = goalMetadata(item.optimization_goal_metadata) ?? null;
        if (item.is_creative_optimization !== undefined)
          changes.is_creative_optimization = item.is_creative_optimization;
        await repo.update(trx, row.id, changes);
        return this.present((await repo.byId(trx, accountId, row.id))!);
      }),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/ad_groups. */
  async list(userId: string, accountId: string, q: Static<typeof AdGroupListQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    const names = q.translate_interests_to_names ?? false;
    return entityPage(
      this.deps.bookmarks,
      {
        kind: 'ad_groups',
        accountId,
        query: q,
        filters: { ids: idList(q.ad_group_ids), campaignIds: idList(q.campaign_ids) },
      },
      (filter) => repo.list(this.deps.db, accountId, filter),
      (r) => this.present(r, names),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/ad_groups/{ad_group_id}. */
  async get(userId: string, accountId: string, adGroupId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.byId(this.deps.db, accountId, adGroupId);
    if (!row) throw new NotFound('Ad group not found.', 2604);
    return this.present(row);
  }

  private async campaign(db: Db, accountId: string, campaignId: string): Promise<CampaignRow> {
    const id = campaignId.replace(/^C/, '');
    const campaign = await campaignsRepository.byId(db, accountId, id);
    if (!campaign) throw new NotFound(`Campaign ${id} not found in this ad account.`, 2603);
    if (campaign.status === 'ARCHIVED') throw new Invalid(`Campaign ${id} is archived.`);
    return campaign;
  }

  /** A checked targeting spec (given, or the template's), its audiences being the account's. */
  private async targeting(
    db: Db,
    accountId: string,
    given: unknown,
    templateIds: string[] | null | undefined,
  ) {
    let input = given;
    if (templateIds && templateIds.length > 0) {
      const template = await repo.templateOf(db, accountId, templateIds[0]!);
      if (!template)
        throw new Invalid(`targeting_template_ids: ${templateIds[0]} is not a template of this account.`);
      input ??= template.targeting_attributes;
    }
    if (input === undefined || input === null) return { spec: {}, templateIds: templateIds ?? null };
    const { spec, audienceIds } = validateTargetingSpec(input);
    const known = await repo.audiencesOf(db, accountId, audienceIds);
    const unknown = audienceIds.find((id) => !known.has(id));
    if (unknown) throw new Invalid(`targeting_spec: audience ${unknown} is not an audience of this account.`);
    return { spec, templateIds: templateIds ?? null };
  }
}

function goalMetadata(v: Record<string, unknown> | null | undefined): string | null | undefined {
  if (v === undefined || v === null) return v;
  const text = JSON.stringify(v);
  if (Buffer.byteLength(text) > MAX_GOAL_METADATA_BYTES)
    throw new Invalid(`optimization_goal_metadata is over ${MAX_GOAL_METADATA_BYTES} bytes.`);
  return text;
}

function noPromotion(promotionId: string | null | undefined): void {
  if (promotionId !== undefined && promotionId !== null)
    throw new Invalid('promotion_id: promotions are not offered.');
}
