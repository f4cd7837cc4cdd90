import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccountView } from '../accounts/ad-accounts.repository.js';
import type { AdAccess } from '../ad-access.js';
import { eachItem, idList, withOneException } from '../bulk.js';
import { entityPage } from '../entity-page.js';
import {
  checkStatus,
  checkTrackingUrls,
  isHttpUrl,
  jsonOrNull,
  secondsOf,
  urlScheme,
} from '../entity-rules.js';
import { adSummaryStatus, review, SERVED_CREATIVE_TYPES } from './ad-review.js';
import { type AdChanges, type AdRow, adsRepository as repo } from './ads.repository.js';
import type { AdCreate, AdListQuery, AdUpdate } from './ads.schemas.js';

type Create = Static<typeof AdCreate>;
type Update = Static<typeof AdUpdate>;

/** The optional fields kept together in `details` (they shape how an ad looks, not whether it runs). */
const DETAIL_FIELDS = [
  'android_deep_link',
  'ios_deep_link',
  'customizable_cta_type',
  'disclosure_type',
  'disclosure_url',
  'grid_click_type',
] as const;

export interface AdsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
}

/**
 * Ads: each promotes one pin of the advertiser (the ad account's owner) in an ad group. A pin that is not
 * theirs, or does not exist, is refused; their own pin that is not public, or is deleted later, leaves
 * the ad REJECTED (never served), as its review says.
 */
export class AdsService {
  constructor(private readonly deps: AdsDeps) {}

  present(row: AdRow) {
    const r = review(row);
    const details = (row.details ?? {}) as Record<string, string | null>;
    return {
      id: row.id,
      ad_account_id: row.ad_account_id,
      campaign_id: row.campaign_id,
      ad_group_id: row.ad_group_id,
      pin_id: row.pin_id,
      name: row.name,
      status: row.status,
      creative_type: row.creative_type,
      destination_url: row.destination_url,
      click_tracking_url: row.click_tracking_url,
      view_tracking_url: row.view_tracking_url,
      tracking_urls: (row.tracking_urls as Record<string, string[]> | null) ?? null,
      android_deep_link: details.android_deep_link ?? null,
      ios_deep_link: details.ios_deep_link ?? null,
      carousel_android_deep_links: null,
      carousel_destination_urls: null,
      carousel_ios_deep_links: null,
      customizable_cta_type: details.customizable_cta_type ?? null,
      disclosure_type: details.disclosure_type ?? null,
      disclosure_url: details.disclosure_url ?? null,
      grid_click_type: details.grid_click_type ?? 'CLOSEUP',
      lead_form_id: null,
      quiz_pin_data: null,
      collection_items_destination_url_template: null,
      is_pin_deleted: !row.pin_live,
      is_removable: true,
      ...r,
      summary_status: adSummaryStatus(row.status, r.review_status),
      type: 'pinpromotion' as const,
      created_time: secondsOf(row.created_at)!,
      updated_time: secondsOf(row.updated_at)!,
    };
  }

  /** POST /v5/ad_accounts/{ad_account_id}/ads. */
  async create(userId: string, accountId: string, items: Create[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    const result = await eachItem(items, async (item) =>
      this.deps.db.transaction().execute(async (trx) => {
        const groupId = item.ad_group_id.replace(/^AG/, '');
        const group = await repo.adGroup(trx, accountId, groupId);
        if (!group) throw new NotFound(`Ad group ${groupId} not found in this ad account.`, 2604);
        if (group.status === 'ARCHIVED') throw new Invalid(`Ad group ${groupId} is archived.`);
        checkCreative(item);
        checkStatus(undefined, item.status);
        const pin = await repo.pin(trx, item.pin_id);
        promotable(account, item.pin_id, pin);
        const destination = httpUrl('destination_url', item.destination_url ?? pin.link);
        const r = review(pin);
        const id = await this.deps.ids.next('ad', trx);
        await repo.insert(trx, {
          id,
          ad_account_id: accountId,
          campaign_id: group.campaign_id,
          ad_group_id: group.id,
          pin_id: item.pin_id,
          name: item.name?.trim() || null,
          status: item.status ?? 'ACTIVE',
          creative_type: item.creative_type,
          destination_url: destination,
          click_tracking_url: httpUrl('click_tracking_url', item.click_tracking_url),
          view_tracking_url: httpUrl('view_tracking_url', item.view_tracking_url),
          tracking_urls: jsonOrNull(checkTrackingUrls(item.tracking_urls)),
          details: JSON.stringify(detailsOf(item, {})),
          review_status: r.review_status,
          rejected_reasons: r.rejected_reasons,
        });
        return this.present((await repo.byId(trx, accountId, id))!);
      }),
    );
    return withOneException(result);
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/ads: only the fields an item gives change. */
  async update(userId: string, accountId: string, items: Update[]) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    const result = await eachItem(items, async (item) =>
      this.deps.db.transaction().execute(async (trx) => {
        const row = await repo.byId(trx, accountId, item.id, true);
        if (!row) throw new NotFound(`Ad ${item.id} not found in this ad account.`, 2605);
        if (item.ad_group_id !== undefined && item.ad_group_id.replace(/^AG/, '') !== row.ad_group_id)
          throw new Invalid('An ad stays in its ad group: ad_group_id cannot change.');
        if (item.pin_id != null && item.pin_id !== row.pin_id)
          throw new Invalid('An ad keeps its pin: pin_id cannot change (make a new ad).');
        checkCreative({ ...item, creative_type: item.creative_type ?? row.creative_type });
        const changes: AdChanges = {};
        if (item.status !== undefined) {
          checkStatus(row.status, item.status);
          changes.status = item.status;
        }
        if (item.name !== undefined) changes.name = item.name?.trim() || null;
        if (item.creative_type !== undefined) changes.creative_type = item.creative_type;
        if (item.destination_url !== undefined)
          changes.destination_url = httpUrl('destination_url', item.destination_url);
        if (item.click_tracking_url !== undefined)
          changes.click_tracking_url = httpUrl('click_tracking_url', item.click_tracking_url);
        if (item.view_tracking_url !== undefined)
          changes.view_tracking_url = httpUrl('view_tracking_url', item.view_tracking_url);
        if (item.tracking_urls !== undefined)
          changes.tracking_urls = jsonOrNull(checkTrackingUrls(item.tracking_urls));
        changes.details = JSON.stringify(detailsOf(item, (row.details ?? {}) as Record<string, unknown>));
        // A change is a new look at the pin: the review follows where the pin stands now.
        const pin = await repo.pin(trx, row.pin_id);
        if (pin.pin_live) promotable(account, row.pin_id, pin);
        const r = review(pin);
        changes.review_status = r.review_status;
        changes.rejected_reasons = r.rejected_reasons;
        await repo.update(trx, row.id, changes);
        return this.present((await repo.byId(trx, accountId, row.id))!);
      }),
    );
    return withOneException(result);
  }

  /** GET /v5/ad_accounts/{ad_account_id}/ads. */
  async list(userId: string, accountId: string, q: Static<typeof AdListQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    const filters = {
      ids: idList(q.ad_ids),
      campaignIds: idList(q.campaign_ids),
      adGroupIds: idList(q.ad_group_ids),
    };
    return entityPage(
      this.deps.bookmarks,
      { kind: 'ads', accountId, query: q, filters },
      (filter) => repo.list(this.deps.db, accountId, filter),
      (r) => this.present(r),
    );
  }

  /** GET /v5/ad_accounts/{ad_account_id}/ads/{ad_id}. */
  async get(userId: string, accountId: string, adId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    const row = await repo.byId(this.deps.db, accountId, adId);
    if (!row) throw new NotFound('Ad not found.', 2605);
    return this.present(row);
  }
}

/** Refuses a pin the advertiser may not promote: one that does not exist or is not the owner's. */
function promotable(account: AdAccountView, pinId: string, pin: { owner_id: string | null }): void {
  if (pin.owner_id !== account.owner_id)
    throw new Invalid(
      `pin_id ${pinId} is not a pin this advertiser may promote (only the ad account owner's own pins).`,
    );
}

/** The parts of an ad that say what it is. */
type Creative = Pick<
  Update,
  | 'carousel_destination_urls'
  | 'carousel_android_deep_links'
  | 'carousel_ios_deep_links'
  | 'lead_form_id'
  | 'quiz_pin_data'
> & { creative_type?: string };

function checkCreative(item: Creative): void {
  const type = item.creative_type;
  if (type !== undefined && !SERVED_CREATIVE_TYPES.has(type))
    throw new Invalid(`creative_type ${type}: Corkboard serves image pins only (REGULAR).`);
  for (const field of [
    'carousel_destination_urls',
    'carousel_android_deep_links',
    'carousel_ios_deep_links',
  ] as const) {
    if (item[field]?.length)
      throw new Invalid(`${field} applies to CAROUSEL ads, which Corkboard does not serve.`);
  }
  if (item.lead_form_id != null) throw new Invalid('lead_form_id: lead forms are not offered.');
  if (item.quiz_pin_data != null) throw new Invalid('quiz_pin_data: quiz pins are not offered.');
}

/** An http(s) URL or null; anything else is refused by name. */
function httpUrl(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!isHttpUrl(value)) throw new Invalid(`${name} must be an http(s) URL.`);
  return value;
}

/** An app link (any scheme an app registers), never one that runs code or reads files. */
function deepLink(name: string, value: string): string {
  const scheme = urlScheme(value);
  if (!scheme || ['javascript:', 'data:', 'vbscript:', 'file:'].includes(scheme))
    throw new Invalid(`${name} must be an app or web link.`);
  return value;
}

function detailsOf(
  item: Pick<Update, (typeof DETAIL_FIELDS)[number]>,
  before: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...before };
  for (const field of DETAIL_FIELDS) {
    const value = item[field];
    if (value === undefined) continue;
    if (value === null) delete out[field];
    else if (field === 'disclosure_url') out[field] = httpUrl(field, value);
    else if (field.endsWith('_deep_link')) out[field] = deepLink(field, value);
    else out[field] = value;
  }
  return out;
}
